// Windows process-level services. What exists only on Unix (daemon mode, user switching,
// binary upgrade, syslog) reports itself as unavailable; main() turns the settings that need
// it into a configuration error before anything starts.
#include "system.hpp"
#include "append_file.hpp"
#include "paths.hpp"
#include "process.hpp"
#include "win.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace forkhorn::platform {

void init_process_title(int, char**) {}

// Windows shows the executable name and its command line; there is no title to rewrite.
void set_process_title(std::string_view) {}

int parent_pid() { return 0; }

std::optional<std::string> exec_child(const std::string&, const std::vector<std::string>&,
                                      const std::vector<std::string>&, int&)
{
    return std::string("the binary upgrade (USR2) is Unix-only");
}

std::string program_path(const char*)
{
    wchar_t exe[MAX_PATH * 4];
    DWORD n = GetModuleFileNameW(nullptr, exe, static_cast<DWORD>(std::size(exe)));
    return win::narrow(std::wstring_view(exe, n));
}

std::filesystem::path utf8_path(std::string_view text) { return {win::widen(text)}; }

std::string utf8_text(const std::filesystem::path& path) { return win::narrow(path.wstring()); }

std::optional<std::string> change_directory(const std::string& dir)
{
    if (SetCurrentDirectoryW(win::widen(dir).c_str())) return std::nullopt;
    return win::last_error();
}

std::optional<std::string> replace_file(const std::string& from, const std::string& to)
{
    if (MoveFileExW(win::widen(from).c_str(), win::widen(to).c_str(),
                    MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return std::nullopt;
    return win::last_error();
}

void set_env(const std::string& name, const std::string& value) { _putenv_s(name.c_str(), value.c_str()); }

void unset_env(const std::string& name) { _putenv_s(name.c_str(), ""); }

std::optional<std::string> daemon_link::daemonize(bool)
{
    return std::string("daemon mode is Unix-only; install a service instead (forkhorn service install)");
}

void daemon_link::report_ready() {}
void daemon_link::report_failure(int, std::string_view) {}

std::optional<std::string> check_identity(const std::string& user, const std::string& group)
{
    if (user.empty() && group.empty()) return std::nullopt;
    return std::string("-u/-g are Unix-only: run the service under the account instead");
}

std::optional<std::string> drop_privileges(const std::string& user, const std::string& group, bool)
{
    return check_identity(user, group);
}

std::optional<std::string> give_to_worker(const std::string&, const std::string&, const std::string&)
{
    return std::nullopt; // workers run as the master's account (check_identity refuses -u/-g)
}

void release_free_memory() { HeapCompact(GetProcessHeap(), 0); }

int set_umask(int) { return 0; }

syslog_sink::~syslog_sink() = default;

std::optional<std::string> syslog_sink::open(const std::string&, const std::string&)
{
    return std::string("syslog is Unix-only");
}

void syslog_sink::write(int, std::string_view) {}

std::optional<std::string> make_private_directories(const std::string& dir)
{
    std::error_code ec;
    auto path = utf8_path(dir);
    if (path.empty() || std::filesystem::exists(path, ec)) return std::nullopt;
    // A drive's root exists; a path without a parent ends the recursion too.
    if (path.has_parent_path() && path.parent_path() != path)
        if (auto err = make_private_directories(utf8_text(path.parent_path()))) return err;
    auto* security = win::private_directory_security();
    if (!security) return "cannot create directory " + dir + ": its access list cannot be made";
    if (CreateDirectoryW(path.c_str(), security) || GetLastError() == ERROR_ALREADY_EXISTS) return std::nullopt;
    return "cannot create directory " + dir + ": " + win::last_error();
}

// ------------------------------------------------------------------ append-only files

append_file::~append_file() { close(); }

std::optional<std::string> append_file::open(const std::string& path)
{
    // FILE_APPEND_DATA alone: each WriteFile goes to the end of the file, atomically, whoever else
    // appends (the arbiter and its workers). FILE_SHARE_DELETE: the log can be renamed while open.
    // No SECURITY_ATTRIBUTES: the handle is not inheritable.
    HANDLE h =
        CreateFileW(win::widen(path).c_str(), FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) return win::last_error();
    close();
    handle_ = reinterpret_cast<std::intptr_t>(h);
    return std::nullopt;
}

bool append_file::write(std::string_view data)
{
    if (handle_ == -1) return false;
    DWORD written = 0;
    // One call for the whole line: with FILE_APPEND_DATA it is one append, never split.
    return WriteFile(reinterpret_cast<HANDLE>(handle_), data.data(), static_cast<DWORD>(data.size()), &written,
                     nullptr) &&
           written == data.size();
}

void append_file::close()
{
    if (handle_ != -1) CloseHandle(reinterpret_cast<HANDLE>(handle_));
    handle_ = -1;
}

} // namespace forkhorn::platform
