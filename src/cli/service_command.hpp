// `forkhorn service install|uninstall|start|stop|restart|control|status|run`: the server as a
// Windows service. The command (options, messages, exit statuses) is here; the Service Control
// Manager's calls are platform/service.hpp. See docs/windows-service.md.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>

namespace forkhorn::cli {

/// What the service commands need to know of the server's arguments (read by the settings
/// code, which main hands in: this command does not parse settings).
struct server_args_check {
    std::string error;   // one line naming what is wrong with them; empty if nothing
    bool serves = false; // they run a server (not --help, --version, --check-config...)
    std::string app;
    std::string errorlog; // --error-logfile ("" or "-": stderr)
    int graceful_timeout = 30;
};

/// The server as the service commands reach it: `check` reads its arguments, `serve` runs it
/// (what main does in the foreground), for `service run`.
struct service_server {
    std::function<server_args_check(std::span<const std::string>)> check;
    std::function<int(std::span<const std::string>)> serve;
};

/// How long `service stop` waits for the service to stop: the time the service itself may take
/// (its --graceful-timeout, then up to 5 s to end what is left: the wait hint it reports while
/// stopping, or `reported_hint` if the service reported a longer one) and 30 s more.
std::chrono::seconds stop_wait_limit(int graceful_timeout, std::chrono::milliseconds reported_hint);

/// `forkhorn service ARGS...`; returns the exit status (exit_status.hpp). On a system without
/// the Service Control Manager it says what to use instead and returns exit_usage.
int run_service_command(std::span<const std::string> args, const service_server& server);

} // namespace forkhorn::cli
