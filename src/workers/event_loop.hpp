// The event loop under the keep-alive worker types: Asio (gthread, async) or libuv (uv). It
// only reads from sockets, waits for them to take more, runs posted work and ticks; everything HTTP is in
// event_worker.cpp, written once for both loops.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "native_socket.hpp"

namespace forkhorn {

/// The owner of a watched socket.
class socket_reader {
public:
    /// A read finished: `n` bytes (> 0), 0 at end of stream, -1 on error. Runs on the loop thread.
    virtual void on_read(std::int64_t n) = 0;
    /// After close(): the loop no longer uses the socket or the reader, which may be freed.
    virtual void on_closed() = 0;
    /// After wait_writable(): the socket can take more bytes (or has failed: the send says so).
    virtual void on_writable() {}

protected:
    ~socket_reader() = default;
};

class event_loop {
public:
    struct watch; // one watched socket

    virtual ~event_loop() = default;
    /// Takes over connected socket `fd` (closing it is the loop's job from now on).
    virtual watch* add(platform::native_socket fd, socket_reader& reader) = 0;
    /// Reads once into `into` (which must stay valid until on_read) when data arrives. One
    /// read at a time: not while reading(w).
    virtual void read(watch* w, std::span<char> into) = 0;
    /// Whether a read() is pending (its on_read has not run yet).
    virtual bool reading(const watch* w) const = 0;
    /// Calls on_writable once the socket can take more bytes.
    virtual void wait_writable(watch* w) = 0;
    /// Stops watching and closes the socket; on_closed follows, and nothing else.
    virtual void close(watch* w) = 0;
    /// Runs `fn` on the loop thread; callable from any thread.
    virtual void post(std::function<void()> fn) = 0;
    /// Calls `tick` on the loop thread every `period`.
    virtual void every(std::chrono::milliseconds period, std::function<void()> tick) = 0;
    /// Runs until stop().
    virtual void run() = 0;
    virtual void stop() = 0;
    /// The native loop, offered to apps: an asio::io_context* or a uv_loop_t*.
    virtual void* native() = 0;
};

std::unique_ptr<event_loop> make_asio_loop();
std::unique_ptr<event_loop> make_uv_loop();

} // namespace forkhorn
