// The response serializer: status line, server-owned headers and body framing.
#include "http/response.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "http/detail.hpp"

namespace forkhorn::http {

namespace {

// RFC 9110 §15 plus the registered codes servers commonly send (102, 103, 207, 208, 226,
// 423, 424, 425, 428, 429, 431, 451, 506, 507, 508, 510, 511), sorted for a binary search.
constexpr auto reasons = std::to_array<std::pair<int, std::string_view>>({
    {100, "Continue"},
    {101, "Switching Protocols"},
    {102, "Processing"},
    {103, "Early Hints"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {208, "Already Reported"},
    {226, "IM Used"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {423, "Locked"},
    {424, "Failed Dependency"},
    {425, "Too Early"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {506, "Variant Also Negotiates"},
    {507, "Insufficient Storage"},
    {508, "Loop Detected"},
    {510, "Not Extended"},
    {511, "Network Authentication Required"},
});

// Fields the server writes itself, or that only mean something for one connection
// (RFC 9110 §7.6.1), so an app must not set them.
constexpr std::array<std::string_view, 11> server_owned_names{
    "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
    "TE",         "Trailer",    "Transfer-Encoding",  "Upgrade",
    "Server",     "Date",       "Content-Length"};

bool server_owned(std::string_view name) noexcept
{
    return std::any_of(server_owned_names.begin(), server_owned_names.end(),
                       [&](std::string_view owned) { return detail::iequals(name, owned); });
}

bool is_1xx_or_204(int status) noexcept { return (status >= 100 && status < 200) || status == 204; }

template <class T>
void append_number(std::string& out, T value, int base = 10)
{
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, value, base);
    out.append(digits, r.ptr);
}

void append_field(std::string& out, std::string_view name, std::string_view value)
{
    out.append(name).append(": ").append(value).append("\r\n");
}

void append_status_line(std::string& out, int version_minor, int status)
{
    out.append(version_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
    append_number(out, status);
    out.push_back(' ');
    out.append(reason_phrase(status)).append("\r\n");
}

// RFC 9112 §6.3: without Content-Length or chunked, a response body ends with the
// connection, so an empty body that may exist still gets "Content-Length: 0".
void append_framing(std::string& out, const response_head& head)
{
    switch (head.framing) {
    case response_framing::content_length:
        if (is_1xx_or_204(head.status)) return; // RFC 9110 §8.6: never on 1xx and 204
        out.append("Content-Length: ");
        append_number(out, head.content_length);
        out.append("\r\n");
        return;
    case response_framing::chunked:
        if (status_allows_body(head.status)) out.append("Transfer-Encoding: chunked\r\n");
        return;
    case response_framing::none:
        if (status_allows_body(head.status) && !head.head_request) out.append("Content-Length: 0\r\n");
        return;
    case response_framing::close: return;
    }
}

} // namespace

std::string_view reason_phrase(int status) noexcept
{
    const auto it = std::lower_bound(reasons.begin(), reasons.end(), status,
                                     [](const auto& entry, int s) { return entry.first < s; });
    return it != reasons.end() && it->first == status ? it->second : "Unknown";
}

bool status_allows_body(int status) noexcept { return !is_1xx_or_204(status) && status != 304; }

response_framing choose_framing(int status, bool head_request, int version_minor, std::int64_t app_length,
                                std::int64_t complete_length) noexcept
{
    if (is_1xx_or_204(status)) return response_framing::none;
    const bool known = app_length >= 0 || complete_length >= 0;
    // RFC 9110 §9.3.2: a HEAD response may carry the Content-Length a GET would have.
    if (head_request) return known ? response_framing::content_length : response_framing::none;
    if (status == 304) return response_framing::none; // RFC 9110 §15.4.5
    if (known) return response_framing::content_length;
    // RFC 9112 §7.1: chunked needs an HTTP/1.1 recipient; HTTP/1.0 can only read to close.
    return version_minor >= 1 ? response_framing::chunked : response_framing::close;
}

void write_head(std::string& out, const response_head& head)
{
    append_status_line(out, head.version_minor, head.status);
    if (!head.server.empty()) append_field(out, "Server", head.server);
    if (!head.date.empty()) append_field(out, "Date", head.date);
    const bool keep = head.keep_alive && head.framing != response_framing::close;
    append_field(out, "Connection", keep ? "keep-alive" : "close");
    for (const header_field& h : head.headers) {
        // Invalid fields are dropped too: a CR or LF in one would split the response.
        if (!server_owned(h.name) && valid_field(h.name, h.value)) append_field(out, h.name, h.value);
    }
    append_framing(out, head);
    out.append("\r\n");
}

void write_chunk_header(std::string& out, std::size_t size)
{
    append_number(out, size, 16); // to_chars writes lowercase hex digits
    out.append("\r\n");
}

void write_error_response(std::string& out, int status, std::string_view date)
{
    const std::string_view reason = reason_phrase(status);
    append_status_line(out, 1, status);
    append_field(out, "Server", "forkhorn");
    if (!date.empty()) append_field(out, "Date", date);
    append_field(out, "Connection", "close");
    append_field(out, "Content-Type", "text/plain; charset=utf-8");
    out.append("Content-Length: ");
    append_number(out, reason.size() + 1);
    out.append("\r\n\r\n").append(reason).append("\n");
}

bool valid_field(std::string_view name, std::string_view value) noexcept
{
    return detail::is_token(name) && value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

} // namespace forkhorn::http
