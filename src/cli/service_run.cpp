// `forkhorn service run`: everything between "the service manager started us" and "the server
// stops": the stored arguments, the working directory (services start in system32), the error
// log, then the server. The service manager's side (dispatcher, states, controls) is
// platform::run_as_service.
#include "cli/service_run.hpp"
#include "cli/exit_status.hpp"
#include "paths.hpp"
#include "system.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <vector>

#include <fmt/format.h>

namespace forkhorn::cli {
namespace {

// Start-up errors that happen before the error log exists go to the system's event log
// (source NAME), and to `log_path` when there is one.
int startup_failure(const std::string& name, const std::string& message, const std::string& log_path, int status)
{
    platform::report_service_event(name, "forkhorn service " + name + ": " + message);
    if (!log_path.empty())
        if (std::ofstream log(platform::utf8_path(log_path), std::ios::app); log)
            log << "forkhorn service: error: " << message << '\n';
    return status;
}

std::string in_directory(std::string dir, const std::string& file)
{
    if (!dir.empty() && dir.back() != '\\' && dir.back() != '/') dir += '\\';
    return dir + file;
}

int run_server(const std::string& name, const service_server& server)
{
    platform::service_parameters p;
    if (auto err = platform::read_service_parameters(name, p))
        return startup_failure(name, err->message, "", exit_error);
    std::string fallback_log = default_error_log(name, p);
    if (auto err = platform::change_directory(p.working_directory))
        return startup_failure(name, "cannot change to the working directory " + p.working_directory + ": " + *err, "",
                               exit_error);
    auto checked = server.check(p.args);
    if (!checked.error.empty()) return startup_failure(name, checked.error, fallback_log, exit_usage);
    std::vector<std::string> args = p.args;
    std::string error_log = checked.errorlog;
    if (error_log.empty() || error_log == "-") {
        error_log = fallback_log;
        args.insert(args.end(), {"--error-logfile", error_log});
    }
    if (auto err = platform::redirect_service_std_streams(error_log))
        return startup_failure(name, *err, "", exit_error);
    platform::set_service_stop_wait(std::chrono::seconds(checked.graceful_timeout + 5));
    // An exception must not escape the service's thread: the SCM would only see a crash (1067).
    try {
        return server.serve(args);
    } catch (const std::exception& e) {
        return startup_failure(name, std::string("the server failed: ") + e.what(), error_log, exit_error);
    }
}

} // namespace

int run_service(const std::string& name, const service_server& server)
{
    int status = exit_ok;
    auto run = [&] { return run_server(name, server); };
    auto failed = [&](const std::string& error) { return startup_failure(name, error, "", exit_error); };
    auto err = platform::run_as_service(name, {run, failed}, status);
    if (!err) return status;
    if (err->fault == platform::service_fault::not_from_manager) {
        std::fputs("forkhorn service: error: `service run` is what the service manager starts; use "
                   "`forkhorn service start --name NAME`, or run the server in the foreground without `service run`\n",
                   stderr);
        return exit_usage;
    }
    fmt::print(stderr, "forkhorn service: error: {}\n", err->message);
    return exit_error;
}

std::string default_error_log(const std::string& name, const platform::service_parameters& p)
{
    return in_directory(p.working_directory, name + ".log");
}

std::string error_log_of(const std::string& name, const platform::service_parameters& p)
{
    // The last --error-logfile wins, as on the server's command line.
    std::string named;
    for (std::size_t i = 0; i < p.args.size(); ++i) {
        if (p.args[i] == "--error-logfile" && i + 1 < p.args.size()) named = p.args[i + 1];
        if (p.args[i].starts_with("--error-logfile=")) named = p.args[i].substr(16);
    }
    if (named.empty() || named == "-") return default_error_log(name, p);
    // A relative path is relative to the working directory, where the service runs.
    if (platform::utf8_path(named).is_relative()) return in_directory(p.working_directory, named);
    return named;
}

} // namespace forkhorn::cli
