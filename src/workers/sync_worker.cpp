// The sync worker (Gunicorn's default, Asio's http/server shape without the loop): one
// connection at a time, read the request, run the app, answer with Connection: close.
#include <algorithm>
#include <chrono>
#include <vector>

#include "process.hpp"
#include "sockets.hpp"
#include "transport/socket_transport.hpp"
#include "worker_process.hpp"
#include "workers/http_service.hpp"

namespace forkhorn {
namespace {

using std::chrono::steady_clock;

class sync_server {
public:
    sync_server(worker_context& ctx, platform::worker_control& control)
        : ctx_(ctx), control_(control), service_(ctx), parser_(service_.limits()), handles_(handles_of(ctx, control)),
          waiter_(std::span(handles_).first(1), std::span(handles_).subspan(1))
    {
    }

    int run()
    {
        if (auto err = service_.prepare_tls()) {
            ctx_.log.error("Exception in worker process: TLS: {}", *err);
            return 3;
        }
        auto wait = ctx_.config.timeouts.beat_period;
        while (alive_) {
            ctx_.slot.beat();
            int ready = waiter_.wait(wait, true);
            handle_commands();
            if (!alive_) break;
            if (control_.parent_gone()) {
                ctx_.log.info("Parent changed, shutting down: {}", platform::current_pid());
                break;
            }
            if (ready > 0) accept_one(static_cast<std::size_t>(ready) - 1);
        }
        return 0;
    }

private:
    // The wake handle first, then the listeners (shared with the other workers).
    static std::vector<platform::native_socket> handles_of(worker_context& ctx, platform::worker_control& control)
    {
        std::vector<platform::native_socket> handles{static_cast<platform::native_socket>(control.wake_handle())};
        for (const auto& l : ctx.listeners) handles.push_back(l.fd);
        return handles;
    }

    void handle_commands()
    {
        for (auto cmd : control_.take()) {
            if (cmd == platform::worker_command::reopen_logs)
                (void)ctx_.log.reopen();
            else
                alive_ = false; // graceful or quick: nothing is in flight between connections
        }
    }

    void accept_one(std::size_t listener)
    {
        std::string peer;
        auto fd = platform::accept_connection(handles_[listener + 1], peer);
        if (fd == platform::invalid_socket) return ctx_.log.debug("Woke for a connection another worker took");
        ctx_.slot.connections = 1;
        ctx_.slot.set(worker_state::busy);
        bool linger = serve(fd, peer, listener);
        platform::close_connection(fd, linger);
        ctx_.slot.connections = 0;
        ctx_.slot.set(worker_state::idle);
    }

    // Returns false when the connection was answered (refused) or closed instead.
    bool take_proxy_header(socket_transport& io, const std::string& peer, std::string& client, bool& linger)
    {
        for (;;) {
            auto r = service_.take_proxy_header(io.buffered(), peer, client);
            if (r.status == http::parse_status::error)
                return linger = service_.reject(io, peer, r.error_status, r.reason), false;
            if (r.status == http::parse_status::done) return io.consume(r.consumed), true;
            if (io.fill() <= 0) return linger = false, false;
        }
    }

    // Serves one connection; returns true when the peer may still be sending (close gently).
    bool serve(platform::native_socket fd, const std::string& peer, std::size_t listener)
    {
        socket_transport io(fd, service_.buffer_capacity(), ctx_.config.timeouts.client_io);
        service_.secure(io, listener);
        bool linger = serve_on(io, peer);
        io.close_notify();
        service_.log_tls_end(io, peer);
        return linger;
    }

    bool serve_on(socket_transport& io, const std::string& peer)
    {
        std::string client = peer;
        bool linger = false;
        if (service_.proxy_mode() != http::proxy_mode::off && !take_proxy_header(io, peer, client, linger))
            return linger;
        io.start_tls();
        http::request_head head;
        parser_.reset();
        for (;;) {
            auto r = parser_.parse_head(io.buffered(), head);
            if (r.status == http::parse_status::done) {
                io.consume(r.consumed);
                return respond(io, head, peer, client);
            }
            if (r.status == http::parse_status::error) return service_.reject(io, client, r.error_status, r.reason);
            if (io.fill() <= 0) {
                if (!io.timed_out() || io.buffered().empty()) return false;
                return service_.reject(io, client, 408, "timed out reading the request");
            }
        }
    }

    bool respond(socket_transport& io, const http::request_head& head, const std::string& peer,
                 const std::string& client)
    {
        auto scheme = service_.scheme_of(head, peer, io.is_secure());
        if (scheme.empty()) return service_.reject(io, client, 400, "the secure scheme headers contradict each other");
        auto start = steady_clock::now();
        io.pin();
        io.arm_abort_reply();
        exchange ex(head, io, client, false, service_.dates(), scheme);
        service_.before_request(ex);
        ex.run(ctx_.app.app(), ctx_.app.state());
        if (service_.after_request(ex, head, client, start)) alive_ = false;
        return !ex.reusable() || !io.buffered().empty();
    }

    worker_context& ctx_;
    platform::worker_control& control_;
    http_service service_;
    http::request_parser parser_;
    std::vector<platform::native_socket> handles_;
    platform::accept_waiter waiter_;
    bool alive_ = true;
};

} // namespace

int run_sync_worker(worker_context& ctx, platform::worker_control& control)
{
    sync_server server(ctx, control);
    return server.run();
}

} // namespace forkhorn
