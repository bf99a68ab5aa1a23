#include "control/commands.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>

namespace forkhorn::control {
namespace {

struct command_word {
    std::string_view name;
    command_kind kind;
};

// The order matters only for command_name(); lookups compare the leading words.
constexpr std::array<command_word, 11> names{{
    {"show workers", command_kind::show_workers},
    {"show stats", command_kind::show_stats},
    {"show config", command_kind::show_config},
    {"show listeners", command_kind::show_listeners},
    {"worker add", command_kind::worker_add},
    {"worker remove", command_kind::worker_remove},
    {"worker kill", command_kind::worker_kill},
    {"reload", command_kind::reload},
    {"reopen", command_kind::reopen},
    {"shutdown", command_kind::shutdown},
    {"help", command_kind::help},
}};

constexpr std::array<command_help, 11> help_rows{{
    {"show workers", "List the workers: pid, age, uptime, requests, connections, last beat, state"},
    {"show stats", "Arbiter counters: uptime, pid, current and target workers, spawned, killed, reloads"},
    {"show config", "Every setting with its effective value"},
    {"show listeners", "The bound sockets: address, fd, type"},
    {"worker add [N]", "Raise the number of workers by N (default 1)"},
    {"worker remove [N]", "Lower the number of workers by N (default 1, never below 1)"},
    {"worker kill PID", "Gracefully stop one worker; it is replaced"},
    {"reload", "Reload the configuration and replace the workers gracefully (HUP)"},
    {"reopen", "Reopen the log files (USR1)"},
    {"shutdown [graceful|quick]", "Stop the server: graceful (TERM, default) or quick (INT)"},
    {"help", "This list"},
}};

// Splits "show workers ARGS" into the command and its arguments, by the longest known prefix.
const command_word* match(std::span<const std::string> words, std::size_t& used)
{
    for (const auto& w : names) {
        auto expected = std::string_view(w.name);
        auto space = expected.find(' ');
        std::size_t n = space == std::string_view::npos ? 1 : 2;
        if (words.size() < n || words[0] != expected.substr(0, space)) continue;
        if (n == 2 && words[1] != expected.substr(space + 1)) continue;
        used = n;
        return &w;
    }
    return nullptr;
}

std::optional<int> parse_positive(std::string_view text, int max)
{
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > max) return std::nullopt;
    return value;
}

// "show" alone, "worker" alone: name what may follow, rather than "unknown command".
std::string unknown(std::span<const std::string> words)
{
    if (words.empty()) return "no command given (try 'help')";
    if (words[0] == "show")
        return words.size() == 1
                   ? "show what? workers, stats, config or listeners"
                   : fmt::format("unknown command 'show {}' (workers, stats, config, listeners)", words[1]);
    if (words[0] == "worker")
        return words.size() == 1 ? "worker what? add [N], remove [N] or kill PID"
                                 : fmt::format("unknown command 'worker {}' (add, remove, kill)", words[1]);
    return fmt::format("unknown command '{}' (try 'help')", words[0]);
}

std::optional<std::string> parse_args(command& c, std::string_view name, std::span<const std::string> args)
{
    bool takes_number = c.kind == command_kind::worker_add || c.kind == command_kind::worker_remove ||
                        c.kind == command_kind::worker_kill;
    bool takes_arg = takes_number || c.kind == command_kind::shutdown;
    if (args.size() > (takes_arg ? 1U : 0U)) return fmt::format("{}: too many arguments", name);
    if (c.kind == command_kind::worker_kill && args.empty()) return "worker kill: missing PID";
    if (args.empty()) return std::nullopt;
    if (c.kind == command_kind::shutdown) {
        if (args[0] != "graceful" && args[0] != "quick")
            return fmt::format("shutdown: mode must be graceful or quick, not '{}'", args[0]);
        c.quick = args[0] == "quick";
        return std::nullopt;
    }
    int max = c.kind == command_kind::worker_kill ? 1 << 30 : max_worker_delta;
    auto n = parse_positive(args[0], max);
    if (!n) return fmt::format("{}: '{}' is not a number between 1 and {}", name, args[0], max);
    c.number = *n;
    return std::nullopt;
}

} // namespace

std::optional<command> parse_command(std::span<const std::string> words, std::string& error)
{
    std::size_t used = 0;
    const command_word* w = match(words, used);
    if (!w) return error = unknown(words), std::nullopt;
    command c{w->kind};
    if (auto e = parse_args(c, w->name, words.subspan(used))) return error = *e, std::nullopt;
    return c;
}

std::string command_name(const command& c)
{
    for (const auto& w : names)
        if (w.kind == c.kind) return std::string(w.name);
    return "help";
}

std::vector<std::string> command_args(const command& c)
{
    switch (c.kind) {
    case command_kind::worker_add:
    case command_kind::worker_remove:
    case command_kind::worker_kill: return {std::to_string(c.number)};
    case command_kind::shutdown: return {c.quick ? "quick" : "graceful"};
    default: return {};
    }
}

std::span<const command_help> command_list() { return help_rows; }

} // namespace forkhorn::control
