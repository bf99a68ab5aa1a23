// Micro-benchmark of the request parsing path (head parser and body decoder) with a counting
// allocator: after the first request warms the parser's reused storage, parsing must not touch
// the heap. `--check` makes that a test (exit 1 on any allocation per request).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

#include "http/parser.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}

void* operator new(std::size_t size)
{
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

constexpr std::string_view requests[] = {
    "GET /hello?name=world HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n",
    "POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
    "Cookie: a=1; b=2\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n{\"a\": \"b\"}\r\n\r\n",
    "PUT /chunks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
};

// Parses one request (head and body) the way a worker does; returns the body bytes seen.
std::size_t parse_one(forkhorn::http::request_parser& parser, forkhorn::http::body_decoder& body, std::string_view in)
{
    using namespace forkhorn::http;
    request_head head;
    parser.reset();
    auto r = parser.parse_head(in, head);
    if (r.status != parse_status::done) std::abort();
    in.remove_prefix(r.consumed);
    body.start(head);
    std::size_t seen = 0;
    while (!body.done()) {
        auto b = body.decode(in);
        if (b.status == body_status::error) std::abort();
        seen += b.data.size();
        in.remove_prefix(b.consumed);
        if (b.status == body_status::done || b.status == body_status::need_more) break;
    }
    return seen;
}

} // namespace

int main(int argc, char** argv)
{
    bool check = argc > 1 && std::strcmp(argv[1], "--check") == 0;
    long rounds = check ? 10'000 : 1'000'000;
    forkhorn::http::request_parser parser;
    forkhorn::http::body_decoder body;
    for (auto req : requests) parse_one(parser, body, req); // warm-up: reused storage grows once
    std::size_t sink = 0;
    std::size_t before = allocations.load();
    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < rounds; ++i)
        for (auto req : requests) sink += parse_one(parser, body, req);
    auto elapsed = std::chrono::steady_clock::now() - start;
    std::size_t count = allocations.load() - before;
    double parsed = static_cast<double>(rounds) * std::size(requests);
    std::printf("requests parsed: %.0f\nheap allocations per request: %.4f\nns per request: %.1f\n(body bytes %zu)\n",
                parsed, static_cast<double>(count) / parsed,
                std::chrono::duration<double, std::nano>(elapsed).count() / parsed, sink);
    return check && count != 0 ? 1 : 0;
}
