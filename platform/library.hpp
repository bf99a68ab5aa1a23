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

    /// Loads `path`; on failure returns the system's reason.
    std::optional<std::string> open(const std::string& path);
    /// The address of exported `name`, or nullptr with `error` set.
    void* symbol(const std::string& name, std::string& error) const;

private:
    void* handle_ = nullptr;
};

} // namespace forkhorn::platform
