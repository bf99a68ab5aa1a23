// `forkhorn service install|uninstall|start|stop|restart|status|run`: the client side of the
// Windows service support, talking to the SCM. The service process itself (`run`, and the
// status reports behind notify_service) is in service_run.cpp. See docs/windows-service.md.
#include "service.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace forkhorn::platform {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

enum exit_status : int { exit_ok = 0, exit_error = 1, exit_usage = 2, exit_not_running = 3 };

constexpr std::string_view usage_text = R"(usage: forkhorn service COMMAND --name NAME [OPTIONS] [-- SERVER ARGS...]

Commands:
  install    register the service; the server's arguments follow --, e.g.
             forkhorn service install --name web -- C:\apps\hello.dll:app -b 127.0.0.1:8000
  uninstall  stop the service if it runs, then remove it
  start      start it and wait (up to 30 s) until its workers serve
  stop       stop it gracefully and wait until it has stopped
  restart    stop, then start
  control    send a control: forkhorn service control --name NAME VERB, VERB one of
             hup (reload), reopen, ttin, ttou, winch, int (quick stop) or a code 128..255
  status     show its state; exit 0 running, 3 stopped or not installed, 1 error
  run        what the service manager starts (not for interactive use)

Options:
  -n, --name NAME             the service: letters, digits, '_' and '-', at most 64 (required)
  -j, --json                  status: print one JSON object
  -h, --help                  this text
Options of install:
  --display-name TEXT         the name services.msc shows (default: forkhorn NAME)
  --description TEXT          the description services.msc shows
  --start auto|delayed|demand the start type (default: auto; delayed = automatic, delayed start)
  --account ACCOUNT           LocalSystem (default), LocalService, NetworkService, .\user,
                              DOMAIN\user or DOMAIN\gmsa$
  --password PASSWORD         the account's password (none for the built-in accounts or a gMSA)
  --depends SVC[,SVC...]      services that must run first (e.g. Tcpip)
  --working-directory DIR     where the server runs (default: the current directory)

The server's error log defaults to <working directory>\NAME.log when its arguments name none.
Custom controls (service control, or sc control NAME CODE): 128 hup (reload), 129 reopen
(logs), 130 ttin (one worker more), 131 ttou (one worker less), 132 winch, 133 int (quick stop).
)";

// ------------------------------------------------------------------ the command line

struct options {
    std::string command;
    std::string verb; // of `control`
    std::string name, display_name, description, start = "auto", account, password, depends, working_directory;
    bool json = false;
    bool help = false;
    std::vector<std::string> install_only; // install options that were given
    std::vector<std::string> server_args;
    bool separator = false;
};

struct text_option {
    std::string_view flag, short_flag;
    std::string options::*field;
    bool install_only;
};

constexpr text_option text_options[] = {
    {"--name", "-n", &options::name, false},
    {"--display-name", "", &options::display_name, true},
    {"--description", "", &options::description, true},
    {"--start", "", &options::start, true},
    {"--account", "", &options::account, true},
    {"--password", "", &options::password, true},
    {"--depends", "", &options::depends, true},
    {"--working-directory", "", &options::working_directory, true},
};

struct usage_error {
    std::string message;
};

int usage(std::string_view message)
{
    fmt::print(stderr, "forkhorn service: error: {}\n", message);
    return exit_usage;
}

int failure(std::string_view message)
{
    fmt::print(stderr, "forkhorn service: error: {}\n", message);
    return exit_error;
}

// Takes one option at args[i] (with its value, `--flag VALUE` or `--flag=VALUE`); returns how
// many words it used.
std::size_t take_option(options& o, std::span<const std::string> args, std::size_t i)
{
    std::string_view word = args[i];
    if (word == "-h" || word == "--help") return o.help = true, 1;
    if (word == "-j" || word == "--json") return o.json = true, 1;
    std::string_view flag = word.substr(0, word.find('='));
    for (const auto& t : text_options) {
        if (flag != t.flag && word != t.short_flag) continue;
        if (t.install_only) o.install_only.emplace_back(t.flag);
        if (flag.size() < word.size()) return o.*t.field = std::string(word.substr(flag.size() + 1)), 1;
        if (i + 1 >= args.size()) throw usage_error{fmt::format("{} needs a value", t.flag)};
        return o.*t.field = args[i + 1], 2;
    }
    throw usage_error{fmt::format("unknown option {}", word)};
}

options parse(std::span<const std::string> args)
{
    options o;
    std::vector<std::string> words;
    for (std::size_t i = 0; i < args.size();) {
        if (args[i] == "--") {
            o.separator = true;
            o.server_args.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            break;
        }
        if (args[i].size() > 1 && args[i][0] == '-') {
            i += take_option(o, args, i);
            continue;
        }
        words.push_back(args[i++]);
    }
    // COMMAND, and for `control` its VERB.
    std::size_t wanted = !words.empty() && words[0] == "control" ? 2 : 1;
    if (words.size() > wanted) throw usage_error{fmt::format("unexpected argument '{}'", words[wanted])};
    if (!words.empty()) o.command = words[0];
    if (words.size() > 1) o.verb = words[1];
    return o;
}

bool valid_name(std::string_view name)
{
    auto allowed = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; };
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), allowed);
}

void check(const options& o)
{
    constexpr std::string_view commands[] = {"install", "uninstall", "start",   "stop",
                                             "restart", "status",    "control", "run"};
    if (o.command.empty())
        throw usage_error{"no command given (install, uninstall, start, stop, restart, status, control, run)"};
    if (std::find(std::begin(commands), std::end(commands), o.command) == std::end(commands))
        throw usage_error{fmt::format("unknown command '{}'", o.command)};
    if (o.name.empty()) throw usage_error{"--name NAME is required"};
    if (!valid_name(o.name))
        throw usage_error{fmt::format("invalid service name '{}': use 1 to 64 letters, digits, '_' or '-'", o.name)};
    if (o.command != "install" && !o.install_only.empty())
        throw usage_error{fmt::format("{} applies to install only", o.install_only.front())};
    if (o.command != "install" && o.separator) throw usage_error{"server arguments (after --) apply to install only"};
    if (o.json && o.command != "status") throw usage_error{"--json applies to status only"};
    if (o.command == "control" && o.verb.empty())
        throw usage_error{"control needs a verb: hup, reopen, ttin, ttou, winch, int or 128..255"};
}

// ------------------------------------------------------------------ the SCM

struct sc_closer {
    void operator()(SC_HANDLE h) const { CloseServiceHandle(h); }
};
using sc_handle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, sc_closer>;

sc_handle open_manager(DWORD access, std::string& error)
{
    sc_handle manager(OpenSCManagerW(nullptr, nullptr, access));
    if (!manager) error = "cannot open the service manager: " + win::last_error() + " (run it as an administrator)";
    return manager;
}

/// Opens service `name`; nullptr with `missing` set when it is not installed, or `error`.
sc_handle open_service(const std::string& name, DWORD access, bool& missing, std::string& error)
{
    missing = false;
    sc_handle manager = open_manager(SC_MANAGER_CONNECT, error);
    if (!manager) return nullptr;
    sc_handle service(OpenServiceW(manager.get(), win::widen(name).c_str(), access));
    DWORD code = GetLastError();
    if (!service && code == ERROR_SERVICE_DOES_NOT_EXIST) missing = true;
    if (!service) error = fmt::format("cannot open service {}: {}", name, win::error_text(code));
    return service;
}

std::optional<SERVICE_STATUS_PROCESS> query(SC_HANDLE service)
{
    SERVICE_STATUS_PROCESS st{};
    DWORD needed = 0;
    if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&st), sizeof st, &needed))
        return std::nullopt;
    return st;
}

std::string_view state_name(DWORD state)
{
    switch (state) {
    case SERVICE_STOPPED: return "stopped";
    case SERVICE_START_PENDING: return "starting";
    case SERVICE_STOP_PENDING: return "stopping";
    case SERVICE_RUNNING: return "running";
    case SERVICE_CONTINUE_PENDING: return "continuing";
    case SERVICE_PAUSE_PENDING: return "pausing";
    case SERVICE_PAUSED: return "paused";
    default: return "unknown";
    }
}

/// The exit status a stopped service reported: the server's own status for a service-specific
/// error, else the Windows error (1067: the process ended without reporting).
DWORD exit_code_of(const SERVICE_STATUS_PROCESS& st)
{
    if (st.dwWin32ExitCode == ERROR_SERVICE_NEVER_STARTED) return 0; // installed, not started yet
    return st.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR ? st.dwServiceSpecificExitCode : st.dwWin32ExitCode;
}

std::string exit_text(const SERVICE_STATUS_PROCESS& st)
{
    if (st.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR)
        return fmt::format("exit code {}", st.dwServiceSpecificExitCode);
    return "Windows error: " + win::error_text(st.dwWin32ExitCode);
}

/// Polls until `done(state)` or `limit` passes; returns the last status seen.
template <typename Done>
std::optional<SERVICE_STATUS_PROCESS> wait_for(SC_HANDLE service, std::chrono::seconds limit, Done done)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    auto st = query(service);
    while (st && !done(st->dwCurrentState) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        st = query(service);
    }
    return st;
}

// ------------------------------------------------------------------ install

// "Tcpip,Afd" -> "Tcpip\0Afd\0\0", the SCM's list format.
std::wstring dependency_list(const std::string& depends)
{
    std::wstring out;
    for (std::size_t pos = 0; pos < depends.size();) {
        std::size_t end = std::min(depends.find(',', pos), depends.size());
        if (end > pos) out += win::widen(depends.substr(pos, end - pos)) + L'\0';
        pos = end + 1;
    }
    return out + L'\0';
}

/// The SCM's names for the built-in accounts; empty = LocalSystem (CreateServiceW's nullptr).
std::wstring account_name(const std::string& account)
{
    std::string lower = account;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.empty() || lower == "localsystem" || lower == ".\\localsystem") return L"";
    if (lower == "localservice") return L"NT AUTHORITY\\LocalService";
    if (lower == "networkservice") return L"NT AUTHORITY\\NetworkService";
    return win::widen(account);
}

DWORD start_type(const std::string& start)
{
    if (start == "auto" || start == "delayed") return SERVICE_AUTO_START;
    if (start == "demand") return SERVICE_DEMAND_START;
    throw usage_error{fmt::format("--start must be auto, delayed or demand, not '{}'", start)};
}

std::string this_program()
{
    wchar_t exe[MAX_PATH * 4];
    DWORD n = GetModuleFileNameW(nullptr, exe, static_cast<DWORD>(std::size(exe)));
    return win::narrow(std::wstring_view(exe, n));
}

// An SCM that does not know a level (wine's lacks FAILURE_ACTIONS_FLAG) gets a warning: the
// service still works, without that refinement. Any other failure undoes the install.
std::optional<std::string> change_config(SC_HANDLE service, DWORD level, void* info, std::string_view what)
{
    if (ChangeServiceConfig2W(service, level, info)) return std::nullopt;
    DWORD code = GetLastError();
    if (code != ERROR_INVALID_LEVEL) return fmt::format("cannot set the {}: {}", what, win::error_text(code));
    fmt::print(stderr, "forkhorn service: warning: this service manager cannot set the {}: {}\n", what,
               win::error_text(code));
    return std::nullopt;
}

// Restarts after 10 s, 20 s, then every 60 s; the count starts again after a day without
// failure. With the flag, a stop with a non-zero exit code counts as a failure, not only a crash.
std::optional<std::string> set_failure_actions(SC_HANDLE service)
{
    SC_ACTION actions[] = {{SC_ACTION_RESTART, 10'000}, {SC_ACTION_RESTART, 20'000}, {SC_ACTION_RESTART, 60'000}};
    SERVICE_FAILURE_ACTIONSW failure{};
    failure.dwResetPeriod = 24 * 60 * 60;
    failure.cActions = static_cast<DWORD>(std::size(actions));
    failure.lpsaActions = actions;
    if (auto err = change_config(service, SERVICE_CONFIG_FAILURE_ACTIONS, &failure, "failure actions")) return err;
    SERVICE_FAILURE_ACTIONS_FLAG flag{TRUE};
    return change_config(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag, "failure actions flag");
}

std::optional<std::string> configure(SC_HANDLE service, const options& o, const server_args_check& cfg)
{
    std::wstring text = win::widen(o.description.empty() ? "forkhorn HTTP server: " + cfg.app : o.description);
    SERVICE_DESCRIPTIONW description{text.data()};
    if (auto err = change_config(service, SERVICE_CONFIG_DESCRIPTION, &description, "description")) return err;
    if (o.start == "delayed") {
        SERVICE_DELAYED_AUTO_START_INFO delayed{TRUE};
        if (auto err = change_config(service, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed, "delayed start"))
            return err;
    }
    if (auto err = set_failure_actions(service)) return err;
    // At shutdown the SCM waits this long for a service that takes PRESHUTDOWN: long enough
    // for the workers' graceful stop.
    SERVICE_PRESHUTDOWN_INFO preshutdown{static_cast<DWORD>(cfg.graceful_timeout + 10) * 1000};
    return change_config(service, SERVICE_CONFIG_PRESHUTDOWN_INFO, &preshutdown, "pre-shutdown timeout");
}

/// The server's arguments as the service will see them (in its working directory): a typo is a
/// usage error now rather than a service that fails to start later.
server_args_check validate_server_args(const options& o, const std::string& working_directory,
                                       const service_server& server)
{
    if (o.server_args.empty()) throw usage_error{"install needs the server's arguments after --"};
    for (const auto& a : o.server_args)
        if (a.empty()) throw usage_error{"an empty server argument cannot be stored (REG_MULTI_SZ)"};
    std::error_code ec;
    std::filesystem::current_path(win::widen(working_directory), ec);
    if (ec) throw usage_error{fmt::format("--working-directory {}: {}", working_directory, ec.message())};
    auto checked = server.check(o.server_args);
    if (!checked.error.empty()) throw usage_error{checked.error};
    if (!checked.serves)
        throw usage_error{"the server arguments must run a server (not --help, --version, --check-config...)"};
    return checked;
}

std::string absolute_directory(const std::string& dir)
{
    std::error_code ec;
    auto path = dir.empty() ? std::filesystem::current_path(ec) : std::filesystem::absolute(win::widen(dir), ec);
    return win::narrow(path.wstring());
}

sc_handle create_service(SC_HANDLE manager, const options& o, std::string& error)
{
    std::string display = o.display_name.empty() ? "forkhorn " + o.name : o.display_name;
    std::wstring image = win::widen(fmt::format("\"{}\" service run --name {}", this_program(), o.name));
    std::wstring account = account_name(o.account);
    std::wstring password = win::widen(o.password);
    std::wstring depends = dependency_list(o.depends);
    sc_handle service(CreateServiceW(
        manager, win::widen(o.name).c_str(), win::widen(display).c_str(), SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
        start_type(o.start), SERVICE_ERROR_NORMAL, image.c_str(), nullptr, nullptr, depends.c_str(),
        account.empty() ? nullptr : account.c_str(), o.password.empty() ? nullptr : password.c_str()));
    DWORD code = GetLastError();
    if (service) return service;
    error = code == ERROR_SERVICE_EXISTS ? fmt::format("service {} is already installed (uninstall it first)", o.name)
                                         : fmt::format("cannot create service {}: {}", o.name, win::error_text(code));
    return nullptr;
}

int install(const options& o, const service_server& server)
{
    start_type(o.start);
    svc::parameters p{o.server_args, absolute_directory(o.working_directory)};
    auto cfg = validate_server_args(o, p.working_directory, server);
    std::string error;
    sc_handle manager = open_manager(SC_MANAGER_CREATE_SERVICE, error);
    if (!manager) return failure(error);
    sc_handle service = create_service(manager.get(), o, error);
    if (!service) return failure(error);
    auto err = configure(service.get(), o, cfg);
    if (!err) err = svc::write_parameters(o.name, p);
    if (err) {
        DeleteService(service.get()); // nothing half-installed stays behind
        return failure(*err);
    }
    fmt::print("Installed service {} ({} start)\n  working directory: {}\n  error log: {}\n", o.name, o.start,
               p.working_directory, svc::error_log_of(o.name, p));
    return exit_ok;
}

// ------------------------------------------------------------------ start, stop, status

// The last error the server logged, so that a failed start says why without opening the log.
std::optional<std::string> last_error_line(const std::string& log)
{
    std::ifstream in(std::filesystem::path(win::widen(log)), std::ios::binary | std::ios::ate);
    auto size = static_cast<std::streamoff>(in.tellg());
    in.seekg(std::max<std::streamoff>(0, size - 64 * 1024)); // a start-up's lines are at the end
    std::optional<std::string> found;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find("[ERROR]") != std::string::npos || line.find("[CRITICAL]") != std::string::npos ||
            line.find("error: ") != std::string::npos)
            found = line;
    }
    return found;
}

int report_start(const std::string& name, const SERVICE_STATUS_PROCESS& st, const std::string& log)
{
    if (st.dwCurrentState == SERVICE_RUNNING) {
        fmt::print("Service {} is running (pid {})\n", name, st.dwProcessId);
        return exit_ok;
    }
    if (st.dwCurrentState == SERVICE_STOPPED) {
        failure(fmt::format("service {} stopped during start-up with {}; see {}", name, exit_text(st), log));
        if (auto line = last_error_line(log)) fmt::print(stderr, "  {}\n", *line);
        return exit_error;
    }
    return failure(fmt::format("service {} is still {} after 30 s; see {}", name, state_name(st.dwCurrentState), log));
}

int start(const std::string& name)
{
    bool missing = false;
    std::string error;
    sc_handle service = open_service(name, SERVICE_START | SERVICE_QUERY_STATUS, missing, error);
    if (!service)
        return missing ? (failure(fmt::format("service {} is not installed", name)), exit_not_running) : failure(error);
    if (!StartServiceW(service.get(), 0, nullptr)) {
        DWORD code = GetLastError();
        if (code != ERROR_SERVICE_ALREADY_RUNNING)
            return failure(fmt::format("cannot start service {}: {}", name, win::error_text(code)));
    }
    auto st = wait_for(service.get(), 30s, [](DWORD s) { return s == SERVICE_RUNNING || s == SERVICE_STOPPED; });
    if (!st) return failure(fmt::format("cannot query service {}: {}", name, win::last_error()));
    svc::parameters p;
    svc::read_parameters(name, p);
    return report_start(name, *st, svc::error_log_of(name, p));
}

// Sends STOP and waits; the service's wait hint (graceful timeout + 5 s) bounds the wait.
int stop_service(SC_HANDLE service, const std::string& name)
{
    auto st = query(service);
    if (!st) return failure(fmt::format("cannot query service {}: {}", name, win::last_error()));
    if (st->dwCurrentState == SERVICE_STOPPED) return fmt::print("Service {} is not running\n", name), exit_ok;
    SERVICE_STATUS plain{};
    if (!ControlService(service, SERVICE_CONTROL_STOP, &plain)) {
        DWORD code = GetLastError();
        if (code != ERROR_SERVICE_NOT_ACTIVE && code != ERROR_SERVICE_CANNOT_ACCEPT_CTRL)
            return failure(fmt::format("cannot stop service {}: {}", name, win::error_text(code)));
    }
    auto limit = std::chrono::seconds(std::max<DWORD>(60, st->dwWaitHint / 1000 + 30));
    st = wait_for(service, limit, [](DWORD s) { return s == SERVICE_STOPPED; });
    if (!st || st->dwCurrentState != SERVICE_STOPPED)
        return failure(fmt::format("service {} did not stop within {} s", name, limit.count()));
    if (exit_code_of(*st) != 0)
        fmt::print("Service {} stopped with {}\n", name, exit_text(*st));
    else
        fmt::print("Service {} stopped\n", name);
    return exit_ok;
}

int stop(const std::string& name)
{
    bool missing = false;
    std::string error;
    sc_handle service = open_service(name, SERVICE_STOP | SERVICE_QUERY_STATUS, missing, error);
    if (!service)
        return missing ? (failure(fmt::format("service {} is not installed", name)), exit_not_running) : failure(error);
    return stop_service(service.get(), name);
}

int uninstall(const std::string& name)
{
    bool missing = false;
    std::string error;
    sc_handle service = open_service(name, DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS, missing, error);
    if (!service)
        return missing ? (failure(fmt::format("service {} is not installed", name)), exit_not_running) : failure(error);
    if (int rc = stop_service(service.get(), name); rc != exit_ok) return rc;
    if (!DeleteService(service.get()))
        return failure(fmt::format("cannot remove service {}: {}", name, win::last_error()));
    // The SCM removes the service's key with its Parameters; this covers an SCM that does not.
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, (L"SYSTEM\\CurrentControlSet\\Services\\" + win::widen(name)).c_str());
    fmt::print("Removed service {}\n", name);
    return exit_ok;
}

struct service_config {
    std::string display_name, account, start_type;
};

service_config read_config(SC_HANDLE service)
{
    DWORD needed = 0;
    QueryServiceConfigW(service, nullptr, 0, &needed);
    std::string buffer(std::max<DWORD>(needed, sizeof(QUERY_SERVICE_CONFIGW)), '\0');
    auto* qc = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    if (!QueryServiceConfigW(service, qc, static_cast<DWORD>(buffer.size()), &needed)) return {};
    SERVICE_DELAYED_AUTO_START_INFO delayed{FALSE};
    QueryServiceConfig2W(service, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, reinterpret_cast<BYTE*>(&delayed),
                         sizeof delayed, &needed);
    std::string start = qc->dwStartType == SERVICE_AUTO_START     ? (delayed.fDelayedAutostart ? "delayed" : "auto")
                        : qc->dwStartType == SERVICE_DEMAND_START ? "demand"
                        : qc->dwStartType == SERVICE_DISABLED     ? "disabled"
                                                                  : "boot";
    auto text = [](const wchar_t* s) { return s ? win::narrow(s) : std::string(); };
    return {text(qc->lpDisplayName), text(qc->lpServiceStartName), start};
}

json status_json(const std::string& name, const SERVICE_STATUS_PROCESS& st, const service_config& c,
                 const svc::parameters& p)
{
    return {{"name", name},
            {"installed", true},
            {"state", state_name(st.dwCurrentState)},
            {"pid", st.dwProcessId},
            {"exit_code", exit_code_of(st)},
            {"start_type", c.start_type},
            {"display_name", c.display_name},
            {"account", c.account},
            {"working_directory", p.working_directory},
            {"args", p.args},
            {"error_log", svc::error_log_of(name, p)}};
}

void print_status(const std::string& name, const SERVICE_STATUS_PROCESS& st, const service_config& c,
                  const svc::parameters& p)
{
    fmt::print("Service {} ({}): {}", name, c.display_name, state_name(st.dwCurrentState));
    if (st.dwProcessId) fmt::print(" (pid {})", st.dwProcessId);
    if (st.dwCurrentState == SERVICE_STOPPED && exit_code_of(st)) fmt::print(", last stopped with {}", exit_text(st));
    fmt::print("\n  start type: {}\n  account: {}\n  working directory: {}\n  error log: {}\n  server args:",
               c.start_type, c.account, p.working_directory, svc::error_log_of(name, p));
    for (const auto& a : p.args) fmt::print(" {}", a.find(' ') == std::string::npos ? a : "\"" + a + "\"");
    fmt::print("\n");
}

int status(const std::string& name, bool as_json)
{
    bool missing = false;
    std::string error;
    sc_handle service = open_service(name, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG, missing, error);
    if (!service && missing) {
        if (as_json)
            fmt::print("{}\n", json{{"name", name}, {"installed", false}, {"state", "not installed"}}.dump());
        else
            fmt::print("Service {}: not installed\n", name);
        return exit_not_running;
    }
    if (!service) return failure(error);
    auto st = query(service.get());
    if (!st) return failure(fmt::format("cannot query service {}: {}", name, win::last_error()));
    svc::parameters p;
    svc::read_parameters(name, p);
    auto config = read_config(service.get());
    if (as_json)
        fmt::print("{}\n", status_json(name, *st, config, p).dump());
    else
        print_status(name, *st, config, p);
    // As LSB `status`: a process that exists (running, starting, stopping) is 0.
    return st->dwCurrentState == SERVICE_STOPPED ? exit_not_running : exit_ok;
}

// "hup" or "128" -> 128. The verbs are ctl's names for the same events.
DWORD control_code(const std::string& verb)
{
    constexpr std::pair<std::string_view, control_event> verbs[] = {
        {"hup", control_event::hup},   {"reopen", control_event::usr1}, {"ttin", control_event::ttin},
        {"ttou", control_event::ttou}, {"winch", control_event::winch}, {"int", control_event::int_}};
    for (const auto& [word, event] : verbs)
        for (const auto& c : svc::custom_controls)
            if (verb == word && c.event == event) return c.code;
    int code = 0;
    auto [end, ec] = std::from_chars(verb.data(), verb.data() + verb.size(), code);
    if (ec != std::errc() || end != verb.data() + verb.size() || code < 128 || code > 255)
        throw usage_error{
            fmt::format("unknown control '{}': use hup, reopen, ttin, ttou, winch, int or 128..255", verb)};
    return static_cast<DWORD>(code);
}

int control(const std::string& name, const std::string& verb)
{
    DWORD code = control_code(verb);
    bool missing = false;
    std::string error;
    sc_handle service = open_service(name, SERVICE_USER_DEFINED_CONTROL, missing, error);
    if (!service)
        return missing ? (failure(fmt::format("service {} is not installed", name)), exit_not_running) : failure(error);
    SERVICE_STATUS st{};
    if (!ControlService(service.get(), code, &st)) {
        DWORD err = GetLastError();
        return failure(fmt::format("cannot send control {} to service {}: {}", code, name, win::error_text(err)));
    }
    return exit_ok;
}

int dispatch(const options& o, const service_server& server)
{
    if (o.command == "install") return install(o, server);
    if (o.command == "uninstall") return uninstall(o.name);
    if (o.command == "start") return start(o.name);
    if (o.command == "stop") return stop(o.name);
    if (o.command == "status") return status(o.name, o.json);
    if (o.command == "control") return control(o.name, o.verb);
    if (o.command == "run") return svc::run(o.name, server);
    int rc = stop(o.name); // restart
    return rc == exit_ok ? start(o.name) : rc;
}

} // namespace

// ------------------------------------------------------------------ the registry

namespace {
std::wstring parameters_key(const std::string& name)
{
    return L"SYSTEM\\CurrentControlSet\\Services\\" + win::widen(name) + L"\\Parameters";
}
} // namespace

std::optional<std::string> svc::write_parameters(const std::string& name, const parameters& p)
{
    std::wstring multi;
    for (const auto& a : p.args) multi += win::widen(a) + L'\0';
    multi += L'\0';
    std::wstring dir = win::widen(p.working_directory);
    HKEY key = nullptr;
    LSTATUS rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, parameters_key(name).c_str(), 0, nullptr, 0, KEY_SET_VALUE,
                                 nullptr, &key, nullptr);
    if (rc == ERROR_SUCCESS)
        rc = RegSetValueExW(key, L"Args", 0, REG_MULTI_SZ, reinterpret_cast<const BYTE*>(multi.data()),
                            static_cast<DWORD>(multi.size() * sizeof(wchar_t)));
    if (rc == ERROR_SUCCESS)
        rc = RegSetValueExW(key, L"WorkingDirectory", 0, REG_SZ, reinterpret_cast<const BYTE*>(dir.c_str()),
                            static_cast<DWORD>((dir.size() + 1) * sizeof(wchar_t)));
    if (key) RegCloseKey(key);
    if (rc == ERROR_SUCCESS) return std::nullopt;
    return "cannot store the server arguments in HKLM\\" + win::narrow(parameters_key(name)) + ": " +
           win::error_text(static_cast<DWORD>(rc));
}

namespace {
// One value of the Parameters key, as wide characters without the final terminator(s).
std::optional<std::wstring> read_value(const std::string& name, const wchar_t* value, DWORD type_flag, LSTATUS& rc)
{
    DWORD size = 0;
    rc = RegGetValueW(HKEY_LOCAL_MACHINE, parameters_key(name).c_str(), value, type_flag, nullptr, nullptr, &size);
    if (rc != ERROR_SUCCESS) return std::nullopt;
    std::wstring data(size / sizeof(wchar_t) + 1, L'\0');
    rc = RegGetValueW(HKEY_LOCAL_MACHINE, parameters_key(name).c_str(), value, type_flag, nullptr, data.data(), &size);
    if (rc != ERROR_SUCCESS) return std::nullopt;
    data.resize(size / sizeof(wchar_t));
    while (!data.empty() && data.back() == L'\0') data.pop_back();
    return data;
}
} // namespace

std::optional<std::string> svc::read_parameters(const std::string& name, parameters& out)
{
    LSTATUS rc = ERROR_SUCCESS;
    auto args = read_value(name, L"Args", RRF_RT_REG_MULTI_SZ, rc);
    auto dir = args ? read_value(name, L"WorkingDirectory", RRF_RT_REG_SZ, rc) : std::nullopt;
    if (!args || !dir)
        return "cannot read the server arguments from HKLM\\" + win::narrow(parameters_key(name)) + ": " +
               win::error_text(static_cast<DWORD>(rc));
    out.args.clear();
    for (std::size_t pos = 0; pos < args->size();) {
        std::size_t end = std::min(args->find(L'\0', pos), args->size());
        out.args.push_back(win::narrow(std::wstring_view(*args).substr(pos, end - pos)));
        pos = end + 1;
    }
    out.working_directory = win::narrow(*dir);
    return std::nullopt;
}

namespace {
std::string in_directory(std::string dir, const std::string& file)
{
    if (!dir.empty() && dir.back() != '\\' && dir.back() != '/') dir += '\\';
    return dir + file;
}
} // namespace

std::string svc::default_error_log(const std::string& name, const parameters& p)
{
    return in_directory(p.working_directory, name + ".log");
}

std::string svc::error_log_of(const std::string& name, const parameters& p)
{
    // The last --error-logfile wins, as on the server's command line.
    std::string named;
    for (std::size_t i = 0; i < p.args.size(); ++i) {
        if (p.args[i] == "--error-logfile" && i + 1 < p.args.size()) named = p.args[i + 1];
        if (p.args[i].starts_with("--error-logfile=")) named = p.args[i].substr(16);
    }
    if (named.empty() || named == "-") return default_error_log(name, p);
    // A relative path is relative to the working directory, where the service runs.
    if (std::filesystem::path(win::widen(named)).is_relative()) return in_directory(p.working_directory, named);
    return named;
}

int run_service_command(std::span<const std::string> args, const service_server& server)
{
    try {
        options o = parse(args);
        if (o.help) return fmt::print("{}", usage_text), exit_ok;
        check(o);
        return dispatch(o, server);
    } catch (const usage_error& e) {
        return usage(e.message);
    }
}

} // namespace forkhorn::platform
