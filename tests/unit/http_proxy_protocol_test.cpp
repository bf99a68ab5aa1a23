#include "http/proxy_protocol.hpp"

#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <string>

using namespace forkhorn::http;
using namespace std::string_literals;

namespace {

const std::string signature = "\r\n\r\n\0\r\nQUIT\n"s;

// A v2 header: signature, version/command, family/protocol, then `block` with its length.
std::string v2(unsigned ver_cmd, unsigned fam_proto, const std::string& block)
{
    std::string h = signature;
    h += static_cast<char>(ver_cmd);
    h += static_cast<char>(fam_proto);
    h += static_cast<char>((block.size() >> 8) & 0xFF);
    h += static_cast<char>(block.size() & 0xFF);
    return h + block;
}

std::string bytes(std::initializer_list<unsigned> list)
{
    std::string s;
    for (unsigned b : list) s += static_cast<char>(b);
    return s;
}

// 1.2.3.4:1111 → 5.6.7.8:2222
const std::string inet_block = bytes({1, 2, 3, 4, 5, 6, 7, 8, 0x04, 0x57, 0x08, 0xAE});
// 2001:db8::1:443 → ::ffff:10.0.0.1:80
const std::string inet6_block =
    bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,    0,    0,  0, 0, 0, 0,    1,    0,    0,
           0,    0,    0,    0,    0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1, 0x01, 0xBB, 0x00, 0x50});

proxy_result parse(const std::string& input, proxy_mode mode = proxy_mode::auto_detect)
{
    return parse_proxy_header(input, mode);
}

bool is_error(const std::string& input, proxy_mode mode = proxy_mode::auto_detect)
{
    return parse(input, mode).status == parse_status::error;
}

bool passes_through(const std::string& input, proxy_mode mode)
{
    const proxy_result r = parse(input, mode);
    return r.status == parse_status::done && r.consumed == 0 && r.info.version == 0 && !r.info.local &&
           r.info.source_addr.empty();
}

// Feeds `input` one byte more at a time: every strict prefix must be need_more (or the same
// error early), and the whole must give what a single call gives.
void check_bytewise(const std::string& input, proxy_mode mode = proxy_mode::auto_detect)
{
    const proxy_result whole = parse(input, mode);
    for (std::size_t n = 0; n < input.size(); ++n) {
        const proxy_result r = parse(input.substr(0, n), mode);
        if (r.status == parse_status::error && whole.status == parse_status::error) return;
        if (whole.status == parse_status::done && whole.consumed == 0) {
            // Plain HTTP: a prefix may still look like the start of a header.
            BOOST_TEST((r.status != parse_status::error));
            BOOST_TEST(r.consumed == 0u);
            continue;
        }
        if (whole.status == parse_status::done && whole.consumed <= n) {
            BOOST_TEST((r.status == parse_status::done));
            BOOST_TEST(r.consumed == whole.consumed);
            continue;
        }
        BOOST_TEST_REQUIRE((r.status == parse_status::need_more), "prefix of " << n << " bytes");
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_proxy_protocol)

BOOST_AUTO_TEST_CASE(v1_tcp4)
{
    const std::string line = "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n";
    const proxy_result r = parse(line + "GET / HTTP/1.1\r\n");
    BOOST_TEST_REQUIRE((r.status == parse_status::done), r.reason);
    BOOST_TEST(r.consumed == line.size());
    BOOST_TEST(r.info.version == 1);
    BOOST_TEST(!r.info.local);
    BOOST_TEST(r.info.source_addr == "1.2.3.4");
    BOOST_TEST(r.info.source_port == 1111);
    BOOST_TEST(r.info.dest_addr == "5.6.7.8");
    BOOST_TEST(r.info.dest_port == 2222);
}

BOOST_AUTO_TEST_CASE(v1_tcp6_is_normalised)
{
    const std::string line = "PROXY TCP6 2001:DB8:0:0:0:0:0:1 ::1 0 65535\r\n";
    const proxy_result r = parse(line);
    BOOST_TEST_REQUIRE((r.status == parse_status::done), r.reason);
    BOOST_TEST(r.consumed == line.size());
    BOOST_TEST(r.info.source_addr == "2001:db8::1");
    BOOST_TEST(r.info.dest_addr == "::1");
    BOOST_TEST(r.info.source_port == 0);
    BOOST_TEST(r.info.dest_port == 65535);
    BOOST_TEST(parse("PROXY TCP6 ::ffff:1.2.3.4 ::1 1 2\r\n").info.source_addr == "::ffff:1.2.3.4");
}

BOOST_AUTO_TEST_CASE(v1_longest_valid_line)
{
    // Spec §2.1's 107 bytes are for "UNKNOWN"; the longest TCP6 line is 104 bytes.
    const std::string line =
        "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    BOOST_TEST_REQUIRE(line.size() == 104u);
    const proxy_result r = parse(line);
    BOOST_TEST_REQUIRE((r.status == parse_status::done), r.reason);
    BOOST_TEST(r.consumed == 104u);
    // The spec's own worst case, UNKNOWN with two full IPv6 addresses, is exactly 107 bytes:
    // it is judged on its fields (UNKNOWN is refused), while one byte more is too long.
    const std::string unknown =
        "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    BOOST_TEST_REQUIRE(unknown.size() == proxy_v1_max_line);
    BOOST_TEST(parse(unknown).reason == "PROXY UNKNOWN not supported");
    BOOST_TEST(parse(unknown.substr(0, 6) + " " + unknown.substr(6)).reason == "PROXY line too long");
}

BOOST_AUTO_TEST_CASE(v1_field_count)
{
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 1111\r\n"));
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222 3333\r\n"));
    BOOST_TEST(is_error("PROXY TCP4  1.2.3.4 5.6.7.8 1111 2222\r\n")); // doubled space
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222 \r\n")); // trailing space
    BOOST_TEST(is_error("PROXY \r\n"));
    BOOST_TEST(is_error("PROXY TCP4\t1.2.3.4 5.6.7.8 1111 2222\r\n"));
}

BOOST_AUTO_TEST_CASE(v1_protocol)
{
    BOOST_TEST(is_error("PROXY UNKNOWN\r\n"));
    BOOST_TEST(is_error("PROXY UNKNOWN 1.2.3.4 5.6.7.8 1111 2222\r\n"));
    BOOST_TEST(parse("PROXY UNKNOWN 1.2.3.4 5.6.7.8 1111 2222\r\n").reason == "PROXY UNKNOWN not supported");
    BOOST_TEST(is_error("PROXY UDP4 1.2.3.4 5.6.7.8 1111 2222\r\n"));
    BOOST_TEST(is_error("PROXY tcp4 1.2.3.4 5.6.7.8 1111 2222\r\n"));
}

BOOST_AUTO_TEST_CASE(v1_addresses)
{
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.256 5.6.7.8 1111 2222\r\n"));
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7 1111 2222\r\n"));
    BOOST_TEST(is_error("PROXY TCP4 01.2.3.4 5.6.7.8 1111 2222\r\n"));
    BOOST_TEST(is_error("PROXY TCP4 ::1 5.6.7.8 1111 2222\r\n")); // v6 under TCP4
    BOOST_TEST(is_error("PROXY TCP6 1.2.3.4 ::1 1111 2222\r\n")); // v4 under TCP6
    BOOST_TEST(is_error("PROXY TCP6 ::1 1::2::3 1111 2222\r\n"));
    BOOST_TEST(is_error("PROXY TCP6 [::1] ::1 1111 2222\r\n"));
    BOOST_TEST(is_error("PROXY TCP4 localhost 5.6.7.8 1111 2222\r\n"));
}

BOOST_AUTO_TEST_CASE(v1_ports)
{
    for (const char* port : {"65536", "-1", "+80", "", "8o", "100000", "0x50", " 80"}) {
        BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 "s + port + " 2222\r\n"), port);
        BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 1111 "s + port + "\r\n"), port);
    }
    BOOST_TEST(parse("PROXY TCP4 1.2.3.4 5.6.7.8 080 0\r\n").info.source_port == 80); // int() takes it
}

BOOST_AUTO_TEST_CASE(v1_line_ending_and_length)
{
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\n"));
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\rX"));
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\r\n"));
    const std::string long_line = "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222" + std::string(80, ' ');
    BOOST_TEST(is_error(long_line)); // 107 bytes and no CRLF yet
    BOOST_TEST((parse(long_line.substr(0, 106)).status == parse_status::need_more));
    BOOST_TEST(parse(long_line.substr(0, 106) + "\r\n").reason == "PROXY line too long"); // CRLF at 107-108
    BOOST_TEST(is_error("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222" + std::string(200, 'x') + "\r\n"));
}

BOOST_AUTO_TEST_CASE(v1_bytewise)
{
    check_bytewise("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\nGET / HTTP/1.1\r\n\r\n");
    check_bytewise("PROXY TCP6 ::1 ::2 1 2\r\n");
    check_bytewise("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n", proxy_mode::v1);
    check_bytewise("PROXY UNKNOWN\r\n");
    check_bytewise("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\n");
    BOOST_TEST((parse("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r").status == parse_status::need_more));
}

BOOST_AUTO_TEST_CASE(v2_proxy_inet)
{
    const std::string header = v2(0x21, 0x11, inet_block);
    const proxy_result r = parse(header + "GET / HTTP/1.1\r\n");
    BOOST_TEST_REQUIRE((r.status == parse_status::done), r.reason);
    BOOST_TEST(r.consumed == 28u);
    BOOST_TEST(r.info.version == 2);
    BOOST_TEST(!r.info.local);
    BOOST_TEST(r.info.source_addr == "1.2.3.4");
    BOOST_TEST(r.info.source_port == 1111);
    BOOST_TEST(r.info.dest_addr == "5.6.7.8");
    BOOST_TEST(r.info.dest_port == 2222);
    check_bytewise(header + "GET");
}

BOOST_AUTO_TEST_CASE(v2_proxy_inet6)
{
    const std::string header = v2(0x21, 0x21, inet6_block);
    const proxy_result r = parse(header);
    BOOST_TEST_REQUIRE((r.status == parse_status::done), r.reason);
    BOOST_TEST(r.consumed == 52u);
    BOOST_TEST(r.info.source_addr == "2001:db8::1");
    BOOST_TEST(r.info.source_port == 443);
    BOOST_TEST(r.info.dest_addr == "::ffff:10.0.0.1");
    BOOST_TEST(r.info.dest_port == 80);
    check_bytewise(header);
}

BOOST_AUTO_TEST_CASE(v2_local)
{
    // LOCAL: the proxy's own connection (health checks); the block is ignored, whatever it is.
    for (unsigned fam : {0x00U, 0x11U, 0x31U, 0x22U}) {
        const std::string header = v2(0x20, fam, fam == 0 ? "" : inet_block);
        const proxy_result r = parse(header + "GET");
        BOOST_TEST_REQUIRE((r.status == parse_status::done), r.reason);
        BOOST_TEST(r.consumed == header.size());
        BOOST_TEST(r.info.local);
        BOOST_TEST(r.info.version == 2);
        BOOST_TEST(r.info.source_addr.empty());
        check_bytewise(header);
    }
}

BOOST_AUTO_TEST_CASE(v2_proxy_unspec_keeps_real_endpoints)
{
    for (unsigned fam : {0x00U, 0x01U}) {
        const proxy_result r = parse(v2(0x21, fam, ""));
        BOOST_TEST_REQUIRE((r.status == parse_status::done), r.reason);
        BOOST_TEST(r.consumed == 16u);
        BOOST_TEST(r.info.local);
    }
}

BOOST_AUTO_TEST_CASE(v2_tlvs_are_skipped)
{
    // PP2_TYPE_ALPN "h2" and PP2_TYPE_AUTHORITY "example.com" after the addresses.
    const std::string tlvs = bytes({0x01, 0x00, 0x02}) + "h2" + bytes({0x02, 0x00, 0x0B}) + "example.com";
    const std::string header = v2(0x21, 0x11, inet_block + tlvs);
    const proxy_result r = parse(header + "GET / HTTP/1.1\r\n");
    BOOST_TEST_REQUIRE((r.status == parse_status::done), r.reason);
    BOOST_TEST(r.consumed == header.size());
    BOOST_TEST(r.info.source_addr == "1.2.3.4");
    check_bytewise(header);
}

BOOST_AUTO_TEST_CASE(v2_errors)
{
    BOOST_TEST(is_error(v2(0x11, 0x11, inet_block)));            // version 1
    BOOST_TEST(is_error(v2(0x31, 0x11, inet_block)));            // version 3
    BOOST_TEST(is_error(v2(0x22, 0x11, inet_block)));            // command 2
    BOOST_TEST(is_error(v2(0x21, 0x31, std::string(216, 'a')))); // UNIX
    BOOST_TEST(parse(v2(0x21, 0x31, std::string(216, 'a'))).reason == "PROXY v2 UNIX family not supported");
    BOOST_TEST(is_error(v2(0x21, 0x41, inet_block)));               // unknown family
    BOOST_TEST(is_error(v2(0x21, 0x12, inet_block)));               // DGRAM
    BOOST_TEST(is_error(v2(0x21, 0x22, inet6_block)));              // DGRAM over INET6
    BOOST_TEST(is_error(v2(0x21, 0x10, inet_block)));               // INET with UNSPEC protocol
    BOOST_TEST(is_error(v2(0x21, 0x02, "")));                       // UNSPEC family, DGRAM
    BOOST_TEST(is_error(v2(0x21, 0x11, inet_block.substr(0, 11)))); // short length
    BOOST_TEST(is_error(v2(0x21, 0x21, inet6_block.substr(0, 35))));
    BOOST_TEST(is_error(v2(0x21, 0x21, inet_block))); // INET6 with an IPv4 block
    // Errors in the fixed part show without waiting for the announced bytes.
    BOOST_TEST(is_error(v2(0x21, 0x12, inet_block).substr(0, 16)));
    BOOST_TEST(is_error(v2(0x11, 0x11, inet_block).substr(0, 13)));
    check_bytewise(v2(0x31, 0x11, inet_block));
    check_bytewise(v2(0x21, 0x12, inet_block));
}

BOOST_AUTO_TEST_CASE(v2_incomplete_block_needs_more)
{
    const std::string header = v2(0x21, 0x11, inet_block);
    BOOST_TEST((parse(header.substr(0, 27)).status == parse_status::need_more));
    BOOST_TEST((parse(header.substr(0, 16)).status == parse_status::need_more));
    BOOST_TEST((parse(signature).status == parse_status::need_more));
}

BOOST_AUTO_TEST_CASE(plain_http_passes_through)
{
    for (proxy_mode mode : {proxy_mode::off, proxy_mode::v1, proxy_mode::v2, proxy_mode::auto_detect}) {
        BOOST_TEST(passes_through("GET / HTTP/1.1\r\nHost: h\r\n\r\n", mode));
        BOOST_TEST(passes_through("PROXX", mode));
        BOOST_TEST(passes_through("PROXYTCP4", mode));
        BOOST_TEST(passes_through("\r\n\r\n\x01", mode)); // diverges from the v2 signature
        BOOST_TEST(passes_through("\r\nGET / HTTP/1.1\r\n", mode));
    }
}

BOOST_AUTO_TEST_CASE(partial_prefix_needs_more)
{
    BOOST_TEST((parse("").status == parse_status::need_more));
    BOOST_TEST((parse("P").status == parse_status::need_more));
    BOOST_TEST((parse("PROXY").status == parse_status::need_more));
    BOOST_TEST((parse("\r\n").status == parse_status::need_more));
    BOOST_TEST((parse(signature.substr(0, 11)).status == parse_status::need_more));
    // A prefix only the other version could complete is plain HTTP for a single-version mode.
    BOOST_TEST(passes_through("PROX", proxy_mode::v2));
    BOOST_TEST(passes_through("\r\n\r\n", proxy_mode::v1));
    BOOST_TEST((parse("PROX", proxy_mode::v1).status == parse_status::need_more));
    BOOST_TEST((parse("\r\n\r\n", proxy_mode::v2).status == parse_status::need_more));
    BOOST_TEST(passes_through("", proxy_mode::off));
    check_bytewise("GET / HTTP/1.1\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(modes_select_versions)
{
    const std::string line = "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n";
    const std::string header = v2(0x21, 0x11, inet_block);
    BOOST_TEST(passes_through(line, proxy_mode::off));
    BOOST_TEST(passes_through(header, proxy_mode::off));
    BOOST_TEST(parse(line, proxy_mode::v1).consumed == line.size());
    BOOST_TEST(passes_through(header, proxy_mode::v1));
    BOOST_TEST(parse(header, proxy_mode::v2).consumed == header.size());
    BOOST_TEST(passes_through(line, proxy_mode::v2));
    BOOST_TEST(parse(line, proxy_mode::auto_detect).info.version == 1);
    BOOST_TEST(parse(header, proxy_mode::auto_detect).info.version == 2);
    // Only the start of the input counts: a header after a request is just bytes.
    BOOST_TEST(passes_through("GET / HTTP/1.1\r\n\r\n" + line, proxy_mode::auto_detect));
}

BOOST_AUTO_TEST_SUITE_END()
