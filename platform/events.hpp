// The arbiter's control events: one enum whatever delivered them (a POSIX signal, a ctl
// command, a Windows named event or a service control), the arbiter's wait for them and for
// its children's exits, and delivering one to a running master from outside.
#pragma once

#include "native_socket.hpp"
#include "worker_process.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forkhorn::platform {

enum class control_event : std::uint8_t { ttin, ttou, hup, term, int_, quit, usr1, usr2, winch, child };

std::string_view control_event_name(control_event e);

/// Arbiter side: receives control events and child exits. Created once, before any worker.
class control_source {
public:
    control_source();
    ~control_source();
    control_source(const control_source&) = delete;
    control_source& operator=(const control_source&) = delete;

    /// Installs the handlers (signals on POSIX; on Windows the named objects
    /// `Global\forkhorn.<instance>.<pid>.<cmd>`, refused if they already exist, and the
    /// console handler); returns an error message on failure.
    std::optional<std::string> open(const std::string& instance);
    /// Waits up to `timeout` for events; returns those that arrived (possibly none). When
    /// `watch` is given (the control socket), `*watch_ready` tells whether it became readable.
    std::vector<control_event> wait(std::chrono::milliseconds timeout, native_socket watch = invalid_socket,
                                    bool* watch_ready = nullptr);
    /// Queues an event from inside the process (ctl socket, tests).
    void post(control_event e);
    /// Children that have exited since the last call; never blocks.
    std::vector<child_exit> reap();

private:
    struct impl;
    impl* impl_;
};

/// Delivers control event `e` to the master `pid` from outside (kill(2) on POSIX). False
/// when the process is gone; `error` says why.
bool send_control(int pid, const std::string& instance, control_event e, std::string& error);

/// Whether `pid` is a running forkhorn master (of `instance` where the system names its control
/// objects after it): what `ctl` checks before it signals a pid it read from a file, so that a
/// reused pid is never signalled. Linux: the master's process title; Windows: its control objects.
bool is_server_master(int pid, const std::string& instance);

} // namespace forkhorn::platform
