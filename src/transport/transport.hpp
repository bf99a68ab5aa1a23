// The byte stream under an exchange: what the request bridge reads requests from and writes
// responses to. A connected socket today (socket_transport); TLS will be another transport.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "transport/tls.hpp"

namespace forkhorn {

/// The byte stream under an exchange: a connection with its receive buffer. Body bytes are
/// decoded in place from the buffer, so bytes after the body stay there for the next request.
class transport {
public:
    virtual ~transport() = default;
    /// Received bytes not consumed yet.
    virtual std::string_view buffered() const = 0;
    virtual void consume(std::size_t n) = 0;
    /// Receives more into the buffer. Returns the count, 0 on close, `not_yet` when the timeout
    /// passed first, -1 on an error.
    virtual std::int64_t fill() = 0;
    virtual bool send(std::string_view data) = 0;
    virtual bool send_file(const std::string& path, std::uint64_t offset, std::uint64_t length) = 0;
    /// Receives what has arrived without waiting: the count, 0 on close, -1 on error,
    /// `not_yet` when nothing is there.
    virtual std::int64_t fill_now() { return fill(); }
    /// Sends what the connection takes without waiting: the count (maybe 0), or -1 on error.
    virtual std::int64_t send_now(std::string_view data) { return send(data) ? std::int64_t(data.size()) : -1; }
    /// Sends what the connection takes now of `length` bytes of a file: the count, or -1.
    virtual std::int64_t send_file_now(const std::string& path, std::uint64_t offset, std::uint64_t length)
    {
        return send_file(path, offset, length) ? static_cast<std::int64_t>(length) : -1;
    }
    /// The TLS session under this stream; nullptr for cleartext.
    virtual const tls::session* secure_session() const { return nullptr; }
    static constexpr std::int64_t not_yet = -2;
};

} // namespace forkhorn
