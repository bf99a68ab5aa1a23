#include "http/proxy_protocol.hpp"

#include <array>

#include "http/ip_address.hpp"

namespace forkhorn::http {

namespace {

// Spec §2.2: the 12-byte v2 signature, chosen so that it cannot start a valid HTTP request.
constexpr std::string_view v2_signature{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr std::string_view v1_prefix = "PROXY ";
constexpr std::size_t v2_fixed = 16; // signature, ver/cmd, fam/proto, 2-byte length

// v2 fields (spec §2.2).
constexpr unsigned cmd_local = 0x0, cmd_proxy = 0x1;
constexpr unsigned af_unspec = 0x0, af_inet = 0x1, af_inet6 = 0x2, af_unix = 0x3;
constexpr unsigned proto_unspec = 0x0, proto_stream = 0x1;
constexpr std::size_t inet_block = 4 + 4 + 2 + 2, inet6_block = 16 + 16 + 2 + 2;

proxy_result need_more() { return {parse_status::need_more, 0, {}, {}}; }
proxy_result error(std::string_view reason) { return {parse_status::error, 0, {}, reason}; }

// True when `input` is shorter than `whole` and could still grow into it.
bool strict_prefix(std::string_view input, std::string_view whole) noexcept
{
    return input.size() < whole.size() && whole.substr(0, input.size()) == input;
}

// A v1 port: 1 to 5 decimal digits, 0..65535. Gunicorn uses int(), which would also take a
// sign, surrounding spaces or '_'; the spec says "decimal integer", so only digits.
bool parse_port(std::string_view s, std::uint16_t& out) noexcept
{
    if (s.empty() || s.size() > 5) return false;
    unsigned value = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return false;
    out = static_cast<std::uint16_t>(value);
    return true;
}

proxy_result parse_v1(std::string_view input)
{
    // Spec §2.1: the line, CRLF included, fits in 107 bytes; a receiver need not look further.
    const std::string_view window = input.substr(0, proxy_v1_max_line);
    const std::size_t end = window.find_first_of("\r\n");
    if (end == std::string_view::npos) {
        return input.size() >= proxy_v1_max_line ? error("PROXY line too long") : need_more();
    }
    if (window[end] == '\n') return error("PROXY line not ended by CRLF");
    if (end + 1 == proxy_v1_max_line) return error("PROXY line too long");
    if (end + 1 == input.size()) return need_more();
    if (input[end + 1] != '\n') return error("PROXY line not ended by CRLF");

    // "PROXY" SP proto SP src SP dst SP sport SP dport: single spaces, exactly six fields
    // (Gunicorn splits on " ", so a doubled space makes an empty field and fails the count).
    std::array<std::string_view, 6> fields;
    std::string_view rest = input.substr(0, end);
    std::size_t count = 0;
    for (;;) {
        const std::size_t sp = rest.find(' ');
        if (count == fields.size()) return error("PROXY line must have 6 fields");
        fields[count++] = rest.substr(0, sp);
        if (sp == std::string_view::npos) break;
        rest.remove_prefix(sp + 1);
    }
    if (count != fields.size()) return error("PROXY line must have 6 fields");

    const std::string_view proto = fields[1];
    const bool tcp4 = proto == "TCP4";
    if (!tcp4 && proto != "TCP6") {
        // UNKNOWN (spec: "the receiver must ignore the address information") is refused, as
        // Gunicorn does: a proxy that cannot name the client gives nothing to trust.
        return error(proto == "UNKNOWN" ? "PROXY UNKNOWN not supported" : "unsupported PROXY protocol");
    }
    const auto parse = tcp4 ? parse_ipv4 : parse_ipv6;
    const auto source = parse(fields[2]);
    const auto dest = parse(fields[3]);
    if (!source || !dest) return error("invalid address in PROXY line");

    proxy_result r{parse_status::done, end + 2, {}, {}};
    if (!parse_port(fields[4], r.info.source_port) || !parse_port(fields[5], r.info.dest_port)) {
        return error("invalid port in PROXY line");
    }
    // Normalised, so "TCP6 0:0:0:0:0:0:0:1" and "::1" give the same REMOTE_ADDR.
    r.info.source_addr = to_string(*source);
    r.info.dest_addr = to_string(*dest);
    r.info.version = 1;
    return r;
}

unsigned byte_at(std::string_view s, std::size_t i) noexcept { return static_cast<unsigned char>(s[i]); }

proxy_result parse_v2(std::string_view input)
{
    if (input.size() < v2_fixed) {
        // Refuse a wrong version/command as soon as its byte is here.
        if (input.size() > 12 && (byte_at(input, 12) >> 4) != 2) return error("unsupported PROXY v2 version");
        if (input.size() > 12 && (byte_at(input, 12) & 0xFU) > cmd_proxy) return error("unsupported PROXY v2 command");
        return need_more();
    }
    const unsigned ver_cmd = byte_at(input, 12);
    const unsigned fam_proto = byte_at(input, 13);
    const std::size_t length = (byte_at(input, 14) << 8) | byte_at(input, 15);
    const std::size_t total = v2_fixed + length;

    if ((ver_cmd >> 4) != 2) return error("unsupported PROXY v2 version");
    const unsigned command = ver_cmd & 0xFU;
    if (command > cmd_proxy) return error("unsupported PROXY v2 command");

    proxy_result r{parse_status::done, total, {}, {}};
    r.info.version = 2;
    if (command == cmd_local) {
        // Spec §2.2: LOCAL (health checks from the proxy itself) keeps the real endpoints and
        // the receiver must ignore the protocol block, family byte included.
        if (input.size() < total) return need_more();
        r.info.local = true;
        return r;
    }

    // Checked before waiting for the address block so a bad header fails at once.
    const unsigned family = fam_proto >> 4;
    const unsigned protocol = fam_proto & 0xFU;
    if (family == af_unix) return error("PROXY v2 UNIX family not supported");
    if (family > af_unix) return error("unsupported PROXY v2 family");
    // TCP only (Gunicorn). UNSPEC/UNSPEC is what the spec tells a sender to use for an
    // unsupported family, so it is accepted there and only there.
    if (protocol != proto_stream && !(family == af_unspec && protocol == proto_unspec)) {
        return error("PROXY v2 protocol must be STREAM");
    }
    if ((family == af_inet && length < inet_block) || (family == af_inet6 && length < inet6_block)) {
        return error("PROXY v2 length shorter than its addresses");
    }
    if (input.size() < total) return need_more();

    // Whatever follows the addresses within `length` is TLVs (spec §2.2.7): skipped.
    const auto* block = reinterpret_cast<const std::uint8_t*>(input.data() + v2_fixed);
    const auto port = [&](std::size_t at) { return static_cast<std::uint16_t>((block[at] << 8) | block[at + 1]); };
    if (family == af_inet) {
        r.info.source_addr = format_ipv4(block);
        r.info.dest_addr = format_ipv4(block + 4);
        r.info.source_port = port(8);
        r.info.dest_port = port(10);
    } else if (family == af_inet6) {
        std::array<std::uint8_t, 16> a{};
        std::array<std::uint8_t, 16> b{};
        for (std::size_t i = 0; i < 16; ++i) {
            a[i] = block[i];
            b[i] = block[16 + i];
        }
        r.info.source_addr = format_ipv6(a);
        r.info.dest_addr = format_ipv6(b);
        r.info.source_port = port(32);
        r.info.dest_port = port(34);
    } else {
        r.info.local = true; // UNSPEC: no address to take over
    }
    return r;
}

} // namespace

proxy_result parse_proxy_header(std::string_view input, proxy_mode mode)
{
    const bool want_v2 = mode == proxy_mode::v2 || mode == proxy_mode::auto_detect;
    const bool want_v1 = mode == proxy_mode::v1 || mode == proxy_mode::auto_detect;
    if (want_v2) {
        if (input.substr(0, v2_signature.size()) == v2_signature) return parse_v2(input);
        if (strict_prefix(input, v2_signature)) return need_more();
    }
    if (want_v1) {
        if (input.substr(0, v1_prefix.size()) == v1_prefix) return parse_v1(input);
        if (strict_prefix(input, v1_prefix)) return need_more();
    }
    return {parse_status::done, 0, {}, {}};
}

} // namespace forkhorn::http
