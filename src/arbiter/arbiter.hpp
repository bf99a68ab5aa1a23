// The arbiter (master): binds the listeners, keeps `workers` worker processes alive, kills the
// ones that stop beating, and acts on control events. Written once against
// platform::control_event, whatever delivers them (signals, the control socket, ctl).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/keeper.hpp"
#include "app/loader.hpp"
#include "control/control.hpp"
#include "events.hpp"
#include "instance/scoreboard.hpp"
#include "instance/worker_context.hpp"
#include "log/logger.hpp"
#include "process.hpp"
#include "settings/load.hpp"
#include "settings/settings.hpp"
#include "sockets.hpp"
#include "system.hpp"
#include "worker_process.hpp"

namespace forkhorn {

/// How often the arbiter makes a new TLS session-ticket key; tickets sealed with the one before
/// still open (so a ticket lives one to two rotations, docs/tls.md).
inline constexpr std::chrono::hours ticket_key_rotation{1};

/// How this arbiter was started: what HUP re-reads and USR2 re-executes.
struct launch_info {
    std::vector<std::string> args; // the command line without argv[0]
    std::string program;           // absolute path to re-execute
    std::string start_dir;         // where the program was started
};

class arbiter final : public control::arbiter_view {
public:
    /// `entry` is the body of every worker process (the worker types live above the arbiter).
    arbiter(server_config config, launch_info launch, logger& log, worker_entry entry);
    ~arbiter() override;
    arbiter(const arbiter&) = delete;
    arbiter& operator=(const arbiter&) = delete;

    /// Runs until stopped; returns the process exit status (0 after a clean stop, 1 when the
    /// listeners cannot be bound, 3/4 when a worker failed to boot or the app failed to load).
    int run();

    // control::arbiter_view
    std::vector<control::worker_row> workers() const override;
    control::stats_row stats() const override;
    std::vector<control::listener_row> listeners() const override;
    const settings& config() const override { return cfg_; }
    int change_workers(int delta) override;
    bool kill_worker(int pid) override;
    void post(platform::control_event e) override { control_.post(e); }

private:
    struct worker {
        int age = 0;
        int generation = 0;
        scoreboard_slot* slot = nullptr;
        std::chrono::steady_clock::time_point started;
        std::optional<std::chrono::steady_clock::time_point> retired; // asked to stop at
        bool aborted = false;                                         // SIGABRT sent after a missed heartbeat
    };

    // start-up and shutdown (arbiter.cpp)
    std::optional<std::string> start();
    std::optional<std::string> open_listeners();
    void loop_once();
    void handle(platform::control_event e);
    void stop(bool graceful);
    void halt(int status, std::string_view reason);
    void end_run();
    void wait_for_workers(std::chrono::milliseconds limit);
    void finish();

    // workers (arbiter_workers.cpp)
    void manage_workers();
    void spawn_one();
    settings worker_settings() const;
    void after_boot_failure(const platform::child_exit& exit);
    int worker_main(scoreboard_slot* slot, int age);
    void reap();
    void on_worker_exit(const platform::child_exit& exit);
    void murder_workers();
    void retire(int pid);
    void signal_all(platform::worker_command cmd);
    int active_workers() const;
    void set_target(int target);
    void check_ready();

    // reload and upgrade (arbiter_reload.cpp)
    void reload();
    bool reload_app(const std::string& spec);
    /// After `spec` loaded: workers load it, and a copy is kept for a bad deploy.
    std::optional<std::string> keep_app(const std::string& spec);
    void reload_listeners();
    void name_schemes();
    void retire_old_generations();
    void upgrade();
    void maybe_promote();
    std::string pidfile_path() const;
    std::optional<std::string> claim_pidfile();
    void write_pidfile(std::string_view state);
    std::string control_socket_path() const;
    std::optional<server_config> load_checked_config();
    /// Opens the control socket; an error only where the master must not run without it
    /// (feature::global_control_names), else a warning is logged and the server runs without.
    std::optional<std::string> open_control_socket();
    void give_files_to_workers();
    fh_server_info server_info() const;
    /// Calls an arbiter-side hook of the app with this server's info first.
    template <typename F, typename... Args>
    void server_hook(F fh_hooks::*member, Args... args)
    {
        auto info = server_info();
        call_hook(app_.hooks(), member, &info, args...);
    }

    server_config config_;
    settings& cfg_ = config_.values;
    launch_info launch_;
    logger& log_;
    worker_entry entry_;
    app_host app_;
    app_keeper keeper_{platform::runtime_dir() + "/apps", platform::current_pid()};
    std::string app_in_use_; // what workers load: the app, or the kept copy after a bad deploy
    platform::control_source control_;
    std::unique_ptr<control::control_server> control_server_;
    scoreboard board_;
    std::vector<platform::listener> listeners_;
    std::map<int, worker> workers_;
    platform::daemon_link daemon_;

    int target_workers_;
    int next_age_ = 0;
    int generation_ = 0;
    std::optional<int> retire_after_generation_; // old generations stop once this one booted
    int spawned_ = 0;
    int killed_ = 0;
    int reloads_ = 0;
    std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();

    int upgrade_child_ = 0;  // the new master started by USR2, while it runs
    int upgrade_parent_ = 0; // the old master, while this one is its `.2`
    bool listeners_inherited_ = false;
    bool pidfile_written_ = false;
    bool ready_ = false;
    bool served_ = false; // ready once: from then on a worker that fails to boot is replaced, not fatal
    std::chrono::steady_clock::time_point spawn_after_; // a pause after a worker failed to boot
    int spawn_failures_ = 0;                            // process creations failed in a row
    static constexpr int spawn_attempts = 5;
    bool running_ = true;
    bool stopping_ = false;
    bool quick_requested_ = false;
    int exit_status_ = 0;
    std::string name_;                  // proc_name, or the app spec: in titles and hook info
    int pid_ = platform::current_pid(); // the arbiter's, also as seen from forked workers
};

} // namespace forkhorn
