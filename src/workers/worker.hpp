// What every worker type gets from the arbiter, and the entry point of a worker process.
#pragma once

#include <span>

#include "app/loader.hpp"
#include "core/scoreboard.hpp"
#include "log/logger.hpp"
#include "platform.hpp"
#include "settings/settings.hpp"

namespace forkhorn {

struct worker_context {
    const settings& cfg;
    std::span<const platform::listener> listeners;
    logger& log;
    app_host& app;           // loaded in the arbiter; initialised there too with --preload
    scoreboard_slot& slot;   // this worker's heartbeat and counters
    fh_server_info server;
    fh_worker_info info;
};

/// Runs a worker process to the end: drops privileges, initialises the app (unless
/// preloaded), serves, and returns the exit code (0, or Gunicorn's 3 = boot error,
/// 4 = app load error).
int run_worker_process(worker_context& ctx);

/// The sync worker: one connection at a time, `Connection: close` after each response.
int run_sync_worker(worker_context& ctx, platform::worker_control& control);

/// The keep-alive worker types (gthread, async, uv): an event loop per worker.
int run_event_worker(worker_context& ctx, platform::worker_control& control);

/// max_requests plus a random jitter in [0, max_requests_jitter]; 0 = unlimited.
int pick_max_requests(const settings& cfg);

} // namespace forkhorn
