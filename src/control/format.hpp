// `forkhorn ctl`'s human output: aligned tables and "key: value" lines made from reply data.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "control/commands.hpp"

namespace forkhorn::control {

/// "42s", "3m07s", "2h05m", "4d03h"; seconds below a minute keep one decimal under 10 s.
std::string format_duration(double seconds);

/// The text `forkhorn ctl` prints for the `data` of a successful reply to `kind`, ending in '\n'.
std::string format_human(command_kind kind, const nlohmann::json& data);

} // namespace forkhorn::control
