// The real forkhorn binary on 127.0.0.1 with OS-chosen ports, real sockets, real signals.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "paths.hpp"

using namespace forkhorn::test;

BOOST_AUTO_TEST_SUITE(serving)

BOOST_AUTO_TEST_CASE(hello_answers_with_two_workers)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "2"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    require_booted(server, 2);
    BOOST_TEST(server.log().find("Booting worker with pid: ") != std::string::npos); // Gunicorn's words
    auto reply = http_get(port, "/");
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(reply.body == "Hello, World!\n");
    BOOST_TEST(reply.head.find("Connection: close") != std::string::npos);
    BOOST_TEST(reply.head.find("Content-Length: 14") != std::string::npos);
    BOOST_TEST(eventually([&] { return server.children().size() == 2; }));
}

BOOST_AUTO_TEST_CASE(echo_describes_a_chunked_post)
{
    server_process server(bin, serve_args(lib(examples, "echo")));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    auto raw = exchange_raw(port, "POST /a/b?x=1 HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "5\r\nhello\r\n0\r\n\r\n");
    BOOST_REQUIRE(raw);
    auto reply = parse_reply(*raw);
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(reply.head.find("Content-Type: application/json") != std::string::npos);
    BOOST_TEST(reply.body.find(R"("method": "POST")") != std::string::npos);
    BOOST_TEST(reply.body.find(R"("path": "/a/b")") != std::string::npos);
    BOOST_TEST(reply.body.find(R"("query": "x=1")") != std::string::npos);
    BOOST_TEST(reply.body.find(R"(["Host", "example"])") != std::string::npos);
    BOOST_TEST(reply.body.find(R"("body_b64": "aGVsbG8=")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(c_app_streams_a_long_body_chunked)
{
    server_process server(bin, serve_args(lib(fixtures, "c_app")));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    auto reply = http_get(port, "/x?stream");
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(reply.head.find("Transfer-Encoding: chunked") != std::string::npos);
    BOOST_TEST(reply.body.size() > 100001u);
    BOOST_TEST(reply.body.ends_with("0\r\n\r\n"));
    BOOST_TEST(http_get(port, "/y?404").status == 404);
}

BOOST_AUTO_TEST_CASE(malformed_request_gets_400_and_never_reaches_the_app)
{
    server_process server(bin, serve_args(lib(examples, "echo")));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    auto raw = exchange_raw(port, "GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
    BOOST_REQUIRE(raw);
    BOOST_TEST(parse_reply(*raw).status == 400);
    BOOST_TEST(raw->find("\"method\"") == std::string::npos);
    BOOST_TEST(http_get(port, "/").status == 200); // the worker survived
}

BOOST_AUTO_TEST_CASE(slow_request_head_gets_408_after_timeout)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"--timeout", "1"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    auto start = std::chrono::steady_clock::now();
    auto raw = exchange_raw(port, "GET / HTTP/1.1\r\nHost: a\r\n", 10s);
    BOOST_REQUIRE(raw);
    BOOST_TEST(parse_reply(*raw).status == 408);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 8s));
}

BOOST_AUTO_TEST_CASE(access_log_uses_gunicorn_format)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"--access-logfile", "-"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    BOOST_TEST(http_get(port, "/path?q=1").status == 200);
    BOOST_TEST(eventually([&] { return server.out().find("\"GET /path?q=1 HTTP/1.1\" 200 14") != std::string::npos; }),
               server.out());
    BOOST_TEST(server.out().starts_with("127.0.0.1 - - ["));
}

BOOST_AUTO_TEST_CASE(every_worker_takes_connections)
{
    server_process server(
        bin, serve_args(lib(examples, "hello"), {"-w", "3", "--access-logfile", "-", "--access-logformat", "%(p)s"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    require_booted(server, 3);
    require_workers(server, 3);
    for (int i = 0; i < 300; ++i) BOOST_REQUIRE(http_get(port, "/").status == 200);
    std::map<std::string, int> served;
    BOOST_REQUIRE(eventually([&] {
        served.clear();
        std::istringstream lines(server.out());
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) ++served[line];
        int total = 0;
        for (const auto& [pid, n] : served) total += n;
        return total == 300;
    }));
    std::string spread;
    for (const auto& [pid, n] : served) spread += pid + "=" + std::to_string(n) + " ";
    BOOST_TEST_MESSAGE("300 requests over 3 workers: " << spread);
    BOOST_TEST(served.size() == 3u, spread);
}

BOOST_AUTO_TEST_CASE(proxy_protocol_names_the_client)
{
    server_process server(bin,
                          serve_args(lib(fixtures, "c_app"), {"--proxy-protocol", "auto", "--access-logfile", "-"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    auto v1 =
        exchange_raw(port, "PROXY TCP4 203.0.113.7 10.0.0.1 5555 80\r\nGET /x?scheme HTTP/1.1\r\nHost: a\r\n\r\n");
    BOOST_REQUIRE(v1);
    BOOST_TEST(parse_reply(*v1).body == "http 203.0.113.7");
    BOOST_TEST(eventually([&] { return server.out().find("203.0.113.7 - - [") != std::string::npos; }), server.out());
    std::string v2("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c\xc6\x33\x64\x05\x0a\x00\x00\x01\x15\xb3\x00\x50", 28);
    auto reply = exchange_raw(port, v2 + "GET /x?scheme HTTP/1.1\r\nHost: a\r\n\r\n");
    BOOST_REQUIRE(reply);
    BOOST_TEST(parse_reply(*reply).body == "http 198.51.100.5");
    BOOST_TEST(parse_reply(*exchange_raw(port, "GET /x?scheme HTTP/1.1\r\nHost: a\r\n\r\n")).body == "http 127.0.0.1");
    BOOST_TEST(parse_reply(*exchange_raw(port, "PROXY TCP4 1.2.3 10.0.0.1 1 2\r\nGET / HTTP/1.1\r\n\r\n")).status ==
               400);
}

BOOST_AUTO_TEST_CASE(proxy_header_from_an_untrusted_peer_is_forbidden)
{
    server_process server(
        bin, serve_args(lib(fixtures, "c_app"), {"--proxy-protocol", "v1", "--proxy-allow-from", "10.0.0.0/8"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    auto raw = exchange_raw(port, "PROXY TCP4 203.0.113.7 10.0.0.1 5555 80\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    BOOST_REQUIRE(raw);
    BOOST_TEST(parse_reply(*raw).status == 403);
}

BOOST_AUTO_TEST_CASE(secure_scheme_headers_only_from_trusted_peers)
{
    const std::string proto = "GET /x?scheme HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\n\r\n";
    {
        server_process trusted(bin, serve_args(lib(fixtures, "c_app")));
        int port = trusted.port();
        BOOST_REQUIRE_MESSAGE(port > 0, trusted.log());
        BOOST_TEST(parse_reply(*exchange_raw(port, proto)).body == "https 127.0.0.1");
        auto conflict = "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n\r\n";
        BOOST_TEST(parse_reply(*exchange_raw(port, conflict)).status == 400);
    }
    server_process untrusted(bin, serve_args(lib(fixtures, "c_app"), {"--forwarded-allow-ips", "10.1.2.3"}));
    int port = untrusted.port();
    BOOST_REQUIRE_MESSAGE(port > 0, untrusted.log());
    BOOST_TEST(parse_reply(*exchange_raw(port, proto)).body == "http 127.0.0.1");
}

BOOST_AUTO_TEST_CASE(several_binds_all_serve)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-b", "127.0.0.1:0"}));
    BOOST_REQUIRE_MESSAGE(server.wait_for_log("Listening at:", 10s, 2), server.log());
    auto text = server.log();
    std::set<int> ports;
    for (auto pos = text.find("Listening at: http://127.0.0.1:"); pos != std::string::npos;
         pos = text.find("Listening at: http://127.0.0.1:", pos + 1))
        ports.insert(std::atoi(text.c_str() + pos + 31));
    BOOST_TEST(ports.size() == 2u);
    for (int p : ports) BOOST_TEST(http_get(p, "/").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(supervision)

BOOST_AUTO_TEST_CASE(killed_worker_is_replaced_within_two_seconds)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "2"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    require_workers(server, 2);
    auto before = server.children();
    auto killed_at = std::chrono::steady_clock::now();
    kill_hard(before[0]);
    bool replaced = eventually(
        [&] {
            auto now = server.children();
            return now.size() == 2 && std::find(now.begin(), now.end(), before[0]) == now.end();
        },
        2s);
    BOOST_TEST(replaced, server.log());
    BOOST_TEST(http_get(port, "/").status == 200);
    BOOST_TEST((std::chrono::steady_clock::now() - killed_at < 3s));
    BOOST_TEST(server.wait_for_log("was sent SIGKILL! Perhaps out of memory?"));
}

BOOST_AUTO_TEST_CASE(killing_the_arbiter_takes_its_workers_down)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "2"}));
    BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
    require_workers(server, 2);
    std::vector<std::pair<int, std::uint64_t>> workers;
    for (int w : server.children()) workers.emplace_back(w, process_start_of(w));
    server.send(sig::kill); // SIGKILL / TerminateProcess: no clean-up code runs in the arbiter
    BOOST_REQUIRE(server.wait_exit(5s));
    // Linux: at once (parent-death signal). Windows: the job object, else the worker sees its
    // arbiter's handle signalled and stops gracefully; slow under wine on a loaded machine.
    for (auto [w, started] : workers)
        BOOST_TEST(eventually([&] { return !still_running(w, started); }, 15s),
                   "worker " << w << " still runs: " << command_line(w) << "\n"
                             << server.log());
}

BOOST_AUTO_TEST_CASE(term_stops_gracefully_with_status_zero_and_closes_the_port)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "2"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    BOOST_REQUIRE(http_get(port, "/").status == 200);
    std::vector<std::pair<int, std::uint64_t>> workers;
    for (int w : server.children()) workers.emplace_back(w, process_start_of(w));
    server.send(sig::term);
    auto status = server.wait_exit(10s);
    BOOST_REQUIRE(status);
    BOOST_TEST(*status == 0);
    BOOST_TEST(!exchange_raw(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n").has_value());
    for (auto [w, started] : workers) BOOST_TEST(eventually([&] { return !still_running(w, started); }, 2s));
    BOOST_TEST(server.log().find("Shutting down: Master") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(int_and_quit_stop_quickly)
{
    for (auto s : {sig::int_, sig::quit}) {
        server_process server(bin, serve_args(lib(examples, "hello")));
        BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
        require_booted(server);
        server.send(s);
        auto status = server.wait_exit(5s);
        BOOST_REQUIRE(status);
        BOOST_TEST(*status == 0);
    }
}

BOOST_AUTO_TEST_CASE(ttin_and_ttou_change_the_worker_count)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "1"}));
    BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
    require_workers(server, 1);
    server.send(sig::ttin);
    BOOST_TEST(eventually([&] { return server.children().size() == 2; }));
    server.send(sig::ttou);
    BOOST_TEST(eventually([&] { return server.children().size() == 1; }));
    server.send(sig::ttou); // never below one
    sleep_ms(300);
    BOOST_TEST(server.children().size() == 1u);
}

BOOST_AUTO_TEST_CASE(ttin_stops_at_max_workers_and_says_so)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "1", "--max-workers", "2"}));
    BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
    require_workers(server, 1);
    for (int i = 0; i < 4; ++i) {
        server.send(sig::ttin);
        // One at a time: identical signals still pending merge into one.
        BOOST_REQUIRE(eventually([&] { return count_of(server.log(), "Handling signal: ttin") == i + 1; }));
    }
    BOOST_TEST(eventually([&] { return count_of(server.log(), "Not growing to 3 workers: --max-workers is 2") == 3; }),
               server.log());
    require_workers(server, 2);
    BOOST_TEST(http_get(server.port(), "/").status == 200);
}

BOOST_AUTO_TEST_CASE(max_requests_recycles_the_worker)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"--max-requests", "3"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    require_workers(server, 1);
    int first = server.children()[0];
    for (int i = 0; i < 3; ++i) BOOST_TEST(http_get(port, "/").status == 200);
    BOOST_TEST(eventually([&] {
        auto now = server.children();
        return now.size() == 1 && now[0] != first;
    }));
    BOOST_TEST(server.log().find("Autorestarting worker after current request.") != std::string::npos);
    BOOST_TEST(http_get(port, "/").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_AUTO_TEST_CASE(bad_flags_exit_2_with_one_line)
{
    const std::vector<std::vector<std::string>> cases{
        {"--no-such-flag"},
        {lib(examples, "hello"), "-w", "abc"},
        {lib(examples, "hello"), "-w", "0"},
        {lib(examples, "hello"), "-k", "nosuchworker"},
        {lib(examples, "hello"), "--log-level", "loud"},
        {},
        {lib(examples, "hello"), "extra-positional"},
        {lib(examples, "hello"), "--forwarded-allow-ips", "10.0.0.1/8"},
        {lib(examples, "hello"), "--proxy-protocol", "v3"},
    };
    for (const auto& args : cases) {
        auto r = run_to_end(bin, args);
        BOOST_TEST(r.status == 2, "args[0]=" << (args.empty() ? "" : args[0]));
        BOOST_TEST(r.err.starts_with("forkhorn: error: "), r.err);
        BOOST_TEST(count_of(r.err, "\n") == 1, r.err);
    }
}

// Values that parse but cannot be served: refused alike at start, under --check-config and from
// FORKHORN_CMD_ARGS, with one line naming the setting (a port above 65535 once bound port 34463).
BOOST_AUTO_TEST_CASE(values_that_cannot_be_served_exit_2_with_one_line_wherever_they_come_from)
{
    temp_dir dir;
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"-b", "127.0.0.1:99999"}, "bind: '127.0.0.1:99999'"},
        {{"-b", "no-such-host.invalid:8000"}, "bind: 'no-such-host.invalid:8000'"},
        {{"-c", dir.path}, "is a directory"},
        {{"-w", "3", "--max-workers", "2"}, "workers: 3 is above max_workers (2)"},
    };
    for (const auto& [flags, says] : cases) {
        std::string joined;
        for (const auto& f : flags) joined += (joined.empty() ? "" : " ") + f;
        std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> ways{
            {{lib(examples, "hello")}, {"FORKHORN_CMD_ARGS=" + joined}},
            {{lib(examples, "hello"), "--check-config"}, {}},
            {{lib(examples, "hello")}, {}},
        };
        ways[1].first.insert(ways[1].first.end(), flags.begin(), flags.end());
        ways[2].first.insert(ways[2].first.end(), flags.begin(), flags.end());
        for (const auto& [args, env] : ways) {
            auto r = run_to_end(bin, args, env);
            BOOST_TEST(r.status == 2, joined << " (env: " << env.size() << "): " << r.err);
            BOOST_TEST(r.err.find(says) != std::string::npos, r.err);
            BOOST_TEST(count_of(r.err, "\n") == 1, r.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(broken_config_file_exits_2)
{
    auto path = (std::filesystem::temp_directory_path() /
                 ("forkhorn-broken-" + std::to_string(std::random_device{}()) + ".toml"))
                    .string();
    std::ofstream(path) << "workers = \n";
    auto r = run_to_end(bin, {lib(examples, "hello"), "-c", path});
    std::remove(path.c_str());
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("config file") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(help_and_version)
{
    auto help = run_to_end(bin, {"--help"});
    BOOST_TEST(help.status == 0);
    BOOST_TEST(help.out.find("--workers") != std::string::npos);
    auto version = run_to_end(bin, {"--version"});
    BOOST_TEST(version.status == 0);
    BOOST_TEST(version.out.starts_with("forkhorn (version "));
}

BOOST_AUTO_TEST_CASE(check_config_reports_a_missing_library_with_status_2)
{
    auto r = run_to_end(bin, {"--check-config", "/nonexistent/libnothing.so:app"});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("cannot load application library '/nonexistent/libnothing.so'") != std::string::npos, r.err);
}

// A worker that cannot load the app halts the arbiter (Gunicorn's exit 4), without a respawn loop.
BOOST_AUTO_TEST_CASE(app_load_failures_halt_the_arbiter)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {"/nonexistent/libnothing.so:app", "cannot load application library"},
        {library_path(examples, "hello") + ":nosuchsymbol", "has no symbol 'nosuchsymbol'"},
        {lib(fixtures, "bad_abi"), "was built for app ABI version 999"},
    };
    for (const auto& [app, message] : cases) {
        auto r = run_to_end(bin, serve_args(app, {"-w", "2"}), {}, 15s);
        BOOST_TEST(r.status == 4, app);
        BOOST_TEST(r.err.find(message) != std::string::npos, r.err);
        BOOST_TEST(r.err.find("Reason: App failed to load.") != std::string::npos, r.err);
        BOOST_TEST(count_of(r.err, "Booting worker") <= 2, r.err);
    }
}

BOOST_AUTO_TEST_CASE(failing_init_halts_with_boot_error)
{
    auto r = run_to_end(bin, serve_args(lib(fixtures, "init_fails")), {}, 15s);
    BOOST_TEST(r.status == 3);
    BOOST_TEST(r.err.find("Reason: Worker failed to boot.") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(port_in_use_is_one_clear_error)
{
    server_process first(bin, serve_args(lib(examples, "hello")));
    int port = first.port();
    BOOST_REQUIRE(port > 0);
    auto r = run_to_end(bin, {lib(examples, "hello"), "-b", "127.0.0.1:" + std::to_string(port)});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err.find("bind() to 127.0.0.1:" + std::to_string(port) + " failed (") != std::string::npos, r.err);
    BOOST_TEST(count_of(r.err, "failed (") == 1, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
