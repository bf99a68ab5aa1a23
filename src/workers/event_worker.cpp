// The keep-alive worker types, written once over event_loop:
//   gthread: the loop parks connections and reads heads; requests run on a pool of threads
//            (Asio's http/server3 shape), so an idle connection never holds a thread;
//   async:   requests run on the loop thread (http/server); a handler may answer later
//            (FH_PENDING) from any thread;
//   uv:      async on a libuv loop.
// An accept thread takes connections (and the arbiter's commands) for all of them: on Windows
// only one process can put a shared listener on its completion port, and a blocking wait on
// the listeners is the same on both systems.
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "process.hpp"
#include "sockets.hpp"
#include "system.hpp"
#include "transport/socket_transport.hpp"
#include "worker_process.hpp"
#include "workers/deadline_list.hpp"
#include "workers/event_loop.hpp"
#include "workers/handler_pool.hpp"
#include "workers/http_service.hpp"

namespace forkhorn {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A connection starts with a small buffer and grows it only for large heads, so thousands of
// idle keep-alive connections stay cheap.
constexpr std::size_t initial_buffer = 4096;
// Room kept after a head for reading its body.
constexpr std::size_t body_room = 4096;
// Request bodies up to this size are read by the loop before an async/uv handler runs.
constexpr std::uint64_t preread_limit = 64 * 1024;
// A closing connection reads (and drops) at most this much of what the peer still sends.
constexpr std::int64_t linger_bytes = 64 * 1024;
constexpr auto linger_time = 1s;
constexpr auto tick_period = 200ms;
// Idle connections give their buffer and parser back to the worker; it keeps this many.
constexpr std::size_t pool_limit = 1024;
// Buffers or connections freed beyond the pool before the worker returns memory to the system.
constexpr std::size_t release_after_frees = 256;

enum class phase : std::uint8_t { proxy, head, app, lingering, closing };

class event_server;
struct connection;

// What differs between the keep-alive worker types, chosen once when the worker starts: where
// a request's handler runs. The connection handling around it is event_server's, shared.
class request_runner {
public:
    explicit request_runner(bool reads_first) : reads_bodies_first(reads_first) {}
    virtual ~request_runner() = default;
    /// The request in `c` is parsed and its exchange made: runs the app (on the loop thread).
    virtual void run(connection& c) = 0;
    /// The loop apps may use through fh_server_api (nullptr when handlers are not on it).
    virtual void* offered_loop(event_loop& loop, int& kind) = 0;
    /// On the loop thread, before it looks at its idle connections: takes in those that other
    /// threads set reading again.
    virtual void collect() {}
    /// The loop has stopped: waits for running handlers, unless `quick` (a handler may hang).
    virtual void finish(bool /*quick*/) {}

    /// Whether the loop reads a small body before the handler runs: a handler on the loop
    /// thread must not block reading it.
    const bool reads_bodies_first;
};

std::unique_ptr<request_runner> make_runner(event_server& server, worker_type type);

// One client connection, from accept to on_closed.
struct connection final : socket_reader, io_waiter {
    connection(event_server& s, platform::native_socket socket, std::string from, const http_service& service,
               std::chrono::seconds timeout)
        : server(s), peer(std::move(from)), client(peer), io(socket, 0, timeout, service.buffer_capacity()),
          stage(service.proxy_mode() == http::proxy_mode::off ? phase::head : phase::proxy)
    {
    }
    void on_read(std::int64_t n) override;
    void on_closed() override;
    void on_writable() override;
    void want_readable() override;
    void want_writable() override;

    event_server& server;
    event_loop::watch* watch = nullptr;
    std::string peer;   // the socket's peer
    std::string client; // the real client (PROXY header), for logs and the app
    socket_transport io;
    std::unique_ptr<http::request_parser> parser; // lent by the worker while not idle
    http::request_head head;
    std::optional<exchange> ex;
    clock::time_point started;
    deadline_link<connection> link;
    phase stage;
    bool served = false;       // a response went out: an empty buffer now means "idle keep-alive"
    bool body_wanted = false;  // the loop is reading a body before the handler runs
    bool peer_done = false;    // the peer shut down its sending side
    bool peeking = false;      // the pending read goes into `peek` (an idle connection has no buffer)
    bool app_reading = false;  // a loop read for the app's read_body_async is pending
    bool app_writing = false;  // the app's response waits for the socket to take more
    std::array<char, 64> peek; // enough for most request heads' first packet
    std::span<char> read_into; // where the pending loop read puts its bytes
    std::int64_t lingered = 0;
};

class event_server final : public worker_loop {
public:
    event_server(worker_context& ctx, platform::worker_control& control)
        : ctx_(ctx), control_(control), service_(ctx),
          loop_(ctx.config.worker == worker_type::uv ? make_uv_loop() : make_asio_loop()),
          runner_(make_runner(*this, ctx.config.worker))
    {
    }

    int run()
    {
        if (auto err = service_.prepare_tls()) {
            ctx_.log.error("Exception in worker process: TLS: {}", *err);
            return 3;
        }
        loop_->every(tick_period, [this] { tick(); });
        accepter_ = std::thread([this] { accept_loop(); });
        loop_thread_ = std::this_thread::get_id();
        loop_->run();
        closing_ = true;
        loop_done_ = true;
        accepter_.join();
        runner_->finish(quick_);
        return 0;
    }

    // worker_loop: what apps reach through fh_server_api loop/post.
    void* native(int& kind) override { return runner_->offered_loop(*loop_, kind); }
    void post(void (*fn)(void*), void* arg) override
    {
        loop_->post([fn, arg] { fn(arg); });
    }

    // Loop-thread entry points.
    void on_read(connection& c, std::int64_t n);
    void on_closed(connection& c);
    void on_finished(connection& c);
    void on_writable(connection& c);
    /// What follows a finished request: the next one, an idle wait, or closing.
    void resume(connection& c, bool last);
    /// The exchange waits for the socket: from any thread (finishing may happen elsewhere).
    void want_io(connection& c, bool write);
    /// Reads into `into` when data arrives (any thread, while the loop leaves `c` alone).
    void read(connection& c, std::span<char> into)
    {
        c.read_into = into;
        loop_->read(c.watch, into);
    }
    /// TLS needs more ciphertext before the read that finished gives any plaintext.
    void read_again(connection& c) { read(c, c.io.prepare()); }

    // Called by the exchange from whichever thread finished the response.
    static void finished_elsewhere(void* conn)
    {
        auto* c = static_cast<connection*>(conn);
        c->server.loop_->post([c] { c->server.on_finished(*c); });
    }

private:
    friend class loop_runner;
    friend class pool_runner;

    void accept_loop();
    void accepted(platform::native_socket fd, std::string peer, std::size_t listener);
    bool pull_tls(connection& c);
    void command(platform::worker_command cmd);
    void close_oldest_idle();
    void advance(connection& c);
    bool take_proxy_header(connection& c);
    void want_read(connection& c);
    bool take_peeked(connection& c, std::int64_t n);
    bool body_arrived(connection& c, std::size_t head_size);
    void equip(connection& c);
    void lend(connection& c);
    void release_memory(clock::time_point now);
    void dispatch(connection& c);
    void reject(connection& c, int status, std::string_view reason);
    void close(connection& c, bool linger);
    void begin_stop();
    void tick();
    bool keep_alive_allowed() const { return ctx_.cfg.keepalive > 0 && !stopping_; }

    worker_context& ctx_;
    platform::worker_control& control_;
    http_service service_;
    const bool client_io_limited_ = ctx_.config.timeouts.client_io.count() > 0;
    std::unique_ptr<event_loop> loop_;
    std::unique_ptr<request_runner> runner_;
    std::thread accepter_;
    std::atomic<bool> closing_{false};   // no more connections; read by the accept thread and exchanges
    std::atomic<bool> loop_done_{false}; // the accept thread ends
    std::atomic<int> open_{0};           // accepted and not yet closed (read by the accept thread)
    std::atomic<int> reclaims_{0};       // accepted over the limit, an idle connection to close for each
    clock::time_point last_reuse_warning_;
    std::vector<std::unique_ptr<char[]>> free_buffers_;
    std::vector<std::unique_ptr<http::request_parser>> free_parsers_;
    std::size_t freed_since_release_ = 0;
    clock::time_point last_release_;
    deadline_list<connection> idle_;      // keep-alive: waiting for the next request
    deadline_list<connection> reading_;   // waiting for the rest of a head
    deadline_list<connection> lingering_; // closing gently
    deadline_list<connection> app_io_;    // the app's non-blocking read or write waits
    std::thread::id loop_thread_;
    bool stopping_ = false;
    bool quick_ = false;
    clock::time_point stop_deadline_;
};

// Over TLS the loop reads ciphertext; what the server sees is the plaintext it holds.
void connection::on_read(std::int64_t n)
{
    if (io.tls_active() && !peeking && stage != phase::lingering) {
        n = io.decrypt_received(read_into, n);
        if (n == transport::not_yet) return server.read_again(*this);
    }
    server.on_read(*this, n);
}
void connection::on_closed() { server.on_closed(*this); }
void connection::on_writable() { server.on_writable(*this); }
void connection::want_readable() { server.want_io(*this, false); }
void connection::want_writable() { server.want_io(*this, true); }

void event_server::accept_loop()
{
    // The wake handle first: while the worker is full, only commands are waited for.
    std::vector<platform::native_socket> handles{static_cast<platform::native_socket>(control_.wake_handle())};
    for (const auto& l : ctx_.listeners) handles.push_back(l.fd);
    platform::accept_waiter waiter{std::span(handles).first(1), std::span(handles).subspan(1)};
    auto limit = ctx_.cfg.worker_connections;
    // Full, a worker still admits a client when an idle keep-alive connection can make room for
    // it (nginx reuses connections the same way): that one is closed, oldest first.
    auto room = [&] { return open_.load() < limit || idle_.size() > static_cast<std::size_t>(reclaims_.load()); };
    // Stopping ends the accepting, not the thread: a quick stop may still come (Windows sends it
    // through the wake handle) until the loop is done.
    while (!loop_done_) {
        int ready = waiter.wait(200ms, !closing_ && room());
        if (ready == 0) {
            for (auto cmd : control_.take()) loop_->post([this, cmd] { command(cmd); });
        } else if (ready > 0 && !closing_) {
            std::string peer;
            auto index = static_cast<std::size_t>(ready);
            auto fd = platform::accept_connection(handles[index], peer);
            if (fd == platform::invalid_socket) {
                ctx_.log.debug("Woke for a connection another worker took");
                continue;
            }
            bool reclaim = ++open_ > limit;
            if (reclaim) ++reclaims_;
            loop_->post([this, fd, reclaim, index, peer = std::move(peer)]() mutable {
                if (reclaim) close_oldest_idle();
                accepted(fd, std::move(peer), index - 1);
            });
        }
    }
}

void event_server::close_oldest_idle()
{
    --reclaims_;
    auto* c = idle_.pop_front();
    if (!c) return; // it left by itself meanwhile: the new client is admitted anyway
    auto now = clock::now();
    if (now - last_reuse_warning_ >= 60s) {
        last_reuse_warning_ = now;
        ctx_.log.warning("{} worker_connections are not enough, closing idle keep-alive connections",
                         ctx_.cfg.worker_connections);
    }
    close(*c, false);
}

void event_server::command(platform::worker_command cmd)
{
    switch (cmd) {
    case platform::worker_command::reopen_logs: (void)ctx_.log.reopen(); return;
    case platform::worker_command::graceful_stop: return begin_stop();
    default: quick_ = true; return loop_->stop();
    }
}

void event_server::accepted(platform::native_socket fd, std::string peer, std::size_t listener)
{
    // Accepted just as the worker began to stop: it is still served (without keep-alive).
    auto* c = new connection(*this, fd, std::move(peer), service_, ctx_.config.timeouts.client_io);
    service_.secure(c->io, listener);
    c->watch = loop_->add(fd, *c);
    if (!c->watch) {
        delete c;
        --open_;
        return;
    }
    ctx_.slot.connections = open_.load();
    want_read(*c); // equips the new connection with a buffer and a parser
}

void event_server::equip(connection& c)
{
    if (!c.io.has_buffer()) {
        std::unique_ptr<char[]> buffer;
        if (free_buffers_.empty())
            buffer.reset(new char[initial_buffer]);
        else
            buffer = std::move(free_buffers_.back()), free_buffers_.pop_back();
        c.io.adopt_buffer(std::move(buffer), initial_buffer);
    }
    if (c.parser) return;
    if (free_parsers_.empty())
        c.parser = std::make_unique<http::request_parser>(service_.limits());
    else
        c.parser = std::move(free_parsers_.back()), free_parsers_.pop_back();
}

void event_server::lend(connection& c)
{
    std::size_t capacity = 0;
    auto buffer = c.io.release_buffer(capacity);
    if (capacity == initial_buffer && free_buffers_.size() < pool_limit)
        free_buffers_.push_back(std::move(buffer));
    else
        ++freed_since_release_;
    if (free_parsers_.size() < pool_limit) free_parsers_.push_back(std::move(c.parser));
    c.parser.reset();
}

// After a burst (many buffers, or connections, freed beyond what the pool keeps) the allocator
// holds that memory: give it back, at most once a second, so that an idle worker is small.
void event_server::release_memory(clock::time_point now)
{
    if (freed_since_release_ < release_after_frees || now - last_release_ < 1s) return;
    freed_since_release_ = 0;
    last_release_ = now;
    platform::release_free_memory();
}

void event_server::want_read(connection& c)
{
    // What TLS decrypted already (a pipelined request) will not come from the socket.
    if (c.io.tls_buffered() && pull_tls(c)) return;
    auto now = clock::now();
    bool idle = c.served && c.io.buffered().empty();
    if (idle && stopping_) return close(c, false);
    if (idle) {
        idle_.push_back(c, now + std::chrono::seconds(ctx_.cfg.keepalive));
        if (!c.io.is_secure()) {
            // An idle connection holds no buffer, only `peek`: thousands of them cost little.
            // (TLS decrypts whole records, so an idle TLS connection keeps its buffer.)
            lend(c);
            c.peeking = true;
            return read(c, c.peek);
        }
    } else if (client_io_limited_) {
        reading_.push_back(c, now + ctx_.config.timeouts.client_io);
    }
    equip(c);
    auto space = c.io.prepare();
    if (space.empty()) return reject(c, 431, "request header fields too large");
    read(c, space);
}

// Takes the plaintext the TLS session holds, without the socket; false when there is none.
bool event_server::pull_tls(connection& c)
{
    equip(c);
    auto n = c.io.fill_now();
    if (n == transport::not_yet) return false;
    if (n <= 0) return close(c, false), true;
    advance(c);
    return true;
}

// The first bytes after an idle time arrived in `peek`: into a buffer with them, and take
// the rest of what came (the loop read at most sizeof peek).
bool event_server::take_peeked(connection& c, std::int64_t n)
{
    c.peeking = false;
    if (n <= 0) return false;
    equip(c);
    auto space = c.io.prepare();
    std::memcpy(space.data(), c.peek.data(), static_cast<std::size_t>(n));
    c.io.commit(static_cast<std::size_t>(n));
    if (static_cast<std::size_t>(n) < c.peek.size()) return true;
    space = c.io.prepare();
    auto more = platform::recv_now(c.io.fd(), space.data(), space.size());
    if (more > 0) c.io.commit(static_cast<std::size_t>(more));
    return more != -1; // 0: the peer finished sending; it still gets its answer
}

void event_server::on_read(connection& c, std::int64_t n)
{
    runner_->collect();
    auto deadline = c.link.deadline;
    deadline_list<connection>::remove(c);
    if (c.stage == phase::lingering) {
        c.lingered += std::max<std::int64_t>(n, 0);
        if (n <= 0 || c.lingered >= linger_bytes) return close(c, false);
        lingering_.push_back(c, deadline); // keep the first deadline
        return read(c, c.io.prepare());
    }
    if (c.peeking) {
        if (!take_peeked(c, n)) return close(c, false);
        return advance(c);
    }
    if (c.stage == phase::app) {
        c.app_reading = false;
        if (c.app_writing && client_io_limited_) app_io_.push_back(c, deadline);
        if (n > 0) c.io.commit(static_cast<std::size_t>(n));
        return c.ex->on_readable(n);
    }
    if (n == 0 && c.body_wanted) {
        // The peer stopped sending in the middle of a body: the app reads what there is.
        c.peer_done = true;
        return advance(c);
    }
    if (n <= 0) return close(c, false); // the peer left (mid-head: nobody to answer)
    c.io.commit(static_cast<std::size_t>(n));
    advance(c);
}

bool event_server::take_proxy_header(connection& c)
{
    auto r = service_.take_proxy_header(c.io.buffered(), c.peer, c.client);
    if (r.status == http::parse_status::error) return reject(c, r.error_status, r.reason), false;
    if (r.status == http::parse_status::need_more) return want_read(c), false;
    c.io.consume(r.consumed);
    c.io.start_tls();
    c.stage = phase::head;
    return true;
}

void event_server::advance(connection& c)
{
    if (c.stage == phase::proxy && !take_proxy_header(c)) return;
    auto r = c.parser->parse_head(c.io.buffered(), c.head);
    if (r.status == http::parse_status::need_more) return want_read(c);
    if (r.status == http::parse_status::error) return reject(c, r.error_status, r.reason);
    if (!body_arrived(c, r.consumed)) {
        c.parser->reset(); // parsed again, in place, once the body is in
        return want_read(c);
    }
    if (c.io.make_room_after(r.consumed, body_room)) {
        // The bytes moved: the head's views must point at their new place.
        c.parser->reset();
        r = c.parser->parse_head(c.io.buffered(), c.head);
    }
    c.io.consume(r.consumed);
    dispatch(c);
}

// On async and uv the handler runs on the loop, where a body read would block it: a body of
// known, modest size is read by the loop first (a slow uploader costs a socket, not the loop).
// Larger and chunked bodies, and 100-continue (the client waits for the app), are read by the
// app as they come.
bool event_server::body_arrived(connection& c, std::size_t head_size)
{
    const auto& h = c.head;
    if (!runner_->reads_bodies_first || h.framing != http::body_framing::content_length || h.expect_continue ||
        h.content_length > preread_limit)
        return true;
    auto body = static_cast<std::size_t>(h.content_length);
    c.body_wanted = c.io.buffered().size() < head_size + body && !c.peer_done;
    if (c.body_wanted) (void)c.io.make_room_after(head_size, body);
    return !c.body_wanted;
}

void event_server::dispatch(connection& c)
{
    auto scheme = service_.scheme_of(c.head, c.peer, c.io.is_secure());
    if (scheme.empty()) return reject(c, 400, "the secure scheme headers contradict each other");
    c.io.pin();
    c.stage = phase::app;
    c.started = clock::now();
    bool keep_alive = keep_alive_allowed() && !service_.next_is_last();
    c.ex.emplace(c.head, c.io, c.client, keep_alive, service_.dates(), scheme);
    c.ex->close_when(&closing_);
    c.ex->offer_loop(this);
    runner_->run(c);
}

void event_server::on_finished(connection& c) { resume(c, service_.after_request(*c.ex, c.head, c.client, c.started)); }

void event_server::resume(connection& c, bool last)
{
    bool keep = c.ex->keeps_connection();
    bool linger = !c.ex->reusable();
    c.ex.reset();
    c.io.unpin();
    c.parser->reset();
    c.served = true;
    c.stage = phase::head;
    if (last) begin_stop();
    if (!keep) return close(c, linger || !c.io.buffered().empty());
    if (c.io.buffered().empty()) return want_read(c);
    advance(c); // a pipelined request is already here
}

void event_server::want_io(connection& c, bool write)
{
    if (std::this_thread::get_id() != loop_thread_) return loop_->post([this, &c, write] { want_io(c, write); });
    if (c.stage != phase::app) return;
    if (!c.app_reading && !c.app_writing && client_io_limited_)
        app_io_.push_back(c, clock::now() + ctx_.config.timeouts.client_io);
    if (write) {
        c.app_writing = true;
        return loop_->wait_writable(c.watch);
    }
    auto space = c.io.prepare();
    if (space.empty()) return c.ex->on_readable(-1);
    c.app_reading = true;
    read(c, space);
}

void event_server::on_writable(connection& c)
{
    c.app_writing = false;
    if (c.stage != phase::app) return; // the app gave up waiting (a timeout) and finished
    auto deadline = c.link.deadline;
    deadline_list<connection>::remove(c);
    if (c.app_reading && client_io_limited_) app_io_.push_back(c, deadline);
    c.ex->on_writable();
}

void event_server::reject(connection& c, int status, std::string_view reason)
{
    (void)service_.reject(c.io, c.client, status, reason);
    close(c, true);
}

void event_server::close(connection& c, bool linger)
{
    deadline_list<connection>::remove(c);
    if (c.stage != phase::lingering && c.stage != phase::closing) {
        c.io.close_notify();
        service_.log_tls_end(c.io, c.peer);
    }
    if (linger && c.stage != phase::lingering) {
        // Closing at once could reset the connection before the peer read our answer.
        platform::shutdown_send(c.io.fd());
        c.stage = phase::lingering;
        lingering_.push_back(c, clock::now() + linger_time);
        // A read still pending (the app's, or the head's when a slow head timed out) reads on
        // for the lingering: a second read on the socket would complete after the close.
        if (c.app_reading || loop_->reading(c.watch)) return;
        equip(c);
        auto space = c.io.prepare();
        if (!space.empty()) return read(c, space);
        deadline_list<connection>::remove(c);
    }
    c.stage = phase::closing;
    loop_->close(c.watch);
}

void event_server::on_closed(connection& c)
{
    delete &c;
    ++freed_since_release_;
    ctx_.slot.connections = --open_;
    if (stopping_ && open_.load() == 0) loop_->stop();
}

void event_server::begin_stop()
{
    if (stopping_) return;
    stopping_ = true;
    closing_ = true;
    stop_deadline_ = clock::now() + std::chrono::seconds(ctx_.cfg.graceful_timeout);
    runner_->collect();
    // Idle keep-alive connections close now; requests in the app finish first.
    while (auto* c = idle_.pop_front()) close(*c, false);
    if (open_.load() == 0) loop_->stop();
}

void event_server::tick()
{
    ctx_.slot.beat();
    runner_->collect();
    auto now = clock::now();
    while (auto* c = idle_.pop_expired(now)) close(*c, false);
    while (auto* c = lingering_.pop_expired(now)) close(*c, false);
    while (auto* c = app_io_.pop_expired(now)) c->ex->io_timed_out(); // the app decides what follows
    while (auto* c = reading_.pop_expired(now)) {
        if (c->io.buffered().empty())
            close(*c, false);
        else
            reject(*c, 408, "timed out reading the request");
    }
    release_memory(now);
    if (!stopping_ && control_.parent_gone()) {
        ctx_.log.info("Parent changed, shutting down: {}", platform::current_pid());
        begin_stop();
    }
    if (stopping_ && now >= stop_deadline_) loop_->stop();
}

// async, uv: the handler runs on the loop thread and may finish later, from any thread.
class loop_runner final : public request_runner {
public:
    loop_runner(event_server& server, int loop_kind) : request_runner(true), s_(server), loop_kind_(loop_kind) {}

    void run(connection& c) override
    {
        c.ex->wait_with(&c);
        s_.service_.before_request(*c.ex);
        // While the handler runs on the loop thread, a missed heartbeat means it hangs: this
        // client then gets the 500 (as on sync). A pending handler no longer holds the loop.
        c.io.arm_abort_reply();
        bool done = c.ex->start(s_.ctx_.app.app(), s_.ctx_.app.state(), event_server::finished_elsewhere, &c);
        c.io.disarm_abort_reply();
        if (done) s_.on_finished(c);
    }
    void* offered_loop(event_loop& loop, int& kind) override
    {
        kind = loop_kind_;
        return loop.native();
    }

private:
    event_server& s_;
    int loop_kind_;
};

// gthread: the loop parks connections and reads heads; handlers run on a pool of threads.
class pool_runner final : public request_runner {
public:
    explicit pool_runner(event_server& server)
        : request_runner(false), s_(server),
          pool_(std::make_unique<handler_pool>(static_cast<std::size_t>(server.ctx_.cfg.threads), run_on_pool))
    {
    }

    // The requests of one turn of the loop go to the pool together, after the turn.
    void run(connection& c) override
    {
        s_.service_.before_request(*c.ex);
        ready_.push_back(&c);
        if (ready_.size() == 1) s_.loop_->post([this] { pool_->submit(ready_); });
    }
    void* offered_loop(event_loop& /*loop*/, int& kind) override
    {
        kind = FH_LOOP_NONE; // handlers are not on the loop thread
        return nullptr;
    }
    void collect() override;
    void finish(bool quick) override
    {
        if (quick)
            (void)pool_.release(); // not joined: a handler may hang
        else
            pool_->join();
    }

private:
    static void run_on_pool(void* conn);
    void finish_on_pool(connection& c);

    event_server& s_;
    std::unique_ptr<handler_pool> pool_;
    std::vector<void*> ready_; // requests parsed in this turn of the loop
    // Whether a pool thread may start the next read itself (saves waking the loop).
    const bool rearm_on_pool_ = platform::supports(platform::feature::reads_from_any_thread);
    // Keep-alive connections a pool thread set reading again, with the time it did, not yet
    // on the server's idle list (the loop files them when it next runs: on_read, tick).
    std::mutex rearmed_mutex_;
    std::vector<std::pair<connection*, clock::time_point>> rearmed_, rearmed_batch_;
};

void pool_runner::run_on_pool(void* conn)
{
    auto& c = *static_cast<connection*>(conn);
    auto& ctx = c.server.ctx_;
    c.ex->run(ctx.app.app(), ctx.app.state());
    static_cast<pool_runner&>(*c.server.runner_).finish_on_pool(c);
}

// On the pool thread: the usual end of a keep-alive request (counted, logged, the connection
// reading again) is done here rather than by waking the loop for it; the loop does not touch
// a connection while its request is in the app.
void pool_runner::finish_on_pool(connection& c)
{
    bool last = s_.service_.after_request(*c.ex, c.head, c.client, c.started);
    if (last || !c.ex->keeps_connection() || s_.closing_ || !c.io.buffered().empty() || c.io.tls_buffered() ||
        !rearm_on_pool_)
        return s_.loop_->post([this, &c, last] { s_.resume(c, last); });
    c.ex.reset();
    c.io.unpin();
    c.parser->reset();
    c.served = true;
    c.stage = phase::head;
    // It keeps its buffer while idle: waiting with the 64-byte peek instead (as async and uv do)
    // measured 30-40 % fewer requests per second at 500 keep-alive connections.
    // Held while the read is armed: the loop files the connection before its read completes.
    std::lock_guard lock(rearmed_mutex_);
    rearmed_.emplace_back(&c, clock::now());
    s_.read(c, c.io.prepare());
}

void pool_runner::collect()
{
    {
        std::lock_guard lock(rearmed_mutex_);
        if (rearmed_.empty()) return;
        rearmed_batch_.swap(rearmed_);
    }
    for (auto [c, since] : rearmed_batch_) {
        if (s_.stopping_)
            s_.close(*c, false);
        else
            s_.idle_.push_back(*c, since + std::chrono::seconds(s_.ctx_.cfg.keepalive));
    }
    rearmed_batch_.clear();
}

std::unique_ptr<request_runner> make_runner(event_server& server, worker_type type)
{
    if (type == worker_type::gthread) return std::make_unique<pool_runner>(server);
    return std::make_unique<loop_runner>(server, type == worker_type::uv ? FH_LOOP_UV : FH_LOOP_ASIO);
}

} // namespace

int run_event_worker(worker_context& ctx, platform::worker_control& control)
{
    event_server server(ctx, control);
    return server.run();
}

} // namespace forkhorn
