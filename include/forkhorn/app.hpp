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

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "app.h"

namespace forkhorn {

inline std::string_view to_view(fh_str s) { return s.data ? std::string_view(s.data, s.size) : std::string_view(); }
inline fh_str to_str(std::string_view s) { return fh_str{s.data(), s.size()}; }

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
    /// The whole body (fine for small bodies; stream big ones with read()).
    std::string body()
    {
        std::string out;
        char buf[16384];
        for (std::int64_t n; (n = read(buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
        return out;
    }

    fh_request* native() const { return req_; }

private:
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
#define FORKHORN_APP(symbol, handler)                                                            \
    namespace {                                                                                  \
    const auto forkhorn_handler_##symbol = handler;                                              \
    }                                                                                            \
    FORKHORN_EXTERN_C FORKHORN_EXPORT const fh_app* symbol(void)                                 \
    {                                                                                            \
        return ::forkhorn::detail::descriptor<&forkhorn_handler_##symbol>(#symbol);              \
    }

/// Like FORKHORN_APP, with server hooks: `hooks` is the address of a static fh_hooks.
#define FORKHORN_APP_WITH_HOOKS(symbol, handler, hooks)                                          \
    namespace {                                                                                  \
    const auto forkhorn_handler_##symbol = handler;                                              \
    }                                                                                            \
    FORKHORN_EXTERN_C FORKHORN_EXPORT const fh_app* symbol(void)                                 \
    {                                                                                            \
        return ::forkhorn::detail::descriptor<&forkhorn_handler_##symbol>(#symbol, hooks);       \
    }
