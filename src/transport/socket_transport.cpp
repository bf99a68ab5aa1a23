#include "transport/socket_transport.hpp"
#include "sockets.hpp"
#include "worker_process.hpp"

#include <algorithm>
#include <cstring>
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
    auto space = prepare();
    if (space.empty()) return -1;
    auto n = platform::recv_some(fd_, space.data(), space.size(), deadline());
    timed_out_ = n == -2;
    if (n > 0) end_ += static_cast<std::size_t>(n);
    return n;
}

std::int64_t socket_transport::fill_now()
{
    auto space = prepare();
    if (space.empty()) return -1;
    auto n = platform::recv_now(fd_, space.data(), space.size());
    if (n > 0) end_ += static_cast<std::size_t>(n);
    return n; // recv_now's "nothing yet" is not_yet
}

std::int64_t socket_transport::send_now(std::string_view data)
{
    disarm_abort_reply();
    return platform::send_now(fd_, data);
}

std::int64_t socket_transport::send_file_now(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    disarm_abort_reply();
    return platform::send_file_now(fd_, path, offset, length);
}

namespace {
constexpr std::string_view abort_reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                                         "Content-Length: 22\r\nConnection: close\r\n\r\nInternal Server Error\n";
}

void socket_transport::arm_abort_reply()
{
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
    return platform::send_all(fd_, data, deadline());
}

bool socket_transport::send_file(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    disarm_abort_reply();
    return !platform::send_file(fd_, path, offset, length, deadline());
}

} // namespace forkhorn
