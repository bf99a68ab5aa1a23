// A transport over a connected socket, with a receive buffer that never moves the bytes of the
// current request head (the parsed views point into it).
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>

#include "native_socket.hpp"
#include "transport/tls.hpp"
#include "transport/transport.hpp"

namespace forkhorn {

class socket_transport final : public transport {
public:
    /// The buffer starts at `capacity` and grows up to `max_capacity` while no head is pinned.
    socket_transport(platform::native_socket fd, std::size_t capacity, std::chrono::seconds io_timeout,
                     std::size_t max_capacity = 0);
    ~socket_transport() override { disarm_abort_reply(); }
    socket_transport(const socket_transport&) = delete;
    socket_transport& operator=(const socket_transport&) = delete;

    std::string_view buffered() const override { return {data_.get() + begin_, end_ - begin_}; }
    void consume(std::size_t n) override;
    std::int64_t fill() override;
    bool send(std::string_view data) override;
    bool send_file(const std::string& path, std::uint64_t offset, std::uint64_t length) override;
    std::int64_t fill_now() override;
    std::int64_t send_now(std::string_view data) override;
    std::int64_t send_file_now(const std::string& path, std::uint64_t offset, std::uint64_t length) override;

    /// Keeps the bytes before the read position in place (the head being served).
    void pin() { floor_ = begin_, pinned_ = true; }
    /// Lets the next fill() reuse the whole buffer (between requests).
    void unpin() { floor_ = 0, pinned_ = false; }
    /// Free space at the end of the buffer for a receive (compacting, or growing while not
    /// pinned); empty when the buffer is full.
    std::span<char> prepare();
    /// Adds `n` received bytes (written into what prepare() returned).
    void commit(std::size_t n) { end_ += n; }
    /// Makes sure `room` bytes fit after the first `head_size` buffered bytes, moving them to
    /// the front or into a larger buffer. Returns true when the bytes moved (views into them
    /// must be made again).
    bool make_room_after(std::size_t head_size, std::size_t room);
    /// Until the first byte is sent, a worker aborted for a missed heartbeat answers this
    /// client with a 500 instead of leaving it without a response.
    void arm_abort_reply();
    void disarm_abort_reply();
    /// Gives the (empty, unpinned) buffer away, e.g. to a pool while the connection is idle;
    /// adopt_buffer() gives it one back before the next read.
    std::unique_ptr<char[]> release_buffer(std::size_t& capacity);
    void adopt_buffer(std::unique_ptr<char[]> buffer, std::size_t capacity);
    bool has_buffer() const { return data_ != nullptr; }
    /// True when fill() stopped on the deadline rather than on an error or a close.
    bool timed_out() const { return timed_out_; }
    platform::native_socket fd() const { return fd_; }

    /// From now on the bytes on the socket are TLS records of `session`; or, `after_cleartext`,
    /// once start_tls() says so (a PROXY header comes first, in cleartext).
    void secure(std::unique_ptr<tls::session> session, bool after_cleartext = false)
    {
        tls_ = std::move(session);
        cleartext_first_ = after_cleartext;
    }
    /// The cleartext part ends here: what is buffered beyond it is the start of TLS.
    void start_tls();
    bool is_secure() const { return tls_ != nullptr; }
    /// Whether the bytes received now are TLS records.
    bool tls_active() const { return tls_ && !cleartext_first_; }
    const tls::session* secure_session() const override { return tls_.get(); }
    /// An event loop received `n` bytes of ciphertext (0: the peer's end) at the start of
    /// `where`, the space prepare() gave it: decrypts them in place. Returns the plaintext count
    /// to commit(), 0 when the peer closed, not_yet when more ciphertext is needed, -1 on error.
    std::int64_t decrypt_received(std::span<char> where, std::int64_t n);
    /// Whether TLS holds bytes that fill_now() can take without the socket.
    bool tls_buffered() const { return tls_active() && tls_->has_buffered(); }
    /// Sends TLS's close_notify, without waiting (a cleartext connection: nothing).
    void close_notify();

private:
    std::chrono::steady_clock::time_point deadline() const;
    std::int64_t fill_secure(bool wait);
    bool flush_tls(bool wait);
    std::int64_t send_secure_now(std::string_view data);
    bool send_secure(std::string_view data);
    std::int64_t read_file(const std::string& path, std::uint64_t offset, std::uint64_t length);
    void refuse_plain_http();

    platform::native_socket fd_;
    std::unique_ptr<char[]> data_;
    std::size_t capacity_;
    std::size_t max_capacity_;
    std::size_t begin_ = 0, end_ = 0, floor_ = 0;
    std::chrono::seconds io_timeout_;
    bool timed_out_ = false;
    bool pinned_ = false;
    bool abort_armed_ = false;
    std::unique_ptr<tls::session> tls_;
    // The last byte send_now() was given has its ciphertext still waiting: it is reported taken
    // once that went out, so that a response counted as sent is on the wire (design: TLS).
    bool owed_ = false;
    bool cleartext_first_ = false;
    std::string file_chunk_; // a file's bytes on their way through TLS
};

} // namespace forkhorn
