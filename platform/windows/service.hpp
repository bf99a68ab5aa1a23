// What the two halves of the Windows service support share: the client commands
// (service.cpp: install, start, status...) and the service process itself (service_run.cpp,
// what the SCM starts as `forkhorn service run --name NAME`).
#pragma once

#include "../service.hpp"
#include "win.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace forkhorn::platform::svc {

/// What `install` stores under HKLM\SYSTEM\CurrentControlSet\Services\NAME\Parameters. The
/// server's arguments live in the registry, not in the image path, so that no quoting rule of
/// the SCM's command line can change them (httpd's ConfigArgs does the same).
struct parameters {
    std::vector<std::string> args; // value Args (REG_MULTI_SZ)
    std::string working_directory; // value WorkingDirectory (REG_SZ)
};

std::optional<std::string> write_parameters(const std::string& name, const parameters& p);
std::optional<std::string> read_parameters(const std::string& name, parameters& out);

/// Where the error log goes when the server's arguments name none: the service has no console,
/// so the default `--error-logfile -` (stderr) would lose every message.
std::string default_error_log(const std::string& name, const parameters& p);

/// The error log the arguments name, else default_error_log; "-" counts as none.
std::string error_log_of(const std::string& name, const parameters& p);

/// Custom service control codes (128..255 are the application's) and the control events
/// they deliver to the arbiter: the Windows stand-in for `kill -HUP` and friends.
struct custom_control {
    DWORD code;
    control_event event;
    std::string_view signal; // the POSIX signal it stands for
    std::string_view meaning;
};
inline constexpr custom_control custom_controls[] = {
    {128, control_event::hup, "HUP", "reload: new configuration and app code, new workers"},
    {129, control_event::usr1, "USR1", "reopen the log files"},
    {130, control_event::ttin, "TTIN", "one worker more"},
    {131, control_event::ttou, "TTOU", "one worker less"},
    {132, control_event::winch, "WINCH", "stop the workers gracefully (daemon mode only: ignored)"},
    {133, control_event::int_, "INT", "quick stop"},
};

/// `service run`: connects to the SCM and runs the server as service `name`; returns the
/// process's exit status (2 with a message when not started by the SCM).
int run(const std::string& name, const service_server& server);

} // namespace forkhorn::platform::svc
