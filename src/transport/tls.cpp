#include "transport/tls.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace forkhorn::tls {
namespace {

// TLS 1.2 suites with forward secrecy and AEAD only, ECDSA before RSA (Mozilla's "intermediate");
// TLS 1.3 keeps OpenSSL's own list.
constexpr const char* default_ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The reason of the oldest error queued by OpenSSL, and the queue cleared (it is per thread, and
// a stale entry would be blamed on the next connection served by this thread).
std::string take_errors()
{
    unsigned long first = ERR_get_error();
    ERR_clear_error();
    if (first == 0) return "unknown error";
    char text[256];
    ERR_error_string_n(first, text, sizeof text);
    // "error:0A00009C:SSL routines::http request": the reason is the interesting part.
    std::string_view s(text);
    auto last = s.rfind(':');
    return std::string(last == std::string_view::npos ? s : s.substr(last + 1));
}

// A key that needs a password is refused: a server that prompts at start cannot be restarted by
// an init system, and a password on the command line is worse than none.
int refuse_password(char*, int, int, void* asked)
{
    *static_cast<bool*>(asked) = true;
    return -1;
}

std::string alpn_wire(const std::vector<std::string>& protocols)
{
    std::string wire;
    for (const auto& p : protocols) {
        if (p.empty() || p.size() > 255) continue;
        wire += static_cast<char>(p.size());
        wire += p;
    }
    return wire;
}

struct bio_deleter {
    void operator()(BIO* b) const { BIO_free(b); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

bio_ptr memory(const std::string& text) { return bio_ptr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

// How a file is named in a message: a worker started again (Windows) gets the arbiter's copy of
// the contents in place of the name, which must never end up in a log.
std::string shown(const std::string& setting)
{
    return setting.starts_with("-----BEGIN") ? std::string("(the copy the server loaded)") : setting;
}

std::string key_name(const options& o) { return shown(o.keyfile.empty() ? o.certfile : o.keyfile); }

// The certificate first, then the chain after it, as SSL_CTX_use_certificate_chain_file reads.
std::optional<std::string> load_chain(SSL_CTX* ctx, const options& o)
{
    auto in = memory(o.cert_pem);
    X509* cert = PEM_read_bio_X509_AUX(in.get(), nullptr, nullptr, nullptr);
    if (!cert) return "certfile '" + shown(o.certfile) + "': " + take_errors();
    bool used = SSL_CTX_use_certificate(ctx, cert) == 1;
    X509_free(cert);
    if (!used) return "certfile '" + shown(o.certfile) + "': " + take_errors();
    while (X509* link = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr))
        if (SSL_CTX_add0_chain_cert(ctx, link) != 1) {
            X509_free(link);
            return "certfile '" + shown(o.certfile) + "': " + take_errors();
        }
    ERR_clear_error(); // the end of the file reads as an error
    return std::nullopt;
}

std::optional<std::string> load_identity(SSL_CTX* ctx, const options& o)
{
    if (auto err = load_chain(ctx, o)) return err;
    bool asked = false;
    auto in = memory(o.key_pem);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in.get(), nullptr, refuse_password, &asked);
    if (asked) {
        EVP_PKEY_free(key);
        ERR_clear_error();
        return "keyfile '" + key_name(o) +
               "' is encrypted, and forkhorn does not ask for passwords: decrypt it "
               "(openssl pkey -in KEY -out KEY.plain) and keep it readable by the server only";
    }
    if (!key) return "keyfile '" + key_name(o) + "': " + take_errors();
    bool used = SSL_CTX_use_PrivateKey(ctx, key) == 1;
    EVP_PKEY_free(key);
    if (!used || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        return "keyfile '" + key_name(o) + "' does not match the certificate in '" + shown(o.certfile) + "'";
    }
    return std::nullopt;
}

std::optional<std::string> load_client_cas(SSL_CTX* ctx, const options& o)
{
    int mode = o.cert_reqs == 0   ? SSL_VERIFY_NONE
               : o.cert_reqs == 1 ? SSL_VERIFY_PEER
                                  : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    if (o.ca_pem.empty()) {
        if (o.cert_reqs != 0)
            return std::string("cert_reqs asks for client certificates: set ca_certs to the CAs they come from");
        return std::nullopt;
    }
    auto in = memory(o.ca_pem);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    while (X509* ca = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)) {
        ++count;
        bool added = X509_STORE_add_cert(store, ca) == 1 && SSL_CTX_add_client_CA(ctx, ca) == 1;
        X509_free(ca);
        if (!added) return "ca_certs '" + shown(o.ca_certs) + "': " + take_errors();
    }
    ERR_clear_error();
    if (count == 0) return "ca_certs '" + shown(o.ca_certs) + "' holds no certificate";
    return std::nullopt;
}

std::optional<std::string> configure(SSL_CTX* ctx, const options& o)
{
    SSL_CTX_set_min_proto_version(ctx, o.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
    // Renegotiation is a client's way to make the server work hard mid-connection (TLS 1.2).
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    // Idle keep-alive connections give their record buffers back.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    const char* list = o.ciphers.empty() ? default_ciphers : o.ciphers.c_str();
    if (SSL_CTX_set_cipher_list(ctx, list) != 1)
        return "ciphers '" + std::string(list) + "': no cipher it names is known";
    static const unsigned char id[] = "forkhorn";
    SSL_CTX_set_session_id_context(ctx, id, sizeof id - 1);
    // A ticket lives as long as the arbiter keeps the key that sealed it (two rotations). A
    // per-worker session cache would only help a client that reaches the same worker again.
    SSL_CTX_set_timeout(ctx, 3600);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    // One TLS 1.3 ticket per handshake instead of OpenSSL's two: each costs a seal, and a client
    // gets a fresh one with every resumption.
    SSL_CTX_set_num_tickets(ctx, 1);
    if (auto err = load_identity(ctx, o)) return err;
    return load_client_cas(ctx, o);
}

} // namespace

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in, unsigned int in_len,
                void* arg)
{
    const auto& ours = static_cast<context*>(arg)->alpn_wire_;
    unsigned char* chosen = nullptr;
    auto r = SSL_select_next_proto(&chosen, out_len, reinterpret_cast<const unsigned char*>(ours.data()),
                                   static_cast<unsigned>(ours.size()), in, in_len);
    if (r != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK; // go on without ALPN
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

context::context(SSL_CTX* ctx, const options& o)
    : ctx_(ctx), ragged_ok_(o.suppress_ragged_eofs), alpn_wire_(alpn_wire(o.alpn))
{
    if (!alpn_wire_.empty()) SSL_CTX_set_alpn_select_cb(ctx_, select_alpn, this);
}

context::~context() { SSL_CTX_free(ctx_); }

ticket_key new_ticket_key()
{
    ticket_key k;
    RAND_bytes(k.name.data(), static_cast<int>(k.name.size()));
    RAND_bytes(k.hmac.data(), static_cast<int>(k.hmac.size()));
    RAND_bytes(k.aes.data(), static_cast<int>(k.aes.size()));
    return k;
}

// OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb): 1 sealed or opened
// with the newest key, 2 opened with the previous one (the client gets a new ticket), 0 not
// opened (a full handshake follows), -1 an error.
struct ticket_sealer {
    static int call(SSL* ssl, unsigned char name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                    int seal)
    {
        auto* self = static_cast<context*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), 0));
        ticket_key newest, previous;
        if (!self || !self->tickets_ || !self->tickets_(newest, previous)) return seal ? -1 : 0;
        const ticket_key* key = &newest;
        int found = 1;
        if (seal) {
            if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) return -1;
            std::memcpy(name, newest.name.data(), newest.name.size());
        } else if (std::memcmp(name, previous.name.data(), previous.name.size()) == 0) {
            key = &previous, found = 2;
        } else if (std::memcmp(name, newest.name.data(), newest.name.size()) != 0) {
            return 0;
        }
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(
                                   OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key->hmac.data()), key->hmac.size()),
                               OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
        int ok = seal ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv)
                      : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv);
        return ok == 1 ? found : -1;
    }
};

void context::use_ticket_keys(ticket_key_source source)
{
    tickets_ = std::move(source);
    SSL_CTX_set_ex_data(ctx_, 0, this);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx_, ticket_sealer::call);
}

std::optional<std::string> load_files(options& o)
{
    auto read = [](const std::string& path, std::string& into) -> std::optional<std::string> {
        if (!into.empty() || path.empty()) return std::nullopt;
        if (path.starts_with("-----BEGIN")) return into = path, std::nullopt;
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        if (!(in && text << in.rdbuf())) return "cannot read '" + path + "'";
        into = text.str();
        return std::nullopt;
    };
    if (auto err = read(o.certfile, o.cert_pem)) return "certfile: " + *err;
    if (auto err = read(o.keyfile.empty() ? o.certfile : o.keyfile, o.key_pem)) return "keyfile: " + *err;
    if (auto err = read(o.ca_certs, o.ca_pem)) return "ca_certs: " + *err;
    return std::nullopt;
}

std::variant<std::shared_ptr<context>, std::string> context::make(options o)
{
    if (auto err = load_files(o)) return *err;
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) return "cannot make a TLS context: " + take_errors();
    if (auto err = configure(ctx, o)) {
        SSL_CTX_free(ctx);
        return *err;
    }
    return std::shared_ptr<context>(new context(ctx, o));
}

session::session(std::shared_ptr<context> ctx) : ctx_(std::move(ctx)), ssl_(SSL_new(ctx_->native()))
{
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1); // empty means "not yet", not the end
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_accept_state(ssl_);
}

session::~session() { SSL_free(ssl_); }

void session::received(const char* data, std::size_t n)
{
    while (n > 0) {
        int chunk = static_cast<int>(std::min<std::size_t>(n, INT_MAX));
        int put = BIO_write(in_, data, chunk);
        if (put <= 0) return;
        data += put;
        n -= static_cast<std::size_t>(put);
    }
}

std::int64_t session::read(std::span<char> into)
{
    std::size_t total = 0;
    while (total < into.size()) {
        ERR_clear_error();
        int chunk = static_cast<int>(std::min<std::size_t>(into.size() - total, INT_MAX));
        int r = SSL_read(ssl_, into.data() + total, chunk);
        if (r > 0) {
            total += static_cast<std::size_t>(r);
            continue;
        }
        if (total > 0) return static_cast<std::int64_t>(total); // an error waits for the next read
        return failed(SSL_get_error(ssl_, r));
    }
    return static_cast<std::int64_t>(total);
}

std::int64_t session::failed(int ssl_error)
{
    switch (ssl_error) {
    case SSL_ERROR_ZERO_RETURN: return 0; // close_notify
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        if (!ended_) return more;
        if (ctx_->suppress_ragged_eofs()) return 0;
        error_ = "the client closed the connection without close_notify";
        return -1;
    default:
        // The reason is on the thread's error queue; "http request" is a cleartext request.
        plain_http_ = ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST;
        error_ = take_errors();
        return -1;
    }
}

bool session::has_buffered() const { return SSL_pending(ssl_) > 0 || BIO_ctrl_pending(in_) > 0; }

bool session::write(std::string_view plain)
{
    while (!plain.empty()) {
        ERR_clear_error();
        int chunk = static_cast<int>(std::min<std::size_t>(plain.size(), INT_MAX));
        int r = SSL_write(ssl_, plain.data(), chunk);
        if (r <= 0) {
            error_ = take_errors();
            return false;
        }
        plain.remove_prefix(static_cast<std::size_t>(r));
    }
    return true;
}

std::string_view session::pending()
{
    char* data = nullptr;
    long n = BIO_get_mem_data(out_, &data);
    if (spill_.empty()) return {data, static_cast<std::size_t>(std::max(n, 0L))};
    if (n > 0) {
        spill_.append(data, static_cast<std::size_t>(n));
        (void)BIO_reset(out_);
    }
    return spill_;
}

void session::sent(std::size_t n)
{
    if (!spill_.empty()) {
        spill_.erase(0, n);
        return;
    }
    char* data = nullptr;
    auto size = static_cast<std::size_t>(std::max(BIO_get_mem_data(out_, &data), 0L));
    // A partial send moves the rest aside: a memory BIO cannot drop its front cheaply.
    if (n < size) spill_.assign(data + n, size - n);
    (void)BIO_reset(out_);
}

void session::close_notify()
{
    if (!SSL_is_init_finished(ssl_)) return;
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
}

bool session::handshake_done() const { return SSL_is_init_finished(ssl_) != 0; }

std::string_view session::protocol() const { return SSL_get_version(ssl_); }

std::string_view session::cipher() const
{
    const char* name = SSL_get_cipher_name(ssl_);
    return name ? name : "";
}

std::string_view session::alpn() const
{
    const unsigned char* p = nullptr;
    unsigned int n = 0;
    SSL_get0_alpn_selected(ssl_, &p, &n);
    return {reinterpret_cast<const char*>(p), n};
}

std::string session::peer_subject() const
{
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (!cert) return {};
    BIO* text = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(text, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long n = BIO_get_mem_data(text, &data);
    std::string subject(data, static_cast<std::size_t>(std::max(n, 0L)));
    BIO_free(text);
    return subject;
}

} // namespace forkhorn::tls
