#include "http/trusted_proxies.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace forkhorn::http;

namespace {

address_list list_of(std::string_view text)
{
    address_list list;
    const auto error = address_list::parse(text, list);
    BOOST_TEST_REQUIRE(!error.has_value(), "parse(" << text << "): " << error.value_or(""));
    return list;
}

std::string parse_error(std::string_view text)
{
    address_list list;
    return address_list::parse(text, list).value_or("");
}

scheme_result scheme_of(const std::vector<header_field>& headers, bool trusted = true)
{
    static const std::vector<scheme_rule> rules = default_scheme_rules();
    return request_scheme(headers, rules, trusted);
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_trusted_proxies)

BOOST_AUTO_TEST_CASE(gunicorn_default_list)
{
    const address_list list = list_of("127.0.0.1,::1");
    BOOST_TEST(list.contains("127.0.0.1"));
    BOOST_TEST(list.contains("::1"));
    BOOST_TEST(list.contains("0:0:0:0:0:0:0:1"));
    BOOST_TEST(!list.contains("127.0.0.2"));
    BOOST_TEST(!list.contains("10.0.0.1"));
    BOOST_TEST(!list.contains("::2"));
    BOOST_TEST(!list.any());
}

BOOST_AUTO_TEST_CASE(exact_addresses_and_spaces)
{
    const address_list list = list_of(" 192.168.1.10 , 2001:db8::5,,\t10.0.0.1");
    BOOST_TEST(list.contains("192.168.1.10"));
    BOOST_TEST(list.contains("2001:DB8:0::5"));
    BOOST_TEST(list.contains("10.0.0.1"));
    BOOST_TEST(!list.contains("192.168.1.11"));
    BOOST_TEST(!list.contains("2001:db8::6"));
}

BOOST_AUTO_TEST_CASE(ipv4_cidrs)
{
    const address_list list = list_of("10.0.0.0/8,192.168.4.0/22,172.16.5.7/32");
    BOOST_TEST(list.contains("10.0.0.0"));
    BOOST_TEST(list.contains("10.255.255.255"));
    BOOST_TEST(!list.contains("11.0.0.0"));
    BOOST_TEST(!list.contains("9.255.255.255"));
    BOOST_TEST(list.contains("192.168.4.1"));
    BOOST_TEST(list.contains("192.168.7.255"));
    BOOST_TEST(!list.contains("192.168.8.0"));
    BOOST_TEST(!list.contains("192.168.3.255"));
    BOOST_TEST(list.contains("172.16.5.7"));
    BOOST_TEST(!list.contains("172.16.5.6"));
}

BOOST_AUTO_TEST_CASE(ipv6_cidrs)
{
    const address_list list = list_of("2001:db8::/32,fe80::/10,::1/128");
    BOOST_TEST(list.contains("2001:db8::1"));
    BOOST_TEST(list.contains("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
    BOOST_TEST(!list.contains("2001:db9::"));
    BOOST_TEST(list.contains("fe80::1"));
    BOOST_TEST(list.contains("febf::1"));
    BOOST_TEST(!list.contains("fec0::1"));
    BOOST_TEST(list.contains("::1"));
    BOOST_TEST(!list.contains("10.0.0.1"));
}

BOOST_AUTO_TEST_CASE(zero_prefixes)
{
    const address_list v4_all = list_of("0.0.0.0/0");
    BOOST_TEST(v4_all.contains("1.2.3.4"));
    BOOST_TEST(v4_all.contains("255.255.255.255"));
    BOOST_TEST(v4_all.contains("::ffff:1.2.3.4"));
    BOOST_TEST(!v4_all.contains("2001:db8::1")); // an IPv4 /0 is all of IPv4 only
    const address_list v6_all = list_of("::/0");
    BOOST_TEST(v6_all.contains("2001:db8::1"));
    BOOST_TEST(v6_all.contains("::"));
    BOOST_TEST(v6_all.contains("1.2.3.4")); // IPv4 lives in the mapped part of the 16-byte space
}

BOOST_AUTO_TEST_CASE(star_is_anyone)
{
    const address_list list = list_of("127.0.0.1,*");
    BOOST_TEST(list.any());
    BOOST_TEST(list.contains("8.8.8.8"));
    BOOST_TEST(list.contains("2001:db8::1"));
    BOOST_TEST(list.contains("not even an address"));
    BOOST_TEST(list_of("*").contains("1.2.3.4"));
}

BOOST_AUTO_TEST_CASE(host_bits_are_an_error)
{
    BOOST_TEST(parse_error("10.0.0.1/8") == "'10.0.0.1/8' has host bits set");
    BOOST_TEST(!parse_error("127.0.0.1,192.168.1.1/24").empty());
    BOOST_TEST(!parse_error("2001:db8::1/32").empty());
    BOOST_TEST(!parse_error("fe80::/8").empty());
    BOOST_TEST(parse_error("fe80::/9").empty());
    BOOST_TEST(!parse_error("1.2.3.4/0").empty());
    BOOST_TEST(parse_error("1.2.3.4/32").empty());
    BOOST_TEST(parse_error("1.2.3.0/31").empty());
}

BOOST_AUTO_TEST_CASE(garbage_is_an_error_naming_the_entry)
{
    BOOST_TEST(parse_error("127.0.0.1,localhost") == "invalid address 'localhost'");
    BOOST_TEST(parse_error("256.0.0.1").find("256.0.0.1") != std::string::npos);
    BOOST_TEST(parse_error("10.0.0.0/33") == "invalid prefix length in '10.0.0.0/33'");
    BOOST_TEST(!parse_error("::/129").empty());
    BOOST_TEST(!parse_error("10.0.0.0/").empty());
    BOOST_TEST(!parse_error("10.0.0.0/-8").empty());
    BOOST_TEST(!parse_error("10.0.0.0/255.0.0.0").empty());
    BOOST_TEST(!parse_error("10.0.0.0/8/8").empty());
    BOOST_TEST(!parse_error("**").empty());
    BOOST_TEST(!parse_error("fe80::1%eth0").empty());
    BOOST_TEST(!parse_error("[::1]").empty());
}

BOOST_AUTO_TEST_CASE(failed_parse_leaves_the_list_alone)
{
    address_list list = list_of("10.0.0.1");
    BOOST_TEST(address_list::parse("10.0.0.2,bad", list).has_value());
    BOOST_TEST(list.contains("10.0.0.1"));
    BOOST_TEST(!list.contains("10.0.0.2"));
}

BOOST_AUTO_TEST_CASE(empty_list_trusts_only_unix)
{
    const address_list list = list_of("");
    BOOST_TEST(!list.contains("127.0.0.1"));
    BOOST_TEST(list.contains("unix"));
}

BOOST_AUTO_TEST_CASE(ipv4_mapped_peers_match_ipv4_rules)
{
    // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
    const address_list list = list_of("127.0.0.1,10.0.0.0/8");
    BOOST_TEST(list.contains("::ffff:127.0.0.1"));
    BOOST_TEST(list.contains("::FFFF:10.20.30.40"));
    BOOST_TEST(list.contains("::ffff:a00:1"));
    BOOST_TEST(!list.contains("::ffff:11.0.0.1"));
    BOOST_TEST(!list.contains("::127.0.0.1")); // IPv4-compatible is not IPv4-mapped
    // And the other way round: a mapped rule covers plain IPv4 peers.
    BOOST_TEST(list_of("::ffff:192.168.0.0/112").contains("192.168.3.4"));
}

BOOST_AUTO_TEST_CASE(unix_peers_are_always_trusted)
{
    BOOST_TEST(list_of("10.0.0.1").contains("unix"));
    BOOST_TEST(!list_of("10.0.0.1").contains("garbage"));
    BOOST_TEST(!list_of("10.0.0.1").contains(""));
}

BOOST_AUTO_TEST_CASE(default_rules_are_gunicorns)
{
    const std::vector<scheme_rule> rules = default_scheme_rules();
    BOOST_TEST_REQUIRE(rules.size() == 3u);
    BOOST_TEST(rules[0].header == "X-FORWARDED-PROTOCOL");
    BOOST_TEST(rules[0].value == "ssl");
    BOOST_TEST(rules[1].header == "X-FORWARDED-PROTO");
    BOOST_TEST(rules[1].value == "https");
    BOOST_TEST(rules[2].header == "X-FORWARDED-SSL");
    BOOST_TEST(rules[2].value == "on");
}

BOOST_AUTO_TEST_CASE(trusted_https)
{
    for (const header_field& f : {header_field{"X-Forwarded-Proto", "https"}, header_field{"x-forwarded-ssl", "on"},
                                  header_field{"X-FORWARDED-PROTOCOL", "ssl"}}) {
        const scheme_result r = scheme_of({{"Host", "h"}, f});
        BOOST_TEST(!r.error);
        BOOST_TEST(r.scheme == "https", f.name);
    }
    const scheme_result both = scheme_of({{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Ssl", "on"}});
    BOOST_TEST(!both.error);
    BOOST_TEST(both.scheme == "https");
}

BOOST_AUTO_TEST_CASE(trusted_http)
{
    BOOST_TEST(scheme_of({{"X-Forwarded-Proto", "http"}}).scheme == "http");
    BOOST_TEST(scheme_of({{"X-Forwarded-Proto", "HTTPS"}}).scheme == "http"); // values are exact
    BOOST_TEST(scheme_of({{"X-Forwarded-Ssl", "off"}, {"X-Forwarded-Proto", "http"}}).scheme == "http");
    BOOST_TEST(scheme_of({{"Host", "h"}}).scheme == "http");
    BOOST_TEST(scheme_of({}).scheme == "http");
    BOOST_TEST(scheme_of({{"Forwarded", "proto=https"}}).scheme == "http"); // not a listed header
}

BOOST_AUTO_TEST_CASE(trusted_conflict_is_an_error)
{
    const scheme_result r = scheme_of({{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Ssl", "off"}});
    BOOST_TEST(r.error);
    BOOST_TEST(r.scheme.empty());
    BOOST_TEST(scheme_of({{"X-Forwarded-Proto", "http"}, {"x-forwarded-protocol", "ssl"}}).error);
    // The same header twice with different answers conflicts too.
    BOOST_TEST(scheme_of({{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Proto", "http"}}).error);
}

BOOST_AUTO_TEST_CASE(untrusted_peer_headers_are_ignored)
{
    for (bool conflicting : {false, true}) {
        std::vector<header_field> headers{{"X-Forwarded-Proto", "https"}};
        if (conflicting) headers.push_back({"X-Forwarded-Ssl", "off"});
        const scheme_result r = scheme_of(headers, false);
        BOOST_TEST(!r.error);
        BOOST_TEST(r.scheme == "http");
    }
}

BOOST_AUTO_TEST_CASE(custom_rules)
{
    const std::vector<scheme_rule> rules{{"x-scheme", "secure"}};
    const std::vector<header_field> headers{{"X-SCHEME", "secure"}, {"X-Forwarded-Proto", "http"}};
    const scheme_result r = request_scheme(headers, rules, true);
    BOOST_TEST(!r.error);
    BOOST_TEST(r.scheme == "https");
    BOOST_TEST(request_scheme(headers, {}, true).scheme == "http");
}

BOOST_AUTO_TEST_SUITE_END()
