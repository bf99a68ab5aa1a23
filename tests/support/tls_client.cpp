#include "tls_client.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace forkhorn::test {
namespace {

using clock = std::chrono::steady_clock;

EVP_PKEY* new_key() { return EVP_EC_gen("P-256"); }

void add_extension(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) throw std::runtime_error("test PKI: bad extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, signed by `issuer_key` (self-signed when issuer is null).
X509* new_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, bool ca, bool server)
{
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    unsigned char serial[8];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 2 * 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509* signer = issuer ? issuer : cert;
    add_extension(cert, signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (ca) add_extension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    if (server) add_extension(cert, signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    add_extension(cert, signer, NID_subject_key_identifier, "hash");
    X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256());
    return cert;
}

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr)
{
    BIO* out = BIO_new_file(path.c_str(), "wb");
    if (!out) throw std::runtime_error("test PKI: cannot write " + path);
    static char password[] = "secret";
    if (cert) PEM_write_bio_X509(out, cert);
    if (key)
        PEM_write_bio_PrivateKey(out, key, cipher, cipher ? reinterpret_cast<unsigned char*>(password) : nullptr,
                                 cipher ? 6 : 0, nullptr, nullptr);
    BIO_free(out);
}

X509* read_cert(const std::string& path)
{
    BIO* in = BIO_new_file(path.c_str(), "rb");
    X509* cert = in ? PEM_read_bio_X509(in, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(in);
    return cert;
}

EVP_PKEY* read_key(const std::string& path)
{
    BIO* in = BIO_new_file(path.c_str(), "rb");
    EVP_PKEY* key = in ? PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(in);
    return key;
}

std::string ca_key_path(const test_pki& pki) { return pki.ca_cert + ".key"; }

void issue_server(const test_pki& pki, const std::string& name)
{
    X509* ca = read_cert(pki.ca_cert);
    EVP_PKEY* ca_key = read_key(ca_key_path(pki));
    EVP_PKEY* key = new_key();
    X509* cert = new_cert(key, name, ca, ca_key, false, true);
    write_pem(pki.server_cert, cert, nullptr);
    write_pem(pki.server_key, nullptr, key);
    write_pem(pki.encrypted_key, nullptr, key, EVP_aes_256_cbc());
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
}

} // namespace

test_pki make_test_pki(const std::string& dir, const std::string& name)
{
    test_pki pki{dir + "/ca.pem",     dir + "/server.pem",   dir + "/server.key",   dir + "/client.pem",
                 dir + "/client.key", dir + "/stranger.pem", dir + "/stranger.key", dir + "/encrypted.key"};
    EVP_PKEY* ca_key = new_key();
    X509* ca = new_cert(ca_key, "forkhorn test CA", nullptr, nullptr, true, false);
    write_pem(pki.ca_cert, ca, nullptr);
    write_pem(ca_key_path(pki), nullptr, ca_key);
    issue_server(pki, name);
    EVP_PKEY* client_key = new_key();
    X509* client = new_cert(client_key, "forkhorn test client", ca, ca_key, false, false);
    write_pem(pki.client_cert, client, nullptr);
    write_pem(pki.client_key, nullptr, client_key);
    EVP_PKEY* other_ca_key = new_key();
    X509* other_ca = new_cert(other_ca_key, "another CA", nullptr, nullptr, true, false);
    EVP_PKEY* stranger_key = new_key();
    X509* stranger = new_cert(stranger_key, "a stranger", other_ca, other_ca_key, false, false);
    write_pem(pki.stranger_cert, stranger, nullptr);
    write_pem(pki.stranger_key, nullptr, stranger_key);
    for (X509* c : {ca, client, other_ca, stranger}) X509_free(c);
    for (EVP_PKEY* k : {ca_key, client_key, other_ca_key, stranger_key}) EVP_PKEY_free(k);
    return pki;
}

void renew_server_certificate(const test_pki& pki, const std::string& name) { issue_server(pki, name); }

tls_connection::tls_connection(int port, const tls_options& o, std::chrono::milliseconds timeout)
{
#ifdef SIGPIPE
    // OpenSSL writes with write(): a server that closed first must fail the call, not end the test.
    std::signal(SIGPIPE, SIG_IGN);
#endif
    auto deadline = clock::now() + timeout;
    auto* ctx = SSL_CTX_new(TLS_client_method());
    ctx_ = ctx;
    // Old protocol versions are refused by OpenSSL 3's default security level before the server
    // could refuse them: level 0 lets this client offer them, so the server's refusal is tested.
    SSL_CTX_set_security_level(ctx, 0);
    if (o.min_version) SSL_CTX_set_min_proto_version(ctx, o.min_version);
    if (o.max_version) SSL_CTX_set_max_proto_version(ctx, o.max_version);
    if (!o.ca_cert.empty()) {
        SSL_CTX_load_verify_locations(ctx, o.ca_cert.c_str(), nullptr);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    }
    if (!o.client_cert.empty()) {
        SSL_CTX_use_certificate_file(ctx, o.client_cert.c_str(), SSL_FILETYPE_PEM);
        SSL_CTX_use_PrivateKey_file(ctx, o.client_key.c_str(), SSL_FILETYPE_PEM);
    }
    std::string address = "127.0.0.1:" + std::to_string(port);
    BIO* bio = BIO_new_connect(address.c_str());
    BIO_set_nbio(bio, 1);
    int wait_s = static_cast<int>(std::max<long long>(1, timeout.count() / 1000));
    if (BIO_do_connect_retry(bio, wait_s, 50) <= 0) {
        error_ = "cannot connect to " + address;
        BIO_free(bio);
        return;
    }
    auto* ssl = SSL_new(ctx);
    ssl_ = ssl;
    SSL_set_bio(ssl, bio, bio);
    std::string host = o.server_name;
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, host.data()); // SNI (the macro casts)
    if (!o.alpn.empty()) {
        std::string wire = static_cast<char>(o.alpn.size()) + o.alpn;
        SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
    }
    if (o.session) SSL_set_session(ssl, static_cast<SSL_SESSION*>(o.session.get()));
    for (;;) {
        ERR_clear_error();
        int r = SSL_connect(ssl);
        if (r == 1) break;
        int e = SSL_get_error(ssl, r);
        if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || clock::now() >= deadline) {
            char text[256] = "timed out";
            if (unsigned long err = ERR_get_error()) ERR_error_string_n(err, text, sizeof text);
            error_ = e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN ? "the server closed the connection"
                                                                          : std::string(text);
            return;
        }
        BIO_wait(bio, std::time(nullptr) + 1, 20);
    }
    ok_ = true;
}

tls_connection::~tls_connection()
{
    // Without close_notify OpenSSL takes the session for a bad one and will not resume it.
    if (ok_) (void)SSL_shutdown(static_cast<SSL*>(ssl_));
    if (ssl_) SSL_free(static_cast<SSL*>(ssl_));
    if (ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

std::string tls_connection::version() const { return ok_ ? SSL_get_version(static_cast<SSL*>(ssl_)) : ""; }

std::string tls_connection::alpn() const
{
    const unsigned char* p = nullptr;
    unsigned n = 0;
    if (ok_) SSL_get0_alpn_selected(static_cast<SSL*>(ssl_), &p, &n);
    return {reinterpret_cast<const char*>(p), n};
}

std::string tls_connection::peer_subject() const
{
    X509* cert = ok_ ? SSL_get0_peer_certificate(static_cast<SSL*>(ssl_)) : nullptr;
    if (!cert) return {};
    char text[256];
    X509_NAME_oneline(X509_get_subject_name(cert), text, sizeof text);
    return text;
}

bool tls_connection::resumed() const { return ok_ && SSL_session_reused(static_cast<SSL*>(ssl_)) == 1; }

std::shared_ptr<void> tls_connection::session() const
{
    SSL_SESSION* s = ok_ ? SSL_get1_session(static_cast<SSL*>(ssl_)) : nullptr;
    if (!s) return nullptr;
    return {s, [](void* p) { SSL_SESSION_free(static_cast<SSL_SESSION*>(p)); }};
}

bool tls_connection::send(std::string_view bytes)
{
    auto* ssl = static_cast<SSL*>(ssl_);
    auto deadline = clock::now() + std::chrono::seconds(10);
    while (ok_ && !bytes.empty()) {
        ERR_clear_error();
        int r = SSL_write(ssl, bytes.data(), static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 20)));
        if (r > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(r));
            continue;
        }
        int e = SSL_get_error(ssl, r);
        if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || clock::now() >= deadline) return false;
        BIO_wait(SSL_get_rbio(ssl), std::time(nullptr) + 1, 20);
    }
    return ok_;
}

bool tls_connection::renegotiate()
{
    auto* ssl = static_cast<SSL*>(ssl_);
    if (!ok_ || SSL_renegotiate(ssl) != 1) return false;
    auto deadline = clock::now() + std::chrono::seconds(5);
    while (clock::now() < deadline) {
        ERR_clear_error();
        int r = SSL_do_handshake(ssl);
        if (r == 1) return SSL_renegotiate_pending(ssl) == 0;
        int e = SSL_get_error(ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return false;
        // The server's answer (or refusal) comes with its next record: ask for one.
        char byte;
        if (SSL_read(ssl, &byte, 1) <= 0 && SSL_get_error(ssl, -1) != SSL_ERROR_WANT_READ) return false;
        BIO_wait(SSL_get_rbio(ssl), std::time(nullptr) + 1, 20);
    }
    return false;
}

// Bytes read (> 0), 0 at the server's close, -1 on an error or at the deadline.
int tls_connection::read_some(char* buf, int size, clock::time_point deadline)
{
    auto* ssl = static_cast<SSL*>(ssl_);
    for (;;) {
        ERR_clear_error();
        int r = SSL_read(ssl, buf, size);
        if (r > 0) return r;
        int e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) return 0;
        if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || clock::now() >= deadline) return -1;
        BIO_wait(SSL_get_rbio(ssl), std::time(nullptr) + 1, 20);
    }
}

bool tls_connection::read_to_close(std::string& out, std::chrono::milliseconds timeout)
{
    auto deadline = clock::now() + timeout;
    char buf[16384];
    while (ok_) {
        int n = read_some(buf, sizeof buf, deadline);
        if (n <= 0) return n == 0;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return false;
}

std::string tls_connection::read_response(std::chrono::milliseconds timeout)
{
    auto deadline = clock::now() + timeout;
    std::string in;
    char buf[16384];
    while (ok_) {
        auto end = in.find("\r\n\r\n");
        if (end != std::string::npos) {
            auto head = in.substr(0, end);
            auto cl = head.find("Content-Length: ");
            if (cl != std::string::npos && in.size() >= end + 4 + std::stoull(head.substr(cl + 16))) return in;
            if (head.find("chunked") != std::string::npos && in.ends_with("\r\n0\r\n\r\n")) return in;
        }
        int n = read_some(buf, sizeof buf, deadline);
        if (n <= 0) return n == 0 ? in : std::string();
        in.append(buf, static_cast<std::size_t>(n));
    }
    return {};
}

std::string tls_get(int port, const tls_options& options, const std::string& path)
{
    tls_connection c(port, options);
    if (!c.ok() || !c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")) return {};
    return c.read_response();
}

} // namespace forkhorn::test
