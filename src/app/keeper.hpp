// A private copy of the last app library that loaded. A deploy that replaces the library with a
// file that does not load must not take a running server down: the arbiter loads the kept copy
// again, and the workers it starts from then on run the code that was running.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace forkhorn {

class app_keeper {
public:
    /// Copies go into `dir` (created owner-only when missing), named after `owner` (a pid).
    app_keeper(std::filesystem::path dir, int owner) : dir_(std::move(dir)), owner_(owner) {}

    /// After `spec` ("path:symbol") loaded: copies its library, replacing the previous copy.
    /// Returns one line naming the problem when it cannot (then there is no fallback).
    std::optional<std::string> keep(const std::string& spec);
    /// "copy:symbol" of the kept library, or empty when none is kept.
    const std::string& spec() const { return spec_; }
    /// Removes this owner's copies (the server stops).
    void discard();

private:
    std::filesystem::path dir_;
    int owner_;
    int copies_ = 0;
    std::filesystem::path copy_;
    std::string spec_;
};

} // namespace forkhorn
