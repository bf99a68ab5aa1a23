// One request/response pair as the app sees it through the C ABI (fh_request, fh_response),
// over a transport. Every worker type uses it: blocking on the threads of sync and gthread,
// non-blocking (an io_waiter reports readiness) on the loops of async and uv.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <forkhorn/app.h>

#include "http/parser.hpp"
#include "http/response.hpp"
#include "transport/transport.hpp"

namespace forkhorn {
class exchange;
}

struct fh_request {
    forkhorn::exchange* ex;
};
struct fh_response {
    forkhorn::exchange* ex;
};

namespace forkhorn {

/// How an event-loop worker lets an exchange wait for its connection without blocking. Each
/// call asks for one exchange::on_readable / on_writable on the loop thread.
class io_waiter {
public:
    virtual void want_readable() = 0;
    virtual void want_writable() = 0;

protected:
    ~io_waiter() = default;
};

/// What an event-loop worker offers the app through a request (fh_server_api loop, post).
class worker_loop {
public:
    virtual void* native(int& kind) = 0;
    virtual void post(void (*fn)(void*), void* arg) = 0;

protected:
    ~worker_loop() = default;
};

/// The server functions given to apps.
const fh_server_api* server_api();

class exchange {
public:
    exchange(const http::request_head& head, transport& io, std::string_view remote_addr, bool keep_alive,
             http::date_cache& dates, std::string_view scheme = "http");

    fh_request* request() { return &request_; }
    fh_response* response() { return &response_; }

    /// Runs the app's handler and waits until the response is finished (by the handler or,
    /// for FH_PENDING, later from another thread).
    void run(const fh_app& app, void* state);
    /// A flag that, once set (the worker is stopping), makes a response not committed yet say
    /// `Connection: close`.
    void close_when(const std::atomic<bool>* stopping) { stopping_ = stopping; }
    /// The worker's loop, offered to the app (none on sync).
    void offer_loop(worker_loop* loop) { loop_ = loop; }
    worker_loop* loop() const { return loop_; }

    /// Non-blocking mode (async, uv): the non-blocking calls, and finishing, never wait for the
    /// client; they ask `waiter` to report when the connection is ready.
    void wait_with(io_waiter* waiter) { waiter_ = waiter; }
    /// Loop thread, non-blocking mode: the connection became readable (`got` bytes were added
    /// to the transport's buffer; 0: the peer closed; -1: an error).
    void on_readable(std::int64_t got);
    /// Loop thread, non-blocking mode: the connection can take more bytes.
    void on_writable();
    /// Loop thread, non-blocking mode: a read or write waited longer than the timeout.
    void io_timed_out();

    /// Runs the app's handler without waiting. Returns true when the response is finished;
    /// otherwise `on_finished(owner)` is called once, from the thread that finishes it.
    bool start(const fh_app& app, void* state, void (*on_finished)(void*), void* owner);

    // The fh_server_api entry points.
    std::int64_t read_body(void* buf, std::size_t size);
    std::int64_t read_body_async(void* buf, std::size_t size, fh_io_done done, void* arg);
    int write_async(std::string_view data, fh_io_done done, void* arg);
    int set_status(int status);
    int add_header(std::string_view name, std::string_view value);
    int write(std::string_view data);
    int send_file(const std::string& path, std::uint64_t offset, std::uint64_t length);
    int finish();

    const http::request_head& head() const { return head_; }
    std::string_view remote_addr() const { return remote_addr_; }
    std::string_view scheme() const { return scheme_; }
    /// fh_tls_field `field` of the connection's TLS; empty for cleartext.
    std::string_view tls_field(int field);
    int status() const { return status_; }
    std::uint64_t body_bytes_sent() const { return body_sent_; }
    std::span<const http::header_field> response_headers() const { return header_views_; }
    /// False when the connection cannot carry another request (framing broke, body unread...).
    bool reusable() const { return reusable_ && body_.done(); }
    /// True when the response let the connection stay open and it can carry another request.
    bool keeps_connection() const { return keep_alive_ && reusable(); }

private:
    enum class fill_mode { wait, now, ended };
    static constexpr std::int64_t not_yet = transport::not_yet;
    std::int64_t read_decoded(void* buf, std::size_t size, fill_mode mode);
    void send_continue();
    std::int64_t refuse_body(int status, std::string_view why);
    int write_locked(std::string_view data);
    /// Sends `wire` after what is queued: blocking, or in non-blocking mode queued for the loop.
    bool send_wire(std::string_view wire);
    bool flush_blocking();
    /// Asks the worker for one on_writable (once, however often called before it comes).
    void wait_writable();
    /// Sends what the connection takes now of the queue; false on an error.
    bool drain_now();
    bool output_idle() const { return queued_.empty() && file_.left == 0 && after_file_.empty(); }
    /// The queue drained (or failed): completes a waiting write_async and a deferred finish.
    void settle(std::unique_lock<std::mutex>& lock);
    int commit(std::int64_t complete_length);
    bool send_body(std::string_view data);
    /// The bytes of `data` the framing lets through (cut at Content-Length), counted as sent.
    std::string_view body_part(std::string_view data);
    void frame_body(std::string& wire, std::string_view part) const;
    int stream_file(const std::string& path, std::uint64_t offset, std::uint64_t length);
    int queue_file(const std::string& path, std::uint64_t offset, std::uint64_t length);
    void fail_unfinished();
    int complete(); // finish() with the lock held

    const http::request_head& head_;
    transport& io_;
    std::string_view remote_addr_;
    std::string_view scheme_;
    std::string peer_subject_; // made on demand (tls_field), lives as long as the request
    http::date_cache& dates_;
    bool head_request_;
    fh_request request_{this};
    fh_response response_{this};
    http::body_decoder body_;
    std::string_view body_pending_;   // decoded bytes (in the transport's buffer) not yet read
    std::size_t pending_consume_ = 0; // raw bytes to consume once body_pending_ is read
    bool continue_sent_ = false;

    // Non-blocking mode.
    io_waiter* waiter_ = nullptr;
    bool may_block_ = true; // the current call is a blocking one (write, send_file)
    // For the scope of a call that must not wait for the client when a waiter is set: what the
    // socket does not take is queued.
    struct queue_if_waiting {
        exchange& ex;
        explicit queue_if_waiting(exchange& e) : ex(e) { ex.may_block_ = ex.waiter_ == nullptr; }
        ~queue_if_waiting() { ex.may_block_ = true; }
        queue_if_waiting(const queue_if_waiting&) = delete;
        queue_if_waiting& operator=(const queue_if_waiting&) = delete;
    };
    std::string queued_; // bytes the connection did not take yet
    struct queued_file {
        std::string path;
        std::uint64_t offset = 0, left = 0;
    } file_;                 // then this part of a file (send_file)
    std::string after_file_; // then these bytes
    bool write_armed_ = false;
    bool io_failed_ = false;
    bool read_timed_out_ = false;
    fh_io_done write_done_ = nullptr;
    void* write_arg_ = nullptr;
    struct pending_read {
        void* buf = nullptr;
        std::size_t size = 0;
        fh_io_done done = nullptr;
        void* arg = nullptr;
    } read_;

    std::mutex mutex_;
    std::condition_variable finished_cv_;
    int status_ = 200;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::vector<http::header_field> header_views_;
    std::int64_t app_length_ = -1;
    std::string out_; // the head and body bytes not yet sent
    bool committed_ = false;
    bool finished_ = false;
    void (*on_finished_)(void*) = nullptr;
    void* owner_ = nullptr;
    bool keep_alive_;
    const std::atomic<bool>* stopping_ = nullptr;
    worker_loop* loop_ = nullptr;
    bool reusable_ = true;
    bool aborted_ = false; // the request body was cut or malformed: nothing more may be sent
    http::response_framing framing_ = http::response_framing::none;
    std::uint64_t body_sent_ = 0;
};

} // namespace forkhorn
