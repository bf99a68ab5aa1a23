// Which peers may speak for the client: Gunicorn's `forwarded_allow_ips` (may set the scheme
// headers) and `proxy_allow_ips` (may send a PROXY protocol header), and the scheme a trusted
// peer's `secure_scheme_headers` announce.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/ip_address.hpp"
#include "http/parser.hpp"

namespace forkhorn::http {

/// A list of IPs/CIDRs, or "*" (Gunicorn's forwarded_allow_ips / proxy_allow_ips).
class address_list {
public:
    /// Parses "127.0.0.1,::1,10.0.0.0/8,*"; returns an error naming the bad entry (a CIDR with
    /// host bits set is an error, as in Gunicorn). Entries are trimmed of spaces and tabs;
    /// empty entries are skipped. `out` is only assigned on success.
    static std::optional<std::string> parse(std::string_view text, address_list& out);

    /// Peer as text ("127.0.0.1", "::1", "::ffff:127.0.0.1"; "unix" is always contained, as
    /// Gunicorn always trusts Unix-socket peers). Unparseable text is not contained.
    bool contains(std::string_view peer) const;

    bool any() const noexcept { return any_; }

private:
    struct network {
        ip_address base;     // host bits zero
        unsigned prefix = 0; // bits of the 16-byte form (an IPv4 /n is 96 + n)
    };

    std::vector<network> networks_;
    bool any_ = false;
};

/// Gunicorn's secure_scheme_headers: header (case-insensitive) → value meaning https
/// (compared exactly, as Gunicorn does).
struct scheme_rule {
    std::string header;
    std::string value;
};

/// From a trusted peer's headers: "https", "http", or an error (two listed headers disagree →
/// 400). Untrusted peers: always "http". No listed header present: "http".
/// `scheme` points to static storage; it is empty when `error` is set.
struct scheme_result {
    std::string_view scheme;
    bool error = false;
};

scheme_result request_scheme(std::span<const header_field> headers, std::span<const scheme_rule> rules, bool trusted);

/// X-FORWARDED-PROTOCOL: ssl, X-FORWARDED-PROTO: https, X-FORWARDED-SSL: on (Gunicorn's default).
std::vector<scheme_rule> default_scheme_rules();

} // namespace forkhorn::http
