// forkhorn/app.hpp: a header-only C++ SDK over the C ABI of forkhorn/app.h.
//
// A complete app:
//
//     #include <forkhorn/app.hpp>
//     FORKHORN_APP(app, [](forkhorn::request&, forkhorn::response& res) {
//         res.header("Content-Type", "text/plain");
//         res.write("Hello, World!\n");
//     })
//
// The handler runs once per request; when it returns, the response is finished. An exception
// that escapes it becomes a 500 (if nothing was sent yet) and an error-log line; it never
// crosses the C ABI.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "app.h"

namespace forkhorn {

inline std::string_view to_view(fh_str s) { return s.data ? std::string_view(s.data, s.size) : std::string_view(); }
inline fh_str to_str(std::string_view s) { return fh_str{s.data(), s.size()}; }

namespace detail {
// Suspends a coroutine handler while a non-blocking call waits; `done` resumes it on the loop.
struct io_awaiter {
    std::int64_t result = 0;
    std::coroutine_handle<> waiting;
    bool await_ready() const noexcept { return false; }
    std::int64_t await_resume() const noexcept { return result; }
    static void done(void* self, std::int64_t r)
    {
        auto* a = static_cast<io_awaiter*>(self);
        a->result = r;
        a->waiting.resume();
    }
};

inline bool api_has(const fh_server_api* api, std::size_t member_offset)
{
    return api->struct_size >= member_offset + sizeof(void*);
}
} // namespace detail

/// The request being served: valid until its response is finished.
class request {
public:
    request(const fh_server_api* api, fh_request* req) : api_(api), req_(req) {}

    std::string_view method() const { return to_view(api_->method(req_)); }
    std::string_view target() const { return to_view(api_->target(req_)); }
    std::string_view path() const { return to_view(api_->path(req_)); }
    std::string_view query() const { return to_view(api_->query(req_)); }
    std::string_view version() const { return to_view(api_->version(req_)); }
    std::string_view remote_addr() const { return to_view(api_->remote_addr(req_)); }
    /// "https" or "http" (a server older than this header answers "http").
    std::string_view scheme() const
    {
        bool has = api_->struct_size >= offsetof(fh_server_api, scheme) + sizeof(api_->scheme);
        return has ? to_view(api_->scheme(req_)) : std::string_view("http");
    }

    /// About the TLS connection the request came over (fh_tls_field); empty over cleartext or
    /// from a server older than the call.
    std::string_view tls(fh_tls_field field) const
    {
        bool has = api_->struct_size >= offsetof(fh_server_api, tls) + sizeof(api_->tls);
        return has && api_->tls ? to_view(api_->tls(req_, field)) : std::string_view();
    }

    /// The first header with this name (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const
    {
        fh_str value{};
        if (api_->header_get(req_, to_str(name), &value) != FH_OK) return std::nullopt;
        return to_view(value);
    }
    std::size_t header_count() const { return api_->header_count(req_); }
    /// Writes a line to the server's error log.
    void log(fh_log_level level, std::string_view message) const { api_->log(level, to_str(message)); }
    /// Header `i` in the order received: {name, value}.
    std::pair<std::string_view, std::string_view> header_at(std::size_t i) const
    {
        fh_str n{}, v{};
        api_->header_at(req_, i, &n, &v);
        return {to_view(n), to_view(v)};
    }

    /// Reads up to `size` body bytes; 0 at the end; negative on error (client gone, timeout).
    std::int64_t read(void* buf, std::size_t size) { return api_->read_body(req_, buf, size); }
    /// In a coroutine handler: `auto n = co_await req.read_async(buf, size);` Results as read(),
    /// but while the client is slow the worker serves others (async, uv); elsewhere it blocks.
    auto read_async(void* buf, std::size_t size)
    {
        struct awaiter : detail::io_awaiter {
            const fh_server_api* api;
            fh_request* req;
            void* buf;
            std::size_t size;
            bool await_suspend(std::coroutine_handle<> h)
            {
                waiting = h;
                if (!detail::api_has(api, offsetof(fh_server_api, read_body_async)))
                    return result = api->read_body(req, buf, size), false;
                result = api->read_body_async(req, buf, size, &io_awaiter::done, this);
                return result == FH_IN_PROGRESS;
            }
        };
        awaiter a;
        a.api = api_, a.req = req_, a.buf = buf, a.size = size;
        return a;
    }
    /// The whole body (fine for small bodies; stream big ones with read()).
    std::string body()
    {
        std::string out;
        char buf[16384];
        for (std::int64_t n; (n = read(buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
        return out;
    }

    /// The worker's event loop (asio::io_context* or uv_loop_t*, see fh_loop_kind), or nullptr.
    void* loop(int* kind = nullptr) const
    {
        if (kind) *kind = FH_LOOP_NONE;
        return has(offsetof(fh_server_api, loop)) ? api_->loop(req_, kind) : nullptr;
    }
    /// Runs fn(arg) on the worker's loop thread; false where there is none (sync).
    bool post(void (*fn)(void*), void* arg) const
    {
        return has(offsetof(fh_server_api, post)) && api_->post(req_, fn, arg) == FH_OK;
    }

    fh_request* native() const { return req_; }

private:
    // Members appended to the ABI after an app was built are absent in an older server.
    bool has(std::size_t member_offset) const { return api_->struct_size >= member_offset + sizeof(void*); }

    const fh_server_api* api_;
    fh_request* req_;
};

/// The response: set the status and headers, then write the body.
class response {
public:
    response(const fh_server_api* api, fh_response* res) : api_(api), res_(res) {}

    int status(int code) { return api_->set_status(res_, code); }
    int header(std::string_view name, std::string_view value)
    {
        return api_->add_header(res_, to_str(name), to_str(value));
    }
    int write(std::string_view data) { return api_->write(res_, data.data(), data.size()); }
    /// In a coroutine handler: `int rc = co_await res.write_async(data);` Results as write(),
    /// but while the client is slow to read the worker serves others (async, uv).
    auto write_async(std::string_view data)
    {
        struct awaiter : detail::io_awaiter {
            const fh_server_api* api;
            fh_response* res;
            std::string_view data;
            bool await_suspend(std::coroutine_handle<> h)
            {
                waiting = h;
                if (!detail::api_has(api, offsetof(fh_server_api, write_async)))
                    return result = api->write(res, data.data(), data.size()), false;
                result = api->write_async(res, data.data(), data.size(), &io_awaiter::done, this);
                return result == FH_IN_PROGRESS;
            }
        };
        awaiter a;
        a.api = api_, a.res = res_, a.data = data;
        return a;
    }
    int send_file(const std::string& path, std::uint64_t offset = 0, std::uint64_t length = 0)
    {
        return api_->send_file(res_, path.c_str(), offset, length);
    }
    int finish() { return api_->finish(res_); }

    fh_response* native() const { return res_; }

private:
    const fh_server_api* api_;
    fh_response* res_;
};

/// The return type of a coroutine handler (FORKHORN_ASYNC_APP). The response is finished when
/// the coroutine returns, on whichever thread it was resumed; until then the worker serves
/// other requests.
class task {
public:
    struct promise_type {
        const fh_server_api* api = nullptr;
        fh_response* res = nullptr;
        // 0: the handler call is still on the stack; 1: it returned FH_PENDING; 2: done.
        std::atomic<int> state{0};
        std::exception_ptr error;

        task get_return_object() { return task(std::coroutine_handle<promise_type>::from_promise(*this)); }
        std::suspend_always initial_suspend() noexcept { return {}; }
        struct final_awaiter {
            bool await_ready() noexcept { return false; }
            void await_suspend(std::coroutine_handle<promise_type> h) noexcept
            {
                auto& p = h.promise();
                if (p.state.exchange(2) != 1) return; // finished inside the handler call: it cleans up
                if (p.error) p.api->log(FH_LOG_ERROR, to_str("unhandled exception in coroutine handler"));
                p.api->finish(p.res);
                h.destroy();
            }
            void await_resume() noexcept {}
        };
        final_awaiter final_suspend() noexcept { return {}; }
        void return_void() {}
        void unhandled_exception() { error = std::current_exception(); }
    };

    explicit task(std::coroutine_handle<promise_type> h) : h_(h) {}
    task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    task(const task&) = delete;
    ~task() = default; // the frame frees itself (or is freed by the server's call)

    /// Runs the coroutine until it first suspends; returns an fh_handle_result (or -1 for a
    /// 500 when it threw before suspending).
    int start(const fh_server_api* api, fh_response* res)
    {
        auto& p = h_.promise();
        p.api = api;
        p.res = res;
        h_.resume();
        if (p.state.exchange(1) != 2) return FH_PENDING;
        bool failed = static_cast<bool>(p.error);
        h_.destroy();
        return failed ? -1 : FH_DONE;
    }

private:
    std::coroutine_handle<promise_type> h_;
};

/// `co_await on_worker(req)`: continue on the worker's loop thread, e.g. after a wait that
/// resumed on a thread of the app's own. Where the worker has no loop (sync), it continues
/// where it is (finishing from any thread is allowed).
struct on_worker {
    const request& req;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) const
    {
        return req.post([](void* a) { std::coroutine_handle<>::from_address(a).resume(); }, h.address());
    }
    void await_resume() const noexcept {}
};

namespace detail {

template <auto* Handler>
int handle(void*, const fh_server_api* api, fh_request* req, fh_response* res)
{
    try {
        request rq(api, req);
        response rs(api, res);
        (*Handler)(rq, rs);
        return FH_DONE;
    } catch (const std::exception& e) {
        std::string line = std::string("unhandled exception in handler: ") + e.what();
        api->log(FH_LOG_ERROR, to_str(line));
    } catch (...) {
        api->log(FH_LOG_ERROR, to_str("unhandled exception in handler"));
    }
    return -1; // neither done nor pending: the server answers 500 if it still can
}

template <auto* Handler>
int handle_coroutine(void*, const fh_server_api* api, fh_request* req, fh_response* res)
{
    try {
        return (*Handler)(request(api, req), response(api, res)).start(api, res);
    } catch (const std::exception& e) {
        std::string line = std::string("unhandled exception in handler: ") + e.what();
        api->log(FH_LOG_ERROR, to_str(line));
    }
    return -1;
}

template <auto* Handler>
const fh_app* coroutine_descriptor(const char* name)
{
    static const fh_app app = {FORKHORN_ABI_VERSION,       sizeof(fh_app), name, nullptr, nullptr,
                               &handle_coroutine<Handler>, nullptr};
    return &app;
}

template <auto* Handler>
const fh_app* descriptor(const char* name, const fh_hooks* hooks = nullptr)
{
    static const fh_app app = {FORKHORN_ABI_VERSION, sizeof(fh_app), name, nullptr, nullptr, &handle<Handler>, hooks};
    return &app;
}

} // namespace detail
} // namespace forkhorn

/// Exports `symbol` (what the command line names after the colon) serving `handler`, a
/// callable taking (forkhorn::request&, forkhorn::response&).
///
/// Build app libraries with -fno-gnu-unique (GCC): otherwise the function-local statics below
/// become STB_GNU_UNIQUE symbols, the library can never be unloaded, and a HUP reload keeps
/// serving the old code.
#define FORKHORN_APP(symbol, handler)                                                                                  \
    namespace {                                                                                                        \
    const auto forkhorn_handler_##symbol = handler;                                                                    \
    }                                                                                                                  \
    FORKHORN_EXTERN_C FORKHORN_EXPORT const fh_app* symbol(void)                                                       \
    {                                                                                                                  \
        return ::forkhorn::detail::descriptor<&forkhorn_handler_##symbol>(#symbol);                                    \
    }

/// Like FORKHORN_APP, with server hooks: `hooks` is the address of a static fh_hooks.
#define FORKHORN_APP_WITH_HOOKS(symbol, handler, hooks)                                                                \
    namespace {                                                                                                        \
    const auto forkhorn_handler_##symbol = handler;                                                                    \
    }                                                                                                                  \
    FORKHORN_EXTERN_C FORKHORN_EXPORT const fh_app* symbol(void)                                                       \
    {                                                                                                                  \
        return ::forkhorn::detail::descriptor<&forkhorn_handler_##symbol>(#symbol, hooks);                             \
    }

/// Exports `symbol` serving a C++20 coroutine handler: a callable taking (forkhorn::request,
/// forkhorn::response) by value and returning forkhorn::task. It may co_await the app's own
/// asynchronous work; the worker goes on serving other requests meanwhile (on async and uv;
/// sync and gthread wait for it on the request's thread).
#define FORKHORN_ASYNC_APP(symbol, handler)                                                                            \
    namespace {                                                                                                        \
    const auto forkhorn_handler_##symbol = handler;                                                                    \
    }                                                                                                                  \
    FORKHORN_EXTERN_C FORKHORN_EXPORT const fh_app* symbol(void)                                                       \
    {                                                                                                                  \
        return ::forkhorn::detail::coroutine_descriptor<&forkhorn_handler_##symbol>(#symbol);                          \
    }
