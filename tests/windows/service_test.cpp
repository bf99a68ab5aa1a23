// `forkhorn service ...` end to end: the real forkhorn.exe installs, starts, controls, stops and
// removes services in the SCM (wine's services.exe under CTest on Linux). Each test case uses a
// service name of its own, and its fixture uninstalls it, so runs can follow one another.
//
// Wine ends a service when the last non-system process of the prefix exits (docs/windows.md
// pitfall 10); this test program is such a process for as long as it runs.
#include <boost/test/unit_test.hpp>

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

// CMake gives Linux paths under wine's Z: drive, or Windows paths with '/' on Windows.
std::string windows_path(std::string path)
{
    std::replace(path.begin(), path.end(), '/', '\\');
    return path.starts_with("\\") ? "Z:" + path : path;
}

const std::string forkhorn_exe = windows_path(FORKHORN_BIN);
const std::string hello_app = windows_path(FORKHORN_EXAMPLES_DIR "/hello.dll") + ":app";

std::wstring widen(const std::string& s) { return std::wstring(s.begin(), s.end()); } // test paths are ASCII

// CommandLineToArgvW's rules: quotes around words with blanks, backslashes doubled before quotes.
std::wstring quote(const std::string& arg)
{
    if (!arg.empty() && arg.find_first_of(" \t\"") == std::string::npos) return widen(arg);
    std::wstring out = L"\"";
    std::size_t backslashes = 0;
    for (char c : arg) {
        if (c == '\\') {
            ++backslashes;
            continue;
        }
        out.append(c == '"' ? backslashes * 2 + 1 : backslashes, L'\\');
        backslashes = 0;
        out += static_cast<wchar_t>(c);
    }
    return out.append(backslashes * 2, L'\\') + L"\"";
}

struct run_result {
    int status = -1;
    std::string out, err;
};

std::string drain(HANDLE pipe)
{
    std::string text;
    char buf[4096];
    DWORD got = 0;
    while (ReadFile(pipe, buf, sizeof buf, &got, nullptr) && got > 0) text.append(buf, got);
    CloseHandle(pipe);
    text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    return text;
}

/// Runs forkhorn.exe with `args`, collecting its output; fails the test after 90 s.
run_result forkhorn(const std::vector<std::string>& args)
{
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    HANDLE out_r, out_w, err_r, err_w;
    CreatePipe(&out_r, &out_w, &inherit, 0);
    CreatePipe(&err_r, &err_w, &inherit, 0);
    SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(err_r, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = out_w;
    si.hStdError = err_w;
    std::wstring cmd = quote(forkhorn_exe);
    for (const auto& a : args) cmd += L" " + quote(a);
    PROCESS_INFORMATION pi{};
    BOOL created = CreateProcessW(nullptr, cmd.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi);
    CloseHandle(out_w);
    CloseHandle(err_w);
    run_result r;
    std::thread err_reader([&] { r.err = drain(err_r); });
    r.out = drain(out_r);
    err_reader.join();
    BOOST_REQUIRE_MESSAGE(created, "CreateProcessW failed for " << forkhorn_exe);
    BOOST_REQUIRE_MESSAGE(WaitForSingleObject(pi.hProcess, 90'000) == WAIT_OBJECT_0, "forkhorn.exe hangs");
    DWORD code = 0;
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    r.status = static_cast<int>(code);
    BOOST_TEST_MESSAGE("forkhorn " << args[0] << " " << args[1] << " -> " << r.status << "\n" << r.out << r.err);
    return r;
}

struct winsock {
    winsock()
    {
        WSADATA data;
        WSAStartup(MAKEWORD(2, 2), &data);
    }
};
const winsock winsock_started;

sockaddr_in loopback(int port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<u_short>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/// A port nobody listens on: bound to 0, read back, closed.
int free_port()
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in a = loopback(0);
    bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    int len = sizeof a;
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    closesocket(s);
    return ntohs(a.sin_port);
}

SOCKET connect_to(int port)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    DWORD timeout_ms = 5000;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&timeout_ms), sizeof timeout_ms);
    sockaddr_in a = loopback(port);
    if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return s;
    closesocket(s);
    return INVALID_SOCKET;
}

bool port_open(int port)
{
    SOCKET s = connect_to(port);
    if (s == INVALID_SOCKET) return false;
    closesocket(s);
    return true;
}

/// The whole response to one GET /, or "" when nothing answers.
std::string http_get(int port)
{
    SOCKET s = connect_to(port);
    if (s == INVALID_SOCKET) return {};
    std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    send(s, request.data(), static_cast<int>(request.size()), 0);
    std::string response;
    char buf[4096];
    for (int n; (n = recv(s, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
    closesocket(s);
    return response;
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

int count_of(const std::string& text, const std::string& needle)
{
    int n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = 20s)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(100ms);
    }
    return true;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// A service name of its own (pid, time, counter) and a working directory for it; whatever
/// the test did, the service is gone afterwards.
struct service_fixture {
    std::string name;
    std::string dir;

    service_fixture()
    {
        static std::atomic<int> counter{0};
        name = "fhtest-" + std::to_string(GetCurrentProcessId()) + "-" + std::to_string(GetTickCount64() % 100000) +
               "-" + std::to_string(++counter);
        wchar_t temp[MAX_PATH];
        GetTempPathW(MAX_PATH, temp);
        std::wstring wide(temp);
        dir = std::string(wide.begin(), wide.end()) + name;
        CreateDirectoryW(widen(dir).c_str(), nullptr);
    }
    ~service_fixture()
    {
        forkhorn({"service", "uninstall", "--name", name});
        DeleteFileW(widen(log()).c_str());
        RemoveDirectoryW(widen(dir).c_str());
    }
    std::string log() const { return dir + "\\" + name + ".log"; }

    run_result install(const std::vector<std::string>& server_args) { return install_with({}, server_args); }
    run_result install_with(const std::vector<std::string>& options, const std::vector<std::string>& server_args)
    {
        std::vector<std::string> args{"service", "install", "--name", name, "--start", "demand", "--working-directory",
                                      dir};
        args.insert(args.end(), options.begin(), options.end());
        args.push_back("--");
        args.insert(args.end(), server_args.begin(), server_args.end());
        return forkhorn(args);
    }
    run_result command(const std::string& verb, const std::vector<std::string>& extra = {})
    {
        std::vector<std::string> args{"service", verb, "--name", name};
        args.insert(args.end(), extra.begin(), extra.end());
        return forkhorn(args);
    }
    int booted_workers() const { return count_of(read_file(log()), "Booting worker"); }
};

/// ControlService with a custom code, as `sc control NAME CODE` does (wine's sc has no control).
bool send_control(const std::string& name, DWORD code)
{
    SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
    SC_HANDLE service = manager ? OpenServiceW(manager, widen(name).c_str(), SERVICE_USER_DEFINED_CONTROL) : nullptr;
    SERVICE_STATUS status{};
    bool sent = service && ControlService(service, code, &status);
    if (service) CloseServiceHandle(service);
    if (manager) CloseServiceHandle(manager);
    return sent;
}

} // namespace

BOOST_AUTO_TEST_SUITE(windows_service)

BOOST_FIXTURE_TEST_CASE(install_refuses_a_bad_server_command_line, service_fixture)
{
    auto r = install({hello_app, "-b", "127.0.0.1:1", "--no-such-option"});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.starts_with("forkhorn service: error: "));
    BOOST_TEST(count_of(r.err, "\n") == 1); // one line
    auto status = command("status");
    BOOST_TEST(status.status == 3);
    BOOST_TEST(contains(status.out, "not installed"));
}

BOOST_FIXTURE_TEST_CASE(install_refuses_a_bad_name, service_fixture)
{
    auto r = forkhorn({"service", "install", "--name", "no spaces", "--", hello_app});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.err, "invalid service name"));
    BOOST_TEST(forkhorn({"service", "bogus", "--name", name}).status == 2);
}

// --control-group names a group that must exist: a typo is a usage error and nothing is
// installed. (What the DACL lets each user do cannot be seen under wine, whose
// SetServiceObjectSecurity does nothing: windows.platform checks the DACL itself.)
BOOST_FIXTURE_TEST_CASE(install_takes_a_control_group_that_exists, service_fixture)
{
    auto r = install_with({"--control-group", "no-such-group-fh"}, {hello_app, "-b", "127.0.0.1:1"});
    BOOST_TEST(r.status == 2, r.err);
    BOOST_TEST(contains(r.err, "--control-group: no account named 'no-such-group-fh'"), r.err);
    BOOST_TEST(command("status").status == 3);
    r = install_with({"--control-group", "Users"}, {hello_app, "-b", "127.0.0.1:1"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(command("status").status == 3); // installed, stopped
    BOOST_TEST(forkhorn({"service", "status", "--name", name, "--control-group", "Users"}).status == 2);
}

BOOST_AUTO_TEST_CASE(run_outside_the_service_manager_fails_clearly)
{
    auto r = forkhorn({"service", "run", "--name", "fhtest-not-from-scm"});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.err, "`service run` is what the service manager starts"));
}

BOOST_FIXTURE_TEST_CASE(install_start_control_stop_uninstall, service_fixture)
{
    int port = free_port();
    std::string bind = "127.0.0.1:" + std::to_string(port);
    BOOST_REQUIRE_EQUAL(install({hello_app, "-b", bind, "-w", "1"}).status, 0);

    auto stopped = command("status");
    BOOST_TEST(stopped.status == 3);
    BOOST_TEST(contains(stopped.out, ": stopped"));
    BOOST_TEST(contains(stopped.out, hello_app));

    auto started = command("start");
    BOOST_REQUIRE_EQUAL(started.status, 0);
    // RUNNING is reported only once the workers serve: the first request must succeed.
    BOOST_TEST(contains(http_get(port), "Hello, World!"));
    auto running = command("status", {"--json"});
    BOOST_TEST(running.status == 0);
    BOOST_TEST(contains(running.out, "\"state\":\"running\""));
    BOOST_TEST(booted_workers() == 1);

    BOOST_REQUIRE(send_control(name, 130)); // TTIN
    BOOST_TEST(eventually([&] { return booted_workers() == 2; }));
    BOOST_TEST(command("control", {"ttou"}).status == 0);
    BOOST_TEST(eventually([&] { return contains(read_file(log()), "Worker exiting"); }));
    // A service counts as daemonized: WINCH stops the workers, TTIN brings one back.
    BOOST_TEST(command("control", {"winch"}).status == 0);
    BOOST_TEST(eventually([&] { return count_of(read_file(log()), "Worker exiting") == 2; }));
    BOOST_TEST(contains(read_file(log()), "graceful stop of workers"));
    BOOST_TEST(command("control", {"ttin"}).status == 0);
    BOOST_TEST(eventually([&] { return booted_workers() == 3; }));
    BOOST_TEST(contains(http_get(port), "Hello, World!"));

    auto stop = command("stop");
    BOOST_TEST(stop.status == 0);
    BOOST_TEST(command("status").status == 3);
    BOOST_TEST(!port_open(port));

    BOOST_TEST(command("uninstall").status == 0);
    auto gone = command("status");
    BOOST_TEST(gone.status == 3);
    BOOST_TEST(contains(gone.out, "not installed"));
}

/// StartServiceW without waiting, as `sc start` does.
bool start_without_waiting(const std::string& name)
{
    SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
    SC_HANDLE service = manager ? OpenServiceW(manager, widen(name).c_str(), SERVICE_START) : nullptr;
    bool started = service && StartServiceW(service, 0, nullptr);
    if (service) CloseServiceHandle(service);
    if (manager) CloseServiceHandle(manager);
    return started;
}

BOOST_FIXTURE_TEST_CASE(a_stop_while_starting_stops_it, service_fixture)
{
    int port = free_port();
    BOOST_REQUIRE_EQUAL(install({hello_app, "-b", "127.0.0.1:" + std::to_string(port), "-w", "4"}).status, 0);
    BOOST_REQUIRE(start_without_waiting(name));
    // Whether the STOP finds the service starting or already running, it must end stopped.
    BOOST_TEST(command("stop").status == 0);
    auto status = command("status");
    BOOST_TEST(status.status == 3);
    BOOST_TEST(contains(status.out, ": stopped"));
    BOOST_TEST(!contains(status.out, "exit code"));
    BOOST_TEST(!port_open(port));
}

// A STOP while the server is stuck in its start-up, before its arbiter can take any control (here
// in the app's on_starting hook, for five minutes): the service ends once the stop's wait hint
// (--graceful-timeout + 5 s) has passed, as a failed stop, instead of staying STOP_PENDING for
// ever while its checkpoint moves.
BOOST_FIXTURE_TEST_CASE(a_stop_during_a_stuck_start_ends_the_service, service_fixture)
{
    std::string app = windows_path(FORKHORN_SLOW_START) + ":app";
    std::string bind = "127.0.0.1:" + std::to_string(free_port());
    BOOST_REQUIRE_EQUAL(install({app, "-b", bind, "--graceful-timeout", "1"}).status, 0);
    BOOST_REQUIRE(start_without_waiting(name));
    BOOST_REQUIRE(eventually([&] { return contains(read_file(log()), "Starting forkhorn"); }));
    auto began = std::chrono::steady_clock::now();
    auto stop = command("stop");
    auto took = std::chrono::steady_clock::now() - began;
    BOOST_TEST(stop.status == 0, stop.err);
    BOOST_TEST(took < 30s, std::chrono::duration_cast<std::chrono::seconds>(took).count() << " s");
    BOOST_TEST(contains(read_file(log()), "took no stop within"), read_file(log()));
    auto status = command("status", {"--json"});
    BOOST_TEST(status.status == 3);
    BOOST_TEST(contains(status.out, "\"state\":\"stopped\""), status.out);
    BOOST_TEST(contains(status.out, "\"exit_code\":1"), status.out);
}

BOOST_FIXTURE_TEST_CASE(a_failed_start_reports_the_exit_code, service_fixture)
{
    std::string missing = dir + "\\missing.dll:app";
    BOOST_REQUIRE_EQUAL(install({missing, "-b", "127.0.0.1:" + std::to_string(free_port())}).status, 0);
    auto start = command("start");
    BOOST_TEST(start.status == 1);
    BOOST_TEST(contains(start.err, "exit code 4"));
    BOOST_TEST(contains(start.err, "cannot load application library"));
    auto status = command("status", {"--json"});
    BOOST_TEST(status.status == 3);
    BOOST_TEST(contains(status.out, "\"exit_code\":4"));
}

BOOST_AUTO_TEST_SUITE_END()
