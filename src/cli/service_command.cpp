// `forkhorn service install|uninstall|start|stop|restart|control|status|run`: the command's
// options, messages, JSON and exit statuses. The Service Control Manager's calls are
// platform/service.hpp; `run` is service_run.cpp. See docs/windows-service.md.
#include "cli/service_command.hpp"
#include "cli/exit_status.hpp"
#include "cli/service_run.hpp"
#include "paths.hpp"
#include "service.hpp"
#include "system.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace forkhorn::cli {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using platform::service_fault;
using platform::service_state;

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
  --control-group GROUP       members of GROUP may also start, stop and control the service
                              (by default only Administrators and SYSTEM; other users may
                              only query it)

The server's error log defaults to <working directory>\NAME.log when its arguments name none.
Custom controls (service control, or sc control NAME CODE): 128 hup (reload), 129 reopen
(logs), 130 ttin (one worker more), 131 ttou (one worker less), 132 winch, 133 int (quick stop).
)";

// ------------------------------------------------------------------ the command line

struct options {
    std::string command;
    std::string verb; // of `control`
    std::string name, display_name, description, start = "auto", account, password, depends, working_directory,
                                                 control_group;
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
    {"--control-group", "", &options::control_group, true},
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

// ------------------------------------------------------------------ the service's state

std::string_view state_name(service_state state)
{
    switch (state) {
    case service_state::stopped: return "stopped";
    case service_state::starting: return "starting";
    case service_state::stopping: return "stopping";
    case service_state::running: return "running";
    case service_state::continuing: return "continuing";
    case service_state::pausing: return "pausing";
    case service_state::paused: return "paused";
    case service_state::unknown: break;
    }
    return "unknown";
}

std::string_view start_name(platform::service_start start)
{
    switch (start) {
    case platform::service_start::automatic: return "auto";
    case platform::service_start::delayed: return "delayed";
    case platform::service_start::demand: return "demand";
    case platform::service_start::disabled: return "disabled";
    case platform::service_start::boot: break;
    }
    return "boot";
}

std::string exit_text(const platform::service_status& st)
{
    if (st.server_exit) return fmt::format("exit code {}", st.exit_code);
    return "Windows error: " + st.system_error;
}

/// Reports a failed call: "not installed" is exit_not_running, anything else exit_error.
int failure(const std::string& name, const platform::service_error& e)
{
    if (e.fault == service_fault::not_installed)
        return failure(fmt::format("service {} is not installed", name)), exit_not_running;
    return failure(e.message);
}

/// Polls until `done(state)` or `limit` passes; the last status seen, or the failed query's error.
template <typename Done>
std::optional<platform::service_error> wait_for(const std::string& name, std::chrono::seconds limit,
                                                platform::service_status& st, Done done)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    auto err = platform::query_service(name, st);
    while (!err && !done(st.state) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        err = platform::query_service(name, st);
    }
    return err;
}

// ------------------------------------------------------------------ install

platform::service_start start_type(const std::string& start)
{
    if (start == "auto") return platform::service_start::automatic;
    if (start == "delayed") return platform::service_start::delayed;
    if (start == "demand") return platform::service_start::demand;
    throw usage_error{fmt::format("--start must be auto, delayed or demand, not '{}'", start)};
}

// "Tcpip,Afd" -> {"Tcpip", "Afd"}.
std::vector<std::string> dependency_list(const std::string& depends)
{
    std::vector<std::string> out;
    for (std::size_t pos = 0; pos < depends.size();) {
        std::size_t end = std::min(depends.find(',', pos), depends.size());
        if (end > pos) out.push_back(depends.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
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
    std::filesystem::current_path(platform::utf8_path(working_directory), ec);
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
    auto path =
        dir.empty() ? std::filesystem::current_path(ec) : std::filesystem::absolute(platform::utf8_path(dir), ec);
    return platform::utf8_text(path);
}

int install(const options& o, const service_server& server)
{
    platform::service_definition d;
    d.start = start_type(o.start);
    d.parameters = {o.server_args, absolute_directory(o.working_directory)};
    auto checked = validate_server_args(o, d.parameters.working_directory, server);
    d.name = o.name;
    d.display_name = o.display_name.empty() ? "forkhorn " + o.name : o.display_name;
    d.description = o.description.empty() ? "forkhorn HTTP server: " + checked.app : o.description;
    d.account = o.account;
    d.password = o.password;
    d.depends = dependency_list(o.depends);
    d.control_group = o.control_group;
    d.run_args = {"service", "run", "--name", o.name};
    // Restarts after 10 s, 20 s, then every 60 s; the count starts again after a day without
    // failure.
    d.restart_delays = {10s, 20s, 60s};
    d.failure_reset = 24h;
    // Long enough for the workers' graceful stop.
    d.shutdown_wait = std::chrono::seconds(checked.graceful_timeout + 10);
    std::vector<std::string> warnings;
    auto err = platform::install_service(d, warnings);
    for (const auto& w : warnings) fmt::print(stderr, "forkhorn service: warning: {}\n", w);
    if (err && err->fault == service_fault::already_installed)
        return failure(fmt::format("service {} is already installed (uninstall it first)", o.name));
    if (err && err->fault == service_fault::bad_definition) return usage(err->message);
    if (err) return failure(err->message);
    fmt::print("Installed service {} ({} start)\n  working directory: {}\n  error log: {}\n", o.name, o.start,
               d.parameters.working_directory, error_log_of(o.name, d.parameters));
    return exit_ok;
}

// ------------------------------------------------------------------ start, stop, status

// The last error the server logged, so that a failed start says why without opening the log.
std::optional<std::string> last_error_line(const std::string& log)
{
    std::ifstream in(platform::utf8_path(log), std::ios::binary | std::ios::ate);
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

int report_start(const std::string& name, const platform::service_status& st, const std::string& log)
{
    if (st.state == service_state::running) {
        fmt::print("Service {} is running (pid {})\n", name, st.pid);
        return exit_ok;
    }
    if (st.state == service_state::stopped) {
        failure(fmt::format("service {} stopped during start-up with {}; see {}", name, exit_text(st), log));
        if (auto line = last_error_line(log)) fmt::print(stderr, "  {}\n", *line);
        return exit_error;
    }
    return failure(fmt::format("service {} is still {} after 30 s; see {}", name, state_name(st.state), log));
}

int start(const std::string& name)
{
    if (auto err = platform::start_service(name)) return failure(name, *err);
    platform::service_status st;
    auto running_or_stopped = [](service_state s) {
        return s == service_state::running || s == service_state::stopped;
    };
    if (auto err = wait_for(name, 30s, st, running_or_stopped)) return failure(err->message);
    platform::service_parameters p;
    platform::read_service_parameters(name, p);
    return report_start(name, st, error_log_of(name, p));
}

// The service's --graceful-timeout, as its stored arguments set it (read in its working
// directory, where a config file they name is); the server's default when they cannot be read.
int stored_graceful_timeout(const std::string& name, const service_server& server)
{
    platform::service_parameters p;
    if (platform::read_service_parameters(name, p)) return server_args_check{}.graceful_timeout;
    std::error_code ec;
    auto here = std::filesystem::current_path(ec);
    std::filesystem::current_path(platform::utf8_path(p.working_directory), ec);
    auto checked = server.check(p.args);
    std::filesystem::current_path(here, ec);
    return checked.error.empty() ? checked.graceful_timeout : server_args_check{}.graceful_timeout;
}

// Sends STOP and waits as long as the service's graceful stop may take (stop_wait_limit).
int stop(const std::string& name, const service_server& server)
{
    platform::service_status st;
    if (auto err = platform::query_service(name, st)) return failure(name, *err);
    if (st.state == service_state::stopped) return fmt::print("Service {} is not running\n", name), exit_ok;
    if (auto err = platform::stop_service(name)) return failure(name, *err);
    auto limit = stop_wait_limit(stored_graceful_timeout(name, server), st.wait_hint);
    auto err = wait_for(name, limit, st, [](service_state s) { return s == service_state::stopped; });
    if (err || st.state != service_state::stopped)
        return failure(fmt::format("service {} did not stop within {} s", name, limit.count()));
    if (st.exit_code != 0)
        fmt::print("Service {} stopped with {}\n", name, exit_text(st));
    else
        fmt::print("Service {} stopped\n", name);
    return exit_ok;
}

int uninstall(const std::string& name, const service_server& server)
{
    if (int rc = stop(name, server); rc != exit_ok) return rc;
    if (auto err = platform::delete_service(name)) return failure(name, *err);
    fmt::print("Removed service {}\n", name);
    return exit_ok;
}

/// How the service is registered, as `status` shows it (empty when it cannot be read).
struct shown_config {
    std::string display_name, account, start_type;
};

shown_config read_config(const std::string& name)
{
    platform::service_config c;
    if (platform::read_service_config(name, c)) return {};
    return {c.display_name, c.account, std::string(start_name(c.start))};
}

json status_json(const std::string& name, const platform::service_status& st, const shown_config& c,
                 const platform::service_parameters& p)
{
    return {{"name", name},
            {"installed", true},
            {"state", state_name(st.state)},
            {"pid", st.pid},
            {"exit_code", st.exit_code},
            {"start_type", c.start_type},
            {"display_name", c.display_name},
            {"account", c.account},
            {"working_directory", p.working_directory},
            {"args", p.args},
            {"error_log", error_log_of(name, p)}};
}

void print_status(const std::string& name, const platform::service_status& st, const shown_config& c,
                  const platform::service_parameters& p)
{
    fmt::print("Service {} ({}): {}", name, c.display_name, state_name(st.state));
    if (st.pid) fmt::print(" (pid {})", st.pid);
    if (st.state == service_state::stopped && st.exit_code) fmt::print(", last stopped with {}", exit_text(st));
    fmt::print("\n  start type: {}\n  account: {}\n  working directory: {}\n  error log: {}\n  server args:",
               c.start_type, c.account, p.working_directory, error_log_of(name, p));
    for (const auto& a : p.args) fmt::print(" {}", a.find(' ') == std::string::npos ? a : "\"" + a + "\"");
    fmt::print("\n");
}

int status(const std::string& name, bool as_json)
{
    platform::service_status st;
    auto err = platform::query_service(name, st);
    if (err && err->fault == service_fault::not_installed) {
        if (as_json)
            fmt::print("{}\n", json{{"name", name}, {"installed", false}, {"state", "not installed"}}.dump());
        else
            fmt::print("Service {}: not installed\n", name);
        return exit_not_running;
    }
    if (err) return failure(err->message);
    platform::service_parameters p;
    platform::read_service_parameters(name, p);
    auto config = read_config(name);
    if (as_json)
        fmt::print("{}\n", status_json(name, st, config, p).dump());
    else
        print_status(name, st, config, p);
    // As LSB `status`: a process that exists (running, starting, stopping) is 0.
    return st.state == service_state::stopped ? exit_not_running : exit_ok;
}

// "hup" or "128" -> 128. The verbs are ctl's names for the same events.
std::uint32_t control_code(const std::string& verb)
{
    using platform::control_event;
    constexpr std::pair<std::string_view, control_event> verbs[] = {
        {"hup", control_event::hup},   {"reopen", control_event::usr1}, {"ttin", control_event::ttin},
        {"ttou", control_event::ttou}, {"winch", control_event::winch}, {"int", control_event::int_}};
    for (const auto& [word, event] : verbs)
        for (const auto& c : platform::service_controls)
            if (verb == word && c.event == event) return c.code;
    int code = 0;
    auto [end, ec] = std::from_chars(verb.data(), verb.data() + verb.size(), code);
    if (ec != std::errc() || end != verb.data() + verb.size() || code < 128 || code > 255)
        throw usage_error{
            fmt::format("unknown control '{}': use hup, reopen, ttin, ttou, winch, int or 128..255", verb)};
    return static_cast<std::uint32_t>(code);
}

int control(const std::string& name, const std::string& verb)
{
    std::uint32_t code = control_code(verb);
    if (auto err = platform::control_service(name, code)) return failure(name, *err);
    return exit_ok;
}

int dispatch(const options& o, const service_server& server)
{
    if (o.command == "install") return install(o, server);
    if (o.command == "uninstall") return uninstall(o.name, server);
    if (o.command == "start") return start(o.name);
    if (o.command == "stop") return stop(o.name, server);
    if (o.command == "status") return status(o.name, o.json);
    if (o.command == "control") return control(o.name, o.verb);
    if (o.command == "run") return run_service(o.name, server);
    int rc = stop(o.name, server); // restart
    return rc == exit_ok ? start(o.name) : rc;
}

} // namespace

std::chrono::seconds stop_wait_limit(int graceful_timeout, std::chrono::milliseconds reported_hint)
{
    auto own = std::chrono::seconds(std::max(graceful_timeout, 0) + 5);
    auto hint = std::chrono::ceil<std::chrono::seconds>(reported_hint);
    return std::max(own, hint) + 30s;
}

int run_service_command(std::span<const std::string> args, const service_server& server)
{
    if (!platform::supports(platform::feature::service_control_manager)) {
        std::fputs("forkhorn: error: `forkhorn service` manages Windows services; on this system use the systemd "
                   "units in installer/systemd (see docs/deploy.md)\n",
                   stderr);
        return exit_usage;
    }
    try {
        options o = parse(args);
        if (o.help) return fmt::print("{}", usage_text), exit_ok;
        check(o);
        return dispatch(o, server);
    } catch (const usage_error& e) {
        return usage(e.message);
    }
}

} // namespace forkhorn::cli
