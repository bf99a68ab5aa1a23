// Long polling with a C++20 coroutine handler: `GET /?ms=N` answers after N milliseconds
// without holding the worker (on async and uv the loop serves other requests meanwhile).
// `GET /loop` names the event loop the worker offers apps (fh_server_api.loop).
#include <forkhorn/app.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace {

// Resumes the coroutine on a thread of its own after `ms`: stands for any asynchronous work
// the app does itself (a database driver, a message queue...).
struct after {
    int ms;
    bool await_ready() const noexcept { return ms <= 0; }
    void await_suspend(std::coroutine_handle<> h) const
    {
        std::thread([h, ms = ms] {
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
            h.resume();
        }).detach();
    }
    void await_resume() const noexcept {}
};

std::string_view loop_name(int kind)
{
    return kind == FH_LOOP_UV ? "uv" : kind == FH_LOOP_ASIO ? "asio" : "none";
}

} // namespace

FORKHORN_ASYNC_APP(app, [](forkhorn::request req, forkhorn::response res) -> forkhorn::task {
    res.header("Content-Type", "text/plain");
    if (req.path() == "/loop") {
        int kind = FH_LOOP_NONE;
        req.loop(&kind);
        res.write("loop: " + std::string(loop_name(kind)) + "\n");
        co_return;
    }
    int ms = 0;
    if (req.query().starts_with("ms=")) ms = std::stoi(std::string(req.query().substr(3)));
    req.log(FH_LOG_INFO, "delay: waiting " + std::to_string(ms) + " ms"); // tests wait for this line
    co_await after{ms};
    co_await forkhorn::on_worker{req}; // back on the worker's loop to answer
    res.write("waited " + std::to_string(ms) + " ms\n");
})
