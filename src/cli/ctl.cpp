// `forkhorn ctl`: finds a running master (pidfile or control socket) and talks to it.
//
// Signal verbs (ttin, hup, term...) only need the master's pid, as with `kill`; they work even
// with --no-control-socket. Everything richer goes through the control socket.
#include "cli/ctl.hpp"
#include "cli/exit_status.hpp"
#include "control/client.hpp"
#include "control/commands.hpp"
#include "control/control.hpp"
#include "control/format.hpp"
#include "control/protocol.hpp"
#include "events.hpp"
#include "instance/pidfile.hpp"
#include "process.hpp"

#include <array>
#include <charconv>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

namespace forkhorn::control {
namespace {

using platform::control_event;

using namespace forkhorn::cli; // exit_ok, exit_error, exit_usage, exit_not_running

constexpr auto signal_spacing = std::chrono::milliseconds(100);

constexpr std::string_view usage_text =
    R"(usage: forkhorn ctl [-n NAME | --pid FILE | -s SOCKET] [--json] COMMAND [ARGS...]

Finding the master:
  -n, --name NAME      the instance started with -n NAME (its pidfile in the runtime directory)
  -p, --pid FILE       the pidfile the server was started with (-p FILE)
  -s, --socket SOCKET  talk to this control socket directly (no pidfile needed)
  -j, --json           print the reply's data as one JSON object
  -h, --help           this text

Signal verbs (need only the pid):
  ttin [N]  ttou [N]  hup  term  int  quit  reopen  upgrade  winch

Control socket commands:
)";

struct ctl_options {
    std::optional<std::string> name;
    std::optional<std::string> pidfile;
    std::optional<std::string> socket;
    bool json = false;
    bool help = false;
    std::vector<std::string> words;
};

struct signal_verb {
    std::string_view name;
    control_event event;
    bool counted;                    // takes [N] and sends the signal N times
    std::string_view socket_command; // the equivalent through the control socket, if any
};

constexpr std::array<signal_verb, 9> signal_verbs{{
    {"ttin", control_event::ttin, true, "worker add"},
    {"ttou", control_event::ttou, true, "worker remove"},
    {"hup", control_event::hup, false, "reload"},
    {"term", control_event::term, false, "shutdown graceful"},
    {"int", control_event::int_, false, "shutdown quick"},
    {"quit", control_event::quit, false, "shutdown quick"},
    {"reopen", control_event::usr1, false, "reopen"},
    {"upgrade", control_event::usr2, false, ""},
    {"winch", control_event::winch, false, ""},
}};

struct streams {
    std::FILE* out;
    std::FILE* err;

    int usage(std::string_view message) const
    {
        fmt::print(err, "forkhorn ctl: error: {}\n", message);
        return exit_usage;
    }
    int fail(std::string_view message, int status = exit_error) const
    {
        fmt::print(err, "forkhorn ctl: {}\n", message);
        return status;
    }
};

// One option: "-n NAME", "--name NAME" or "--name=NAME". Returns false if `arg` is not one.
bool take_option(std::span<const std::string> args, std::size_t& i, ctl_options& o, std::string& error)
{
    const std::string& arg = args[i];
    auto eq = arg.find('=');
    std::string key = arg.starts_with("--") ? arg.substr(0, eq) : arg;
    std::optional<std::string>* target = key == "-n" || key == "--name"     ? &o.name
                                         : key == "-p" || key == "--pid"    ? &o.pidfile
                                         : key == "-s" || key == "--socket" ? &o.socket
                                                                            : nullptr;
    if (!target) return false;
    if (key != arg)
        *target = arg.substr(eq + 1);
    else if (i + 1 < args.size())
        *target = args[++i];
    else
        error = fmt::format("{} needs a value", arg);
    return true;
}

std::optional<std::string> parse_options(std::span<const std::string> args, ctl_options& o)
{
    std::string error;
    for (std::size_t i = 0; i < args.size() && error.empty(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            o.words.insert(o.words.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            break;
        }
        if (arg == "-j" || arg == "--json")
            o.json = true;
        else if (arg == "-h" || arg == "--help")
            o.help = true;
        else if (take_option(args, i, o, error))
            continue;
        else if (arg.size() > 1 && arg[0] == '-')
            error = fmt::format("unknown option '{}'", arg);
        else
            o.words.push_back(arg);
    }
    if (!error.empty()) return error;
    return std::nullopt;
}

std::string usage()
{
    std::string text(usage_text);
    for (const auto& h : command_list()) text += fmt::format("  {:<26} {}\n", h.syntax, h.summary);
    return text + "\nExit status: 0 done, 1 error, 2 usage error, 3 not running.\n";
}

const signal_verb* find_signal_verb(std::string_view word)
{
    for (const auto& v : signal_verbs)
        if (v.name == word) return &v;
    return nullptr;
}

// Only -s: there is no pidfile to read, so signal verbs go through the socket.
bool socket_only(const ctl_options& o) { return o.socket && !o.pidfile && !o.name; }

std::string pidfile_path(const ctl_options& o) { return o.pidfile ? *o.pidfile : default_pidfile(o.name.value_or("")); }

// Reads the pidfile and proves that the master it names is alive (LSB: 3 = not running).
int find_master(const ctl_options& o, const streams& io, pidfile_content& master)
{
    std::string path = pidfile_path(o);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return io.fail(fmt::format("not running (no pidfile at {})", path), exit_not_running);
    std::string error;
    auto content = read_pidfile(path, error);
    if (!content) return io.fail(error);
    // Never signal a pid the file names without knowing it is this server's master: a pid
    // is reused, and a pidfile may be written by hand.
    if (!pidfile_is_live(*content, o.name.value_or(content->instance))) {
        bool alive = platform::process_start_time(content->pid) != 0;
        return io.fail(alive ? fmt::format("not running (pidfile {} names pid {}, which is not this server's "
                                           "master: nothing sent to it)",
                                           path, content->pid)
                             : fmt::format("not running (stale pidfile {} names pid {})", path, content->pid),
                       exit_not_running);
    }
    master = *content;
    return exit_ok;
}

// The control socket: -s, else the pidfile's, else the instance's default path. A server
// started without -n and -p writes no pidfile, so without --pid a missing pidfile is not yet
// "not running": the default socket is tried before saying so.
// `master_pid` is set when the master was found through its pidfile: the socket must then be
// served by that process (control::request checks).
int find_socket(const ctl_options& o, const streams& io, std::string& socket, int& master_pid)
{
    master_pid = 0;
    if (o.socket) return socket = *o.socket, exit_ok;
    std::error_code ec;
    if (!o.pidfile && !std::filesystem::exists(pidfile_path(o), ec)) {
        socket = default_control_socket(o.name.value_or(""));
        if (socket_answers(socket)) return exit_ok;
    }
    pidfile_content master;
    if (int rc = find_master(o, io, master); rc != exit_ok) return rc;
    socket = !master.control_socket.empty() ? master.control_socket
                                            : default_control_socket(o.name.value_or(master.instance));
    master_pid = master.pid;
    return exit_ok;
}

int print_reply(const ctl_options& o, const streams& io, const command& c, const std::string& text)
{
    std::string error;
    auto reply = parse_reply(text, error);
    if (!reply) return io.fail(error);
    if (!reply->ok) return io.fail(reply->error);
    if (o.json) {
        fmt::print(io.out, "{}\n", reply->data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return exit_ok;
    }
    // A newer or older server may send other shapes; show them raw rather than fail.
    try {
        fmt::print(io.out, "{}", format_human(c.kind, reply->data));
    } catch (const nlohmann::json::exception&) {
        fmt::print(io.out, "{}\n", reply->data.dump(2));
    }
    return exit_ok;
}

int run_socket_command(const ctl_options& o, const streams& io, const command& c)
{
    std::string socket;
    int master_pid = 0;
    if (int rc = find_socket(o, io, socket, master_pid); rc != exit_ok) return rc;
    std::string error;
    auto text = request(socket, command_name(c), command_args(c), error, master_pid);
    if (!text) return io.fail(error);
    return print_reply(o, io, c, *text);
}

// ttin 3 → "worker add 3" when only -s is known.
int signal_through_socket(const ctl_options& o, const streams& io, const signal_verb& v, int count)
{
    if (v.socket_command.empty())
        return io.usage(fmt::format("'{}' is a signal and needs the master's pid: use -n NAME or --pid FILE", v.name));
    auto words = split_words(v.socket_command);
    if (v.counted) words.push_back(std::to_string(count));
    std::string error;
    auto c = parse_command(words, error);
    if (!c) return io.fail(error);
    return run_socket_command(o, io, *c);
}

int send_signal(const ctl_options& o, const streams& io, const signal_verb& v, int count)
{
    pidfile_content master;
    if (int rc = find_master(o, io, master); rc != exit_ok) return rc;
    for (int i = 0; i < count; ++i) {
        // Identical signals still pending merge into one: give the master time to take each.
        if (i > 0) std::this_thread::sleep_for(signal_spacing);
        std::string error;
        if (!platform::send_control(master.pid, master.instance, v.event, error))
            return io.fail(fmt::format("cannot send {} to pid {}: {}", v.name, master.pid, error));
    }
    if (o.json)
        fmt::print(io.out,
                   R"({{"signal":"{}","pid":{},"count":{}}})"
                   "\n",
                   v.name, master.pid, count);
    else
        fmt::print(io.out, "sent {}{} to pid {}\n", v.name, count > 1 ? fmt::format(" x{}", count) : "", master.pid);
    return exit_ok;
}

int run_signal_verb(const ctl_options& o, const streams& io, const signal_verb& v)
{
    std::size_t max_args = v.counted ? 1 : 0;
    if (o.words.size() - 1 > max_args) return io.usage(fmt::format("{}: too many arguments", v.name));
    int count = 1;
    if (o.words.size() == 2) {
        const std::string& n = o.words[1];
        auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
        if (ec != std::errc{} || end != n.data() + n.size() || count < 1 || count > max_worker_delta)
            return io.usage(fmt::format("{}: '{}' is not a number between 1 and {}", v.name, n, max_worker_delta));
    }
    return socket_only(o) ? signal_through_socket(o, io, v, count) : send_signal(o, io, v, count);
}

} // namespace

int run_ctl(std::span<const std::string> args, std::FILE* out, std::FILE* err)
{
    streams io{out, err};
    ctl_options o;
    if (auto e = parse_options(args, o)) return io.usage(*e);
    if (o.help) return fmt::print(out, "{}", usage()), exit_ok;
    if (o.words.empty()) return io.usage("no command given (see forkhorn ctl --help)");
    if (const auto* v = find_signal_verb(o.words[0])) return run_signal_verb(o, io, *v);
    std::string error;
    auto c = parse_command(o.words, error);
    if (!c) return io.usage(error);
    return run_socket_command(o, io, *c);
}

int run_ctl(std::span<const std::string> args) { return run_ctl(args, stdout, stderr); }

} // namespace forkhorn::control
