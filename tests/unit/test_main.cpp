#define BOOST_TEST_MODULE forkhorn unit tests
#include <boost/test/unit_test.hpp>
