// The request body decoder: Content-Length counting and chunked framing (RFC 9112 §6, §7.1).
//
// The chunk-size line is read one byte at a time, so its bytes are consumed as they arrive.
// Trailer lines are only consumed once complete (their name must be checked), so a partial
// trailer line stays in the caller's buffer until the rest of it comes.
#include <algorithm>
#include <limits>

#include "http/detail.hpp"

namespace forkhorn::http {

namespace {

body_result failed(std::size_t consumed, std::string_view reason) noexcept
{
    return {body_status::error, consumed, {}, 400, reason};
}

int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 9110 §6.5.1: fields that carry framing, routing or credentials must not be accepted
// from a trailer, since code reading them from the head would never see these values.
bool forbidden_in_trailer(std::string_view name) noexcept
{
    using detail::iequals;
    return iequals(name, "host") || iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
           iequals(name, "trailer") || iequals(name, "authorization") || iequals(name, "te");
}

} // namespace

body_decoder::body_decoder(parser_limits limits) : limits_(detail::normalize(limits)) {}

void body_decoder::start(const request_head& head) noexcept
{
    framing_ = head.framing;
    remaining_ = framing_ == body_framing::content_length ? head.content_length : 0;
    state_ = state::size;
    line_len_ = trailer_fields_ = 0;
    size_digits_ = false;
    if (framing_ == body_framing::none || (framing_ == body_framing::content_length && remaining_ == 0)) {
        state_ = state::finished;
    }
}

bool body_decoder::done() const noexcept { return state_ == state::finished; }

body_result body_decoder::decode(std::string_view input) noexcept
{
    if (state_ == state::finished) return {body_status::done, 0, {}, 0, {}};
    if (framing_ == body_framing::content_length) return decode_length(input);
    return decode_chunked(input);
}

body_result body_decoder::decode_length(std::string_view input) noexcept
{
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
    remaining_ -= n;
    if (remaining_ == 0) state_ = state::finished;
    const body_status status = remaining_ == 0 ? body_status::done : body_status::need_more;
    return {status, n, input.substr(0, n), 0, {}};
}

body_result body_decoder::decode_chunked(std::string_view input) noexcept
{
    std::size_t i = 0;
    while (i < input.size()) {
        if (state_ == state::trailer) return decode_trailers(input, i);
        if (state_ == state::data) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - i));
            remaining_ -= n;
            if (remaining_ == 0) state_ = state::data_cr;
            const body_status status = i + n < input.size() ? body_status::data : body_status::need_more;
            return {status, i + n, input.substr(i, n), 0, {}};
        }
        if (!step_framing(input[i])) return failed(i, "invalid chunked framing");
        ++i;
    }
    return {body_status::need_more, i, {}, 0, {}};
}

// One byte of framing outside chunk data: the size line, or the CRLF after the data.
bool body_decoder::step_framing(char c) noexcept
{
    switch (state_) {
    case state::data_cr: state_ = state::data_lf; return c == '\r';
    case state::data_lf:
        state_ = state::size;
        line_len_ = 0;
        size_digits_ = false;
        return c == '\n';
    default:
        if (++line_len_ > limits_.field_size) return false; // bound the size line's length
        return step_size_line(c);
    }
}

// chunk-size [ chunk-ext ] CRLF (RFC 9112 §7.1), chunk-size = 1*HEXDIG, with BWS allowed
// only before a ';' that starts an extension (RFC 9112 §7.1.1).
bool body_decoder::step_size_line(char c) noexcept
{
    switch (state_) {
    case state::size: return step_size_digits(c);
    case state::size_ws:
        if (c == ';') state_ = state::size_ext;
        return c == ';' || detail::is_ows(c);
    case state::size_ext:
        // Extensions are ignored, but a bare CR or another CTL inside one is refused.
        if (c == '\r') state_ = state::size_lf;
        return c == '\r' || detail::is_field_value_char(c);
    case state::size_lf:
        if (c != '\n') return false;
        state_ = remaining_ == 0 ? state::trailer : state::data;
        line_len_ = 0;
        return true;
    default: return false;
    }
}

bool body_decoder::step_size_digits(char c) noexcept
{
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    if (const int v = hex_value(c); v >= 0) {
        if (remaining_ > (max >> 4)) return false; // would overflow 64 bits
        remaining_ = (remaining_ << 4) | static_cast<std::uint64_t>(v);
        size_digits_ = true;
        return true;
    }
    if (!size_digits_) return false; // an empty size, or a sign, space or "0x" before it
    if (detail::is_ows(c))
        state_ = state::size_ws;
    else if (c == ';')
        state_ = state::size_ext;
    else if (c == '\r')
        state_ = state::size_lf;
    else
        return false;
    return true;
}

// trailer-section = *( field-line CRLF ), then CRLF (RFC 9112 §7.1.2), with the head's field
// rules and limits.
body_result body_decoder::decode_trailers(std::string_view input, std::size_t at) noexcept
{
    while (true) {
        const std::string_view rest = input.substr(at);
        const std::size_t lf = rest.find('\n');
        if (lf == std::string_view::npos) {
            if (rest.size() >= limits_.field_size) return failed(at, "trailer line too long");
            return {body_status::need_more, at, {}, 0, {}};
        }
        if (lf + 1 > limits_.field_size) return failed(at, "trailer line too long");
        if (lf == 0 || rest[lf - 1] != '\r') return failed(at, "trailer line not ended by CRLF");
        at += lf + 1;
        if (lf == 1) {
            state_ = state::finished;
            return {body_status::done, at, {}, 0, {}};
        }
        if (++trailer_fields_ > limits_.fields) return failed(at, "too many trailer fields");
        header_field f;
        if (detail::parse_field_line(rest.substr(0, lf - 1), f).failed()) {
            return failed(at, "invalid trailer field");
        }
        if (forbidden_in_trailer(f.name)) return failed(at, "forbidden trailer field");
    }
}

} // namespace forkhorn::http
