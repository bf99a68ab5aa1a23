// The platform layer: the only interface between portable code (src/) and the OS.
// Implementations live in platform/posix/ and platform/windows/ with the same file names;
// CMake picks the folder. Nothing here includes an OS header.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace forkhorn::platform {

/// A socket (POSIX fd, Windows SOCKET) or other waitable handle, as an integer.
using native_socket = std::intptr_t;
inline constexpr native_socket invalid_socket = -1;

// ---------------------------------------------------------------- processes

int current_pid();

/// Control events of the arbiter: one enum whatever delivered them (a POSIX signal, a ctl
/// command, a Windows named event or a service control).
enum class control_event : std::uint8_t { ttin, ttou, hup, term, int_, quit, usr1, usr2, winch, child };

std::string_view control_event_name(control_event e);

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

class shared_memory;
struct listener;

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

/// What a re-executed worker (Windows) received from its arbiter.
struct worker_boot;

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

/// An opaque start time of process `pid` (Linux: /proc/<pid>/stat field 22; Windows: the
/// creation FILETIME), 0 if the process does not exist. With the pid it names one process for
/// good: a pidfile whose pid was reused by another program does not match.
std::uint64_t process_start_time(int pid);

/// Delivers control event `e` to the master `pid` from outside (kill(2) on POSIX). False
/// when the process is gone; `error` says why.
bool send_control(int pid, const std::string& instance, control_event e, std::string& error);

/// Features that exist on some systems only. Settings that need a missing one are a
/// configuration error, never silently ignored.
/// `reads_from_any_thread`: a thread other than the event loop's may start a read on a socket
/// the loop owns (readiness I/O: epoll). Not so with IOCP under wine, where an overlapped read
/// is carried out by the thread that started it.
enum class feature : std::uint8_t {
    daemon,
    user_switch,
    upgrade,
    syslog,
    unix_sockets,
    preload,
    fd_binds,
    reuse_port,
    reads_from_any_thread
};
bool supports(feature f);

/// The directory for pidfiles and control sockets: $FORKHORN_RUNTIME_DIR if set; else
/// $XDG_RUNTIME_DIR/forkhorn, /run/forkhorn for root, or /tmp/forkhorn-<uid> on POSIX, and
/// %ProgramData%\forkhorn\run on Windows.
std::string runtime_dir();

/// Remembers argv so that set_process_title can rewrite what ps shows. Call first in main.
void init_process_title(int argc, char** argv);
/// Sets the process title shown by ps ("forkhorn: master [name]"), best effort.
void set_process_title(std::string_view title);

/// The pid of this process's parent (the old master, for a master started by an upgrade).
int parent_pid();

/// Starts `path args...` as a new process image with `env` entries ("NAME=value") added to the
/// current environment; used by the binary upgrade (USR2). Listeners stay open in the child.
std::optional<std::string> exec_child(const std::string& path, const std::vector<std::string>& args,
                                      const std::vector<std::string>& env, int& pid);

/// The absolute path to re-execute this program (argv[0] resolved against the start directory
/// and PATH), computed at start before any chdir.
std::string program_path(const char* argv0);

/// Renames `from` over `to` atomically, replacing `to` if it exists (the pidfile).
std::optional<std::string> replace_file(const std::string& from, const std::string& to);

void set_env(const std::string& name, const std::string& value);
void unset_env(const std::string& name);

/// Detaches from the terminal (double fork, setsid, stdio to /dev/null) keeping a pipe to the
/// launching process, which waits on it: report_ready() makes it exit 0, report_failure()
/// makes it print the message and exit with the status. POSIX only.
class daemon_link {
public:
    std::optional<std::string> daemonize(bool keep_stdio);
    void report_ready();
    void report_failure(int status, std::string_view message);
    bool active() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

/// `forkhorn service COMMAND ...`: install, uninstall, start, stop, status and run the server
/// as a system service (Windows SCM). `serve` runs the server with the given arguments (what
/// main does), for `service run`. Returns the exit status; on systems without such a
/// service manager it explains what to use instead and returns 2.
/// The server as the service commands reach it: `check` reads its arguments (the settings
/// code; this layer does not parse settings), `serve` runs it.
struct server_args_check {
    std::string error;   // one line naming what is wrong with them; empty if nothing
    bool serves = false; // they run a server (not --help, --version, --check-config...)
    std::string app;
    std::string errorlog; // --error-logfile ("" or "-": stderr)
    int graceful_timeout = 30;
};
struct service_server {
    std::function<server_args_check(std::span<const std::string>)> check;
    std::function<int(std::span<const std::string>)> serve;
};
int run_service_command(std::span<const std::string> args, const service_server& server);

/// The arbiter's life as a service manager follows it.
enum class lifecycle : std::uint8_t {
    ready,     // serving, all workers booted (also a new master taking over after an upgrade)
    reloading, // HUP: new workers replace the old ones
    stopping   // stopping for good
};

/// Tells the service manager that the arbiter reached `stage`: sd_notify under systemd, the
/// service state under the Windows SCM; a no-op when not run by one.
void notify_service(lifecycle stage);

/// Listening sockets the service manager opened for this process (systemd socket activation:
/// LISTEN_FDS), taken once; empty where there are none or no such manager exists.
std::vector<native_socket> service_manager_sockets();

/// True when the process runs under the system's service manager as a service of its own (the
/// Windows SCM). Such a server has no terminal whose resize could send WINCH by accident, so
/// WINCH is honoured there as for a daemon.
bool running_as_service();

/// Switches the worker to `user`/`group` (names or numbers; empty = unchanged).
std::optional<std::string> drop_privileges(const std::string& user, const std::string& group, bool initgroups);
/// Checks that `user` and `group` exist, so a typo is a configuration error at start.
std::optional<std::string> check_identity(const std::string& user, const std::string& group);

/// Sets the process umask; returns the previous one.
int set_umask(int mask);

/// Sends a line to syslog at `address` (unix://PATH or udp://HOST:PORT).
class syslog_sink {
public:
    ~syslog_sink();
    std::optional<std::string> open(const std::string& address, const std::string& tag);
    void write(int severity, std::string_view message); // RFC 3164 severity 0..7
    bool enabled() const { return fd_ >= 0; }

private:
    int fd_ = -1;
    std::string tag_;
};

/// Memory shared between the arbiter and its workers (the scoreboard). Created before the
/// first worker starts; POSIX: an anonymous MAP_SHARED mapping inherited across fork.
class shared_memory {
public:
    shared_memory() = default;
    ~shared_memory();
    shared_memory(const shared_memory&) = delete;
    shared_memory& operator=(const shared_memory&) = delete;

    std::optional<std::string> create(std::size_t size);
    /// Maps a mapping handed over by the arbiter (Windows workers).
    std::optional<std::string> attach(std::intptr_t handle, std::size_t size);
    void* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::intptr_t native_handle() const { return handle_; }

private:
    void* data_ = nullptr;
    std::size_t size_ = 0;
    std::intptr_t handle_ = -1;
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

// ---------------------------------------------------------------- shared libraries

class library {
public:
    library() = default;
    ~library();
    library(library&& other) noexcept;
    library& operator=(library&& other) noexcept;

    /// Loads `path`; on failure returns the system's reason.
    std::optional<std::string> open(const std::string& path);
    /// The address of exported `name`, or nullptr with `error` set.
    void* symbol(const std::string& name, std::string& error) const;

private:
    void* handle_ = nullptr;
};

// ---------------------------------------------------------------- sockets

/// A listening socket made by the arbiter and inherited by its workers.
struct listener {
    native_socket fd = invalid_socket;
    std::string address;   // as configured ("127.0.0.1:8000", "unix:/run/app.sock", "fd://3")
    std::string url;       // "http://127.0.0.1:8000", "unix:/run/app.sock"
    std::string unix_path; // to unlink on a final stop
};

/// Adopts an already listening socket (fd://N, systemd socket activation, an upgrade).
std::optional<std::string> adopt_listener(native_socket fd, listener& out);

/// Binds and listens on `address` (HOST:PORT, [V6]:PORT, unix:PATH). The socket stays open
/// across the fork of workers. Returns an error naming the address and the cause.
std::optional<std::string> bind_listener(const std::string& address, int backlog, listener& out,
                                         bool reuse_port = false);
void close_listener(listener& l, bool unlink_path);

/// Index of the first of `handles` that is readable within `timeout`, or -1 on timeout,
/// -2 on interruption by a signal.
int wait_readable(std::span<const native_socket> handles, std::chrono::milliseconds timeout);

/// A worker's wait for new connections on the listeners it shares with the other workers, plus
/// handles of its own. On Linux (epoll, EPOLLEXCLUSIVE) a connection wakes one waiting worker
/// and the workers take turns; on Windows (WSAPoll) it wakes every waiting worker and one wins
/// the accept (docs/workers.md).
class accept_waiter {
public:
    accept_waiter(std::span<const native_socket> own, std::span<const native_socket> shared);
    ~accept_waiter();
    accept_waiter(const accept_waiter&) = delete;
    accept_waiter& operator=(const accept_waiter&) = delete;

    /// Index of a readable handle (own first, then shared) within `timeout`, or -1. With
    /// `shared_too` false (the worker is full or stopping), only its own handles are waited on.
    int wait(std::chrono::milliseconds timeout, bool shared_too);

private:
    void arm_shared(bool on);
    void pass_on_pending();

    std::vector<native_socket> handles_; // own, then shared
    std::size_t own_;
    int epoll_ = -1;
    bool shared_armed_ = false;
    bool woken_for_shared_ = false;
};

/// Accepts one connection from a non-blocking listener; invalid_socket if none is pending.
native_socket accept_connection(native_socket listener, std::string& peer);

/// Reads what is available, waiting until `deadline`. Returns the byte count, 0 on orderly
/// close, -1 on error, -2 on timeout.
std::int64_t recv_some(native_socket s, char* buf, std::size_t size, std::chrono::steady_clock::time_point deadline);

/// Writes every byte unless an error or the deadline stops it.
bool send_all(native_socket s, std::string_view data, std::chrono::steady_clock::time_point deadline);
/// Receives what has arrived without waiting: the count, 0 on close, -1 on error, -2 when
/// nothing is there yet (event-loop workers call it when the loop said "readable").
std::int64_t recv_now(native_socket s, char* buf, std::size_t size);
/// Sends what the socket takes without waiting: the count (0 when it is full), -1 on error.
std::int64_t send_now(native_socket s, std::string_view data);
/// Ends the sending side (the peer reads EOF) and keeps the socket open for reading.
void shutdown_send(native_socket s);
/// The address family of a connected socket, in this system's numbering (for Asio's generic
/// protocol), or 0 if unknown.
int socket_family(native_socket s);

/// Sends `length` bytes of `path` from `offset` with the kernel's sendfile where it exists.
/// Returns the bytes sent or an error message.
std::optional<std::string> send_file(native_socket s, const std::string& path, std::uint64_t offset,
                                     std::uint64_t& length, std::chrono::steady_clock::time_point deadline);

/// Sends what the socket takes now of `length` bytes of `path` from `offset`: the count (0
/// when the socket is full), or -1 on an error.
std::int64_t send_file_now(native_socket s, const std::string& path, std::uint64_t offset, std::uint64_t length);

/// Connects to a unix-domain stream socket; invalid_socket with `error` set on failure.
native_socket connect_unix(const std::string& path, std::string& error);

/// Closes a connected or accepted socket at once.
void close_socket(native_socket s);

// ---------------------------------------------------------------- the control channel

/// The control endpoint named by `path`: a unix-domain socket at `path` with `mode` (POSIX),
/// or a local-only named pipe `\\.\pipe\forkhorn-<path>` with an explicit access list
/// (Windows). The framing above it is the same everywhere.
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
native_socket connect_local(const std::string& path, std::string& error);
/// As recv_some/send_all, for control-channel connections.
std::int64_t read_local(native_socket s, char* buf, std::size_t size, std::chrono::steady_clock::time_point deadline);
bool write_local(native_socket s, std::string_view data, std::chrono::steady_clock::time_point deadline);
void close_local(native_socket s);

/// Stops sending, reads briefly what the peer still sends, then closes (RFC 9112 §9.6), so an
/// error response is not lost to a reset caused by unread request bytes.
void close_connection(native_socket s, bool linger_for_peer);

} // namespace forkhorn::platform
