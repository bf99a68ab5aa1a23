// The entry point of a worker process (the worker_entry main hands to the arbiter) and the
// worker types it runs.
#pragma once

#include "instance/worker_context.hpp"
#include "worker_process.hpp"

namespace forkhorn {

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
