// The sync worker (Gunicorn's default, Asio's http/server shape without the loop): one
// connection at a time, read the request, run the app, answer with Connection: close.
#include <algorithm>
#include <chrono>
#include <vector>

#include "core/exchange.hpp"
#include "core/socket_transport.hpp"
#include "http/parser.hpp"
#include "http/proxy_protocol.hpp"
#include "http/response.hpp"
#include "http/trusted_proxies.hpp"
#include "workers/worker.hpp"

namespace forkhorn {
namespace {

using std::chrono::steady_clock;

http::parser_limits limits_of(const settings& cfg)
{
    return {static_cast<std::size_t>(cfg.limit_request_line), static_cast<std::size_t>(cfg.limit_request_fields),
            static_cast<std::size_t>(cfg.limit_request_field_size)};
}

// Room for the largest head the limits allow (bounded), plus a body read buffer.
std::size_t buffer_capacity(const http::parser_limits& l)
{
    std::size_t line = l.request_line ? l.request_line : 8190;
    std::size_t fields = (l.fields ? l.fields : 32768) * ((l.field_size ? l.field_size : 8190) + 2);
    return std::min<std::size_t>(line + fields + 4, 1 << 20) + 64 * 1024;
}

http::proxy_mode proxy_mode_of(const std::string& mode)
{
    using enum http::proxy_mode;
    return mode == "v1" ? v1 : mode == "v2" ? v2 : mode == "auto" ? auto_detect : off;
}

// "HEADER=value" entries (validated at start-up by main).
std::vector<http::scheme_rule> scheme_rules_of(const std::vector<std::string>& entries)
{
    std::vector<http::scheme_rule> rules;
    for (const auto& e : entries) {
        auto eq = e.find('=');
        if (eq != std::string::npos) rules.push_back({e.substr(0, eq), e.substr(eq + 1)});
    }
    return rules;
}

class sync_server {
public:
    sync_server(worker_context& ctx, platform::worker_control& control)
        : ctx_(ctx), control_(control), parser_(limits_of(ctx.cfg)), capacity_(buffer_capacity(parser_.limits())),
          max_requests_(pick_max_requests(ctx.cfg)), proxy_mode_(proxy_mode_of(ctx.cfg.proxy_protocol)),
          scheme_rules_(scheme_rules_of(ctx.cfg.secure_scheme_headers))
    {
        for (const auto& l : ctx.listeners) handles_.push_back(l.fd);
        handles_.push_back(control.wake_handle());
        (void)http::address_list::parse(ctx.cfg.proxy_allow_ips, proxy_allowed_);
        (void)http::address_list::parse(ctx.cfg.forwarded_allow_ips, forwarded_allowed_);
    }

    int run()
    {
        // Gunicorn's sync worker waits timeout/2 between heartbeats (at most 1 s here).
        auto wait = std::chrono::milliseconds(ctx_.cfg.timeout > 0 ? std::min(1000, ctx_.cfg.timeout * 500) : 1000);
        while (alive_) {
            ctx_.slot.beat();
            int ready = platform::wait_readable(handles_, wait);
            handle_commands();
            if (!alive_) break;
            if (control_.parent_gone()) {
                ctx_.log.info("Parent changed, shutting down: {}", platform::current_pid());
                break;
            }
            if (ready >= 0 && static_cast<std::size_t>(ready) < ctx_.listeners.size()) accept_one(handles_[ready]);
        }
        return 0;
    }

private:
    void handle_commands()
    {
        for (auto cmd : control_.take()) {
            if (cmd == platform::worker_command::reopen_logs) (void)ctx_.log.reopen();
            else alive_ = false; // graceful or quick: nothing is in flight between connections
        }
    }

    void accept_one(platform::native_socket listener)
    {
        std::string peer;
        auto fd = platform::accept_connection(listener, peer);
        if (fd == platform::invalid_socket) return; // another worker won the race
        ctx_.slot.connections = 1;
        ctx_.slot.set(worker_state::busy);
        bool linger = serve(fd, peer);
        platform::close_connection(fd, linger);
        ctx_.slot.connections = 0;
        ctx_.slot.set(worker_state::idle);
        if (max_requests_ > 0 && ++served_ >= max_requests_) {
            ctx_.log.info("Autorestarting worker after current request.");
            alive_ = false;
        }
    }

    // A PROXY protocol header, when enabled, names the real client (HAProxy's spec; Gunicorn's
    // proxy_protocol). Returns false when the connection was answered (refused) instead.
    bool take_proxy_header(socket_transport& io, const std::string& peer, std::string& client, bool& linger)
    {
        for (;;) {
            auto r = http::parse_proxy_header(io.buffered(), proxy_mode_);
            if (r.status == http::parse_status::error) return linger = reject(io, peer, 400, r.reason), false;
            if (r.status == http::parse_status::done) {
                if (r.consumed == 0) return true; // plain HTTP
                if (!proxy_allowed_.contains(peer))
                    return linger = reject(io, peer, 403, "PROXY header from a peer not in proxy_allow_ips"), false;
                io.consume(r.consumed);
                if (!r.info.local) client = r.info.source_addr;
                return true;
            }
            if (io.fill() <= 0) return linger = false, false;
        }
    }

    // Serves one connection; returns true when the peer may still be sending (close gently).
    bool serve(platform::native_socket fd, const std::string& peer)
    {
        socket_transport io(fd, capacity_, std::chrono::seconds(ctx_.cfg.timeout));
        std::string client = peer;
        bool linger = false;
        if (proxy_mode_ != http::proxy_mode::off && !take_proxy_header(io, peer, client, linger)) return linger;
        http::request_head head;
        parser_.reset();
        for (;;) {
            auto r = parser_.parse_head(io.buffered(), head);
            if (r.status == http::parse_status::done) {
                io.consume(r.consumed);
                return respond(io, head, peer, client);
            }
            if (r.status == http::parse_status::error) return reject(io, client, r.error_status, r.reason);
            if (io.fill() <= 0) {
                if (!io.timed_out() || io.buffered().empty()) return false;
                return reject(io, client, 408, "timed out reading the request");
            }
        }
    }

    bool reject(socket_transport& io, const std::string& peer, int status, std::string_view reason)
    {
        ctx_.log.warning("Invalid request from ip={}: {} ({})", peer, reason, status);
        std::string out;
        http::write_error_response(out, status, dates_.now());
        (void)io.send(out);
        log_access(peer, nullptr, status, 0, {}, steady_clock::now());
        return true;
    }

    bool respond(socket_transport& io, const http::request_head& head, const std::string& peer,
                 const std::string& client)
    {
        // Only a trusted proxy may say the client used https (forwarded_allow_ips).
        auto scheme = http::request_scheme(head.headers, scheme_rules_, forwarded_allowed_.contains(peer));
        if (scheme.error) return reject(io, client, 400, "the secure scheme headers contradict each other");
        auto start = steady_clock::now();
        io.pin();
        io.arm_abort_reply();
        exchange ex(head, io, client, false, dates_, scheme.scheme);
        const auto* hooks = ctx_.app.hooks();
        call_hook(hooks, &fh_hooks::pre_request, &ctx_.info, server_api(), ex.request());
        ex.run(ctx_.app.app(), ctx_.app.state());
        ctx_.slot.requests.fetch_add(1, std::memory_order_relaxed);
        call_hook(hooks, &fh_hooks::post_request, &ctx_.info, server_api(), ex.request(), ex.status());
        log_access(client, &head, ex.status(), ex.body_bytes_sent(), ex.response_headers(), start);
        return !ex.reusable() || !io.buffered().empty();
    }

    void log_access(const std::string& peer, const http::request_head* head, int status, std::uint64_t bytes,
                    std::span<const http::header_field> response_headers, steady_clock::time_point start)
    {
        if (!ctx_.log.access_enabled()) return;
        access_record rec{peer, head, status, bytes, response_headers,
                          std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - start),
                          std::time(nullptr), platform::current_pid()};
        ctx_.log.access(rec);
    }

    worker_context& ctx_;
    platform::worker_control& control_;
    http::request_parser parser_;
    http::date_cache dates_;
    std::size_t capacity_;
    std::vector<platform::native_socket> handles_;
    int max_requests_;
    http::proxy_mode proxy_mode_;
    std::vector<http::scheme_rule> scheme_rules_;
    http::address_list proxy_allowed_;
    http::address_list forwarded_allowed_;
    int served_ = 0;
    bool alive_ = true;
};

} // namespace

int run_sync_worker(worker_context& ctx, platform::worker_control& control)
{
    sync_server server(ctx, control);
    return server.run();
}

} // namespace forkhorn
