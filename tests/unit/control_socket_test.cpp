// The control server and `forkhorn ctl` over real unix sockets, with a fake arbiter: the
// server is polled from a thread here, as the arbiter's loop will poll it.
#include "control/control.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/ctl.hpp"
#include "control/client.hpp"
#include "control/protocol.hpp"
#include "control_fake.hpp"
#include "instance/pidfile.hpp"
#include "process.hpp"
#include "sockets.hpp"

using namespace forkhorn;
using namespace forkhorn::control;
using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

struct temp_dir {
    fs::path path;
    temp_dir()
    {
        static int counter = 0;
        path = fs::temp_directory_path() /
               ("fh-ctl-" + std::to_string(platform::current_pid()) + "-" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

/// Polls a server from a thread until destroyed, like the arbiter's loop.
class serving {
public:
    explicit serving(control_server& server) : server_(server), thread_([this] { loop(); }) {}
    ~serving()
    {
        stop_ = true;
        thread_.join();
    }
    serving(const serving&) = delete;
    serving& operator=(const serving&) = delete;

private:
    void loop()
    {
        while (!stop_) {
            platform::native_socket h = server_.handle();
            // As the arbiter's loop does: accept when the listener is ready, else read on.
            if (platform::wait_readable({&h, 1}, server_.has_clients() ? 10ms : 20ms) == 0)
                server_.on_readable();
            else
                server_.poll();
        }
    }
    control_server& server_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

/// A client that sends `bytes` as they are, ends its side, and returns everything the server
/// sends back until it closes (or 5 s pass).
std::string raw_exchange(const std::string& socket, const std::string& bytes)
{
    std::string error;
    auto s = platform::connect_unix(socket, error);
    BOOST_REQUIRE_MESSAGE(s != platform::invalid_socket, error);
    auto deadline = clock_type::now() + 5s;
    platform::send_all(s, bytes, deadline);
    platform::shutdown_send(s); // all of the request is sent: the server sees the end
    std::string got;
    char buf[4096];
    std::int64_t n;
    while ((n = platform::recv_some(s, buf, sizeof buf, deadline)) > 0) got.append(buf, static_cast<std::size_t>(n));
    platform::close_socket(s);
    return got;
}

/// The replies in `wire`, decoded.
std::vector<json> replies(const std::string& wire)
{
    frame_decoder d;
    d.feed(wire);
    std::vector<json> out;
    std::string payload;
    while (d.next(payload) == frame_status::complete) out.push_back(json::parse(payload));
    BOOST_TEST(d.pending() == 0U);
    return out;
}

std::string frame(const json& request) { return *encode_frame(request.dump()); }

fs::perms mode_of(const std::string& path) { return fs::status(path).permissions() & fs::perms::all; }

struct ctl_result {
    int status = -1;
    std::string out;
    std::string err;
};

std::string slurp(std::FILE* f)
{
    std::rewind(f);
    std::string text;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    return text;
}

ctl_result ctl(const std::vector<std::string>& args)
{
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    BOOST_REQUIRE(out && err);
    ctl_result r;
    r.status = run_ctl(args, out, err);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

void write_pid(const std::string& path, int pid, std::uint64_t start_time, const std::string& socket = {})
{
    pidfile_content c;
    c.pid = pid;
    c.start_time = start_time;
    c.state = "ready";
    c.control_socket = socket;
    BOOST_REQUIRE(!write_pidfile(path, c).has_value());
}

// No Linux pid reaches 2^30 (PID_MAX_LIMIT is 2^22): a pid that is dead for sure.
constexpr int dead_pid = (1 << 30) - 1;

} // namespace

BOOST_AUTO_TEST_SUITE(control_server)

BOOST_AUTO_TEST_CASE(answers_and_sets_modes)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    std::string path = dir / "run/sub/ctl.sock";
    BOOST_REQUIRE(!server.open(path, 0600).has_value());
    BOOST_TEST(server.path() == path);
    BOOST_TEST(server.handle() != platform::invalid_socket);
    BOOST_TEST((mode_of(path) == (fs::perms::owner_read | fs::perms::owner_write)));
    BOOST_TEST((mode_of(dir / "run") == fs::perms::owner_all));
    BOOST_TEST((mode_of(dir / "run/sub") == fs::perms::owner_all));
    serving poll(server);
    std::string error;
    auto reply = request(path, "show stats", error);
    BOOST_REQUIRE_MESSAGE(reply, error);
    BOOST_TEST(json::parse(*reply)["data"]["pid"] == 200);
    reply = request(path, "worker add", {"2"}, error);
    BOOST_REQUIRE_MESSAGE(reply, error);
    BOOST_TEST(json::parse(*reply)["data"]["total"] == 4);
}

BOOST_AUTO_TEST_CASE(other_modes)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(dir / "ctl.sock", 0660).has_value());
    BOOST_TEST((mode_of(dir / "ctl.sock") ==
                (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write)));
}

BOOST_AUTO_TEST_CASE(refuses_a_socket_in_use)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server first(a), second(a);
    std::string path = dir / "ctl.sock";
    BOOST_REQUIRE(!first.open(path, 0600).has_value());
    auto error = second.open(path, 0600);
    BOOST_REQUIRE(error.has_value());
    BOOST_TEST(*error == "control socket " + path + " is in use by a running server");
    BOOST_TEST(second.handle() == platform::invalid_socket);
    serving poll(first);
    std::string why;
    BOOST_TEST(request(path, "help", why).has_value(), why);
}

BOOST_AUTO_TEST_CASE(replaces_a_stale_socket)
{
    temp_dir dir;
    std::string path = dir / "ctl.sock";
    platform::listener dead;
    BOOST_REQUIRE(!platform::bind_listener("unix:" + path, 1, dead).has_value());
    platform::close_listener(dead, false); // a crashed master leaves its socket file behind
    BOOST_REQUIRE(fs::exists(path));
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(path, 0600).has_value());
    serving poll(server);
    std::string error;
    BOOST_TEST(request(path, "help", error).has_value(), error);
}

BOOST_AUTO_TEST_CASE(never_replaces_a_regular_file)
{
    temp_dir dir;
    std::string path = dir / "ctl.sock";
    std::ofstream(path) << "precious";
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_TEST(server.open(path, 0600).has_value());
    std::ifstream in(path);
    std::string text;
    in >> text;
    BOOST_TEST(text == "precious");
}

BOOST_AUTO_TEST_CASE(close_removes_the_socket)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    std::string path = dir / "ctl.sock";
    BOOST_REQUIRE(!server.open(path, 0600).has_value());
    server.close();
    BOOST_TEST(!fs::exists(path));
    BOOST_TEST(server.handle() == platform::invalid_socket);
    server.on_readable();                                // harmless when closed
    BOOST_REQUIRE(!server.open(path, 0600).has_value()); // and it opens again
    BOOST_TEST(fs::exists(path));
}

BOOST_AUTO_TEST_CASE(several_frames_on_one_connection)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(dir / "ctl.sock", 0600).has_value());
    serving poll(server);
    std::string wire = frame({{"id", 1}, {"command", "show workers"}}) + *encode_frame("{oops") +
                       frame({{"id", 3}, {"command", "worker remove"}});
    auto got = replies(raw_exchange(dir / "ctl.sock", wire));
    BOOST_REQUIRE(got.size() == 3U);
    BOOST_TEST(got[0]["data"]["count"] == 2);
    BOOST_TEST(got[1]["error"] == "request is not valid JSON");
    BOOST_TEST(got[2]["id"] == 3);
    BOOST_TEST(got[2]["data"]["total"] == 1);
}

BOOST_AUTO_TEST_CASE(garbage_and_huge_frames_are_refused)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(dir / "ctl.sock", 0600).has_value());
    serving poll(server);
    for (std::string bytes : {std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), std::string("\x7f\xff\xff\xff{}", 6),
                              std::string("\x00\x10\x00\x01", 4) + std::string(70000, ' ')}) {
        auto got = replies(raw_exchange(dir / "ctl.sock", bytes));
        BOOST_REQUIRE(got.size() == 1U);
        BOOST_TEST(got[0]["error"] == "frame too long (limit 1048576 bytes)");
    }
    std::string error;
    BOOST_TEST(request(dir / "ctl.sock", "help", error).has_value(), error);
}

BOOST_AUTO_TEST_CASE(truncated_frame_is_dropped)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(dir / "ctl.sock", 0600).has_value());
    serving poll(server);
    std::string whole = frame({{"command", "shutdown"}});
    BOOST_TEST(raw_exchange(dir / "ctl.sock", whole.substr(0, whole.size() - 3)).empty());
    BOOST_TEST(raw_exchange(dir / "ctl.sock", whole.substr(0, 2)).empty());
    std::string error;
    BOOST_TEST(request(dir / "ctl.sock", "help", error).has_value(), error);
    BOOST_TEST(a.posted.empty());
}

BOOST_AUTO_TEST_CASE(on_readable_without_clients_returns_at_once)
{
    // The arbiter may call it on every turn of its loop, whether or not the handle is readable.
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(dir / "ctl.sock", 0600).has_value());
    auto start = clock_type::now();
    for (int i = 0; i < 100; ++i) server.on_readable();
    BOOST_TEST((clock_type::now() - start < 100ms));
}

BOOST_AUTO_TEST_CASE(a_silent_client_costs_at_most_the_deadline)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(dir / "ctl.sock", 0600).has_value());
    std::string error;
    std::vector<platform::native_socket> silent;
    for (int i = 0; i < 5; ++i) silent.push_back(platform::connect_unix(dir / "ctl.sock", error));
    auto start = clock_type::now();
    server.on_readable(); // called by the arbiter's thread: must come back soon
    auto took = clock_type::now() - start;
    BOOST_TEST(took < 1500ms);
    for (auto s : silent) platform::close_socket(s);
    serving poll(server);
    BOOST_TEST(request(dir / "ctl.sock", "help", error).has_value(), error);
}

// Each silent client used to hold the arbiter up to a second: 15 of them outlasted a request's
// 10 s timeout. Now they are kept aside and everyone else is answered.
BOOST_AUTO_TEST_CASE(silent_clients_delay_no_one)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(dir / "ctl.sock", 0600).has_value());
    serving poll(server);
    std::string error;
    std::vector<platform::native_socket> silent;
    for (int i = 0; i < 15; ++i) silent.push_back(platform::connect_unix(dir / "ctl.sock", error));
    BOOST_TEST(request(dir / "ctl.sock", "show stats", error).has_value(), error);
    for (auto s : silent) platform::close_socket(s);
}

// A burst of clients (scripts, monitoring) connected at once, each sending after all connected:
// every one is answered.
BOOST_AUTO_TEST_CASE(a_burst_of_clients_is_answered)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(dir / "ctl.sock", 0600).has_value());
    serving poll(server);
    std::string error;
    std::vector<platform::native_socket> clients;
    for (int i = 0; i < 300; ++i) {
        clients.push_back(platform::connect_unix(dir / "ctl.sock", error));
        BOOST_REQUIRE_MESSAGE(clients.back() != platform::invalid_socket, "client " << i << ": " << error);
    }
    auto deadline = clock_type::now() + 10s;
    std::string wire = frame({{"id", 1}, {"command", "show stats"}});
    for (auto s : clients) BOOST_REQUIRE(platform::send_all(s, wire, deadline));
    int answered = 0;
    for (auto s : clients) {
        std::string got;
        char buf[4096];
        frame_decoder d;
        std::string payload;
        for (std::int64_t n;
             d.next(payload) != frame_status::complete && (n = platform::recv_some(s, buf, sizeof buf, deadline)) > 0;)
            d.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        answered += !payload.empty() && json::parse(payload)["id"] == 1;
        platform::close_socket(s);
    }
    BOOST_TEST(answered == 300);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(control_ctl)

BOOST_AUTO_TEST_CASE(no_pidfile_is_not_running)
{
    temp_dir dir;
    auto r = ctl({"--pid", dir / "none.pid", "show", "workers"});
    BOOST_TEST(r.status == 3);
    BOOST_TEST(r.err == "forkhorn ctl: not running (no pidfile at " + (dir / "none.pid") + ")\n");
    BOOST_TEST(ctl({"--pid", dir / "none.pid", "hup"}).status == 3);
    std::string name = "fh-test-absent-" + std::to_string(platform::current_pid());
    r = ctl({"-n", name, "ttin", "2"});
    BOOST_TEST(r.status == 3);
    BOOST_TEST(r.err == "forkhorn ctl: not running (no pidfile at " + default_pidfile(name) + ")\n");
    BOOST_TEST(ctl({"-n", name, "show", "stats"}).status == 3);
}

BOOST_AUTO_TEST_CASE(stale_pidfile_is_not_running)
{
    temp_dir dir;
    std::string pidfile = dir / "app.pid";
    write_pid(pidfile, dead_pid, 12345);
    auto r = ctl({"--pid", pidfile, "term"});
    BOOST_TEST(r.status == 3);
    BOOST_TEST(r.err == "forkhorn ctl: not running (stale pidfile " + pidfile + " names pid " +
                            std::to_string(dead_pid) + ")\n");
    BOOST_TEST(ctl({"--pid", pidfile, "show", "workers"}).status == 3);
    // The pid is alive but belongs to another process now (its start time differs).
    int self = platform::current_pid();
    write_pid(pidfile, self, platform::process_start_time(self) + 1);
    r = ctl({"--pid", pidfile, "winch"});
    BOOST_TEST(r.status == 3);
    BOOST_TEST(r.err.find("which is not this server's master: nothing sent to it") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(missing_socket_is_an_error)
{
    temp_dir dir;
    auto r = ctl({"-s", dir / "none.ctl", "show", "workers"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err.starts_with("forkhorn ctl: cannot connect to control socket " + (dir / "none.ctl") + ": "));
    BOOST_TEST(ctl({"-s", dir / "none.ctl", "hup"}).status == 1);
}

BOOST_AUTO_TEST_CASE(usage_errors)
{
    auto r = ctl({"frobnicate"});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err == "forkhorn ctl: error: unknown command 'frobnicate' (try 'help')\n");
    BOOST_TEST(r.out.empty());
    BOOST_TEST(ctl({}).status == 2);
    BOOST_TEST(ctl({"--bogus", "hup"}).status == 2);
    BOOST_TEST(ctl({"-s"}).status == 2);
    BOOST_TEST(ctl({"ttin", "zero"}).err == "forkhorn ctl: error: ttin: 'zero' is not a number between 1 and 4096\n");
    BOOST_TEST(ctl({"hup", "now"}).status == 2);
    BOOST_TEST(ctl({"worker", "kill"}).status == 2);
    BOOST_TEST(ctl({"-s", "/nonexistent.ctl", "upgrade"}).status == 2);
    auto help = ctl({"--help"});
    BOOST_TEST(help.status == 0);
    BOOST_TEST(help.out.starts_with("usage: forkhorn ctl"));
}

BOOST_AUTO_TEST_CASE(socket_commands_human_and_json)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    std::string socket = dir / "ctl.sock";
    BOOST_REQUIRE(!server.open(socket, 0600).has_value());
    serving poll(server);
    auto r = ctl({"-s", socket, "show", "workers"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out.starts_with("PID  AGE  UPTIME  REQUESTS  CONNS  LAST_BEAT  STATE\n201 "));
    r = ctl({"--socket=" + socket, "--json", "show", "listeners"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(json::parse(r.out)["count"] == 2);
    r = ctl({"-s", socket, "show", "config", "-j"});
    BOOST_TEST(json::parse(r.out)["workers"] == 1);
    r = ctl({"-s", socket, "worker", "kill", "999"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err == "forkhorn ctl: worker kill: 999 is not a worker of this server\n");
    BOOST_TEST(ctl({"-s", socket, "worker", "kill", "202"}).out == "killed worker 202\n");
}

BOOST_AUTO_TEST_CASE(signal_verbs_through_the_socket_with_only_s)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    std::string socket = dir / "ctl.sock";
    BOOST_REQUIRE(!server.open(socket, 0600).has_value());
    {
        serving poll(server);
        BOOST_TEST(ctl({"-s", socket, "ttin", "2"}).out == "added 2 workers (2 -> 4)\n");
        BOOST_TEST(ctl({"-s", socket, "ttou"}).out == "removed 1 worker (4 -> 3)\n");
        BOOST_TEST(ctl({"-s", socket, "hup"}).out == "reloading\n");
        BOOST_TEST(ctl({"-s", socket, "reopen"}).status == 0);
        BOOST_TEST(ctl({"-s", socket, "term"}).out == "shutting down (graceful)\n");
        BOOST_TEST(ctl({"-s", socket, "--json", "quit"}).out == R"({"mode":"quick","status":"shutting_down"})"
                                                                "\n");
    }
    using platform::control_event;
    BOOST_TEST((a.deltas == std::vector<int>{2, -1}));
    BOOST_TEST((a.posted == std::vector<control_event>{control_event::hup, control_event::usr1, control_event::term,
                                                       control_event::int_}));
}

BOOST_AUTO_TEST_CASE(live_pidfile_finds_pid_and_socket)
{
    temp_dir dir;
    test::fake_arbiter a;
    control::control_server server(a);
    std::string socket = dir / "ctl.sock";
    BOOST_REQUIRE(!server.open(socket, 0600).has_value());
    serving poll(server);
    int self = platform::current_pid();
    std::string pidfile = dir / "app.pid";
    write_pid(pidfile, self, platform::process_start_time(self), socket);
    auto r = ctl({"--pid", pidfile, "show", "stats"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out.starts_with("uptime:          1h02m\n"));
    // SIGWINCH is ignored by default: safe to send to this test process.
    r = ctl({"--pid", pidfile, "winch"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "sent winch to pid " + std::to_string(self) + "\n");
    r = ctl({"--pid", pidfile, "--json", "winch"});
    BOOST_TEST(json::parse(r.out) == json({{"signal", "winch"}, {"pid", self}, {"count", 1}}));
}

BOOST_AUTO_TEST_CASE(without_pidfile_the_default_socket_is_tried)
{
    // A server started without -n and -p writes no pidfile but still has its control socket.
    std::string name = "fh-test-nopid-" + std::to_string(platform::current_pid());
    test::fake_arbiter a;
    control::control_server server(a);
    BOOST_REQUIRE(!server.open(default_control_socket(name), 0600).has_value());
    serving poll(server);
    auto r = ctl({"-n", name, "show", "stats"});
    BOOST_TEST(r.status == 0, r.err);
    // Signals still need a pid, and an explicit --pid is never second-guessed.
    BOOST_TEST(ctl({"-n", name, "hup"}).status == 3);
    BOOST_TEST(ctl({"-n", name, "--pid", default_pidfile(name), "show", "stats"}).status == 3);
}

BOOST_AUTO_TEST_SUITE_END()
