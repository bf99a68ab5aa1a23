#include "http/ip_address.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace forkhorn::http;

namespace {

// The canonical text of an address, or "invalid".
std::string v6(std::string_view text)
{
    const auto a = parse_ipv6(text);
    return a ? format_ipv6(a->bytes) : "invalid";
}

std::string v4(std::string_view text)
{
    const auto a = parse_ipv4(text);
    return a ? to_string(*a) : "invalid";
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_ip_address)

BOOST_AUTO_TEST_CASE(ipv4_strict_dotted_quad)
{
    BOOST_TEST(v4("1.2.3.4") == "1.2.3.4");
    BOOST_TEST(v4("0.0.0.0") == "0.0.0.0");
    BOOST_TEST(v4("255.255.255.255") == "255.255.255.255");
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..3.4", "1.2.3.4.",
                            ".1.2.3", "1.2.3.a", " 1.2.3.4", "1.2.3.4 ", "1234.1.1.1", "+1.2.3.4", "::1"}) {
        BOOST_TEST(v4(bad) == "invalid", bad);
    }
}

BOOST_AUTO_TEST_CASE(ipv4_is_stored_mapped)
{
    const auto a = parse_ipv4("10.1.2.3");
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->v4);
    const auto b = parse_ipv6("::ffff:10.1.2.3");
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST((a->bytes == b->bytes));
    BOOST_TEST(!b->v4);
}

BOOST_AUTO_TEST_CASE(ipv6_rfc5952_canonical_form)
{
    BOOST_TEST(v6("::") == "::");
    BOOST_TEST(v6("::1") == "::1");
    BOOST_TEST(v6("0:0:0:0:0:0:0:1") == "::1");
    BOOST_TEST(v6("1::") == "1::");
    BOOST_TEST(v6("2001:DB8::1") == "2001:db8::1");                             // §4.3 lowercase
    BOOST_TEST(v6("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1"); // §4.1 no leading zeros
    BOOST_TEST(v6("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");           // §4.2.2 one zero group stays
    BOOST_TEST(v6("2001:0:0:1:0:0:0:1") == "2001:0:0:1::1");                    // §4.2.3 longest run
    BOOST_TEST(v6("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");              // §4.2.3 first on a tie
    BOOST_TEST(v6("1:2:3:4:5:6:7:8") == "1:2:3:4:5:6:7:8");
    BOOST_TEST(v6("fe80::") == "fe80::");
    BOOST_TEST(v6("::ffff:1.2.3.4") == "::ffff:1.2.3.4"); // §5 mixed notation
    BOOST_TEST(v6("::FFFF:0102:0304") == "::ffff:1.2.3.4");
    BOOST_TEST(v6("64:ff9b::1.2.3.4") == "64:ff9b::102:304");
    BOOST_TEST(v6("1:2:3:4:5:6:1.2.3.4") == "1:2:3:4:5:6:102:304");
}

BOOST_AUTO_TEST_CASE(ipv6_rejects_malformed_text)
{
    for (const char* bad : {"",
                            ":",
                            ":::",
                            "1:2:3:4:5:6:7",
                            "1:2:3:4:5:6:7:8:9",
                            "1::2::3",
                            ":1::",
                            "1::2:",
                            "12345::",
                            "g::",
                            "1:2:3:4:5:6:7:8::",
                            "::1:2:3:4:5:6:7:8",
                            "1.2.3.4",
                            "1:2:3:4:5:6:7:1.2.3.4",
                            "::1.2.3.4:5",
                            "::256.1.1.1",
                            "fe80::1%eth0",
                            "[::1]",
                            " ::1",
                            "::1 ",
                            "1:2:3:4:5:6:7:"}) {
        BOOST_TEST(v6(bad) == "invalid", bad);
    }
    // "::" for a single group is allowed on input (RFC 4291), only not produced (RFC 5952).
    BOOST_TEST(v6("1:2:3:4:5:6::8") == "1:2:3:4:5:6:0:8");
    BOOST_TEST(v6("::2:3:4:5:6:7:8") == "0:2:3:4:5:6:7:8");
}

BOOST_AUTO_TEST_CASE(parse_ip_takes_both_families)
{
    BOOST_TEST(parse_ip("127.0.0.1").has_value());
    BOOST_TEST(parse_ip("::1").has_value());
    BOOST_TEST(!parse_ip("localhost").has_value());
    BOOST_TEST(!parse_ip("unix").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
