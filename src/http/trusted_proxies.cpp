#include "http/trusted_proxies.hpp"

#include <utility>

#include "http/detail.hpp"

namespace forkhorn::http {

namespace {

constexpr std::string_view https = "https";
constexpr std::string_view http = "http";

std::string_view trim(std::string_view s) noexcept { return detail::trim_ows(s); }

// Whether the first `prefix` bits of `a` and `b` agree.
bool same_prefix(const ip_address& a, const ip_address& b, unsigned prefix) noexcept
{
    std::size_t i = 0;
    for (; prefix >= 8; prefix -= 8, ++i) {
        if (a.bytes[i] != b.bytes[i]) return false;
    }
    if (prefix == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xFFU << (8 - prefix));
    return (a.bytes[i] & mask) == (b.bytes[i] & mask);
}

// "/n": decimal digits only (Python's ipaddress also allows leading zeros), n <= max.
bool parse_prefix(std::string_view s, unsigned max, unsigned& out) noexcept
{
    if (s.empty() || s.size() > 3) return false;
    unsigned value = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > max) return false;
    out = value;
    return true;
}

} // namespace

std::optional<std::string> address_list::parse(std::string_view text, address_list& out)
{
    address_list list;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view entry = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (entry.empty()) continue;
        if (entry == "*") {
            list.any_ = true;
            continue;
        }
        const std::size_t slash = entry.find('/');
        const auto address = parse_ip(entry.substr(0, slash));
        if (!address) return "invalid address '" + std::string(entry) + "'";
        network net{*address, 128};
        if (slash != std::string_view::npos) {
            // A netmask ("/255.0.0.0"), which Python's ipaddress also takes, is not accepted.
            unsigned bits = 0;
            if (!parse_prefix(entry.substr(slash + 1), address->v4 ? 32 : 128, bits)) {
                return "invalid prefix length in '" + std::string(entry) + "'";
            }
            net.prefix = address->v4 ? 96 + bits : bits;
            // Python's ip_network() is strict by default: 10.0.0.1/8 is refused, since the
            // author probably meant something else than 10.0.0.0/8.
            ip_address masked = *address;
            for (std::size_t i = 0; i < 16; ++i) {
                const unsigned start = static_cast<unsigned>(i) * 8;
                if (start >= net.prefix) {
                    masked.bytes[i] = 0;
                } else if (net.prefix - start < 8) {
                    masked.bytes[i] =
                        static_cast<std::uint8_t>(masked.bytes[i] & (0xFFU << (8 - (net.prefix - start))));
                }
            }
            if (masked != *address) return "'" + std::string(entry) + "' has host bits set";
        }
        list.networks_.push_back(net);
    }
    out = std::move(list);
    return std::nullopt;
}

bool address_list::contains(std::string_view peer) const
{
    if (peer == "unix") return true;
    if (any_) return true;
    const auto address = parse_ip(peer);
    if (!address) return false;
    // Both sides are in 16-byte form with IPv4 mapped, so "::ffff:10.1.2.3" (a v4 client on a
    // dual-stack socket) matches 10.0.0.0/8 the same as "10.1.2.3" does.
    for (const network& net : networks_) {
        if (same_prefix(*address, net.base, net.prefix)) return true;
    }
    return false;
}

scheme_result request_scheme(std::span<const header_field> headers, std::span<const scheme_rule> rules, bool trusted)
{
    if (!trusted) return {http, false};
    std::string_view scheme;
    for (const header_field& field : headers) {
        for (const scheme_rule& rule : rules) {
            if (!detail::iequals(field.name, rule.header)) continue;
            // Gunicorn (message.py): a listed header set to its value means https, set to
            // anything else means http; a second listed header saying otherwise is
            // InvalidSchemeHeaders (400), since one of them was not set by the proxy.
            const std::string_view said = field.value == rule.value ? https : http;
            if (scheme.empty()) {
                scheme = said;
            } else if (scheme != said) {
                return {{}, true};
            }
            break;
        }
    }
    return {scheme.empty() ? http : scheme, false};
}

std::vector<scheme_rule> default_scheme_rules()
{
    return {{"X-FORWARDED-PROTOCOL", "ssl"}, {"X-FORWARDED-PROTO", "https"}, {"X-FORWARDED-SSL", "on"}};
}

} // namespace forkhorn::http
