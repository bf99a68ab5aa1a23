// The arbiter features that exist on Unix only: binary upgrade, code reload by file rename,
// preload, titles, daemon, socket activation, fd:// and unix: binds, reuse-port, users,
// logrotate by rename, sd_notify, syslog. The real binary, 127.0.0.1 only.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.hpp"
#include "tls_client.hpp"

// Designated initializers name only what a case sets (GCC 12 warns about the rest).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace forkhorn::test;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(unix_only)

BOOST_AUTO_TEST_CASE(hup_loads_the_new_app_code)
{
    temp_dir dir;
    auto app = dir / "libapp.so";
    fs::copy_file(library_path(examples, "hello"), app);
    server_process server(bin, serve_args(app + ":app", {}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    BOOST_REQUIRE(http_get(port, "/").body == "Hello, World!\n");
    // Deploy new code the way package managers do: a new file renamed over the old one.
    fs::copy_file(library_path(examples, "echo"), dir / "libapp.so.new");
    fs::rename(dir / "libapp.so.new", app);
    server.send(sig::hup);
    BOOST_TEST(eventually([&] { return http_get(port, "/").body.find("\"method\": \"GET\"") != std::string::npos; }),
               server.log());
}

BOOST_AUTO_TEST_CASE(usr2_upgrade_under_load_then_the_new_master_serves_alone)
{
    temp_dir dir;
    auto pidfile = dir / "app.pid";
    server_process old_master(bin, serve_args(lib(examples, "hello"), {"-w", "2", "-p", pidfile}));
    int port = old_master.port();
    BOOST_REQUIRE_MESSAGE(port > 0, old_master.log());
    require_booted(old_master, 2);
    steady_load load(port, "/");
    old_master.send(sig::usr2);
    int new_master = 0;
    BOOST_REQUIRE(eventually([&] {
        for (int child : old_master.children())
            if (command_line(child).find("forkhorn: master") != std::string::npos) new_master = child;
        return new_master != 0 && children_of(new_master).size() == 2;
    }));
    BOOST_TEST(fs::exists(pidfile + ".2"));
    BOOST_TEST(old_master.log().find("Booting worker", old_master.log().find("Started the new master")) !=
               std::string::npos);
    old_master.send(sig::usr2); // a second upgrade while the first runs is refused
    BOOST_TEST(old_master.wait_for_log("USR2 signal ignored. Child exists."));
    int seen = load.ok_so_far();
    BOOST_REQUIRE(eventually([&] { return load.ok_so_far() > seen + 50; }));
    old_master.send(sig::term);
    BOOST_REQUIRE(old_master.wait_exit(15s).value_or(-1) == 0);
    BOOST_TEST(old_master.wait_for_log("Master has been promoted."));
    BOOST_TEST(eventually([&] { return read_text(pidfile).starts_with(std::to_string(new_master) + "\n"); }));
    BOOST_TEST(!fs::exists(pidfile + ".2"));
    seen = load.ok_so_far();
    BOOST_REQUIRE(eventually([&] { return load.ok_so_far() > seen + 50; }));
    auto totals = load.stop();
    BOOST_TEST(totals.failed == 0,
               totals.failed << " failed, first: " << (totals.failures.empty() ? "" : totals.failures[0]));
    kill_hard(new_master); // it is not our child: stop it and its workers
    for (int w : children_of(new_master)) kill_hard(w);
    BOOST_TEST(eventually([&] { return !process_alive(new_master); }));
}

// A listener written https:// stays TLS in the new master (it inherits the sockets, and with
// them the addresses as configured), and a cleartext one stays cleartext.
BOOST_AUTO_TEST_CASE(usr2_keeps_each_listener_tls_or_cleartext)
{
    temp_dir dir;
    auto pki = make_test_pki(dir.path);
    server_process old_master(bin, serve_args(lib(examples, "hello"), {"-b", "https://127.0.0.1:0", "--certfile",
                                                                       pki.server_cert, "--keyfile", pki.server_key}));
    auto ports = old_master.ports(2, 20s);
    BOOST_REQUIRE_MESSAGE(ports.size() == 2, old_master.log());
    require_booted(old_master);
    old_master.send(sig::usr2);
    int new_master = 0;
    BOOST_REQUIRE(eventually([&] {
        for (int child : old_master.children())
            if (command_line(child).find("forkhorn: master") != std::string::npos) new_master = child;
        return new_master != 0 && children_of(new_master).size() == 1;
    }));
    old_master.send(sig::term);
    BOOST_REQUIRE(old_master.wait_exit(15s).value_or(-1) == 0);
    // Only the new master's worker is left to answer.
    BOOST_TEST(eventually([&] { return http_get(ports[0], "/").status == 200; }));
    auto secure = tls_get(ports[1], {.ca_cert = pki.ca_cert});
    BOOST_TEST(secure.starts_with("HTTP/1.1 200"), secure);
    BOOST_TEST(http_get(ports[1], "/").status != 200); // cleartext on the TLS port: refused
    kill_hard(new_master);
    for (int w : children_of(new_master)) kill_hard(w);
    BOOST_TEST(eventually([&] { return !process_alive(new_master); }));
}

BOOST_AUTO_TEST_CASE(preload_loads_and_inits_the_app_in_the_master)
{
    temp_dir dir;
    auto log_path = dir / "hooks.log";
    server_process server(bin, serve_args(lib(fixtures, "hooks_app"), {"-w", "2", "--preload"}),
                          std::vector<std::string>{"FORKHORN_HOOK_LOG=" + log_path});
    BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
    BOOST_REQUIRE(eventually([&] { return count_lines_starting(read_text(log_path), "post_worker_init") == 2; }));
    BOOST_TEST(count_lines_starting(read_text(log_path), "init ") == 1);
    BOOST_TEST(read_text(log_path).find("init " + std::to_string(server.pid()) + " ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(process_titles_name_master_and_workers)
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-n", "titled"}));
    BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
    require_workers(server, 1);
    BOOST_TEST(eventually([&] { return command_line(server.pid()).starts_with("forkhorn: master [titled]"); }),
               command_line(server.pid()));
    BOOST_TEST(eventually([&] { return command_line(server.children()[0]).starts_with("forkhorn: worker [titled]"); }));
}

BOOST_AUTO_TEST_CASE(daemon_mode_detaches_writes_and_removes_the_pidfile)
{
    temp_dir dir;
    auto pidfile = dir / "app.pid";
    auto errlog = dir / "error.log";
    auto launcher =
        run_to_end(bin, serve_args(lib(examples, "hello"), {"-D", "-p", pidfile, "--error-logfile", errlog}));
    BOOST_REQUIRE_MESSAGE(launcher.status == 0, launcher.err);
    std::istringstream in(read_text(pidfile));
    int pid = 0;
    in >> pid;
    BOOST_REQUIRE(pid > 0);
    BOOST_TEST(process_alive(pid));
    BOOST_TEST(eventually([&] { return children_of(pid).size() == 1; }));
    // WINCH works only when daemonized: the workers stop, the master stays.
    BOOST_TEST(signal_pid(pid, sig::winch));
    BOOST_TEST(eventually([&] { return children_of(pid).empty(); }));
    BOOST_TEST(process_alive(pid));
    BOOST_TEST(signal_pid(pid, sig::term));
    BOOST_TEST(eventually([&] { return !process_alive(pid); }));
    BOOST_TEST(!fs::exists(pidfile));
    BOOST_TEST(read_text(errlog).find("Shutting down: Master") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(daemon_boot_failure_reaches_the_launching_shell)
{
    auto launcher = run_to_end(bin, serve_args("/nonexistent/libx.so:app", {"-D"}));
    BOOST_TEST(launcher.status == 4);
    BOOST_TEST(launcher.err.find("App failed to load.") != std::string::npos, launcher.err);
}

BOOST_AUTO_TEST_CASE(socket_activation_uses_the_passed_socket)
{
    int port = 0;
    int fd = listen_local(port);
    BOOST_REQUIRE(fd >= 0);
    launch_options options;
    options.listen_fd = fd;
    options.socket_activation = true;
    server_process server(bin, {lib(examples, "hello"), "--no-control-socket"}, options);
    close_fd(fd);
    BOOST_REQUIRE_MESSAGE(server.wait_for_log("Listening at: http://127.0.0.1:" + std::to_string(port)), server.log());
    BOOST_TEST(http_get(port, "/").status == 200);
}

BOOST_AUTO_TEST_CASE(fd_bind_adopts_an_open_socket)
{
    int port = 0;
    int fd = listen_local(port);
    BOOST_REQUIRE(fd >= 0);
    launch_options options;
    options.listen_fd = fd;
    server_process server(bin, {lib(examples, "hello"), "-b", "fd://3", "--no-control-socket"}, options);
    close_fd(fd);
    BOOST_REQUIRE_MESSAGE(server.wait_for_log("Listening at: http://127.0.0.1:" + std::to_string(port)), server.log());
    BOOST_TEST(http_get(port, "/").status == 200);
}

BOOST_AUTO_TEST_CASE(unix_socket_bind_with_umask)
{
    temp_dir dir;
    auto sock = dir / "app.sock";
    server_process server(bin, {lib(examples, "hello"), "-b", "unix:" + sock, "-m", "007", "--no-control-socket"});
    BOOST_REQUIRE_MESSAGE(server.wait_for_log("Listening at: unix:" + sock), server.log());
    auto perms = fs::status(sock).permissions();
    BOOST_TEST(((perms & fs::perms::others_all) == fs::perms::none));
    BOOST_TEST(((perms & fs::perms::owner_read) != fs::perms::none));
    server.send(sig::term);
    BOOST_REQUIRE(server.wait_exit(10s).value_or(-1) == 0);
    BOOST_TEST(!fs::exists(sock));
}

namespace {
// utime + stime of `pid` in clock ticks; -1 when it has gone.
long cpu_ticks(int pid)
{
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), {});
    if (stat.rfind(')') == std::string::npos) return -1;
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stol(field);
        if (i == 15) stime = std::stol(field);
    }
    return utime + stime;
}
} // namespace

// Out of descriptors, a worker sheds the connection it cannot take instead of spinning on a
// listener that stays readable (the reserve descriptor).
// Not under a sanitizer: UBSan's vptr check probes memory through a pipe, which a process out of
// descriptors cannot open, so it reports an "invalid vptr" on a sound std::error_category and
// aborts the worker (seen on the accept that fails with EMFILE).
BOOST_AUTO_TEST_CASE(out_of_descriptors_the_worker_sheds_instead_of_spinning,
                     *boost::unit_test::precondition(without_sanitizer{"its runtime needs descriptors of its own"}))
{
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "1", "-k", "async"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    require_workers(server, 1);
    int worker = server.children()[0];
    BOOST_REQUIRE(http_get(port, "/").status == 200);
    int open_fds = 0;
    for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(worker) + "/fd")) ++open_fds, (void)e;
    rlimit tight{static_cast<rlim_t>(open_fds + 2), static_cast<rlim_t>(open_fds + 2)};
    rlimit old{};
    BOOST_REQUIRE(::prlimit(worker, RLIMIT_NOFILE, nullptr, &old) == 0);
    tight.rlim_max = old.rlim_max;
    BOOST_REQUIRE(::prlimit(worker, RLIMIT_NOFILE, &tight, nullptr) == 0);
    std::vector<std::unique_ptr<client_connection>> held;
    for (int i = 0; i < 20; ++i) held.push_back(std::make_unique<client_connection>(port));
    long before = cpu_ticks(worker);
    std::this_thread::sleep_for(1s); // the span over which a spinning worker would burn a core
    long after = cpu_ticks(worker);
    BOOST_REQUIRE_MESSAGE(before >= 0 && after >= 0, "the worker died:\n" << server.log());
    long used = after - before;
    BOOST_TEST(used < sysconf(_SC_CLK_TCK) / 4, "the worker used " << used << " ticks in 1 s");
    held.clear();
    BOOST_REQUIRE(::prlimit(worker, RLIMIT_NOFILE, &old, nullptr) == 0);
    BOOST_TEST(eventually([&] { return http_get(port, "/").status == 200; }));
    BOOST_TEST(server.children() == std::vector<int>{worker});
}

BOOST_AUTO_TEST_CASE(reuse_port_lets_two_servers_share_a_port)
{
    server_process first(bin, serve_args(lib(examples, "hello"), {"--reuse-port"}));
    int port = first.port();
    BOOST_REQUIRE_MESSAGE(port > 0, first.log());
    server_process second(bin, {lib(examples, "hello"), "-b", "127.0.0.1:" + std::to_string(port), "--reuse-port",
                                "--no-control-socket"});
    BOOST_TEST(second.port() == port, second.log());
}

BOOST_AUTO_TEST_CASE(workers_run_as_the_given_user)
{
    if (!running_as_root()) {
        BOOST_TEST_MESSAGE("skipped: needs root to switch users");
        return;
    }
    server_process server(bin, serve_args(lib(examples, "hello"), {"-u", "nobody", "-g", "nogroup"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    require_workers(server, 1);
    BOOST_TEST(eventually([&] { return uid_of(server.children()[0]) == 65534; }));
    BOOST_TEST(uid_of(server.pid()) == 0);
    BOOST_TEST(http_get(port, "/").status == 200);
    auto bad = run_to_end(bin, serve_args(lib(examples, "hello"), {"-u", "no-such-user-here"}));
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(bad.err.find("no such user 'no-such-user-here'") != std::string::npos, bad.err);
}

BOOST_AUTO_TEST_CASE(usr1_reopens_logs_after_a_rotation)
{
    temp_dir dir;
    auto errlog = dir / "error.log";
    auto access = dir / "access.log";
    server_process server(bin,
                          serve_args(lib(examples, "hello"), {"--error-logfile", errlog, "--access-logfile", access}));
    BOOST_REQUIRE(
        eventually([&] { return read_text(errlog).find("Listening at: http://127.0.0.1:") != std::string::npos; }));
    auto text = read_text(errlog);
    auto at = text.find("Listening at: http://127.0.0.1:") + 31;
    int port = std::atoi(text.c_str() + at);
    BOOST_REQUIRE(eventually([&] { return read_text(errlog).find("Booting worker") != std::string::npos; }));
    BOOST_REQUIRE(http_get(port, "/before").status == 200);
    BOOST_REQUIRE(eventually([&] { return read_text(access).find("/before") != std::string::npos; }));
    fs::rename(errlog, errlog + ".1");
    fs::rename(access, access + ".1");
    server.send(sig::usr1);
    BOOST_REQUIRE(eventually([&] { return fs::exists(errlog) && fs::exists(access); }));
    // The worker reopens asynchronously: retry until its line lands in the new file.
    BOOST_TEST(eventually([&] {
        http_get(port, "/after");
        return read_text(access).find("/after") != std::string::npos;
    }));
    BOOST_TEST(read_text(access + ".1").find("/after") == std::string::npos);
    server.send(sig::ttin);
    BOOST_TEST(eventually([&] { return read_text(errlog).find("Booting worker") != std::string::npos; }));
}

// Workers that run as another user reopen the logs after a rotation: the master gives them the
// files it creates (and the unix sockets they accept on), as Gunicorn chowns them.
namespace {
int owner_of(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_uid) : -1;
}
} // namespace

BOOST_AUTO_TEST_CASE(usr1_reopens_logs_for_workers_that_run_as_another_user)
{
    if (!running_as_root()) {
        BOOST_TEST_MESSAGE("skipped: needs root to switch users");
        return;
    }
    temp_dir dir;
    fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    auto access = dir / "access.log";
    auto sock = dir / "app.sock";
    server_process server(bin, serve_args(lib(examples, "hello"), {"-u", "nobody", "-g", "nogroup", "--access-logfile",
                                                                   access, "-b", "unix:" + sock}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    require_workers(server, 1);
    BOOST_TEST(owner_of(sock) == 65534);
    BOOST_REQUIRE(http_get(port, "/before").status == 200);
    BOOST_REQUIRE(eventually([&] { return read_text(access).find("/before") != std::string::npos; }));
    fs::rename(access, access + ".1");
    server.send(sig::usr1);
    BOOST_REQUIRE(eventually([&] { return fs::exists(access); }));
    BOOST_TEST(owner_of(access) == 65534);
    BOOST_TEST(eventually([&] {
                   http_get(port, "/after");
                   return read_text(access).find("/after") != std::string::npos;
               }),
               server.log());
    BOOST_TEST(read_text(access + ".1").find("/after") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(sd_notify_reports_ready_reloading_and_stopping)
{
    temp_dir dir;
    auto sock = dir / "notify.sock";
    int fd = bind_datagram(sock);
    BOOST_REQUIRE(fd >= 0);
    server_process server(bin, serve_args(lib(examples, "hello"), {}),
                          std::vector<std::string>{"NOTIFY_SOCKET=" + sock});
    BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
    auto ready = receive_datagram(fd, 10s);
    BOOST_TEST(ready.find("READY=1") != std::string::npos, ready);
    BOOST_TEST(ready.find("MAINPID=" + std::to_string(server.pid())) != std::string::npos, ready);
    server.send(sig::hup);
    BOOST_TEST(receive_datagram(fd, 10s).find("RELOADING=1") != std::string::npos);
    BOOST_TEST(receive_datagram(fd, 10s).find("READY=1") != std::string::npos);
    server.send(sig::term);
    BOOST_TEST(receive_datagram(fd, 10s).find("STOPPING=1") != std::string::npos);
    close_fd(fd);
}

BOOST_AUTO_TEST_CASE(syslog_receives_error_log_lines)
{
    temp_dir dir;
    auto sock = dir / "syslog.sock";
    int fd = bind_datagram(sock);
    BOOST_REQUIRE(fd >= 0);
    server_process server(bin,
                          serve_args(lib(examples, "hello"), {"--log-syslog", "--log-syslog-to", "unix://" + sock}));
    BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
    std::string got;
    BOOST_TEST(eventually([&] {
                   got += receive_datagram(fd, 1s);
                   return got.find("Listening at:") != std::string::npos;
               }),
               got);
    BOOST_TEST(got.find("<14>forkhorn[") != std::string::npos, got);
    close_fd(fd);
}

namespace {
// How often the threads of `pid` have gone to sleep so far: each wake-up ends one such sleep.
long sleeps_of(int pid)
{
    long total = 0;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream status(task.path() / "status");
        for (std::string line; std::getline(status, line);)
            if (line.starts_with("voluntary_ctxt_switches:")) total += std::stol(line.substr(24));
    }
    return total;
}
} // namespace

namespace {
// Wake-ups per connection of a server with `workers` workers, over sequential connections once
// every worker has served one; and how many connections each worker served.
double wake_ups_per_connection(const std::string& kind, int workers, std::map<std::string, int>& served)
{
    server_process server(bin,
                          serve_args(lib(examples, "hello"), {"-w", std::to_string(workers), "-k", kind,
                                                              "--access-logfile", "-", "--access-logformat", "%(p)s"}));
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    int answered = 0;
    auto count_served = [&] {
        served.clear();
        std::istringstream lines(server.out());
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) ++served[line];
        int n = 0;
        for (const auto& entry : served) n += entry.second;
        return n == answered;
    };
    auto get = [&] {
        BOOST_REQUIRE(http_get(port, "/").status == 200);
        ++answered;
    };
    BOOST_REQUIRE(eventually([&] { return get(), eventually(count_served) && served.size() == std::size_t(workers); }));
    auto sleeps = [&] {
        long n = 0;
        for (int pid : server.children()) n += sleeps_of(pid);
        return n;
    };
    constexpr int connections = 200;
    long before = sleeps();
    for (int i = 0; i < connections; ++i) get();
    double per_connection = double(sleeps() - before) / connections;
    BOOST_REQUIRE(eventually(count_served));
    for (auto& entry : served) entry.second -= 1; // the warm-up
    return per_connection;
}
} // namespace

// EPOLLEXCLUSIVE: a connection wakes one idle worker, not all of them (three more idle workers
// would mean three more wake-ups per connection), and the workers take turns (an event
// worker's accept thread is always waiting; without turns one worker would take them all).
BOOST_AUTO_TEST_CASE(a_connection_wakes_one_worker_and_the_workers_take_turns)
{
    for (std::string kind : {"sync", "gthread", "async", "uv"}) {
        BOOST_TEST_CONTEXT("-k " << kind)
        {
            std::map<std::string, int> served;
            double alone = wake_ups_per_connection(kind, 1, served);
            double among_four = wake_ups_per_connection(kind, 4, served);
            BOOST_TEST_MESSAGE("-k " << kind << ": wake-ups per connection " << alone << " with 1 worker, "
                                     << among_four << " with 4");
            BOOST_TEST(among_four - alone < 1.5);
            for (const auto& [pid, n] : served) BOOST_TEST(n >= 200 / 8, pid << " served " << n);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
