#include "log/logger.hpp"

#include <boost/test/unit_test.hpp>

#include <regex>

using namespace forkhorn;

namespace {

struct sample {
    http::header_field req_headers[3] = {
        {"Host", "x"}, {"User-Agent", "curl \"7\""}, {"Authorization", "Basic dXNlcjpwYXNz"}};
    http::header_field res_headers[1] = {{"Content-Type", "text/plain"}};
    http::request_head head;
    access_record rec;
    sample()
    {
        head.method = "GET";
        head.target = "/p?q=1";
        head.path = "/p";
        head.query = "q=1";
        head.version_minor = 1;
        head.headers = req_headers;
        rec = access_record{"10.0.0.1",
                            &head,
                            200,
                            14,
                            res_headers,
                            std::chrono::microseconds(1234567),
                            0,
                            42,
                            "https",
                            "TLSv1.3",
                            "TLS_AES_256_GCM_SHA384",
                            "CN=alice"};
    }
};

std::string render(std::string_view format, const access_record& rec)
{
    std::string out;
    access_format(format).render(out, rec);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(access_log)

BOOST_AUTO_TEST_CASE(default_format_is_apache_combined)
{
    sample s;
    auto line = render(R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")", s.rec);
    std::regex expected(
        R"(10\.0\.0\.1 - user \[\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /p\?q=1 HTTP/1\.1" 200 14 "-" "curl \\"7\\"")");
    BOOST_TEST(std::regex_match(line, expected), line);
}

BOOST_AUTO_TEST_CASE(every_atom)
{
    sample s;
    BOOST_TEST(render("%(m)s %(U)s %(q)s %(H)s %(s)s %(B)s", s.rec) == "GET /p q=1 HTTP/1.1 200 14");
    BOOST_TEST(render("%(T)s %(M)s %(D)s %(L)s %(p)s", s.rec) == "1 1234 1234567 1.234567 <42>");
    BOOST_TEST(render("%({user-agent}i)s|%({content-type}o)s|%({x-none}i)s", s.rec) == "curl \\\"7\\\"|text/plain|-");
    BOOST_TEST(render("%(nosuch)s and 100%", s.rec) == "- and 100%");
    BOOST_TEST(render("%({scheme}x)s %({tls_protocol}x)s %({tls_cipher}x)s %({tls_client}x)s %({nosuch}x)s", s.rec) ==
               "https TLSv1.3 TLS_AES_256_GCM_SHA384 CN=alice -");
    s.rec.body_bytes = 0;
    BOOST_TEST(render("%(b)s %(B)s", s.rec) == "- 0");
}

BOOST_AUTO_TEST_CASE(rejected_request_has_no_request_line)
{
    sample s;
    s.rec.request = nullptr;
    s.rec.status = 400;
    BOOST_TEST(render("\"%(r)s\" %(s)s %(a)s", s.rec) == "\"-\" 400 -");
}

BOOST_AUTO_TEST_CASE(error_log_time_format)
{
    std::regex expected(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\])");
    BOOST_TEST(std::regex_match(log_time(0), expected), log_time(0));
}

BOOST_AUTO_TEST_CASE(levels)
{
    BOOST_TEST((parse_log_level("warning") == log_level::warning));
    BOOST_TEST(!parse_log_level("loud").has_value());
    BOOST_TEST(log_level_name(log_level::critical) == "CRITICAL");
}

BOOST_AUTO_TEST_SUITE_END()
