// This process and others by pid: ids, start times, the title ps shows, and starting a new
// program image (the binary upgrade). Worker processes have their own header,
// worker_process.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forkhorn::platform {

int current_pid();

/// The pid of this process's parent (the old master, for a master started by an upgrade).
int parent_pid();

/// An opaque start time of process `pid` (Linux: /proc/<pid>/stat field 22; Windows: the
/// creation FILETIME), 0 if the process does not exist. With the pid it names one process for
/// good: a pidfile whose pid was reused by another program does not match.
std::uint64_t process_start_time(int pid);

/// Remembers argv so that set_process_title can rewrite what ps shows. Call first in main.
void init_process_title(int argc, char** argv);
/// Sets the process title shown by ps ("forkhorn: master [name]"), best effort.
void set_process_title(std::string_view title);

/// Starts `path args...` as a new process image with `env` entries ("NAME=value") added to the
/// current environment; used by the binary upgrade (USR2). Listeners stay open in the child.
std::optional<std::string> exec_child(const std::string& path, const std::vector<std::string>& args,
                                      const std::vector<std::string>& env, int& pid);

/// The absolute path to re-execute this program (argv[0] resolved against the start directory
/// and PATH), computed at start before any chdir.
std::string program_path(const char* argv0);

} // namespace forkhorn::platform
