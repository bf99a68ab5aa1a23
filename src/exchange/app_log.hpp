// Where the app's fh_server_api::log lines go: the process's error log.
#pragma once

#include <string_view>

namespace forkhorn {
class logger;

/// Sets the logger behind fh_server_api::log for this process (null: lines are dropped).
void set_app_logger(logger* log);
void app_log(int level, std::string_view message);
} // namespace forkhorn
