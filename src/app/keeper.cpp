#include "app/keeper.hpp"

#include <fmt/format.h>

#include "app/loader.hpp"
#include "library.hpp"
#include "system.hpp"

namespace forkhorn {

namespace fs = std::filesystem;

namespace {

// Companions are copied, not hard-linked: on Windows a link to a DLL that some other process has
// mapped (another server using the same directory) cannot be deleted, and the copy could then
// never be removed.
std::optional<std::string> copy_with_companions(const std::string& library, const fs::path& into)
{
    std::error_code ec;
    if (!fs::create_directory(into, ec) && ec) return ec.message();
    if (!fs::copy_file(library, into / fs::path(library).filename(), fs::copy_options::none, ec)) return ec.message();
    for (const auto& companion : platform::library_companions(library))
        if (!fs::copy_file(companion, into / fs::path(companion).filename(), fs::copy_options::none, ec))
            return fmt::format("{}: {}", companion, ec.message());
    return std::nullopt;
}

} // namespace

std::optional<std::string> app_keeper::keep(const std::string& spec)
{
    std::string path, symbol;
    split_app_spec(spec, path, symbol);
    std::error_code ec;
    // The owner's only, and so is the runtime directory above it if this makes it.
    if (auto err = platform::make_private_directories(dir_.string()))
        return fmt::format("cannot keep a copy of '{}': {}", path, *err);
    // A new directory each time: a loader that sees a name it loaded before returns the old code.
    // The library keeps its name there, beside the files it loads from its own directory.
    auto copy_dir = dir_ / fmt::format("{}-{}", owner_, ++copies_);
    fs::remove_all(copy_dir, ec);
    auto copy = copy_dir / fs::path(path).filename();
    if (auto err = copy_with_companions(path, copy_dir)) {
        fs::remove_all(copy_dir, ec);
        return fmt::format("cannot keep a copy of '{}' in {}: {}", path, dir_.string(), *err);
    }
    if (!copy_.empty()) fs::remove_all(copy_.parent_path(), ec);
    copy_ = copy;
    spec_ = copy.string() + ":" + symbol;
    return std::nullopt;
}

void app_keeper::discard()
{
    // Every copy of this owner's: where a loaded library cannot be removed (Windows), a copy
    // that workers still ran when the next one replaced it stayed behind.
    std::error_code ec;
    auto prefix = fmt::format("{}-", owner_);
    std::error_code removing;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename().string().starts_with(prefix)) fs::remove_all(it->path(), removing);
    copy_.clear();
    spec_.clear();
}

} // namespace forkhorn
