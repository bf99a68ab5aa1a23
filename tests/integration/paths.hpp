// What the integration suites share: where the binary and the app libraries are, and the
// command line every test server starts from.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "test_process.hpp"

namespace forkhorn::test {

inline const std::string bin = FORKHORN_BIN;
inline const std::string examples = FORKHORN_EXAMPLES_DIR;
inline const std::string fixtures = FORKHORN_FIXTURES_DIR;

/// "DIR/libNAME.so:app" (the library's file name comes from the platform helpers).
inline std::string lib(const std::string& dir, const std::string& name) { return library_path(dir, name) + ":app"; }

/// Serve `app` on an OS-chosen port. No control socket: suites run side by side and must not
/// fight over the default one (the ctl suite opens its own, in a private directory).
/// The worker type under test: CTest runs the portable suites once per type
/// (FORKHORN_TEST_WORKER_CLASS), sync when unset.
inline std::string worker_class()
{
    const char* k = std::getenv("FORKHORN_TEST_WORKER_CLASS");
    return k && *k ? k : "sync";
}

/// Test-case precondition: runs the case only for (or, with `except`, not for) worker type
/// `kind`; otherwise Boost.Test reports it skipped.
struct worker_is {
    std::string kind;
    bool except = false;
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const
    {
        bool match = worker_class() == kind;
        boost::test_tools::assertion_result r(match != except);
        r.message() << "worker class " << worker_class();
        return r;
    }
};

/// Precondition: no sanitizer in the server under test, because `why` (shown with the skip).
struct without_sanitizer {
    std::string why;
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const
    {
        boost::test_tools::assertion_result r(sanitizer_in_use().empty());
        r.message() << "built with the " << sanitizer_in_use() << " sanitizer: " << why;
        return r;
    }
};

inline std::vector<std::string> serve_args(const std::string& app, std::vector<std::string> extra = {})
{
    std::vector<std::string> args{app,  "-b",          "127.0.0.1:0", "--graceful-timeout", "5", "--no-control-socket",
                                  "-k", worker_class()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

/// Requires `server` to have logged `n` "Booting worker" lines within 20 s: the arbiter logs one
/// once CreateProcess returns; under wine on a loaded machine the third of three came more
/// than 10 s after the server started listening.
/// On failure the message gives its log.
inline void require_booted(const server_process& server, int n = 1)
{
    BOOST_REQUIRE_MESSAGE(server.wait_for_log("Booting worker", 20s, n), "wanted " << n << " workers booted; the log:\n"
                                                                                   << server.log());
}

/// Requires `server` to have `n` workers within 20 s (a loaded machine under wine starts a
/// process in seconds); on failure the message gives how many it has and its log.
inline void require_workers(const server_process& server, std::size_t n)
{
    bool reached = eventually([&] { return server.children().size() == n; }, 20s);
    BOOST_REQUIRE_MESSAGE(reached, "wanted " << n << " workers, have " << server.children().size() << "\n"
                                             << server.log());
}

inline int count_of(const std::string& text, std::string_view needle)
{
    int n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

/// A temporary directory for pidfiles, sockets and logs, removed at the end of the test.
struct temp_dir {
    std::string path = make_temp_dir();
    ~temp_dir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

inline int count_lines_starting(const std::string& text, const std::string& prefix)
{
    std::istringstream in(text);
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line.starts_with(prefix);
    return n;
}

inline bool disjoint(const std::vector<int>& a, const std::vector<int>& b)
{
    return std::none_of(a.begin(), a.end(), [&](int p) { return std::find(b.begin(), b.end(), p) != b.end(); });
}

/// Waits until `server` has `n` workers and none of them is in `before` (a HUP's new generation,
/// or replacements for workers that were killed); false on timeout.
inline bool workers_replaced(const server_process& server, const std::vector<int>& before, std::size_t n,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10))
{
    return eventually(
        [&] {
            auto now = server.children();
            return now.size() == n && disjoint(before, now);
        },
        timeout);
}

} // namespace forkhorn::test
