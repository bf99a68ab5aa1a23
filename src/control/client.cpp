#include "control/client.hpp"

#include "control/commands.hpp"
#include "control/protocol.hpp"
#include "control_channel.hpp"

#include <fmt/format.h>

namespace forkhorn::control {
namespace {

using clock = std::chrono::steady_clock;

// Reads until one whole frame has arrived.
std::optional<std::string> read_reply(platform::native_socket s, clock::time_point deadline, std::string& error)
{
    frame_decoder frames;
    std::string payload;
    char buf[16384];
    for (;;) {
        switch (frames.next(payload)) {
        case frame_status::complete: return payload;
        case frame_status::too_long: return error = "the server's reply is too long", std::nullopt;
        case frame_status::need_more: break;
        }
        auto n = platform::read_local(s, buf, sizeof buf, deadline);
        if (n == -2) return error = "timed out waiting for the server's reply", std::nullopt;
        if (n < 0) return error = "connection lost while reading the reply", std::nullopt;
        if (n == 0) return error = "the server closed the connection without replying", std::nullopt;
        frames.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
}

} // namespace

bool socket_answers(const std::string& socket_path)
{
    std::string error;
    auto s = platform::connect_local(socket_path, error);
    if (s == platform::invalid_socket) return false;
    platform::close_local(s);
    return true;
}

std::optional<std::string> request(const std::string& socket_path, const std::string& command,
                                   const std::vector<std::string>& args, std::string& error, int master_pid)
{
    auto frame = encode_frame(make_request(1, command, args));
    if (!frame) return error = "request too long", std::nullopt;
    std::string why;
    auto s = platform::connect_local(socket_path, why);
    if (s == platform::invalid_socket)
        return error = fmt::format("cannot connect to control socket {}: {}", socket_path, why), std::nullopt;
    if (int server = master_pid != 0 ? platform::local_peer_pid(s) : 0; master_pid != 0 && server != master_pid) {
        platform::close_local(s);
        error =
            fmt::format("control socket {} is served by {}, not by the master (pid {}): nothing sent", socket_path,
                        server != 0 ? fmt::format("pid {}", server) : std::string("an unknown process"), master_pid);
        return std::nullopt;
    }
    auto deadline = clock::now() + request_timeout;
    std::optional<std::string> reply;
    if (!platform::write_local(s, *frame, deadline))
        error = "cannot send the request to " + socket_path;
    else
        reply = read_reply(s, deadline, error);
    platform::close_local(s);
    return reply;
}

std::optional<std::string> request(const std::string& socket_path, const std::string& command_line, std::string& error)
{
    // A known command goes out in the canonical form ("worker add" + ["2"]); anything else is
    // sent as typed, and the server's error says what is wrong with it.
    auto words = split_words(command_line);
    std::string ignored;
    if (auto c = parse_command(words, ignored)) return request(socket_path, command_name(*c), command_args(*c), error);
    return request(socket_path, command_line, {}, error);
}

} // namespace forkhorn::control
