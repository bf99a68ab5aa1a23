#include "app/keeper.hpp"

#include <fmt/format.h>

#include "app/loader.hpp"
#include "system.hpp"

namespace forkhorn {

namespace fs = std::filesystem;

std::optional<std::string> app_keeper::keep(const std::string& spec)
{
    std::string path, symbol;
    split_app_spec(spec, path, symbol);
    std::error_code ec;
    // The owner's only, and so is the runtime directory above it if this makes it.
    if (auto err = platform::make_private_directories(dir_.string()))
        return fmt::format("cannot keep a copy of '{}': {}", path, *err);
    // A new name each time: a loader that sees a name it loaded before returns the old code.
    auto copy = dir_ / fmt::format("{}-{}-{}", owner_, ++copies_, fs::path(path).filename().string());
    fs::remove(copy, ec);
    if (!fs::copy_file(path, copy, fs::copy_options::none, ec))
        return fmt::format("cannot keep a copy of '{}' in {}: {}", path, dir_.string(), ec.message());
    if (!copy_.empty()) fs::remove(copy_, ec);
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
        if (it->path().filename().string().starts_with(prefix)) fs::remove(it->path(), removing);
    copy_.clear();
    spec_.clear();
}

} // namespace forkhorn
