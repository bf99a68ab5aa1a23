#include "http/ip_address.hpp"

namespace forkhorn::http {

namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Four bytes of dotted quad into `out`.
bool parse_quad(std::string_view s, std::uint8_t* out) noexcept
{
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (s.empty() || s.front() != '.') return false;
            s.remove_prefix(1);
        }
        std::size_t n = 0;
        unsigned value = 0;
        while (n < s.size() && is_digit(s[n])) {
            if (n == 3) return false;
            value = value * 10 + static_cast<unsigned>(s[n] - '0');
            ++n;
        }
        if (n == 0 || value > 255 || (n > 1 && s[0] == '0')) return false;
        out[part] = static_cast<std::uint8_t>(value);
        s.remove_prefix(n);
    }
    return s.empty();
}

void append_hex(std::string& out, unsigned group)
{
    constexpr std::string_view digits = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned d = (group >> shift) & 0xFU;
        if (d != 0 || started || shift == 0) {
            out += digits[d];
            started = true;
        }
    }
}

} // namespace

std::optional<ip_address> parse_ipv4(std::string_view text) noexcept
{
    ip_address a;
    a.bytes[10] = 0xFF;
    a.bytes[11] = 0xFF;
    a.v4 = true;
    if (!parse_quad(text, a.bytes.data() + 12)) return std::nullopt;
    return a;
}

std::optional<ip_address> parse_ipv6(std::string_view s) noexcept
{
    std::array<std::uint16_t, 8> groups{};
    std::size_t n = 0;
    int gap = -1; // index in `groups` where "::" stands
    std::size_t i = 0;
    if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (s.empty() || s[0] == ':') {
        return std::nullopt;
    }
    while (i < s.size()) {
        std::size_t j = i;
        while (j < s.size() && s[j] != ':') ++j;
        const std::string_view token = s.substr(i, j - i);
        if (token.find('.') != std::string_view::npos) {
            // The dotted-quad tail holds the last 32 bits (RFC 4291 §2.2 form 3).
            std::uint8_t quad[4];
            if (j != s.size() || n > 6 || !parse_quad(token, quad)) return std::nullopt;
            groups[n++] = static_cast<std::uint16_t>((quad[0] << 8) | quad[1]);
            groups[n++] = static_cast<std::uint16_t>((quad[2] << 8) | quad[3]);
            i = j;
            break;
        }
        if (token.empty() || token.size() > 4 || n == 8) return std::nullopt;
        unsigned value = 0;
        for (char c : token) {
            const int d = hex_value(c);
            if (d < 0) return std::nullopt;
            value = (value << 4) | static_cast<unsigned>(d);
        }
        groups[n++] = static_cast<std::uint16_t>(value);
        i = j;
        if (i == s.size()) break;
        if (i + 1 < s.size() && s[i + 1] == ':') {
            if (gap >= 0) return std::nullopt; // only one "::"
            gap = static_cast<int>(n);
            i += 2;
        } else {
            ++i;
            if (i == s.size()) return std::nullopt; // trailing single ':'
        }
    }
    // "::" stands for one or more zero groups, so it cannot appear with eight explicit groups.
    if (gap >= 0 ? n > 7 : n != 8) return std::nullopt;

    ip_address a;
    std::size_t out = 0;
    for (std::size_t g = 0; g < n; ++g) {
        if (gap >= 0 && g == static_cast<std::size_t>(gap)) out += 8 - n;
        a.bytes[2 * out] = static_cast<std::uint8_t>(groups[g] >> 8);
        a.bytes[2 * out + 1] = static_cast<std::uint8_t>(groups[g] & 0xFF);
        ++out;
    }
    return a;
}

std::optional<ip_address> parse_ip(std::string_view text) noexcept
{
    if (auto a = parse_ipv4(text)) return a;
    return parse_ipv6(text);
}

std::string format_ipv4(const std::uint8_t* four)
{
    std::string out;
    for (int i = 0; i < 4; ++i) {
        if (i > 0) out += '.';
        out += std::to_string(four[i]);
    }
    return out;
}

std::string format_ipv6(const std::array<std::uint8_t, 16>& bytes)
{
    std::array<unsigned, 8> groups{};
    for (std::size_t g = 0; g < 8; ++g) groups[g] = static_cast<unsigned>((bytes[2 * g] << 8) | bytes[2 * g + 1]);

    // RFC 5952 §5: IPv4-mapped addresses keep their dotted tail (::ffff:192.0.2.1).
    const bool mapped =
        groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0 && groups[5] == 0xFFFF;
    if (mapped) return "::ffff:" + format_ipv4(bytes.data() + 12);

    // RFC 5952 §4.2: the longest run of zero groups (at least two), the first on a tie.
    std::size_t best_at = 8, best_len = 0;
    for (std::size_t g = 0; g < 8;) {
        if (groups[g] != 0) {
            ++g;
            continue;
        }
        std::size_t end = g;
        while (end < 8 && groups[end] == 0) ++end;
        if (end - g > best_len) {
            best_at = g;
            best_len = end - g;
        }
        g = end;
    }
    if (best_len < 2) best_at = 8;

    std::string out;
    for (std::size_t g = 0; g < 8; ++g) {
        if (g == best_at) {
            out += "::";
            g += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        append_hex(out, groups[g]);
    }
    return out;
}

std::string to_string(const ip_address& address)
{
    return address.v4 ? format_ipv4(address.bytes.data() + 12) : format_ipv6(address.bytes);
}

} // namespace forkhorn::http
