// The HTTP/1.1 request parser: a pure function of bytes (RFC 9110/9112, strict by default).
// It never touches sockets and never allocates per request once a parser exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace forkhorn::http {

struct header_field {
    std::string_view name;  // as received
    std::string_view value; // without leading/trailing SP/HTAB
};

/// What to do with header names containing '_' (Gunicorn's `header_map` setting): they are
/// valid tokens, but CGI-style environments map '_' and '-' to the same name, so a peer could
/// smuggle "Content_Length" past a proxy that only looks at "Content-Length".
enum class header_map_policy : std::uint8_t {
    drop,   // leave them out of request_head::headers (still counted against the limits)
    refuse, // answer 400
    keep    // pass them through as received
};

/// Gunicorn's limits, same names and defaults (`limit_request_*`).
struct parser_limits {
    std::size_t request_line = 4094;                        // bytes of the request line without CRLF; 0 = 8190
    std::size_t fields = 100;                               // number of header fields; 0 or > 32768 = 32768
    std::size_t field_size = 8190;                          // bytes of one header line including CRLF; 0 = 8190
    header_map_policy header_map = header_map_policy::drop; // Gunicorn's default
};

enum class body_framing : std::uint8_t { none, content_length, chunked };

/// The parsed head of one request. Every view points into the caller's input buffer or into
/// the parser's own storage, so it stays valid until the next parse_head() or until the
/// caller moves or overwrites the bytes it passed in.
struct request_head {
    std::string_view method;
    std::string_view target;   // raw request-target
    std::string_view path;     // target without "?query" and "#fragment"; for absolute-form the path part
    std::string_view query;    // without '?'
    std::string_view fragment; // without '#'
    int version_minor = 1;     // HTTP/1.<minor>; only 1.0 and 1.1 are accepted
    std::span<const header_field> headers;
    body_framing framing = body_framing::none;
    std::uint64_t content_length = 0; // when framing == content_length
    bool keep_alive = true;           // what the request asks for (RFC 9112 §9.3)
    bool expect_continue = false;     // "Expect: 100-continue" on HTTP/1.1

    /// The first header named `name` (case-insensitive), or an empty view and false.
    bool find(std::string_view name, std::string_view& value) const noexcept;
};

enum class parse_status : std::uint8_t { done, need_more, error };

struct parse_result {
    parse_status status = parse_status::need_more;
    std::size_t consumed = 0; // bytes of the head (request line, fields, final CRLF) when done
    int error_status = 0;     // 400, 414, 431, 501, 505, 417 when status == error
    std::string_view reason;  // short static text for the log, e.g. "invalid header name"
};

class request_parser {
public:
    explicit request_parser(parser_limits limits = {});

    /// Parses the head at the start of `input`. On need_more, call again with the same bytes
    /// plus whatever arrived since (the parser may remember how far it scanned). On done,
    /// `out` describes the request and `consumed` bytes belong to the head; the body, if
    /// any, follows them. On error, the connection must be answered with `error_status`
    /// and closed.
    parse_result parse_head(std::string_view input, request_head& out);

    /// Forgets a partial scan; call before parsing the next request on a connection.
    void reset() noexcept;

    const parser_limits& limits() const noexcept { return limits_; }

private:
    /// Where a kept header field lies in the input, as offsets: the input may move between
    /// calls that return need_more, so views are only made once the head is complete.
    struct field_span {
        std::size_t name_at, name_len, value_at, value_len;
    };

    parse_result scan(std::string_view input);
    parse_result check_partial_line(std::string_view input) const;
    parse_result take_line(std::string_view input, std::size_t lf);
    parse_result take_request_line(std::string_view input, std::size_t lf);
    parse_result take_field_line(std::string_view input, std::size_t lf);
    parse_result keep_field(std::string_view input, const header_field& field);
    parse_result finish(std::string_view input, request_head& out);
    std::size_t head_cap() const noexcept;

    parser_limits limits_;
    std::vector<header_field> fields_; // reused across requests
    std::vector<field_span> spans_;    // reused across requests
    std::size_t line_start_ = 0;       // first byte of the line not validated yet
    std::size_t scanned_ = 0;          // bytes already searched for the next LF
    std::size_t request_line_at_ = 0;  // the request line, once validated
    std::size_t request_line_len_ = 0;
    std::size_t fields_at_ = 0;   // first byte after the request line's CRLF
    std::size_t field_count_ = 0; // field lines seen, dropped ones included
    bool have_request_line_ = false;
    bool complete_ = false; // the empty line ending the head was seen
};

enum class body_status : std::uint8_t {
    data,      // `data` holds body bytes; call again with the rest of the input
    need_more, // input exhausted without finishing the body; `data` may hold bytes
    done,      // the body (and trailers) ended; `data` may hold the last bytes
    error      // malformed chunked framing or trailer: close the connection
};

struct body_result {
    body_status status = body_status::need_more;
    std::size_t consumed = 0; // bytes of input used (framing and data)
    std::string_view data;    // decoded body bytes, a view into the input
    int error_status = 0;     // 400 when status == error
    std::string_view reason;
};

/// Removes Content-Length or chunked framing from a request body, incrementally and without
/// copying: the data views point into the input.
class body_decoder {
public:
    explicit body_decoder(parser_limits limits = {});

    /// Prepares for the body of `head` (none, content_length or chunked).
    void start(const request_head& head) noexcept;

    /// Decodes from `input`. Consume `consumed` bytes from the front of your buffer and use
    /// `data` before the next call.
    body_result decode(std::string_view input) noexcept;

    bool done() const noexcept;

private:
    enum class state : std::uint8_t { size, size_ws, size_ext, size_lf, data, data_cr, data_lf, trailer, finished };

    body_result decode_length(std::string_view input) noexcept;
    body_result decode_chunked(std::string_view input) noexcept;
    body_result decode_trailers(std::string_view input, std::size_t at) noexcept;
    bool step_size_line(char c) noexcept;
    bool step_size_digits(char c) noexcept;
    bool step_framing(char c) noexcept;

    parser_limits limits_;
    body_framing framing_ = body_framing::none;
    state state_ = state::finished;
    std::uint64_t remaining_ = 0;
    std::size_t line_len_ = 0;
    std::size_t trailer_fields_ = 0;
    bool size_digits_ = false;
};

} // namespace forkhorn::http
