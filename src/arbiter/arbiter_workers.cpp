// The arbiter's workers: spawning, reaping, heartbeat timeouts, the worker count.
#include <algorithm>

#include "arbiter/arbiter.hpp"
#include "service.hpp"

namespace forkhorn {
namespace {

using namespace std::chrono_literals;
using platform::worker_command;
using clock = std::chrono::steady_clock;

double seconds_since(std::int64_t ms) { return static_cast<double>(monotonic_ms() - ms) / 1000.0; }

} // namespace

// Workers of the current generation that are not on their way out; after a HUP the older
// generations keep serving until this one has booted (check_ready).
int arbiter::active_workers() const
{
    return static_cast<int>(std::count_if(workers_.begin(), workers_.end(), [this](const auto& w) {
        return !w.second.retired && w.second.generation == generation_;
    }));
}

void arbiter::manage_workers()
{
    while (running_ && !stopping_ && clock::now() >= spawn_after_ && active_workers() < target_workers_) spawn_one();
    // Too many (ttou, worker remove): stop the oldest first, as Gunicorn does.
    while (!stopping_ && active_workers() > target_workers_) {
        int oldest = 0, oldest_age = 0;
        for (const auto& [pid, w] : workers_)
            if (!w.retired && w.generation == generation_ && (oldest == 0 || w.age < oldest_age))
                oldest = pid, oldest_age = w.age;
        retire(oldest);
    }
}

void arbiter::set_target(int target)
{
    if (target > cfg_.max_workers) {
        log_.warning("Not growing to {} workers: --max-workers is {}", target, cfg_.max_workers);
        target = cfg_.max_workers;
    }
    if (target == target_workers_) return;
    server_hook(&fh_hooks::nworkers_changed, target, target_workers_);
    target_workers_ = target;
}

void arbiter::spawn_one()
{
    auto* slot = board_.claim();
    if (!slot) return log_.error("Cannot start a worker: the scoreboard is full");
    int age = ++next_age_;
    fh_worker_info info{sizeof(fh_worker_info), 0, age, 0};
    server_hook(&fh_hooks::pre_fork, &info);
    int pid = 0;
    // A re-executed worker (Windows) gets the effective settings, not the command line: the
    // config file may have changed since the arbiter read it.
    platform::worker_spec spec{board_.index_of(slot),
                               age,
                               listeners_,
                               &board_.memory(),
                               [this, slot, age] { return worker_main(slot, age); },
                               [this] { return settings_toml(worker_settings()); }};
    if (auto err = platform::spawn_worker(spec, pid)) {
        board_.release(slot);
        // fork's EAGAIN or a CreateProcess that fails under load passes: tried again after a
        // pause, and only a failure that lasts stops the server (Gunicorn's halt).
        if (++spawn_failures_ >= spawn_attempts) {
            log_.error("Cannot start a worker: {}", *err);
            return halt(1, "Cannot fork workers.");
        }
        log_.error("Cannot start a worker: {}; trying again in 1 s", *err);
        spawn_after_ = clock::now() + 1s;
        return;
    }
    spawn_failures_ = 0;
    slot->pid = pid;
    workers_[pid] = worker{age, generation_, slot, clock::now(), std::nullopt, false};
    ++spawned_;
    log_.info("Booting worker with pid: {}", pid);
}

// What a worker started as a new image (Windows) runs with: the effective settings, and the app
// the arbiter has loaded (the kept copy after a bad deploy).
settings arbiter::worker_settings() const
{
    settings s = cfg_;
    if (!app_in_use_.empty()) s.app = app_in_use_;
    // The TLS files as they loaded (check_settings), over the worker's private bootstrap pipe: a
    // renewal that went wrong since must not stop the workers started after it.
    if (config_.tls) {
        s.certfile = config_.tls->cert_pem;
        s.keyfile = config_.tls->key_pem;
        s.ca_certs = config_.tls->ca_pem;
    }
    return s;
}

int arbiter::worker_main(scoreboard_slot* slot, int age)
{
    // The control socket belongs to the arbiter; a worker outliving it must not keep it alive.
    if (control_server_) control_server_->close();
    auto ctx = make_worker_context(config_, listeners_, log_, app_, *slot, server_info(), age);
    ctx.ticket_keys = &board_.ticket_keys();
    return entry_(ctx);
}

void arbiter::reap()
{
    for (const auto& exit : control_.reap()) {
        if (exit.pid == upgrade_child_) {
            log_.error("The new master (pid:{}) exited; this master carries on.", exit.pid);
            upgrade_child_ = 0;
            continue;
        }
        auto it = workers_.find(exit.pid);
        if (it == workers_.end()) continue; // not ours (an adopted orphan): nothing to do
        board_.release(it->second.slot);
        fh_worker_info info{sizeof(fh_worker_info), exit.pid, it->second.age, exit.hook_status};
        bool retired = it->second.retired.has_value();
        workers_.erase(it);
        on_worker_exit(exit);
        if (!stopping_) server_hook(&fh_hooks::child_exit, &info);
        if (!retired && !stopping_ && exit.cause == platform::exit_cause::exited &&
            (exit.exit_code == 3 || exit.exit_code == 4))
            after_boot_failure(exit);
        if (!running_) return;
    }
}

// A worker that cannot boot stops a server that is starting (Gunicorn's halt), but a server that
// has served keeps running: the worker is replaced after a pause, so a failing boot never spins.
void arbiter::after_boot_failure(const platform::child_exit& exit)
{
    if (!served_) return halt(exit.exit_code, exit.exit_code == 3 ? "Worker failed to boot." : "App failed to load.");
    log_.error("Worker (pid:{}) failed to boot; the server keeps running and starts another in 1 s", exit.pid);
    spawn_after_ = clock::now() + 1s;
}

void arbiter::on_worker_exit(const platform::child_exit& exit)
{
    using platform::exit_cause;
    if (exit.cause != exit_cause::exited) {
        bool kill = exit.cause == exit_cause::killed;
        auto level = kill ? log_level::error : exit.cause == exit_cause::stopped ? log_level::info : log_level::warning;
        log_.log(level, fmt::format("Worker (pid:{}) was sent {}!{}", exit.pid, exit.by,
                                    kill ? " Perhaps out of memory?" : ""));
        ++killed_;
    } else if (exit.exit_code != 0) {
        log_.error("Worker (pid:{}) exited with code {}.", exit.pid, exit.exit_code);
    }
}

void arbiter::murder_workers()
{
    auto now = clock::now();
    for (auto& [pid, w] : workers_) {
        // A retired worker gets graceful_timeout to finish; an active one must beat every timeout.
        bool overdue = w.retired ? now - *w.retired > std::chrono::seconds(cfg_.graceful_timeout)
                                 : config_.timeouts.silent_worker.count() > 0 &&
                                       seconds_since(w.slot->last_beat_ms) > config_.timeouts.silent_worker.count();
        if (!overdue) continue;
        if (!w.aborted && !w.retired) {
            log_.critical("WORKER TIMEOUT (pid:{})", pid);
            w.aborted = true;
            platform::send_worker(pid, worker_command::abort);
        } else {
            platform::send_worker(pid, worker_command::kill);
        }
    }
}

void arbiter::retire(int pid)
{
    auto it = workers_.find(pid);
    if (it == workers_.end() || it->second.retired) return;
    it->second.retired = clock::now();
    it->second.slot->state = worker_state::stopping;
    platform::send_worker(pid, worker_command::graceful_stop);
}

void arbiter::signal_all(worker_command cmd)
{
    for (const auto& [pid, w] : workers_) platform::send_worker(pid, cmd);
}

void arbiter::check_ready()
{
    if (stopping_ || !running_) return;
    bool booted = std::all_of(workers_.begin(), workers_.end(), [this](const auto& w) {
        return w.second.generation != generation_ || w.second.slot->state.load() != worker_state::booting;
    });
    if (!booted || active_workers() < target_workers_) return;
    if (retire_after_generation_ && *retire_after_generation_ == generation_) retire_old_generations();
    if (ready_) return;
    ready_ = true;
    served_ = true;
    write_pidfile("ready");
    platform::notify_service(platform::lifecycle::ready);
    daemon_.report_ready();
}

int arbiter::change_workers(int delta)
{
    int previous = target_workers_;
    set_target(std::max(1, target_workers_ + delta));
    return previous;
}

bool arbiter::kill_worker(int pid)
{
    auto it = workers_.find(pid);
    if (it == workers_.end()) return false;
    retire(pid);
    return true;
}

std::vector<control::worker_row> arbiter::workers() const
{
    std::vector<control::worker_row> rows;
    for (const auto& [pid, w] : workers_) {
        const auto& slot = *w.slot;
        rows.push_back({pid, w.age, seconds_since(slot.started_ms), slot.requests.load(), slot.connections.load(),
                        seconds_since(slot.last_beat_ms), std::string(worker_state_name(slot.state.load()))});
    }
    return rows;
}

control::stats_row arbiter::stats() const
{
    auto uptime = std::chrono::duration<double>(clock::now() - started_at_).count();
    return {uptime,  platform::current_pid(), static_cast<int>(workers_.size()), target_workers_, spawned_, killed_,
            reloads_};
}

std::vector<control::listener_row> arbiter::listeners() const
{
    std::vector<control::listener_row> rows;
    for (const auto& l : listeners_) {
        std::string type = l.url.starts_with("unix:") ? "unix" : l.url.find('[') != std::string::npos ? "tcp6" : "tcp";
        rows.push_back({l.url, static_cast<std::int64_t>(l.fd), type});
    }
    return rows;
}

} // namespace forkhorn
