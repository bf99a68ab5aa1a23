// What every worker type does around one request, whatever drives the connection: the
// parser limits, PROXY headers, trusted proxies and schemes, error answers, the app's
// pre/post hooks, counters and the access log.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exchange/exchange.hpp"
#include "http/parser.hpp"
#include "http/proxy_protocol.hpp"
#include "http/response.hpp"
#include "http/trusted_proxies.hpp"
#include "transport/socket_transport.hpp"
#include "workers/worker.hpp"

namespace forkhorn {

class http_service {
public:
    explicit http_service(worker_context& ctx);

    worker_context& context() { return ctx_; }
    const http::parser_limits& limits() const { return limits_; }
    /// Room for the largest head the limits allow (bounded), plus a body read buffer.
    std::size_t buffer_capacity() const { return capacity_; }
    http::proxy_mode proxy_mode() const { return ctx_.config.proxy_protocol; }
    http::date_cache& dates() { return dates_; }

    /// Looks for a PROXY header at the start of `buffered`. `done` with consumed 0 means plain
    /// HTTP; with consumed > 0, `client` is the real client. `error` sets status and reason.
    struct proxy_result {
        http::parse_status status = http::parse_status::need_more;
        std::size_t consumed = 0;
        int error_status = 0;
        std::string_view reason;
    };
    proxy_result take_proxy_header(std::string_view buffered, const std::string& peer, std::string& client) const;

    /// Answers a bad request with `status` and logs it. Returns true (the peer may still be
    /// sending: close gently).
    bool reject(transport& io, const std::string& peer, int status, std::string_view reason);

    /// The scheme of a request ("http"/"https"), or empty when the secure scheme headers
    /// contradict each other (a 400). A request over TLS is https whatever its headers say.
    std::string_view scheme_of(const http::request_head& head, const std::string& peer, bool secure) const;

    /// Makes the TLS context of each listener that speaks TLS; one line naming the problem when
    /// one does not load (the arbiter loaded them before, so a file changed since).
    std::optional<std::string> prepare_tls();
    /// Makes `io`, accepted on listener `index`, speak TLS when that listener does.
    void secure(socket_transport& io, std::size_t index) const;
    /// Logs why a TLS connection ended early (debug: clients give up handshakes all the time).
    void log_tls_end(const socket_transport& io, const std::string& peer) const;

    /// True when the next request is the worker's last (max_requests): it closes its connection.
    bool next_is_last() const { return max_requests_ > 0 && served_.load() + 1 >= max_requests_; }

    void before_request(exchange& ex);
    /// Counts and logs a finished request (thread-safe). Returns true once the worker reached
    /// max_requests.
    bool after_request(exchange& ex, const http::request_head& head, const std::string& client,
                       std::chrono::steady_clock::time_point start);

    void log_access(const std::string& peer, const http::request_head* head, int status, std::uint64_t bytes,
                    std::span<const http::header_field> response_headers, std::chrono::steady_clock::time_point start,
                    exchange* ex = nullptr);

private:
    worker_context& ctx_;
    http::parser_limits limits_;
    std::size_t capacity_;
    http::date_cache dates_;
    int max_requests_;
    std::atomic<int> served_{0};                     // counted by gthread's pool threads too
    std::vector<std::shared_ptr<tls::context>> tls_; // by listener; null: cleartext
};

} // namespace forkhorn
