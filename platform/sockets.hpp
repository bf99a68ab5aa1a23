// Sockets: the listeners the arbiter binds and its workers share, and the I/O of a connection
// (waits with deadlines, non-blocking sends and receives for event loops, sendfile).
#pragma once

#include "native_socket.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace forkhorn::platform {

// ---------------------------------------------------------------- listeners

/// A listening socket made by the arbiter and inherited by its workers.
struct listener {
    native_socket fd = invalid_socket;
    std::string address;   // as configured ("127.0.0.1:8000", "unix:/run/app.sock", "fd://3")
    std::string url;       // "http://127.0.0.1:8000", "unix:/run/app.sock"
    std::string unix_path; // to unlink on a final stop
};

/// Adopts an already listening socket (fd://N, systemd socket activation, an upgrade).
std::optional<std::string> adopt_listener(native_socket fd, listener& out);

/// Binds and listens on `address` (HOST:PORT, [V6]:PORT, unix:PATH). The socket stays open
/// across the fork of workers. Returns an error naming the address and the cause.
std::optional<std::string> bind_listener(const std::string& address, int backlog, listener& out,
                                         bool reuse_port = false);
void close_listener(listener& l, bool unlink_path);

/// Checks `address` as bind_listener would take it, without binding: its form, the port range,
/// that the host resolves, that a unix socket's directory exists. An error names the address.
std::optional<std::string> check_bind_address(const std::string& address);

/// Index of the first of `handles` that is readable within `timeout`, or -1 on timeout,
/// -2 on interruption by a signal.
int wait_readable(std::span<const native_socket> handles, std::chrono::milliseconds timeout);

/// A worker's wait for new connections on the listeners it shares with the other workers, plus
/// handles of its own. On Linux (epoll, EPOLLEXCLUSIVE) a connection wakes one waiting worker
/// and the workers take turns; on Windows (WSAPoll) it wakes every waiting worker and one wins
/// the accept (docs/workers.md).
class accept_waiter {
public:
    accept_waiter(std::span<const native_socket> own, std::span<const native_socket> shared);
    ~accept_waiter();
    accept_waiter(const accept_waiter&) = delete;
    accept_waiter& operator=(const accept_waiter&) = delete;

    /// Index of a readable handle (own first, then shared) within `timeout`, or -1. With
    /// `shared_too` false (the worker is full or stopping), only its own handles are waited on.
    int wait(std::chrono::milliseconds timeout, bool shared_too);

private:
    void arm_shared(bool on);
    void pass_on_pending();

    std::vector<native_socket> handles_; // own, then shared
    std::size_t own_;
    int epoll_ = -1;
    bool shared_armed_ = false;
    bool woken_for_shared_ = false;
};

/// Accepts one connection from a non-blocking listener; invalid_socket if none is pending.
native_socket accept_connection(native_socket listener, std::string& peer);

// ---------------------------------------------------------------- connections

/// Reads what is available, waiting until `deadline`. Returns the byte count, 0 on orderly
/// close, -1 on error, -2 on timeout.
std::int64_t recv_some(native_socket s, char* buf, std::size_t size, std::chrono::steady_clock::time_point deadline);

/// Writes every byte unless an error or the deadline stops it.
bool send_all(native_socket s, std::string_view data, std::chrono::steady_clock::time_point deadline);
/// Receives what has arrived without waiting: the count, 0 on close, -1 on error, -2 when
/// nothing is there yet (event-loop workers call it when the loop said "readable").
std::int64_t recv_now(native_socket s, char* buf, std::size_t size);
/// Sends what the socket takes without waiting: the count (0 when it is full), -1 on error.
std::int64_t send_now(native_socket s, std::string_view data);
/// Ends the sending side (the peer reads EOF) and keeps the socket open for reading.
void shutdown_send(native_socket s);
/// The address family of a connected socket, in this system's numbering (for Asio's generic
/// protocol), or 0 if unknown.
int socket_family(native_socket s);

/// Sends `length` bytes of `path` from `offset` with the kernel's sendfile where it exists.
/// Returns the bytes sent or an error message.
std::optional<std::string> send_file(native_socket s, const std::string& path, std::uint64_t offset,
                                     std::uint64_t& length, std::chrono::steady_clock::time_point deadline);

/// Sends what the socket takes now of `length` bytes of `path` from `offset`: the count (0
/// when the socket is full), or -1 on an error.
std::int64_t send_file_now(native_socket s, const std::string& path, std::uint64_t offset, std::uint64_t length);

/// Connects to a unix-domain stream socket; invalid_socket with `error` set on failure.
native_socket connect_unix(const std::string& path, std::string& error);

/// Closes a connected or accepted socket at once.
void close_socket(native_socket s);

/// Stops sending, reads briefly what the peer still sends, then closes (RFC 9112 §9.6), so an
/// error response is not lost to a reset caused by unread request bytes.
void close_connection(native_socket s, bool linger_for_peer);

} // namespace forkhorn::platform
