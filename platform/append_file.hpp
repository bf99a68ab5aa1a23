// A file that several processes append lines to at once: the error and access logs, which the
// arbiter and every worker write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace forkhorn::platform {

/// Opened for appending only: every write lands whole at the end of the file, whoever else
/// writes to it (POSIX O_APPEND; Windows FILE_APPEND_DATA without FILE_WRITE_DATA, where the C
/// runtime's "a" mode only seeks to the end first, so two processes overwrite each other). The
/// file can be renamed or deleted while open (log rotation; Windows: FILE_SHARE_DELETE), and
/// processes started later do not inherit it (O_CLOEXEC; a handle that is not inheritable).
class append_file {
public:
    append_file() = default;
    ~append_file();
    append_file(const append_file&) = delete;
    append_file& operator=(const append_file&) = delete;

    /// Opens `path` (UTF-8), creating it if missing, in place of the file open now; on failure
    /// returns the system's reason and keeps the file open now.
    std::optional<std::string> open(const std::string& path);
    /// Appends `data` in one write; false if it could not be written whole.
    bool write(std::string_view data);
    void close();
    bool is_open() const { return handle_ != -1; }
    /// The descriptor or HANDLE (for tests of the flags it was opened with).
    std::intptr_t native_handle() const { return handle_; }

private:
    std::intptr_t handle_ = -1;
};

} // namespace forkhorn::platform
