// The arbiter (master): binds the listeners, keeps `workers` worker processes alive, and acts
// on control events. Written once against platform::control_event, whatever delivers them.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/loader.hpp"
#include "log/logger.hpp"
#include "platform.hpp"
#include "settings/settings.hpp"

namespace forkhorn {

class arbiter {
public:
    arbiter(settings cfg, logger& log);
    ~arbiter();
    arbiter(const arbiter&) = delete;
    arbiter& operator=(const arbiter&) = delete;

    /// Runs until stopped; returns the process exit status (0 after a clean stop, 1 when the
    /// listeners cannot be bound, 3/4 when a worker failed to boot).
    int run();

private:
    struct worker_slot {
        int age = 0; // spawn order: the oldest is stopped first
    };

    std::optional<std::string> bind_all();
    void spawn_missing();
    void spawn_one();
    void handle(platform::control_event e);
    void reap();
    void stop(bool graceful);
    void signal_all(platform::worker_command cmd);
    void halt(int status, std::string_view reason);
    /// Reaps workers silently until none is left or `limit` passes.
    void wait_for_workers(std::chrono::milliseconds limit);

    settings cfg_;
    logger& log_;
    app_host app_;
    platform::control_source control_;
    std::vector<platform::listener> listeners_;
    std::map<int, worker_slot> workers_;
    int target_workers_;
    int next_age_ = 0;
    bool running_ = true;
    bool stopping_ = false;
    int exit_status_ = 0;
    bool quick_requested_ = false;
};

} // namespace forkhorn
