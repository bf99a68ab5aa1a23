// Test helpers: start the real forkhorn binary, wait on its log with deadlines, talk HTTP over
// real sockets. Platform-neutral interface; the implementation is per system.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forkhorn::test {

using namespace std::chrono_literals;

/// Signals the tests send, named for what they mean.
enum class sig { term, int_, quit, hup, ttin, ttou, usr1, usr2, winch, kill };

/// Extra ways to start a server.
struct launch_options {
    std::vector<std::string> env;   // "NAME=value"
    int listen_fd = -1;             // passed to the server as fd 3
    bool socket_activation = false; // with listen_fd: LISTEN_FDS=1, LISTEN_PID=<the server>
};

class server_process {
public:
    /// Starts `binary` with `args`; stdout and stderr go to files read by log()/out().
    server_process(const std::string& binary, const std::vector<std::string>& args,
                   const std::vector<std::string>& env = {});
    server_process(const std::string& binary, const std::vector<std::string>& args, const launch_options& options);
    ~server_process(); // stops the server (TERM, then KILL) if it still runs
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    int pid() const { return pid_; }
    std::string log() const; // stderr so far
    std::string out() const; // stdout so far
    /// Waits until stderr contains `needle` `count` times; false on timeout.
    bool wait_for_log(std::string_view needle, std::chrono::milliseconds timeout = 10s, int count = 1) const;
    /// The port of the first "Listening at: http://HOST:PORT" line (waits for it); 0 if none.
    int port(std::chrono::milliseconds timeout = 10s) const;
    /// The ports of the first `count` "Listening at: http(s)://HOST:PORT" lines, in order (waits
    /// for them); empty if they do not come.
    std::vector<int> ports(std::size_t count, std::chrono::milliseconds timeout = 10s) const;
    void send(sig s) const;
    /// Waits for the process to exit; its exit status, or nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 10s);
    /// Pids of the server's direct children (its workers).
    std::vector<int> children() const;

private:
    int pid_ = 0;
    std::intptr_t handle_ = 0; // the process handle where pids are not enough (Windows)
    std::string instance_;     // -n NAME: names the server's control objects on Windows
    std::string dir_;
    bool exited_ = false;
    int status_ = 0;
};

/// Runs `binary args` to the end (bounded); returns exit status and captured stderr/stdout.
struct run_result {
    int status = -1;
    std::string err;
    std::string out;
};
run_result run_to_end(const std::string& binary, const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {}, std::chrono::milliseconds timeout = 10s);

/// Sends `bytes` to 127.0.0.1:`port`, then reads until the server closes (or `timeout`).
/// Empty optional if the connection was refused.
std::optional<std::string> exchange_raw(int port, std::string_view bytes, std::chrono::milliseconds timeout = 5s);

struct http_reply {
    int status = 0;
    std::string head; // status line and headers
    std::string body;
};
/// Parses one response out of `raw` (Content-Length or close-delimited bodies).
http_reply parse_reply(const std::string& raw);
/// GET `path` with Host and Connection: close; status 0 if the request failed.
http_reply http_get(int port, std::string_view path, std::chrono::milliseconds timeout = 5s);

/// A client connection that stays open: requests and responses one at a time or pipelined.
class client_connection {
public:
    explicit client_connection(int port);
    ~client_connection();
    client_connection(const client_connection&) = delete;
    client_connection& operator=(const client_connection&) = delete;

    bool connected() const { return fd_ != -1; }
    bool send(std::string_view bytes);
    /// Shuts this side for sending (the server reads EOF); replies can still be read.
    void end_sending();
    /// The next complete response (an interim 100 counts as one); status 0 when the
    /// connection closed or `timeout` passed first.
    http_reply read_reply(std::chrono::milliseconds timeout = 5s);
    /// The bytes received and not taken yet, waiting up to `timeout` for some; empty at the end.
    std::string take_some(std::chrono::milliseconds timeout = 5s);
    /// Waits for the server to close the connection (nothing else arriving first).
    bool closed_by_peer(std::chrono::milliseconds timeout = 5s);

private:
    /// Receives more; false on close, error or timeout.
    bool fill(std::chrono::steady_clock::time_point deadline);

    std::intptr_t fd_ = -1;
    std::string buffered_;
    bool eof_ = false;
};

/// Connects to 127.0.0.1:`port`; returns a non-blocking socket, or -1.
std::intptr_t connect_nonblocking(int port);

/// The file of app library NAME in DIR ("DIR/libNAME.so" here).
std::string library_path(const std::string& dir, const std::string& name);
bool process_alive(int pid);
/// The resident memory of `pid` in KiB (Linux: VmRSS; Windows: the working set), 0 if unknown.
std::uint64_t process_rss_kib(int pid);
/// Whether the process that had start time `started` (process_start_of) still runs: pids are
/// reused quickly (under wine especially), so a pid alone can name another process.
std::uint64_t process_start_of(int pid);
bool still_running(int pid, std::uint64_t started);
/// False where only the portable subset of the server exists (Windows): tests of Unix-only
/// features skip themselves with a message.
bool has_unix_features();
/// The sanitizer the server under test was built with: "address" (ASan and UBSan), "thread"
/// (TSan) or "" (none). A sanitizer's runtime keeps freed memory (ASan's quarantine) and shadow
/// memory of its own, so a test whose assertion is about the server's memory skips that
/// assertion under one and says so (BOOST_TEST_MESSAGE), checking the rest.
std::string_view sanitizer_in_use();
/// Raises this process's descriptor limit (and so its children's) towards `wanted`; returns
/// how many descriptors it may now open (Windows has no such limit: `wanted`).
std::size_t raise_descriptor_limit(std::size_t wanted);
/// Direct children of `pid`.
std::vector<int> children_of(int pid);
/// The process's command line with NULs as spaces (what ps shows).
std::string command_line(int pid);
/// The real uid of `pid`, -1 if unknown.
int uid_of(int pid);
bool running_as_root();
int self_pid();
/// Sends `s` to any process (a daemon that is not our child).
bool signal_pid(int pid, sig s);
/// A unix datagram socket bound at `path` (stands in for systemd's NOTIFY_SOCKET or syslog).
int bind_datagram(const std::string& path);
/// One datagram, or "" when none arrives within `timeout`.
std::string receive_datagram(int fd, std::chrono::milliseconds timeout);
std::string read_text(const std::string& path);
/// A fresh directory under the system temp dir, removed by the caller.
std::string make_temp_dir();
/// A listening socket on 127.0.0.1 with an OS-chosen port (for socket activation tests).
int listen_local(int& port);
void close_fd(int fd);

/// Requests sent one after another from a background thread until stop(): the reliability
/// tests count failures while the server reloads or upgrades.
class steady_load {
public:
    steady_load(int port, std::string path);
    ~steady_load();
    struct totals {
        int ok = 0;
        int failed = 0;
        std::vector<std::string> failures; // the first few, for the message
    };
    totals stop();
    int ok_so_far() const;

private:
    struct impl;
    impl* impl_;
};
/// Kills `pid` without warning (kill -9 / TerminateProcess).
void kill_hard(int pid);
void sleep_ms(int ms);
/// Polls `pred` every 20 ms until it holds or `timeout` passes.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 10s)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        sleep_ms(20);
    }
    return true;
}

} // namespace forkhorn::test
