// The HAProxy PROXY protocol header (versions 1 and 2) a load balancer sends before the first
// request of a connection to say who the real client is. Spec:
// https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt (§2.1 text, §2.2 binary).
// Semantics follow Gunicorn's `proxy_protocol` setting (off / v1 / v2 / auto).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/parser.hpp"

namespace forkhorn::http {

enum class proxy_mode : std::uint8_t { off, v1, v2, auto_detect };

struct proxy_info {
    bool local = false;      // v2 LOCAL, or v2 PROXY with UNSPEC family: nothing to replace,
                             // the connection's own endpoints stay in force
    std::string source_addr; // the client: IPv4 dotted, IPv6 in RFC 5952 form
    std::uint16_t source_port = 0;
    std::string dest_addr; // the address the client connected to (the proxy's side)
    std::uint16_t dest_port = 0;
    int version = 0; // 1 or 2; 0 when no header was present
};

struct proxy_result {
    parse_status status = parse_status::need_more;
    std::size_t consumed = 0; // header bytes when done; 0 when the bytes are plain HTTP
    proxy_info info;
    std::string_view reason; // short static text when status == error (answer 400, close)
};

/// v1 lines are at most 107 bytes including CRLF (spec §2.1).
inline constexpr std::size_t proxy_v1_max_line = 107;

/// Examines the start of a connection's input (call it only there: like Gunicorn, a PROXY
/// header is only looked for before the first request). need_more while `input` is a strict
/// prefix of a header the mode allows; call again with the same bytes plus what arrived
/// since. done with consumed == 0 and an empty `info` when there is no header (the mode is
/// off, or the bytes cannot start one): they are then parsed as HTTP. done with consumed > 0
/// when a header was parsed; the request follows it. error for a malformed header.
/// A v2 header can announce up to 65535 bytes of TLVs; the caller's buffer must be able to
/// hold 16 + that length or it should treat a full buffer as an error.
proxy_result parse_proxy_header(std::string_view input, proxy_mode mode);

} // namespace forkhorn::http
