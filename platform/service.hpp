// The system's service manager (systemd, the Windows Service Control Manager): what a server
// it runs tells it, and the sockets it hands over.
#pragma once

#include "native_socket.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace forkhorn::platform {

/// The arbiter's life as a service manager follows it.
enum class lifecycle : std::uint8_t {
    ready,     // serving, all workers booted (also a new master taking over after an upgrade)
    reloading, // HUP: new workers replace the old ones
    stopping   // stopping for good
};

/// Tells the service manager that the arbiter reached `stage`: sd_notify under systemd, the
/// service state under the Windows SCM; a no-op when not run by one.
void notify_service(lifecycle stage);

/// Listening sockets the service manager opened for this process (systemd socket activation:
/// LISTEN_FDS), taken once; empty where there are none or no such manager exists.
std::vector<native_socket> service_manager_sockets();

/// True when the process runs under the system's service manager as a service of its own (the
/// Windows SCM). Such a server has no terminal whose resize could send WINCH by accident, so
/// WINCH is honoured there as for a daemon.
bool running_as_service();

/// `forkhorn service COMMAND ...`: install, uninstall, start, stop, status and run the server
/// as a system service (Windows SCM). `serve` runs the server with the given arguments (what
/// main does), for `service run`. Returns the exit status; on systems without such a
/// service manager it explains what to use instead and returns 2.
/// The server as the service commands reach it: `check` reads its arguments (the settings
/// code; this layer does not parse settings), `serve` runs it.
struct server_args_check {
    std::string error;   // one line naming what is wrong with them; empty if nothing
    bool serves = false; // they run a server (not --help, --version, --check-config...)
    std::string app;
    std::string errorlog; // --error-logfile ("" or "-": stderr)
    int graceful_timeout = 30;
};
struct service_server {
    std::function<server_args_check(std::span<const std::string>)> check;
    std::function<int(std::span<const std::string>)> serve;
};
int run_service_command(std::span<const std::string> args, const service_server& server);

} // namespace forkhorn::platform
