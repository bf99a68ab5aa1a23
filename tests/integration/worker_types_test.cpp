// What differs between worker types, run once per type (FORKHORN_TEST_WORKER_CLASS): keep-alive,
// pipelining, 100-continue, slow clients, graceful stop of idle connections, max-requests.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <thread>

#include "paths.hpp"

using namespace forkhorn::test;
using namespace std::chrono_literals;
namespace utf = boost::unit_test;

namespace {

std::string get(std::string_view path, std::string_view extra = {})
{
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

struct serving {
    server_process server;
    int port;
    explicit serving(const std::string& app, std::vector<std::string> extra = {})
        : server(bin, serve_args(lib(examples, app), std::move(extra))), port(server.port())
    {
        BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(worker_types)

BOOST_AUTO_TEST_CASE(one_connection_carries_many_requests, *utf::precondition(worker_is{"sync", true}))
{
    serving s("echo");
    client_connection c(s.port);
    BOOST_REQUIRE(c.connected());
    for (int i = 0; i < 5; ++i) {
        BOOST_REQUIRE(c.send(get("/n" + std::to_string(i))));
        auto r = c.read_reply();
        BOOST_TEST(r.status == 200);
        BOOST_TEST(has(r.head, "Connection: keep-alive"), r.head);
        BOOST_TEST(has(r.body, "\"/n" + std::to_string(i) + "\""), r.body);
    }
    // HTTP/1.0 keeps the connection only when asked to.
    BOOST_REQUIRE(c.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto kept = c.read_reply();
    BOOST_TEST(kept.status == 200);
    BOOST_TEST(has(kept.head, "Connection: keep-alive"), kept.head);
    BOOST_REQUIRE(c.send("GET /old HTTP/1.0\r\n\r\n"));
    BOOST_TEST(c.read_reply().status == 200);
    BOOST_TEST(c.closed_by_peer());
}

BOOST_AUTO_TEST_CASE(sync_closes_after_each_response, *utf::precondition(worker_is{"sync"}))
{
    serving s("hello");
    client_connection c(s.port);
    BOOST_REQUIRE(c.send(get("/")));
    auto r = c.read_reply();
    BOOST_TEST(r.status == 200);
    BOOST_TEST(has(r.head, "Connection: close"), r.head);
    BOOST_TEST(c.closed_by_peer());
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order, *utf::precondition(worker_is{"sync", true}))
{
    serving s("echo");
    for (int count : {2, 10}) {
        client_connection c(s.port);
        std::string packet;
        for (int i = 0; i < count; ++i) packet += get("/p" + std::to_string(i));
        BOOST_REQUIRE(c.send(packet)); // one write: the requests arrive together
        for (int i = 0; i < count; ++i) {
            auto r = c.read_reply();
            BOOST_TEST_REQUIRE(r.status == 200, "response " << i << " of " << count);
            BOOST_TEST(has(r.body, "\"/p" + std::to_string(i) + "\""), r.body);
        }
    }
}

BOOST_AUTO_TEST_CASE(expect_100_continue_then_the_body)
{
    serving s("echo");
    client_connection c(s.port);
    BOOST_REQUIRE(c.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
    auto interim = c.read_reply();
    BOOST_TEST(interim.status == 100, interim.head);
    BOOST_REQUIRE(c.send("hello"));
    auto r = c.read_reply();
    BOOST_TEST(r.status == 200);
    BOOST_TEST(has(r.body, "\"body_b64\": \"aGVsbG8=\""), r.body); // "hello"
}

BOOST_AUTO_TEST_CASE(an_idle_connection_closes_after_keep_alive_seconds, *utf::precondition(worker_is{"sync", true}))
{
    serving s("hello", {"--keep-alive", "1"});
    client_connection c(s.port);
    BOOST_REQUIRE(c.send(get("/")));
    BOOST_TEST(c.read_reply().status == 200);
    auto start = std::chrono::steady_clock::now();
    BOOST_TEST(c.closed_by_peer(5s));
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 900ms)); // not before the keep-alive time
}

BOOST_AUTO_TEST_CASE(keep_alive_0_closes_after_each_response, *utf::precondition(worker_is{"sync", true}))
{
    serving s("hello", {"--keep-alive", "0"});
    client_connection c(s.port);
    BOOST_REQUIRE(c.send(get("/")));
    auto r = c.read_reply();
    BOOST_TEST(has(r.head, "Connection: close"), r.head);
    BOOST_TEST(c.closed_by_peer());
}

// 100 clients dribbling a request head cost sockets, not the worker: others are still served.
BOOST_AUTO_TEST_CASE(slow_clients_do_not_hold_the_worker, *utf::precondition(worker_is{"sync", true}))
{
    serving s("hello", {"-w", "1", "--threads", "1", "-t", "30"});
    std::vector<std::unique_ptr<client_connection>> slow;
    for (int i = 0; i < 100; ++i) {
        slow.push_back(std::make_unique<client_connection>(s.port));
        BOOST_REQUIRE(slow.back()->connected());
    }
    std::string head = get("/slow", "X-Padding: aaaaaaaaaaaaaaaa\r\n");
    for (std::size_t byte = 0; byte < 4; ++byte) {
        for (auto& c : slow) BOOST_REQUIRE(c->send(head.substr(byte, 1)));
        auto r = http_get(s.port, "/", 1s);
        BOOST_TEST_REQUIRE(r.status == 200, "a normal client was not answered within 1 s");
        std::this_thread::sleep_for(250ms); // the dribble rate, not a wait for the server
    }
    for (auto& c : slow) BOOST_REQUIRE(c->send(head.substr(4)));
    for (auto& c : slow) BOOST_TEST(c->read_reply().status == 200);
}

BOOST_AUTO_TEST_CASE(graceful_stop_closes_idle_connections_and_finishes_requests,
                     *utf::precondition(worker_is{"sync", true}))
{
    serving s("slow", {"-w", "1", "--threads", "2", "--keep-alive", "30"});
    client_connection idle(s.port);
    BOOST_REQUIRE(idle.send(get("/?seconds=0")));
    BOOST_REQUIRE(idle.read_reply().status == 200);
    client_connection busy(s.port);
    BOOST_REQUIRE(busy.send(get("/?seconds=2")));
    BOOST_REQUIRE(s.server.wait_for_log("slow: sleeping 2", 10s)); // the request reached the handler
    s.server.send(sig::term);
    BOOST_TEST(idle.closed_by_peer(3s)); // long before its 30 s keep-alive
    auto r = busy.read_reply(10s);
    BOOST_TEST(r.status == 200);
    // On async and uv this blocking handler holds the loop, which sees the stop only after it.
    if (worker_class() == "gthread") BOOST_TEST(has(r.head, "Connection: close"), r.head);
    BOOST_TEST(busy.closed_by_peer());
    auto code = s.server.wait_exit(15s);
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 0);
}

BOOST_AUTO_TEST_CASE(max_requests_counts_requests_not_connections, *utf::precondition(worker_is{"sync", true}))
{
    serving s("hello", {"-w", "1", "--max-requests", "3"});
    require_booted(s.server);
    client_connection c(s.port);
    for (int i = 0; i < 2; ++i) {
        BOOST_REQUIRE(c.send(get("/")));
        auto r = c.read_reply();
        BOOST_TEST(has(r.head, "Connection: keep-alive"), r.head);
    }
    BOOST_REQUIRE(c.send(get("/")));
    auto last = c.read_reply();
    BOOST_TEST(last.status == 200);
    BOOST_TEST(has(last.head, "Connection: close"), last.head); // the worker is retiring
    BOOST_TEST(c.closed_by_peer());
    BOOST_TEST(s.server.wait_for_log("Autorestarting worker after current request."));
    require_booted(s.server, 2);
    BOOST_TEST(http_get(s.port, "/").status == 200);
}

BOOST_AUTO_TEST_CASE(worker_connections_bounds_open_connections, *utf::precondition(worker_is{"sync", true}))
{
    serving s("hello", {"-w", "1", "--worker-connections", "2", "--keep-alive", "30"});
    // Two connections in the middle of a request head: busy, not idle, so nothing makes room.
    auto first = std::make_unique<client_connection>(s.port);
    client_connection second(s.port);
    for (auto* c : {first.get(), &second}) BOOST_REQUIRE(c->send("GET / HTTP/1.1\r\n"));
    client_connection third(s.port); // the kernel accepts it; the worker does not take it yet
    BOOST_REQUIRE(third.send(get("/")));
    BOOST_TEST(third.read_reply(1s).status == 0);
    first.reset(); // one slot frees up
    BOOST_TEST(third.read_reply(5s).status == 200);
}

// At the limit, idle keep-alive connections make room for new clients, oldest first (nginx
// reuses connections the same way) instead of leaving the new ones in the backlog.
BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_make_room_for_new_clients, *utf::precondition(worker_is{"sync", true}))
{
    const std::size_t limit = has_unix_features() ? 1000 : 100, clients = 2 * limit;
    BOOST_REQUIRE_MESSAGE(raise_descriptor_limit(2 * clients + 200) >= 2 * clients + 100,
                          "needs a descriptor limit of " << 2 * clients + 100);
    serving s("hello", {"-w", "1", "--worker-connections", std::to_string(limit), "--keep-alive", "60"});
    std::vector<std::unique_ptr<client_connection>> open;
    for (std::size_t i = 0; i < clients; ++i) {
        open.push_back(std::make_unique<client_connection>(s.port));
        BOOST_REQUIRE(open.back()->send(get("/")));
        BOOST_REQUIRE_MESSAGE(open.back()->read_reply(5s).status == 200, "client " << i << " was not answered");
    }
    BOOST_TEST(open.front()->closed_by_peer(5s)); // the oldest idle one made room
    BOOST_TEST(open.back()->send(get("/")));      // the newest is still served
    BOOST_TEST(open.back()->read_reply(5s).status == 200);
    BOOST_TEST(count_of(s.server.log(), "worker_connections are not enough") == 1, s.server.log());
}

BOOST_AUTO_TEST_CASE(a_pending_handler_leaves_the_worker_free, *utf::precondition(worker_is{"sync", true}))
{
    serving s("delay", {"-w", "1", "--threads", "2"});
    auto kind = worker_class();
    std::string loop = kind == "async" ? "asio" : kind == "uv" ? "uv" : "none";
    BOOST_TEST(has(http_get(s.port, "/loop").body, "loop: " + loop));
    client_connection waiting(s.port);
    BOOST_REQUIRE(waiting.send(get("/?ms=1500")));
    BOOST_REQUIRE(s.server.wait_for_log("delay: waiting 1500 ms"));
    auto quick = http_get(s.port, "/?ms=0");
    BOOST_TEST(quick.status == 200);
    BOOST_TEST(waiting.read_reply(0ms).status == 0); // still waiting when the other was answered
    auto r = waiting.read_reply(10s);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(has(r.body, "waited 1500 ms"), r.body);
}

// A client that sends its body slowly holds a socket, not the worker.
BOOST_AUTO_TEST_CASE(a_slow_upload_does_not_hold_the_worker, *utf::precondition(worker_is{"sync", true}))
{
    serving s("echo", {"-w", "1", "--threads", "2"});
    client_connection slow(s.port);
    BOOST_REQUIRE(slow.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello"));
    BOOST_REQUIRE(slow.read_reply(300ms).status == 0); // half a body: no answer yet
    BOOST_TEST(http_get(s.port, "/other", 3s).status == 200);
    BOOST_REQUIRE(slow.send("world"));
    auto r = slow.read_reply();
    BOOST_TEST(r.status == 200);
    BOOST_TEST(has(r.body, "\"body_b64\": \"aGVsbG93b3JsZA==\""), r.body); // "helloworld"
}

namespace {

constexpr std::uint64_t gib = 1ull << 30;
char pattern(std::uint64_t i) { return static_cast<char>('a' + i % 26); }

// Reads a chunked body as it arrives, checking every byte against the pattern; returns the
// number of good bytes (stops at the first bad one).
std::uint64_t read_generated_body(client_connection& c)
{
    std::string pending = c.take_some();
    auto head_end = pending.find("\r\n\r\n");
    while (head_end == std::string::npos) {
        auto more = c.take_some();
        if (more.empty()) return 0;
        pending += more;
        head_end = pending.find("\r\n\r\n");
    }
    pending.erase(0, head_end + 4);
    std::uint64_t good = 0;
    for (;;) {
        auto eol = pending.find("\r\n");
        if (eol == std::string::npos) {
            auto more = c.take_some();
            if (more.empty()) return good;
            pending += more;
            continue;
        }
        std::uint64_t size = std::strtoull(pending.c_str(), nullptr, 16);
        if (size == 0) return good;
        pending.erase(0, eol + 2);
        while (size > 0) {
            if (pending.empty()) pending = c.take_some();
            if (pending.empty()) return good;
            auto n = std::min<std::uint64_t>(size, pending.size());
            for (std::uint64_t i = 0; i < n; ++i)
                if (pending[i] != pattern(good + i)) return good + i;
            good += n;
            size -= n;
            pending.erase(0, n);
        }
        while (pending.size() < 2) {
            auto more = c.take_some();
            if (more.empty()) return good;
            pending += more;
        }
        pending.erase(0, 2); // the CRLF after the chunk
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(a_gibibyte_streams_each_way_in_constant_memory)
{
    serving s("stream", {"-w", "1", "-t", "120"});
    require_workers(s.server, 1);
    int worker = s.server.children()[0];
    BOOST_REQUIRE(http_get(s.port, "/?bytes=100000").status == 200); // the worker is warm
    auto before = process_rss_kib(worker);
    // Under a sanitizer the memory bound is not checked (below) and 1 GiB each way takes minutes:
    // 64 MiB still streams through every buffer many times over and checks every byte.
    const std::uint64_t size = sanitizer_in_use().empty() ? gib : gib / 16;

    client_connection down(s.port);
    BOOST_REQUIRE(down.send(get("/?bytes=" + std::to_string(size))));
    BOOST_TEST(read_generated_body(down) == size);

    client_connection up(s.port);
    BOOST_REQUIRE(up.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n"));
    std::string piece(256 * 1024, '\0');
    std::uint32_t fnv = 2166136261u;
    for (std::uint64_t sent = 0; sent < size; sent += piece.size()) {
        for (std::size_t i = 0; i < piece.size(); ++i) {
            piece[i] = pattern(sent + i);
            fnv = (fnv ^ static_cast<unsigned char>(piece[i])) * 16777619u;
        }
        BOOST_REQUIRE(up.send(piece));
    }
    auto r = up.read_reply(60s);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body == "bytes=" + std::to_string(size) + " fnv=" + std::to_string(fnv) + "\n");

    auto after = process_rss_kib(worker);
    BOOST_TEST_MESSAGE("worker RSS " << before << " KiB before, " << after << " KiB after " << 2 * size / (1 << 20)
                                     << " MiB");
    if (sanitizer_in_use().empty())
        BOOST_TEST(after < before + 16 * 1024, "RSS grew from " << before << " to " << after << " KiB");
    else
        BOOST_TEST_MESSAGE("RSS bound not checked under the " << sanitizer_in_use()
                                                              << " sanitizer, whose runtime keeps freed memory");
}

// Bodies too big for the loop to read ahead (over 64 KiB, chunked) reach a coroutine handler
// through read_async: a client that sends one slowly holds a socket, not the worker.
BOOST_AUTO_TEST_CASE(a_slow_large_upload_does_not_hold_the_worker, *utf::precondition(worker_is{"sync", true}))
{
    serving s("stream", {"-w", "1", "--threads", "3"}); // gthread: each upload holds a thread
    std::string body(300 * 1024, '\0');
    std::uint32_t fnv = 2166136261u;
    for (std::size_t i = 0; i < body.size(); ++i) {
        body[i] = pattern(i);
        fnv = (fnv ^ static_cast<unsigned char>(body[i])) * 16777619u;
    }
    client_connection sized(s.port), chunked(s.port);
    BOOST_REQUIRE(sized.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\n\r\n" + body.substr(0, 100 * 1024)));
    BOOST_REQUIRE(chunked.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
    BOOST_REQUIRE(chunked.send("19000\r\n" + body.substr(0, 100 * 1024) + "\r\n"));
    BOOST_REQUIRE(sized.read_reply(300ms).status == 0); // part of a body: no answer yet
    BOOST_TEST(http_get(s.port, "/?bytes=10", 3s).status == 200);
    BOOST_REQUIRE(sized.send(body.substr(100 * 1024)));
    BOOST_REQUIRE(chunked.send("32000\r\n" + body.substr(100 * 1024) + "\r\n0\r\n\r\n"));
    auto expected = "bytes=" + std::to_string(body.size()) + " fnv=" + std::to_string(fnv) + "\n";
    for (auto* c : {&sized, &chunked}) {
        auto r = c->read_reply();
        BOOST_TEST(r.status == 200);
        BOOST_TEST(r.body == expected);
    }
}

// A response the client reads slowly waits in write_async: the worker answers others meanwhile.
BOOST_AUTO_TEST_CASE(a_slow_reader_does_not_hold_the_worker, *utf::precondition(worker_is{"sync", true}))
{
    serving s("stream", {"-w", "1", "--threads", "2"});
    constexpr std::uint64_t size = 64ull << 20; // far more than the socket buffers hold
    client_connection slow(s.port);
    BOOST_REQUIRE(slow.send(get("/?bytes=" + std::to_string(size))));
    auto first = slow.take_some(); // the response has begun; nobody reads the rest for now
    BOOST_REQUIRE(has(first, "200 OK"));
    BOOST_TEST(http_get(s.port, "/?bytes=10", 3s).status == 200);
    std::string rest = first;
    std::uint64_t good = 0;
    {
        auto head_end = rest.find("\r\n\r\n");
        BOOST_REQUIRE(head_end != std::string::npos);
        rest.erase(0, head_end + 4);
        // Walk the chunks of what arrived, then of what follows.
        for (;;) {
            auto eol = rest.find("\r\n");
            while (eol == std::string::npos) {
                auto more = slow.take_some();
                BOOST_REQUIRE(!more.empty());
                rest += more;
                eol = rest.find("\r\n");
            }
            std::uint64_t chunk = std::strtoull(rest.c_str(), nullptr, 16);
            rest.erase(0, eol + 2);
            if (chunk == 0) break;
            while (rest.size() < chunk + 2) {
                auto more = slow.take_some();
                BOOST_REQUIRE(!more.empty());
                rest += more;
            }
            for (std::uint64_t i = 0; i < chunk; ++i)
                if (rest[i] != pattern(good + i)) BOOST_FAIL("byte " << good + i << " differs");
            good += chunk;
            rest.erase(0, chunk + 2);
        }
    }
    BOOST_TEST(good == size);
}

// A client that stops sending in the middle of a body: after --timeout the app's read fails
// and the connection closes; the worker lives on.
BOOST_AUTO_TEST_CASE(a_stalled_upload_times_out, *utf::precondition(worker_is{"sync", true}))
{
    serving s("stream", {"-w", "1", "--threads", "2", "-t", "2"});
    client_connection stalled(s.port);
    BOOST_REQUIRE(
        stalled.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" + std::string(100 * 1024, 'a')));
    auto r = stalled.read_reply(10s); // whatever the app answers, the client is told the body timed out
    BOOST_TEST(r.status == 408);
    BOOST_TEST(stalled.closed_by_peer(10s));
    BOOST_TEST(http_get(s.port, "/?bytes=10", 3s).status == 200);
    BOOST_TEST(s.server.log().find("WORKER TIMEOUT") == std::string::npos, s.server.log());
}

// An upload cut short by the client (it then closes its side) is never answered as complete,
// whether the app reads blocking (echo) or with read_async (stream); the access log says 400.
BOOST_AUTO_TEST_CASE(a_cut_upload_is_never_answered_as_complete)
{
    const std::string chunked = "POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::vector<std::string> cuts{chunked + "5\r\nhello\r\n", chunked + "0\r\n",
                                        "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello"};
    for (const char* app : {"echo", "stream"}) {
        serving s(app, {"-w", "1", "--access-logfile", "-"});
        for (const auto& cut : cuts) {
            client_connection c(s.port);
            BOOST_REQUIRE(c.send(cut));
            c.end_sending();
            auto r = c.read_reply(10s);
            BOOST_TEST(r.status == 400, app << ": " << cut << " -> " << r.status);
            BOOST_TEST(c.closed_by_peer(10s), app);
        }
        BOOST_TEST(eventually([&] { return count_of(s.server.out(), "\"POST /up HTTP/1.1\" 400 ") == 3; }),
                   app << ": " << s.server.out());
        BOOST_TEST(count_of(s.server.log(), "request body incomplete") == 3, s.server.log());
    }
}

BOOST_AUTO_TEST_CASE(static_files_go_out_whole)
{
    temp_dir dir;
    std::string content;
    for (std::size_t i = 0; i < 3 * 1024 * 1024; ++i) content += static_cast<char>(i * 7919 % 251);
    {
        std::ofstream f(dir / "data.bin", std::ios::binary);
        f << content;
    }
    server_process server(bin, serve_args(lib(examples, "static"), {"-w", "1"}),
                          std::vector<std::string>{"FORKHORN_STATIC_ROOT=" + dir.path});
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    client_connection c(port);
    BOOST_REQUIRE(c.send(get("/data.bin")));
    auto r = c.read_reply(20s);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(has(r.head, "Content-Length: " + std::to_string(content.size())), r.head);
    BOOST_TEST((r.body == content));
    BOOST_TEST(http_get(port, "/missing.txt").status == 404);
    BOOST_TEST(http_get(port, "/../etc/passwd").status == 403);
}

namespace {
// The response with its Date header blanked (the only part that may differ).
std::string without_date(std::string raw)
{
    auto at = raw.find("\r\nDate: ");
    if (at != std::string::npos) raw.erase(at + 8, raw.find("\r\n", at + 2) - at - 8);
    return raw;
}
} // namespace

// Run once (in the sync variant): every worker type gives the same bytes for the same request.
// sendfile as the client takes it: a slow reader of a large file holds a socket, not the worker.
BOOST_AUTO_TEST_CASE(a_slow_reader_of_a_file_does_not_hold_the_worker, *utf::precondition(worker_is{"sync", true}))
{
    temp_dir dir;
    std::string content;
    for (std::size_t i = 0; i < 32 * 1024 * 1024; ++i) content += static_cast<char>(i * 7919 % 251);
    {
        std::ofstream f(dir / "big.bin", std::ios::binary);
        f << content;
        std::ofstream(dir / "small.txt", std::ios::binary) << "small\n";
    }
    server_process server(bin, serve_args(lib(examples, "static"), {"-w", "1", "--threads", "2"}),
                          std::vector<std::string>{"FORKHORN_STATIC_ROOT=" + dir.path});
    int port = server.port();
    BOOST_REQUIRE_MESSAGE(port > 0, server.log());
    client_connection slow(port);
    BOOST_REQUIRE(slow.send(get("/big.bin")));
    std::string received = slow.take_some(); // the file has begun; nobody reads on for now
    BOOST_REQUIRE(has(received, "200 OK"));
    auto small = http_get(port, "/small.txt", 3s);
    BOOST_TEST(small.status == 200);
    BOOST_TEST(small.body == "small\n");
    auto head_end = received.find("\r\n\r\n");
    BOOST_REQUIRE(head_end != std::string::npos);
    received.erase(0, head_end + 4);
    while (received.size() < content.size()) {
        auto more = slow.take_some();
        if (more.empty()) break;
        received += more;
    }
    BOOST_TEST(received.size() == content.size());
    BOOST_TEST((received == content));
}

BOOST_AUTO_TEST_CASE(every_worker_type_answers_the_same_bytes, *utf::precondition(worker_is{"sync"}))
{
    const std::vector<std::string> requests{
        "GET /a?b=c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "GET /bad path HTTP/1.1\r\nHost: t\r\n\r\n",
    };
    std::vector<std::string> reference;
    for (std::string kind : {"sync", "gthread", "async", "uv"}) {
        server_process server(bin, serve_args(lib(examples, "echo"), {"-k", kind}));
        int port = server.port();
        BOOST_REQUIRE_MESSAGE(port > 0, server.log());
        for (std::size_t i = 0; i < requests.size(); ++i) {
            auto raw = exchange_raw(port, requests[i]);
            BOOST_REQUIRE(raw.has_value());
            auto normal = without_date(*raw);
            if (kind == "sync")
                reference.push_back(normal);
            else
                BOOST_TEST(normal == reference[i], kind << ", request " << i);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
