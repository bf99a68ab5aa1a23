// forkhorn's command line: parse the settings, then run the arbiter.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "app/loader.hpp"
#include "arbiter/arbiter.hpp"
#include "cli/ctl.hpp"
#include "cli/service_command.hpp"
#include "control/control.hpp"
#include "exchange/exchange.hpp"
#include "instance/scoreboard.hpp"
#include "library.hpp"
#include "log/logger.hpp"
#include "process.hpp"
#include "settings/load.hpp"
#include "version.hpp"
#include "worker_process.hpp"
#include "workers/worker.hpp"

namespace {

using namespace forkhorn;

constexpr int usage_error = 2;

std::string program; // this executable, resolved at start (USR2 re-executes it)

int fail(std::string_view message)
{
    fmt::print(stderr, "forkhorn: error: {}\n", message);
    return usage_error;
}

// Every problem of the settings, one line each (exit 2): found before anything starts.
std::optional<server_config> checked(settings values)
{
    std::error_code ec;
    server_config config;
    auto problems = check_settings(std::move(values), std::filesystem::current_path(ec), config);
    for (const auto& problem : problems) fail(problem);
    if (!problems.empty()) return std::nullopt;
    return config;
}

// --check-config loads the app in this process, as Gunicorn's check_config imports it.
int check_app(const settings& cfg)
{
    if (!checked(cfg)) return usage_error;
    app_host app;
    std::string message;
    if (app.load(cfg.app, message) != app_error::none) return fail(message);
    fmt::print("Configuration OK: {}\n", cfg.app);
    return 0;
}

int serve(const settings& values, launch_info launch)
{
    auto config = checked(values);
    if (!config) return usage_error;
    const auto& cfg = config->values;
    std::error_code ec;
    if (!cfg.chdir.empty()) std::filesystem::current_path(cfg.chdir, ec);
    if (ec) return fail(fmt::format("chdir: cannot change to '{}': {}", cfg.chdir, ec.message()));
    logger log(cfg.errorlog, *parse_log_level(cfg.loglevel), cfg.accesslog, cfg.access_log_format);
    if (auto err = log.open()) return fail(*err);
    if (cfg.syslog)
        if (auto err = log.enable_syslog(cfg.syslog_addr, "forkhorn")) return fail(*err);
    arbiter master(std::move(*config), std::move(launch), log, run_worker_process);
    return master.run();
}

// A worker started again by its arbiter (Windows has no fork): rebuild from the bootstrap
// what a forked worker inherits, then run it like any worker.
int run_booted_worker(platform::worker_boot& boot)
{
    settings values;
    if (auto err = settings_from_toml(boot.settings_text, values)) return fail(*err), 3;
    server_config config;
    auto problems = build_config(std::move(values), config);
    for (const auto& problem : problems) fail(problem);
    if (!problems.empty()) return 3;
    const auto& cfg = config.values;
    logger log(cfg.errorlog, *parse_log_level(cfg.loglevel), cfg.accesslog, cfg.access_log_format);
    if (auto err = log.open()) return fail(*err), 3;
    scoreboard board;
    if (auto err = board.attach(boot.scoreboard_handle, boot.scoreboard_size)) return log.error("{}", *err), 3;
    auto* slot = board.slot_at(boot.slot);
    if (!slot) return log.error("worker bootstrap names no scoreboard slot"), 3;
    // A forked worker inherits the app loaded by the arbiter; this one loads it first, so that
    // its hooks (post_fork...) are known as in a forked worker.
    app_host app;
    std::string message;
    if (auto e = app.load(cfg.app, message); e != app_error::none) return log.error("{}", message), exit_code_for(e);
    std::string name = cfg.proc_name.empty() ? cfg.app : cfg.proc_name;
    auto ctx = make_worker_context(config, boot.listeners, log, app, *slot,
                                   fh_server_info{sizeof(fh_server_info), boot.master_pid, cfg.workers, name.c_str()},
                                   boot.age);
    ctx.ticket_keys = &board.ticket_keys();
    return run_worker_process(ctx);
}

// The command line's settings, with $FORKHORN_CMD_ARGS as Gunicorn's GUNICORN_CMD_ARGS.
load_result load_server_args(std::span<const std::string> args)
{
    const char* env = std::getenv("FORKHORN_CMD_ARGS");
    return load_settings({args, env ? env : ""});
}

// What `forkhorn service install` and `service run` need to know of the server's arguments.
cli::server_args_check check_server_args(std::span<const std::string> args)
{
    auto loaded = load_server_args(args);
    return {loaded.error, loaded.action == cli_action::serve, loaded.config.app, loaded.config.errorlog,
            loaded.config.graceful_timeout};
}

// The server's own command line: settings, then the action they ask for.
int serve_command_line(std::vector<std::string> args)
{
    std::error_code ec;
    launch_info launch{args, program, std::filesystem::current_path(ec).string()};
    auto loaded = load_server_args(args);
    if (!loaded.error.empty() && loaded.action != cli_action::help && loaded.action != cli_action::version)
        return fail(loaded.error);
    switch (loaded.action) {
    case cli_action::help: fmt::print("{}", loaded.help); return 0;
    case cli_action::version: fmt::print("forkhorn (version {})\n", version); return 0;
    case cli_action::print_settings_doc: fmt::print("{}", settings_markdown()); return 0;
    case cli_action::print_config: fmt::print("{}", settings_toml(loaded.config)); return 0;
    case cli_action::check_config: return check_app(loaded.config);
    case cli_action::serve: break;
    }
    return serve(loaded.config, std::move(launch));
}

} // namespace

int main(int argc, char** argv)
{
    // Before anything is loaded: no DLL from the current directory or PATH (a planted one would
    // run with the service's rights).
    platform::restrict_library_search();
    std::vector<std::string> args(argv + 1, argv + argc);
    program = platform::program_path(argv[0]);
    // `forkhorn ctl ...` is a client, with its own options: it never reads the server's settings.
    if (!args.empty() && args[0] == "ctl") return control::run_ctl(std::span(args).subspan(1));
    if (!args.empty() && args[0] == "service")
        return cli::run_service_command(std::span(args).subspan(1),
                                        {check_server_args, [](std::span<const std::string> server_args) {
                                             return serve_command_line({server_args.begin(), server_args.end()});
                                         }});
    std::string boot_error;
    if (auto boot = platform::take_worker_boot(args, boot_error)) return run_booted_worker(*boot);
    if (!boot_error.empty()) return fail(boot_error), 3;
    platform::init_process_title(argc, argv);
    return serve_command_line(std::move(args));
}
