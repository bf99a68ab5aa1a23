// event_loop on libuv: sockets are watched with uv_poll (readiness, on both systems), so the
// HTTP code reads them itself exactly as on the Asio loop.
#include <list>
#include <mutex>
#include <vector>

#include <uv.h>

#include "sockets.hpp"
#include "workers/event_loop.hpp"

namespace forkhorn {

struct event_loop::watch {
    uv_poll_t poll;
    platform::native_socket fd;
    socket_reader& reader;
    std::span<char> into;    // the pending read, if any
    bool want_write = false; // on_writable wanted
    int events = 0;          // what uv_poll watches
    bool closing = false;
};

namespace {

class uv_loop final : public event_loop {
public:
    uv_loop()
    {
        uv_loop_init(&loop_);
        uv_async_init(&loop_, &wake_, [](uv_async_t* a) { static_cast<uv_loop*>(a->data)->run_posted(); });
        wake_.data = this;
    }

    watch* add(platform::native_socket fd, socket_reader& reader) override
    {
        auto* w = new watch{{}, fd, reader, {}, false, 0, false};
        if (uv_poll_init_socket(&loop_, &w->poll, static_cast<uv_os_sock_t>(fd)) == 0) {
            w->poll.data = w;
            return w;
        }
        platform::close_socket(fd);
        delete w;
        return nullptr;
    }

    void read(watch* w, std::span<char> into) override
    {
        w->into = into;
        watch_for(w, UV_READABLE);
    }

    bool reading(const watch* w) const override { return !w->into.empty(); }

    void wait_writable(watch* w) override
    {
        w->want_write = true;
        watch_for(w, UV_WRITABLE);
    }

    void close(watch* w) override
    {
        w->closing = true;
        uv_poll_stop(&w->poll);
        uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), [](uv_handle_t* h) {
            auto* closed = static_cast<watch*>(h->data);
            platform::close_socket(closed->fd); // only now: libuv may still use it until the close callback
            closed->reader.on_closed();
            delete closed;
        });
    }

    void post(std::function<void()> fn) override
    {
        {
            std::lock_guard lock(mutex_);
            posted_.push_back(std::move(fn));
        }
        uv_async_send(&wake_);
    }

    void every(std::chrono::milliseconds period, std::function<void()> tick) override
    {
        auto& t = timers_.emplace_back();
        t.tick = std::move(tick);
        uv_timer_init(&loop_, &t.timer);
        t.timer.data = &t;
        auto ms = static_cast<std::uint64_t>(period.count());
        uv_timer_start(
            &t.timer, [](uv_timer_t* h) { static_cast<ticker*>(h->data)->tick(); }, ms, ms);
    }

    void run() override { uv_run(&loop_, UV_RUN_DEFAULT); }
    void stop() override { uv_stop(&loop_); }
    void* native() override { return &loop_; }

private:
    struct ticker {
        uv_timer_t timer;
        std::function<void()> tick;
    };

    // Adds `events` to what is watched. Level-triggered: a watch stays armed after a read, so
    // back-to-back reads cost no epoll_ctl; a wake-up nobody wants narrows it (on_poll).
    static void watch_for(watch* w, int events)
    {
        if ((w->events & events) == events) return;
        w->events |= events;
        uv_poll_start(&w->poll, w->events, on_poll);
    }

    static void on_poll(uv_poll_t* handle, int status, int events)
    {
        auto* w = static_cast<watch*>(handle->data);
        bool failed = status < 0;
        int wanted = (w->into.empty() ? 0 : UV_READABLE) | (w->want_write ? UV_WRITABLE : 0);
        if (!failed && !(events & wanted)) {
            // Nobody waits for this now (a request is in the app): watch only what is wanted.
            w->events = wanted;
            if (wanted)
                uv_poll_start(handle, wanted, on_poll);
            else
                uv_poll_stop(handle);
            return;
        }
        if (w->want_write && (failed || (events & UV_WRITABLE))) {
            w->want_write = false;
            w->reader.on_writable();
            if (w->closing) return;
        }
        if (w->into.empty() || !(failed || (events & UV_READABLE))) return;
        std::int64_t n = failed ? -1 : platform::recv_now(w->fd, w->into.data(), w->into.size());
        if (n == -2) return; // spurious wake-up
        w->into = {};
        w->reader.on_read(n);
    }

    void run_posted()
    {
        {
            std::lock_guard lock(mutex_);
            batch_.swap(posted_); // both keep their capacity: no allocation per batch
        }
        for (auto& fn : batch_) fn();
        batch_.clear();
    }

    uv_loop_t loop_;
    uv_async_t wake_;
    std::mutex mutex_;
    std::vector<std::function<void()>> posted_;
    std::vector<std::function<void()>> batch_; // being run (loop thread only)
    std::list<ticker> timers_;
};

} // namespace

std::unique_ptr<event_loop> make_uv_loop() { return std::make_unique<uv_loop>(); }

} // namespace forkhorn
