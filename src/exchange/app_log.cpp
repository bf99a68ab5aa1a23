#include "exchange/app_log.hpp"

#include <atomic>

#include "log/logger.hpp"

namespace forkhorn {
namespace {
std::atomic<logger*> current{nullptr};
}

void set_app_logger(logger* log) { current.store(log); }

void app_log(int level, std::string_view message)
{
    if (auto* log = current.load()) log->log(static_cast<log_level>(level), message);
}
} // namespace forkhorn
