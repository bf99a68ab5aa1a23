// The pidfile: how `forkhorn ctl` finds a master. It holds the pid and a newline (what init
// scripts and `kill $(cat app.pid)` expect); `PIDFILE.info` beside it holds the process start
// time, so that a stale file whose pid was reused is never mistaken for a live master, and where
// the control socket is. Both are written atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace forkhorn {

struct pidfile_content {
    int pid = 0;
    std::uint64_t start_time = 0; // platform::process_start_time(pid) when written
    std::string instance;         // -n NAME, or empty
    std::string config;           // the config file, or empty
    std::string state;            // starting | ready | reloading | stopping
    std::string control_socket;   // path of the control socket, or empty
};

/// Writes the pid to `path` and the rest to `path`.info, each through a temporary file renamed
/// over it.
std::optional<std::string> write_pidfile(const std::string& path, const pidfile_content& content);

/// Reads a pidfile; nullopt with `error` set when it is missing or unreadable.
std::optional<pidfile_content> read_pidfile(const std::string& path, std::string& error);

/// True when the pid in `content` is alive and is the process that wrote the file (without
/// details: a forkhorn master, of `instance` where the system tells).
bool pidfile_is_live(const pidfile_content& content, const std::string& instance = {});

/// Removes `path` only if it still names `pid` (a newer master may have replaced it).
void remove_pidfile_if_mine(const std::string& path, int pid);

/// Where an instance's pidfile and control socket live when not given explicitly.
std::string default_pidfile(const std::string& instance);
std::string default_control_socket(const std::string& instance);

} // namespace forkhorn
