#include "exchange/exchange.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "exchange/app_log.hpp"

#include <fmt/format.h>

namespace forkhorn {
namespace {

// Bodies up to this size are buffered whole so the response gets a Content-Length and goes
// out in one send; longer ones are streamed.
constexpr std::size_t buffer_limit = 64 * 1024;

fh_str str(std::string_view s) { return fh_str{s.data(), s.size()}; }
std::string_view view(fh_str s) { return s.data ? std::string_view(s.data, s.size) : std::string_view(); }

bool iequals(std::string_view a, std::string_view b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

exchange& ex(const fh_request* r) { return *r->ex; }
exchange& ex(const fh_response* r) { return *r->ex; }

std::string_view version_text(int minor) { return minor == 0 ? "HTTP/1.0" : "HTTP/1.1"; }

int header_at(const fh_request* r, std::size_t i, fh_str* name, fh_str* value) noexcept
{
    auto headers = ex(r).head().headers;
    if (i >= headers.size()) return FH_ERR_NOT_FOUND;
    if (name) *name = str(headers[i].name);
    if (value) *value = str(headers[i].value);
    return FH_OK;
}

int header_get(const fh_request* r, fh_str name, fh_str* value) noexcept
{
    for (const auto& h : ex(r).head().headers)
        if (iequals(h.name, view(name))) {
            if (value) *value = str(h.value);
            return FH_OK;
        }
    return FH_ERR_NOT_FOUND;
}

// The table apps call through: an exception (only bad_alloc can happen) must not unwind
// through the app's C frames, so each entry ends the worker instead (the arbiter replaces it).
const fh_server_api api_table = {
    FORKHORN_ABI_VERSION,
    sizeof(fh_server_api),
    [](const fh_request* r) noexcept { return str(ex(r).head().method); },
    [](const fh_request* r) noexcept { return str(ex(r).head().target); },
    [](const fh_request* r) noexcept { return str(ex(r).head().path); },
    [](const fh_request* r) noexcept { return str(ex(r).head().query); },
    [](const fh_request* r) noexcept { return str(version_text(ex(r).head().version_minor)); },
    [](const fh_request* r) noexcept { return str(ex(r).remote_addr()); },
    [](const fh_request* r) noexcept { return ex(r).head().headers.size(); },
    header_at,
    header_get,
    [](fh_request* r, void* buf, std::size_t size) noexcept { return ex(r).read_body(buf, size); },
    [](fh_response* r, int status) noexcept { return ex(r).set_status(status); },
    [](fh_response* r, fh_str n, fh_str v) noexcept { return ex(r).add_header(view(n), view(v)); },
    [](fh_response* r, const void* data, std::size_t size) noexcept {
        return ex(r).write(std::string_view(static_cast<const char*>(data), size));
    },
    [](fh_response* r, const char* path, std::uint64_t offset, std::uint64_t length) noexcept {
        return path ? ex(r).send_file(path, offset, length) : FH_ERR_INVALID;
    },
    [](fh_response* r) noexcept { return ex(r).finish(); },
    [](int level, fh_str message) noexcept { app_log(level, view(message)); },
    [](const fh_request* r) noexcept { return str(ex(r).scheme()); },
    [](const fh_request* r, int* kind) noexcept -> void* {
        int k = FH_LOOP_NONE;
        void* native = ex(r).loop() ? ex(r).loop()->native(k) : nullptr;
        if (kind) *kind = k;
        return native;
    },
    [](fh_request* r, void (*fn)(void*), void* arg) {
        if (!fn) return static_cast<int>(FH_ERR_INVALID);
        if (!ex(r).loop()) return static_cast<int>(FH_ERR_STATE);
        ex(r).loop()->post(fn, arg);
        return static_cast<int>(FH_OK);
    },
    [](fh_request* r, void* buf, std::size_t size, fh_io_done done, void* arg) noexcept {
        return ex(r).read_body_async(buf, size, done, arg);
    },
    [](fh_response* r, const void* data, std::size_t size, fh_io_done done, void* arg) noexcept {
        return ex(r).write_async(std::string_view(static_cast<const char*>(data), size), done, arg);
    },
    [](const fh_request* r, int field) noexcept { return str(ex(r).tls_field(field)); },
};

} // namespace

const fh_server_api* server_api() { return &api_table; }

exchange::exchange(const http::request_head& head, transport& io, std::string_view remote_addr, bool keep_alive,
                   http::date_cache& dates, std::string_view scheme)
    : head_(head), io_(io), remote_addr_(remote_addr), scheme_(scheme), dates_(dates),
      head_request_(head.method == "HEAD"), keep_alive_(keep_alive && head.keep_alive)
{
    body_.start(head);
}

void exchange::run(const fh_app& app, void* state)
{
    (void)start(app, state, nullptr, nullptr);
    std::unique_lock lock(mutex_);
    finished_cv_.wait(lock, [this] { return finished_; });
}

bool exchange::start(const fh_app& app, void* state, void (*on_finished)(void*), void* owner)
{
    int rc = app.handle(state, server_api(), &request_, &response_);
    if (rc == FH_DONE) {
        finish();
    } else if (rc != FH_PENDING) {
        fail_unfinished();
    }
    std::lock_guard lock(mutex_);
    if (finished_ && output_idle()) return true;
    on_finished_ = on_finished;
    owner_ = owner;
    return false;
}

void exchange::fail_unfinished()
{
    {
        std::lock_guard lock(mutex_);
        if (finished_) return;
        app_log(FH_LOG_ERROR, "application handler failed; answering 500");
        reusable_ = false;
        if (!committed_) {
            out_.clear();
            headers_.clear();
            header_views_.clear();
            status_ = 500;
            app_length_ = -1;
            out_ = "Internal Server Error\n";
            headers_.emplace_back("Content-Type", "text/plain");
        }
    }
    finish();
}

std::int64_t exchange::read_body(void* buf, std::size_t size)
{
    if (read_.done) return FH_ERR_STATE; // a read_body_async is waiting
    if (head_.expect_continue && !continue_sent_) {
        continue_sent_ = true;
        if (!committed_ && !io_.send("HTTP/1.1 100 Continue\r\n\r\n")) return FH_ERR_IO;
    }
    return read_decoded(buf, size, fill_mode::wait);
}

std::int64_t exchange::read_body_async(void* buf, std::size_t size, fh_io_done done, void* arg)
{
    if (!waiter_) return read_body(buf, size);
    if (!done || read_.done) return !done ? FH_ERR_INVALID : FH_ERR_STATE;
    if (read_timed_out_) return FH_ERR_IO; // the worker's read from then may still be pending
    send_continue();
    auto n = read_decoded(buf, size, fill_mode::now);
    if (n != not_yet) return n;
    read_ = {buf, size, done, arg};
    waiter_->want_readable();
    return FH_IN_PROGRESS;
}

void exchange::send_continue()
{
    if (!head_.expect_continue || continue_sent_) return;
    continue_sent_ = true;
    std::lock_guard lock(mutex_);
    queue_if_waiting queue(*this);
    if (!committed_ && !send_wire("HTTP/1.1 100 Continue\r\n\r\n")) reusable_ = false;
}

void exchange::on_readable(std::int64_t got)
{
    auto r = read_;
    if (!r.done) return; // the read gave up (timeout) before the bytes came
    auto n = read_decoded(r.buf, r.size, got > 0 ? fill_mode::now : fill_mode::ended);
    if (n == not_yet) return waiter_->want_readable();
    read_ = {};
    r.done(r.arg, n);
}

std::int64_t exchange::read_decoded(void* buf, std::size_t size, fill_mode mode)
{
    while (body_pending_.empty()) {
        io_.consume(pending_consume_);
        pending_consume_ = 0;
        if (body_.done()) return 0;
        auto r = body_.decode(io_.buffered());
        if (r.status == http::body_status::error) return refuse_body(400, "its framing is malformed");
        if (r.data.empty()) {
            io_.consume(r.consumed);
            if (r.status == http::body_status::done) return 0;
            if (r.status != http::body_status::need_more) continue;
            auto got = mode == fill_mode::wait ? io_.fill() : mode == fill_mode::now ? io_.fill_now() : -1;
            if (got == not_yet && mode == fill_mode::now) return not_yet;
            if (got == not_yet) return refuse_body(408, "the client sent nothing more within the timeout");
            if (got <= 0) return refuse_body(400, "the client closed the connection before its end");
            continue;
        }
        // The data view points into the transport's buffer, so consume only after it is read.
        body_pending_ = r.data;
        pending_consume_ = r.consumed;
    }
    auto n = std::min(size, body_pending_.size());
    std::memcpy(buf, body_pending_.data(), n);
    body_pending_.remove_prefix(n);
    return static_cast<std::int64_t>(n);
}

// A request whose body is cut short or malformed is not a request the app may answer as if it
// were complete (an upload cut half-way must never look finished): the app's reads fail, and a
// response not sent yet becomes `status` with Connection: close; one already started is cut off.
std::int64_t exchange::refuse_body(int status, std::string_view why)
{
    std::lock_guard lock(mutex_);
    reusable_ = false;
    if (aborted_) return FH_ERR_IO;
    app_log(FH_LOG_INFO, fmt::format("{} {}: request body incomplete, {}; answering {}", head_.method, head_.target,
                                     why, committed_ ? "nothing more" : std::to_string(status)));
    if (!committed_ && !finished_) {
        headers_.clear();
        headers_.emplace_back("Content-Type", "text/plain");
        status_ = status;
        app_length_ = -1;
        out_ = status == 408 ? "Request Timeout\n" : "Bad Request\n";
        queue_if_waiting queue(*this);
        (void)commit(static_cast<std::int64_t>(out_.size()));
    }
    aborted_ = true; // from now on nothing the app writes is sent
    return FH_ERR_IO;
}

int exchange::set_status(int status)
{
    std::lock_guard lock(mutex_);
    if (committed_ || finished_) return FH_ERR_STATE;
    if (status < 200 || status > 599) return FH_ERR_INVALID;
    status_ = status;
    return FH_OK;
}

int exchange::add_header(std::string_view name, std::string_view value)
{
    std::lock_guard lock(mutex_);
    if (committed_ || finished_) return FH_ERR_STATE;
    if (!http::valid_field(name, value)) return FH_ERR_INVALID;
    if (iequals(name, "content-length")) {
        std::uint64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc{} || end != value.data() + value.size()) return FH_ERR_INVALID;
        app_length_ = static_cast<std::int64_t>(n);
    }
    headers_.emplace_back(name, value);
    return FH_OK;
}

int exchange::commit(std::int64_t complete_length)
{
    if (aborted_) return committed_ = true, FH_ERR_IO;
    if (stopping_ && stopping_->load(std::memory_order_relaxed)) keep_alive_ = false;
    framing_ = http::choose_framing(status_, head_request_, head_.version_minor, app_length_, complete_length);
    if (framing_ == http::response_framing::close) keep_alive_ = false;
    header_views_.clear();
    for (const auto& [n, v] : headers_) header_views_.push_back({n, v});
    http::response_head rh;
    rh.status = status_;
    rh.version_minor = head_.version_minor;
    rh.headers = header_views_;
    rh.framing = framing_;
    rh.content_length =
        static_cast<std::uint64_t>(app_length_ >= 0 ? app_length_ : std::max<std::int64_t>(complete_length, 0));
    rh.keep_alive = keep_alive_ && reusable_;
    rh.head_request = head_request_;
    rh.date = dates_.now();
    // The head and the buffered body leave in one send (one segment for small responses).
    std::string wire;
    http::write_head(wire, rh);
    committed_ = true;
    frame_body(wire, body_part(out_));
    out_.clear();
    return send_wire(wire) ? FH_OK : (reusable_ = false, FH_ERR_IO);
}

std::string_view exchange::tls_field(int field)
{
    const auto* tls = io_.secure_session();
    if (!tls || !tls->handshake_done()) return {};
    switch (field) {
    case FH_TLS_PROTOCOL: return tls->protocol();
    case FH_TLS_CIPHER: return tls->cipher();
    case FH_TLS_ALPN: return tls->alpn();
    case FH_TLS_PEER_SUBJECT:
        if (peer_subject_.empty()) peer_subject_ = tls->peer_subject();
        return peer_subject_;
    default: return {};
    }
}

std::string_view exchange::body_part(std::string_view data)
{
    using enum http::response_framing;
    if (data.empty() || framing_ == none || head_request_) return {};
    if (framing_ == content_length && app_length_ >= 0) {
        auto room = static_cast<std::uint64_t>(app_length_) - std::min<std::uint64_t>(body_sent_, app_length_);
        data = data.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(room, data.size())));
    }
    body_sent_ += data.size();
    return data;
}

void exchange::frame_body(std::string& wire, std::string_view part) const
{
    if (part.empty()) return;
    if (framing_ == http::response_framing::chunked) http::write_chunk_header(wire, part.size());
    wire.append(part);
    if (framing_ == http::response_framing::chunked) wire.append("\r\n");
}

bool exchange::send_body(std::string_view data)
{
    if (aborted_) return false;
    auto part = body_part(data);
    if (part.empty()) return true;
    if (framing_ != http::response_framing::chunked) return send_wire(part) || (reusable_ = false);
    std::string wire;
    frame_body(wire, part);
    return send_wire(wire) || (reusable_ = false);
}

int exchange::write(std::string_view data)
{
    std::lock_guard lock(mutex_);
    if (write_done_) return FH_ERR_STATE; // a write_async is waiting
    return write_locked(data);
}

int exchange::write_locked(std::string_view data)
{
    if (finished_) return FH_ERR_STATE;
    if (committed_) return send_body(data) ? FH_OK : FH_ERR_IO;
    out_.append(data);
    if (out_.size() < buffer_limit) return FH_OK;
    return commit(-1);
}

int exchange::write_async(std::string_view data, fh_io_done done, void* arg)
{
    if (!waiter_) return write(data);
    std::lock_guard lock(mutex_);
    if (!done) return FH_ERR_INVALID;
    if (write_done_) return FH_ERR_STATE;
    int rc = [&] {
        queue_if_waiting queue(*this);
        return write_locked(data);
    }();
    if (rc != FH_OK || output_idle()) return rc;
    write_done_ = done;
    write_arg_ = arg;
    return FH_IN_PROGRESS;
}

bool exchange::send_wire(std::string_view wire)
{
    if (io_failed_) return false;
    if (!waiter_ || may_block_) {
        // A blocking call: what is queued goes first, then this, both waiting for the client.
        if (!flush_blocking()) return io_failed_ = true, false;
        return wire.empty() || io_.send(wire);
    }
    if (file_.left > 0) return after_file_.append(wire), true;
    if (queued_.empty()) {
        auto n = io_.send_now(wire);
        if (n < 0) return io_failed_ = true, false;
        wire.remove_prefix(static_cast<std::size_t>(n));
        if (wire.empty()) return true;
    }
    queued_.append(wire);
    wait_writable();
    return true;
}

void exchange::wait_writable()
{
    if (write_armed_) return;
    write_armed_ = true;
    waiter_->want_writable();
}

bool exchange::flush_blocking()
{
    if (!queued_.empty() && !io_.send(queued_)) return false;
    queued_.clear();
    if (file_.left > 0 && !io_.send_file(file_.path, file_.offset, file_.left)) return false;
    file_ = {};
    if (!after_file_.empty() && !io_.send(after_file_)) return false;
    after_file_.clear();
    return true;
}

bool exchange::drain_now()
{
    for (;;) {
        if (!queued_.empty()) {
            auto n = io_.send_now(queued_);
            if (n < 0) return false;
            queued_.erase(0, static_cast<std::size_t>(n));
            if (!queued_.empty()) return true;
        }
        while (file_.left > 0) {
            auto n = io_.send_file_now(file_.path, file_.offset, file_.left);
            if (n < 0) return false;
            if (n == 0) return true;
            file_.offset += static_cast<std::uint64_t>(n);
            file_.left -= static_cast<std::uint64_t>(n);
        }
        if (after_file_.empty()) return true;
        queued_.swap(after_file_);
    }
}

void exchange::on_writable()
{
    std::unique_lock lock(mutex_);
    write_armed_ = false;
    if (!io_failed_ && !drain_now()) io_failed_ = true;
    if (!output_idle() && !io_failed_) return wait_writable();
    settle(lock);
}

void exchange::settle(std::unique_lock<std::mutex>& lock)
{
    if (io_failed_) {
        queued_.clear();
        file_ = {};
        after_file_.clear();
        reusable_ = false;
    }
    auto done = std::exchange(write_done_, nullptr);
    void* arg = write_arg_;
    auto* notify = finished_ ? std::exchange(on_finished_, nullptr) : nullptr;
    void* owner = owner_;
    int rc = io_failed_ ? FH_ERR_IO : FH_OK;
    lock.unlock();
    if (done) done(arg, rc);
    // After this call the exchange may be gone.
    if (notify) notify(owner);
}

void exchange::io_timed_out()
{
    auto r = std::exchange(read_, {});
    if (r.done) read_timed_out_ = true;
    std::unique_lock lock(mutex_);
    reusable_ = false;
    bool writing = write_armed_ || !output_idle();
    if (writing) io_failed_ = true;
    lock.unlock();
    if (r.done && !writing) (void)refuse_body(408, "the client sent nothing more within the timeout");
    if (r.done) r.done(r.arg, FH_ERR_IO);
    if (!writing) return;
    lock.lock();
    settle(lock);
}

int exchange::send_file(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec || offset > size) return FH_ERR_INVALID;
    if (length == 0 || length > size - offset) length = size - offset;
    std::lock_guard lock(mutex_);
    if (finished_ || write_done_) return FH_ERR_STATE;
    if (!committed_ && out_.empty() && app_length_ < 0) app_length_ = static_cast<std::int64_t>(length);
    int rc = [&] {
        queue_if_waiting queue(*this); // the head, and then the file, are queued
        return committed_ ? FH_OK : commit(-1);
    }();
    if (rc != FH_OK) return FH_ERR_IO;
    if (head_request_ || framing_ == http::response_framing::none) return FH_OK;
    if (framing_ != http::response_framing::content_length) return stream_file(path, offset, length);
    body_sent_ += length;
    if (!waiter_) return io_.send_file(path, offset, length) ? FH_OK : (reusable_ = false, FH_ERR_IO);
    return queue_file(path, offset, length);
}

// Non-blocking mode: the file goes out after what is queued, as the client takes it (finishing
// waits for it).
int exchange::queue_file(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    if (file_.left > 0 && !flush_blocking())
        return io_failed_ = true, reusable_ = false, FH_ERR_IO; // one file at a time
    file_ = {path, offset, length};
    if (queued_.empty() && !drain_now()) return io_failed_ = true, reusable_ = false, FH_ERR_IO;
    if (!output_idle()) wait_writable();
    return FH_OK;
}

int exchange::stream_file(const std::string& path, std::uint64_t offset, std::uint64_t length)
{
    // Chunked or close-delimited framing has no zero-copy path: copy through a buffer.
    std::ifstream file(path, std::ios::binary);
    file.seekg(static_cast<std::streamoff>(offset));
    std::string buf(buffer_limit, '\0');
    while (length > 0 && file) {
        file.read(buf.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(length, buf.size())));
        auto got = static_cast<std::size_t>(file.gcount());
        if (got == 0) break;
        if (!send_body(std::string_view(buf.data(), got))) return FH_ERR_IO;
        length -= got;
    }
    return FH_OK;
}

int exchange::complete()
{
    if (finished_) return FH_ERR_STATE;
    int rc = [&] {
        queue_if_waiting queue(*this); // finishing never waits for the client: the rest is queued
        int r = committed_ ? FH_OK : commit(static_cast<std::int64_t>(out_.size()));
        if (r == FH_OK && !aborted_ && framing_ == http::response_framing::chunked && !send_wire(http::last_chunk))
            r = FH_ERR_IO;
        return r;
    }();
    if (framing_ == http::response_framing::content_length && app_length_ >= 0 &&
        body_sent_ < static_cast<std::uint64_t>(app_length_) && !head_request_ && http::status_allows_body(status_)) {
        // The app promised more bytes than it sent: the peer would wait for them forever.
        reusable_ = false;
    }
    if (framing_ == http::response_framing::close) reusable_ = false;
    finished_ = true;
    finished_cv_.notify_all();
    return rc;
}

int exchange::finish()
{
    std::unique_lock lock(mutex_);
    int rc = complete();
    if (!output_idle()) return rc; // on_writable tells the owner once the rest is out
    auto* notify = std::exchange(on_finished_, nullptr);
    void* owner = owner_;
    lock.unlock();
    // After this call the exchange may be gone: the owner moves on to the next request.
    if (notify) notify(owner);
    return rc;
}

} // namespace forkhorn
