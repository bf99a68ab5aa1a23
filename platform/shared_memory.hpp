// Memory shared between the arbiter and its workers (the scoreboard).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace forkhorn::platform {

/// Created before the first worker starts. POSIX: an anonymous MAP_SHARED mapping inherited
/// across fork; Windows: an unnamed file mapping whose handle each worker gets at its start.
class shared_memory {
public:
    shared_memory() = default;
    ~shared_memory();
    shared_memory(const shared_memory&) = delete;
    shared_memory& operator=(const shared_memory&) = delete;

    std::optional<std::string> create(std::size_t size);
    /// Maps a mapping handed over by the arbiter (Windows workers).
    std::optional<std::string> attach(std::intptr_t handle, std::size_t size);
    void* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::intptr_t native_handle() const { return handle_; }

private:
    void* data_ = nullptr;
    std::size_t size_ = 0;
    std::intptr_t handle_ = -1;
};

} // namespace forkhorn::platform
