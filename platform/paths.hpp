// Paths from text and back, for text kept as UTF-8 (what `forkhorn service` stores with a
// service): Windows names files in UTF-16, POSIX in bytes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace forkhorn::platform {

/// The path that UTF-8 `text` names (Windows: converted to UTF-16; elsewhere the bytes as they are).
std::filesystem::path utf8_path(std::string_view text);

/// The UTF-8 text of `path`: the inverse of utf8_path.
std::string utf8_text(const std::filesystem::path& path);

} // namespace forkhorn::platform
