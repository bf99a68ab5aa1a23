// The control socket's command language, shared by the server (dispatch) and by `forkhorn ctl`
// (which checks a command before connecting, so a typo is a usage error, not a server error).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace forkhorn::control {

enum class command_kind : std::uint8_t {
    show_workers,
    show_stats,
    show_config,
    show_listeners,
    worker_add,
    worker_remove,
    worker_kill,
    reload,
    reopen,
    shutdown,
    help
};

struct command {
    command_kind kind = command_kind::help;
    int number = 1;     // N of worker add/remove, PID of worker kill
    bool quick = false; // shutdown quick
};

/// Largest N of `worker add/remove` (the limit of the `workers` setting).
inline constexpr int max_worker_delta = 4096;

/// Parses command words ("worker", "add", "2"); nullopt with a one-line `error` otherwise.
std::optional<command> parse_command(std::span<const std::string> words, std::string& error);

/// The command's name as sent in "command" ("worker add") and its "args" (["2"]).
std::string command_name(const command& c);
std::vector<std::string> command_args(const command& c);

struct command_help {
    std::string_view syntax;
    std::string_view summary;
};

/// Every command, in the order `help` lists them.
std::span<const command_help> command_list();

} // namespace forkhorn::control
