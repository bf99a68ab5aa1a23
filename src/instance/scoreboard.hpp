// The scoreboard: one slot per worker in memory shared with the arbiter. Workers write their
// heartbeat and counters; the arbiter reads them to kill hung workers and for `ctl show workers`.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared_memory.hpp"
#include "transport/tls.hpp"

namespace forkhorn {

enum class worker_state : std::uint8_t { free, booting, idle, busy, stopping };

std::string_view worker_state_name(worker_state s);

/// Milliseconds on the monotonic clock, which all processes of the machine share.
std::int64_t monotonic_ms();

struct scoreboard_slot {
    std::atomic<std::int32_t> pid{0};
    std::atomic<worker_state> state{worker_state::free};
    std::atomic<std::int64_t> started_ms{0};
    std::atomic<std::int64_t> last_beat_ms{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint32_t> connections{0};

    void beat() { last_beat_ms.store(monotonic_ms(), std::memory_order_relaxed); }
    void set(worker_state s)
    {
        state.store(s, std::memory_order_relaxed);
        beat();
    }
};

static_assert(std::atomic<std::int64_t>::is_always_lock_free, "the scoreboard needs lock-free 64-bit atomics");

/// The TLS session-ticket keys of the server, in the shared memory ahead of the slots: the
/// arbiter writes them (at start, then a new one each rotation), workers read them for every
/// ticket they seal or open (a sequence lock: a reader that overlapped a write reads again).
class shared_ticket_keys {
public:
    void publish(const tls::ticket_key& newest, const tls::ticket_key& previous);
    bool read(tls::ticket_key& newest, tls::ticket_key& previous) const;

private:
    static constexpr std::size_t words = 2 * sizeof(tls::ticket_key) / 8;
    std::atomic<std::uint32_t> sequence_{0}; // odd while the arbiter writes
    std::array<std::atomic<std::uint64_t>, words> keys_{};
};
static_assert(sizeof(tls::ticket_key) % 8 == 0);

class scoreboard {
public:
    /// Room for `capacity` workers (old and new generations together during a reload).
    std::optional<std::string> create(std::size_t capacity);
    /// Maps the arbiter's scoreboard in a re-executed worker (Windows).
    std::optional<std::string> attach(std::intptr_t handle, std::size_t size);
    /// A free slot, claimed for a worker about to start; nullptr when full.
    scoreboard_slot* claim();
    void release(scoreboard_slot* slot);
    int index_of(const scoreboard_slot* slot) const { return static_cast<int>(slot - slots_); }
    scoreboard_slot* slot_at(int index) const;
    const platform::shared_memory& memory() const { return memory_; }
    shared_ticket_keys& ticket_keys() const { return *keys_; }
    /// The arbiter: a new newest ticket key when the last is `period` old (and at the first call).
    void rotate_ticket_keys(std::chrono::milliseconds period);

private:
    platform::shared_memory memory_;
    shared_ticket_keys* keys_ = nullptr;
    tls::ticket_key newest_, previous_;
    std::int64_t rotated_ms_ = 0;
    scoreboard_slot* slots_ = nullptr;
    std::size_t capacity_ = 0;
};

} // namespace forkhorn
