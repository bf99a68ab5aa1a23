#include "control/protocol.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

#include "control/commands.hpp"
#include "control/control.hpp"
#include "control/format.hpp"
#include "control_fake.hpp"

using namespace forkhorn;
using namespace forkhorn::control;
using json = nlohmann::json;
using platform::control_event;

namespace {

json ask_json(test::fake_arbiter& a, const json& request) { return json::parse(dispatch(a, request.dump())); }

json ask(test::fake_arbiter& a, const std::string& command, const json& args = json::array())
{
    return ask_json(a, json{{"id", 7}, {"command", command}, {"args", args}});
}

// The reply's error message, after checking that it is an error reply.
std::string error_of(const json& reply)
{
    BOOST_TEST(reply["status"] == "error");
    BOOST_TEST(!reply.contains("data"));
    return reply.value("error", "");
}

json data_of(const json& reply)
{
    BOOST_TEST(reply["status"] == "ok");
    return reply.value("data", json());
}

std::string header(std::uint32_t n)
{
    return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(control_framing)

BOOST_AUTO_TEST_CASE(length_is_four_bytes_big_endian)
{
    auto frame = encode_frame(std::string(258, 'x'));
    BOOST_REQUIRE(frame);
    BOOST_TEST(frame->size() == 262U);
    BOOST_TEST(frame->substr(0, 4) == header(258));
    BOOST_TEST(*encode_frame("") == header(0));
}

BOOST_AUTO_TEST_CASE(encode_refuses_more_than_the_limit)
{
    BOOST_TEST(encode_frame(std::string(max_frame_size, ' ')).has_value());
    BOOST_TEST(!encode_frame(std::string(max_frame_size + 1, ' ')).has_value());
}

BOOST_AUTO_TEST_CASE(decodes_byte_by_byte)
{
    std::string wire = *encode_frame(R"({"command":"help"})");
    frame_decoder d;
    std::string payload;
    for (std::size_t i = 0; i + 1 < wire.size(); ++i) {
        d.feed(wire.substr(i, 1));
        BOOST_TEST(static_cast<int>(d.next(payload)) == static_cast<int>(frame_status::need_more));
    }
    d.feed(wire.substr(wire.size() - 1));
    BOOST_TEST(static_cast<int>(d.next(payload)) == static_cast<int>(frame_status::complete));
    BOOST_TEST(payload == R"({"command":"help"})");
    BOOST_TEST(d.pending() == 0U);
}

BOOST_AUTO_TEST_CASE(several_frames_in_one_read)
{
    frame_decoder d;
    d.feed(*encode_frame("one") + *encode_frame("") + *encode_frame("three") + header(9).substr(0, 2));
    std::string p;
    BOOST_TEST((d.next(p) == frame_status::complete && p == "one"));
    BOOST_TEST((d.next(p) == frame_status::complete && p.empty()));
    BOOST_TEST((d.next(p) == frame_status::complete && p == "three"));
    BOOST_TEST((d.next(p) == frame_status::need_more));
    BOOST_TEST(d.pending() == 2U);
}

BOOST_AUTO_TEST_CASE(truncated_frame_stays_pending)
{
    frame_decoder d;
    d.feed(header(10) + "12345");
    std::string p = "untouched";
    BOOST_TEST((d.next(p) == frame_status::need_more));
    BOOST_TEST(p == "untouched");
    BOOST_TEST(d.pending() == 9U); // at the end of the stream: a truncated frame
}

BOOST_AUTO_TEST_CASE(too_long_is_refused_from_the_header_alone)
{
    for (std::uint32_t n : {static_cast<std::uint32_t>(max_frame_size + 1), 0xFFFFFFFFU, 0x47455420U /* "GET " */}) {
        frame_decoder d;
        d.feed(header(n));
        std::string p;
        BOOST_TEST((d.next(p) == frame_status::too_long));
    }
    frame_decoder at_limit;
    at_limit.feed(header(static_cast<std::uint32_t>(max_frame_size)));
    std::string p;
    BOOST_TEST((at_limit.next(p) == frame_status::need_more));
}

BOOST_AUTO_TEST_CASE(request_and_reply_messages)
{
    auto r = json::parse(make_request(3, "worker add", {"2"}));
    BOOST_TEST(r == json({{"id", 3}, {"command", "worker add"}, {"args", {"2"}}}));
    std::string error;
    auto ok = parse_reply(make_ok_reply(3, {{"x", 1}}), error);
    BOOST_TEST((ok && ok->ok && ok->data["x"] == 1));
    auto bad = parse_reply(make_error_reply(nullptr, "nope"), error);
    BOOST_TEST((bad && !bad->ok && bad->error == "nope"));
    for (std::string text : {"", "[]", "{}", R"({"status": 1})", "{not json"})
        BOOST_TEST(!parse_reply(text, error).has_value(), text);
}

BOOST_AUTO_TEST_CASE(words_split_on_blanks)
{
    BOOST_TEST((split_words("  worker\tadd   2 ") == std::vector<std::string>{"worker", "add", "2"}));
    BOOST_TEST(split_words(" \t ").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(control_dispatch)

BOOST_AUTO_TEST_CASE(show_workers_sorted_by_age)
{
    test::fake_arbiter a;
    auto reply = ask(a, "show workers");
    BOOST_TEST(reply["id"] == 7);
    auto d = data_of(reply);
    BOOST_TEST(d["count"] == 2);
    BOOST_REQUIRE(d["workers"].size() == 2U);
    BOOST_TEST(d["workers"][0] == json({{"pid", 201},
                                        {"age", 1},
                                        {"uptime", 3723.0},
                                        {"requests", 1200},
                                        {"connections", 0},
                                        {"last_beat", 0.5},
                                        {"state", "idle"}}));
    BOOST_TEST(d["workers"][1]["pid"] == 202);
}

BOOST_AUTO_TEST_CASE(show_workers_when_there_are_none)
{
    test::fake_arbiter a;
    a.rows.clear();
    auto d = data_of(ask(a, "show workers"));
    BOOST_TEST(d["count"] == 0);
    BOOST_TEST(d["workers"].is_array());
}

BOOST_AUTO_TEST_CASE(show_stats)
{
    test::fake_arbiter a;
    auto d = data_of(ask(a, "show stats"));
    BOOST_TEST(d == json({{"uptime", 3723.4},
                          {"pid", 200},
                          {"workers_current", 2},
                          {"workers_target", 2},
                          {"workers_spawned", 5},
                          {"workers_killed", 3},
                          {"reloads", 1}}));
}

BOOST_AUTO_TEST_CASE(show_config_has_every_setting_typed)
{
    test::fake_arbiter a;
    a.cfg.bind = {"127.0.0.1:9000", "unix:/tmp/x.sock"};
    a.cfg.daemon = true;
    auto d = data_of(ask(a, "show config"));
    BOOST_TEST(d.size() == setting_table().size());
    for (const auto& def : setting_table()) BOOST_TEST(d.contains(std::string(def.name)), def.name);
    BOOST_TEST(d["workers"] == 1);
    BOOST_TEST(d["control_socket_mode"] == 0600);
    BOOST_TEST(d["daemon"] == true);
    BOOST_TEST(d["preload_app"] == false);
    BOOST_TEST(d["bind"] == json({"127.0.0.1:9000", "unix:/tmp/x.sock"}));
    BOOST_TEST(d["worker_class"] == "sync");
}

BOOST_AUTO_TEST_CASE(show_listeners)
{
    test::fake_arbiter a;
    auto d = data_of(ask(a, "show listeners"));
    BOOST_TEST(d["count"] == 2);
    BOOST_TEST(d["listeners"][0] == json({{"address", "http://127.0.0.1:8000"}, {"fd", 3}, {"type", "tcp"}}));
    BOOST_TEST(d["listeners"][1]["type"] == "unix");
}

BOOST_AUTO_TEST_CASE(worker_add)
{
    test::fake_arbiter a;
    BOOST_TEST(data_of(ask(a, "worker add")) == json({{"added", 1}, {"previous", 2}, {"total", 3}}));
    BOOST_TEST(data_of(ask(a, "worker add", {"4"})) == json({{"added", 4}, {"previous", 3}, {"total", 7}}));
    BOOST_TEST(data_of(ask(a, "worker add", {2})) == json({{"added", 2}, {"previous", 7}, {"total", 9}}));
    BOOST_TEST(data_of(ask(a, "worker add 3")) == json({{"added", 3}, {"previous", 9}, {"total", 12}}));
    BOOST_TEST((a.deltas == std::vector<int>{1, 4, 2, 3}));
}

BOOST_AUTO_TEST_CASE(worker_remove_stops_at_one)
{
    test::fake_arbiter a;
    a.target = 4;
    BOOST_TEST(data_of(ask(a, "worker remove")) == json({{"removed", 1}, {"previous", 4}, {"total", 3}}));
    BOOST_TEST(data_of(ask(a, "worker remove", {"5"})) == json({{"removed", 2}, {"previous", 3}, {"total", 1}}));
    BOOST_TEST(data_of(ask(a, "worker remove")) == json({{"removed", 0}, {"previous", 1}, {"total", 1}}));
    BOOST_TEST(a.target == 1);
}

BOOST_AUTO_TEST_CASE(worker_add_and_remove_bad_counts)
{
    test::fake_arbiter a;
    for (std::string n : {"0", "-1", "x", "2x", "4097", "99999999999", ""})
        BOOST_TEST(error_of(ask(a, "worker add", {n})).find("is not a number between 1 and 4096") != std::string::npos,
                   n);
    BOOST_TEST(error_of(ask(a, "worker remove", {"1", "2"})) == "worker remove: too many arguments");
    BOOST_TEST(a.deltas.empty());
}

BOOST_AUTO_TEST_CASE(worker_kill)
{
    test::fake_arbiter a;
    BOOST_TEST(data_of(ask(a, "worker kill", {"201"})) == json({{"success", true}, {"killed", 201}}));
    BOOST_TEST(error_of(ask(a, "worker kill", {"999"})) == "worker kill: 999 is not a worker of this server");
    BOOST_TEST(error_of(ask(a, "worker kill")) == "worker kill: missing PID");
    BOOST_TEST(error_of(ask(a, "worker kill", {"abc"})).find("'abc' is not a number") != std::string::npos);
    BOOST_TEST((a.killed == std::vector<int>{201}));
}

BOOST_AUTO_TEST_CASE(reload_reopen_shutdown_post_events)
{
    test::fake_arbiter a;
    BOOST_TEST(data_of(ask(a, "reload")) == json({{"status", "reloading"}}));
    BOOST_TEST(data_of(ask(a, "reopen")) == json({{"status", "reopening"}}));
    BOOST_TEST(data_of(ask(a, "shutdown")) == json({{"status", "shutting_down"}, {"mode", "graceful"}}));
    BOOST_TEST(data_of(ask(a, "shutdown", {"graceful"})) == json({{"status", "shutting_down"}, {"mode", "graceful"}}));
    BOOST_TEST(data_of(ask(a, "shutdown", {"quick"})) == json({{"status", "shutting_down"}, {"mode", "quick"}}));
    std::vector<control_event> expected{control_event::hup, control_event::usr1, control_event::term,
                                        control_event::term, control_event::int_};
    BOOST_TEST((a.posted == expected));
}

BOOST_AUTO_TEST_CASE(bad_arguments_change_nothing)
{
    test::fake_arbiter a;
    BOOST_TEST(error_of(ask(a, "shutdown", {"now"})) == "shutdown: mode must be graceful or quick, not 'now'");
    BOOST_TEST(error_of(ask(a, "reload", {"x"})) == "reload: too many arguments");
    BOOST_TEST(error_of(ask(a, "show workers", {"all"})) == "show workers: too many arguments");
    BOOST_TEST(a.posted.empty());
}

BOOST_AUTO_TEST_CASE(help_lists_every_command)
{
    test::fake_arbiter a;
    auto d = data_of(ask(a, "help"));
    BOOST_TEST(d["commands"].size() == command_list().size());
    BOOST_TEST(d["commands"].contains("worker kill PID"));
}

BOOST_AUTO_TEST_CASE(unknown_commands)
{
    test::fake_arbiter a;
    BOOST_TEST(error_of(ask(a, "status")) == "unknown command 'status' (try 'help')");
    BOOST_TEST(error_of(ask(a, "show")) == "show what? workers, stats, config or listeners");
    BOOST_TEST(error_of(ask(a, "show dirty")) == "unknown command 'show dirty' (workers, stats, config, listeners)");
    BOOST_TEST(error_of(ask(a, "worker")) == "worker what? add [N], remove [N] or kill PID");
    BOOST_TEST(error_of(ask(a, "worker grow")) == "unknown command 'worker grow' (add, remove, kill)");
    BOOST_TEST(error_of(ask(a, "")) == "no command given (try 'help')");
    BOOST_TEST(error_of(ask(a, "SHOW WORKERS")).find("unknown command") == 0U);
}

BOOST_AUTO_TEST_CASE(malformed_requests)
{
    test::fake_arbiter a;
    auto raw = [&](const std::string& text) { return json::parse(dispatch(a, text)); };
    BOOST_TEST(error_of(raw("")) == "request is not valid JSON");
    BOOST_TEST(error_of(raw("{\"command\": ")) == "request is not valid JSON");
    BOOST_TEST(error_of(raw("\xff\xfe")) == "request is not valid JSON");
    BOOST_TEST(error_of(raw("[1,2]")) == "request is not a JSON object");
    BOOST_TEST(error_of(raw("{}")) == "request has no \"command\" string");
    BOOST_TEST(error_of(raw(R"({"command": 5})")) == "request has no \"command\" string");
    BOOST_TEST(error_of(raw(R"({"command": "help", "args": "x"})")) ==
               "\"args\" must be an array of strings or integers");
    BOOST_TEST(error_of(raw(R"({"command": "help", "args": [{}]})")) ==
               "\"args\" must be an array of strings or integers");
    BOOST_TEST(raw("{").at("id").is_null());
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_survived)
{
    test::fake_arbiter a;
    std::string nested(max_frame_size / 2, '[');
    BOOST_TEST(error_of(json::parse(dispatch(a, nested))) == "request is not valid JSON");
    nested += std::string(max_frame_size / 2, ']');
    BOOST_TEST(error_of(json::parse(dispatch(a, nested))) == "request is not a JSON object");
}

BOOST_AUTO_TEST_CASE(id_is_echoed_whatever_its_type)
{
    test::fake_arbiter a;
    BOOST_TEST(ask_json(a, json{{"id", "abc"}, {"command", "help"}})["id"] == "abc");
    BOOST_TEST(ask_json(a, json{{"command", "help"}})["id"].is_null());
    BOOST_TEST(ask_json(a, json{{"id", 9}, {"command", "nope"}})["id"] == 9);
    BOOST_TEST(ask_json(a, json{{"id", 1}, {"command", "help"}, {"args", nullptr}})["status"] == "ok");
}

BOOST_AUTO_TEST_CASE(an_arbiter_that_throws_gets_an_error_reply)
{
    test::fake_arbiter a;
    a.fail = true;
    BOOST_TEST(error_of(ask(a, "show workers")) == "internal error: scoreboard unavailable");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(control_commands)

BOOST_AUTO_TEST_CASE(canonical_wire_form)
{
    std::string error;
    std::vector<std::string> words{"worker", "remove", "3"};
    auto c = parse_command(words, error);
    BOOST_REQUIRE(c);
    BOOST_TEST(command_name(*c) == "worker remove");
    BOOST_TEST((command_args(*c) == std::vector<std::string>{"3"}));
    std::vector<std::string> quick{"shutdown", "quick"};
    c = parse_command(quick, error);
    BOOST_TEST((command_args(*c) == std::vector<std::string>{"quick"}));
    std::vector<std::string> stats{"show", "stats"};
    BOOST_TEST(command_args(*parse_command(stats, error)).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(control_format)

BOOST_AUTO_TEST_CASE(durations)
{
    BOOST_TEST(format_duration(0.25) == "0.2s");
    BOOST_TEST(format_duration(9.96) == "10.0s");
    BOOST_TEST(format_duration(42.9) == "42s");
    BOOST_TEST(format_duration(187) == "3m07s");
    BOOST_TEST(format_duration(7500) == "2h05m");
    BOOST_TEST(format_duration(356400) == "4d03h");
    BOOST_TEST(format_duration(-1) == "-");
}

BOOST_AUTO_TEST_CASE(workers_table_is_aligned)
{
    test::fake_arbiter a;
    auto text = format_human(command_kind::show_workers, data_of(ask(a, "show workers")));
    BOOST_TEST(text == "PID  AGE  UPTIME  REQUESTS  CONNS  LAST_BEAT  STATE\n"
                       "201    1   1h02m      1200      0       0.5s  idle\n"
                       "202    2     12s         7      1       0.2s  busy\n");
}

BOOST_AUTO_TEST_CASE(stats_lines_in_server_order)
{
    test::fake_arbiter a;
    auto text = format_human(command_kind::show_stats, data_of(ask(a, "show stats")));
    BOOST_TEST(text == "uptime:          1h02m\n"
                       "pid:             200\n"
                       "workers_current: 2\n"
                       "workers_target:  2\n"
                       "workers_spawned: 5\n"
                       "workers_killed:  3\n"
                       "reloads:         1\n");
}

BOOST_AUTO_TEST_CASE(listeners_config_and_actions)
{
    test::fake_arbiter a;
    BOOST_TEST(format_human(command_kind::show_listeners, data_of(ask(a, "show listeners"))) ==
               "ADDRESS                FD  TYPE\n"
               "http://127.0.0.1:8000   3  tcp\n"
               "unix:/run/app.sock      4  unix\n");
    auto config = format_human(command_kind::show_config, data_of(ask(a, "show config")));
    BOOST_TEST(config.find("\nbind:                     127.0.0.1:8000\n") != std::string::npos);
    BOOST_TEST(config.find("\ncontrol_socket_mode:      0o600\n") != std::string::npos);
    BOOST_TEST(config.find("\numask:                    0o0\n") != std::string::npos);
    BOOST_TEST(format_human(command_kind::worker_add, data_of(ask(a, "worker add", {"2"}))) ==
               "added 2 workers (2 -> 4)\n");
    BOOST_TEST(format_human(command_kind::worker_remove, data_of(ask(a, "worker remove"))) ==
               "removed 1 worker (4 -> 3)\n");
    BOOST_TEST(format_human(command_kind::shutdown, data_of(ask(a, "shutdown", {"quick"}))) ==
               "shutting down (quick)\n");
    auto help = format_human(command_kind::help, data_of(ask(a, "help")));
    BOOST_TEST(help.starts_with("show workers "));
}

BOOST_AUTO_TEST_SUITE_END()
