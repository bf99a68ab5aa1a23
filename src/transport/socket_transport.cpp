#include "transport/socket_transport.hpp"
#include "sockets.hpp"
#include "worker_process.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <utility>

namespace forkhorn {

socket_transport::socket_transport(platform::native_socket fd, std::size_t capacity, std::chrono::seconds io_timeout,
                                   std::size_t max_capacity)
    : fd_(fd), data_(capacity ? new char[capacity] : nullptr), capacity_(capacity),
      max_capacity_(std::max(capacity, max_capacity)), io_timeout_(io_timeout)
{
}

std::chrono::steady_clock::time_point socket_transport::deadline() const
{
    // timeout 0 means "no limit", as in Gunicorn.
    if (io_timeout_.count() == 0) return std::chrono::steady_clock::time_point::max();
    return std::chrono::steady_clock::now() + io_timeout_;
}

void socket_transport::consume(std::size_t n)
{
    begin_ += n;
    if (begin_ == end_ && begin_ > floor_) begin_ = end_ = floor_;
}

std::span<char> socket_transport::prepare()
{
    if (end_ == capacity_ && begin_ > floor_) {
        std::memmove(data_.get() + floor_, data_.get() + begin_, end_ - begin_);
        end_ -= begin_ - floor_;
        begin_ = floor_;
    }
    if (end_ == capacity_ && !pinned_ && capacity_ < max_capacity_)
        (void)make_room_after(end_ - begin_, std::min(capacity_, max_capacity_ - capacity_));
    return {data_.get() + end_, capacity_ - end_};
}

bool socket_transport::make_room_after(std::size_t head_size, std::size_t room)
{
    if (capacity_ - begin_ >= head_size + room) return false;
    std::size_t size = end_ - begin_;
    std::size_t wanted = std::min(max_capacity_, std::max(capacity_, head_size + room));
    if (wanted > capacity_) {
        std::unique_ptr<char[]> bigger(new char[wanted]);
        std::memcpy(bigger.get(), data_.get() + begin_, size);
        data_ = std::move(bigger);
        capacity_ = wanted;
    } else {
        std::memmove(data_.get(), data_.get() + begin_, size);
    }
    begin_ = floor_ = 0;
    end_ = size;
    return true;
}

std::unique_ptr<char[]> socket_transport::release_buffer(std::size_t& capacity)
{
    capacity = std::exchange(capacity_, 0);
    begin_ = end_ = floor_ = 0;
    return std::move(data_);
}

void socket_transport::adopt_buffer(std::unique_ptr<char[]> buffer, std::size_t capacity)
{
    data_ = std::move(buffer);
    capacity_ = capacity;
    begin_ = end_ = floor_ = 0;
}

std::int64_t socket_transport::fill()
{
    if (tls_active()) return fill_secure(true);
    auto space = prepare();
    if (space.empty()) return -1;
    auto n = platform::recv_some(fd_, space.data(), space.size(), deadline());
    timed_out_ = n == -2;
    if (n > 0) end_ += static_cast<std::size_t>(n);
    return n;
}

std::int64_t socket_transport::fill_now()
{
    if (tls_active()) return fill_secure(false);
    auto space = prepare();
    if (space.empty()) return -1;
    auto n = platform::recv_now(fd_, space.data(), space.size());
    if (n > 0) end_ += static_cast<std::size_t>(n);
    return n; // recv_now's "nothing yet" is not_yet
}

std::int64_t socket_transport::send_now(std::string_view data)
{
    disarm_abort_reply();
    if (tls_active()) return send_secure_now(data);
    return platform::send_now(fd_, data);
}

std::int64_t socket_transport::send_file_now(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    disarm_abort_reply();
    if (!tls_active()) return platform::send_file_now(fd_, path, offset, length);
    auto n = read_file(path, offset, length);
    return n < 0 ? n : send_secure_now(file_chunk_);
}

namespace {
constexpr std::string_view abort_reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                                         "Content-Length: 22\r\nConnection: close\r\n\r\nInternal Server Error\n";
}

void socket_transport::arm_abort_reply()
{
    // The reply is written from a signal handler, in cleartext: on a TLS connection the client
    // would read garbage, so it just sees the connection end.
    if (tls_) return;
    platform::arm_abort_reply(fd_, abort_reply);
    abort_armed_ = true;
}

void socket_transport::disarm_abort_reply()
{
    if (!abort_armed_) return;
    platform::arm_abort_reply(platform::invalid_socket, {});
    abort_armed_ = false;
}

bool socket_transport::send(std::string_view data)
{
    disarm_abort_reply();
    if (tls_active()) return send_secure(data);
    return platform::send_all(fd_, data, deadline());
}

bool socket_transport::send_file(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    disarm_abort_reply();
    if (!tls_active()) return !platform::send_file(fd_, path, offset, length, deadline());
    while (length > 0) {
        auto n = read_file(path, offset, length);
        if (n <= 0 || !send_secure(file_chunk_)) return false;
        offset += static_cast<std::uint64_t>(n);
        length -= static_cast<std::uint64_t>(n);
    }
    return true;
}

// ---- TLS: the records go through the session; the socket only carries ciphertext.

namespace {
// One TLS record's worth of plaintext at a time: what a partial send can leave waiting.
constexpr std::size_t record_size = 16 * 1024;
constexpr std::string_view plain_http_reply = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                                              "Content-Length: 49\r\nConnection: close\r\n\r\n"
                                              "This port speaks HTTPS: use https:// to reach it\n";
} // namespace

std::int64_t socket_transport::fill_secure(bool wait)
{
    auto space = prepare();
    if (space.empty()) return -1;
    for (;;) {
        auto n = tls_->read(space);
        if (!flush_tls(wait)) return -1; // handshake records answer the client's
        if (n > 0) end_ += static_cast<std::size_t>(n);
        if (n == -1 && tls_->plain_http()) refuse_plain_http();
        if (n != tls::session::more) return n;
        char cipher[record_size + 512];
        auto got = wait ? platform::recv_some(fd_, cipher, sizeof cipher, deadline())
                        : platform::recv_now(fd_, cipher, sizeof cipher);
        if (wait) timed_out_ = got == -2;
        if (got == not_yet) return not_yet;
        if (got < 0) return -1;
        if (got == 0)
            tls_->peer_ended();
        else
            tls_->received(cipher, static_cast<std::size_t>(got));
    }
}

std::int64_t socket_transport::decrypt_received(std::span<char> where, std::int64_t n)
{
    if (n < 0) return n;
    if (n == 0)
        tls_->peer_ended();
    else
        tls_->received(where.data(), static_cast<std::size_t>(n));
    auto plain = tls_->read(where);
    // A loop thread cannot wait for a client that takes no handshake records; a fresh socket's
    // send buffer holds a handshake flight, so one left waiting means a client not worth it.
    if (!flush_tls(false) || !tls_->pending().empty()) return -1;
    if (plain == -1 && tls_->plain_http()) refuse_plain_http();
    return plain;
}

bool socket_transport::flush_tls(bool wait)
{
    auto out = tls_->pending();
    if (out.empty()) return true;
    if (wait) {
        if (!platform::send_all(fd_, out, deadline())) return false;
        tls_->sent(out.size());
        return true;
    }
    auto n = platform::send_now(fd_, out);
    if (n < 0) return false;
    tls_->sent(static_cast<std::size_t>(n));
    return true;
}

std::int64_t socket_transport::send_secure_now(std::string_view data)
{
    if (!flush_tls(false)) return -1;
    if (!tls_->pending().empty()) return 0;
    std::size_t taken = 0;
    if (std::exchange(owed_, false)) taken = 1, data.remove_prefix(1);
    while (!data.empty()) {
        auto chunk = data.substr(0, record_size);
        if (!tls_->write(chunk) || !flush_tls(false)) return -1;
        if (!tls_->pending().empty()) {
            owed_ = true;
            return static_cast<std::int64_t>(taken + chunk.size() - 1);
        }
        taken += chunk.size();
        data.remove_prefix(chunk.size());
    }
    return static_cast<std::int64_t>(taken);
}

bool socket_transport::send_secure(std::string_view data)
{
    if (!flush_tls(true)) return false;
    if (owed_ && !data.empty()) owed_ = false, data.remove_prefix(1);
    while (!data.empty()) {
        auto chunk = data.substr(0, record_size);
        if (!tls_->write(chunk) || !flush_tls(true)) return false;
        data.remove_prefix(chunk.size());
    }
    return true;
}

std::int64_t socket_transport::read_file(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    std::ifstream file(path, std::ios::binary);
    if (!file.seekg(static_cast<std::streamoff>(offset))) return -1;
    file_chunk_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(length, 4 * record_size)));
    file.read(file_chunk_.data(), static_cast<std::streamsize>(file_chunk_.size()));
    auto n = static_cast<std::size_t>(file.gcount());
    file_chunk_.resize(n);
    return n == 0 ? -1 : static_cast<std::int64_t>(n);
}

void socket_transport::refuse_plain_http() { (void)platform::send_now(fd_, plain_http_reply); }

void socket_transport::start_tls()
{
    if (!std::exchange(cleartext_first_, false)) return;
    auto rest = buffered();
    tls_->received(rest.data(), rest.size());
    consume(rest.size());
}

void socket_transport::close_notify()
{
    if (!tls_active()) return;
    tls_->close_notify();
    (void)flush_tls(false);
}

} // namespace forkhorn
