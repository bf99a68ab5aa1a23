// The system around the process: what it supports, where runtime files go, the environment,
// daemon mode, the user a worker runs as, the umask, syslog.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace forkhorn::platform {

/// Features that exist on some systems only. Settings that need a missing one are a
/// configuration error, never silently ignored.
/// `reads_from_any_thread`: a thread other than the event loop's may start a read on a socket
/// the loop owns (readiness I/O: epoll). Not so with IOCP under wine, where an overlapped read
/// is carried out by the thread that started it.
/// `service_control_manager`: services are registered and driven through the Windows SCM
/// (`forkhorn service`, platform/service.hpp); elsewhere systemd runs the server as it is.
/// `global_control_names`: the control endpoint's names are global to the machine (Windows
/// pipe names) and any user may take one first, so a master whose own cannot be created refuses
/// to start rather than run without it (a unix socket lives in a private directory instead).
enum class feature : std::uint8_t {
    daemon,
    user_switch,
    upgrade,
    syslog,
    unix_sockets,
    preload,
    fd_binds,
    reuse_port,
    reads_from_any_thread,
    file_modes, // umask and permission bits on files and sockets
    service_control_manager,
    global_control_names
};
bool supports(feature f);

/// The directory for pidfiles and control sockets: $FORKHORN_RUNTIME_DIR if set; else
/// $XDG_RUNTIME_DIR/forkhorn, /run/forkhorn for root, or /tmp/forkhorn-<uid> on POSIX, and
/// %ProgramData%\forkhorn\run on Windows.
std::string runtime_dir();

/// Creates the missing directories of `dir` (UTF-8), each one its owner's only: POSIX mode 0700;
/// Windows a protected DACL for the owner, Administrators and SYSTEM, inherited by what is made in
/// it (under %ProgramData%, where any user may create files, an inherited DACL would let anyone
/// plant a pidfile). Directories that exist are left as they are. An error names the directory.
std::optional<std::string> make_private_directories(const std::string& dir);

/// Makes `dir` the current directory; on failure returns the system's reason.
std::optional<std::string> change_directory(const std::string& dir);

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

/// Switches the worker to `user`/`group` (names or numbers; empty = unchanged).
std::optional<std::string> drop_privileges(const std::string& user, const std::string& group, bool initgroups);
/// Checks that `user` and `group` exist, so a typo is a configuration error at start.
std::optional<std::string> check_identity(const std::string& user, const std::string& group);

/// Makes `path` owned by the worker's `user`/`group` (as drop_privileges resolves them), so that a
/// worker that runs as them can reopen or use it (a log file after rotation, a unix socket).
/// Nothing to do when both are empty, or where workers cannot switch user.
std::optional<std::string> give_to_worker(const std::string& path, const std::string& user, const std::string& group);

/// Gives memory the allocator holds free back to the system (a burst of connections that went
/// idle leaves much of it free, and an idle worker should be small).
void release_free_memory();

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

} // namespace forkhorn::platform
