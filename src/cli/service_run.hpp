// `forkhorn service run --name NAME`: what the Service Control Manager starts. It reads the
// server's arguments stored with the service, moves to its working directory, finds the error
// log and runs the server there (platform::run_as_service runs it as the service).
#pragma once

#include "cli/service_command.hpp"
#include "service.hpp"

#include <string>

namespace forkhorn::cli {

/// Runs the server as service `name`; returns the process's exit status (exit_usage with a
/// message when the service manager did not start this process).
int run_service(const std::string& name, const service_server& server);

/// Where the error log goes when the server's arguments name none: the service has no console,
/// so the default `--error-logfile -` (stderr) would lose every message. <working directory>\NAME.log.
std::string default_error_log(const std::string& name, const platform::service_parameters& p);

/// The error log the arguments name (relative to the working directory), else
/// default_error_log; "-" counts as none.
std::string error_log_of(const std::string& name, const platform::service_parameters& p);

} // namespace forkhorn::cli
