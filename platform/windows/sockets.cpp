// Windows sockets (Winsock 2): listeners bound once by the arbiter, non-blocking I/O with
// WSAPoll deadlines. Workers accept on the shared listener with WSAPoll + a non-blocking accept,
// which works for several processes (an IOCP can take a shared listener in one process only).
#include "sockets.hpp"
#include "address.hpp"
#include "control_channel.hpp"
#include "win.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace forkhorn::platform {
namespace {

using clock = std::chrono::steady_clock;

std::string wsa_error() { return win::error_text(static_cast<DWORD>(WSAGetLastError())); }

bool would_block() { return WSAGetLastError() == WSAEWOULDBLOCK; }

void set_nonblocking(SOCKET s)
{
    u_long on = 1;
    ioctlsocket(s, FIONBIO, &on);
}

std::string format_address(const sockaddr* sa, bool with_port)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (sa->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        return with_port ? "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port)) : text;
    }
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return with_port ? std::string(text) + ":" + std::to_string(ntohs(in->sin_port)) : text;
}

int remaining_ms(clock::time_point deadline)
{
    if (deadline == clock::time_point::max()) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

bool wait_for(SOCKET s, short events, clock::time_point deadline)
{
    int left = remaining_ms(deadline);
    if (left == 0) return false;
    WSAPOLLFD p{s, events, 0};
    return WSAPoll(&p, 1, left) > 0;
}

// The address a listener binds: any family, a numeric port, an empty host meaning all of IPv4.
int resolve_listen_address(const host_port& hp, addrinfo*& res)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    return getaddrinfo(hp.host.empty() ? "0.0.0.0" : hp.host.c_str(), hp.port.c_str(), &hints, &res);
}

} // namespace

std::optional<std::string> check_bind_address(const std::string& address)
{
    std::optional<host_port> tcp;
    if (auto err = check_bind_form(address, tcp)) return err;
    if (!tcp) return std::nullopt; // unix: and fd:// are refused as Unix-only by the settings check
    win::start_winsock();
    addrinfo* res = nullptr;
    if (resolve_listen_address(*tcp, res) != 0) return "bind: '" + address + "': " + wsa_error();
    freeaddrinfo(res);
    return std::nullopt;
}

std::optional<std::string> bind_listener(const std::string& address, int backlog, listener& out, bool)
{
    win::start_winsock();
    if (address.starts_with("unix:")) return "unix sockets are not available on this system ('" + address + "')";
    auto hp = split_host_port(address);
    if (!hp) return "invalid address '" + address + "'";
    addrinfo* res = nullptr;
    if (resolve_listen_address(*hp, res) != 0) return "invalid address '" + address + "' (" + wsa_error() + ")";
    // No SO_REUSEADDR: on Windows it lets another process steal the port (libuv's src/win/tcp.c).
    // Not inheritable: workers get the listener through WSADuplicateSocketW only.
    SOCKET s = WSASocketW(res->ai_family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET) {
        freeaddrinfo(res);
        return "socket() for " + address + " failed (" + wsa_error() + ")";
    }
    // SO_EXCLUSIVEADDRUSE: no other socket may bind this address while the listener lives, not
    // even one with SO_REUSEADDR (which Windows would otherwise let take over the port).
    BOOL exclusive = TRUE;
    if (setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&exclusive), sizeof exclusive) !=
        0) {
        std::string why = wsa_error();
        freeaddrinfo(res);
        closesocket(s);
        return "setsockopt(SO_EXCLUSIVEADDRUSE) for " + address + " failed (" + why + ")";
    }
    bool bound = bind(s, res->ai_addr, static_cast<int>(res->ai_addrlen)) == 0;
    std::string why = bound ? std::string() : wsa_error();
    freeaddrinfo(res);
    if (!bound || listen(s, backlog) != 0) {
        if (why.empty()) why = wsa_error();
        closesocket(s);
        return (bound ? "listen() on " : "bind() to ") + address + " failed (" + why + ")";
    }
    set_nonblocking(s);
    sockaddr_storage ss{};
    int len = sizeof ss;
    getsockname(s, reinterpret_cast<sockaddr*>(&ss), &len);
    out = listener{
        static_cast<native_socket>(s), address, "http://" + format_address(reinterpret_cast<sockaddr*>(&ss), true), {}};
    return std::nullopt;
}

std::optional<std::string> adopt_listener(native_socket, listener&)
{
    return std::string("adopting an open socket (fd://) is not available on this system");
}

void close_listener(listener& l, bool)
{
    if (l.fd != invalid_socket) closesocket(static_cast<SOCKET>(l.fd));
    l.fd = invalid_socket;
}

int wait_readable(std::span<const native_socket> handles, std::chrono::milliseconds timeout)
{
    thread_local std::vector<WSAPOLLFD> fds;
    fds.clear();
    for (auto h : handles) fds.push_back(WSAPOLLFD{static_cast<SOCKET>(h), POLLRDNORM, 0});
    int rc = WSAPoll(fds.data(), static_cast<ULONG>(fds.size()), static_cast<INT>(timeout.count()));
    if (rc <= 0) return -1;
    for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents) return static_cast<int>(i);
    return -1;
}

// WSAPoll on the shared listeners: the accept path measured for every worker type (see
// docs/windows.md); Windows has no exclusive wake-up, so every waiting worker wakes.
accept_waiter::accept_waiter(std::span<const native_socket> own, std::span<const native_socket> shared)
    : handles_(own.begin(), own.end()), own_(own.size())
{
    handles_.insert(handles_.end(), shared.begin(), shared.end());
}

accept_waiter::~accept_waiter() = default;

int accept_waiter::wait(std::chrono::milliseconds timeout, bool shared_too)
{
    return wait_readable(std::span(handles_).first(shared_too ? handles_.size() : own_), timeout);
}

native_socket accept_connection(native_socket listener_fd, std::string& peer)
{
    sockaddr_storage ss{};
    int len = sizeof ss;
    SOCKET s = accept(static_cast<SOCKET>(listener_fd), reinterpret_cast<sockaddr*>(&ss), &len);
    if (s == INVALID_SOCKET) return invalid_socket;
    SetHandleInformation(reinterpret_cast<HANDLE>(s), HANDLE_FLAG_INHERIT, 0);
    set_nonblocking(s);
    BOOL one = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
    peer = format_address(reinterpret_cast<sockaddr*>(&ss), false);
    return static_cast<native_socket>(s);
}

std::int64_t recv_some(native_socket s, char* buf, std::size_t size, clock::time_point deadline)
{
    for (;;) {
        int n = recv(static_cast<SOCKET>(s), buf, static_cast<int>(std::min<std::size_t>(size, 1 << 30)), 0);
        if (n >= 0) return n;
        if (!would_block()) return -1;
        if (!wait_for(static_cast<SOCKET>(s), POLLRDNORM, deadline)) return -2;
    }
}

bool send_all(native_socket s, std::string_view data, clock::time_point deadline)
{
    while (!data.empty()) {
        int n =
            send(static_cast<SOCKET>(s), data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)), 0);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && !would_block()) return false;
        if (!wait_for(static_cast<SOCKET>(s), POLLWRNORM, deadline)) return false;
    }
    return true;
}

std::int64_t send_now(native_socket s, std::string_view data)
{
    int n = send(static_cast<SOCKET>(s), data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)), 0);
    if (n >= 0) return n;
    return would_block() ? 0 : -1;
}

std::int64_t recv_now(native_socket s, char* buf, std::size_t size)
{
    int n = recv(static_cast<SOCKET>(s), buf, static_cast<int>(std::min<std::size_t>(size, 1 << 30)), 0);
    if (n >= 0) return n;
    return would_block() ? -2 : -1;
}

void shutdown_send(native_socket s) { shutdown(static_cast<SOCKET>(s), SD_SEND); }

int socket_family(native_socket s)
{
    sockaddr_storage ss{};
    int len = sizeof ss;
    if (getsockname(static_cast<SOCKET>(s), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
    return ss.ss_family;
}

std::optional<std::string> send_file(native_socket s, const std::string& path, std::uint64_t offset,
                                     std::uint64_t& length, clock::time_point deadline)
{
    // TransmitFile needs a blocking or overlapped socket; copying through a buffer keeps the
    // worker's non-blocking model and its deadlines.
    std::ifstream file(std::filesystem::path(win::widen(path)), std::ios::binary);
    if (!file) return "cannot open " + path;
    file.seekg(0, std::ios::end);
    auto size = static_cast<std::uint64_t>(file.tellg());
    if (offset > size) offset = size;
    if (length == 0 || offset + length > size) length = size - offset;
    file.seekg(static_cast<std::streamoff>(offset));
    std::string buf(64 * 1024, '\0');
    for (std::uint64_t left = length; left > 0;) {
        file.read(buf.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(left, buf.size())));
        auto got = static_cast<std::size_t>(file.gcount());
        if (got == 0) return std::string("file shrank while sending");
        if (!send_all(s, std::string_view(buf.data(), got), deadline)) return std::string("send failed");
        left -= got;
    }
    return std::nullopt;
}

std::int64_t send_file_now(native_socket s, const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    std::ifstream file(std::filesystem::path(win::widen(path)), std::ios::binary);
    if (!file) return -1;
    file.seekg(static_cast<std::streamoff>(offset));
    std::string buf(static_cast<std::size_t>(std::min<std::uint64_t>(length, 64 * 1024)), '\0');
    file.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto got = static_cast<std::size_t>(file.gcount());
    if (got == 0) return -1; // the file shrank
    return send_now(s, std::string_view(buf.data(), got));
}

native_socket connect_unix(const std::string&, std::string& error)
{
    error = "unix sockets are not available on this system";
    return invalid_socket;
}

void close_socket(native_socket s) { closesocket(static_cast<SOCKET>(s)); }

} // namespace forkhorn::platform

// ------------------------------------------------------------------ the control channel: named pipes

namespace forkhorn::platform {
namespace {

std::wstring pipe_name(const std::string& path)
{
    std::string name = path;
    for (char& c : name)
        if (c == '\\' || c == '/' || c == ':') c = '_';
    return win::widen("\\\\.\\pipe\\forkhorn-" + name);
}

// One pipe instance waiting for a client; its overlapped connect signals `ov.hEvent`.
struct pending_pipe {
    HANDLE pipe = INVALID_HANDLE_VALUE;
    OVERLAPPED ov{};
    std::wstring name;
};

std::optional<std::string> start_instance(pending_pipe& p, bool first)
{
    DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
    p.pipe = CreateNamedPipeW(p.name.c_str(), open_mode,
                              PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                              PIPE_UNLIMITED_INSTANCES, 64 * 1024, 64 * 1024, 0, win::owner_only_security());
    if (p.pipe == INVALID_HANDLE_VALUE) {
        DWORD code = GetLastError();
        auto text = win::error_text(code);
        SetLastError(code); // for the caller, which tells a taken name from other failures
        return text;
    }
    ResetEvent(p.ov.hEvent);
    if (!ConnectNamedPipe(p.pipe, &p.ov)) {
        DWORD err = GetLastError();
        if (err == ERROR_PIPE_CONNECTED)
            SetEvent(p.ov.hEvent);
        else if (err != ERROR_IO_PENDING)
            return win::error_text(err);
    }
    return std::nullopt;
}

// Waits for an overlapped ReadFile/WriteFile until the deadline; the byte count, or -1/-2.
std::int64_t finish_io(HANDLE h, OVERLAPPED& ov, BOOL started, clock::time_point deadline)
{
    DWORD done = 0;
    if (!started && GetLastError() != ERROR_IO_PENDING) return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
    int left = remaining_ms(deadline);
    if (WaitForSingleObject(ov.hEvent, left < 0 ? INFINITE : static_cast<DWORD>(left)) != WAIT_OBJECT_0) {
        CancelIo(h);
        // It may have completed before the cancel: what it carried must not be lost (the
        // control server reads with a deadline of now).
        BOOL ok = GetOverlappedResult(h, &ov, &done, TRUE);
        if (ok && done > 0) return done;
        return !ok && GetLastError() == ERROR_BROKEN_PIPE ? 0 : -2;
    }
    if (!GetOverlappedResult(h, &ov, &done, FALSE)) return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
    return done;
}

} // namespace

std::optional<std::string> listen_local(const std::string& path, int, local_listener& out)
{
    auto* p = new pending_pipe;
    p->name = pipe_name(path);
    p->ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    if (auto err = start_instance(*p, true)) {
        DWORD code = GetLastError();
        CloseHandle(p->ov.hEvent);
        delete p;
        // FILE_FLAG_FIRST_PIPE_INSTANCE fails with access denied when the name exists already.
        if (code == ERROR_ACCESS_DENIED || code == ERROR_PIPE_BUSY)
            return "the control pipe " + win::narrow(pipe_name(path)) +
                   " already exists: another process holds its name (" + *err + ")";
        return "cannot create the control pipe " + win::narrow(pipe_name(path)) + ": " + *err;
    }
    out = local_listener{reinterpret_cast<native_socket>(p->ov.hEvent), reinterpret_cast<std::intptr_t>(p), path};
    return std::nullopt;
}

native_socket accept_local(local_listener& l)
{
    auto* p = reinterpret_cast<pending_pipe*>(l.state);
    if (!p || WaitForSingleObject(p->ov.hEvent, 0) != WAIT_OBJECT_0) return invalid_socket;
    DWORD ignored = 0;
    HANDLE client = p->pipe;
    bool connected = GetOverlappedResult(client, &p->ov, &ignored, FALSE) || GetLastError() == ERROR_PIPE_CONNECTED;
    // The next client gets a fresh instance; this one now belongs to the caller.
    p->pipe = INVALID_HANDLE_VALUE;
    (void)start_instance(*p, false);
    if (!connected) {
        CloseHandle(client);
        return invalid_socket;
    }
    return reinterpret_cast<native_socket>(client);
}

void close_local_listener(local_listener& l, bool)
{
    auto* p = reinterpret_cast<pending_pipe*>(l.state);
    if (!p) return;
    if (p->pipe != INVALID_HANDLE_VALUE) {
        CancelIo(p->pipe);
        CloseHandle(p->pipe);
    }
    CloseHandle(p->ov.hEvent);
    delete p;
    l = local_listener{};
}

native_socket connect_local(const std::string& path, std::string& error)
{
    auto name = pipe_name(path);
    auto open = [&] {
        return CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           win::pipe_client_flags, nullptr);
    };
    HANDLE h = open();
    if (h == INVALID_HANDLE_VALUE && GetLastError() == ERROR_PIPE_BUSY && WaitNamedPipeW(name.c_str(), 2000))
        h = open();
    if (h == INVALID_HANDLE_VALUE) {
        error = win::last_error();
        return invalid_socket;
    }
    return reinterpret_cast<native_socket>(h);
}

int local_peer_pid(native_socket s)
{
    ULONG pid = 0;
    if (!GetNamedPipeServerProcessId(reinterpret_cast<HANDLE>(s), &pid)) return 0;
    return static_cast<int>(pid);
}

std::int64_t read_local(native_socket s, char* buf, std::size_t size, clock::time_point deadline)
{
    auto h = reinterpret_cast<HANDLE>(s);
    OVERLAPPED ov{};
    ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    BOOL started = ReadFile(h, buf, static_cast<DWORD>(std::min<std::size_t>(size, 1 << 20)), nullptr, &ov);
    auto n = finish_io(h, ov, started || GetLastError() == ERROR_IO_PENDING, deadline);
    CloseHandle(ov.hEvent);
    return n;
}

bool write_local(native_socket s, std::string_view data, clock::time_point deadline)
{
    auto h = reinterpret_cast<HANDLE>(s);
    while (!data.empty()) {
        OVERLAPPED ov{};
        ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        BOOL started =
            WriteFile(h, data.data(), static_cast<DWORD>(std::min<std::size_t>(data.size(), 1 << 20)), nullptr, &ov);
        auto n = finish_io(h, ov, started || GetLastError() == ERROR_IO_PENDING, deadline);
        CloseHandle(ov.hEvent);
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Closing (not DisconnectNamedPipe) lets the client still read the reply already written.
void close_local(native_socket s) { CloseHandle(reinterpret_cast<HANDLE>(s)); }

} // namespace forkhorn::platform
