// Character classes and small string helpers shared by the request parser, the body decoder
// and the response writer (internal to the HTTP core).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "http/parser.hpp"

namespace forkhorn::http::detail {

/// A check's outcome: status 0 means "fine", otherwise the HTTP status to answer with.
struct verdict {
    int status = 0;
    std::string_view reason;

    constexpr bool failed() const noexcept { return status != 0; }
};

inline constexpr verdict ok{};

/// tchar from RFC 9110 §5.6.2: the characters of a token (methods, field names, codings).
inline constexpr std::array<bool, 256> tchar_table = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}();

constexpr bool is_tchar(char c) noexcept { return tchar_table[static_cast<unsigned char>(c)]; }

constexpr bool is_token(std::string_view s) noexcept
{
    for (char c : s) {
        if (!is_tchar(c)) return false;
    }
    return !s.empty();
}

/// field-vchar, SP and HTAB (RFC 9110 §5.5): every byte except the CTLs other than HTAB.
/// obs-text (0x80-0xFF) is allowed, so NUL, bare CR, LF and DEL are what remains refused.
constexpr bool is_field_value_char(char c) noexcept
{
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7F);
}

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    }
    return true;
}

/// Strips OWS (SP / HTAB) from both ends (RFC 9110 §5.5, §5.6.3).
constexpr std::string_view trim_ows(std::string_view s) noexcept
{
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

/// The limits with Gunicorn's meaning of 0 and of out-of-range values applied.
parser_limits normalize(parser_limits limits) noexcept;

/// Parses and checks a request line without its CRLF (RFC 9112 §3): method, target, version,
/// and the target split into path, query and fragment.
verdict parse_request_line(std::string_view line, request_head& out) noexcept;

/// Checks the fields of a complete head and derives framing, keep_alive and expect_continue
/// (Host, Content-Length, Transfer-Encoding, Connection, Expect rules of RFC 9110/9112).
verdict apply_head_semantics(request_head& head) noexcept;

/// `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2) without userinfo. `need_host`
/// refuses an empty host (an http URI's authority), `need_port` a missing or empty port (the
/// authority-form of CONNECT, RFC 9112 §3.2.3). The Host field itself may be empty.
bool valid_host_port(std::string_view s, bool need_host, bool need_port) noexcept;

/// Splits and checks one field line without its CRLF (RFC 9112 §5): `name ":" OWS value OWS`.
/// Refuses obs-fold, an empty or non-token name (so whitespace before ':'), and CTLs in the
/// value. Used for header fields and for chunked trailer fields.
verdict parse_field_line(std::string_view line, header_field& field) noexcept;

} // namespace forkhorn::http::detail
