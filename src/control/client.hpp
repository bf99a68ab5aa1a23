// The client half of `forkhorn ctl`, split out of run_ctl() so that tests can drive it.
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
/// cannot be reached or the reply does not arrive whole.
std::optional<std::string> request(const std::string& socket_path, const std::string& command,
                                   const std::vector<std::string>& args, std::string& error);

/// The same with a whole command line ("worker add 2"), split on blanks.
std::optional<std::string> request(const std::string& socket_path, const std::string& command_line, std::string& error);

/// run_ctl() with its output streams chosen by the caller (tests capture them in temp files).
int run_ctl(std::span<const std::string> args, std::FILE* out, std::FILE* err);

} // namespace forkhorn::control
