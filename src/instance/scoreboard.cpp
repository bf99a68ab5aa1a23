#include "instance/scoreboard.hpp"

#include <new>

namespace forkhorn {

std::string_view worker_state_name(worker_state s)
{
    constexpr std::string_view names[] = {"free", "booting", "idle", "busy", "stopping"};
    return names[static_cast<int>(s)];
}

std::int64_t monotonic_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::optional<std::string> scoreboard::create(std::size_t capacity)
{
    if (auto err = memory_.create(capacity * sizeof(scoreboard_slot))) return err;
    slots_ = static_cast<scoreboard_slot*>(memory_.data());
    for (std::size_t i = 0; i < capacity; ++i) new (slots_ + i) scoreboard_slot;
    capacity_ = capacity;
    return std::nullopt;
}

std::optional<std::string> scoreboard::attach(std::intptr_t handle, std::size_t size)
{
    if (auto err = memory_.attach(handle, size)) return err;
    slots_ = static_cast<scoreboard_slot*>(memory_.data());
    capacity_ = size / sizeof(scoreboard_slot);
    return std::nullopt;
}

scoreboard_slot* scoreboard::slot_at(int index) const
{
    return index >= 0 && static_cast<std::size_t>(index) < capacity_ ? slots_ + index : nullptr;
}

scoreboard_slot* scoreboard::claim()
{
    for (std::size_t i = 0; i < capacity_; ++i) {
        auto& slot = slots_[i];
        if (slot.state.load() != worker_state::free) continue;
        slot.pid = 0;
        slot.requests = 0;
        slot.connections = 0;
        slot.started_ms = monotonic_ms();
        slot.set(worker_state::booting);
        return &slot;
    }
    return nullptr;
}

void scoreboard::release(scoreboard_slot* slot)
{
    if (slot) slot->state.store(worker_state::free);
}

} // namespace forkhorn
