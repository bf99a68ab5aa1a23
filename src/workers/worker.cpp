#include "workers/worker.hpp"

#include <random>

#include "exchange/app_log.hpp"
#include "exchange/exchange.hpp"
#include "process.hpp"
#include "system.hpp"

namespace forkhorn {
namespace {

// The hooks that run inside signal handlers reach the app through these (set once per worker).
const fh_hooks* signal_hooks = nullptr;
fh_worker_info signal_worker_info{};

void on_quick_exit() { call_hook(signal_hooks, &fh_hooks::worker_int, &signal_worker_info); }
void on_abort() { call_hook(signal_hooks, &fh_hooks::worker_abort, &signal_worker_info); }

int boot(worker_context& ctx)
{
    if (auto err = platform::drop_privileges(ctx.cfg.user, ctx.cfg.group, ctx.cfg.initgroups)) {
        ctx.log.error("Exception in worker process: {}", *err);
        return 3;
    }
    std::string message;
    app_error e = ctx.app.loaded() ? app_error::none : ctx.app.load(ctx.cfg.app, message);
    if (e == app_error::none && !ctx.app.initialized()) e = ctx.app.init(server_api(), message);
    if (e != app_error::none) {
        ctx.log.error("Exception in worker process: {}", message);
        return exit_code_for(e);
    }
    return 0;
}

} // namespace

int pick_max_requests(const settings& cfg)
{
    if (cfg.max_requests <= 0) return 0;
    std::uniform_int_distribution<int> jitter(0, cfg.max_requests_jitter);
    std::random_device seed;
    std::mt19937 rng(seed());
    return cfg.max_requests + jitter(rng);
}

int run_worker_process(worker_context& ctx)
{
    ctx.info.pid = platform::current_pid();
    ctx.slot.pid = ctx.info.pid;
    ctx.slot.beat();
    platform::set_process_title(fmt::format("forkhorn: worker [{}]", ctx.server.name));
    set_app_logger(&ctx.log);
    signal_hooks = ctx.app.hooks();
    signal_worker_info = ctx.info;
    platform::worker_control control;
    if (auto err = control.open(on_quick_exit, on_abort)) {
        ctx.log.error("Worker (pid:{}) cannot set up signals: {}", ctx.info.pid, *err);
        return 3;
    }
    call_hook(ctx.app.hooks(), &fh_hooks::post_fork, &ctx.server, &ctx.info);
    if (int code = boot(ctx)) return code;
    call_hook(ctx.app.hooks(), &fh_hooks::post_worker_init, &ctx.info);
    ctx.slot.set(worker_state::idle);
    int code = ctx.config.worker == worker_type::sync ? run_sync_worker(ctx, control) : run_event_worker(ctx, control);
    ctx.slot.set(worker_state::stopping);
    ctx.info.exit_code = code;
    call_hook(ctx.app.hooks(), &fh_hooks::worker_exit, &ctx.server, &ctx.info);
    if (!ctx.cfg.preload_app) ctx.app.shutdown();
    ctx.log.info("Worker exiting (pid: {})", ctx.info.pid);
    return code;
}

} // namespace forkhorn
