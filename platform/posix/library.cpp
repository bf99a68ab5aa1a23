// POSIX shared libraries: dlopen/dlsym.
#include "library.hpp"

#include <dlfcn.h>

namespace forkhorn::platform {

library::~library()
{
    if (handle_) ::dlclose(handle_);
}

library::library(library&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }

library& library::operator=(library&& other) noexcept
{
    if (this != &other) {
        if (handle_) ::dlclose(handle_);
        handle_ = other.handle_;
        other.handle_ = nullptr;
    }
    return *this;
}

// dlopen looks where the system's loader always looks (rpath, LD_LIBRARY_PATH, ld.so.cache),
// never in the current directory.
void restrict_library_search() {}

std::vector<std::string> library_companions(const std::string&) { return {}; }

std::optional<std::string> library::open(const std::string& path)
{
    // RTLD_NOW: an unresolved symbol is a boot error now, not a crash on the first request.
    handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_) return std::nullopt;
    const char* why = ::dlerror();
    return std::string(why ? why : "dlopen failed");
}

void* library::symbol(const std::string& name, std::string& error) const
{
    ::dlerror();
    void* address = ::dlsym(handle_, name.c_str());
    if (!address) {
        const char* why = ::dlerror();
        error = why ? why : "symbol not found";
    }
    return address;
}

} // namespace forkhorn::platform
