// The control socket's server side. It runs inside the arbiter's own loop, without a thread:
// the arbiter forks workers, and a thread alive across fork() is what the house rules forbid.
// So no client is ever waited for: connected clients are kept with their partial frames and
// read without waiting whenever the loop comes round (more often while any is pending), each
// under its own deadline. A silent client delays nobody, and never the arbiter's own duties.
#include "control/client.hpp"
#include "control/control.hpp"
#include "control/protocol.hpp"
#include "control_channel.hpp"
#include "process.hpp"
#include "system.hpp"

#include <chrono>
#include <filesystem>
#include <system_error>
#include <vector>

#include <fmt/format.h>

namespace forkhorn::control {
namespace {

namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;

// How long a client may take to send its request: `forkhorn ctl` needs microseconds.
constexpr auto client_time = std::chrono::seconds(5);
// Clients kept at once; more wait in the backlog until one is done (at most client_time).
constexpr std::size_t max_clients = 256;
// How long writing one reply may take: replies are small, and a client that reads nothing
// must not hold the arbiter.
constexpr auto reply_time = std::chrono::milliseconds(200);

bool send_reply(platform::native_socket s, const std::string& reply)
{
    auto frame = encode_frame(reply);
    return frame && platform::write_local(s, *frame, clock::now() + reply_time);
}

struct client {
    platform::native_socket socket;
    clock::time_point deadline;
    frame_decoder frames;
};

} // namespace

struct control_server::impl {
    arbiter_view& arbiter;
    platform::local_listener listener;
    std::string path;
    int owner_pid = 0;
    std::vector<client> clients;

    bool serve_ready(client& c);
    void drop(std::size_t i);
};

// Answers the frames that have arrived, without waiting for more. False when the client is done
// (closed, failed, sent a frame too long) and is to be closed.
bool control_server::impl::serve_ready(client& c)
{
    std::string payload;
    char buf[16384];
    for (;;) {
        auto n = platform::read_local(c.socket, buf, sizeof buf, clock::now()); // now: never waits
        if (n == -2) return true;                                               // nothing more yet
        if (n <= 0) return false; // closed (a truncated frame is simply dropped) or failed
        c.frames.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        frame_status st;
        while ((st = c.frames.next(payload)) == frame_status::complete)
            if (!send_reply(c.socket, dispatch(arbiter, payload))) return false;
        if (st == frame_status::too_long) {
            (void)send_reply(c.socket,
                             make_error_reply(nullptr, fmt::format("frame too long (limit {} bytes)", max_frame_size)));
            return false;
        }
    }
}

void control_server::impl::drop(std::size_t i)
{
    platform::close_local(clients[i].socket);
    clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
}

control_server::control_server(arbiter_view& arbiter) : impl_(new impl{arbiter, {}, {}, 0, {}}) {}

control_server::~control_server()
{
    close();
    delete impl_;
}

std::optional<std::string> control_server::open(const std::string& path, int mode)
{
    close();
    std::error_code ec;
    fs::path where = fs::absolute(path, ec);
    if (ec || path.empty()) return fmt::format("invalid control socket path '{}'", path);
    // Missing directories are the owner's only (0700), so that the socket is not reachable by
    // others even in the instant between bind() and the chmod that follows it; on Windows the
    // runtime directory keeps a pidfile naming the pipe nobody else may plant.
    if (auto err = platform::make_private_directories(where.parent_path().string())) return err;
    if (socket_answers(where.string()))
        return fmt::format("control socket {} is in use by a running server", where.string());
    platform::local_listener l;
    if (auto err = platform::listen_local(where.string(), mode, l)) return err;
    impl_->listener = l;
    impl_->path = where.string();
    impl_->owner_pid = platform::current_pid();
    return std::nullopt;
}

platform::native_socket control_server::handle() const
{
    // Full, the listener is not watched: it would stay readable and spin the arbiter's loop.
    return impl_->clients.size() < max_clients ? impl_->listener.wait_handle : platform::invalid_socket;
}

void control_server::on_readable()
{
    poll(); // answers, and makes room by dropping those done
    while (impl_->listener.wait_handle != platform::invalid_socket && impl_->clients.size() < max_clients) {
        auto s = platform::accept_local(impl_->listener);
        if (s == platform::invalid_socket) break;
        impl_->clients.push_back({s, clock::now() + client_time, {}});
    }
    poll();
}

void control_server::poll()
{
    auto now = clock::now();
    for (std::size_t i = 0; i < impl_->clients.size();) {
        auto& c = impl_->clients[i];
        if (impl_->serve_ready(c) && now < c.deadline)
            ++i;
        else
            impl_->drop(i);
    }
}

bool control_server::has_clients() const { return !impl_->clients.empty(); }

void control_server::close()
{
    while (!impl_->clients.empty()) impl_->drop(impl_->clients.size() - 1);
    if (impl_->listener.wait_handle == platform::invalid_socket) return;
    // A forked worker that tears this object down must not unlink the arbiter's socket.
    platform::close_local_listener(impl_->listener, platform::current_pid() == impl_->owner_pid);
    impl_->path.clear();
}

const std::string& control_server::path() const { return impl_->path; }

} // namespace forkhorn::control
