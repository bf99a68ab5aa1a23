// The contract between the arbiter and the worker types: what a worker process runs with, and
// the entry point through which the arbiter starts one without knowing the worker types (main
// hands it over).
#pragma once

#include <span>

#include "app/loader.hpp"
#include "instance/scoreboard.hpp"
#include "log/logger.hpp"
#include "settings/checked.hpp"
#include "sockets.hpp"

namespace forkhorn {

struct worker_context {
    const server_config& config; // checked and typed
    const settings& cfg;         // config.values
    std::span<const platform::listener> listeners;
    logger& log;
    app_host& app;         // loaded in the arbiter (forked workers), else by the worker itself
    scoreboard_slot& slot; // this worker's heartbeat and counters
    fh_server_info server;
    fh_worker_info info;
    const shared_ticket_keys* ticket_keys = nullptr; // the arbiter's TLS session-ticket keys
};

/// The one place a worker's context is built, whether the worker was forked from the arbiter
/// (which hands over its own objects) or started again and rebuilt from its bootstrap.
/// `server.name` must outlive the context.
worker_context make_worker_context(const server_config& config, std::span<const platform::listener> listeners,
                                   logger& log, app_host& app, scoreboard_slot& slot, const fh_server_info& server,
                                   int age);

/// The body of a worker process; returns its exit status (0, or Gunicorn's 3 = boot error,
/// 4 = app load error).
using worker_entry = int (*)(worker_context&);

} // namespace forkhorn
