// TLS with OpenSSL over memory BIOs: one state machine for the blocking path (sync, gthread
// handlers) and for the event loops (Asio, libuv), which receive the ciphertext themselves and
// hand it over (design §10). The socket is never OpenSSL's: the transport sends what pending()
// holds and feeds what it receives to received().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct ssl_st;
struct ssl_ctx_st;
struct bio_st;

namespace forkhorn::tls {

/// What a listener's TLS is made of (Gunicorn's settings, and ours beyond them).
struct options {
    std::string certfile;             // PEM: the certificate, then its chain
    std::string keyfile;              // PEM; empty: the key is in certfile
    std::string ca_certs;             // PEM: the CAs a client certificate must come from
    int cert_reqs = 0;                // 0 none, 1 optional, 2 required client certificates
    std::string ciphers;              // OpenSSL cipher list for TLS 1.2; empty: modern defaults
    std::string min_version = "1.2";  // "1.2" or "1.3"
    bool suppress_ragged_eofs = true; // a close without close_notify is an end, not an error
    std::vector<std::string> alpn;    // protocols offered, in the server's preference
    // The files' contents: read once by the arbiter (load_files), so that a worker started after
    // a renewal went wrong still gets what loaded. A setting that holds PEM text is its content.
    std::string cert_pem, key_pem, ca_pem;
};

/// Reads the files of `o` whose contents are not there yet; one line naming a file that cannot be read.
std::optional<std::string> load_files(options& o);

/// A session-ticket key (RFC 5077's layout: a name, an HMAC key, an AES key). Tickets are sealed
/// with the newest and opened with either of the two current ones.
struct ticket_key {
    std::array<unsigned char, 16> name;
    std::array<unsigned char, 32> hmac;
    std::array<unsigned char, 32> aes;
};
/// A fresh random key.
ticket_key new_ticket_key();
/// Where a context finds the keys of the moment: the arbiter's, shared by all its workers, so a
/// client resumes with whichever worker it reaches. False when there are none.
using ticket_key_source = std::function<bool(ticket_key& newest, ticket_key& previous)>;

/// A server's SSL_CTX, made once per listener configuration and shared by its connections.
class context {
public:
    /// Loads and checks the certificate and key (from the contents load_files() read); on
    /// failure one line naming the file and the cause.
    static std::variant<std::shared_ptr<context>, std::string> make(options o);
    ~context();
    context(const context&) = delete;
    context& operator=(const context&) = delete;

    ssl_ctx_st* native() const { return ctx_; }
    bool suppress_ragged_eofs() const { return ragged_ok_; }
    /// Seals and opens session tickets with the keys `source` gives (instead of OpenSSL's own
    /// per-process key, which only the worker that issued a ticket could open).
    void use_ticket_keys(ticket_key_source source);

private:
    explicit context(ssl_ctx_st* ctx, const options& o);
    ssl_ctx_st* ctx_;
    bool ragged_ok_;
    std::string alpn_wire_; // the ALPN list in wire format, for the selection callback
    ticket_key_source tickets_;
    friend int select_alpn(ssl_st*, const unsigned char**, unsigned char*, const unsigned char*, unsigned int, void*);
    friend struct ticket_sealer;
};

/// One connection's TLS, server side.
class session {
public:
    /// read()'s "more ciphertext is needed".
    static constexpr std::int64_t more = -2;

    explicit session(std::shared_ptr<context> ctx);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    /// Ciphertext from the peer.
    void received(const char* data, std::size_t n);
    /// The peer's byte stream ended.
    void peer_ended() { ended_ = true; }
    /// Decrypts into `into`, handshaking first: the count (> 0); 0 when the peer closed; `more`;
    /// -1 on an error (error() says which).
    std::int64_t read(std::span<char> into);
    /// Whether read() may return bytes without more ciphertext.
    bool has_buffered() const;
    /// Encrypts all of `plain` into pending(); false on an error.
    bool write(std::string_view plain);
    /// Ciphertext waiting to be sent (handshake records, encrypted data, close_notify).
    std::string_view pending();
    /// The first `n` bytes of pending() went out.
    void sent(std::size_t n);
    /// Queues close_notify (once the handshake is done).
    void close_notify();

    bool handshake_done() const;
    /// The peer sent cleartext HTTP to this TLS port.
    bool plain_http() const { return plain_http_; }
    const std::string& error() const { return error_; }
    /// "TLSv1.3", the cipher's name, the ALPN protocol ("" when none), the client
    /// certificate's subject ("" when none), all once the handshake is done.
    std::string_view protocol() const;
    std::string_view cipher() const;
    std::string_view alpn() const;
    std::string peer_subject() const;

private:
    std::int64_t failed(int ssl_error);

    std::shared_ptr<context> ctx_;
    ssl_st* ssl_ = nullptr;
    bio_st* in_ = nullptr;  // ciphertext received, owned by ssl_
    bio_st* out_ = nullptr; // ciphertext to send, owned by ssl_
    std::string spill_;     // what a partial send left of out_, sent first
    std::string error_;
    bool ended_ = false;
    bool plain_http_ = false;
};

} // namespace forkhorn::tls
