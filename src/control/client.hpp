// The client half of the control socket: one request, one reply (`forkhorn ctl` and tests).
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace forkhorn::control {

/// How long ctl waits for the server's reply.
inline constexpr std::chrono::seconds request_timeout{10};

/// Sends one request (`command` as in "worker add", `args` as in {"2"}) to the control socket
/// at `socket_path` and returns the reply's JSON text; nullopt with `error` set when the socket
/// cannot be reached or the reply does not arrive whole. With `master_pid` (the master ctl found
/// through its pidfile), the endpoint must be served by that process: one served by any other
/// (a process that took the pipe's name, a socket left to someone else) gets nothing sent.
std::optional<std::string> request(const std::string& socket_path, const std::string& command,
                                   const std::vector<std::string>& args, std::string& error, int master_pid = 0);

/// True when something accepts connections at `socket_path`: a running server, whose socket
/// must never be taken over.
bool socket_answers(const std::string& socket_path);

/// The same with a whole command line ("worker add 2"), split on blanks.
std::optional<std::string> request(const std::string& socket_path, const std::string& command_line, std::string& error);

} // namespace forkhorn::control
