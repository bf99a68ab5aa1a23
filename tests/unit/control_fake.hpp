// A fake arbiter for the control socket tests: canned rows, and a record of what was asked.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "control/control.hpp"
#include "settings/settings.hpp"

namespace forkhorn::test {

struct fake_arbiter final : control::arbiter_view {
    std::vector<control::worker_row> rows{
        {202, 2, 12.5, 7, 1, 0.25, "busy"},
        {201, 1, 3723.0, 1200, 0, 0.5, "idle"},
    };
    control::stats_row counters{3723.4, 200, 2, 2, 5, 3, 1};
    std::vector<control::listener_row> bound{{"http://127.0.0.1:8000", 3, "tcp"}, {"unix:/run/app.sock", 4, "unix"}};
    settings cfg = default_settings();
    int target = 2;
    std::vector<int> deltas;
    std::vector<int> killed;
    std::vector<platform::control_event> posted;
    bool fail = false; // every view throws, as a broken arbiter might

    std::vector<control::worker_row> workers() const override
    {
        check();
        return rows;
    }
    control::stats_row stats() const override
    {
        check();
        return counters;
    }
    std::vector<control::listener_row> listeners() const override
    {
        check();
        return bound;
    }
    const settings& config() const override
    {
        check();
        return cfg;
    }
    int change_workers(int delta) override
    {
        deltas.push_back(delta);
        int previous = target;
        target = std::max(1, target + delta);
        return previous;
    }
    bool kill_worker(int pid) override
    {
        bool known = std::any_of(rows.begin(), rows.end(), [&](const auto& w) { return w.pid == pid; });
        if (known) killed.push_back(pid);
        return known;
    }
    void post(platform::control_event e) override { posted.push_back(e); }

private:
    void check() const
    {
        if (fail) throw std::runtime_error("scoreboard unavailable");
    }
};

} // namespace forkhorn::test
