// Test main for builds without the Boost.Test library (the Windows cross build): the one
// translation unit that compiles Boost.Test itself.
#define BOOST_TEST_MODULE forkhorn tests
#include <boost/test/included/unit_test.hpp>
