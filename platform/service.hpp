// The system's service manager (systemd, the Windows Service Control Manager): what a server
// it runs tells it and gets from it, and the calls `forkhorn service` (src/cli/) makes to
// register, drive and run a service under the SCM. The command itself (options, messages,
// exit statuses) is not here: only the manager's calls, with plain structs.
#pragma once

#include "events.hpp"
#include "native_socket.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forkhorn::platform {

// ---------------------------------------------------------------- a server run by one

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

// ---------------------------------------------------------------- services of the SCM
//
// Where supports(feature::service_control_manager) is false, every call below fails with
// service_fault::unsupported.

/// Why a call failed.
enum class service_fault : std::uint8_t {
    failed,            // the message says why
    unsupported,       // this system has no such service manager
    not_installed,     // no service has that name
    already_installed, // install: the name is taken
    bad_definition,    // install: a value the manager cannot take (an unknown --control-group)
    not_from_manager   // run_as_service: this process was not started by the service manager
};

struct service_error {
    service_fault fault = service_fault::failed;
    std::string message; // one line: what failed and the system's reason
};

/// Custom service control codes (128..255 are the application's) and the control events
/// they deliver to the arbiter: the SCM's stand-in for `kill -HUP` and friends.
struct service_control {
    std::uint32_t code;
    control_event event;
    std::string_view signal; // the POSIX signal it stands for
    std::string_view meaning;
};
inline constexpr service_control service_controls[] = {
    {128, control_event::hup, "HUP", "reload: new configuration and app code, new workers"},
    {129, control_event::usr1, "USR1", "reopen the log files"},
    {130, control_event::ttin, "TTIN", "one worker more"},
    {131, control_event::ttou, "TTOU", "one worker less"},
    {132, control_event::winch, "WINCH", "stop the workers gracefully (daemon mode only: ignored)"},
    {133, control_event::int_, "INT", "quick stop"},
};

/// When the service starts: with the system (at once, or delayed), or when asked.
enum class service_start : std::uint8_t { automatic, delayed, demand, disabled, boot };

/// The server's arguments and directory, stored with the service (on Windows under
/// HKLM\SYSTEM\CurrentControlSet\Services\NAME\Parameters, values Args and WorkingDirectory):
/// not in the command line the manager starts, so that no quoting rule can change them.
struct service_parameters {
    std::vector<std::string> args;
    std::string working_directory;
};

/// A service to register. Everything is as the caller wants it; the platform only maps it onto
/// the manager's calls.
struct service_definition {
    std::string name;
    std::string display_name;
    std::string description;
    service_start start = service_start::automatic;
    std::string account; // empty or LocalSystem, LocalService, NetworkService, .\user, DOMAIN\user
    std::string password;
    std::vector<std::string> depends; // services that must run first
    /// Who may drive the service. Administrators and SYSTEM always may; interactive and service
    /// logons may only query it (never stop it or send it controls 128..255); the members of
    /// this group (a name, empty = none) may also start and stop it and send it controls.
    std::string control_group;
    /// The manager starts this program with these arguments (`service run --name NAME`).
    std::vector<std::string> run_args;
    /// After a failure (a crash or a non-zero exit status): restart after each of these delays
    /// in turn, the last one repeating; the count starts again after `failure_reset` without one.
    std::vector<std::chrono::seconds> restart_delays;
    std::chrono::seconds failure_reset{0};
    /// How long a system shutdown waits for the service to stop.
    std::chrono::seconds shutdown_wait{0};
    service_parameters parameters;
};

/// Registers the service. A step that fails after the service exists removes it again; a
/// refinement the manager does not know (wine's SCM lacks some) is a line in `warnings`.
std::optional<service_error> install_service(const service_definition& d, std::vector<std::string>& warnings);

/// Removes a service (stop it first) and what is stored with it.
std::optional<service_error> delete_service(const std::string& name);

/// Asks the manager to start the service; one that runs already is no error. Does not wait.
std::optional<service_error> start_service(const std::string& name);

/// Sends STOP (a graceful stop); one that is not running is no error. Does not wait.
std::optional<service_error> stop_service(const std::string& name);

/// Sends a custom control code (128..255, service_controls) to a running service.
std::optional<service_error> control_service(const std::string& name, std::uint32_t code);

enum class service_state : std::uint8_t { stopped, starting, stopping, running, continuing, pausing, paused, unknown };

struct service_status {
    service_state state = service_state::unknown;
    std::uint32_t pid = 0;
    /// How it last stopped: 0 (never started, or a clean stop), the server's own exit status
    /// (`server_exit`), else the system's error code, which `system_error` names.
    std::uint32_t exit_code = 0;
    bool server_exit = false;
    std::string system_error;
    /// While starting or stopping: how long the service says the step may still take.
    std::chrono::milliseconds wait_hint{0};
};

std::optional<service_error> query_service(const std::string& name, service_status& out);

/// How the service is registered, as the manager keeps it.
struct service_config {
    std::string display_name;
    std::string account;
    service_start start = service_start::automatic;
};

std::optional<service_error> read_service_config(const std::string& name, service_config& out);
std::optional<service_error> read_service_parameters(const std::string& name, service_parameters& out);

// ---------------------------------------------------------------- the service process

/// What run_as_service runs on the service's thread.
struct service_body {
    /// The server, once the manager knows the service is starting; its result becomes the
    /// service's exit status. Must not throw.
    std::function<int()> run;
    /// Instead of `run` when the service could not be set up (its message names why); returns
    /// the exit status.
    std::function<int(const std::string& error)> failed;
};

/// Connects to the manager and runs `body` as service `name` (the SCM's dispatcher and
/// ServiceMain). Returns once the service has stopped, with its exit status in `status`.
/// Controls reach the arbiter as control events (STOP and SHUTDOWN as term); the arbiter's
/// notify_service moves the service's state on.
std::optional<service_error> run_as_service(const std::string& name, const service_body& body, int& status);

/// How long the service may take to stop once asked (the wait hint the manager sees).
void set_service_stop_wait(std::chrono::milliseconds wait);

/// A service starts with no standard handles: stdin and stdout become the null device and
/// stderr appends to `error_log`, for this process and the workers it starts.
std::optional<std::string> redirect_service_std_streams(const std::string& error_log);

/// Writes `message` to the system's event log as an error of source `source` (the Windows
/// Application log); for what fails before the error log exists.
void report_service_event(const std::string& source, const std::string& message);

} // namespace forkhorn::platform
