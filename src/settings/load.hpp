// Turns the command line, FORKHORN_CMD_ARGS and the config file into one `settings`.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "settings/settings.hpp"

namespace forkhorn {

enum class cli_action { serve, help, version, print_config, check_config, print_settings_doc };

struct load_result {
    cli_action action = cli_action::serve;
    settings config;
    std::string error; // one line naming the problem; non-empty means "exit 2"
    std::string help;  // the --help text
};

struct load_inputs {
    std::span<const std::string> args;                 // without argv[0]
    std::string env_cmd_args;                          // $FORKHORN_CMD_ARGS
    std::string default_config_file = "forkhorn.toml"; // read when it exists and no -c is given
};

/// Applies, lowest first: built-in defaults, the config file, FORKHORN_CMD_ARGS, the command line.
load_result load_settings(const load_inputs& in);

/// Reads a TOML config file into a layer of raw values; returns an error message on failure.
std::optional<std::string> read_config_file(const std::string& path, setting_layer& out);

/// Rebuilds settings from --print-config's TOML (what a re-executed worker receives, so that it
/// runs with exactly its arbiter's settings even if the config file changed since).
std::optional<std::string> settings_from_toml(const std::string& text, settings& out);

/// Splits FORKHORN_CMD_ARGS like a shell would for simple cases (whitespace, '...' and "...").
std::vector<std::string> split_command_args(std::string_view text);

} // namespace forkhorn
