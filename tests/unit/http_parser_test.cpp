#include "http/parser.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <new>
#include <string>

#include "http_corpus.hpp"
#include "http_test_support.hpp"

using namespace forkhorn::http;
using namespace forkhorn::http::test;
using namespace std::string_literals;

// Counts every allocation in the test program, to show the parsing path makes none.
namespace {
std::size_t allocation_count = 0;
}

void* operator new(std::size_t size)
{
    ++allocation_count;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

// A minimal HTTP/1.1 request with the given request line and extra field lines.
std::string request(std::string_view line, std::string_view fields = "Host: h\r\n")
{
    return std::string(line) + "\r\n" + std::string(fields) + "\r\n";
}

int line_status(std::string_view line) { return head_status(request(line)); }

int field_status(std::string_view fields) { return head_status(request("GET / HTTP/1.1", fields)); }

// The head's header views point into the parser, so it lives on until the next call.
request_head parse_ok(const std::string& raw, parser_limits limits = {})
{
    static request_parser parser;
    parser = request_parser(limits);
    request_head head;
    const parse_result r = parser.parse_head(raw, head);
    BOOST_TEST_REQUIRE((r.status == parse_status::done), "parse failed: " << r.reason);
    BOOST_TEST(r.consumed == raw.size());
    return head;
}

bool same_name(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_parser)

// ---- request line (RFC 9112 §3) ----

BOOST_AUTO_TEST_CASE(parses_a_simple_request)
{
    const std::string raw = request("GET /a/b?x=1 HTTP/1.1", "Host: example.com\r\nAccept: */*\r\n");
    const request_head h = parse_ok(raw);
    BOOST_TEST(h.method == "GET");
    BOOST_TEST(h.target == "/a/b?x=1");
    BOOST_TEST(h.path == "/a/b");
    BOOST_TEST(h.query == "x=1");
    BOOST_TEST(h.fragment == "");
    BOOST_TEST(h.version_minor == 1);
    BOOST_TEST_REQUIRE(h.headers.size() == 2u);
    BOOST_TEST(h.headers[1].name == "Accept");
    BOOST_TEST(h.headers[1].value == "*/*");
    BOOST_TEST((h.framing == body_framing::none));
    BOOST_TEST(h.keep_alive);
    BOOST_TEST(!h.expect_continue);
}

BOOST_AUTO_TEST_CASE(splits_path_query_and_fragment)
{
    std::string raw = request("GET /p?q=1?2#frag?x HTTP/1.1");
    request_head h = parse_ok(raw);
    BOOST_TEST(h.path == "/p");
    BOOST_TEST(h.query == "q=1?2");
    BOOST_TEST(h.fragment == "frag?x");
    raw = request("GET /p#f?notquery HTTP/1.1");
    h = parse_ok(raw);
    BOOST_TEST(h.path == "/p");
    BOOST_TEST(h.query == "");
    BOOST_TEST(h.fragment == "f?notquery");
    raw = request("GET ///keeping_slashes? HTTP/1.1");
    h = parse_ok(raw);
    BOOST_TEST(h.path == "///keeping_slashes");
    BOOST_TEST(h.query == "");
}

BOOST_AUTO_TEST_CASE(refuses_anything_but_single_spaces)
{
    BOOST_TEST(line_status("GET  / HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET /  HTTP/1.1") == 400);
    BOOST_TEST(line_status(" GET / HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET / HTTP/1.1 ") == 400);
    BOOST_TEST(line_status("GET\t/ HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET /\tHTTP/1.1") == 400);
    BOOST_TEST(line_status("GET HTTP/1.1") == 400); // corpus invalid_002
    BOOST_TEST(line_status("GET") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_a_request_line_ended_by_bare_lf)
{
    BOOST_TEST(head_status("GET\n/\nHTTP/1.1\r\n\r\n") == 400); // corpus invalid_003
    BOOST_TEST(head_status("GET / HTTP/1.1\nHost: h\r\n\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_a_bare_cr_in_the_request_line)
{
    BOOST_TEST(line_status("GET /a\rb HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET / HTTP/1.1\r") == 400);
}

BOOST_AUTO_TEST_CASE(accepts_token_methods)
{
    BOOST_TEST(line_status("PUT / HTTP/1.1") == 0);
    BOOST_TEST(line_status("M-SEARCH * HTTP/1.1") == 400); // '*' is for OPTIONS only
    BOOST_TEST(line_status("M-SEARCH / HTTP/1.1") == 0);
    BOOST_TEST(line_status("PURGE / HTTP/1.1") == 0);
    BOOST_TEST(line_status("ABCDEFGHIJKLMNOPQRST / HTTP/1.1") == 0); // 20 characters
}

BOOST_AUTO_TEST_CASE(refuses_non_token_methods)
{
    BOOST_TEST(line_status("bla:rgh /foo HTTP/1.1") == 400);             // corpus invalid_003b
    BOOST_TEST(head_status("GET\0PROXY /foo HTTP/1.1\r\n\r\n"s) == 400); // invalid_prefix_01
    BOOST_TEST(line_status("GET\xc3\x9f /germans.. HTTP/1.1") == 400);   // invalid_nonascii_01
    BOOST_TEST(line_status("GE(T / HTTP/1.1") == 400);
    BOOST_TEST(line_status("GE\"T / HTTP/1.1") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_lowercase_and_odd_length_methods_like_gunicorn)
{
    BOOST_TEST(line_status("get / HTTP/1.1") == 400);
    BOOST_TEST(line_status("Get / HTTP/1.1") == 400);
    BOOST_TEST(line_status("-bl /foo HTTP/1.1") == 400); // corpus invalid_003c
    BOOST_TEST(line_status("GE / HTTP/1.1") == 400);
    BOOST_TEST(line_status("ABCDEFGHIJKLMNOPQRSTU / HTTP/1.1") == 400); // 21 characters
}

BOOST_AUTO_TEST_CASE(accepts_http_1_0_and_1_1)
{
    std::string raw = request("GET / HTTP/1.0", "");
    BOOST_TEST(parse_ok(raw).version_minor == 0);
    raw = request("GET / HTTP/1.1");
    BOOST_TEST(parse_ok(raw).version_minor == 1);
}

BOOST_AUTO_TEST_CASE(serves_a_higher_minor_version_as_http_1_1)
{ // RFC 9110 §2.5
    std::string raw = request("GET / HTTP/1.2");
    BOOST_TEST(parse_ok(raw).version_minor == 1);
    raw = request("GET / HTTP/1.9");
    BOOST_TEST(parse_ok(raw).version_minor == 1);
}

BOOST_AUTO_TEST_CASE(answers_505_to_other_well_formed_versions)
{
    BOOST_TEST(line_status("GET / HTTP/2.0") == 505); // corpus invalid_version_02
    BOOST_TEST(line_status("GET / HTTP/0.9") == 505);
    BOOST_TEST(line_status("GET / HTTP/9.9") == 505);
}

BOOST_AUTO_TEST_CASE(answers_400_to_malformed_versions)
{
    BOOST_TEST(line_status("GET /foo FTP/1.1") == 400);   // corpus invalid_004
    BOOST_TEST(line_status("GET /test HTTP/111") == 400); // corpus invalid_018
    BOOST_TEST(line_status("GET / HTTP/11.1") == 400);
    BOOST_TEST(line_status("GET / HTTP/1.11") == 400);
    BOOST_TEST(line_status("GET / http/1.1") == 400);
    BOOST_TEST(line_status("GET / HTTP/1") == 400);
    BOOST_TEST(line_status("GET / HTTP/1.x") == 400);
    BOOST_TEST(line_status("GET / HTTP/1,1") == 400);
    BOOST_TEST(line_status("GET /the/future HTTP/1111111111111111111111.1") == 400); // invalid_prefix_06
}

BOOST_AUTO_TEST_CASE(refuses_controls_and_accepts_high_bytes_in_the_target)
{
    BOOST_TEST(line_status("GET /a\x01 HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET /a\x7f HTTP/1.1") == 400);
    BOOST_TEST(head_status("GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n"s) == 400);
    const std::string raw = request("GET /\xc3\xa0%20k HTTP/1.1"); // corpus valid_027
    BOOST_TEST(parse_ok(raw).path == "/\xc3\xa0%20k");
}

BOOST_AUTO_TEST_CASE(allows_asterisk_form_only_with_options)
{
    const std::string raw = request("OPTIONS * HTTP/1.1");
    BOOST_TEST(parse_ok(raw).path == "*");
    BOOST_TEST(line_status("GET * HTTP/1.1") == 400);
    BOOST_TEST(line_status("OPTIONS *x HTTP/1.1") == 400);
}

BOOST_AUTO_TEST_CASE(allows_authority_form_only_with_connect)
{
    const std::string raw = request("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443\r\n");
    const request_head h = parse_ok(raw);
    BOOST_TEST(h.path == "example.com:443"); // corpus valid_rfc9112_target_authority_connect_01
    BOOST_TEST(h.query == "");
    BOOST_TEST(line_status("CONNECT [::1]:443 HTTP/1.1") == 0);
    BOOST_TEST(line_status("GET example.com:443 HTTP/1.1") == 400);
    BOOST_TEST(line_status("CONNECT / HTTP/1.1") == 400);
    BOOST_TEST(line_status("CONNECT http://example.com:443/ HTTP/1.1") == 400);
    BOOST_TEST(line_status("CONNECT example.com HTTP/1.1") == 400);
    BOOST_TEST(line_status("CONNECT example.com: HTTP/1.1") == 400);
    BOOST_TEST(line_status("CONNECT :443 HTTP/1.1") == 400);
    BOOST_TEST(line_status("CONNECT user@example.com:443 HTTP/1.1") == 400);
}

BOOST_AUTO_TEST_CASE(splits_absolute_form_after_the_authority)
{
    std::string raw = request("GET http://example.com/foo?q=1#f HTTP/1.1");
    request_head h = parse_ok(raw);
    BOOST_TEST(h.target == "http://example.com/foo?q=1#f");
    BOOST_TEST(h.path == "/foo");
    BOOST_TEST(h.query == "q=1");
    BOOST_TEST(h.fragment == "f");
    raw = request("GET http://[::1]:8080/foo HTTP/1.1"); // valid_rfc9112_target_absolute_ipv6_01
    BOOST_TEST(parse_ok(raw).path == "/foo");
    raw = request("GET https://example.com HTTP/1.1");
    BOOST_TEST(parse_ok(raw).path == "/");
    raw = request("GET http://example.com?x HTTP/1.1");
    h = parse_ok(raw);
    BOOST_TEST(h.path == "/");
    BOOST_TEST(h.query == "x");
}

BOOST_AUTO_TEST_CASE(refuses_malformed_absolute_and_relative_targets)
{
    BOOST_TEST(line_status("GET foo HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET foo/bar://x HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET 1http://example.com/ HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET ://example.com/ HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET http:///foo HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET http://user@example.com/ HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET http://exa mple.com/ HTTP/1.1") == 400);
    BOOST_TEST(line_status("GET http://example.com:8x/ HTTP/1.1") == 400);
}

BOOST_AUTO_TEST_CASE(answers_414_to_a_request_line_over_the_limit)
{
    parser_limits limits;
    limits.request_line = 20;
    const std::string fits = "GET /" + std::string(6, 'a') + " HTTP/1.1"; // 20 bytes
    BOOST_TEST(head_status(request(fits), limits) == 0);
    BOOST_TEST(head_status(request("GET /" + std::string(7, 'a') + " HTTP/1.1"), limits) == 414);
    // Known before the line ends: 22 bytes without LF cannot be 20 + CRLF.
    BOOST_TEST(head_status(fits + "\r", limits) == -1);
    BOOST_TEST(head_status(fits + "x\r", limits) == 414);
    // Default 4094, as Gunicorn (corpus invalid_006 has a 4112-byte line).
    BOOST_TEST(head_status(request("GET /" + std::string(4094 - 14, 'a') + " HTTP/1.1")) == 0);
    BOOST_TEST(head_status(request("GET /" + std::string(4095 - 14, 'a') + " HTTP/1.1")) == 414);
    BOOST_TEST(head_status("GET /" + std::string(5000, 'a')) == 414);
}

BOOST_AUTO_TEST_CASE(zero_limits_mean_gunicorn_defaults)
{
    parser_limits limits{0, 0, 0};
    request_parser parser(limits);
    BOOST_TEST(parser.limits().request_line == 8190u);
    BOOST_TEST(parser.limits().fields == 32768u);
    BOOST_TEST(parser.limits().field_size == 8190u);
    limits.fields = 40000;
    BOOST_TEST(request_parser(limits).limits().fields == 32768u);
}

BOOST_AUTO_TEST_CASE(skips_empty_lines_before_the_request_line)
{
    const std::string raw = "\r\n\r\n" + request("GET /x HTTP/1.1");
    const request_head h = parse_ok(raw); // also checks consumed covers the empty lines
    BOOST_TEST(h.path == "/x");
    BOOST_TEST(head_status("\n" + request("GET / HTTP/1.1")) == 400);
    BOOST_TEST(head_status("\r\r\n" + request("GET / HTTP/1.1")) == 400);
}

BOOST_AUTO_TEST_CASE(counts_leading_empty_lines_against_the_request_line_limit)
{
    parser_limits limits;
    limits.request_line = 16;
    BOOST_TEST(head_status("\r\n" + request("GET / HTTP/1.1"), limits) == 0); // 2 + 14 bytes
    BOOST_TEST(head_status("\r\n\r\n" + request("GET / HTTP/1.1"), limits) == 414);
    std::string flood;
    for (int i = 0; i < 8; ++i) flood += "\r\n";
    BOOST_TEST(head_status(flood, limits) == -1);
    BOOST_TEST(head_status(flood + "\r\n", limits) == 414); // no request line can follow
    BOOST_TEST(head_status(std::string(64, '\r'), limits) == 414);
}

// ---- header fields (RFC 9112 §5, RFC 9110 §5) ----

BOOST_AUTO_TEST_CASE(strips_ows_around_values)
{
    const std::string raw = request("GET / HTTP/1.1", "Host: localhost\r\nName: \t value \t \r\nE:\r\n");
    const request_head h = parse_ok(raw); // corpus valid_padding_01
    BOOST_TEST(h.headers[1].value == "value");
    BOOST_TEST(h.headers[2].name == "E");
    BOOST_TEST(h.headers[2].value == "");
}

BOOST_AUTO_TEST_CASE(keeps_names_order_and_duplicates_as_received)
{
    const std::string raw = request("GET / HTTP/1.0", "If-Match: bazinga!\r\nx-lower: 1\r\nIf-Match: large-sound\r\n");
    const request_head h = parse_ok(raw); // corpus valid_017
    BOOST_TEST_REQUIRE(h.headers.size() == 3u);
    BOOST_TEST(h.headers[0].value == "bazinga!");
    BOOST_TEST(h.headers[1].name == "x-lower");
    BOOST_TEST(h.headers[2].value == "large-sound");
}

BOOST_AUTO_TEST_CASE(keeps_inner_whitespace_and_obs_text_in_values)
{
    const std::string raw = request("GET / HTTP/1.1", "Host: h\r\nX-Value: caf\xc3\xa9 \t au lait\r\n");
    BOOST_TEST(parse_ok(raw).headers[1].value == "caf\xc3\xa9 \t au lait");
}

BOOST_AUTO_TEST_CASE(find_is_case_insensitive)
{
    const std::string raw = request("GET / HTTP/1.1", "Host: h\r\nX-One: 1\r\nx-one: 2\r\n");
    const request_head h = parse_ok(raw);
    std::string_view v = "unset";
    BOOST_TEST(h.find("X-ONE", v));
    BOOST_TEST(v == "1");
    BOOST_TEST(!h.find("X-Two", v));
    BOOST_TEST(v.empty());
}

BOOST_AUTO_TEST_CASE(refuses_whitespace_before_the_colon)
{
    BOOST_TEST(field_status("Host: h\r\nName : v\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nName\t: v\r\n") == 400);
    BOOST_TEST(field_status("Host : h\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_invalid_names)
{
    BOOST_TEST(field_status("Host: h\r\n: v\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nno colon\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nNoColon\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nba\0z: bar\r\n"s) == 400);               // invalid_005
    BOOST_TEST(field_status("Host: h\r\nContent-Length\xc3\x9f: 3\r\n") == 400); // invalid_nonascii_03
    BOOST_TEST(field_status("Host: h\r\n(x): v\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nX-\"q\": v\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_controls_in_values)
{
    BOOST_TEST(field_status("Host: h\r\nX-Value: plain\x07injected\r\n") == 400); // BEL, corpus
    BOOST_TEST(field_status("Host: h\r\nX: a\0b\r\n"s) == 400);
    BOOST_TEST(field_status("Host: h\r\nX: a\rb\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nX: a\x7f\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nX: a\x1b[0m\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nX: ab\r\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nX: a\tb\r\n") == 0);
}

BOOST_AUTO_TEST_CASE(refuses_obs_fold)
{
    BOOST_TEST(field_status("Host: h\r\nX: a\r\n b\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nX: a\r\n\tb\r\n") == 400);
    BOOST_TEST(head_status("GET / HTTP/1.1\r\n Host: h\r\n\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_bare_lf_line_endings)
{
    // corpus invalid_invalid_field_value_01: a bare LF would hide a second request.
    BOOST_TEST(head_status("GET / HTTP/1.1\r\nHost: x\r\nNewline: a\nContent-Length: 26\r\n"
                           "GET / HTTP/1.1\nHost: x\r\n\r\n") == 400);
    BOOST_TEST(head_status("GET / HTTP/1.1\r\nHost: h\n\r\n") == 400);
    BOOST_TEST(head_status("GET / HTTP/1.1\r\nHost: h\r\n\n") == 400);
}

BOOST_AUTO_TEST_CASE(answers_431_to_too_many_fields)
{
    parser_limits limits;
    limits.fields = 3;
    BOOST_TEST(head_status(request("GET / HTTP/1.1", "Host: h\r\nA: 1\r\nB: 2\r\n"), limits) == 0);
    BOOST_TEST(head_status(request("GET / HTTP/1.1", "Host: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n"), limits) == 431);
    // Known as soon as a fourth line starts.
    BOOST_TEST(head_status("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC", limits) == 431);
    BOOST_TEST(head_status("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r", limits) == -1);
    std::string many;
    for (int i = 0; i < 101; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    BOOST_TEST(head_status(request("GET / HTTP/1.1", "Host: h\r\n" + many)) == 431); // default 100
}

BOOST_AUTO_TEST_CASE(answers_431_to_a_field_line_over_the_limit)
{
    parser_limits limits;
    limits.field_size = 16; // including CRLF
    BOOST_TEST(head_status(request("GET / HTTP/1.1", "Host: h\r\nX: 01234567890\r\n"), limits) == 0);
    BOOST_TEST(head_status(request("GET / HTTP/1.1", "Host: h\r\nX: 012345678901\r\n"), limits) == 431);
    // Known before the line ends: 16 bytes without LF cannot be a 16-byte line.
    BOOST_TEST(head_status("GET / HTTP/1.1\r\nHost: h\r\nX: 01234567890\r", limits) == -1);
    BOOST_TEST(head_status("GET / HTTP/1.1\r\nHost: h\r\nX: 012345678901\r", limits) == 431);
    // corpus invalid_017: an 8189-byte line plus CRLF is one over the default 8190.
    BOOST_TEST(field_status("Host: h\r\nLong-header: " + std::string(8189 - 13, '0') + "\r\n") == 431);
    BOOST_TEST(field_status("Host: h\r\nLong-header: " + std::string(8188 - 13, '0') + "\r\n") == 0);
}

BOOST_AUTO_TEST_CASE(accepts_a_head_at_every_limit_at_once)
{
    parser_limits limits;
    limits.fields = 4;
    limits.field_size = 32;
    std::string fields = "Host: h\r\n";
    for (int i = 0; i < 3; ++i) fields += "X" + std::to_string(i) + ": " + std::string(32 - 6, 'v') + "\r\n";
    // The block stays under fields * (field_size + 2) + 4, Gunicorn's "max buffer headers".
    BOOST_TEST(head_status(request("GET / HTTP/1.1", fields), limits) == 0);
    BOOST_TEST(head_status(request("GET / HTTP/1.1", fields + "Y: 1\r\n"), limits) == 431);
}

BOOST_AUTO_TEST_CASE(drops_underscore_names_by_default)
{
    const std::string raw =
        request("GET /keep HTTP/1.0", "Transfer_Encoding: tricked\r\nContent-Length: 7\r\nContent_Length: -1E23\r\n");
    const request_head h = parse_ok(raw); // corpus valid_040
    BOOST_TEST_REQUIRE(h.headers.size() == 1u);
    BOOST_TEST(h.headers[0].name == "Content-Length");
    BOOST_TEST(h.content_length == 7u);
}

BOOST_AUTO_TEST_CASE(counts_dropped_fields_against_the_limit)
{
    parser_limits limits;
    limits.fields = 2;
    BOOST_TEST(head_status(request("GET / HTTP/1.1", "Host: h\r\nA_B: 1\r\nC_D: 2\r\n"), limits) == 431);
}

BOOST_AUTO_TEST_CASE(refuses_or_keeps_underscore_names_when_asked)
{
    parser_limits limits;
    limits.header_map = header_map_policy::refuse;
    BOOST_TEST(head_status(request("GET / HTTP/1.1", "Host: h\r\nA_B: 1\r\n"), limits) == 400);
    limits.header_map = header_map_policy::keep;
    const std::string raw = request("GET / HTTP/1.1", "Host: h\r\nA_B: 1\r\n");
    const request_head h = parse_ok(raw, limits);
    BOOST_TEST_REQUIRE(h.headers.size() == 2u);
    BOOST_TEST(h.headers[1].name == "A_B");
}

// ---- Host (RFC 9112 §3.2) ----

BOOST_AUTO_TEST_CASE(requires_host_in_http_1_1_only)
{
    BOOST_TEST(head_status("GET / HTTP/1.1\r\n\r\n") == 400);
    BOOST_TEST(head_status("GET / HTTP/1.0\r\n\r\n") == 0);
    BOOST_TEST(head_status("GET / HTTP/1.1\r\nHost:\r\n\r\n") == 0); // empty Host is allowed
}

BOOST_AUTO_TEST_CASE(refuses_a_duplicate_host)
{
    BOOST_TEST(field_status("Host: localhost\r\nHost: evil.example.com\r\n") == 400); // invalid_042
    BOOST_TEST(field_status("Host: a\r\nhost: a\r\n") == 400);
    BOOST_TEST(head_status("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_an_invalid_host)
{
    BOOST_TEST(field_status("Host: a b\r\n") == 400);
    BOOST_TEST(field_status("Host: user@example.com\r\n") == 400);
    BOOST_TEST(field_status("Host: example.com/path\r\n") == 400);
    BOOST_TEST(field_status("Host: example.com:80x\r\n") == 400);
    BOOST_TEST(field_status("Host: [::1\r\n") == 400);
    BOOST_TEST(field_status("Host: example.com:8080\r\n") == 0);
    BOOST_TEST(field_status("Host: [::1]:8080\r\n") == 0);
    BOOST_TEST(field_status("Host: 0.0.0.0=5000\r\n") == 0); // corpus valid_003
}

BOOST_AUTO_TEST_CASE(refuses_a_duplicate_content_type)
{
    BOOST_TEST(field_status("Host: h\r\nContent-Type: a/b\r\nContent-Type: a/b\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nContent-Type: a/b\r\n") == 0);
}

// ---- body framing (RFC 9112 §6) ----

BOOST_AUTO_TEST_CASE(reads_content_length)
{
    std::string raw = request("POST / HTTP/1.1", "Host: h\r\nContent-Length: 42\r\n");
    request_head h = parse_ok(raw);
    BOOST_TEST((h.framing == body_framing::content_length));
    BOOST_TEST(h.content_length == 42u);
    raw = request("POST / HTTP/1.1", "Host: h\r\nContent-Length: 0042 \r\n");
    BOOST_TEST(parse_ok(raw).content_length == 42u);
    raw = request("POST / HTTP/1.1", "Host: h\r\nContent-Length: 18446744073709551615\r\n");
    BOOST_TEST(parse_ok(raw).content_length == 18446744073709551615u);
}

BOOST_AUTO_TEST_CASE(refuses_content_length_that_is_not_all_digits)
{
    for (const char* v : {"+5", "-1", "3 1", "0_1", "0x10", "1,1", "1, 1", "", "5a", "1e3", "\xd9\xa3"}) {
        BOOST_TEST_CONTEXT("Content-Length: " << v)
        {
            BOOST_TEST(field_status("Host: h\r\nContent-Length: "s + v + "\r\n") == 400);
        }
    }
}

BOOST_AUTO_TEST_CASE(refuses_content_length_overflow)
{
    BOOST_TEST(field_status("Host: h\r\nContent-Length: 18446744073709551616\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nContent-Length: 99999999999999999999999\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_repeated_content_length_even_when_equal)
{
    BOOST_TEST(field_status("Host: h\r\nContent-Length: 3\r\nContent-Length: 2\r\n") == 400); // invalid_021
    BOOST_TEST(field_status("Host: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_content_length_with_transfer_encoding)
{
    BOOST_TEST(field_status("Host: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nContent-Length: 12\r\nTransfer-Encoding: \tchunked\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(reads_chunked_transfer_encoding)
{
    std::string raw = request("POST / HTTP/1.1", "Host: h\r\nTransfer-Encoding: chunked\r\n");
    request_head h = parse_ok(raw);
    BOOST_TEST((h.framing == body_framing::chunked));
    BOOST_TEST(h.keep_alive);
    raw = request("POST / HTTP/1.1", "Host: h\r\nTransfer-Encoding: ChUnKeD\r\n");
    BOOST_TEST((parse_ok(raw).framing == body_framing::chunked));
}

BOOST_AUTO_TEST_CASE(reads_transfer_coding_lists_across_fields)
{
    for (const char* te :
         {"Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: gzip,chunked\r\n",
          "Transfer-Encoding: gzip \t,\t chunked\r\n", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
          "Transfer-Encoding: x-gzip, deflate\r\nTransfer-Encoding: compress, chunked\r\n"}) {
        BOOST_TEST_CONTEXT(te)
        {
            const std::string raw = request("POST / HTTP/1.1", "Host: h\r\n"s + te);
            const request_head h = parse_ok(raw);
            BOOST_TEST((h.framing == body_framing::chunked));
            BOOST_TEST(!h.keep_alive); // a coded body closes the connection, as in Gunicorn
        }
    }
}

BOOST_AUTO_TEST_CASE(requires_chunked_last_and_once)
{
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: chunked, gzip\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: chunked, chunked\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: gzip\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: identity, chunked, identity, chunked\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(ignores_identity_only_before_chunked)
{
    const std::string raw = request("GET / HTTP/1.1", "Host: h\r\nTransfer-Encoding: identity\r\n"
                                                      "Transfer-Encoding: chunked\r\n"); // valid_029
    const request_head h = parse_ok(raw);
    BOOST_TEST((h.framing == body_framing::chunked));
    BOOST_TEST(h.keep_alive);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: chunked, identity\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: identity\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(answers_501_to_unknown_transfer_codings)
{
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: br, chunked\r\n") == 501);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: foo\r\n") == 501);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: gzip;q=1, chunked\r\n") == 501);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: chunked;x=1\r\n") == 501);
}

BOOST_AUTO_TEST_CASE(refuses_empty_transfer_coding_elements)
{
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: , chunked\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding: chunked,\r\n") == 400);
    BOOST_TEST(field_status("Host: h\r\nTransfer-Encoding:\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(refuses_transfer_encoding_in_http_1_0)
{
    BOOST_TEST(head_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
    BOOST_TEST(head_status("POST / HTTP/1.0\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 400);
}

// ---- persistence (RFC 9112 §9.3) and Expect (RFC 9110 §10.1.1) ----

BOOST_AUTO_TEST_CASE(keeps_http_1_1_alive_unless_close)
{
    std::string raw = request("GET / HTTP/1.1");
    BOOST_TEST(parse_ok(raw).keep_alive);
    raw = request("GET / HTTP/1.1", "Host: h\r\nConnection: close\r\n");
    BOOST_TEST(!parse_ok(raw).keep_alive);
    raw = request("GET / HTTP/1.1", "Host: h\r\nConnection: keep-alive, Upgrade\r\nConnection: CLOSE\r\n");
    BOOST_TEST(!parse_ok(raw).keep_alive);
    raw = request("GET / HTTP/1.1", "Host: h\r\nConnection: closed\r\n");
    BOOST_TEST(parse_ok(raw).keep_alive);
}

BOOST_AUTO_TEST_CASE(keeps_http_1_0_alive_only_on_request)
{
    std::string raw = request("GET / HTTP/1.0", "");
    BOOST_TEST(!parse_ok(raw).keep_alive);
    raw = request("GET / HTTP/1.0", "Connection: Keep-Alive\r\n");
    BOOST_TEST(parse_ok(raw).keep_alive);
    raw = request("GET / HTTP/1.0", "Connection: keep-alive, close\r\n");
    BOOST_TEST(!parse_ok(raw).keep_alive);
}

BOOST_AUTO_TEST_CASE(recognises_expect_100_continue)
{
    std::string raw = request("POST / HTTP/1.1", "Host: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n");
    BOOST_TEST(parse_ok(raw).expect_continue);
    raw = request("POST / HTTP/1.1", "Host: h\r\nExpect: 100-Continue\r\n");
    BOOST_TEST(parse_ok(raw).expect_continue);
}

BOOST_AUTO_TEST_CASE(answers_417_to_other_expectations)
{
    BOOST_TEST(field_status("Host: h\r\nExpect: 200-ok\r\n") == 417);
    BOOST_TEST(field_status("Host: h\r\nExpect: 100-continue, foo\r\n") == 417);
    BOOST_TEST(field_status("Host: h\r\nExpect: 100-continue\r\nExpect: foo\r\n") == 417);
    BOOST_TEST(field_status("Host: h\r\nExpect:\r\n") == 417);
}

BOOST_AUTO_TEST_CASE(ignores_expect_in_http_1_0)
{
    std::string raw = request("POST / HTTP/1.0", "Expect: 100-continue\r\n");
    BOOST_TEST(!parse_ok(raw).expect_continue);
    raw = request("POST / HTTP/1.0", "Expect: whatever\r\n");
    BOOST_TEST(!parse_ok(raw).expect_continue);
}

// ---- pipelining and incremental input ----

BOOST_AUTO_TEST_CASE(leaves_pipelined_requests_in_the_buffer)
{
    const std::string first = request("GET /first HTTP/1.1");
    const std::string raw = first + request("GET /second HTTP/1.1");
    request_parser parser;
    request_head h;
    parse_result r = parser.parse_head(raw, h);
    BOOST_TEST_REQUIRE((r.status == parse_status::done));
    BOOST_TEST(r.consumed == first.size());
    BOOST_TEST(h.path == "/first");
    r = parser.parse_head(std::string_view(raw).substr(r.consumed), h);
    BOOST_TEST_REQUIRE((r.status == parse_status::done));
    BOOST_TEST(h.path == "/second");
}

BOOST_AUTO_TEST_CASE(parses_ten_pipelined_requests_with_bodies)
{
    std::string raw;
    for (int i = 0; i < 10; ++i) {
        const std::string body = "body" + std::to_string(i);
        if (i % 2 == 0) {
            raw += request("POST /" + std::to_string(i) + " HTTP/1.1",
                           "Host: h\r\nContent-Length: " + std::to_string(body.size()) + "\r\n") +
                   body;
        } else {
            raw += request("POST /" + std::to_string(i) + " HTTP/1.1", "Host: h\r\nTransfer-Encoding: chunked\r\n") +
                   "3\r\nbod\r\n" + std::to_string(body.size() - 3) + "\r\n" + body.substr(3) + "\r\n0\r\n\r\n";
        }
    }
    const stream_outcome out = run_stream(raw);
    BOOST_TEST_REQUIRE(out.requests.size() == 10u);
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST(out.requests[static_cast<std::size_t>(i)].path == "/" + std::to_string(i));
        BOOST_TEST(out.requests[static_cast<std::size_t>(i)].body == "body" + std::to_string(i));
    }
    BOOST_TEST(!out.incomplete);
    BOOST_TEST((run_stream(raw, 1) == out));
}

BOOST_AUTO_TEST_CASE(splits_two_requests_at_every_offset)
{
    const std::string raw =
        request("POST /a HTTP/1.1", "Host: h\r\nContent-Length: 5\r\n") + "hello" + request("GET /b?x HTTP/1.1");
    const stream_outcome whole = run_stream(raw);
    BOOST_TEST_REQUIRE(whole.requests.size() == 2u);
    for (std::size_t cut = 0; cut <= raw.size(); ++cut) {
        BOOST_TEST_CONTEXT("cut at " << cut)
        {
            // Two reads: the first `cut` bytes, then the rest.
            request_parser parser;
            body_decoder decoder;
            std::string buffer = raw.substr(0, cut);
            std::vector<std::string> paths;
            std::string body;
            bool second_read = false;
            while (paths.size() < 2) {
                request_head h;
                const parse_result r = parser.parse_head(buffer, h);
                BOOST_TEST_REQUIRE((r.status != parse_status::error));
                if (r.status == parse_status::need_more) {
                    BOOST_TEST_REQUIRE(!second_read);
                    buffer += raw.substr(cut);
                    second_read = true;
                    continue;
                }
                paths.emplace_back(h.path);
                buffer.erase(0, r.consumed);
                decoder.start(h);
                while (!decoder.done()) {
                    const body_result b = decoder.decode(buffer);
                    BOOST_TEST_REQUIRE((b.status != body_status::error));
                    body.append(b.data);
                    buffer.erase(0, b.consumed);
                    if (b.status == body_status::need_more && !decoder.done()) {
                        BOOST_TEST_REQUIRE(!second_read);
                        buffer += raw.substr(cut);
                        second_read = true;
                    }
                }
            }
            BOOST_TEST(paths[0] == "/a");
            BOOST_TEST(paths[1] == "/b");
            BOOST_TEST(body == "hello");
            BOOST_TEST(buffer.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(growing_prefixes_need_more_then_match_one_go)
{
    for (const corpus_case& c : corpus_cases()) {
        BOOST_TEST_CONTEXT(c.name)
        {
            request_parser whole_parser; // owns the header views of whole_head
            request_head whole_head;
            const parse_result whole = whole_parser.parse_head(c.raw, whole_head);
            request_parser parser;
            parse_result r;
            request_head h;
            std::size_t len = 0;
            for (len = 0; len <= c.raw.size(); ++len) {
                r = parser.parse_head(c.raw.substr(0, len), h);
                if (r.status != parse_status::need_more) break;
            }
            BOOST_TEST((r.status == whole.status));
            BOOST_TEST(r.error_status == whole.error_status);
            BOOST_TEST(r.consumed == whole.consumed);
            if (r.status == parse_status::done) {
                BOOST_TEST(len == whole.consumed); // done exactly when the head is complete
                BOOST_TEST((copy_head(h) == copy_head(whole_head)));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(reset_forgets_a_partial_scan)
{
    request_parser parser;
    request_head h;
    BOOST_TEST((parser.parse_head("GET /first HTTP/1.1\r\nHo", h).status == parse_status::need_more));
    parser.reset();
    const std::string raw = request("GET /other HTTP/1.1");
    const parse_result r = parser.parse_head(raw, h);
    BOOST_TEST_REQUIRE((r.status == parse_status::done));
    BOOST_TEST(h.path == "/other");
}

BOOST_AUTO_TEST_CASE(starts_over_when_given_fewer_bytes_than_before)
{
    request_parser parser;
    request_head h;
    BOOST_TEST((parser.parse_head("GET /first HTTP/1.1\r\nHost: h\r\n", h).status == parse_status::need_more));
    const std::string raw = request("GET /b HTTP/1.1");
    const parse_result r = parser.parse_head(raw, h);
    BOOST_TEST_REQUIRE((r.status == parse_status::done));
    BOOST_TEST(h.path == "/b");
}

BOOST_AUTO_TEST_CASE(is_ready_for_the_next_request_after_an_error)
{
    request_parser parser;
    request_head h;
    BOOST_TEST((parser.parse_head("get / HTTP/1.1\r\n\r\n", h).status == parse_status::error));
    const std::string raw = request("GET /ok HTTP/1.1");
    BOOST_TEST((parser.parse_head(raw, h).status == parse_status::done));
}

BOOST_AUTO_TEST_CASE(does_not_allocate_per_request)
{
    std::string raw;
    for (int i = 0; i < 10; ++i) {
        std::string fields = "Host: h\r\nTransfer-Encoding: chunked\r\n";
        for (int k = 0; k < 40; ++k) fields += "X-Field-" + std::to_string(k) + ": value\r\n";
        raw +=
            request("POST /upload?i=" + std::to_string(i) + " HTTP/1.1", fields) + "5;x\r\nhello\r\n0\r\nT: 1\r\n\r\n";
    }
    request_parser parser;
    body_decoder decoder;
    const auto serve_all = [&] {
        std::string_view in = raw;
        std::size_t bytes = 0;
        while (!in.empty()) {
            request_head h;
            const parse_result r = parser.parse_head(in.substr(0, in.size() / 2), h); // need_more first
            const parse_result r2 = parser.parse_head(in, h);
            if (r.status == parse_status::error || r2.status != parse_status::done) return std::size_t{0};
            in.remove_prefix(r2.consumed);
            decoder.start(h);
            while (!decoder.done()) {
                const body_result b = decoder.decode(in);
                if (b.status == body_status::error) return std::size_t{0};
                bytes += b.data.size();
                in.remove_prefix(b.consumed);
            }
        }
        return bytes;
    };
    BOOST_TEST(serve_all() == 50u); // the first pass may size the parser's vectors
    const std::size_t before = allocation_count;
    const std::size_t bytes = serve_all();
    const std::size_t allocations = allocation_count - before;
    BOOST_TEST(bytes == 50u);
    BOOST_TEST(allocations == 0u);
}

// ---- the conformance corpus ----

BOOST_AUTO_TEST_CASE(parses_the_corpus_as_expected)
{
    for (const corpus_case& c : corpus_cases()) {
        BOOST_TEST_CONTEXT(c.name)
        {
            const stream_outcome out = run_stream(c.raw);
            BOOST_TEST_REQUIRE(out.requests.size() == c.requests.size());
            for (std::size_t i = 0; i < c.requests.size(); ++i) {
                const corpus_request& want = c.requests[i];
                const parsed_request& got = out.requests[i];
                BOOST_TEST(got.method == want.method);
                BOOST_TEST(got.target == want.target);
                BOOST_TEST(got.path == want.path);
                BOOST_TEST(got.query == want.query);
                BOOST_TEST(got.fragment == want.fragment);
                BOOST_TEST(got.version_minor == want.version_minor);
                BOOST_TEST(got.body == want.body);
                BOOST_TEST_REQUIRE(got.headers.size() == want.headers.size());
                for (std::size_t k = 0; k < want.headers.size(); ++k) {
                    BOOST_TEST(same_name(got.headers[k].first, want.headers[k].first));
                    BOOST_TEST(got.headers[k].second == want.headers[k].second);
                }
            }
            BOOST_TEST(out.head_error == std::max(c.error, 0));
            BOOST_TEST(out.body_error == (c.error == -1));
            BOOST_TEST(out.incomplete == (c.error == -2 || out.leftover == "\r\n")); // valid_040 ends with CRLF
        }
    }
}

BOOST_AUTO_TEST_CASE(parses_the_corpus_byte_by_byte_as_at_once)
{
    for (const corpus_case& c : corpus_cases()) {
        BOOST_TEST_CONTEXT(c.name)
        {
            const stream_outcome whole = run_stream(c.raw);
            for (std::size_t step : {1u, 2u, 3u, 7u, 64u}) {
                BOOST_TEST_CONTEXT("step " << step) { BOOST_TEST((run_stream(c.raw, step) == whole)); }
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
