// The control socket (Gunicorn 25+'s gunicornc protocol) and the `forkhorn ctl` client.
//
// Wire format: a frame is a 4-byte big-endian length then UTF-8 JSON (at most 1 MiB here).
// Request  {"id": n, "command": "show workers", "args": [...]}
// Reply    {"id": n, "status": "ok", "data": {...}}  or  {"id": n, "status": "error", "error": "..."}
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "events.hpp"
#include "native_socket.hpp"
#include "settings/settings.hpp"

namespace forkhorn::control {

struct worker_row {
    int pid = 0;
    int age = 0;                   // spawn order
    double uptime = 0;             // seconds since the worker was started
    std::uint64_t requests = 0;    // served so far
    std::uint32_t connections = 0; // open now
    double last_beat = 0;          // seconds since the last heartbeat
    std::string state;             // booting | idle | busy | stopping
};

struct listener_row {
    std::string address; // "http://127.0.0.1:8000", "unix:/path"
    std::int64_t fd = -1;
    std::string type; // tcp | tcp6 | unix
};

struct stats_row {
    double uptime = 0;
    int pid = 0;
    int workers_current = 0;
    int workers_target = 0;
    int workers_spawned = 0;
    int workers_killed = 0;
    int reloads = 0;
};

/// What the control socket may see and do in the arbiter; the arbiter implements it.
class arbiter_view {
public:
    virtual ~arbiter_view() = default;
    /// The workers, in any order (`show workers` sorts them by age).
    virtual std::vector<worker_row> workers() const = 0;
    virtual stats_row stats() const = 0;
    virtual std::vector<listener_row> listeners() const = 0;
    virtual const settings& config() const = 0;
    /// Adds `delta` workers (negative removes; the target never goes below 1). Returns the
    /// target before the change.
    virtual int change_workers(int delta) = 0;
    /// Gracefully stops one worker (it is replaced). False if `pid` is not a worker.
    virtual bool kill_worker(int pid) = 0;
    /// Queues a control event, as if a signal had arrived (hup, usr1, term, int...).
    virtual void post(platform::control_event e) = 0;
};

/// The server side, polled by the arbiter's loop (no thread: the arbiter forks).
class control_server {
public:
    explicit control_server(arbiter_view& arbiter);
    ~control_server();
    control_server(const control_server&) = delete;
    control_server& operator=(const control_server&) = delete;

    /// Binds the unix socket at `path` with `mode` (e.g. 0600), creating the parent directory
    /// (0700) if needed. A live socket already at `path` is an error; a stale one is replaced.
    std::optional<std::string> open(const std::string& path, int mode);
    /// The listening handle to watch for readability; invalid_socket when closed, or while it
    /// holds as many clients as it serves at once (poll() then makes room).
    platform::native_socket handle() const;
    /// Accepts the clients that wait and answers what they sent; never waits for a client.
    void on_readable();
    /// Answers what connected clients sent since, and drops those past their deadline.
    void poll();
    /// Whether clients are connected: the caller should poll() soon rather than wait long.
    bool has_clients() const;
    /// Closes and unlinks the socket.
    void close();
    const std::string& path() const;

private:
    struct impl;
    impl* impl_;
};

/// Runs one command against `arbiter` and returns the JSON reply text (used by the server and
/// by unit tests without sockets).
std::string dispatch(arbiter_view& arbiter, const std::string& request_json);

} // namespace forkhorn::control
