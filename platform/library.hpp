// Shared libraries: loading an app and finding its exported symbols (dlopen, LoadLibraryW).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace forkhorn::platform {

class library {
public:
    library() = default;
    ~library();
    library(library&& other) noexcept;
    library& operator=(library&& other) noexcept;

    /// Loads `path` (made absolute first; on Windows its own DLLs are looked for beside it and in
    /// the system directories only); on failure returns the system's reason.
    std::optional<std::string> open(const std::string& path);
    /// The address of exported `name`, or nullptr with `error` set.
    void* symbol(const std::string& name, std::string& error) const;

private:
    void* handle_ = nullptr;
};

/// Narrows where this process looks for the libraries it loads to the system's directories and
/// the program's own (Windows: SetDefaultDllDirectories; never the current directory or PATH,
/// where a user could plant a DLL). Call first in main. Nothing to do elsewhere.
void restrict_library_search();

/// The files beside the library at `path` that loading it may need from that same directory (its
/// own DLLs on Windows, which are looked for beside it); a copy of the library elsewhere needs them
/// beside it too. None on Unix, where a library's dependencies are found by the system's paths.
std::vector<std::string> library_companions(const std::string& path);

} // namespace forkhorn::platform
