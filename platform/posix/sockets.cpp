// POSIX sockets: listeners, non-blocking I/O with deadlines, sendfile.
#include "sockets.hpp"
#include "address.hpp"
#include "control_channel.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/sendfile.h>
#endif

namespace forkhorn::platform {
namespace {

using clock = std::chrono::steady_clock;

std::string errno_text(int err) { return std::strerror(err); }

std::string format_address(const sockaddr* sa)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
    }
    if (sa->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    return "unix";
}

std::string peer_host(const sockaddr_storage& ss)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, text, sizeof text);
    else if (ss.ss_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, text, sizeof text);
    else
        return "unix";
    return text;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::optional<std::string> listen_on(int fd, const std::string& address, int backlog)
{
    if (::listen(fd, backlog) == 0) return std::nullopt;
    int err = errno;
    ::close(fd);
    return "listen() on " + address + " failed (" + errno_text(err) + ")";
}

std::optional<std::string> bind_unix(const std::string& address, const std::string& path, int backlog, listener& out)
{
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof sun.sun_path) return "invalid unix socket path in '" + address + "'";
    std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return "bind() to " + address + " failed (a non-socket file is in the way)";
        ::unlink(path.c_str());
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return "socket() for " + address + " failed (" + errno_text(errno) + ")";
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
        int err = errno;
        ::close(fd);
        return "bind() to " + address + " failed (" + errno_text(err) + ")";
    }
    if (auto err = listen_on(fd, address, backlog)) return err;
    set_nonblocking(fd);
    out = listener{fd, address, "unix:" + path, path};
    return std::nullopt;
}

// The address a listener binds: any family, a numeric port, an empty host meaning all of IPv4.
int resolve_listen_address(const host_port& hp, addrinfo*& res)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    return ::getaddrinfo(hp.host.empty() ? "0.0.0.0" : hp.host.c_str(), hp.port.c_str(), &hints, &res);
}

std::optional<std::string> bind_tcp(const std::string& address, int backlog, bool reuse_port, listener& out)
{
    auto hp = split_host_port(address);
    if (!hp) return "invalid address '" + address + "'";
    addrinfo* res = nullptr;
    if (int rc = resolve_listen_address(*hp, res); rc != 0)
        return "invalid address '" + address + "' (" + ::gai_strerror(rc) + ")";
    int fd = ::socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd < 0) {
        ::freeaddrinfo(res);
        return "socket() for " + address + " failed (" + errno_text(errno) + ")";
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (res->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (reuse_port) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    int rc = ::bind(fd, res->ai_addr, res->ai_addrlen);
    int err = errno;
    ::freeaddrinfo(res);
    if (rc != 0) {
        ::close(fd);
        return "bind() to " + address + " failed (" + errno_text(err) + ")";
    }
    if (auto e = listen_on(fd, address, backlog)) return e;
    set_nonblocking(fd);
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    out = listener{fd, address, "http://" + format_address(reinterpret_cast<sockaddr*>(&bound)), {}};
    return std::nullopt;
}

int remaining_ms(clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

// Waits for `events` on `fd` until the deadline; false on timeout.
bool wait_for(int fd, short events, clock::time_point deadline)
{
    for (;;) {
        int left = remaining_ms(deadline);
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        int rc = ::poll(&p, 1, left);
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) return true; // let the next syscall report the error
    }
}

} // namespace

std::optional<std::string> bind_listener(const std::string& address, int backlog, listener& out, bool reuse_port)
{
    for (std::string_view prefix : {"unix://", "unix:"})
        if (address.starts_with(prefix)) return bind_unix(address, address.substr(prefix.size()), backlog, out);
    return bind_tcp(address, backlog, reuse_port, out);
}

std::optional<std::string> check_bind_address(const std::string& address)
{
    std::optional<host_port> tcp;
    if (auto err = check_bind_form(address, tcp)) return err;
    if (!tcp) return std::nullopt;
    addrinfo* res = nullptr;
    if (int rc = resolve_listen_address(*tcp, res); rc != 0) return "bind: '" + address + "': " + ::gai_strerror(rc);
    ::freeaddrinfo(res);
    return std::nullopt;
}

std::optional<std::string> adopt_listener(native_socket s, listener& out)
{
    int fd = static_cast<int>(s);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int type = 0;
    socklen_t type_len = sizeof type;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0 ||
        ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM)
        return "fd " + std::to_string(fd) + " is not a stream socket";
    set_nonblocking(fd);
    // The fd may come from an exec (upgrade, systemd): it must survive the next one too.
    ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
    if (ss.ss_family == AF_UNIX) {
        std::string path = reinterpret_cast<sockaddr_un*>(&ss)->sun_path;
        out = listener{fd, "fd://" + std::to_string(fd), "unix:" + path, path};
    } else {
        out = listener{
            fd, "fd://" + std::to_string(fd), "http://" + format_address(reinterpret_cast<sockaddr*>(&ss)), {}};
    }
    return std::nullopt;
}

void close_listener(listener& l, bool unlink_path)
{
    if (l.fd >= 0) ::close(static_cast<int>(l.fd));
    if (unlink_path && !l.unix_path.empty()) ::unlink(l.unix_path.c_str());
    l.fd = invalid_socket;
}

int wait_readable(std::span<const native_socket> handles, std::chrono::milliseconds timeout)
{
    thread_local std::vector<pollfd> fds; // reused: this runs once per accepted connection
    fds.clear();
    for (auto h : handles) fds.push_back(pollfd{static_cast<int>(h), POLLIN, 0});
    int rc = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
    if (rc < 0) return errno == EINTR ? -2 : -1;
    for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents) return static_cast<int>(i);
    return -1;
}

namespace {
// Makes a connection to `listener` and drops it. Its arrival wakes a worker still waiting: the
// way to pass on a wake-up this worker took (EPOLLEXCLUSIVE) but will not act on.
void wake_another_worker(native_socket listener)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(static_cast<int>(listener), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return;
    if (ss.ss_family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&ss);
        if (in->sin_addr.s_addr == htonl(INADDR_ANY)) in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (ss.ss_family == AF_INET6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
        if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr)) in6->sin6_addr = in6addr_loopback;
    }
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        (void)::poll(&p, 1, 100); // loopback: established at once unless the backlog is full
    }
    ::close(fd);
}
} // namespace

// EPOLLEXCLUSIVE: a new connection wakes one waiting worker, not all. Two things make that
// safe (docs/workers.md): after each wake the worker goes to the back of the listener's wait
// queue (an accept thread always waits, so the first worker to register would otherwise take
// every connection), and a worker that stops waiting while a connection is pending passes the
// wake-up on, or that connection would wait unseen for the next one to arrive.
accept_waiter::accept_waiter(std::span<const native_socket> own, std::span<const native_socket> shared)
    : handles_(own.begin(), own.end()), own_(own.size()), epoll_(::epoll_create1(EPOLL_CLOEXEC))
{
    handles_.insert(handles_.end(), shared.begin(), shared.end());
    for (std::size_t i = 0; i < own_; ++i) {
        epoll_event ev{EPOLLIN, {.u64 = i}};
        ::epoll_ctl(epoll_, EPOLL_CTL_ADD, static_cast<int>(handles_[i]), &ev);
    }
}

accept_waiter::~accept_waiter()
{
    if (epoll_ >= 0) ::close(epoll_);
    if (shared_armed_) pass_on_pending();
}

void accept_waiter::arm_shared(bool on)
{
    for (std::size_t i = own_; i < handles_.size(); ++i) {
        epoll_event ev{EPOLLIN | EPOLLEXCLUSIVE, {.u64 = i}};
        int fd = static_cast<int>(handles_[i]);
        if (::epoll_ctl(epoll_, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev) != 0 && on && errno == EINVAL) {
            ev.events = EPOLLIN; // a kernel before 4.5: every waiting worker wakes
            ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
        }
    }
    shared_armed_ = on;
}

void accept_waiter::pass_on_pending()
{
    for (std::size_t i = own_; i < handles_.size(); ++i)
        if (wait_readable(std::span(handles_).subspan(i, 1), std::chrono::milliseconds(0)) == 0)
            wake_another_worker(handles_[i]);
}

int accept_waiter::wait(std::chrono::milliseconds timeout, bool shared_too)
{
    if (shared_too && shared_armed_ && woken_for_shared_) {
        arm_shared(false); // re-registering queues this worker behind the others
        arm_shared(true);  // and reports a connection still pending at once
    } else if (shared_too != shared_armed_) {
        arm_shared(shared_too);
        if (!shared_too) pass_on_pending();
    }
    epoll_event ev{};
    int n = ::epoll_wait(epoll_, &ev, 1, static_cast<int>(timeout.count()));
    int ready = n == 1 ? static_cast<int>(ev.data.u64) : -1;
    woken_for_shared_ = ready >= static_cast<int>(own_);
    return ready;
}

namespace {
// One descriptor held back: when accept() fails for want of descriptors (EMFILE), it is
// closed to accept and drop the connection, so the listener does not stay readable and make
// the worker spin (libuv's and nginx's answer).
int reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

void shed_one_connection(int listener)
{
    if (reserve_fd < 0) return;
    ::close(reserve_fd);
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) ::close(fd);
    reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}
} // namespace

native_socket accept_connection(native_socket listener_fd, std::string& peer)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd =
        ::accept4(static_cast<int>(listener_fd), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE)) shed_one_connection(static_cast<int>(listener_fd));
    if (fd < 0) return invalid_socket;
    if (ss.ss_family != AF_UNIX) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    peer = peer_host(ss);
    return fd;
}

std::int64_t recv_some(native_socket s, char* buf, std::size_t size, clock::time_point deadline)
{
    for (;;) {
        ssize_t n = ::recv(static_cast<int>(s), buf, size, 0);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (!wait_for(static_cast<int>(s), POLLIN, deadline)) return -2;
    }
}

bool send_all(native_socket s, std::string_view data, clock::time_point deadline)
{
    while (!data.empty()) {
        ssize_t n = ::send(static_cast<int>(s), data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
        if (!wait_for(static_cast<int>(s), POLLOUT, deadline)) return false;
    }
    return true;
}

std::int64_t recv_now(native_socket s, char* buf, std::size_t size)
{
    for (;;) {
        ssize_t n = ::recv(static_cast<int>(s), buf, size, 0);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
    }
}

std::int64_t send_now(native_socket s, std::string_view data)
{
    for (;;) {
        ssize_t n = ::send(static_cast<int>(s), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

void shutdown_send(native_socket s) { ::shutdown(static_cast<int>(s), SHUT_WR); }

int socket_family(native_socket s)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(static_cast<int>(s), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
    return ss.ss_family;
}

std::optional<std::string> send_file(native_socket s, const std::string& path, std::uint64_t offset,
                                     std::uint64_t& length, clock::time_point deadline)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "open(" + path + ") failed (" + errno_text(errno) + ")";
    struct stat st {};
    ::fstat(fd, &st);
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (offset > size) offset = size;
    if (length == 0 || offset + length > size) length = size - offset;
    auto off = static_cast<off_t>(offset);
    std::uint64_t left = length;
    std::optional<std::string> error;
    while (left > 0 && !error) {
        ssize_t n = ::sendfile(static_cast<int>(s), fd, &off, std::min<std::uint64_t>(left, 1 << 30));
        if (n > 0)
            left -= static_cast<std::uint64_t>(n);
        else if (n == 0)
            error = "file shrank while sending";
        else if (errno == EAGAIN && wait_for(static_cast<int>(s), POLLOUT, deadline))
            continue;
        else if (errno != EINTR)
            error = "sendfile() failed (" + errno_text(errno) + ")";
    }
    ::close(fd);
    length -= left;
    return error;
}

std::int64_t send_file_now(native_socket s, const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    auto off = static_cast<off_t>(offset);
    std::uint64_t sent = 0;
    bool failed = false;
    while (sent < length) {
        ssize_t n = ::sendfile(static_cast<int>(s), fd, &off, std::min<std::uint64_t>(length - sent, 1 << 30));
        if (n > 0)
            sent += static_cast<std::uint64_t>(n);
        else if (n < 0 && errno == EINTR)
            continue;
        else {
            failed = !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)); // n == 0: the file shrank
            break;
        }
    }
    ::close(fd);
    return failed ? -1 : static_cast<std::int64_t>(sent);
}

native_socket connect_unix(const std::string& path, std::string& error)
{
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (path.size() >= sizeof sun.sun_path) return error = "socket path too long", invalid_socket;
    std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return error = errno_text(errno), invalid_socket;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
        error = errno_text(errno);
        ::close(fd);
        return invalid_socket;
    }
    set_nonblocking(fd);
    return fd;
}

void close_socket(native_socket s) { ::close(static_cast<int>(s)); }

std::optional<std::string> listen_local(const std::string& path, int mode, local_listener& out)
{
    listener l;
    // A burst of ctl clients (scripts, monitoring) waits in the backlog, not refused.
    if (auto err = bind_unix("unix:" + path, path, SOMAXCONN, l)) return err;
    if (::chmod(path.c_str(), static_cast<mode_t>(mode & 07777)) != 0) {
        int err = errno;
        close_listener(l, true);
        return "cannot set the mode of " + path + " (" + errno_text(err) + ")";
    }
    out = local_listener{l.fd, 0, path};
    return std::nullopt;
}

native_socket accept_local(local_listener& l)
{
    std::string peer;
    return accept_connection(l.wait_handle, peer);
}

void close_local_listener(local_listener& l, bool remove)
{
    if (l.wait_handle == invalid_socket) return;
    ::close(static_cast<int>(l.wait_handle));
    if (remove) ::unlink(l.path.c_str());
    l.wait_handle = invalid_socket;
}

native_socket connect_local(const std::string& path, std::string& error) { return connect_unix(path, error); }

int local_peer_pid(native_socket s)
{
#ifdef SO_PEERCRED
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(static_cast<int>(s), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) return cred.pid;
#else
    (void)s;
#endif
    return 0;
}

std::int64_t read_local(native_socket s, char* buf, std::size_t size, clock::time_point deadline)
{
    return recv_some(s, buf, size, deadline);
}

bool write_local(native_socket s, std::string_view data, clock::time_point deadline)
{
    return send_all(s, data, deadline);
}

void close_local(native_socket s) { ::close(static_cast<int>(s)); }

} // namespace forkhorn::platform
