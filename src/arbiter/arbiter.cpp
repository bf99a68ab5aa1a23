// The arbiter's start-up, main loop, control events and shutdown.
#include "arbiter/arbiter.hpp"

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "exchange/exchange.hpp"
#include "instance/pidfile.hpp"
#include "service.hpp"
#include "version.hpp"

namespace forkhorn {
namespace {

using namespace std::chrono_literals;
using platform::control_event;
using platform::worker_command;

// Upper bound on live workers during a reload, when two generations overlap.
constexpr std::size_t scoreboard_capacity = 2 * 4096 + 64;

// Socket numbers as the environment or an fd:// bind gives them (a handle value on Windows).
platform::native_socket socket_number(const char* text) { return std::strtoll(text, nullptr, 10); }

std::vector<platform::native_socket> inherited_fds(const char* variable)
{
    std::vector<platform::native_socket> fds;
    const char* text = std::getenv(variable);
    for (const char* p = text; p && *p;) {
        fds.push_back(socket_number(p));
        p = std::strchr(p, ',');
        if (p) ++p;
    }
    return fds;
}

// The configured addresses of inherited listeners, one per line, in FORKHORN_FD's order.
std::vector<std::string> inherited_names(const char* variable)
{
    std::vector<std::string> names;
    const char* text = std::getenv(variable);
    for (std::string_view rest = text ? text : ""; !rest.empty();) {
        auto end = rest.find('\n');
        names.emplace_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    return names;
}

} // namespace

arbiter::arbiter(server_config config, launch_info launch, logger& log, worker_entry entry)
    : config_(std::move(config)), launch_(std::move(launch)), log_(log), entry_(entry), target_workers_(cfg_.workers)
{
}

arbiter::~arbiter()
{
    for (auto& l : listeners_) platform::close_listener(l, false);
}

std::optional<std::string> arbiter::open_listeners()
{
    // A master started by USR2 gets its listeners from the old one; systemd passes its own.
    auto fds = inherited_fds("FORKHORN_FD");
    auto names = inherited_names("FORKHORN_FD_NAMES");
    platform::unset_env("FORKHORN_FD");
    platform::unset_env("FORKHORN_FD_NAMES");
    if (fds.empty()) fds = platform::service_manager_sockets();
    listeners_inherited_ = !fds.empty();
    for (const auto& address : cfg_.bind)
        if (address.starts_with("fd://")) fds.push_back(socket_number(address.c_str() + 5));
    for (std::size_t i = 0; i < fds.size(); ++i) {
        platform::listener l;
        if (auto err = platform::adopt_listener(fds[i], l)) return err;
        if (i < names.size() && !names[i].empty()) l.address = names[i];
        listeners_.push_back(std::move(l));
    }
    if (listeners_inherited_) {
        name_schemes();
        return std::nullopt;
    }
    int old_mask = platform::set_umask(cfg_.umask);
    std::optional<std::string> error;
    for (const auto& address : cfg_.bind) {
        if (address.starts_with("fd://")) continue;
        platform::listener l;
        if ((error = platform::bind_listener(address, cfg_.backlog, l, cfg_.reuse_port))) break;
        listeners_.push_back(std::move(l));
    }
    platform::set_umask(old_mask);
    name_schemes();
    return error;
}

// A TLS listener is logged and listed as https://, as Gunicorn does.
void arbiter::name_schemes()
{
    for (auto& l : listeners_) {
        bool tls = config_.secure(l.address);
        if (tls && l.url.starts_with("http://"))
            l.url.replace(0, 7, "https://");
        else if (!tls && l.url.starts_with("https://"))
            l.url.replace(0, 8, "http://");
    }
}

std::optional<std::string> arbiter::start()
{
    if (const char* parent = std::getenv("FORKHORN_PID")) upgrade_parent_ = std::atoi(parent);
    platform::unset_env("FORKHORN_PID");
    name_ = (cfg_.proc_name.empty() ? cfg_.app : cfg_.proc_name) + (upgrade_parent_ ? ".2" : "");
    if (cfg_.daemon && !upgrade_parent_)
        if (auto err = daemon_.daemonize(false)) return err;
    log_.info("Starting forkhorn {}", version);
    if (auto err = claim_pidfile()) return err;
    std::string message;
    if (app_.load(cfg_.app, message) != app_error::none) {
        log_.error("{}", message);
        halt(4, "App failed to load.");
        return std::nullopt;
    }
    if (auto err = keep_app(cfg_.app)) log_.warning("{}: a deploy that breaks the app stops the server", *err);
    server_hook(&fh_hooks::on_starting);
    if (auto err = control_.open(cfg_.proc_name)) return err;
    if (auto err = open_listeners()) return err;
    if (auto err = board_.create(scoreboard_capacity)) return err;
    board_.rotate_ticket_keys(ticket_key_rotation);
    give_files_to_workers();
    for (const auto& l : listeners_) log_.info("Listening at: {} ({})", l.url, platform::current_pid());
    log_.info("Using worker: {}", cfg_.worker_class);
    for (const auto& note : config_.notes) log_.info("{}", note);
    if (cfg_.preload_app && app_.init(server_api(), message) != app_error::none) {
        log_.error("{}", message);
        halt(3, "Worker failed to boot.");
        return std::nullopt;
    }
    server_hook(&fh_hooks::when_ready);
    platform::set_process_title(fmt::format("forkhorn: master [{}]", name_));
    if (auto err = open_control_socket()) return err;
    server_hook(&fh_hooks::nworkers_changed, target_workers_, 0);
    return std::nullopt;
}

int arbiter::run()
{
    if (auto err = start()) {
        log_.error("{}", *err);
        daemon_.report_failure(1, *err);
        finish();
        return 1;
    }
    while (running_) loop_once();
    finish();
    return exit_status_;
}

void arbiter::loop_once()
{
    manage_workers();
    bool control_ready = false;
    auto watch = control_server_ ? control_server_->handle() : platform::invalid_socket;
    // A control client that connected but has not sent all of its request is read again soon.
    auto wait = control_server_ && control_server_->has_clients() ? 10ms : 1000ms;
    for (auto e : control_.wait(wait, watch, &control_ready)) handle(e);
    if (control_server_) control_ready ? control_server_->on_readable() : control_server_->poll();
    reap();
    murder_workers();
    board_.rotate_ticket_keys(ticket_key_rotation);
    maybe_promote();
    check_ready();
}

void arbiter::handle(control_event e)
{
    if (e == control_event::child) return; // reaped after every wait
    log_.info("Handling signal: {}", platform::control_event_name(e));
    switch (e) {
    case control_event::term: return stop(true);
    case control_event::int_:
    case control_event::quit: return stop(false);
    case control_event::ttin: return set_target(target_workers_ + 1);
    case control_event::ttou: return set_target(std::max(1, target_workers_ - 1));
    case control_event::hup: return reload();
    case control_event::usr2: return upgrade();
    case control_event::usr1:
        (void)log_.reopen();
        give_files_to_workers(); // a log the master just created must be one the workers can open
        return signal_all(worker_command::reopen_logs);
    case control_event::winch:
        if (!cfg_.daemon && !platform::running_as_service()) return log_.debug("SIGWINCH ignored. Not daemonized");
        log_.info("graceful stop of workers");
        return set_target(0);
    default: return;
    }
}

void arbiter::stop(bool graceful)
{
    if (stopping_ && (graceful || quick_requested_)) return;
    stopping_ = true;
    quick_requested_ = !graceful;
    platform::notify_service(platform::lifecycle::stopping);
    write_pidfile("stopping");
    // Closing the listeners first makes new connections fail fast instead of queueing for
    // workers that are leaving. A unix socket file stays while a new master (USR2) or
    // systemd still uses it.
    bool unlink = !upgrade_child_ && !upgrade_parent_ && !listeners_inherited_;
    for (auto& l : listeners_) platform::close_listener(l, unlink);
    signal_all(graceful ? worker_command::graceful_stop : worker_command::quick_stop);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(cfg_.graceful_timeout);
    while (!workers_.empty() && std::chrono::steady_clock::now() < deadline) {
        for (auto e : control_.wait(100ms))
            if (graceful && (e == control_event::int_ || e == control_event::quit)) {
                log_.info("Handling signal: {}", platform::control_event_name(e));
                return stop(false);
            }
        reap();
    }
    end_run();
}

void arbiter::halt(int status, std::string_view reason)
{
    stopping_ = true;
    signal_all(worker_command::quick_stop);
    wait_for_workers(5s);
    end_run();
    log_.info("Reason: {}", reason);
    daemon_.report_failure(status, reason);
    exit_status_ = status;
    running_ = false;
}

// Workers still there after their stop command are killed; the master's loop ends.
void arbiter::end_run()
{
    signal_all(worker_command::kill);
    wait_for_workers(5s);
    log_.info("Shutting down: Master");
    running_ = false;
}

void arbiter::wait_for_workers(std::chrono::milliseconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!workers_.empty() && std::chrono::steady_clock::now() < deadline) {
        control_.wait(100ms);
        reap();
    }
}

// Workers that run as -u/-g reopen the logs after a rotation and accept on unix sockets: what
// the master created for them is theirs, as Gunicorn chowns it.
void arbiter::give_files_to_workers()
{
    if (cfg_.user.empty() && cfg_.group.empty()) return;
    std::vector<std::string> paths;
    for (const auto* log : {&cfg_.errorlog, &cfg_.accesslog})
        if (!log->empty() && *log != "-") paths.push_back(*log);
    for (const auto& l : listeners_)
        if (!l.unix_path.empty()) paths.push_back(l.unix_path);
    for (const auto& path : paths)
        if (auto err = platform::give_to_worker(path, cfg_.user, cfg_.group)) log_.warning("{}", *err);
}

std::optional<std::string> arbiter::open_control_socket()
{
    auto path = control_socket_path();
    if (path.empty()) return std::nullopt;
    if (control_server_) control_server_->close();
    control_server_.reset();
    auto server = std::make_unique<control::control_server>(*this);
    int old_mask = platform::set_umask(077);
    auto err = server->open(path, cfg_.control_socket_mode);
    platform::set_umask(old_mask);
    // Where any user may take the name first (Windows pipes), a master without its own would
    // leave `ctl` talking to whoever holds it: refuse to start. Elsewhere, as in Gunicorn, the
    // server runs without its control socket rather than not at all.
    if (err && platform::supports(platform::feature::global_control_names))
        return fmt::format("Control socket not started, refusing to run without it: {} (stop the process that "
                           "holds the name, or give --control-socket another path)",
                           *err);
    if (err) return log_.warning("Control socket not started: {}", *err), std::nullopt;
    log_.info("Control socket listening at {}", path);
    control_server_ = std::move(server);
    write_pidfile(ready_ ? "ready" : "starting");
    return std::nullopt;
}

void arbiter::finish()
{
    if (control_server_) control_server_->close();
    remove_pidfile_if_mine(pidfile_path(), platform::current_pid());
    server_hook(&fh_hooks::on_exit);
    if (cfg_.preload_app) app_.shutdown();
    keeper_.discard();
}

} // namespace forkhorn
