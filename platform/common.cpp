// The parts of the platform layer that are the same on every system.
#include "address.hpp"
#include "events.hpp"
#include "sockets.hpp"

#include <algorithm>
#include <filesystem>

namespace forkhorn::platform {

std::string_view control_event_name(control_event e)
{
    constexpr std::string_view names[] = {"ttin", "ttou", "hup",  "term",  "int",
                                          "quit", "usr1", "usr2", "winch", "chld"};
    return names[static_cast<int>(e)];
}

namespace {

bool valid_port(std::string_view port)
{
    if (port.empty() || port.size() > 5) return false;
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    return std::stoi(std::string(port)) <= 65535;
}

} // namespace

std::optional<host_port> split_host_port(std::string_view a)
{
    // http:// and https:// choose a listener's TLS (server_config::secure); the socket is the same.
    for (std::string_view scheme : {"tcp://", "http://", "https://"})
        if (a.starts_with(scheme)) a.remove_prefix(scheme.size());
    if (a.starts_with("[")) {
        auto close = a.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host_port hp{std::string(a.substr(1, close - 1)), "8000"};
        auto rest = a.substr(close + 1);
        if (rest.starts_with(":"))
            hp.port = rest.substr(1);
        else if (!rest.empty())
            return std::nullopt;
        if (!valid_port(hp.port)) return std::nullopt;
        return hp;
    }
    auto colon = a.rfind(':');
    if (colon == std::string_view::npos) return host_port{std::string(a), "8000"};
    if (a.find(':') != colon) return std::nullopt; // a bare IPv6 address needs brackets
    host_port hp{std::string(a.substr(0, colon)), std::string(a.substr(colon + 1))};
    if (!valid_port(hp.port)) return std::nullopt;
    return hp;
}

std::optional<std::string> check_bind_form(const std::string& address, std::optional<host_port>& tcp)
{
    tcp.reset();
    if (address.starts_with("fd://")) {
        auto n = std::string_view(address).substr(5);
        if (n.empty() || n.size() > 9 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return "bind: '" + address + "' is not fd://N";
        return std::nullopt;
    }
    for (std::string_view prefix : {"unix://", "unix:"}) {
        if (!address.starts_with(prefix)) continue;
        std::filesystem::path path(address.substr(prefix.size()));
        std::error_code ec;
        auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
        if (path.empty()) return "bind: '" + address + "' names no path";
        if (!std::filesystem::is_directory(dir, ec))
            return "bind: '" + address + "': directory '" + dir.string() + "' does not exist";
        return std::nullopt;
    }
    tcp = split_host_port(address);
    if (!tcp) return "bind: '" + address + "' is not HOST:PORT, [IPv6]:PORT or unix:PATH (a port is 0 to 65535)";
    return std::nullopt;
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
