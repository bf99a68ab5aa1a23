// `forkhorn ctl`: the command that finds a running master and controls it.
#pragma once

#include <cstdio>
#include <span>
#include <string>

namespace forkhorn::control {

/// `forkhorn ctl [-n NAME | --pid FILE | -s SOCKET] [--json] COMMAND [ARGS]`. Returns the exit
/// status: 0 done, 1 error, 2 usage error, 3 not running (a stale pidfile is reported as such).
int run_ctl(std::span<const std::string> args);

/// run_ctl() with its output streams chosen by the caller (tests capture them in temp files).
int run_ctl(std::span<const std::string> args, std::FILE* out, std::FILE* err);

} // namespace forkhorn::control
