#include "http/response.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace forkhorn::http;

namespace {

std::string date_of(std::int64_t seconds)
{
    char text[imf_fixdate_size];
    format_imf_fixdate(seconds, text);
    return {text, imf_fixdate_size};
}

std::string head_text(const response_head& head)
{
    std::string out;
    write_head(out, head);
    return out;
}

response_head basic_head()
{
    response_head h;
    h.date = "Sun, 06 Nov 1994 08:49:37 GMT";
    return h;
}

constexpr std::string_view prefix_200 =
    "HTTP/1.1 200 OK\r\nServer: forkhorn\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n";

} // namespace

BOOST_AUTO_TEST_SUITE(http_response)

BOOST_AUTO_TEST_CASE(knows_reason_phrases)
{
    BOOST_TEST(reason_phrase(100) == "Continue");
    BOOST_TEST(reason_phrase(200) == "OK");
    BOOST_TEST(reason_phrase(204) == "No Content");
    BOOST_TEST(reason_phrase(304) == "Not Modified");
    BOOST_TEST(reason_phrase(400) == "Bad Request");
    BOOST_TEST(reason_phrase(404) == "Not Found");
    BOOST_TEST(reason_phrase(413) == "Content Too Large");
    BOOST_TEST(reason_phrase(414) == "URI Too Long");
    BOOST_TEST(reason_phrase(417) == "Expectation Failed");
    BOOST_TEST(reason_phrase(431) == "Request Header Fields Too Large");
    BOOST_TEST(reason_phrase(501) == "Not Implemented");
    BOOST_TEST(reason_phrase(505) == "HTTP Version Not Supported");
    BOOST_TEST(reason_phrase(511) == "Network Authentication Required");
}

BOOST_AUTO_TEST_CASE(says_unknown_for_unregistered_statuses)
{
    BOOST_TEST(reason_phrase(0) == "Unknown");
    BOOST_TEST(reason_phrase(299) == "Unknown");
    BOOST_TEST(reason_phrase(418) == "Unknown");
    BOOST_TEST(reason_phrase(999) == "Unknown");
    BOOST_TEST(reason_phrase(-1) == "Unknown");
}

BOOST_AUTO_TEST_CASE(allows_bodies_except_for_1xx_204_304)
{
    for (int s : {100, 101, 103, 199, 204, 304}) BOOST_TEST(!status_allows_body(s), s);
    for (int s : {200, 201, 205, 206, 301, 400, 404, 500}) BOOST_TEST(status_allows_body(s), s);
}

BOOST_AUTO_TEST_CASE(frames_head_responses_with_a_known_length_only)
{
    BOOST_TEST((choose_framing(200, true, 1, 10, -1) == response_framing::content_length));
    BOOST_TEST((choose_framing(200, true, 1, -1, 0) == response_framing::content_length));
    BOOST_TEST((choose_framing(200, true, 1, -1, -1) == response_framing::none));
    BOOST_TEST((choose_framing(200, true, 0, -1, -1) == response_framing::none));
}

BOOST_AUTO_TEST_CASE(frames_1xx_204_304_without_body)
{
    for (int s : {100, 101, 204, 304}) {
        BOOST_TEST((choose_framing(s, false, 1, 10, 10) == response_framing::none), s);
        BOOST_TEST((choose_framing(s, false, 1, -1, -1) == response_framing::none), s);
    }
    BOOST_TEST((choose_framing(204, true, 1, 10, -1) == response_framing::none));
}

BOOST_AUTO_TEST_CASE(prefers_the_app_length_then_the_buffered_length)
{
    BOOST_TEST((choose_framing(200, false, 1, 5, -1) == response_framing::content_length));
    BOOST_TEST((choose_framing(200, false, 0, 5, -1) == response_framing::content_length));
    BOOST_TEST((choose_framing(404, false, 1, -1, 12) == response_framing::content_length));
    BOOST_TEST((choose_framing(200, false, 0, -1, 0) == response_framing::content_length));
}

BOOST_AUTO_TEST_CASE(streams_chunked_on_1_1_and_until_close_on_1_0)
{
    BOOST_TEST((choose_framing(200, false, 1, -1, -1) == response_framing::chunked));
    BOOST_TEST((choose_framing(200, false, 0, -1, -1) == response_framing::close));
}

BOOST_AUTO_TEST_CASE(writes_a_keep_alive_head_with_content_length)
{
    response_head h = basic_head();
    h.keep_alive = true;
    h.content_length = 5;
    const std::vector<header_field> fields{{"Content-Type", "text/plain"}, {"X-Id", "7"}};
    h.headers = fields;
    BOOST_TEST(head_text(h) == std::string(prefix_200) +
                                   "Connection: keep-alive\r\nContent-Type: text/plain\r\nX-Id: 7\r\n"
                                   "Content-Length: 5\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(uses_the_request_version_and_status)
{
    response_head h = basic_head();
    h.version_minor = 0;
    h.status = 404;
    h.server = "";
    h.date = "";
    BOOST_TEST(head_text(h) == "HTTP/1.0 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(drops_headers_the_server_owns)
{
    response_head h = basic_head();
    const std::vector<header_field> fields{{"connection", "upgrade"},
                                           {"Keep-Alive", "timeout=5"},
                                           {"Proxy-Authenticate", "x"},
                                           {"Proxy-Authorization", "x"},
                                           {"te", "trailers"},
                                           {"Trailer", "X"},
                                           {"Transfer-Encoding", "gzip"},
                                           {"Upgrade", "h2c"},
                                           {"SERVER", "evil"},
                                           {"Date", "yesterday"},
                                           {"content-length", "99"},
                                           {"X-Kept", "yes"},
                                           {"Trailers", "kept: not hop-by-hop"}};
    h.headers = fields;
    BOOST_TEST(head_text(h) == std::string(prefix_200) +
                                   "Connection: close\r\nX-Kept: yes\r\nTrailers: kept: not hop-by-hop\r\n"
                                   "Content-Length: 0\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(drops_fields_that_would_split_the_response)
{
    response_head h = basic_head();
    const std::vector<header_field> fields{{"X-A", "a\r\nSet-Cookie: x"}, {"Bad Name", "v"}, {"X-B", "b"}};
    h.headers = fields;
    BOOST_TEST(head_text(h) == std::string(prefix_200) + "Connection: close\r\nX-B: b\r\nContent-Length: 0\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(keeps_content_length_on_head_responses)
{
    response_head h = basic_head();
    h.head_request = true;
    h.content_length = 1234;
    BOOST_TEST(head_text(h) == std::string(prefix_200) + "Connection: close\r\nContent-Length: 1234\r\n\r\n");
    h.framing = response_framing::none;
    BOOST_TEST(head_text(h) == std::string(prefix_200) + "Connection: close\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(never_writes_content_length_on_1xx_and_204)
{
    response_head h = basic_head();
    h.content_length = 10;
    h.status = 204;
    BOOST_TEST(head_text(h).find("Content-Length") == std::string::npos);
    h.status = 101;
    BOOST_TEST(head_text(h).find("Content-Length") == std::string::npos);
    h.framing = response_framing::none;
    h.status = 304;
    BOOST_TEST(head_text(h).find("Content-Length") == std::string::npos);
    h.status = 200;
    h.framing = response_framing::chunked;
    h.status = 204;
    BOOST_TEST(head_text(h).find("Transfer-Encoding") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(announces_chunked_streaming)
{
    response_head h = basic_head();
    h.keep_alive = true;
    h.framing = response_framing::chunked;
    BOOST_TEST(head_text(h) ==
               std::string(prefix_200) + "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(closes_when_the_body_ends_with_the_connection)
{
    response_head h = basic_head();
    h.version_minor = 0;
    h.keep_alive = true;
    h.framing = response_framing::close;
    BOOST_TEST(head_text(h) == "HTTP/1.0 200 OK\r\nServer: forkhorn\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                               "Connection: close\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(appends_to_existing_output)
{
    std::string out = "HTTP/1.1 100 Continue\r\n\r\n";
    response_head h = basic_head();
    write_head(out, h);
    BOOST_TEST(out.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
}

BOOST_AUTO_TEST_CASE(writes_lowercase_hex_chunk_headers)
{
    std::string out;
    write_chunk_header(out, 26);
    BOOST_TEST(out == "1a\r\n");
    out.clear();
    write_chunk_header(out, 1);
    write_chunk_header(out, 4096);
    write_chunk_header(out, 0xABCDEF);
    BOOST_TEST(out == "1\r\n1000\r\nabcdef\r\n");
    BOOST_TEST(last_chunk == "0\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(writes_complete_error_responses)
{
    std::string out;
    write_error_response(out, 400, "Sun, 06 Nov 1994 08:49:37 GMT");
    BOOST_TEST(out == "HTTP/1.1 400 Bad Request\r\nServer: forkhorn\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                      "Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 12\r\n\r\n"
                      "Bad Request\n");
    out.clear();
    write_error_response(out, 431, "");
    BOOST_TEST(out == "HTTP/1.1 431 Request Header Fields Too Large\r\nServer: forkhorn\r\nConnection: close\r\n"
                      "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 32\r\n\r\n"
                      "Request Header Fields Too Large\n");
}

BOOST_AUTO_TEST_CASE(error_response_length_matches_its_body)
{
    for (int s : {400, 408, 413, 414, 417, 431, 500, 501, 505, 999}) {
        std::string out;
        write_error_response(out, s, "");
        const std::size_t body_at = out.find("\r\n\r\n") + 4;
        const std::string body = out.substr(body_at);
        BOOST_TEST(out.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos, s);
        BOOST_TEST(body == std::string(reason_phrase(s)) + "\n", s);
    }
}

BOOST_AUTO_TEST_CASE(validates_app_fields)
{
    BOOST_TEST(valid_field("X-Custom_1", "any value \t caf\xc3\xa9"));
    BOOST_TEST(valid_field("Set-Cookie", ""));
    BOOST_TEST(!valid_field("", "v"));
    BOOST_TEST(!valid_field("Bad Name", "v"));
    BOOST_TEST(!valid_field("Bad:Name", "v"));
    BOOST_TEST(!valid_field("X", "a\rb"));
    BOOST_TEST(!valid_field("X", "a\nb"));
    BOOST_TEST(!valid_field("X", std::string_view("a\0b", 3)));
}

BOOST_AUTO_TEST_CASE(formats_known_dates)
{
    BOOST_TEST(date_of(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"); // RFC 9110 §5.6.7
    BOOST_TEST(date_of(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    BOOST_TEST(date_of(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
    BOOST_TEST(date_of(4107542400) == "Mon, 01 Mar 2100 00:00:00 GMT"); // 2100 is no leap year
    BOOST_TEST(date_of(2147483647) == "Tue, 19 Jan 2038 03:14:07 GMT");
    BOOST_TEST(date_of(1709251199) == "Thu, 29 Feb 2024 23:59:59 GMT");
    BOOST_TEST(date_of(253402300799) == "Fri, 31 Dec 9999 23:59:59 GMT");
}

BOOST_AUTO_TEST_CASE(agrees_with_the_chrono_calendar_every_day)
{
    using namespace std::chrono;
    constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    constexpr std::string_view days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    for (std::int64_t d = 0; d < 50000; d += 1) { // 1970 to 2106
        const sys_days day{std::chrono::days{d}};
        const year_month_day ymd{day};
        const std::string text = date_of(d * 86400 + 45296); // 12:34:56
        char want[40];
        std::snprintf(want, sizeof want, "%s, %02u %s %04d 12:34:56 GMT",
                      std::string(days[weekday{day}.c_encoding()]).c_str(), static_cast<unsigned>(ymd.day()),
                      std::string(months[static_cast<unsigned>(ymd.month()) - 1]).c_str(),
                      static_cast<int>(ymd.year()));
        if (text != want) BOOST_TEST_REQUIRE(text == want, "day " << d);
    }
}

BOOST_AUTO_TEST_CASE(date_cache_gives_the_current_second)
{
    using namespace std::chrono;
    date_cache cache;
    const auto before = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    const std::string first(cache.now());
    const auto after = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    BOOST_TEST(first.size() == imf_fixdate_size);
    BOOST_TEST((first == date_of(before) || first == date_of(after)));
    const std::string_view again = cache.now();
    BOOST_TEST((again == first || again == date_of(after) || again == date_of(after + 1)));
}

BOOST_AUTO_TEST_SUITE_END()
