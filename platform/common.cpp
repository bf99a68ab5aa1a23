// The parts of the platform layer that are the same on every system.
#include "address.hpp"
#include "events.hpp"
#include "sockets.hpp"

namespace forkhorn::platform {

std::string_view control_event_name(control_event e)
{
    constexpr std::string_view names[] = {"ttin", "ttou", "hup",  "term",  "int",
                                          "quit", "usr1", "usr2", "winch", "chld"};
    return names[static_cast<int>(e)];
}

std::optional<host_port> split_host_port(std::string_view a)
{
    if (a.starts_with("tcp://")) a.remove_prefix(6);
    if (a.starts_with("[")) {
        auto close = a.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host_port hp{std::string(a.substr(1, close - 1)), "8000"};
        auto rest = a.substr(close + 1);
        if (rest.starts_with(":"))
            hp.port = rest.substr(1);
        else if (!rest.empty())
            return std::nullopt;
        return hp;
    }
    auto colon = a.rfind(':');
    if (colon == std::string_view::npos) return host_port{std::string(a), "8000"};
    if (a.find(':') != colon) return std::nullopt; // a bare IPv6 address needs brackets
    return host_port{std::string(a.substr(0, colon)), std::string(a.substr(colon + 1))};
}

void close_connection(native_socket s, bool linger_for_peer)
{
    if (linger_for_peer) {
        shutdown_send(s);
        char buf[4096];
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        for (std::size_t drained = 0; drained < 65536;) {
            auto n = recv_some(s, buf, sizeof buf, deadline);
            if (n <= 0) break;
            drained += static_cast<std::size_t>(n);
        }
    }
    close_socket(s);
}

} // namespace forkhorn::platform
