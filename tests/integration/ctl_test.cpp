// `forkhorn ctl` against the real server: every signal verb and socket command, checked by
// its effect on the worker processes (from `ctl show workers --json` and /proc).
#include <boost/test/unit_test.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "paths.hpp"

using namespace forkhorn::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string hello = lib(examples, "hello");

/// A named server whose runtime directory (pidfile, control socket) is private to the test.
struct instance {
    std::string runtime = make_temp_dir();
    // fmt::format, not literal + string: GCC 12 warns (-Wrestrict) about its own inlined
    // operator+ for the MinGW target.
    std::string env = fmt::format("FORKHORN_RUNTIME_DIR={}", runtime);
    std::string name = fmt::format("t{}", self_pid());
    std::unique_ptr<server_process> server;
    int port = 0;

    /// `find_port`: read the port from the server's stderr (false when it logs to a file).
    explicit instance(std::vector<std::string> extra = {}, bool find_port = true)
    {
        std::vector<std::string> args{hello, "-n", name, "-b", "127.0.0.1:0", "--graceful-timeout", "5"};
        args.insert(args.end(), extra.begin(), extra.end());
        server = std::make_unique<server_process>(bin, args, std::vector<std::string>{env});
        if (find_port) port = server->port();
    }
    ~instance()
    {
        server.reset();
        // A worker that still exits (Windows) holds the kept copy of the app in the runtime
        // directory open for a moment.
        eventually([&] {
            std::error_code ec;
            fs::remove_all(runtime, ec);
            return !fs::exists(runtime, ec);
        });
    }

    run_result ctl(std::vector<std::string> args) const
    {
        args.insert(args.begin(), {"ctl", "-n", name});
        return run_to_end(bin, args, {env});
    }
    json ctl_json(std::vector<std::string> args) const
    {
        args.push_back("--json");
        auto r = ctl(args);
        BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
        return json::parse(r.out);
    }
    std::vector<int> worker_pids() const
    {
        std::vector<int> pids;
        auto reply = ctl_json({"show", "workers"}); // the range-for below must not outlive it
        for (const auto& w : reply["workers"]) pids.push_back(w["pid"].get<int>());
        std::sort(pids.begin(), pids.end());
        return pids;
    }
    std::vector<int> proc_children() const
    {
        auto pids = server->children();
        std::sort(pids.begin(), pids.end());
        return pids;
    }
    bool workers_are(std::size_t n) const
    {
        auto procs = proc_children();
        return procs.size() == n && worker_pids() == procs;
    }
};

/// The port of the first "Listening at: http://127.0.0.1:PORT" line of a log, or 0.
int port_in(const std::string& log)
{
    const std::string marker = "Listening at: http://127.0.0.1:";
    auto at = log.find(marker);
    return at == std::string::npos ? 0 : std::atoi(log.c_str() + at + marker.size());
}

} // namespace

BOOST_AUTO_TEST_SUITE(ctl)

BOOST_AUTO_TEST_CASE(signal_verbs_ttin_ttou_hup_reopen)
{
    instance app({"-w", "1"});
    BOOST_REQUIRE_MESSAGE(app.port > 0, app.server->log());
    BOOST_REQUIRE(eventually([&] { return app.workers_are(1); }));
    BOOST_TEST(app.ctl({"ttin", "3"}).status == 0);
    BOOST_TEST(eventually([&] { return app.workers_are(4); }));
    BOOST_TEST(app.ctl({"ttou", "2"}).status == 0);
    BOOST_TEST(eventually([&] { return app.workers_are(2); }));
    auto before = app.proc_children();
    BOOST_TEST(app.ctl({"hup"}).status == 0);
    BOOST_TEST(eventually([&] { return app.workers_are(1) && disjoint(before, app.proc_children()); }),
               app.server->log()); // HUP re-reads -w 1
    BOOST_TEST(app.ctl({"reopen"}).status == 0);
    BOOST_TEST(app.server->wait_for_log("Handling signal: usr1"));
    BOOST_TEST(http_get(app.port, "/").status == 200);
}

BOOST_AUTO_TEST_CASE(signal_verbs_term_int_quit_stop_the_server)
{
    for (std::string verb : {"term", "int", "quit"}) {
        instance app;
        BOOST_REQUIRE_MESSAGE(app.port > 0, app.server->log());
        BOOST_REQUIRE(eventually([&] { return app.proc_children().size() == 1; }));
        BOOST_TEST(app.ctl({verb}).status == 0, verb);
        BOOST_TEST(app.server->wait_exit(10s).value_or(-1) == 0, verb);
        auto after = app.ctl({"hup"});
        BOOST_TEST(after.status == 3, verb << ": " << after.err);
    }
}

BOOST_AUTO_TEST_CASE(upgrade_verb_starts_a_new_master)
{
    if (!has_unix_features()) {
        BOOST_TEST_MESSAGE("skipped: the binary upgrade (USR2) is Unix-only");
        return;
    }
    instance app;
    BOOST_REQUIRE_MESSAGE(app.port > 0, app.server->log());
    require_booted(*app.server);
    BOOST_TEST(app.ctl({"upgrade"}).status == 0);
    BOOST_REQUIRE(app.server->wait_for_log("Started the new master"));
    int new_master = 0;
    BOOST_TEST(eventually([&] {
        for (int child : app.server->children())
            if (command_line(child).starts_with("forkhorn: master [" + app.name + ".2]")) new_master = child;
        return new_master != 0;
    }));
    BOOST_TEST(app.ctl({"term"}).status == 0);
    BOOST_REQUIRE(app.server->wait_exit(15s).value_or(-1) == 0);
    BOOST_TEST(app.server->wait_for_log("Master has been promoted."));
    // ctl finds the promoted master through the same name.
    BOOST_TEST(eventually([&] { return app.ctl_json({"show", "stats"})["pid"].get<int>() == new_master; }));
    BOOST_TEST(app.ctl({"term"}).status == 0);
    BOOST_TEST(eventually([&] { return !process_alive(new_master); }, 15s));
}

BOOST_AUTO_TEST_CASE(show_commands_describe_the_server)
{
    instance app({"-w", "2"});
    BOOST_REQUIRE_MESSAGE(app.port > 0, app.server->log());
    BOOST_REQUIRE(eventually([&] { return app.workers_are(2); }));
    for (int i = 0; i < 3; ++i) BOOST_REQUIRE(http_get(app.port, "/").status == 200);
    BOOST_TEST(app.ctl_json({"show", "workers"})["count"].get<int>() == 2);
    BOOST_TEST(eventually([&] {
        std::uint64_t requests = 0;
        auto reply = app.ctl_json({"show", "workers"});
        for (const auto& w : reply["workers"]) requests += w["requests"].get<std::uint64_t>();
        return requests == 3;
    }));
    auto stats = app.ctl_json({"show", "stats"});
    BOOST_TEST(stats["pid"].get<int>() == app.server->pid());
    BOOST_TEST(stats["workers_target"].get<int>() == 2);
    auto config = app.ctl_json({"show", "config"});
    BOOST_TEST(config["workers"].get<int>() == 2);
    BOOST_TEST(config["proc_name"].get<std::string>() == app.name);
    auto listeners = app.ctl_json({"show", "listeners"});
    BOOST_TEST(listeners["listeners"][0]["address"].get<std::string>() ==
               "http://127.0.0.1:" + std::to_string(app.port));
    auto human = app.ctl({"show", "workers"});
    BOOST_TEST(human.status == 0);
    BOOST_TEST(human.out.find("PID") != std::string::npos, human.out);
}

BOOST_AUTO_TEST_CASE(worker_commands_change_the_pool)
{
    instance app({"-w", "1"});
    BOOST_REQUIRE_MESSAGE(app.port > 0, app.server->log());
    BOOST_REQUIRE(eventually([&] { return app.workers_are(1); }));
    auto added = app.ctl_json({"worker", "add", "2"});
    BOOST_TEST(added["total"].get<int>() == 3);
    BOOST_TEST(eventually([&] { return app.workers_are(3); }));
    app.ctl_json({"worker", "remove", "1"});
    BOOST_TEST(eventually([&] { return app.workers_are(2); }));
    int victim = app.proc_children()[0];
    auto killed = app.ctl_json({"worker", "kill", std::to_string(victim)});
    BOOST_TEST(eventually([&] {
        auto now = app.proc_children();
        return now.size() == 2 && std::find(now.begin(), now.end(), victim) == now.end();
    }));
    BOOST_TEST(app.ctl({"worker", "kill", "1"}).status == 1); // not a worker
}

BOOST_AUTO_TEST_CASE(reload_reopen_and_shutdown_through_the_socket)
{
    instance app({"-w", "1"});
    BOOST_REQUIRE_MESSAGE(app.port > 0, app.server->log());
    BOOST_REQUIRE(eventually([&] { return app.workers_are(1); }));
    auto before = app.proc_children();
    BOOST_TEST(app.ctl_json({"reload"})["status"].get<std::string>() == "reloading");
    BOOST_TEST(eventually([&] { return app.workers_are(1) && disjoint(before, app.proc_children()); }));
    // With a pidfile, `reopen` is the USR1 verb; through -s it is the socket command.
    auto socket = app.runtime + "/" + app.name + ".ctl";
    auto reopened = run_to_end(bin, {"ctl", "-s", socket, "--json", "reopen"}, {app.env});
    BOOST_REQUIRE_MESSAGE(reopened.status == 0, reopened.err);
    BOOST_TEST(json::parse(reopened.out)["status"].get<std::string>() == "reopening");
    BOOST_TEST(app.server->wait_for_log("Handling signal: usr1"));
    BOOST_TEST(app.ctl_json({"shutdown", "quick"})["mode"].get<std::string>() == "quick");
    BOOST_TEST(app.server->wait_exit(10s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(not_running_and_stale_pidfile)
{
    instance app;
    BOOST_REQUIRE_MESSAGE(app.port > 0, app.server->log());
    auto pidfile = app.runtime + "/" + app.name + ".pid";
    BOOST_REQUIRE(eventually([&] { return fs::exists(pidfile); }));
    app.server->send(sig::kill); // no clean-up: the pidfile stays behind
    BOOST_REQUIRE(app.server->wait_exit(10s));
    for (int w : children_of(app.server->pid())) kill_hard(w);
    BOOST_REQUIRE(fs::exists(pidfile));
    auto r = app.ctl({"hup"});
    BOOST_TEST(r.status == 3);
    BOOST_TEST(r.err.find("stale pidfile") != std::string::npos, r.err);
    auto missing = run_to_end(bin, {"ctl", "-n", "no-such-instance", "show", "workers"}, {app.env});
    BOOST_TEST(missing.status == 3, missing.err);
}

// Log rotation as logrotate or an operator does it, on every system: rename the files while the
// server has them open, then `ctl reopen`. The master and the workers write to new files, and
// nothing more to the renamed ones. (Windows: the logs are opened with FILE_SHARE_DELETE, so the
// rename works while they are open, and with FILE_APPEND_DATA.)
BOOST_AUTO_TEST_CASE(reopen_after_a_rotation)
{
    temp_dir logs;
    auto errlog = logs / "error.log";
    auto access = logs / "access.log";
    instance app({"--error-logfile", errlog, "--access-logfile", access}, false);
    BOOST_REQUIRE(eventually([&] { return read_text(errlog).find("Booting worker") != std::string::npos; }, 20s));
    int port = port_in(read_text(errlog));
    BOOST_REQUIRE_MESSAGE(port > 0, read_text(errlog));
    BOOST_REQUIRE(http_get(port, "/before").status == 200);
    BOOST_REQUIRE(eventually([&] { return read_text(access).find("/before") != std::string::npos; }));
    std::error_code ec;
    fs::rename(errlog, errlog + ".1", ec);
    BOOST_REQUIRE_MESSAGE(!ec, "renaming the open error log: " << ec.message());
    fs::rename(access, access + ".1", ec);
    BOOST_REQUIRE_MESSAGE(!ec, "renaming the open access log: " << ec.message());
    auto r = app.ctl({"reopen"});
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
    BOOST_REQUIRE(eventually([&] { return fs::exists(errlog) && fs::exists(access); }));
    // The workers reopen asynchronously: retry until a worker's line lands in the new file.
    BOOST_TEST(eventually([&] {
        http_get(port, "/after");
        return read_text(access).find("/after") != std::string::npos;
    }));
    BOOST_TEST(read_text(access + ".1").find("/after") == std::string::npos);
    BOOST_TEST(app.ctl({"ttin"}).status == 0);
    BOOST_TEST(eventually([&] { return read_text(errlog).find("Booting worker") != std::string::npos; }, 20s),
               read_text(errlog));
    BOOST_TEST(read_text(errlog + ".1").find("Handling signal: ttin") == std::string::npos);
}

// The control socket a pidfile names must be served by the master it names: a pidfile pointing at
// someone else's socket (Windows: anyone may create a pipe of any name) gets nothing sent to it.
BOOST_AUTO_TEST_CASE(a_control_socket_served_by_another_process_than_the_master_is_refused)
{
    instance app;
    BOOST_REQUIRE_MESSAGE(app.port > 0, app.server->log());
    auto socket = app.runtime + "/" + app.name + ".ctl";
    BOOST_REQUIRE(eventually([&] { return fs::exists(app.runtime + "/" + app.name + ".pid"); }));
    BOOST_REQUIRE(app.ctl({"show", "stats"}).status == 0); // the real pidfile: its master answers
    temp_dir dir;
    auto pidfile = dir / "planted.pid";
    // A live process that is not the one serving the socket: this test, with its true start time.
    std::ofstream(pidfile) << self_pid() << "\n";
    std::ofstream(pidfile + ".info") << self_pid() << "\n"
                                     << process_start_of(self_pid()) << "\n"
                                     << app.name << "\n\nready\n"
                                     << socket << "\n";
    auto r = run_to_end(bin, {"ctl", "--pid", pidfile, "show", "stats"});
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(r.err.find("is served by pid " + std::to_string(app.server->pid()) + ", not by the master (pid " +
                          std::to_string(self_pid()) + "): nothing sent") != std::string::npos,
               r.err);
    BOOST_TEST(r.out.empty(), r.out);
}

// ctl never signals a process that is not this server's master: a pid-only pidfile (written by
// hand, or left behind and its pid reused) naming another live process gets nothing sent to it.
BOOST_AUTO_TEST_CASE(a_pidfile_naming_another_process_is_never_signalled)
{
    temp_dir dir;
    auto pidfile = dir / "other.pid";
    std::ofstream(pidfile) << self_pid() << "\n"; // this test: alive, and no forkhorn master
    for (const std::string verb : {"term", "hup"}) {
        auto r = run_to_end(bin, {"ctl", "--pid", pidfile, verb});
        BOOST_TEST(r.status == 3, verb << ": " << r.err);
        BOOST_TEST(r.err.find("which is not this server's master: nothing sent to it") != std::string::npos, r.err);
    }
}

BOOST_AUTO_TEST_SUITE_END()
