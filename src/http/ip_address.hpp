// IPv4/IPv6 text parsing and formatting for the PROXY protocol and the trusted-proxy lists.
// Written here rather than taken from inet_pton/inet_ntop so the HTTP core needs no OS
// headers (it also builds for Windows) and so the accepted syntax is the same everywhere.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace forkhorn::http {

/// An address in 16-byte form; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2)
/// so that one comparison covers both families.
struct ip_address {
    std::array<std::uint8_t, 16> bytes{};
    bool v4 = false; // parsed from (or meant as) dotted-quad text

    bool operator==(const ip_address&) const = default;
};

/// Strict dotted quad: four decimal parts 0..255, no leading zeros (they would be octal to
/// some parsers, so refusing them keeps every reader in agreement; glibc's inet_pton does too).
std::optional<ip_address> parse_ipv4(std::string_view text) noexcept;

/// RFC 4291 §2.2 text: hex groups, one "::", optional dotted-quad tail. No zone ("%eth0"), no
/// brackets. The result has v4 == false even for ::ffff:a.b.c.d.
std::optional<ip_address> parse_ipv6(std::string_view text) noexcept;

/// parse_ipv4, else parse_ipv6.
std::optional<ip_address> parse_ip(std::string_view text) noexcept;

/// "a.b.c.d" from four bytes.
std::string format_ipv4(const std::uint8_t* four);

/// RFC 5952 §4 canonical text: lowercase, no leading zeros, the longest run (first on a tie)
/// of two or more zero groups as "::"; IPv4-mapped addresses in mixed notation (§5).
std::string format_ipv6(const std::array<std::uint8_t, 16>& bytes);

/// format_ipv4 of the last four bytes when `v4`, else format_ipv6.
std::string to_string(const ip_address& address);

} // namespace forkhorn::http
