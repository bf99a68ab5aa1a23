#include "http/parser.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

#include "http_corpus.hpp"
#include "http_test_support.hpp"

using namespace forkhorn::http;
using namespace forkhorn::http::test;
using namespace std::string_literals;

namespace {

request_head chunked_head()
{
    request_head h;
    h.framing = body_framing::chunked;
    return h;
}

request_head length_head(std::uint64_t n)
{
    request_head h;
    h.framing = body_framing::content_length;
    h.content_length = n;
    return h;
}

struct decoded {
    body_status status = body_status::need_more; // the last status seen
    std::string body;
    std::size_t consumed = 0;
};

// Decodes `input` given at once, calling decode until it stops asking to be called again.
decoded decode_all(std::string_view input, const request_head& head = chunked_head(), parser_limits limits = {})
{
    body_decoder d(limits);
    d.start(head);
    decoded out;
    while (true) {
        const body_result r = d.decode(input.substr(out.consumed));
        out.body.append(r.data);
        out.consumed += r.consumed;
        out.status = r.status;
        if (r.status != body_status::data) return out;
    }
}

body_status chunked_status(std::string_view input, parser_limits limits = {})
{
    return decode_all(input, chunked_head(), limits).status;
}

// A chunked POST with Host, for the stream helpers.
std::string chunked_request(std::string_view body)
{
    return "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(body);
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_body)

BOOST_AUTO_TEST_CASE(no_framing_means_no_body)
{
    body_decoder d;
    d.start(request_head{});
    BOOST_TEST(d.done());
    const body_result r = d.decode("GET / HTTP/1.1\r\n");
    BOOST_TEST((r.status == body_status::done));
    BOOST_TEST(r.consumed == 0u);
    BOOST_TEST(r.data.empty());
}

BOOST_AUTO_TEST_CASE(content_length_delivers_exactly_n_bytes)
{
    body_decoder d;
    d.start(length_head(5));
    BOOST_TEST(!d.done());
    const body_result r = d.decode("helloGET /next");
    BOOST_TEST((r.status == body_status::done));
    BOOST_TEST(r.consumed == 5u);
    BOOST_TEST(r.data == "hello");
    BOOST_TEST(d.done());
    BOOST_TEST((d.decode("GET").status == body_status::done));
}

BOOST_AUTO_TEST_CASE(content_length_zero_is_done_at_once)
{
    body_decoder d;
    d.start(length_head(0));
    BOOST_TEST(d.done());
    BOOST_TEST(d.decode("x").consumed == 0u);
}

BOOST_AUTO_TEST_CASE(content_length_arrives_in_pieces)
{
    body_decoder d;
    d.start(length_head(5));
    body_result r = d.decode("he");
    BOOST_TEST((r.status == body_status::need_more));
    BOOST_TEST(r.data == "he");
    BOOST_TEST(r.consumed == 2u);
    r = d.decode("");
    BOOST_TEST((r.status == body_status::need_more));
    BOOST_TEST(r.data.empty());
    r = d.decode("llo!");
    BOOST_TEST((r.status == body_status::done));
    BOOST_TEST(r.data == "llo");
}

BOOST_AUTO_TEST_CASE(content_length_body_leaves_the_next_request)
{
    // corpus valid_020: the body happens to look like a request; it is still the body.
    const stream_outcome out =
        run_stream("GET /first HTTP/1.0\r\nContent-Length: 24\r\n\r\nGET /second HTTP/1.1\r\n\r\n");
    BOOST_TEST_REQUIRE(out.requests.size() == 1u);
    BOOST_TEST(out.requests[0].body == "GET /second HTTP/1.1\r\n\r\n");
    BOOST_TEST(out.leftover.empty());
}

BOOST_AUTO_TEST_CASE(decodes_chunks)
{
    const std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    const decoded d = decode_all(body + "NEXT");
    BOOST_TEST((d.status == body_status::done));
    BOOST_TEST(d.body == "hello world");
    BOOST_TEST(d.consumed == body.size());
}

BOOST_AUTO_TEST_CASE(reports_data_then_goes_on)
{
    body_decoder d;
    d.start(chunked_head());
    const std::string_view in = "5\r\nhello\r\n0\r\n\r\n";
    body_result r = d.decode(in);
    BOOST_TEST((r.status == body_status::data));
    BOOST_TEST(r.data == "hello");
    BOOST_TEST(r.consumed == 8u);
    r = d.decode(in.substr(8));
    BOOST_TEST((r.status == body_status::done));
    BOOST_TEST(r.consumed == in.size() - 8);
    BOOST_TEST(d.done());
}

BOOST_AUTO_TEST_CASE(accepts_hex_sizes_in_any_case_with_leading_zeros)
{
    BOOST_TEST(decode_all("A\r\n0123456789\r\n0\r\n\r\n").body == "0123456789"); // uppercase hex corpus
    BOOST_TEST(decode_all("a\r\n0123456789\r\n0\r\n\r\n").body == "0123456789");
    BOOST_TEST(decode_all("0005\r\nhello\r\n000\r\n\r\n").body == "hello"); // corpus valid_011
    BOOST_TEST(decode_all("1F\r\n" + std::string(31, 'x') + "\r\n0\r\n\r\n").body.size() == 31u);
}

BOOST_AUTO_TEST_CASE(refuses_malformed_chunk_sizes)
{
    for (const char* body : {"6_0\r\n world\r\n0\r\n\r\n", // corpus invalid_chunked_01
                             "-5\r\nhello\r\n0\r\n\r\n",   // corpus invalid_rfc9112_chunked_size_minus_sign_01
                             "+5\r\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n",
                             " 5\r\nhello\r\n0\r\n\r\n", // corpus invalid_chunked_10
                             "\r\nhello\r\n0\r\n\r\n",   // corpus invalid_chunked_13
                             "g\r\n", "5 5\r\nhello\r\n"}) {
        BOOST_TEST_CONTEXT(body) { BOOST_TEST((chunked_status(body) == body_status::error)); }
    }
}

BOOST_AUTO_TEST_CASE(refuses_whitespace_after_the_size_without_extension)
{
    BOOST_TEST((chunked_status("5\r\nhello\r\n0 \r\n\r\n") == body_status::error)); // invalid_chunked_09
    BOOST_TEST((chunked_status("5\t\r\nhello\r\n0\r\n\r\n") == body_status::error));
}

BOOST_AUTO_TEST_CASE(refuses_bare_lf_after_the_size)
{
    BOOST_TEST((chunked_status("5\n;\r\nhello\r\n0\r\n\r\n") == body_status::error)); // invalid_chunked_11
    BOOST_TEST((chunked_status("5\nhello\r\n0\r\n\r\n") == body_status::error));
    BOOST_TEST((chunked_status("5\r\rhello\r\n0\r\n\r\n") == body_status::error));
}

BOOST_AUTO_TEST_CASE(refuses_chunk_size_overflow)
{
    const decoded max = decode_all("ffffffffffffffff\r\nabc");
    BOOST_TEST((max.status == body_status::need_more));
    BOOST_TEST(max.body == "abc");
    BOOST_TEST((chunked_status("10000000000000000\r\n") == body_status::error));
    BOOST_TEST((chunked_status("00000000000000000000ff\r\n" + std::string(255, 'x') + "\r\n0\r\n\r\n") ==
                body_status::done)); // leading zeros do not overflow
}

BOOST_AUTO_TEST_CASE(ignores_chunk_extensions)
{
    for (const char* body : {"5;name=value\r\nhello\r\n0;last\r\n\r\n", "5 ;a\r\nhello\r\n0\t;b=\"q;\\\" v\"\r\n\r\n",
                             "5; a = b ;c\r\nhello\r\n0\r\n\r\n", "5;caf\xc3\xa9\r\nhello\r\n0\r\n\r\n"}) {
        BOOST_TEST_CONTEXT(body)
        {
            const decoded d = decode_all(body);
            BOOST_TEST((d.status == body_status::done));
            BOOST_TEST(d.body == "hello");
        }
    }
}

BOOST_AUTO_TEST_CASE(refuses_controls_in_chunk_extensions)
{
    BOOST_TEST((chunked_status("5;a\rb\r\nhello\r\n0\r\n\r\n") == body_status::error));
    BOOST_TEST((chunked_status("5;a\nhello\r\n0\r\n\r\n") == body_status::error));
    BOOST_TEST((chunked_status("5;a\0b\r\nhello\r\n0\r\n\r\n"s) == body_status::error));
    BOOST_TEST((chunked_status("5;a\x7f\r\nhello\r\n0\r\n\r\n") == body_status::error));
    BOOST_TEST((chunked_status("5;\r\r\nhello\r\n0\r\n\r\n") == body_status::error));
}

BOOST_AUTO_TEST_CASE(requires_crlf_after_chunk_data)
{
    BOOST_TEST((chunked_status("5\r\nhello!\r\n0\r\n\r\n") == body_status::error));
    BOOST_TEST((chunked_status("5\r\nhello\n0\r\n\r\n") == body_status::error));
    BOOST_TEST((chunked_status("5\r\nhello\r0\r\n\r\n") == body_status::error));
    BOOST_TEST((chunked_status("5\r\nhello0\r\n\r\n") == body_status::error));
    // corpus invalid_chunked_02's body: the last chunk and its CRLF never come.
    BOOST_TEST((chunked_status("5\r\nhello\r\n6\r\n world\r\n\r\n") == body_status::error));
}

BOOST_AUTO_TEST_CASE(bounds_the_chunk_size_line)
{
    parser_limits limits;
    limits.field_size = 16;
    BOOST_TEST((chunked_status(std::string(13, '0') + "5\r\nhello\r\n0\r\n\r\n", limits) == body_status::done));
    BOOST_TEST((chunked_status(std::string(14, '0') + "5\r\nhello\r\n0\r\n\r\n", limits) == body_status::error));
    BOOST_TEST((chunked_status("5;" + std::string(100, 'x'), limits) == body_status::error));
    BOOST_TEST((chunked_status("5;" + std::string(100000, 'x')) == body_status::error)); // default 8190
}

BOOST_AUTO_TEST_CASE(waits_for_the_final_crlf)
{
    body_decoder d;
    d.start(chunked_head());
    body_result r = d.decode("0\r\n");
    BOOST_TEST((r.status == body_status::need_more));
    BOOST_TEST(!d.done());
    r = d.decode("\r");
    BOOST_TEST((r.status == body_status::need_more));
    BOOST_TEST(r.consumed == 0u); // a partial trailer line stays in the caller's buffer
    r = d.decode("\r\n");
    BOOST_TEST((r.status == body_status::done));
    BOOST_TEST(r.consumed == 2u);
    BOOST_TEST(d.done());
}

BOOST_AUTO_TEST_CASE(accepts_and_drops_trailer_fields)
{
    const std::string body = "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other:\t2 \r\n\r\n";
    const decoded d = decode_all(body + "NEXT");
    BOOST_TEST((d.status == body_status::done));
    BOOST_TEST(d.body == "hello");
    BOOST_TEST(d.consumed == body.size());
}

BOOST_AUTO_TEST_CASE(refuses_forbidden_trailer_fields)
{
    for (const char* name : {"Host", "host", "Content-Length", "Transfer-Encoding", "Trailer", "Authorization", "TE"}) {
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST((chunked_status("0\r\n"s + name + ": x\r\n\r\n") == body_status::error));
        }
    }
    // corpus invalid_rfc9110_trailer_forbidden_host_01
    const stream_outcome out = run_stream(chunked_request("5\r\nhello\r\n0\r\nHost: evil.example.com\r\n\r\n"));
    BOOST_TEST(out.body_error);
    BOOST_TEST(out.requests.empty());
}

BOOST_AUTO_TEST_CASE(refuses_malformed_trailer_fields)
{
    for (const char* trailer :
         {"X : v\r\n", "X: a\r\n b\r\n", "X\r\n", ": v\r\n", "X: a\x01\r\n", "X: v\n", "X: a\rb\r\n", " X: v\r\n"}) {
        BOOST_TEST_CONTEXT(trailer) { BOOST_TEST((chunked_status("0\r\n"s + trailer + "\r\n") == body_status::error)); }
    }
    BOOST_TEST((chunked_status("0\r\n\n") == body_status::error));
}

BOOST_AUTO_TEST_CASE(bounds_trailer_lines_and_their_number)
{
    parser_limits limits;
    limits.field_size = 16;
    limits.fields = 2;
    BOOST_TEST((chunked_status("0\r\nX: 01234567890\r\n\r\n", limits) == body_status::done));
    BOOST_TEST((chunked_status("0\r\nX: 012345678901\r\n\r\n", limits) == body_status::error));
    BOOST_TEST((chunked_status("0\r\nX: 012345678901\r", limits) == body_status::error)); // no LF yet
    BOOST_TEST((chunked_status("0\r\nX: 01234567890\r", limits) == body_status::need_more));
    BOOST_TEST((chunked_status("0\r\nA: 1\r\nB: 2\r\n\r\n", limits) == body_status::done));
    BOOST_TEST((chunked_status("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits) == body_status::error));
}

BOOST_AUTO_TEST_CASE(errors_carry_status_400)
{
    body_decoder d;
    d.start(chunked_head());
    const body_result r = d.decode("zz\r\n");
    BOOST_TEST((r.status == body_status::error));
    BOOST_TEST(r.error_status == 400);
    BOOST_TEST(!r.reason.empty());
}

BOOST_AUTO_TEST_CASE(start_resets_the_decoder)
{
    body_decoder d;
    d.start(chunked_head());
    BOOST_TEST((d.decode("5\r\nhe").status == body_status::need_more));
    d.start(chunked_head());
    body_result r = d.decode("2\r\nok\r\n0\r\n\r\n");
    BOOST_TEST(r.data == "ok");
    r = d.decode(std::string_view("2\r\nok\r\n0\r\n\r\n").substr(r.consumed));
    BOOST_TEST((r.status == body_status::done));
}

BOOST_AUTO_TEST_CASE(decodes_corpus_bodies_byte_by_byte_as_at_once)
{
    // With Host added, so the Host-less corpus requests reach their bodies too.
    const std::string_view chunked_bodies[] = {
        "5\r\nhello\r\n6\r\n world\r\n000\r\n\r\n",          // valid_011, valid_023
        "5\r\nhello\r\n000\r\n\r\n",                         // valid_029
        "A\r\n0123456789\r\n0\r\n\r\n",                      // uppercase hex
        "5\r\nhello\r\n0\r\n\r\n",                           // gzip, chunked
        "5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\nX-U: 2\r\n\r\n", // extensions and trailers
    };
    for (std::string_view body : chunked_bodies) {
        BOOST_TEST_CONTEXT(body)
        {
            const std::string raw = chunked_request(body) + chunked_request(body);
            const stream_outcome whole = run_stream(raw);
            BOOST_TEST_REQUIRE(whole.requests.size() == 2u);
            BOOST_TEST(whole.requests[1].body == whole.requests[0].body);
            BOOST_TEST((run_stream(raw, 1) == whole));
        }
    }
    for (const corpus_case& c : corpus_cases()) {
        if (c.error != 0 && c.error != -2) continue;
        BOOST_TEST_CONTEXT(c.name) { BOOST_TEST((run_stream(c.raw, 1) == run_stream(c.raw))); }
    }
}

BOOST_AUTO_TEST_CASE(refuses_corpus_chunk_errors_in_any_split)
{
    // The corpus's invalid_chunked_* bodies, behind a head with Host.
    for (const char* body :
         {"5\r\nhello\r\n6_0\r\n world\r\n0\r\n\r\n", "5\r\nhello\r\n0 \r\n\r\n", "5\r\nhello\r\n 0\r\n\r\n",
          "5\n;\r\nhello\r\n0\r\n\r\n", "\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n"}) {
        BOOST_TEST_CONTEXT(body)
        {
            const std::string raw = chunked_request(body);
            BOOST_TEST(run_stream(raw).body_error);
            BOOST_TEST(run_stream(raw, 1).body_error);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
