// The HTTP/1.1 response serializer: status line, headers and body framing as bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http/parser.hpp"

namespace forkhorn::http {

/// The standard reason phrase for `status` ("OK", "Not Found"...), or "Unknown".
std::string_view reason_phrase(int status) noexcept;

/// False for 1xx, 204 and 304: such responses never carry a body (RFC 9110 §6.4.1).
bool status_allows_body(int status) noexcept;

/// How the response body is delimited on the wire.
enum class response_framing : std::uint8_t {
    none,           // no body bytes at all (HEAD, 204, 304, or an empty fixed body)
    content_length, // Content-Length: n
    chunked,        // Transfer-Encoding: chunked (HTTP/1.1 only)
    close           // delimited by closing the connection (HTTP/1.0 without a length)
};

struct response_head {
    int status = 200;
    int version_minor = 1;                 // the request's HTTP/1.<minor>
    std::span<const header_field> headers; // from the app
    response_framing framing = response_framing::content_length;
    std::uint64_t content_length = 0; // with framing == content_length
    bool keep_alive = false;          // sends "Connection: keep-alive" or "close"
    bool head_request = false;        // HEAD: Content-Length kept, no body follows
    std::string_view date;            // IMF-fixdate from date_cache
    std::string_view server = "forkhorn";
};

/// Decides the framing of a response, per RFC 9112 §6: `app_length` is the app's
/// Content-Length if it gave one (negative if not), `complete_length` the body size when
/// the whole body is already buffered (negative if it is still streaming).
response_framing choose_framing(int status, bool head_request, int version_minor, std::int64_t app_length,
                                std::int64_t complete_length) noexcept;

/// Appends the status line and headers (ending with the blank line) to `out`. App headers
/// that the server owns are dropped: hop-by-hop ones (Connection, Keep-Alive,
/// Proxy-Authenticate, Proxy-Authorization, TE, Trailer, Transfer-Encoding, Upgrade),
/// Server, Date and Content-Length (the server writes its own from `head`).
void write_head(std::string& out, const response_head& head);

/// Appends a chunk-size line ("1a\r\n") for a chunk of `size` bytes (size > 0).
void write_chunk_header(std::string& out, std::size_t size);

/// The chunk after the last one: "0\r\n\r\n".
inline constexpr std::string_view last_chunk = "0\r\n\r\n";

/// A complete error response for the server's own errors (400, 408, 413, 414, 431, 500, 501,
/// 505...): short text body, Content-Length, Connection: close.
void write_error_response(std::string& out, int status, std::string_view date);

/// True when `name` is an RFC 9110 token and `value` has no CR, LF or NUL: the app may send it.
bool valid_field(std::string_view name, std::string_view value) noexcept;

/// Length of an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr std::size_t imf_fixdate_size = 29;

/// Writes `unix_seconds` (seconds since 1970-01-01 00:00:00 UTC, years 1970..9999) as an
/// IMF-fixdate (RFC 9110 §5.6.7), computing the civil date itself: no locale, no time zone,
/// no platform call.
void format_imf_fixdate(std::int64_t unix_seconds, std::span<char, imf_fixdate_size> out) noexcept;

/// The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted at most
/// once per second per thread (the view stays valid on the calling thread until its next call).
class date_cache {
public:
    std::string_view now();
};

} // namespace forkhorn::http
