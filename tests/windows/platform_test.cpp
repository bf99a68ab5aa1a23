// Windows-only behaviour of the platform layer and the command line, under wine.
#include <boost/test/unit_test.hpp>

#include "append_file.hpp"
#include "control_channel.hpp"
#include "events.hpp"
#include "paths.hpp"
#include "sockets.hpp"
#include "system.hpp"
#include "test_process.hpp"
#include "windows/win.hpp"

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

using namespace forkhorn;
using namespace forkhorn::test;

BOOST_AUTO_TEST_SUITE(windows_platform)

// Someone who creates the arbiter's command object first could drive it: the arbiter refuses.
BOOST_AUTO_TEST_CASE(a_squatted_control_object_name_is_refused)
{
    std::wstring name = L"Global\\forkhorn.squat." + std::to_wstring(GetCurrentProcessId()) + L".hup";
    HANDLE squatter = CreateEventW(nullptr, FALSE, FALSE, name.c_str());
    BOOST_REQUIRE(squatter);
    platform::control_source source;
    auto err = source.open("squat");
    BOOST_REQUIRE(err.has_value());
    BOOST_TEST(err->find("already exists") != std::string::npos, *err);
    CloseHandle(squatter);
    platform::control_source clean;
    BOOST_TEST(!clean.open("squat-free").has_value());
}

BOOST_AUTO_TEST_CASE(counted_ttin_objects_add_one_worker_each)
{
    platform::control_source source;
    BOOST_REQUIRE(!source.open("counted").has_value());
    std::string error;
    for (int i = 0; i < 3; ++i)
        BOOST_REQUIRE(platform::send_control(self_pid(), "counted", platform::control_event::ttin, error));
    std::size_t ttins = 0;
    for (int round = 0; round < 5 && ttins < 3; ++round)
        for (auto e : source.wait(std::chrono::milliseconds(200))) ttins += e == platform::control_event::ttin;
    BOOST_TEST(ttins == 3u);
}

BOOST_AUTO_TEST_CASE(unix_only_settings_are_a_configuration_error)
{
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"-D"}, "-D/--daemon"},
        {{"-u", "nobody"}, "-u/--user"},
        {{"--preload"}, "--preload"},
        {{"--log-syslog"}, "--log-syslog"},
        {{"--reuse-port"}, "--reuse-port"},
        {{"-b", "unix:C:/x.sock"}, "unix: binds"},
    };
    for (const auto& [extra, what] : cases) {
        auto r = run_to_end(bin, serve_args(lib(examples, "hello"), extra));
        BOOST_TEST(r.status == 2, what);
        BOOST_TEST(r.err.find(what) != std::string::npos, r.err);
        BOOST_TEST(r.err.find("is Unix-only") != std::string::npos, r.err);
    }
}

BOOST_AUTO_TEST_CASE(stale_pidfile_with_a_reused_pid_is_not_a_master)
{
    // Our own pid, with a start time that is not ours (.info) or alone: ctl must not signal us.
    auto dir = make_temp_dir();
    auto pidfile = dir + "/app.pid";
    for (bool details : {true, false}) {
        std::FILE* f = std::fopen(pidfile.c_str(), "wb");
        std::fprintf(f, "%d\n", self_pid());
        std::fclose(f);
        f = std::fopen((pidfile + ".info").c_str(), "wb");
        if (details) std::fprintf(f, "%d\n12345\napp\n\nready\n\n", self_pid());
        std::fclose(f);
        auto r = run_to_end(bin, {"ctl", "--pid", pidfile, "hup"});
        BOOST_TEST(r.status == 3);
        BOOST_TEST(r.err.find("which is not this server's master: nothing sent to it") != std::string::npos, r.err);
    }
}

BOOL WINAPI ignore_in_the_test(DWORD) { return TRUE; }

// Ctrl+C reaches every process of the console: the arbiter takes it as INT (quick stop).
BOOST_AUTO_TEST_CASE(ctrl_c_in_the_console_stops_the_server)
{
    // Headless (CI) there is no console, and GenerateConsoleCtrlEvent needs one.
    // Under wine AllocConsole starts conhost.exe, and on a loaded machine it failed once: retried.
    if (!GetConsoleWindow()) {
        FreeConsole();
        DWORD error = 0;
        bool made =
            eventually([&] { return AllocConsole() || (error = GetLastError(), false); }, std::chrono::seconds(10));
        BOOST_REQUIRE_MESSAGE(made, "AllocConsole failed, error " << error);
    }
    // A handler, not SetConsoleCtrlHandler(NULL, TRUE): that flag would be inherited by the server.
    SetConsoleCtrlHandler(ignore_in_the_test, TRUE);
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "2"}));
    int port = server.port();
    BOOST_REQUIRE(port > 0);
    require_booted(server, 2);
    BOOST_TEST(http_get(port, "/").status == 200);
    BOOST_REQUIRE(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
    auto code = server.wait_exit(std::chrono::seconds(15));
    SetConsoleCtrlHandler(ignore_in_the_test, FALSE);
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 0);
    BOOST_TEST(server.log().find("Handling signal: int") != std::string::npos, server.log());
}

// ---- stop semantics (issue 12, item 15)

// Ctrl+Break (and a console close or logoff) must never reach a worker, whose default handler
// would end it behind the arbiter's back. Those events go to the processes attached to the
// console they happen in, so a worker must not be one of the arbiter's console's processes:
// CREATE_NO_WINDOW gives it a hidden console of its own (which is why a console child such as
// conhost.exe may show up beside it). Wine cannot send Ctrl+Break (GenerateConsoleCtrlEvent
// supports CTRL_C_EVENT only), so this asks the console who is attached to it, once the worker
// serves (a console it was given late would count too).
BOOST_AUTO_TEST_CASE(workers_are_not_in_the_arbiters_console)
{
    FreeConsole();
    DWORD error = 0;
    bool made = eventually([&] { return AllocConsole() || (error = GetLastError(), false); }, std::chrono::seconds(10));
    BOOST_REQUIRE_MESSAGE(made, "AllocConsole failed, error " << error);
    SetConsoleCtrlHandler(ignore_in_the_test, TRUE);
    server_process server(bin, serve_args(lib(examples, "hello"), {"-w", "1"}));
    int port = server.port();
    BOOST_REQUIRE(port > 0);
    require_booted(server, 1);
    BOOST_TEST(http_get(port, "/").status == 200);
    int worker = server.children().at(0);
    std::vector<DWORD> attached(64);
    DWORD count = GetConsoleProcessList(attached.data(), static_cast<DWORD>(attached.size()));
    BOOST_REQUIRE_MESSAGE(count > 0 && count <= attached.size(), "GetConsoleProcessList: " << GetLastError());
    attached.resize(count);
    auto in_console = [&](int pid) { return std::ranges::count(attached, static_cast<DWORD>(pid)) > 0; };
    BOOST_TEST(in_console(server.pid()), "the arbiter is not in the console it was started in");
    BOOST_TEST(!in_console(worker), "the worker (pid " << worker << ") is in the arbiter's console");
    server.send(sig::term);
    BOOST_TEST(server.wait_exit(std::chrono::seconds(15)).has_value());
    SetConsoleCtrlHandler(ignore_in_the_test, FALSE);
    FreeConsole();
}

// Windows ends a console process as soon as its handler returns from a close, logoff or shutdown
// event: the handler holds until the arbiter has stopped (wine cannot close a console headless,
// so the handler is called here as Windows would call it).
BOOST_AUTO_TEST_CASE(a_console_close_is_held_until_the_arbiter_has_stopped)
{
    auto source = std::make_unique<platform::control_source>();
    BOOST_REQUIRE(!source->open("held").has_value());
    std::atomic<bool> returned{false};
    std::thread handler([&] {
        platform::win::console_handler(CTRL_CLOSE_EVENT);
        returned = true;
    });
    bool term = false;
    for (int round = 0; round < 10 && !term; ++round)
        for (auto e : source->wait(std::chrono::milliseconds(200))) term |= e == platform::control_event::term;
    BOOST_TEST(term);
    sleep_ms(300);
    BOOST_TEST(!returned.load()); // the arbiter has not stopped yet
    source.reset();               // it has
    handler.join();
    BOOST_TEST(returned.load());
}

BOOST_AUTO_TEST_CASE(console_events_and_what_they_mean)
{
    using platform::win::console_action;
    using platform::win::console_action_for;
    BOOST_TEST((console_action_for(CTRL_C_EVENT, false) == console_action::quick_stop));
    BOOST_TEST((console_action_for(CTRL_BREAK_EVENT, false) == console_action::quick_stop));
    BOOST_TEST((console_action_for(CTRL_CLOSE_EVENT, false) == console_action::graceful_stop_and_wait));
    BOOST_TEST((console_action_for(CTRL_LOGOFF_EVENT, false) == console_action::graceful_stop_and_wait));
    BOOST_TEST((console_action_for(CTRL_SHUTDOWN_EVENT, false) == console_action::graceful_stop_and_wait));
    // A service: any user's logoff reaches it and means nothing; the SCM reports the shutdown.
    BOOST_TEST((console_action_for(CTRL_LOGOFF_EVENT, true) == console_action::ignore));
    BOOST_TEST((console_action_for(CTRL_SHUTDOWN_EVENT, true) == console_action::ignore));
}

// Workers are outside the arbiter's console and get no handle they were not given; the listener is exclusive.
BOOST_AUTO_TEST_CASE(workers_wake_sockets_and_listeners_are_private)
{
    BOOST_TEST((platform::win::worker_creation_flags & CREATE_NO_WINDOW) != 0u);
    BOOST_TEST((platform::win::worker_creation_flags & CREATE_NEW_PROCESS_GROUP) != 0u);
    SOCKET reader = INVALID_SOCKET, writer = INVALID_SOCKET;
    BOOST_REQUIRE(platform::win::make_wake_pair(reader, writer));
    for (SOCKET sock : {reader, writer}) {
        DWORD flags = 0;
        BOOST_REQUIRE(GetHandleInformation(reinterpret_cast<HANDLE>(sock), &flags));
        BOOST_TEST((flags & HANDLE_FLAG_INHERIT) == 0u);
    }
    closesocket(reader);
    closesocket(writer);
    platform::listener l;
    BOOST_REQUIRE(!platform::bind_listener("127.0.0.1:0", 16, l).has_value());
    BOOL exclusive = FALSE;
    int size = sizeof exclusive;
    BOOST_REQUIRE(getsockopt(static_cast<SOCKET>(l.fd), SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
                             reinterpret_cast<char*>(&exclusive), &size) == 0);
    BOOST_TEST(exclusive == TRUE);
    platform::close_listener(l, false);
}

// ---- the service's permissions (issue 12, item 11)

namespace {

// SID text -> access mask, from the DACL of SDDL `sddl`.
std::map<std::string, DWORD> service_aces(const std::wstring& sddl)
{
    std::map<std::string, DWORD> out;
    PSECURITY_DESCRIPTOR sd = nullptr;
    BOOST_REQUIRE_MESSAGE(
        ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &sd, nullptr),
        "the SDDL does not parse: " << GetLastError());
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr;
    BOOST_REQUIRE(GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) && present && dacl);
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
        void* ace = nullptr;
        BOOST_REQUIRE(GetAce(dacl, i, &ace));
        auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
        BOOST_REQUIRE(allowed->Header.AceType == ACCESS_ALLOWED_ACE_TYPE);
        wchar_t* sid = nullptr;
        BOOST_REQUIRE(ConvertSidToStringSidW(&allowed->SidStart, &sid));
        out[std::filesystem::path(sid).string()] |= allowed->Mask;
        LocalFree(sid);
    }
    LocalFree(sd);
    return out;
}

constexpr DWORD drive = SERVICE_START | SERVICE_STOP | SERVICE_PAUSE_CONTINUE | SERVICE_USER_DEFINED_CONTROL;
constexpr DWORD reconfigure = SERVICE_CHANGE_CONFIG | DELETE | WRITE_DAC | WRITE_OWNER;

} // namespace

// Wine's SetServiceObjectSecurity does nothing and its QueryServiceObjectSecurity returns an
// empty DACL, so what the SCM enforces cannot be shown; this checks the DACL that install sets.
BOOST_AUTO_TEST_CASE(the_service_dacl_lets_other_users_query_the_service_and_nothing_more)
{
    const std::string system = "S-1-5-18", admins = "S-1-5-32-544", interactive = "S-1-5-4", service = "S-1-5-6";
    auto aces = service_aces(platform::win::service_sddl(L""));
    BOOST_TEST(aces.size() == 4u);
    BOOST_TEST((aces[admins] & SERVICE_ALL_ACCESS) == static_cast<DWORD>(SERVICE_ALL_ACCESS));
    BOOST_TEST((aces[system] & drive) == drive);
    for (const auto& user : {interactive, service}) {
        BOOST_TEST((aces[user] & SERVICE_QUERY_STATUS) != 0u, user);
        BOOST_TEST((aces[user] & (drive | reconfigure)) == 0u, user);
    }
    // --control-group Users: its members drive the service, and still cannot reconfigure it.
    aces = service_aces(platform::win::service_sddl(L"S-1-5-32-545"));
    BOOST_TEST(aces.size() == 5u);
    BOOST_TEST((aces["S-1-5-32-545"] & (drive | SERVICE_QUERY_STATUS)) == (drive | SERVICE_QUERY_STATUS));
    BOOST_TEST((aces["S-1-5-32-545"] & reconfigure) == 0u);
    BOOST_TEST((aces[interactive] & drive) == 0u);
}

// ---- the control pipe and the runtime directory (issue 12, item 12)

namespace {

// The server's arguments with a control pipe at `socket` (serve_args turns it off).
std::vector<std::string> with_control_socket(const std::string& socket)
{
    auto args = serve_args(lib(examples, "hello"));
    args.erase(std::find(args.begin(), args.end(), "--no-control-socket"));
    args.insert(args.end(), {"--control-socket", socket});
    return args;
}

std::wstring pipe_of(const std::string& socket)
{
    std::string name = socket;
    for (char& c : name)
        if (c == '\\' || c == '/' || c == ':') c = '_';
    return L"\\\\.\\pipe\\forkhorn-" + std::filesystem::path(name).wstring();
}

// The DACL of `path` as SDDL ("D:P(A;OICI;FA;;;SY)..."), or "" when it cannot be read.
std::wstring dacl_of(const std::string& path)
{
    PSECURITY_DESCRIPTOR sd = nullptr;
    PACL dacl = nullptr;
    if (GetNamedSecurityInfoW(std::filesystem::path(path).wstring().c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                              nullptr, nullptr, &dacl, nullptr, &sd) != ERROR_SUCCESS)
        return L"";
    wchar_t* text = nullptr;
    std::wstring out;
    if (ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text,
                                                             nullptr))
        out = text;
    LocalFree(text);
    LocalFree(sd);
    return out;
}

std::string narrow(const std::wstring& w) { return std::filesystem::path(w).string(); }

} // namespace

// Whoever holds the pipe's name must not be able to act as the user of ctl: the client lets the
// server identify it, never impersonate it. (Wine cannot show it: its ImpersonateNamedPipeClient
// impersonates the server itself whatever the client asked, so this checks the flags.)
BOOST_AUTO_TEST_CASE(ctl_opens_the_control_pipe_for_identification_only)
{
    BOOST_TEST((platform::win::pipe_client_flags & SECURITY_SQOS_PRESENT) != 0u);
    BOOST_TEST(
        (platform::win::pipe_client_flags & (SECURITY_IDENTIFICATION | SECURITY_IMPERSONATION | SECURITY_DELEGATION)) ==
        static_cast<DWORD>(SECURITY_IDENTIFICATION));
    BOOST_TEST((platform::win::pipe_client_flags & FILE_FLAG_OVERLAPPED) != 0u);
}

// A process that took the control pipe's name first (one that answers, and one whose only
// instance is busy, so that only FILE_FLAG_FIRST_PIPE_INSTANCE finds it) keeps the master from
// starting: one clear error, exit status 1, nothing served.
BOOST_AUTO_TEST_CASE(a_taken_control_pipe_name_keeps_the_master_from_starting)
{
    temp_dir dir;
    auto socket = dir / "answering.ctl";
    platform::local_listener squatter;
    BOOST_REQUIRE(!platform::listen_local(socket, 0600, squatter).has_value());
    auto r = run_to_end(bin, with_control_socket(socket), {}, std::chrono::seconds(20));
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(r.err.find("refusing to run without it") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("Booting worker") == std::string::npos, r.err);
    platform::close_local_listener(squatter, true);

    socket = dir / "busy.ctl";
    auto name = pipe_of(socket);
    HANDLE busy =
        CreateNamedPipeW(name.c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 4096, 4096, 0, nullptr);
    BOOST_REQUIRE(busy != INVALID_HANDLE_VALUE);
    HANDLE client = CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    BOOST_REQUIRE(client != INVALID_HANDLE_VALUE);
    r = run_to_end(bin, with_control_socket(socket), {}, std::chrono::seconds(20));
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(r.err.find("another process holds its name") != std::string::npos, r.err);
    CloseHandle(client);
    CloseHandle(busy);
}

// The runtime directory (under %ProgramData% by default, where every user may create files) is
// made with a protected DACL: the owner, Administrators and SYSTEM, nothing inherited.
BOOST_AUTO_TEST_CASE(the_runtime_directory_is_made_for_its_owner_administrators_and_system_only)
{
    temp_dir dir;
    auto runtime = dir / "forkhorn/run";
    auto args = serve_args(lib(examples, "hello"), {"-n", "private"});
    server_process server(bin, args, {"FORKHORN_RUNTIME_DIR=" + runtime});
    BOOST_REQUIRE_MESSAGE(server.port() > 0, server.log());
    BOOST_REQUIRE(eventually([&] { return std::filesystem::exists(runtime + "/private.pid"); }));
    // Nobody but its owner, Administrators and SYSTEM: no ACE for Everyone, Users, Authenticated
    // Users or interactive users (wine keeps no DACL on files: it shows the owner and SYSTEM of
    // the unix mode it made from ours, which a directory made with the inherited DACL of its
    // parent would not have).
    auto check = [&](const std::string& d) {
        auto sddl = narrow(dacl_of(d));
        BOOST_TEST_REQUIRE(sddl.starts_with("D:"), d << ": " << sddl);
        for (const std::string other : {";WD)", ";BU)", ";AU)", ";IU)", ";S-1-1-0)", ";S-1-5-32-545)", ";S-1-5-11)"})
            BOOST_TEST(sddl.find(other) == std::string::npos, d << ": " << sddl);
        BOOST_TEST(sddl.find(";SY)") != std::string::npos, d << ": " << sddl);
    };
    check(runtime);
    check(dir / "forkhorn");
    // The same through the platform call, for a deeper path.
    auto deep = dir / "a/b/c";
    BOOST_REQUIRE(!platform::make_private_directories(deep).has_value());
    check(deep);
    check(dir / "a");
    // What they are made with (Windows keeps it as it is): protected, three ACEs.
    PSECURITY_DESCRIPTOR sd = nullptr;
    BOOST_REQUIRE(ConvertStringSecurityDescriptorToSecurityDescriptorW(platform::win::private_directory_sddl,
                                                                       SDDL_REVISION_1, &sd, nullptr));
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    BOOST_REQUIRE(GetSecurityDescriptorControl(sd, &control, &revision));
    BOOST_TEST((control & SE_DACL_PROTECTED) != 0);
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr;
    BOOST_REQUIRE(GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) && present && dacl);
    BOOST_TEST(dacl->AceCount == 3);
    LocalFree(sd);
}

// ---- log files (issue 12, item 14)

// The logs' files: what ctl_test's reopen_after_a_rotation shows end to end, piece by piece.
BOOST_AUTO_TEST_CASE(a_log_file_is_appended_to_by_two_writers_renamed_while_open_and_not_inherited)
{
    auto dir = make_temp_dir();
    auto path = dir + "/app.log";
    platform::append_file a, b;
    BOOST_REQUIRE(!a.open(path).has_value());
    BOOST_REQUIRE(!b.open(path).has_value());
    DWORD flags = 0;
    BOOST_REQUIRE(GetHandleInformation(reinterpret_cast<HANDLE>(a.native_handle()), &flags));
    BOOST_TEST((flags & HANDLE_FLAG_INHERIT) == 0u);
    // Two handles, as the arbiter and a worker have: each write lands at the end, whatever the
    // other wrote since (a handle without append access would overwrite from its own offset).
    // Windows makes each append atomic; wine computes the end and then writes, so two processes
    // appending at the very same moment can still collide there: not tested.
    BOOST_TEST(a.write("a1\n"));
    BOOST_TEST(b.write("b1\n"));
    BOOST_TEST(a.write("a2\n"));
    BOOST_TEST(b.write("b2\n"));
    BOOST_TEST(read_text(path) == "a1\nb1\na2\nb2\n");
    // Renamed while both are open (log rotation); writes go on into the renamed file.
    BOOST_TEST(MoveFileExW(std::filesystem::path(path).wstring().c_str(),
                           std::filesystem::path(path + ".1").wstring().c_str(), 0),
               "rename failed: " << GetLastError());
    BOOST_TEST(a.write("after\n"));
    BOOST_TEST(read_text(path + ".1").find("after\n") != std::string::npos);
    BOOST_TEST(!std::filesystem::exists(path));
    BOOST_TEST(!a.open(path).has_value()); // the reopen
    BOOST_TEST(a.write("new\n"));
    BOOST_TEST(read_text(path) == "new\n");
    a.close();
    b.close();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

// ---- the DLL search path (issue 12, item 13)

namespace {

const std::string needs_planted = FORKHORN_NEEDS_PLANTED;
const std::string planted = FORKHORN_PLANTED;

// CMake's paths are Linux paths under wine ("/work/..."): made absolute while the current drive is
// the one they are on (Z:), they stay right after the server changes to another drive.
std::string directory_of(const std::string& file)
{
    return std::filesystem::absolute(std::filesystem::path(file).parent_path()).string();
}

// PATH for the processes started while it lives, as a user's or the system's PATH would be.
struct path_prepended {
    std::wstring old;
    explicit path_prepended(const std::string& dir)
    {
        wchar_t buf[32768];
        DWORD n = GetEnvironmentVariableW(L"PATH", buf, 32768);
        old.assign(buf, n);
        std::wstring now = std::filesystem::absolute(dir).wstring() + L";" + old;
        SetEnvironmentVariableW(L"PATH", now.c_str());
    }
    ~path_prepended() { SetEnvironmentVariableW(L"PATH", old.c_str()); }
};

} // namespace

// `forkhorn hello.dll:app` means the hello.dll of the current directory: one found on PATH (or in
// any other directory of the search path) is never loaded instead.
BOOST_AUTO_TEST_CASE(a_bare_app_name_is_never_looked_up_on_path)
{
    auto empty = make_temp_dir();
    path_prepended path(std::filesystem::absolute(examples).string());
    auto r = run_to_end(bin, serve_args("hello.dll:app", {"--chdir", empty}), {}, std::chrono::seconds(20));
    BOOST_TEST(r.status == 4, r.err);
    BOOST_TEST(r.err.find("cannot load application library 'hello.dll'") != std::string::npos, r.err);
    std::filesystem::remove_all(empty);
}

// The app's own DLLs are looked for beside it and in the system directories: a DLL it imports that
// sits in the current directory (or on PATH) instead is not loaded, so nobody can plant one there.
BOOST_AUTO_TEST_CASE(an_app_dependency_is_not_taken_from_the_current_directory_or_path)
{
    auto r = run_to_end(bin, serve_args(needs_planted + ":app", {"--chdir", directory_of(planted)}), {},
                        std::chrono::seconds(20));
    BOOST_TEST(r.status == 4, r.err);
    BOOST_TEST(r.err.find("cannot load application library") != std::string::npos, r.err);
    path_prepended path(directory_of(planted));
    r = run_to_end(bin, serve_args(needs_planted + ":app"), {}, std::chrono::seconds(20));
    BOOST_TEST(r.status == 4, r.err);
}

BOOST_AUTO_TEST_CASE(an_app_dependency_beside_the_app_is_found)
{
    auto dir = make_temp_dir();
    std::filesystem::copy_file(needs_planted, dir + "/needs_planted.dll");
    std::filesystem::copy_file(planted, dir + "/planted.dll");
    {
        server_process server(bin, serve_args(dir + "/needs_planted.dll:app"));
        int port = server.port(std::chrono::seconds(20));
        BOOST_REQUIRE_MESSAGE(port > 0, server.log());
        require_booted(server);
        auto reply = http_get(port, "/");
        BOOST_TEST(reply.status == 200, server.log());
        BOOST_TEST(reply.body == "planted");
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

// After a bad deploy, workers that replace the dead ones load the kept copy of the app; the DLLs
// the app loads from its own directory are kept beside that copy, as the deploy may replace them
// too (here the app is replaced and its own DLL moved away before the HUP).
BOOST_AUTO_TEST_CASE(a_bad_deploy_of_an_app_with_its_own_dlls_keeps_serving_it)
{
    namespace fs = std::filesystem;
    auto dir = make_temp_dir();
    auto app = dir + "/needs_planted.dll";
    fs::copy_file(needs_planted, app);
    fs::copy_file(planted, dir + "/planted.dll");
    auto pidfile = dir + "/app.pid";
    {
        server_process server(bin, serve_args(app + ":app", {"-w", "1", "-p", pidfile}));
        int port = server.port(std::chrono::seconds(20));
        BOOST_REQUIRE_MESSAGE(port > 0, server.log());
        BOOST_REQUIRE_MESSAGE(
            eventually([&] { return read_text(pidfile + ".info").find("\nready\n") != std::string::npos; },
                       std::chrono::seconds(20)),
            server.log());
        fs::rename(app, dir + "/needs_planted.previous");
        fs::rename(dir + "/planted.dll", dir + "/planted.previous");
        std::ofstream(app, std::ios::binary) << "not a library\n";
        server.send(sig::hup);
        BOOST_REQUIRE(server.wait_for_log("keeping the running workers and the code they run"));
        auto before = server.children();
        for (int pid : before) kill_hard(pid);
        BOOST_TEST(workers_replaced(server, before, 1, std::chrono::seconds(20)), server.log());
        auto reply = http_get(port, "/", std::chrono::seconds(10));
        BOOST_TEST(reply.status == 200, server.log());
        BOOST_TEST(reply.body == "planted");
        BOOST_TEST(server.log().find("App failed to load") == std::string::npos, server.log());
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
}

BOOST_AUTO_TEST_SUITE_END()
