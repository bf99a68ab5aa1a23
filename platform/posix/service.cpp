// POSIX and the service manager: systemd's readiness protocol (sd_notify) and socket activation
// (LISTEN_FDS). There is no Service Control Manager here: systemd runs the server as it is
// (installer/systemd), so the SCM calls all fail with service_fault::unsupported.
#include "service.hpp"

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

namespace forkhorn::platform {

// systemd services are not counted: a foreground server under systemd keeps Gunicorn's rule.
bool running_as_service() { return false; }

namespace {

void send_notify(std::string_view state)
{
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (!path || (path[0] != '/' && path[0] != '@')) return;
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::size_t len = std::strlen(path);
    if (len >= sizeof sun.sun_path) return;
    std::memcpy(sun.sun_path, path, len);
    if (path[0] == '@') sun.sun_path[0] = '\0'; // abstract namespace
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
    (void)::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&sun), addr_len);
    ::close(fd);
}

} // namespace

// sd_listen_fds(3): fds 3.. when LISTEN_PID is this process; the variables are removed so
// that workers and an upgraded master do not take them again.
std::vector<native_socket> service_manager_sockets()
{
    const char* pid = std::getenv("LISTEN_PID");
    const char* count = std::getenv("LISTEN_FDS");
    std::vector<native_socket> fds;
    if (!pid || !count || std::atoi(pid) != static_cast<int>(::getpid())) return fds;
    for (int i = 0; i < std::atoi(count); ++i) fds.push_back(3 + i);
    for (const char* name : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}) ::unsetenv(name);
    return fds;
}

// systemd's sd_notify states (systemd.service(5), Type=notify and Type=notify-reload).
void notify_service(lifecycle stage)
{
    switch (stage) {
    case lifecycle::ready:
        // MAINPID too: after an upgrade the new master takes over from the one systemd started.
        return send_notify(fmt::format("READY=1\nSTATUS=forkhorn arbiter booted\nMAINPID={}", ::getpid()));
    case lifecycle::reloading: {
        // steady_clock is CLOCK_MONOTONIC, which systemd compares MONOTONIC_USEC against.
        auto now = std::chrono::steady_clock::now().time_since_epoch();
        auto usec = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
        return send_notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec));
    }
    case lifecycle::stopping: return send_notify("STOPPING=1");
    }
}

namespace {

service_error unsupported()
{
    return {service_fault::unsupported, "the Service Control Manager is Windows-only; use systemd (installer/systemd)"};
}

} // namespace

std::optional<service_error> install_service(const service_definition&, std::vector<std::string>&)
{
    return unsupported();
}
std::optional<service_error> delete_service(const std::string&) { return unsupported(); }
std::optional<service_error> start_service(const std::string&) { return unsupported(); }
std::optional<service_error> stop_service(const std::string&) { return unsupported(); }
std::optional<service_error> control_service(const std::string&, std::uint32_t) { return unsupported(); }
std::optional<service_error> query_service(const std::string&, service_status&) { return unsupported(); }
std::optional<service_error> read_service_config(const std::string&, service_config&) { return unsupported(); }
std::optional<service_error> read_service_parameters(const std::string&, service_parameters&) { return unsupported(); }
std::optional<service_error> run_as_service(const std::string&, const service_body&, int&) { return unsupported(); }

void set_service_stop_wait(std::chrono::milliseconds) {}

std::optional<std::string> redirect_service_std_streams(const std::string&) { return unsupported().message; }

void report_service_event(const std::string&, const std::string&) {}

} // namespace forkhorn::platform
