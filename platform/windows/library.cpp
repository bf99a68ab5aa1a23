// Windows shared libraries: LoadLibraryExW/GetProcAddress, with a search path that holds no
// directory a user can write to (docs/windows.md, "Where DLLs are looked for").
#include "library.hpp"
#include "win.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

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

std::wstring win::full_path(const std::wstring& path)
{
    DWORD n = GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
    if (n == 0) return path;
    std::wstring out(n, L'\0');
    n = GetFullPathNameW(path.c_str(), n, out.data(), nullptr);
    out.resize(n);
    return out;
}

void restrict_library_search()
{
    // The system directories and the program's own only: never the current directory or PATH,
    // for every library this process loads from now on (the app's dependencies, and what
    // Winsock or the C runtime load later).
    SetDefaultDllDirectories(LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
}

std::vector<std::string> library_companions(const std::string& path)
{
    // Every DLL beside it: which of them it imports (directly or through another) is the
    // loader's business, and an app's directory holds a few of them, not a system's worth.
    namespace fs = std::filesystem;
    constexpr std::size_t most = 64;
    std::vector<std::string> found;
    fs::path self = fs::absolute(fs::path(path));
    std::error_code ec;
    for (fs::directory_iterator it(self.parent_path(), ec), end; !ec && it != end && found.size() < most;
         it.increment(ec)) {
        auto extension = it->path().extension().string();
        std::ranges::transform(extension, extension.begin(), [](unsigned char c) { return std::tolower(c); });
        if (extension == ".dll" && it->path().filename() != self.filename() && it->is_regular_file(ec))
            found.push_back(it->path().string());
    }
    return found;
}

std::optional<std::string> library::open(const std::string& path)
{
    // An absolute path: a bare "app.dll" is the one in the current directory, never one found
    // on PATH. Its own DLLs are found next to it, then in the system directories.
    std::wstring full = win::full_path(win::widen(path));
    handle_ = LoadLibraryExW(full.c_str(), nullptr, win::app_library_flags);
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
