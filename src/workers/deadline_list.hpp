// Connections waiting with the same timeout, oldest first: adding at the tail keeps them in
// deadline order, so expiring is a look at the head. No allocation, no timer per connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>

namespace forkhorn {

template <class T>
struct deadline_link {
    T* prev = nullptr;
    T* next = nullptr;
    void* list = nullptr; // the list it is on, if any
    std::chrono::steady_clock::time_point deadline;
};

/// T has a member `deadline_link<T> link`.
template <class T>
class deadline_list {
public:
    void push_back(T& item, std::chrono::steady_clock::time_point deadline)
    {
        remove(item);
        item.link.deadline = deadline;
        item.link.list = this;
        item.link.prev = tail_;
        item.link.next = nullptr;
        (tail_ ? tail_->link.next : head_) = &item;
        tail_ = &item;
        size_.fetch_add(1, std::memory_order_relaxed);
    }

    /// Takes `item` off whichever list it is on.
    static void remove(T& item)
    {
        auto* list = static_cast<deadline_list*>(item.link.list);
        if (!list) return;
        (item.link.prev ? item.link.prev->link.next : list->head_) = item.link.next;
        (item.link.next ? item.link.next->link.prev : list->tail_) = item.link.prev;
        item.link = {};
        list->size_.fetch_sub(1, std::memory_order_relaxed);
    }

    /// The oldest item whose deadline passed, taken off the list; nullptr if none.
    T* pop_expired(std::chrono::steady_clock::time_point now)
    {
        if (!head_ || head_->link.deadline > now) return nullptr;
        T* item = head_;
        remove(*item);
        return item;
    }

    /// The oldest item, taken off the list; nullptr if empty.
    T* pop_front()
    {
        T* item = head_;
        if (item) remove(*item);
        return item;
    }

    /// How many items are on the list. Changed only by the owning thread; another thread may read
    /// it as a hint (e.g. whether an idle connection could make room).
    std::size_t size() const { return size_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::size_t> size_{0};
    T* head_ = nullptr;
    T* tail_ = nullptr;
};

} // namespace forkhorn
