// The parts of the platform layer that are the same on every system.
#include "platform.hpp"

namespace forkhorn::platform {

std::string_view control_event_name(control_event e)
{
    constexpr std::string_view names[] = {"ttin", "ttou", "hup", "term", "int", "quit", "usr1", "usr2", "winch", "chld"};
    return names[static_cast<int>(e)];
}

} // namespace forkhorn::platform
