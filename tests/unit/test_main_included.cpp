// Test main for builds without the Boost.Test library (the Windows cross build): the one
// translation unit that compiles Boost.Test itself.
#define BOOST_TEST_MODULE forkhorn tests
#include <boost/test/included/unit_test.hpp>

#include <cstdio>
#include <cstdlib>

#include <windows.h>

namespace {
// MinGW has no SEH for Boost.Test to catch a crash with, and under wine a crashed process that
// the automatic debugger handled exits with status 0: a crash would pass. Fail loudly instead.
LONG WINAPI crash_fails_the_test(EXCEPTION_POINTERS* e)
{
    std::fprintf(stderr, "fatal: unhandled exception 0x%08lx at %p\n",
                 static_cast<unsigned long>(e->ExceptionRecord->ExceptionCode), e->ExceptionRecord->ExceptionAddress);
    std::fflush(stderr);
    std::_Exit(70);
}
[[maybe_unused]] const auto installed = SetUnhandledExceptionFilter(crash_fails_the_test);
} // namespace
