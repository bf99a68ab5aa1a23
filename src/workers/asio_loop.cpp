// event_loop on Asio: one io_context on this thread (epoll on Linux, IOCP on Windows).
#include <cassert>
#include <list>

#include <asio/executor_work_guard.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "sockets.hpp"
#include "workers/event_loop.hpp"

namespace forkhorn {

struct event_loop::watch {
    asio::generic::stream_protocol::socket socket;
    socket_reader& reader;
    bool reading = false;
    bool waiting = false; // for the socket to take more
    bool closing = false;
};

namespace {

class asio_loop final : public event_loop {
public:
    watch* add(platform::native_socket fd, socket_reader& reader) override
    {
        auto* w = new watch{asio::generic::stream_protocol::socket(io_), reader};
        asio::error_code ec;
        w->socket.assign(asio::generic::stream_protocol(platform::socket_family(fd), 0), fd, ec);
        if (!ec) return w;
        platform::close_socket(fd);
        delete w;
        return nullptr;
    }

    void read(watch* w, std::span<char> into) override
    {
        assert(!w->reading && !w->closing); // two reads pending would both finish the close
        w->reading = true;
        w->socket.async_read_some(asio::buffer(into.data(), into.size()),
                                  [w](const asio::error_code& ec, std::size_t n) {
                                      w->reading = false;
                                      if (w->closing) return w->waiting ? void() : finish_close(w);
                                      if (ec) return w->reader.on_read(ec == asio::error::eof ? 0 : -1);
                                      w->reader.on_read(static_cast<std::int64_t>(n));
                                  });
    }

    bool reading(const watch* w) const override { return w->reading; }

    void wait_writable(watch* w) override
    {
        w->waiting = true;
        w->socket.async_wait(asio::socket_base::wait_write, [w](const asio::error_code&) {
            w->waiting = false;
            if (w->closing) return w->reading ? void() : finish_close(w);
            w->reader.on_writable();
        });
    }

    void close(watch* w) override
    {
        w->closing = true;
        asio::error_code ec;
        w->socket.cancel(ec); // before close: a pending overlapped read must complete (wine)
        w->socket.close(ec);
        if (!w->reading && !w->waiting) asio::post(io_, [w] { finish_close(w); });
    }

    void post(std::function<void()> fn) override { asio::post(io_, std::move(fn)); }

    void every(std::chrono::milliseconds period, std::function<void()> tick) override
    {
        auto& timer = timers_.emplace_back(io_);
        arm(timer, period, std::move(tick));
    }

    void run() override { io_.run(); }
    void stop() override { io_.stop(); }
    void* native() override { return &io_; }

private:
    static void finish_close(watch* w)
    {
        w->reader.on_closed();
        delete w;
    }

    void arm(asio::steady_timer& timer, std::chrono::milliseconds period, std::function<void()> tick)
    {
        timer.expires_after(period);
        timer.async_wait([this, &timer, period, tick = std::move(tick)](const asio::error_code& ec) mutable {
            if (ec) return;
            tick();
            arm(timer, period, std::move(tick));
        });
    }

    asio::io_context io_{1};
    asio::executor_work_guard<asio::io_context::executor_type> busy_{io_.get_executor()};
    std::list<asio::steady_timer> timers_;
};

} // namespace

std::unique_ptr<event_loop> make_asio_loop() { return std::make_unique<asio_loop>(); }

} // namespace forkhorn
