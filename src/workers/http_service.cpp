#include "workers/http_service.hpp"

#include <algorithm>
#include <ctime>

#include "exchange/app_log.hpp"
#include "process.hpp"

namespace forkhorn {
namespace {

using std::chrono::steady_clock;

http::parser_limits limits_of(const settings& cfg)
{
    return {static_cast<std::size_t>(cfg.limit_request_line), static_cast<std::size_t>(cfg.limit_request_fields),
            static_cast<std::size_t>(cfg.limit_request_field_size)};
}

std::size_t capacity_for(const http::parser_limits& l)
{
    std::size_t line = l.request_line ? l.request_line : 8190;
    std::size_t fields = (l.fields ? l.fields : 32768) * ((l.field_size ? l.field_size : 8190) + 2);
    return std::min<std::size_t>(line + fields + 4, 1 << 20) + 64 * 1024;
}

} // namespace

http_service::http_service(worker_context& ctx)
    : ctx_(ctx), limits_(limits_of(ctx.cfg)), capacity_(capacity_for(limits_)),
      max_requests_(pick_max_requests(ctx.cfg))
{
}

// A PROXY protocol header, when enabled, names the real client (HAProxy's spec; Gunicorn's
// proxy_protocol).
http_service::proxy_result http_service::take_proxy_header(std::string_view buffered, const std::string& peer,
                                                           std::string& client) const
{
    auto r = http::parse_proxy_header(buffered, proxy_mode());
    if (r.status == http::parse_status::error) return {r.status, 0, 400, r.reason};
    if (r.status != http::parse_status::done || r.consumed == 0) return {r.status, 0, 0, {}};
    if (!ctx_.config.proxy_allowed.contains(peer))
        return {http::parse_status::error, 0, 403, "PROXY header from a peer not in proxy_allow_ips"};
    if (!r.info.local) client = r.info.source_addr;
    return {r.status, r.consumed, 0, {}};
}

bool http_service::reject(transport& io, const std::string& peer, int status, std::string_view reason)
{
    ctx_.log.warning("Invalid request from ip={}: {} ({})", peer, reason, status);
    std::string out;
    http::write_error_response(out, status, dates_.now());
    (void)io.send(out);
    log_access(peer, nullptr, status, 0, {}, steady_clock::now());
    return true;
}

std::string_view http_service::scheme_of(const http::request_head& head, const std::string& peer, bool secure) const
{
    if (secure) return "https";
    // Only a trusted proxy may say the client used https (forwarded_allow_ips).
    auto scheme =
        http::request_scheme(head.headers, ctx_.config.scheme_rules, ctx_.config.forwarded_allowed.contains(peer));
    return scheme.error ? std::string_view() : scheme.scheme;
}

std::optional<std::string> http_service::prepare_tls()
{
    tls_.assign(ctx_.listeners.size(), nullptr);
    if (!ctx_.config.tls) return std::nullopt;
    std::shared_ptr<tls::context> shared;
    for (std::size_t i = 0; i < ctx_.listeners.size(); ++i) {
        if (!ctx_.config.secure(ctx_.listeners[i].address)) continue;
        if (!shared) {
            auto made = tls::context::make(*ctx_.config.tls);
            if (auto* err = std::get_if<std::string>(&made)) return *err;
            shared = std::get<std::shared_ptr<tls::context>>(made);
            call_hook(ctx_.app.hooks(), &fh_hooks::ssl_context, &ctx_.server, static_cast<void*>(shared->native()));
            if (const auto* keys = ctx_.ticket_keys)
                shared->use_ticket_keys([keys](tls::ticket_key& newest, tls::ticket_key& previous) {
                    return keys->read(newest, previous);
                });
        }
        tls_[i] = shared;
    }
    return std::nullopt;
}

void http_service::secure(socket_transport& io, std::size_t index) const
{
    if (index < tls_.size() && tls_[index])
        io.secure(std::make_unique<tls::session>(tls_[index]), proxy_mode() != http::proxy_mode::off);
}

void http_service::log_tls_end(const socket_transport& io, const std::string& peer) const
{
    const auto* session = io.secure_session();
    if (!session || session->error().empty()) return;
    if (session->plain_http())
        ctx_.log.debug("TLS from {}: a cleartext HTTP request on a TLS port, answered 400", peer);
    else
        ctx_.log.debug("TLS from {}: {} ({})", peer, session->error(),
                       session->handshake_done() ? "after the handshake" : "in the handshake");
}

void http_service::before_request(exchange& ex)
{
    call_hook(ctx_.app.hooks(), &fh_hooks::pre_request, &ctx_.info, server_api(), ex.request());
}

bool http_service::after_request(exchange& ex, const http::request_head& head, const std::string& client,
                                 steady_clock::time_point start)
{
    ctx_.slot.requests.fetch_add(1, std::memory_order_relaxed);
    call_hook(ctx_.app.hooks(), &fh_hooks::post_request, &ctx_.info, server_api(), ex.request(), ex.status());
    log_access(client, &head, ex.status(), ex.body_bytes_sent(), ex.response_headers(), start, &ex);
    if (max_requests_ <= 0) return false;
    int served = ++served_;
    if (served < max_requests_) return false;
    if (served == max_requests_) ctx_.log.info("Autorestarting worker after current request.");
    return true;
}

void http_service::log_access(const std::string& peer, const http::request_head* head, int status, std::uint64_t bytes,
                              std::span<const http::header_field> response_headers, steady_clock::time_point start,
                              exchange* ex)
{
    if (!ctx_.log.access_enabled()) return;
    access_record rec;
    rec.remote_addr = peer;
    rec.request = head;
    rec.status = status;
    rec.body_bytes = bytes;
    rec.response_headers = response_headers;
    rec.duration = std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - start);
    rec.when = std::time(nullptr);
    rec.pid = platform::current_pid();
    if (ex) {
        rec.scheme = ex->scheme();
        rec.tls_protocol = ex->tls_field(FH_TLS_PROTOCOL);
        rec.tls_cipher = ex->tls_field(FH_TLS_CIPHER);
        rec.tls_client = ex->tls_field(FH_TLS_PEER_SUBJECT);
    }
    ctx_.log.access(rec);
}

} // namespace forkhorn
