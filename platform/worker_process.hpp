// Worker processes: how the arbiter starts them, commands them and learns how they ended, and
// what a worker receives from its arbiter.
#pragma once

#include "native_socket.hpp"
#include "sockets.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace forkhorn::platform {

class shared_memory;

/// What ended a worker process, in the arbiter's words; each platform maps its own facts
/// (a POSIX signal, a Windows exit code) onto them.
enum class exit_cause : std::uint8_t {
    exited,  // it returned an exit code
    stopped, // it was told to stop and did not handle it (SIGTERM)
    killed,  // it was ended by force, giving it no chance (SIGKILL, TerminateProcess): maybe out of memory
    crashed  // a fault or an abort ended it (SIGSEGV, SIGABRT...)
};

/// How a worker process ended.
struct child_exit {
    int pid = 0;
    exit_cause cause = exit_cause::exited;
    int exit_code = 0;   // when cause is exited
    std::string by;      // otherwise what ended it, as the log names it ("SIGKILL", "SIGSEGV")
    int hook_status = 0; // for fh_worker_info::exit_code: the exit code, or minus the signal number
};

/// What the arbiter asks of a worker.
enum class worker_command : std::uint8_t {
    graceful_stop, // TERM: finish the current request, then exit
    quick_stop,    // QUIT/INT: exit now
    reopen_logs,   // USR1
    abort,         // ABRT: the worker missed its heartbeat; it logs and exits
    kill           // KILL: no questions
};

/// A worker for spawn_worker to start. The platform starts it the one way it can: where it
/// forks (POSIX), the child inherits everything and runs `run_forked`; where it starts a new
/// process image (Windows), the child gets `settings_text()` and the rest through a bootstrap
/// pipe (take_worker_boot) and rebuilds what a forked worker inherits.
struct worker_spec {
    int slot = 0; // scoreboard slot index
    int age = 0;
    std::span<const listener> listeners;
    const shared_memory* scoreboard = nullptr;
    std::function<int()> run_forked;            // the child's body; its result is the exit status
    std::function<std::string()> settings_text; // the effective settings, asked for only where needed
};

/// Starts a worker process; returns the pid, or an error message.
std::optional<std::string> spawn_worker(const worker_spec& spec, int& pid);

/// Sends `cmd` to worker `pid`; false if the process is gone.
bool send_worker(int pid, worker_command cmd);

/// Worker side: the arbiter's commands, readable by a poll loop through a wake handle.
class worker_control {
public:
    worker_control();
    ~worker_control();
    worker_control(const worker_control&) = delete;
    worker_control& operator=(const worker_control&) = delete;

    /// Installs the worker's signal handlers. `on_quick_exit` runs on INT/QUIT and `on_abort`
    /// on ABRT, inside the handler, just before the process exits: async-signal-safe only.
    std::optional<std::string> open(void (*on_quick_exit)() = nullptr, void (*on_abort)() = nullptr);
    /// A handle that becomes readable when a command is pending (for wait_readable).
    std::intptr_t wake_handle() const;
    /// The commands received since the last call.
    std::vector<worker_command> take();
    /// True once the arbiter that started this worker is gone.
    bool parent_gone() const;

private:
    struct impl;
    impl* impl_;
};

/// Worker side: if the arbiter aborts this worker (missed heartbeat) while `fd` holds a client
/// whose response has not started, that client gets `reply` before the worker exits.
/// invalid_socket disarms. Only a pointer and a number are stored: the signal handler must
/// not allocate.
void arm_abort_reply(native_socket fd, std::string_view reply);

/// What a re-executed worker received through its bootstrap pipe (Windows).
struct worker_boot {
    int master_pid = 0;
    int slot = 0;
    int age = 0;
    std::string settings_text; // worker_spec::settings_text()
    std::vector<listener> listeners;
    std::intptr_t scoreboard_handle = -1;
    std::size_t scoreboard_size = 0;
};

/// In a process started as a worker by spawn_worker (Windows: `--worker-boot HANDLE`), reads
/// the bootstrap and returns it; otherwise nullopt (always on POSIX, where workers fork).
std::optional<worker_boot> take_worker_boot(std::span<const std::string> args, std::string& error);

} // namespace forkhorn::platform
