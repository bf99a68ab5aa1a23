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

/// HOST:PORT, [V6]:PORT, HOST (port 8000), tcp://HOST:PORT: Gunicorn's bind forms. The port is
/// a decimal number up to 65535 (getaddrinfo would take 99999 and bind 34463).
std::optional<host_port> split_host_port(std::string_view address);

/// The form of a bind address, without resolving or binding: fd://N, unix:PATH (its directory
/// exists), or a TCP address split_host_port accepts. An error names the address.
std::optional<std::string> check_bind_form(const std::string& address, std::optional<host_port>& tcp);

} // namespace forkhorn::platform
