#include "instance/scoreboard.hpp"

#include <cstring>
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

namespace {
// The keys first, then the slots, each where its alignment wants it.
constexpr std::size_t slots_offset = (sizeof(shared_ticket_keys) + 63) / 64 * 64;
} // namespace

void shared_ticket_keys::publish(const tls::ticket_key& newest, const tls::ticket_key& previous)
{
    std::array<std::uint64_t, words> plain;
    std::memcpy(plain.data(), &newest, sizeof newest);
    std::memcpy(reinterpret_cast<char*>(plain.data()) + sizeof newest, &previous, sizeof previous);
    sequence_.fetch_add(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < words; ++i) keys_[i].store(plain[i], std::memory_order_relaxed);
    sequence_.fetch_add(1, std::memory_order_release);
}

bool shared_ticket_keys::read(tls::ticket_key& newest, tls::ticket_key& previous) const
{
    std::array<std::uint64_t, words> plain;
    for (;;) {
        auto before = sequence_.load(std::memory_order_acquire);
        if (before == 0) return false; // nothing published yet
        if (before % 2) continue;
        for (std::size_t i = 0; i < words; ++i) plain[i] = keys_[i].load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (sequence_.load(std::memory_order_relaxed) == before) break;
    }
    std::memcpy(&newest, plain.data(), sizeof newest);
    std::memcpy(&previous, reinterpret_cast<const char*>(plain.data()) + sizeof newest, sizeof previous);
    return true;
}

std::optional<std::string> scoreboard::create(std::size_t capacity)
{
    if (auto err = memory_.create(slots_offset + capacity * sizeof(scoreboard_slot))) return err;
    keys_ = new (memory_.data()) shared_ticket_keys;
    slots_ = reinterpret_cast<scoreboard_slot*>(static_cast<char*>(memory_.data()) + slots_offset);
    for (std::size_t i = 0; i < capacity; ++i) new (slots_ + i) scoreboard_slot;
    capacity_ = capacity;
    return std::nullopt;
}

std::optional<std::string> scoreboard::attach(std::intptr_t handle, std::size_t size)
{
    if (auto err = memory_.attach(handle, size)) return err;
    keys_ = static_cast<shared_ticket_keys*>(memory_.data());
    slots_ = reinterpret_cast<scoreboard_slot*>(static_cast<char*>(memory_.data()) + slots_offset);
    capacity_ = (size - slots_offset) / sizeof(scoreboard_slot);
    return std::nullopt;
}

void scoreboard::rotate_ticket_keys(std::chrono::milliseconds period)
{
    auto now = monotonic_ms();
    if (rotated_ms_ != 0 && now - rotated_ms_ < period.count()) return;
    previous_ = rotated_ms_ == 0 ? tls::new_ticket_key() : newest_;
    newest_ = tls::new_ticket_key();
    rotated_ms_ = now;
    keys_->publish(newest_, previous_);
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
