// The request line (RFC 9112 §3): method, request-target and HTTP-version.
#include <algorithm>

#include "http/detail.hpp"

namespace forkhorn::http::detail {

namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 9110 §9.1 makes any token a method; Gunicorn also refuses lowercase letters and lengths
// outside 3..20, and forkhorn follows it (corpus invalid_003c).
bool valid_method(std::string_view m) noexcept
{
    if (m.size() < 3 || m.size() > 20 || !is_token(m)) return false;
    return std::none_of(m.begin(), m.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT. A higher minor version of HTTP/1 is
// served as HTTP/1.1 (RFC 9110 §2.5, as nginx does); other majors get 505 (RFC 9110 §15.6.6);
// anything else is a malformed request line.
verdict parse_version(std::string_view v, int& minor) noexcept
{
    const bool shaped = v.size() == 8 && v.starts_with("HTTP/") && is_digit(v[5]) && v[6] == '.' && is_digit(v[7]);
    if (!shaped) return {400, "invalid HTTP version"};
    if (v[5] != '1') return {505, "unsupported HTTP version"};
    minor = v[7] == '0' ? 0 : 1;
    return ok;
}

// No CTLs and no SP (RFC 9112 §3.2). Bytes above 0x7F are let through as Gunicorn does
// (corpus valid_027): the app sees them raw.
bool valid_target_chars(std::string_view t) noexcept
{
    return std::none_of(t.begin(), t.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7F;
    });
}

// path [ "?" query ] [ "#" fragment ]; a '?' inside the fragment belongs to the fragment.
void split_path(std::string_view rest, request_head& out) noexcept
{
    const std::size_t hash = rest.find('#');
    if (hash != std::string_view::npos) {
        out.fragment = rest.substr(hash + 1);
        rest = rest.substr(0, hash);
    }
    const std::size_t question = rest.find('?');
    if (question != std::string_view::npos) {
        out.query = rest.substr(question + 1);
        rest = rest.substr(0, question);
    }
    out.path = rest;
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1)
bool valid_scheme(std::string_view s) noexcept
{
    if (s.empty() || !is_alpha(s.front())) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.'; });
}

// absolute-form (RFC 9112 §3.2.2): scheme "://" authority path-abempty [ "?" query ]. The
// path handed to the app is the part after the authority, "/" when that part is empty.
verdict parse_absolute_form(std::string_view target, request_head& out) noexcept
{
    const std::size_t sep = target.find("://");
    if (sep == std::string_view::npos || !valid_scheme(target.substr(0, sep))) {
        return {400, "invalid request-target"};
    }
    const std::string_view rest = target.substr(sep + 3);
    const std::size_t path_at = std::min(rest.find_first_of("/?#"), rest.size());
    // RFC 9110 §4.2.1: an http URI with an empty host is invalid; userinfo is refused too
    // (RFC 9110 §4.2.4) because valid_host_port does not allow '@'.
    if (!valid_host_port(rest.substr(0, path_at), true, false)) {
        return {400, "invalid authority in request-target"};
    }
    split_path(rest.substr(path_at), out);
    if (out.path.empty()) out.path = "/";
    return ok;
}

// The four forms of RFC 9112 §3.2, each only where it belongs.
verdict parse_target(std::string_view method, std::string_view target, request_head& out) noexcept
{
    if (target.empty() || !valid_target_chars(target)) return {400, "invalid request-target"};
    if (method == "CONNECT") {
        if (!valid_host_port(target, true, true)) return {400, "CONNECT needs authority-form"};
        out.path = target;
        return ok;
    }
    if (target == "*") {
        if (method != "OPTIONS") return {400, "asterisk-form is only for OPTIONS"};
        out.path = target;
        return ok;
    }
    if (target.front() == '/') {
        split_path(target, out);
        return ok;
    }
    return parse_absolute_form(target, out);
}

} // namespace

verdict parse_request_line(std::string_view line, request_head& out) noexcept
{
    // RFC 9112 §3: method SP request-target SP HTTP-version, single spaces only.
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return {400, "malformed request line"};
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return {400, "malformed request line"};
    out.method = line.substr(0, sp1);
    out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (!valid_method(out.method)) return {400, "invalid method"};
    const verdict t = parse_target(out.method, out.target, out);
    if (t.failed()) return t;
    return parse_version(line.substr(sp2 + 1), out.version_minor);
}

} // namespace forkhorn::http::detail
