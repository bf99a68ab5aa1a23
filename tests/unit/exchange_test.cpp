#include "exchange/exchange.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <optional>
#include <thread>

using namespace forkhorn;

namespace {

/// An in-memory transport: `input` is what the peer sends, `sent` what the server wrote.
struct memory_transport final : transport {
    std::string input;
    std::size_t pos = 0;
    std::size_t delivered = 0;  // bytes of input already "received"
    std::size_t step = 1 << 20; // bytes per fill()
    std::string sent;

    std::string_view buffered() const override { return std::string_view(input).substr(pos, delivered - pos); }
    void consume(std::size_t n) override { pos += n; }
    std::int64_t fill() override
    {
        auto n = std::min(step, input.size() - delivered);
        delivered += n;
        return static_cast<std::int64_t>(n);
    }
    bool send(std::string_view data) override { return sent.append(data), true; }
    bool send_file(const std::string&, std::uint64_t, std::uint64_t) override { return false; }

    // Non-blocking: a receive takes what was delivered; a send takes at most `window` bytes.
    std::size_t arrived = 0; // bytes of input the peer has sent so far (fill_now delivers them)
    std::size_t window = 1 << 30;
    std::int64_t fill_now() override
    {
        if (arrived <= delivered) return not_yet;
        auto n = arrived - delivered;
        delivered = arrived;
        return static_cast<std::int64_t>(n);
    }
    std::int64_t send_now(std::string_view data) override
    {
        auto n = std::min(window, data.size());
        sent.append(data.substr(0, n));
        window -= n;
        return static_cast<std::int64_t>(n);
    }
};

using handler_fn = std::function<int(const fh_server_api*, fh_request*, fh_response*)>;

int trampoline(void* state, const fh_server_api* api, fh_request* req, fh_response* res)
{
    return (*static_cast<handler_fn*>(state))(api, req, res);
}

/// Parses `raw` and runs `fn` as the app; returns what went on the wire.
std::string serve(const std::string& raw, handler_fn fn, std::size_t step = 1 << 20)
{
    memory_transport io;
    io.input = raw;
    io.step = step;
    http::request_parser parser;
    http::request_head head;
    http::parse_result r;
    while ((r = parser.parse_head(io.buffered(), head)).status == http::parse_status::need_more) io.fill();
    BOOST_REQUIRE(r.status == http::parse_status::done);
    io.consume(r.consumed);
    http::date_cache dates;
    exchange ex(head, io, "127.0.0.1", false, dates);
    fh_app app{FORKHORN_ABI_VERSION, sizeof(fh_app), "test", nullptr, nullptr, trampoline, nullptr};
    ex.run(app, &fn);
    return io.sent;
}

/// Counts what an exchange in non-blocking mode asks its worker for.
struct counting_waiter final : io_waiter {
    int readable = 0, writable = 0;
    void want_readable() override { ++readable; }
    void want_writable() override { ++writable; }
};

/// A request in non-blocking mode over a memory transport, as an async worker runs one.
struct nonblocking_exchange {
    memory_transport io;
    http::request_head head;
    http::request_parser parser;
    http::date_cache dates;
    counting_waiter waiter;
    std::optional<exchange> ex;
    bool finished = false;

    nonblocking_exchange(const std::string& raw, std::size_t arrived)
    {
        io.input = raw;
        io.arrived = arrived;
        io.fill_now();
        auto r = parser.parse_head(io.buffered(), head);
        BOOST_REQUIRE(r.status == http::parse_status::done);
        io.consume(r.consumed);
        ex.emplace(head, io, "127.0.0.1", true, dates);
        ex->wait_with(&waiter);
    }
    /// Runs `fn` as the handler; true when the response was finished and sent at once.
    bool start(handler_fn& fn)
    {
        static const fh_app app{FORKHORN_ABI_VERSION, sizeof(fh_app), "test", nullptr, nullptr, trampoline, nullptr};
        return ex->start(
            app, &fn, [](void* self) { static_cast<nonblocking_exchange*>(self)->finished = true; }, this);
    }
};

struct io_result {
    int calls = 0;
    std::int64_t value = 0;
    static void done(void* self, std::int64_t r)
    {
        auto* me = static_cast<io_result*>(self);
        ++me->calls;
        me->value = r;
    }
};

fh_str s(std::string_view v) { return {v.data(), v.size()}; }

const std::string get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

} // namespace

BOOST_AUTO_TEST_SUITE(exchange_abi)

BOOST_AUTO_TEST_CASE(small_body_gets_content_length)
{
    auto out = serve(get, [](auto api, auto, auto res) {
        api->write(res, "hello", 5);
        return FH_DONE;
    });
    BOOST_TEST(out.starts_with("HTTP/1.1 200 OK\r\n"));
    BOOST_TEST(out.find("Content-Length: 5\r\n") != std::string::npos);
    BOOST_TEST(out.find("Connection: close\r\n") != std::string::npos);
    BOOST_TEST(out.ends_with("\r\n\r\nhello"));
}

BOOST_AUTO_TEST_CASE(long_body_is_chunked)
{
    std::string big(200000, 'x');
    auto out = serve(get, [&](auto api, auto, auto res) {
        api->write(res, big.data(), big.size());
        api->write(res, "y", 1);
        return FH_DONE;
    });
    BOOST_TEST(out.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    BOOST_TEST(out.find("\r\n1\r\ny\r\n0\r\n\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(head_keeps_length_without_body)
{
    auto out = serve("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", [](auto api, auto, auto res) {
        api->write(res, "hello", 5);
        return FH_DONE;
    });
    BOOST_TEST(out.find("Content-Length: 5\r\n") != std::string::npos);
    BOOST_TEST(out.ends_with("\r\n\r\n"));
}

BOOST_AUTO_TEST_CASE(status_204_has_no_body_and_no_length)
{
    auto out = serve(get, [](auto api, auto, auto res) {
        api->set_status(res, 204);
        api->write(res, "ignored", 7);
        return FH_DONE;
    });
    BOOST_TEST(out.starts_with("HTTP/1.1 204 No Content\r\n"));
    BOOST_TEST(out.find("Content-Length") == std::string::npos);
    BOOST_TEST(out.ends_with("\r\n\r\n"));
}

BOOST_AUTO_TEST_CASE(app_content_length_is_honoured_and_extra_bytes_dropped)
{
    auto out = serve(get, [](auto api, auto, auto res) {
        api->add_header(res, s("Content-Length"), s("3"));
        api->write(res, "abcdef", 6);
        return FH_DONE;
    });
    BOOST_TEST(out.find("Content-Length: 3\r\n") != std::string::npos);
    BOOST_TEST(out.ends_with("\r\n\r\nabc"));
}

BOOST_AUTO_TEST_CASE(invalid_calls_are_refused)
{
    serve(get, [](auto api, auto, auto res) {
        BOOST_TEST(api->set_status(res, 99) == FH_ERR_INVALID);
        BOOST_TEST(api->add_header(res, s("Bad Name"), s("v")) == FH_ERR_INVALID);
        BOOST_TEST(api->add_header(res, s("X"), s("a\r\nInjected: 1")) == FH_ERR_INVALID);
        std::string big(100000, 'x');
        api->write(res, big.data(), big.size()); // commits the head
        BOOST_TEST(api->set_status(res, 404) == FH_ERR_STATE);
        BOOST_TEST(api->finish(res) == FH_OK);
        BOOST_TEST(api->finish(res) == FH_ERR_STATE);
        return FH_DONE;
    });
}

BOOST_AUTO_TEST_CASE(failed_handler_gets_500)
{
    auto out = serve(get, [](auto, auto, auto) { return -1; });
    BOOST_TEST(out.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
}

BOOST_AUTO_TEST_CASE(reads_a_chunked_body_arriving_byte_by_byte)
{
    std::string body;
    serve(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        [&](auto api, auto req, auto) {
            char buf[3];
            for (std::int64_t n; (n = api->read_body(req, buf, sizeof buf)) > 0;) body.append(buf, n);
            return FH_DONE;
        },
        1);
    BOOST_TEST(body == "hello world");
}

BOOST_AUTO_TEST_CASE(expect_100_continue_is_sent_before_the_first_read)
{
    auto out = serve("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
                     [](auto api, auto req, auto res) {
                         char buf[8];
                         auto n = api->read_body(req, buf, sizeof buf);
                         api->write(res, buf, static_cast<std::size_t>(n));
                         return FH_DONE;
                     });
    BOOST_TEST(out.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
    BOOST_TEST(out.ends_with("\r\n\r\nok"));
}

BOOST_AUTO_TEST_CASE(pending_response_finished_from_another_thread)
{
    std::thread later;
    auto out = serve(get, [&](auto api, auto, auto res) {
        later = std::thread([api, res] {
            api->write(res, "late", 4);
            api->finish(res);
        });
        return FH_PENDING;
    });
    later.join();
    BOOST_TEST(out.ends_with("\r\n\r\nlate"));
}

BOOST_AUTO_TEST_CASE(request_accessors)
{
    serve("GET /a/b?x=1 HTTP/1.0\r\nHost: h\r\nX-One: 1\r\n\r\n", [](auto api, auto req, auto) {
        auto view = [](fh_str v) { return std::string(v.data, v.size); };
        BOOST_TEST(view(api->method(req)) == "GET");
        BOOST_TEST(view(api->target(req)) == "/a/b?x=1");
        BOOST_TEST(view(api->path(req)) == "/a/b");
        BOOST_TEST(view(api->query(req)) == "x=1");
        BOOST_TEST(view(api->version(req)) == "HTTP/1.0");
        BOOST_TEST(view(api->scheme(req)) == "http");
        BOOST_TEST(api->header_count(req) == 2u);
        fh_str value{};
        BOOST_TEST(api->header_get(req, s("x-one"), &value) == FH_OK);
        BOOST_TEST(view(value) == "1");
        BOOST_TEST(api->header_get(req, s("x-two"), &value) == FH_ERR_NOT_FOUND);
        fh_str name{};
        BOOST_TEST(api->header_at(req, 1, &name, &value) == FH_OK);
        BOOST_TEST(view(name) == "X-One");
        BOOST_TEST(api->header_at(req, 2, &name, &value) == FH_ERR_NOT_FOUND);
        return FH_DONE;
    });
}

BOOST_AUTO_TEST_CASE(nonblocking_write_waits_for_a_slow_client_then_completes)
{
    nonblocking_exchange t(get, get.size());
    t.io.window = 1000; // the client reads slowly
    std::string big(100000, 'x');
    io_result wrote;
    handler_fn fn = [&](auto api, auto, auto res) {
        BOOST_TEST(api->write_async(res, big.data(), big.size(), &io_result::done, &wrote) == FH_IN_PROGRESS);
        return FH_PENDING;
    };
    BOOST_TEST(!t.start(fn));
    BOOST_TEST(t.waiter.writable == 1);
    BOOST_TEST(t.io.sent.size() == 1000u);
    BOOST_TEST(wrote.calls == 0);
    t.io.window = 1 << 30; // the client caught up
    t.ex->on_writable();
    BOOST_TEST(wrote.calls == 1);
    BOOST_TEST(wrote.value == FH_OK);
    BOOST_TEST(t.io.sent.find("Transfer-Encoding: chunked") != std::string::npos);
    BOOST_TEST(!t.finished);
    BOOST_TEST(t.ex->finish() == FH_OK);
    BOOST_TEST(t.finished);
    BOOST_TEST(t.io.sent.ends_with("\r\n0\r\n\r\n"));
}

BOOST_AUTO_TEST_CASE(nonblocking_finish_tells_the_owner_once_the_last_byte_is_out)
{
    nonblocking_exchange t(get, get.size());
    t.io.window = 10;
    handler_fn fn = [&](auto api, auto, auto res) {
        api->write(res, "hello world", 11);
        return FH_DONE;
    };
    BOOST_TEST(!t.start(fn)); // finished by the app, not yet sent
    BOOST_TEST(!t.finished);
    BOOST_TEST(t.waiter.writable == 1);
    t.io.window = 1 << 30;
    t.ex->on_writable();
    BOOST_TEST(t.finished);
    BOOST_TEST(t.io.sent.ends_with("\r\n\r\nhello world"));
    BOOST_TEST(t.ex->keeps_connection());
}

BOOST_AUTO_TEST_CASE(nonblocking_read_waits_for_the_body)
{
    std::string raw = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello";
    nonblocking_exchange t(raw + "world", raw.size());
    char buf[16];
    io_result first, second;
    handler_fn fn = [&](auto api, auto req, auto) {
        BOOST_TEST(api->read_body_async(req, buf, sizeof buf, &io_result::done, &first) == 5);
        BOOST_TEST(api->read_body_async(req, buf, sizeof buf, &io_result::done, &second) == FH_IN_PROGRESS);
        return FH_PENDING;
    };
    BOOST_TEST(!t.start(fn));
    BOOST_TEST(t.waiter.readable == 1);
    BOOST_TEST(second.calls == 0);
    t.io.arrived = t.io.input.size(); // "world" arrives
    t.ex->on_readable(5);
    BOOST_TEST(second.calls == 1);
    BOOST_TEST(second.value == 5);
    BOOST_TEST(std::string_view(buf, 5) == "world");
    BOOST_TEST(first.calls == 0); // answered at once, not called back
}

BOOST_AUTO_TEST_CASE(nonblocking_io_that_waits_too_long_fails)
{
    std::string raw = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n";
    nonblocking_exchange t(raw, raw.size());
    char buf[16];
    io_result read;
    handler_fn fn = [&](auto api, auto req, auto) {
        BOOST_TEST(api->read_body_async(req, buf, sizeof buf, &io_result::done, &read) == FH_IN_PROGRESS);
        return FH_PENDING;
    };
    BOOST_TEST(!t.start(fn));
    t.ex->io_timed_out();
    BOOST_TEST(read.calls == 1);
    BOOST_TEST(read.value == FH_ERR_IO);
    BOOST_TEST(!t.ex->reusable());
}

// An upload cut short must never look finished: the app's read fails, and whatever it answers,
// the client gets 400 and a close.
BOOST_AUTO_TEST_CASE(a_body_cut_by_the_client_fails_the_read_and_answers_400)
{
    const std::string chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::vector<std::string> cuts{chunked + "5\r\nhello\r\n", chunked + "0\r\n", chunked + "5\r\nhel",
                                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello"};
    for (const auto& raw : cuts) {
        std::int64_t last = 1;
        auto out = serve(raw, [&](auto api, auto req, auto res) {
            char buf[64];
            while ((last = api->read_body(req, buf, sizeof buf)) > 0) {}
            api->write(res, "uploaded", 8); // the app ignores the error
            return FH_DONE;
        });
        BOOST_TEST(last == FH_ERR_IO, raw);
        BOOST_TEST(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), out);
        BOOST_TEST(out.find("Connection: close") != std::string::npos, out);
        BOOST_TEST(out.find("uploaded") == std::string::npos, out);
    }
}

BOOST_AUTO_TEST_CASE(nonblocking_read_of_a_cut_body_fails_and_answers_400)
{
    std::string raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
    nonblocking_exchange t(raw, raw.size());
    char buf[16];
    io_result read;
    handler_fn fn = [&](auto api, auto req, auto) {
        BOOST_TEST(api->read_body_async(req, buf, sizeof buf, &io_result::done, &read) == 5);
        BOOST_TEST(api->read_body_async(req, buf, sizeof buf, &io_result::done, &read) == FH_IN_PROGRESS);
        return FH_PENDING;
    };
    BOOST_TEST(!t.start(fn));
    t.ex->on_readable(0); // the client closed its side
    BOOST_TEST(read.calls == 1);
    BOOST_TEST(read.value == FH_ERR_IO);
    BOOST_TEST(t.ex->write(std::string_view("uploaded")) == FH_ERR_IO);
    t.ex->finish();
    BOOST_TEST(t.io.sent.starts_with("HTTP/1.1 400 Bad Request\r\n"), t.io.sent);
    BOOST_TEST(t.ex->status() == 400);
    BOOST_TEST(!t.ex->reusable());
}

BOOST_AUTO_TEST_CASE(a_body_read_that_times_out_answers_408)
{
    std::string raw = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n";
    nonblocking_exchange t(raw, raw.size());
    char buf[16];
    io_result read;
    handler_fn fn = [&](auto api, auto req, auto) {
        BOOST_TEST(api->read_body_async(req, buf, sizeof buf, &io_result::done, &read) == FH_IN_PROGRESS);
        return FH_PENDING;
    };
    BOOST_TEST(!t.start(fn));
    t.ex->io_timed_out();
    t.ex->finish();
    BOOST_TEST(t.io.sent.starts_with("HTTP/1.1 408 Request Timeout\r\n"), t.io.sent);
    BOOST_TEST(t.ex->status() == 408);
}

BOOST_AUTO_TEST_SUITE_END()
