// The parts of `forkhorn service` that are pure code (the SCM's side runs under wine:
// tests/windows/service_test.cpp).
#include "cli/service_command.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using forkhorn::cli::stop_wait_limit;

BOOST_AUTO_TEST_SUITE(service_command)

// `service stop` waits as long as the service's graceful stop may take, not a fixed 60 s: its
// --graceful-timeout, the 5 s the arbiter may need after it, and 30 s more.
BOOST_AUTO_TEST_CASE(stop_waits_as_long_as_the_graceful_timeout_says)
{
    BOOST_TEST(stop_wait_limit(300, 0ms).count() == 335);
    BOOST_TEST(stop_wait_limit(1, 0ms).count() == 36);
    BOOST_TEST(stop_wait_limit(30, 35'000ms).count() == 65);
    // A longer hint reported by the service itself wins.
    BOOST_TEST(stop_wait_limit(1, 100'500ms).count() == 131);
}

BOOST_AUTO_TEST_SUITE_END()
