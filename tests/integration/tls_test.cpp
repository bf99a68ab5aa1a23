// TLS against the real server on every worker type (CTest runs the suite once per type): a PKI
// made at test time, an OpenSSL client, and what a hostile or confused client does.
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "paths.hpp"
#include "tls_client.hpp"

// Designated initializers name only what a case sets; GCC 12 warns about the rest, which
// keep their defaults by the language's rules.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace forkhorn::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct tls_server {
    temp_dir dir;
    test_pki pki = make_test_pki(dir.path);
    std::unique_ptr<server_process> server;
    int port = 0;

    explicit tls_server(std::vector<std::string> extra = {}, int cert_reqs = -1)
    {
        std::vector<std::string> args{"--certfile", pki.server_cert, "--keyfile", pki.server_key};
        if (cert_reqs >= 0)
            args.insert(args.end(), {"--ca-certs", pki.ca_cert, "--cert-reqs", std::to_string(cert_reqs)});
        args.insert(args.end(), extra.begin(), extra.end());
        server = std::make_unique<server_process>(bin, serve_args(lib(examples, "echo"), args));
        port = server->port(20s);
        BOOST_REQUIRE_MESSAGE(port > 0, server->log());
        require_booted(*server);
    }
    tls_options trusting() const { return {.ca_cert = pki.ca_cert}; }
    /// Still serves a well-behaved client after whatever the test did.
    void still_serves() const
    {
        auto reply = tls_get(port, trusting());
        BOOST_TEST(reply.starts_with("HTTP/1.1 200"), "no answer after that: " << reply << server->log());
    }
};

// Precondition: the server under test is a Linux build, because `why` (shown with the skip).
struct linux_build {
    std::string why;
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const
    {
        boost::test_tools::assertion_result r(library_path("", "x").ends_with(".so"));
        r.message() << why;
        return r;
    }
};

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::string base64_decode(std::string_view in)
{
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (char ch : in) {
        auto v = alphabet.find(ch);
        if (v == std::string_view::npos) break; // '=' or the closing quote
        bits = (bits << 6) | static_cast<unsigned>(v);
        if ((count += 6) >= 8) out += static_cast<char>((bits >> (count -= 8)) & 0xff);
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(tls_1_2_and_1_3_answer_and_the_app_sees_https)
{
    tls_server s;
    BOOST_TEST(s.server->log().find("Listening at: https://127.0.0.1:") != std::string::npos, s.server->log());
    for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        auto o = s.trusting();
        o.min_version = o.max_version = version;
        tls_connection c(s.port, o);
        BOOST_REQUIRE_MESSAGE(c.ok(), c.error() << s.server->log());
        BOOST_TEST(c.version() == (version == TLS1_2_VERSION ? "TLSv1.2" : "TLSv1.3"));
        BOOST_REQUIRE(c.send("GET /x?y=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        auto reply = c.read_response();
        BOOST_TEST(status_line(reply) == "HTTP/1.1 200 OK", reply);
        BOOST_TEST(reply.find(R"("scheme": "https")") != std::string::npos, reply);
        BOOST_TEST(reply.find(R"("tls_protocol": ")" + c.version() + "\"") != std::string::npos, reply);
        BOOST_TEST(reply.find(R"("tls_client": "")") != std::string::npos, reply);
        // The same connection serves the next request (keep-alive, where the worker type allows it).
        BOOST_REQUIRE(c.send("GET /second HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        auto second = c.read_response();
        if (worker_class() != "sync") BOOST_TEST(second.find(R"("path": "/second")") != std::string::npos, second);
    }
}

// curl, as a user would try it (Linux: the Windows tests run under wine, where there is no curl).
BOOST_AUTO_TEST_CASE(curl_gets_answers_over_tls_1_2_and_1_3,
                     *boost::unit_test::precondition(linux_build{"the tests run under wine, which has no curl"}))
{
    tls_server s;
    auto url = "https://127.0.0.1:" + std::to_string(s.port) + "/curl";
    for (std::string version : {"--tlsv1.2", "--tlsv1.3"}) {
        std::string max = version == "--tlsv1.2" ? "1.2" : "1.3";
        auto r =
            run_to_end("/usr/bin/curl", {"-sS", "--cacert", s.pki.ca_cert, version, "--tls-max", max, url}, {}, 20s);
        BOOST_TEST(r.status == 0, r.err);
        BOOST_TEST(r.out.find(R"("tls_protocol": "TLSv)" + max + "\"") != std::string::npos, r.out);
    }
    auto untrusted = run_to_end("/usr/bin/curl", {"-sS", url}, {}, 20s); // no CA: the certificate is not trusted
    BOOST_TEST(untrusted.status != 0);
}

BOOST_AUTO_TEST_CASE(tls_1_0_and_1_1_are_refused_and_the_worker_goes_on)
{
    tls_server s;
    for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
        tls_connection c(s.port, {.ca_cert = s.pki.ca_cert, .min_version = version, .max_version = version});
        BOOST_TEST(!c.ok(), "TLS version " << version << " was accepted: " << c.version());
    }
    s.still_serves();
}

BOOST_AUTO_TEST_CASE(tls_min_version_1_3_refuses_1_2)
{
    tls_server s({"--tls-min-version", "1.3"});
    tls_connection old(s.port, {.ca_cert = s.pki.ca_cert, .max_version = TLS1_2_VERSION});
    BOOST_TEST(!old.ok());
    tls_connection c(s.port, s.trusting());
    BOOST_TEST(c.ok(), c.error());
    BOOST_TEST(c.version() == "TLSv1.3");
}

BOOST_AUTO_TEST_CASE(alpn_offers_http_1_1)
{
    tls_server s;
    {
        tls_connection c(s.port, {.ca_cert = s.pki.ca_cert, .alpn = "http/1.1"});
        BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
        BOOST_TEST(c.alpn() == "http/1.1");
    } // closed: a sync worker serves one connection at a time
    tls_connection h2_only(s.port, {.ca_cert = s.pki.ca_cert, .alpn = "h2"});
    BOOST_REQUIRE_MESSAGE(h2_only.ok(), h2_only.error()); // no ALPN agreed, the handshake goes on
    BOOST_TEST(h2_only.alpn() == "");
}

BOOST_AUTO_TEST_CASE(cleartext_http_to_a_tls_port_gets_400_and_a_close)
{
    tls_server s;
    auto raw = exchange_raw(s.port, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 5s);
    BOOST_REQUIRE(raw.has_value());
    BOOST_TEST(raw->starts_with("HTTP/1.1 400 Bad Request"), *raw);
    BOOST_TEST(raw->find("https://") != std::string::npos, *raw);
    s.still_serves();
}

BOOST_AUTO_TEST_CASE(a_handshake_that_never_completes_is_closed_after_the_timeout)
{
    tls_server s({"--timeout", "2"});
    client_connection half(s.port);
    BOOST_REQUIRE(half.send(std::string_view("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
    client_connection silent(s.port);
    BOOST_TEST(half.closed_by_peer(10s), "a half-sent ClientHello kept its connection open");
    BOOST_TEST(silent.closed_by_peer(10s), "a connection that sent nothing stayed open");
    s.still_serves();
}

BOOST_AUTO_TEST_CASE(garbage_and_truncated_records_end_only_that_connection)
{
    tls_server s;
    auto junk = exchange_raw(s.port, std::string("\x16\x03\x01\x00\x05hello", 10) + std::string(200, '\x17'), 5s);
    BOOST_TEST(junk.has_value());
    {
        tls_connection c(s.port, s.trusting());
        BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
        // a request cut off inside a record: the client's side just ends
    }
    s.still_serves();
}

BOOST_AUTO_TEST_CASE(a_megabyte_each_way_arrives_intact)
{
    tls_server s;
    std::string body(1 << 20, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7919) % 26);
    tls_connection c(s.port, s.trusting());
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    BOOST_REQUIRE(c.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\nConnection: close\r\n\r\n" + body));
    std::string reply;
    BOOST_TEST(c.read_to_close(reply, 30s));
    BOOST_TEST(status_line(reply) == "HTTP/1.1 200 OK");
    // The echo app answers with the body in base64: 1.33 MiB back through TLS.
    auto at = reply.find("\"body_b64\": \"");
    BOOST_REQUIRE(at != std::string::npos);
    BOOST_TEST((base64_decode(std::string_view(reply).substr(at + 13)) == body), "the body came back changed");
}

BOOST_AUTO_TEST_CASE(client_certificates_required)
{
    tls_server s({}, 2);
    tls_connection none(s.port, s.trusting());
    // TLS 1.3 ends the handshake before the server checks: the refusal comes with the first read.
    bool refused = !none.ok() || !none.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") || none.read_response().empty();
    BOOST_TEST(refused, "served a client without a certificate");
    tls_connection stranger(
        s.port, {.ca_cert = s.pki.ca_cert, .client_cert = s.pki.stranger_cert, .client_key = s.pki.stranger_key});
    refused = !stranger.ok() || !stranger.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") || stranger.read_response().empty();
    BOOST_TEST(refused, "served a client whose certificate comes from another CA");
    auto known =
        tls_get(s.port, {.ca_cert = s.pki.ca_cert, .client_cert = s.pki.client_cert, .client_key = s.pki.client_key});
    BOOST_TEST(known.starts_with("HTTP/1.1 200"), known << s.server->log());
}

BOOST_AUTO_TEST_CASE(client_certificates_optional)
{
    tls_server s({}, 1);
    BOOST_TEST(tls_get(s.port, s.trusting()).starts_with("HTTP/1.1 200"), s.server->log());
    auto known =
        tls_get(s.port, {.ca_cert = s.pki.ca_cert, .client_cert = s.pki.client_cert, .client_key = s.pki.client_key});
    BOOST_TEST(known.starts_with("HTTP/1.1 200"), known << s.server->log());
}

// Tickets are sealed with the arbiter's keys: a worker that never saw the client (here the one
// started after the first was killed) resumes its session, on TLS 1.2 and 1.3.
BOOST_AUTO_TEST_CASE(a_session_resumes_with_another_worker)
{
    tls_server s;
    for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        tls_options o = s.trusting();
        o.min_version = o.max_version = version;
        {
            tls_connection first(s.port, o);
            BOOST_REQUIRE_MESSAGE(first.ok(), first.error());
            BOOST_REQUIRE(first.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
            BOOST_REQUIRE(!first.read_response().empty()); // TLS 1.3 sends its ticket after the handshake
            o.session = first.session();
        }
        BOOST_REQUIRE(o.session);
        auto before = s.server->children();
        for (int pid : before) kill_hard(pid);
        BOOST_REQUIRE_MESSAGE(workers_replaced(*s.server, before, 1, 20s), s.server->log());
        tls_connection again(s.port, o, 20s);
        BOOST_REQUIRE_MESSAGE(again.ok(), again.error() << s.server->log());
        BOOST_TEST(again.resumed(), "version " << version << ": the new worker did not resume the session");
        BOOST_REQUIRE(again.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        BOOST_TEST(again.read_response().starts_with("HTTP/1.1 200"));
    }
}

BOOST_AUTO_TEST_CASE(https_binds_choose_tls_per_listener)
{
    temp_dir dir;
    auto pki = make_test_pki(dir.path);
    server_process server(bin, serve_args(lib(examples, "echo"), {"-b", "https://127.0.0.1:0", "--certfile",
                                                                  pki.server_cert, "--keyfile", pki.server_key}));
    // serve_args binds 127.0.0.1:0 first (cleartext: an https:// bind is named), then https://.
    auto ports = server.ports(2, 20s);
    BOOST_REQUIRE_MESSAGE(ports.size() == 2, server.log());
    require_booted(server);
    BOOST_TEST(http_get(ports[0], "/").status == 200, server.log());
    BOOST_TEST(tls_get(ports[1], {.ca_cert = pki.ca_cert}).starts_with("HTTP/1.1 200"), server.log());
    BOOST_TEST(server.log().find("Listening at: https://") != std::string::npos, server.log());
}

BOOST_AUTO_TEST_CASE(bad_certificate_settings_stop_the_start_with_one_line)
{
    temp_dir dir;
    auto pki = make_test_pki(dir.path);
    fs::create_directory(dir / "other");
    auto other = make_test_pki(dir / "other");
    struct bad {
        std::vector<std::string> args;
        std::string says;
    };
    const bad cases[] = {
        {{"--certfile", pki.server_cert, "--keyfile", pki.encrypted_key}, "is encrypted"},
        {{"--certfile", pki.server_cert, "--keyfile", other.server_key}, "does not match the certificate"},
        {{"--certfile", dir / "missing.pem"}, "missing.pem"},
        {{"--keyfile", pki.server_key}, "keyfile is set without certfile"},
        {{"--certfile", pki.server_cert, "--keyfile", pki.server_key, "--ciphers", "NOT-A-CIPHER"}, "ciphers"},
        {{"--certfile", pki.server_cert, "--keyfile", pki.server_key, "--cert-reqs", "2"}, "ca_certs"},
    };
    for (const auto& c : cases) {
        auto r = run_to_end(bin, serve_args(lib(examples, "hello"), c.args), {}, 20s);
        BOOST_TEST(r.status == 2, c.says << ": exit " << r.status << " " << r.err);
        BOOST_TEST(r.err.find(c.says) != std::string::npos, r.err);
    }
}

BOOST_AUTO_TEST_CASE(hup_takes_a_renewed_certificate_and_keeps_the_old_one_when_the_new_is_broken)
{
    tls_server s;
    auto subject = [&] {
        tls_connection c(s.port, s.trusting());
        return c.ok() ? c.peer_subject() : "failed: " + c.error();
    };
    BOOST_TEST(subject().find("forkhorn test server") != std::string::npos);
    // A HUP's new generation replaces the old one: wait for that, so a subject comes from the new.
    auto reload = [&] {
        auto before = s.server->children();
        s.server->send(sig::hup);
        return workers_replaced(*s.server, before, 1, 30s);
    };
    // Clients keep coming while the certificate is renewed: none of them fails.
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    std::thread load([&] {
        while (!stop) (tls_get(s.port, s.trusting()).starts_with("HTTP/1.1 200") ? ok : failed)++;
    });
    renew_server_certificate(s.pki, "renewed");
    bool reloaded = reload();
    int before = ok;
    bool more = eventually([&] { return ok > before + 20; }, 20s);
    stop = true;
    load.join();
    BOOST_REQUIRE_MESSAGE(reloaded && more, s.server->log());
    BOOST_TEST(failed == 0, failed << " of " << ok + failed << " requests failed during the renewal");
    BOOST_TEST(subject().find("renewed") != std::string::npos, s.server->log());
    std::ofstream(s.pki.server_cert, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nbroken\n";
    BOOST_REQUIRE_MESSAGE(reload(), s.server->log());
    BOOST_TEST(s.server->log().find("keeping the current one: TLS: certfile") != std::string::npos, s.server->log());
    auto now = subject();
    BOOST_TEST(now.find("renewed") != std::string::npos, now << "\n" << s.server->log());
    s.still_serves();
}

BOOST_AUTO_TEST_CASE(the_access_log_tells_the_tls_of_each_request)
{
    temp_dir logs;
    auto access = logs / "access.log";
    tls_server s({"--access-logfile", access, "--access-logformat",
                  "%(s)s %({scheme}x)s %({tls_protocol}x)s %({tls_cipher}x)s [%({tls_client}x)s]"},
                 1);
    auto reply = tls_get(s.port, {.ca_cert = s.pki.ca_cert,
                                  .client_cert = s.pki.client_cert,
                                  .client_key = s.pki.client_key,
                                  .max_version = TLS1_2_VERSION});
    BOOST_REQUIRE(reply.starts_with("HTTP/1.1 200"));
    BOOST_TEST(eventually([&] { return read_text(access).find("200 https TLSv1.2 ECDHE-") != std::string::npos; }),
               read_text(access));
    BOOST_TEST(read_text(access).find("[CN=forkhorn test client]") != std::string::npos, read_text(access));
}

BOOST_AUTO_TEST_CASE(an_unknown_server_name_gets_the_one_certificate)
{
    tls_server s;
    auto reply = tls_get(s.port, {.ca_cert = s.pki.ca_cert, .server_name = "unknown.example"});
    BOOST_TEST(reply.starts_with("HTTP/1.1 200"), reply << s.server->log());
}

// TLS 1.2 renegotiation is refused (a client's way to make the server work hard); the
// connection and the worker carry on.
BOOST_AUTO_TEST_CASE(renegotiation_is_refused)
{
    tls_server s;
    {
        tls_connection c(s.port, {.ca_cert = s.pki.ca_cert, .max_version = TLS1_2_VERSION});
        BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
        BOOST_TEST(!c.renegotiate(), "the server renegotiated");
    }
    s.still_serves();
}

// Hundreds of connections that open and send nothing (or stop inside the handshake) hold no
// worker: a client that talks is served meanwhile (not on sync, which serves one at a time).
BOOST_AUTO_TEST_CASE(a_slow_handshake_flood_does_not_starve_clients,
                     *boost::unit_test::precondition(worker_is{"sync", true}))
{
    tls_server s;
    std::vector<std::unique_ptr<client_connection>> flood;
    for (int i = 0; i < 300; ++i) {
        flood.push_back(std::make_unique<client_connection>(s.port));
        if (i % 2) (void)flood.back()->send(std::string_view("\x16\x03\x01\x02\x00\x01", 6));
    }
    for (int i = 0; i < 5; ++i) {
        auto reply = tls_get(s.port, s.trusting());
        BOOST_TEST(reply.starts_with("HTTP/1.1 200"), "not served beside the flood: " << reply);
    }
}

// The app's ssl_context hook adjusts the context the worker made (here: TLS 1.2 at most).
BOOST_AUTO_TEST_CASE(the_ssl_context_hook_adjusts_the_context,
                     *boost::unit_test::precondition(linux_build{
                         "forkhorn.exe has its own static OpenSSL: an app DLL cannot adjust its SSL_CTX"}))
{
    temp_dir dir;
    auto pki = make_test_pki(dir.path);
    auto hook_log = dir / "hooks.log";
    server_process server(
        bin, serve_args(lib(fixtures, "tls_hook_app"), {"--certfile", pki.server_cert, "--keyfile", pki.server_key}),
        {"FORKHORN_HOOK_LOG=" + hook_log});
    int port = server.port(20s);
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    require_booted(server);
    tls_connection c(port, {.ca_cert = pki.ca_cert});
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error() << server.log());
    BOOST_TEST(c.version() == "TLSv1.2");
    BOOST_TEST(read_text(hook_log).find("ssl_context") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
