#include "instance/worker_context.hpp"

namespace forkhorn {

worker_context make_worker_context(const server_config& config, std::span<const platform::listener> listeners,
                                   logger& log, app_host& app, scoreboard_slot& slot, const fh_server_info& server,
                                   int age)
{
    return worker_context{config, config.values, listeners, log,
                          app,    slot,          server,    fh_worker_info{sizeof(fh_worker_info), 0, age, 0}};
}

} // namespace forkhorn
