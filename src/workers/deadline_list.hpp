// Connections waiting with the same timeout, oldest first: adding at the tail keeps them in
// deadline order, so expiring is a look at the head. No allocation, no timer per connection.
#pragma once

#include <chrono>

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
    }

    /// Takes `item` off whichever list it is on.
    static void remove(T& item)
    {
        auto* list = static_cast<deadline_list*>(item.link.list);
        if (!list) return;
        (item.link.prev ? item.link.prev->link.next : list->head_) = item.link.next;
        (item.link.next ? item.link.next->link.prev : list->tail_) = item.link.prev;
        item.link = {};
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

private:
    T* head_ = nullptr;
    T* tail_ = nullptr;
};

} // namespace forkhorn
