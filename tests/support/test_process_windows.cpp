// Test helpers on Windows (run under wine in CI): CreateProcessW with output to files, the
// server's named control objects for "signals", Toolhelp for its workers, Winsock for HTTP.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>

#include <cwctype>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "events.hpp"
#include "test_process.hpp"

namespace forkhorn::test {
namespace {

std::wstring widen(const std::string& s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring out(static_cast<std::size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
    return out;
}

std::wstring quote(const std::string& arg)
{
    std::wstring out = L"\"";
    for (wchar_t c : widen(arg)) {
        if (c == L'"') out += L'\\';
        out += c;
    }
    return out + L"\"";
}

// The current environment plus `extra`, as a CreateProcessW block.
std::wstring environment_block(const std::vector<std::string>& extra)
{
    std::wstring block;
    wchar_t* env = GetEnvironmentStringsW();
    for (wchar_t* p = env; *p; p += wcslen(p) + 1) block.append(p).push_back(L'\0');
    FreeEnvironmentStringsW(env);
    for (const auto& e : extra) block.append(widen(e)).push_back(L'\0');
    block.push_back(L'\0');
    return block;
}

HANDLE output_file(const std::string& path)
{
    SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
    return CreateFileW(widen(path).c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa,
                       CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
}

std::optional<platform::control_event> event_of(sig s)
{
    using platform::control_event;
    switch (s) {
    case sig::term: return control_event::term;
    case sig::int_: return control_event::int_;
    case sig::quit: return control_event::quit;
    case sig::hup: return control_event::hup;
    case sig::ttin: return control_event::ttin;
    case sig::ttou: return control_event::ttou;
    case sig::usr1: return control_event::usr1;
    case sig::usr2: return control_event::usr2;
    case sig::winch: return control_event::winch;
    default: return std::nullopt;
    }
}

std::string instance_in(const std::vector<std::string>& args)
{
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "-n" || args[i] == "--name") return args[i + 1];
    return {};
}

void start_winsock()
{
    static bool started = [] {
        WSADATA data;
        return WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }();
    (void)started;
}

// What the POSIX helpers call killing with SIGKILL: the arbiter reports exit 137 as such.
constexpr DWORD killed_exit_code = 137;

} // namespace

bool has_unix_features() { return false; }

std::size_t raise_descriptor_limit(std::size_t wanted) { return wanted; }

bool process_alive(int pid)
{
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
    if (!h) return false;
    DWORD code = 0;
    bool alive = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    CloseHandle(h);
    return alive;
}

std::string library_path(const std::string& dir, const std::string& name) { return dir + "/" + name + ".dll"; }

void kill_hard(int pid)
{
    HANDLE h = OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
    if (!h) return;
    TerminateProcess(h, killed_exit_code);
    CloseHandle(h);
}

server_process::server_process(const std::string& binary, const std::vector<std::string>& args,
                               const std::vector<std::string>& env)
    : server_process(binary, args, launch_options{env})
{
}

server_process::server_process(const std::string& binary, const std::vector<std::string>& args,
                               const launch_options& options)
    : instance_(instance_in(args)), dir_(make_temp_dir())
{
    std::wstring cmd = quote(binary);
    for (const auto& a : args) cmd += L" " + quote(a);
    HANDLE out = output_file(dir_ + "/stdout");
    HANDLE err = output_file(dir_ + "/stderr");
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = out;
    si.hStdError = err;
    auto env = environment_block(options.env);
    PROCESS_INFORMATION pi{};
    BOOL ok = CreateProcessW(widen(binary).c_str(), cmd.data(), nullptr, nullptr, TRUE, CREATE_UNICODE_ENVIRONMENT,
                             env.data(), nullptr, &si, &pi);
    CloseHandle(out);
    CloseHandle(err);
    if (!ok) throw std::runtime_error("CreateProcessW failed for " + binary);
    CloseHandle(pi.hThread);
    pid_ = static_cast<int>(pi.dwProcessId);
    handle_ = reinterpret_cast<std::intptr_t>(pi.hProcess);
}

server_process::~server_process()
{
    if (!exited_) {
        send(sig::term);
        if (!wait_exit(15s)) {
            TerminateProcess(reinterpret_cast<HANDLE>(handle_), 1);
            wait_exit(5s);
        }
    }
    for (int w : children()) kill_hard(w);
    CloseHandle(reinterpret_cast<HANDLE>(handle_));
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void server_process::send(sig s) const
{
    if (s == sig::kill) return (void)TerminateProcess(reinterpret_cast<HANDLE>(handle_), killed_exit_code);
    std::string error;
    if (auto e = event_of(s)) platform::send_control(pid_, instance_, *e, error);
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout)
{
    if (!exited_) {
        auto h = reinterpret_cast<HANDLE>(handle_);
        if (WaitForSingleObject(h, static_cast<DWORD>(timeout.count())) != WAIT_OBJECT_0) return std::nullopt;
        DWORD code = 0;
        GetExitCodeProcess(h, &code);
        status_ = static_cast<int>(code);
        exited_ = true;
    }
    return status_;
}

std::vector<int> server_process::children() const { return children_of(pid_); }

namespace {
// Each process in a snapshot: pid, parent pid and image name ("forkhorn.exe").
struct process_entry {
    int pid;
    int parent;
    std::wstring image;
};

std::vector<process_entry> process_snapshot()
{
    std::vector<process_entry> out;
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snap == INVALID_HANDLE_VALUE) return out;
    PROCESSENTRY32W entry{};
    entry.dwSize = sizeof entry;
    for (BOOL more = Process32FirstW(snap, &entry); more; more = Process32NextW(snap, &entry))
        out.push_back(
            {static_cast<int>(entry.th32ProcessID), static_cast<int>(entry.th32ParentProcessID), entry.szExeFile});
    CloseHandle(snap);
    return out;
}

std::wstring lowercase(std::wstring s)
{
    for (auto& c : s) c = static_cast<wchar_t>(towlower(c));
    return s;
}
} // namespace

std::vector<int> children_of(int pid)
{
    // A process records its parent's pid only: one whose parent died long ago names whoever
    // has that pid now (pids come back quickly under wine). A real child is younger. And a
    // worker runs the server's own image: wine gives a console program a conhost.exe child,
    // which outlives a killed arbiter (counted as a worker, it failed
    // killing_the_arbiter_takes_its_workers_down on gthread, 1 run in 6).
    std::uint64_t parent_created = process_start_of(pid);
    std::vector<int> out;
    if (parent_created == 0) return out;
    auto all = process_snapshot();
    std::wstring image;
    for (const auto& p : all)
        if (p.pid == pid) image = lowercase(p.image);
    for (const auto& p : all)
        if (p.parent == pid && lowercase(p.image) == image && process_start_of(p.pid) >= parent_created)
            out.push_back(p.pid);
    return out;
}

std::string command_line(int pid)
{
    // The image name only (what a snapshot has): enough to tell a worker from another process.
    for (const auto& p : process_snapshot())
        if (p.pid == pid) {
            std::string name;
            for (wchar_t c : p.image) name += c < 128 ? static_cast<char>(c) : '?';
            return name;
        }
    return {};
}

int uid_of(int) { return -1; }
bool running_as_root() { return false; }
int self_pid() { return static_cast<int>(GetCurrentProcessId()); }

bool signal_pid(int pid, sig s)
{
    std::string error;
    auto e = event_of(s);
    return e && platform::send_control(pid, "", *e, error);
}

int bind_datagram(const std::string&) { return -1; }
std::string receive_datagram(int, std::chrono::milliseconds) { return {}; }

std::string make_temp_dir()
{
    std::random_device rd;
    auto dir = std::filesystem::temp_directory_path() / ("forkhorn-test-" + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    return dir.string();
}

int listen_local(int&) { return -1; }
void close_fd(int) {}

std::uint64_t process_rss_kib(int pid)
{
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
    if (!h) return 0;
    PROCESS_MEMORY_COUNTERS pmc{};
    pmc.cb = sizeof pmc;
    bool ok = K32GetProcessMemoryInfo(h, &pmc, sizeof pmc);
    CloseHandle(h);
    return ok ? pmc.WorkingSetSize / 1024 : 0;
}

std::intptr_t connect_nonblocking(int port)
{
    start_winsock();
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(static_cast<u_short>(port));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
        closesocket(s);
        return -1;
    }
    u_long on = 1;
    ioctlsocket(s, FIONBIO, &on);
    return static_cast<std::intptr_t>(s);
}

} // namespace forkhorn::test
