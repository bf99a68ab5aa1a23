// Windows services: `forkhorn service install|uninstall|start|stop|status|run` and the
// service status reports behind notify_service. (Written by the service work; see docs/windows.md.)
#include "win.hpp"

#include <cstdio>

namespace forkhorn::platform {

int run_service_command(std::span<const std::string>, const std::function<int(std::span<const std::string>)>&)
{
    std::fputs("forkhorn: error: service commands are not built yet\n", stderr);
    return 2;
}

void notify_service(std::string_view) {}

} // namespace forkhorn::platform
