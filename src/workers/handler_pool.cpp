#include "workers/handler_pool.hpp"

#include <algorithm>

namespace forkhorn {

handler_pool::handler_pool(std::size_t threads, void (*run)(void* item)) : run_(run)
{
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { serve(); });
}

handler_pool::~handler_pool() { join(); }

void handler_pool::submit(std::vector<void*>& items)
{
    std::size_t wake = 0;
    bool all = false;
    {
        std::lock_guard lock(mutex_);
        queue_.insert(queue_.end(), items.begin(), items.end());
        wake = std::min(items.size(), idle_);
        all = wake == idle_;
    }
    items.clear();
    if (all)
        ready_.notify_all();
    else
        while (wake-- > 0) ready_.notify_one();
}

void handler_pool::serve()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        if (queue_.empty()) {
            if (ending_) return;
            ++idle_;
            ready_.wait(lock);
            --idle_;
            continue;
        }
        void* item = queue_.front();
        queue_.pop_front();
        lock.unlock();
        run_(item);
        lock.lock();
    }
}

void handler_pool::join()
{
    {
        std::lock_guard lock(mutex_);
        ending_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

} // namespace forkhorn
