#include "workers/worker.hpp"

#include <random>

#include "core/app_log.hpp"
#include "core/exchange.hpp"

namespace forkhorn {

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
    int pid = platform::current_pid();
    platform::set_process_title(ctx.cfg.proc_name.empty() ? "forkhorn worker" : "fh-w " + ctx.cfg.proc_name);
    set_app_logger(&ctx.log);
    platform::worker_control control;
    if (auto err = control.open()) {
        ctx.log.error("Worker (pid:{}) cannot set up signals: {}", pid, *err);
        return 3;
    }
    if (!ctx.app_preloaded) {
        std::string message;
        app_error e = ctx.app.load(ctx.cfg.app, message);
        if (e == app_error::none) e = ctx.app.init(server_api(), message);
        if (e != app_error::none) {
            ctx.log.error("Exception in worker process: {}", message);
            return exit_code_for(e);
        }
    }
    int code = run_sync_worker(ctx, control);
    ctx.app.shutdown();
    ctx.log.info("Worker exiting (pid: {})", pid);
    return code;
}

} // namespace forkhorn
