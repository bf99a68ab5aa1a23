// The control socket's server side. It runs inside the arbiter's own loop, without a thread:
// the arbiter forks workers, and a thread alive across fork() is what the house rules forbid.
// So every client is served to completion here, under a short deadline, and then closed.
#include "control/client.hpp"
#include "control/control.hpp"
#include "control/protocol.hpp"
#include "control_channel.hpp"
#include "process.hpp"

#include <chrono>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace forkhorn::control {
namespace {

namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;

// How long one on_readable() may keep the arbiter from its other work, across all clients.
// A well-behaved `forkhorn ctl` is done in microseconds; a slow client just gets cut off.
constexpr auto serve_budget = std::chrono::milliseconds(1000);

// Creates the missing directories of `dir` with mode 0700, so that the socket is not reachable
// by others even in the instant between bind() and the chmod that follows it.
std::optional<std::string> make_private_dirs(const fs::path& dir)
{
    std::error_code ec;
    if (dir.empty() || fs::exists(dir, ec)) return std::nullopt;
    if (auto err = make_private_dirs(dir.parent_path())) return err;
    if (!fs::create_directory(dir, ec) && ec)
        return fmt::format("cannot create directory {}: {}", dir.string(), ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return fmt::format("cannot set mode 0700 on {}: {}", dir.string(), ec.message());
    return std::nullopt;
}

void send_reply(platform::native_socket s, const std::string& reply, clock::time_point deadline)
{
    if (auto frame = encode_frame(reply)) platform::write_local(s, *frame, deadline);
}

} // namespace

struct control_server::impl {
    arbiter_view& arbiter;
    platform::local_listener listener;
    std::string path;
    int owner_pid = 0;

    void serve(platform::native_socket s, clock::time_point deadline);
};

// Answers every frame the client sends until it closes, errs or runs out of time.
void control_server::impl::serve(platform::native_socket s, clock::time_point deadline)
{
    frame_decoder frames;
    std::string payload;
    char buf[16384];
    for (;;) {
        auto n = platform::read_local(s, buf, sizeof buf, deadline);
        if (n <= 0) return; // closed (a truncated frame is simply dropped), error or timeout
        frames.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        frame_status st;
        while ((st = frames.next(payload)) == frame_status::complete)
            send_reply(s, dispatch(arbiter, payload), deadline);
        if (st == frame_status::too_long) {
            send_reply(s, make_error_reply(nullptr, fmt::format("frame too long (limit {} bytes)", max_frame_size)),
                       deadline);
            return;
        }
    }
}

control_server::control_server(arbiter_view& arbiter) : impl_(new impl{arbiter, {}, {}, 0}) {}

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
    if (auto err = make_private_dirs(where.parent_path())) return err;
    if (socket_answers(where.string()))
        return fmt::format("control socket {} is in use by a running server", where.string());
    platform::local_listener l;
    if (auto err = platform::listen_local(where.string(), mode, l)) return err;
    impl_->listener = l;
    impl_->path = where.string();
    impl_->owner_pid = platform::current_pid();
    return std::nullopt;
}

platform::native_socket control_server::handle() const { return impl_->listener.wait_handle; }

void control_server::on_readable()
{
    auto deadline = clock::now() + serve_budget;
    while (impl_->listener.wait_handle != platform::invalid_socket && clock::now() < deadline) {
        auto client = platform::accept_local(impl_->listener);
        if (client == platform::invalid_socket) return;
        impl_->serve(client, deadline);
        platform::close_local(client);
    }
}

void control_server::close()
{
    if (impl_->listener.wait_handle == platform::invalid_socket) return;
    // A forked worker that tears this object down must not unlink the arbiter's socket.
    platform::close_local_listener(impl_->listener, platform::current_pid() == impl_->owner_pid);
    impl_->path.clear();
}

const std::string& control_server::path() const { return impl_->path; }

} // namespace forkhorn::control
