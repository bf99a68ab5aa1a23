// The control channel: the local endpoint `forkhorn ctl` talks to (the control socket). The
// framing above it (src/control/) is the same everywhere.
#pragma once

#include "native_socket.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace forkhorn::platform {

/// The control endpoint named by `path`: a unix-domain socket at `path` with `mode` (POSIX),
/// or a local-only named pipe `\\.\pipe\forkhorn-<path>` with an explicit access list
/// (Windows).
/// Windows pipe names are global: listen_local fails when another process holds the name
/// (FILE_FLAG_FIRST_PIPE_INSTANCE), and says so.
struct local_listener {
    native_socket wait_handle = invalid_socket; // ready when a client is waiting (for control_source::wait)
    std::intptr_t state = 0;                    // the platform's own (Windows: the pending pipe instance)
    std::string path;
};
std::optional<std::string> listen_local(const std::string& path, int mode, local_listener& out);
/// A client that is waiting, or invalid_socket.
native_socket accept_local(local_listener& l);
/// Closes the endpoint; `remove` also deletes the socket file (the process that made it).
void close_local_listener(local_listener& l, bool remove);
/// Connects to the endpoint at `path`. On Windows the client allows the server to identify it
/// only (SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION): whoever holds the pipe name cannot
/// act as the user who runs ctl.
native_socket connect_local(const std::string& path, std::string& error);
/// The pid of the process that serves the endpoint `s` is connected to (Linux SO_PEERCRED: who
/// called listen(); Windows GetNamedPipeServerProcessId), or 0 when the system cannot tell.
int local_peer_pid(native_socket s);
/// As recv_some/send_all (sockets.hpp), for control-channel connections.
std::int64_t read_local(native_socket s, char* buf, std::size_t size, std::chrono::steady_clock::time_point deadline);
bool write_local(native_socket s, std::string_view data, std::chrono::steady_clock::time_point deadline);
void close_local(native_socket s);

} // namespace forkhorn::platform
