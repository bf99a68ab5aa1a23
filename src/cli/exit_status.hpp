// The exit statuses of the client commands (`forkhorn ctl`, `forkhorn service`), as LSB's
// init-script statuses: scripts can tell "not running" from a failure.
#pragma once

namespace forkhorn::cli {

enum exit_status : int {
    exit_ok = 0,         // done
    exit_error = 1,      // it failed; one line on stderr says why
    exit_usage = 2,      // bad arguments (or a command this system does not have)
    exit_not_running = 3 // the server or service is not running, or not installed
};

} // namespace forkhorn::cli
