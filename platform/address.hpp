// Bind-address syntax shared by the socket implementations (platform-internal).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace forkhorn::platform {

struct host_port {
    std::string host;
    std::string port;
};

/// HOST:PORT, [V6]:PORT, HOST (port 8000), tcp://HOST:PORT: Gunicorn's bind forms.
std::optional<host_port> split_host_port(std::string_view address);

} // namespace forkhorn::platform
