// Windows shared libraries: LoadLibraryW/GetProcAddress.
#include "library.hpp"
#include "win.hpp"

namespace forkhorn::platform {

library::~library()
{
    if (handle_) FreeLibrary(static_cast<HMODULE>(handle_));
}

library::library(library&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }

library& library::operator=(library&& other) noexcept
{
    if (this != &other) {
        if (handle_) FreeLibrary(static_cast<HMODULE>(handle_));
        handle_ = other.handle_;
        other.handle_ = nullptr;
    }
    return *this;
}

std::optional<std::string> library::open(const std::string& path)
{
    // The altered search path finds the app's own DLLs next to it, not next to forkhorn.exe.
    handle_ = LoadLibraryExW(win::widen(path).c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (handle_) return std::nullopt;
    return win::last_error();
}

void* library::symbol(const std::string& name, std::string& error) const
{
    auto address = GetProcAddress(static_cast<HMODULE>(handle_), name.c_str());
    if (!address) error = win::last_error();
    return reinterpret_cast<void*>(address);
}

} // namespace forkhorn::platform
