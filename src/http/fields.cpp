// Field lines and host syntax, shared by the head parser and the chunked trailer decoder.
#include <algorithm>

#include "http/detail.hpp"

namespace forkhorn::http::detail {

namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// unreserved / sub-delims / "%" of pct-encoded (RFC 3986 §2): the characters of a reg-name.
constexpr bool is_reg_name_char(char c) noexcept
{
    constexpr std::string_view extra = "-._~!$&'()*+,;=%";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || extra.find(c) != std::string_view::npos;
}

// IP-literal = "[" ( IPv6address / IPvFuture ) "]": hex digits, ':', '.' and the IPvFuture
// characters, which are those of a reg-name plus ':'.
bool valid_ip_literal(std::string_view s) noexcept
{
    if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
    s = s.substr(1, s.size() - 2);
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ':' || is_reg_name_char(c); });
}

bool valid_host(std::string_view host) noexcept
{
    if (!host.empty() && host.front() == '[') return valid_ip_literal(host);
    return std::all_of(host.begin(), host.end(), is_reg_name_char);
}

bool all_digits(std::string_view s) noexcept { return std::all_of(s.begin(), s.end(), is_digit); }

} // namespace

bool valid_host_port(std::string_view s, bool need_host, bool need_port) noexcept
{
    const std::size_t close = s.rfind(']');
    const std::size_t colon = s.find(':', close == std::string_view::npos ? 0 : close);
    const std::string_view host = s.substr(0, colon);
    const bool has_port = colon != std::string_view::npos;
    const std::string_view port = has_port ? s.substr(colon + 1) : std::string_view{};
    if (need_host && host.empty()) return false;
    if (need_port && (!has_port || port.empty())) return false;
    return valid_host(host) && all_digits(port);
}

verdict parse_field_line(std::string_view line, header_field& field) noexcept
{
    // RFC 9112 §5.2: obs-fold is deprecated; a server may reject it with 400, and strict
    // parsing does, since proxies disagree on how to unfold.
    if (!line.empty() && is_ows(line.front())) return {400, "obsolete line folding"};
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return {400, "header line without colon"};
    field.name = line.substr(0, colon);
    // RFC 9112 §5.1: no whitespace between the field name and the colon (400).
    if (!is_token(field.name)) return {400, "invalid header name"};
    const std::string_view value = line.substr(colon + 1);
    if (!std::all_of(value.begin(), value.end(), is_field_value_char)) {
        return {400, "invalid character in header value"};
    }
    field.value = trim_ows(value);
    return ok;
}

} // namespace forkhorn::http::detail
