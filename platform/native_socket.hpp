// The one handle type the platform interface passes around. Nothing here includes an OS header.
#pragma once

#include <cstdint>

namespace forkhorn::platform {

/// A socket (POSIX fd, Windows SOCKET) or other waitable handle, as an integer.
using native_socket = std::intptr_t;
inline constexpr native_socket invalid_socket = -1;

} // namespace forkhorn::platform
