// Shared libraries: loading an app and finding its exported symbols (dlopen, LoadLibraryW).
#pragma once

#include <optional>
#include <string>

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

} // namespace forkhorn::platform
