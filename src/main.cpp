// forkhorn's command line: parse the settings, then run the arbiter.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/loader.hpp"
#include "control/control.hpp"
#include "core/arbiter.hpp"
#include "core/exchange.hpp"
#include "log/logger.hpp"
#include "settings/load.hpp"
#include "version.hpp"

namespace {

using namespace forkhorn;

constexpr int usage_error = 2;

int fail(std::string_view message)
{
    fmt::print(stderr, "forkhorn: error: {}\n", message);
    return usage_error;
}

// --check-config loads the app in this process, as Gunicorn's check_config imports it.
int check_app(const settings& cfg)
{
    app_host app;
    std::string message;
    if (app.load(cfg.app, message) != app_error::none) return fail(message);
    fmt::print("Configuration OK: {}\n", cfg.app);
    return 0;
}

// Checks that need the system but not a running server: a typo in a user name or a missing
// directory is a configuration error (exit 2), found before anything starts.
std::optional<std::string> check_environment(const settings& cfg)
{
    if (auto err = platform::check_identity(cfg.user, cfg.group)) return err;
    std::error_code ec;
    if (!cfg.chdir.empty()) {
        std::filesystem::current_path(cfg.chdir, ec);
        if (ec) return fmt::format("chdir: cannot change to '{}': {}", cfg.chdir, ec.message());
    }
    return std::nullopt;
}

int serve(const settings& cfg, launch_info launch)
{
    if (auto err = check_environment(cfg)) return fail(*err);
    logger log(cfg.errorlog, *parse_log_level(cfg.loglevel), cfg.accesslog, cfg.access_log_format);
    if (auto err = log.open()) return fail(*err);
    if (cfg.syslog)
        if (auto err = log.enable_syslog(cfg.syslog_addr, "forkhorn")) return fail(*err);
    arbiter master(cfg, std::move(launch), log);
    return master.run();
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    // `forkhorn ctl ...` is a client, with its own options: it never reads the server's settings.
    if (!args.empty() && args[0] == "ctl") return control::run_ctl(std::span(args).subspan(1));
    std::error_code ec;
    launch_info launch{args, platform::program_path(argv[0]), std::filesystem::current_path(ec).string()};
    platform::init_process_title(argc, argv);
    const char* env = std::getenv("FORKHORN_CMD_ARGS");
    auto loaded = load_settings({args, env ? env : ""});
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
