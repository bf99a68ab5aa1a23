// The arbiter's reload (HUP), binary upgrade (USR2), promotion and pidfile.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "arbiter/arbiter.hpp"
#include "instance/pidfile.hpp"
#include "service.hpp"
#include "settings/load.hpp"

namespace forkhorn {
namespace {

std::string cmd_args_env()
{
    const char* env = std::getenv("FORKHORN_CMD_ARGS");
    return env ? env : "";
}

} // namespace

void arbiter::reload()
{
    log_.info("Hang up: Master");
    platform::notify_service(platform::lifecycle::reloading);
    write_pidfile("reloading");
    auto config = load_checked_config();
    if (auto err = log_.reopen()) log_.error("Reload: {}", *err);
    if (!cfg_.preload_app && !reload_app(config ? config->values.app : cfg_.app)) {
        // The running generation stays, with the settings it runs with.
        write_pidfile(ready_ ? "ready" : "starting");
        if (ready_) platform::notify_service(platform::lifecycle::ready);
        return;
    }
    if (config) {
        auto old_bind = cfg_.bind;
        config_ = std::move(*config);
        for (const auto& note : config_.notes) log_.info("Reload: {}", note);
        log_.reconfigure(cfg_.errorlog, *parse_log_level(cfg_.loglevel), cfg_.accesslog, cfg_.access_log_format);
        if (old_bind != cfg_.bind) reload_listeners();
        give_files_to_workers();
    }
    server_hook(&fh_hooks::on_reload);
    ++reloads_;
    ++generation_;
    retire_after_generation_ = generation_;
    ready_ = false;
    set_target(cfg_.workers);
}

// Loads the app a reload asks for. When it does not load (a bad deploy), the code that was
// running is loaded again from the kept copy, so that replacement workers still run it.
bool arbiter::reload_app(const std::string& spec)
{
    std::string message;
    app_.unload();
    if (app_.load(spec, message) == app_error::none) {
        if (auto err = keep_app(spec)) log_.warning("{}", *err);
        return true;
    }
    log_.error("Reload: {}; keeping the running workers and the code they run", message);
    if (keeper_.spec().empty() || app_.load(keeper_.spec(), message) != app_error::none)
        log_.error("Reload: the last app that loaded cannot be loaded again either: {}", message);
    else
        app_in_use_ = keeper_.spec();
    return false;
}

// Workers load the library that loaded, by its own path (its dependencies beside it are found
// there on Windows); the copy is what they load only after a bad deploy (reload_app).
std::optional<std::string> arbiter::keep_app(const std::string& spec)
{
    app_in_use_ = spec;
    return keeper_.keep(spec);
}

// The settings a HUP asks for, checked as a start checks them; nothing when they have an error.
std::optional<server_config> arbiter::load_checked_config()
{
    auto loaded = load_settings({launch_.args, cmd_args_env()});
    std::vector<std::string> problems;
    server_config config;
    if (!loaded.error.empty())
        problems.push_back(loaded.error);
    else
        problems = check_settings(std::move(loaded.config), launch_.start_dir, config);
    for (const auto& problem : problems)
        log_.error("Reload: the configuration has an error, keeping the current one: {}", problem);
    if (!problems.empty()) return std::nullopt;
    return config;
}

void arbiter::reload_listeners()
{
    // Listeners still wanted stay open: the old workers hold them, so closing and binding
    // the same address again would fail.
    std::vector<platform::listener> kept;
    for (auto& l : listeners_) {
        bool wanted = std::find(cfg_.bind.begin(), cfg_.bind.end(), l.address) != cfg_.bind.end();
        if (wanted || l.address.starts_with("fd://")) {
            kept.push_back(l);
            continue;
        }
        log_.info("Closing listener {}", l.url);
        platform::close_listener(l, true);
    }
    listeners_ = std::move(kept);
    for (const auto& address : cfg_.bind) {
        bool have =
            std::any_of(listeners_.begin(), listeners_.end(), [&](const auto& l) { return l.address == address; });
        if (have || address.starts_with("fd://")) continue;
        platform::listener l;
        if (auto err = platform::bind_listener(address, cfg_.backlog, l, cfg_.reuse_port)) {
            log_.error("Reload: {}", *err);
            continue;
        }
        listeners_.push_back(std::move(l));
        name_schemes();
        log_.info("Listening at: {} ({})", listeners_.back().url, platform::current_pid());
    }
    name_schemes();
}

void arbiter::retire_old_generations()
{
    retire_after_generation_.reset();
    std::vector<int> old;
    for (const auto& [pid, w] : workers_)
        if (w.generation < generation_) old.push_back(pid);
    for (int pid : old) retire(pid);
}

void arbiter::upgrade()
{
    if (upgrade_child_) return log_.warning("USR2 signal ignored. Child exists.");
    if (upgrade_parent_) return log_.warning("USR2 signal ignored. Parent exists.");
    std::string fds, names;
    for (const auto& l : listeners_) {
        fds += (fds.empty() ? "" : ",") + std::to_string(l.fd);
        names += (names.empty() ? "" : "\n") + l.address;
    }
    // The addresses as configured go along: an https:// one must stay TLS in the new master.
    std::vector<std::string> env{"FORKHORN_FD=" + fds, "FORKHORN_FD_NAMES=" + names,
                                 "FORKHORN_PID=" + std::to_string(platform::current_pid())};
    // Relative paths on the command line were relative to where it was started.
    std::error_code ec;
    auto here = std::filesystem::current_path(ec);
    std::filesystem::current_path(launch_.start_dir, ec);
    int pid = 0;
    auto err = platform::exec_child(launch_.program, launch_.args, env, pid);
    std::filesystem::current_path(here, ec);
    if (err) return log_.error("Upgrade failed: {}", *err);
    upgrade_child_ = pid;
    log_.info("Started the new master (pid: {})", pid);
}

void arbiter::maybe_promote()
{
    if (!upgrade_parent_ || platform::parent_pid() == upgrade_parent_) return;
    std::string old_pidfile = pidfile_path();
    upgrade_parent_ = 0;
    log_.info("Master has been promoted.");
    name_ = cfg_.proc_name.empty() ? cfg_.app : cfg_.proc_name;
    platform::set_process_title(fmt::format("forkhorn: master [{}]", name_));
    write_pidfile(ready_ ? "ready" : "starting");
    if (!old_pidfile.empty()) remove_pidfile_if_mine(old_pidfile, platform::current_pid());
    if (auto err = open_control_socket()) log_.error("{}", *err);
    platform::notify_service(platform::lifecycle::ready);
}

std::string arbiter::pidfile_path() const
{
    std::string path = !cfg_.pidfile.empty()    ? cfg_.pidfile
                       : cfg_.proc_name.empty() ? ""
                                                : default_pidfile(cfg_.proc_name);
    return path.empty() || !upgrade_parent_ ? path : path + ".2";
}

std::string arbiter::control_socket_path() const
{
    if (cfg_.control_socket_disable) return {};
    std::string path = cfg_.control_socket.empty() ? default_control_socket(cfg_.proc_name) : cfg_.control_socket;
    return upgrade_parent_ ? path + ".2" : path;
}

std::optional<std::string> arbiter::claim_pidfile()
{
    auto path = pidfile_path();
    if (path.empty()) return std::nullopt;
    std::string error;
    auto existing = read_pidfile(path, error);
    if (existing && existing->pid != platform::current_pid() && pidfile_is_live(*existing, cfg_.proc_name))
        return fmt::format("Already running on PID {} (pidfile {})", existing->pid, path);
    // The runtime directory is made the owner's only (Windows: it is under %ProgramData%, where
    // anyone could otherwise plant a pidfile naming another control pipe); a directory given
    // with -p is made as the umask says.
    auto dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (cfg_.pidfile.empty()) {
        if (auto err = platform::make_private_directories(dir.string())) return err;
    } else {
        std::filesystem::create_directories(dir, ec);
    }
    pidfile_written_ = true;
    write_pidfile("starting");
    return std::nullopt;
}

void arbiter::write_pidfile(std::string_view state)
{
    auto path = pidfile_path();
    if (path.empty() || !pidfile_written_) return;
    int pid = platform::current_pid();
    pidfile_content content{pid,
                            platform::process_start_time(pid),
                            cfg_.proc_name,
                            cfg_.config,
                            std::string(state),
                            control_server_ ? control_server_->path() : std::string()};
    // Like Gunicorn's 0644 pidfile: readable by all, writable only by its owner.
    int old_mask = platform::set_umask(cfg_.umask | 022);
    if (auto err = forkhorn::write_pidfile(path, content)) log_.error("{}", *err);
    platform::set_umask(old_mask);
}

fh_server_info arbiter::server_info() const
{
    return fh_server_info{sizeof(fh_server_info), pid_, target_workers_, name_.c_str()};
}

} // namespace forkhorn
