#include "transport/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>

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

std::optional<std::string> load_identity(SSL_CTX* ctx, const options& o)
{
    if (SSL_CTX_use_certificate_chain_file(ctx, o.certfile.c_str()) != 1)
        return "certfile '" + o.certfile + "': " + take_errors();
    const auto& keyfile = o.keyfile.empty() ? o.certfile : o.keyfile;
    bool asked = false;
    SSL_CTX_set_default_passwd_cb(ctx, refuse_password);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, &asked);
    bool loaded = SSL_CTX_use_PrivateKey_file(ctx, keyfile.c_str(), SSL_FILETYPE_PEM) == 1;
    SSL_CTX_set_default_passwd_cb(ctx, nullptr);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
    if (asked) {
        ERR_clear_error();
        return "keyfile '" + keyfile + "' is encrypted, and forkhorn does not ask for passwords: decrypt it "
               "(openssl pkey -in KEY -out KEY.plain) and keep it readable by the server only";
    }
    if (!loaded) return "keyfile '" + keyfile + "': " + take_errors();
    if (SSL_CTX_check_private_key(ctx) != 1)
        return "keyfile '" + keyfile + "' does not match the certificate in '" + o.certfile + "'";
    return std::nullopt;
}

std::optional<std::string> load_client_cas(SSL_CTX* ctx, const options& o)
{
    int mode = o.cert_reqs == 0 ? SSL_VERIFY_NONE
               : o.cert_reqs == 1 ? SSL_VERIFY_PEER
                                  : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    if (o.ca_certs.empty()) {
        if (o.cert_reqs != 0) return std::string("cert_reqs asks for client certificates: set ca_certs to the CAs they come from");
        return std::nullopt;
    }
    if (SSL_CTX_load_verify_locations(ctx, o.ca_certs.c_str(), nullptr) != 1)
        return "ca_certs '" + o.ca_certs + "': " + take_errors();
    if (auto* names = SSL_load_client_CA_file(o.ca_certs.c_str())) SSL_CTX_set_client_CA_list(ctx, names);
    ERR_clear_error();
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
    if (SSL_CTX_set_cipher_list(ctx, list) != 1) return "ciphers '" + std::string(list) + "': no cipher it names is known";
    static const unsigned char id[] = "forkhorn";
    SSL_CTX_set_session_id_context(ctx, id, sizeof id - 1);
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

context::context(SSL_CTX* ctx, const options& o) : ctx_(ctx), ragged_ok_(o.suppress_ragged_eofs), alpn_wire_(alpn_wire(o.alpn))
{
    if (!alpn_wire_.empty()) SSL_CTX_set_alpn_select_cb(ctx_, select_alpn, this);
}

context::~context() { SSL_CTX_free(ctx_); }

std::variant<std::shared_ptr<context>, std::string> context::make(const options& o)
{
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
