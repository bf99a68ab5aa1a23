// gthread's request threads: every item runs, a blocked item holds one thread only, and join
// runs what is still queued.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <boost/test/unit_test.hpp>

#include "workers/handler_pool.hpp"

using namespace std::chrono_literals;
using forkhorn::handler_pool;

namespace {

// What the test items do: count, and optionally wait for a gate (with a deadline).
struct gate {
    std::mutex mutex;
    std::condition_variable changed;
    int ran = 0;
    bool open = false;

    bool wait_open()
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, [this] { return open; });
    }
    bool wait_ran(int n)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, [&] { return ran >= n; });
    }
    void count()
    {
        std::lock_guard lock(mutex);
        ++ran;
        changed.notify_all();
    }
    void release()
    {
        std::lock_guard lock(mutex);
        open = true;
        changed.notify_all();
    }
};

gate* the_gate = nullptr;
std::atomic<int> blocked_timeouts{0};

void count_item(void*) { the_gate->count(); }
void blocking_item(void* item)
{
    if (item != nullptr && !the_gate->wait_open()) ++blocked_timeouts;
    the_gate->count();
}

} // namespace

BOOST_AUTO_TEST_SUITE(handler_pool_suite)

BOOST_AUTO_TEST_CASE(every_submitted_item_runs_once)
{
    gate g;
    the_gate = &g;
    handler_pool pool(3, count_item);
    for (int batch = 0; batch < 10; ++batch) {
        std::vector<void*> items(7, nullptr);
        pool.submit(items);
        BOOST_TEST(items.empty()); // taken over
    }
    BOOST_TEST(g.wait_ran(70));
    pool.join();
    BOOST_TEST(g.ran == 70);
}

BOOST_AUTO_TEST_CASE(a_blocked_item_holds_one_thread_only)
{
    gate g;
    the_gate = &g;
    blocked_timeouts = 0;
    handler_pool pool(2, blocking_item);
    int blocker = 0;
    std::vector<void*> items{&blocker, nullptr, nullptr, nullptr}; // one blocks, three do not
    pool.submit(items);
    BOOST_TEST(g.wait_ran(3)); // the other thread ran the rest while the first was held
    g.release();
    BOOST_TEST(g.wait_ran(4));
    pool.join();
    BOOST_TEST(blocked_timeouts == 0);
}

BOOST_AUTO_TEST_CASE(join_runs_what_is_queued)
{
    gate g;
    the_gate = &g;
    blocked_timeouts = 0;
    int blocker = 0;
    {
        handler_pool pool(1, blocking_item);
        std::vector<void*> items{&blocker, nullptr, nullptr};
        pool.submit(items);
        g.release();
        pool.join();
        BOOST_TEST(g.ran == 3);
    }
    BOOST_TEST(blocked_timeouts == 0);
}

BOOST_AUTO_TEST_SUITE_END()
