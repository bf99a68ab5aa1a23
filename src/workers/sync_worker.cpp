// The sync worker (Gunicorn's default, Asio's http/server shape without the loop): one
// connection at a time, read the request, run the app, answer with Connection: close.
#include <algorithm>
#include <chrono>
#include <vector>

#include "core/exchange.hpp"
#include "core/socket_transport.hpp"
#include "http/parser.hpp"
#include "http/response.hpp"
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

class sync_server {
public:
    sync_server(worker_context& ctx, platform::worker_control& control)
        : ctx_(ctx), control_(control), parser_(limits_of(ctx.cfg)), capacity_(buffer_capacity(parser_.limits())),
          max_requests_(pick_max_requests(ctx.cfg))
    {
        for (const auto& l : ctx.listeners) handles_.push_back(l.fd);
        handles_.push_back(control.wake_handle());
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

    // Serves one connection; returns true when the peer may still be sending (close gently).
    bool serve(platform::native_socket fd, const std::string& peer)
    {
        socket_transport io(fd, capacity_, std::chrono::seconds(ctx_.cfg.timeout));
        http::request_head head;
        parser_.reset();
        for (;;) {
            auto r = parser_.parse_head(io.buffered(), head);
            if (r.status == http::parse_status::done) {
                io.consume(r.consumed);
                return respond(io, head, peer);
            }
            if (r.status == http::parse_status::error) return reject(io, peer, r.error_status, r.reason);
            if (io.fill() <= 0) {
                if (!io.timed_out() || io.buffered().empty()) return false;
                return reject(io, peer, 408, "timed out reading the request");
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

    bool respond(socket_transport& io, const http::request_head& head, const std::string& peer)
    {
        auto start = steady_clock::now();
        io.pin();
        io.arm_abort_reply();
        exchange ex(head, io, peer, false, dates_);
        const auto* hooks = ctx_.app.hooks();
        call_hook(hooks, &fh_hooks::pre_request, &ctx_.info, server_api(), ex.request());
        ex.run(ctx_.app.app(), ctx_.app.state());
        ctx_.slot.requests.fetch_add(1, std::memory_order_relaxed);
        call_hook(hooks, &fh_hooks::post_request, &ctx_.info, server_api(), ex.request(), ex.status());
        log_access(peer, &head, ex.status(), ex.body_bytes_sent(), ex.response_headers(), start);
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
