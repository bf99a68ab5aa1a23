#include "core/arbiter.hpp"

#include "version.hpp"
#include "workers/worker.hpp"

namespace forkhorn {
namespace {

using namespace std::chrono_literals;
using platform::control_event;
using platform::worker_command;

} // namespace

arbiter::arbiter(settings cfg, logger& log) : cfg_(std::move(cfg)), log_(log), target_workers_(cfg_.workers) {}

arbiter::~arbiter()
{
    for (auto& l : listeners_) platform::close_listener(l, false);
}

std::optional<std::string> arbiter::bind_all()
{
    for (const auto& address : cfg_.bind) {
        platform::listener l;
        if (auto err = platform::bind_listener(address, cfg_.backlog, l)) return err;
        listeners_.push_back(std::move(l));
    }
    return std::nullopt;
}

int arbiter::run()
{
    int pid = platform::current_pid();
    log_.info("Starting forkhorn {}", version);
    if (auto err = control_.open()) return log_.error("{}", *err), 1;
    if (auto err = bind_all()) return log_.error("{}", *err), 1;
    for (const auto& l : listeners_) log_.info("Listening at: {} ({})", l.url, pid);
    log_.info("Using worker: {}", cfg_.worker_class);
    platform::set_process_title(cfg_.proc_name.empty() ? "forkhorn master" : "fh-m " + cfg_.proc_name);
    while (running_) {
        spawn_missing();
        for (auto e : control_.wait(1000ms)) handle(e);
        reap();
    }
    for (auto& l : listeners_) platform::close_listener(l, true);
    return exit_status_;
}

void arbiter::spawn_missing()
{
    while (running_ && !stopping_ && static_cast<int>(workers_.size()) < target_workers_) spawn_one();
    // Too many (after ttou): stop the oldest first, as Gunicorn does.
    while (!stopping_ && static_cast<int>(workers_.size()) > target_workers_) {
        auto oldest = workers_.begin();
        for (auto it = workers_.begin(); it != workers_.end(); ++it)
            if (it->second.age < oldest->second.age) oldest = it;
        platform::send_worker(oldest->first, worker_command::graceful_stop);
        workers_.erase(oldest); // reaped later as an unknown child
    }
}

void arbiter::spawn_one()
{
    auto worker_main = [this] {
        worker_context ctx{cfg_, listeners_, log_, app_};
        return run_worker_process(ctx);
    };
    int pid = 0;
    if (auto err = platform::spawn_worker(worker_main, pid)) {
        log_.error("Cannot start a worker: {}", *err);
        return halt(1, "Cannot fork workers.");
    }
    workers_[pid] = worker_slot{++next_age_};
    log_.info("Booting worker with pid: {}", pid);
}

void arbiter::handle(control_event e)
{
    if (e == control_event::child) return; // reaped after every wait
    log_.info("Handling signal: {}", platform::control_event_name(e));
    switch (e) {
    case control_event::term: return stop(true);
    case control_event::int_:
    case control_event::quit: return stop(false);
    case control_event::ttin:
        ++target_workers_;
        return;
    case control_event::ttou:
        if (target_workers_ > 1) --target_workers_;
        return;
    case control_event::usr1:
        (void)log_.reopen();
        return signal_all(worker_command::reopen_logs);
    default:
        log_.warning("Ignoring signal {}: not supported in this version",
                     platform::control_event_name(e));
    }
}

void arbiter::reap()
{
    for (const auto& exit : control_.reap()) {
        bool ours = workers_.erase(exit.pid) > 0;
        if (exit.signal == 0 && (exit.exit_code == 3 || exit.exit_code == 4) && !stopping_) {
            log_.error("Worker (pid:{}) exited with code {}.", exit.pid, exit.exit_code);
            return halt(exit.exit_code, exit.exit_code == 3 ? "Worker failed to boot." : "App failed to load.");
        }
        if (exit.signal == 0 && exit.exit_code == 0) {
            if (ours) log_.debug("Worker (pid:{}) exited.", exit.pid);
        } else if (exit.signal != 0) {
            bool kill = exit.signal_name == "SIGKILL";
            auto level = kill ? log_level::error : exit.signal_name == "SIGTERM" ? log_level::info : log_level::warning;
            log_.log(level, fmt::format("Worker (pid:{}) was sent {}!{}", exit.pid, exit.signal_name,
                                        kill ? " Perhaps out of memory?" : ""));
        } else {
            log_.error("Worker (pid:{}) exited with code {}.", exit.pid, exit.exit_code);
        }
    }
}

void arbiter::signal_all(worker_command cmd)
{
    for (const auto& [pid, slot] : workers_) platform::send_worker(pid, cmd);
}

void arbiter::stop(bool graceful)
{
    if (stopping_ && (graceful || quick_requested_)) return;
    stopping_ = true;
    quick_requested_ = !graceful;
    // Closing the listeners first makes new connections fail fast instead of queueing for
    // workers that are leaving.
    for (auto& l : listeners_) platform::close_listener(l, true);
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
    signal_all(worker_command::kill);
    while (!workers_.empty()) {
        control_.wait(100ms);
        reap();
    }
    log_.info("Shutting down: Master");
    running_ = false;
}

void arbiter::halt(int status, std::string_view reason)
{
    stopping_ = true;
    signal_all(worker_command::quick_stop);
    wait_for_workers(5s);
    signal_all(worker_command::kill);
    wait_for_workers(5s);
    log_.info("Shutting down: Master");
    log_.info("Reason: {}", reason);
    exit_status_ = status;
    running_ = false;
}

void arbiter::wait_for_workers(std::chrono::milliseconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!workers_.empty() && std::chrono::steady_clock::now() < deadline) {
        control_.wait(100ms);
        for (const auto& exit : control_.reap()) workers_.erase(exit.pid);
    }
}

} // namespace forkhorn
