// TLS for tests: a throwaway PKI made at test time (nothing committed that anything trusts) and
// a blocking TLS client over OpenSSL, to talk to a server under test.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace forkhorn::test {

/// PEM files written into `dir`: a CA, a server certificate for 127.0.0.1 and localhost signed
/// by it, a client certificate signed by it, and a client certificate of another CA.
struct test_pki {
    std::string ca_cert;
    std::string server_cert, server_key;
    std::string client_cert, client_key;
    std::string stranger_cert, stranger_key; // from a CA the server does not know
    std::string encrypted_key;               // server_key, encrypted with a password
};
/// `name` goes into the server certificate's subject (CN), so tests can tell two apart.
test_pki make_test_pki(const std::string& dir, const std::string& name = "forkhorn test server");

/// Writes a fresh server certificate for `name` signed by the PKI's CA over pki's server files.
void renew_server_certificate(const test_pki& pki, const std::string& name);

struct tls_options {
    std::string ca_cert;                   // verify the server against it ("" = no check)
    std::string client_cert, client_key;   // present a client certificate
    int min_version = 0, max_version = 0;  // TLS1_2_VERSION...; 0 = OpenSSL's
    std::string alpn;                      // one protocol to offer, "" = none
    std::shared_ptr<void> session;         // resume this session (from tls_connection::session())
    std::string server_name = "localhost"; // SNI
};

/// One TLS connection to 127.0.0.1:`port`, handshaken in the constructor.
class tls_connection {
public:
    tls_connection(int port, const tls_options& options, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    ~tls_connection();
    tls_connection(const tls_connection&) = delete;
    tls_connection& operator=(const tls_connection&) = delete;

    /// Whether the handshake succeeded; error() says why not.
    bool ok() const { return ok_; }
    const std::string& error() const { return error_; }
    std::string version() const;
    std::string alpn() const;
    std::string peer_subject() const; // the server certificate's subject
    bool resumed() const;
    std::shared_ptr<void> session() const;

    bool send(std::string_view bytes);
    /// Asks for a renegotiation (TLS 1.2); true when the server went along with it.
    bool renegotiate();
    /// Reads one HTTP/1.1 response (Content-Length or chunked or until close); "" on failure.
    std::string read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Reads until the server closes (or `timeout`); true when it closed.
    bool read_to_close(std::string& out, std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    int read_some(char* buf, int size, std::chrono::steady_clock::time_point deadline);

    std::intptr_t socket_ = -1;
    void* ctx_ = nullptr;
    void* ssl_ = nullptr;
    bool ok_ = false;
    std::string error_;
};

/// GET `path` over a new TLS connection; the whole response ("" when the handshake failed).
std::string tls_get(int port, const tls_options& options, const std::string& path = "/");

} // namespace forkhorn::test
