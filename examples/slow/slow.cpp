// A handler that takes its time: `GET /?seconds=N` answers after N seconds (default 60).
// Used to show --timeout killing a hung worker and graceful stops waiting for requests.
#include <forkhorn/app.hpp>

#include <chrono>
#include <string>
#include <thread>

FORKHORN_APP(app, [](forkhorn::request& req, forkhorn::response& res) {
    double seconds = 60;
    auto query = req.query();
    if (query.starts_with("seconds=")) seconds = std::stod(std::string(query.substr(8)));
    req.log(FH_LOG_INFO, "slow: sleeping " + std::to_string(seconds) + " s"); // tests wait for this line
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    res.header("Content-Type", "text/plain");
    res.write("slept\n");
})
