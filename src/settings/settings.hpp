// Every server setting, declared once in a table (settings_table.cpp) that drives the command
// line, the TOML config file, FORKHORN_CMD_ARGS, --print-config and docs/settings.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace forkhorn {

/// The effective configuration. Member names are the setting names (Gunicorn's).
struct settings {
    // server socket
    std::vector<std::string> bind;
    int backlog = 0;
    // worker processes
    int workers = 0;
    int max_workers = 0;
    std::string worker_class;
    int threads = 1;
    int worker_connections = 1000;
    int timeout = 0;
    int graceful_timeout = 0;
    int keepalive = 0;
    int max_requests = 0;
    int max_requests_jitter = 0;
    // security limits
    int limit_request_line = 0;
    int limit_request_fields = 0;
    int limit_request_field_size = 0;
    // logging
    std::string accesslog;
    std::string access_log_format;
    std::string errorlog;
    std::string loglevel;
    std::string syslog_addr;
    bool syslog = false;
    // process naming, identity and config
    std::string proc_name;
    std::string config;
    std::string pidfile;
    bool daemon = false;
    std::string user;
    std::string group;
    int umask = 0;
    std::string chdir;
    bool initgroups = false;
    bool preload_app = false;
    bool reuse_port = false;
    // behind a proxy
    std::string proxy_protocol;
    std::string proxy_allow_ips;
    std::string forwarded_allow_ips;
    std::vector<std::string> secure_scheme_headers; // "HEADER=value"
    // TLS
    std::string certfile;
    std::string keyfile;
    std::string ca_certs;
    int cert_reqs = 0;
    std::string ciphers;
    std::string tls_min_version;
    bool suppress_ragged_eofs = true;
    bool do_handshake_on_connect = false;
    // control socket
    std::string control_socket;
    int control_socket_mode = 0;
    bool control_socket_disable = false;
    // the application, "path/to/lib.so:symbol"
    std::string app;
};

enum class setting_type : std::uint8_t { string, integer, boolean, list };

using setting_field =
    std::variant<std::string settings::*, int settings::*, bool settings::*, std::vector<std::string> settings::*>;

/// One row of the table.
struct setting_def {
    std::string_view name;       // key in the config file and in --print-config
    std::string_view short_flag; // e.g. "b", or empty
    std::string_view long_flag;  // e.g. "bind", or empty for config-only settings
    std::string_view section;    // heading in docs/settings.md
    setting_type type;
    setting_field field;
    std::string_view default_value; // parsed like any other value
    std::string_view metavar;
    std::string_view doc;          // one line
    std::string_view choices = {}; // comma-separated allowed values for strings
    int min_value = 0;             // for integers
    int max_value = 1 << 30;
    std::string_view env = {}; // an environment variable that supplies the default
};

std::span<const setting_def> setting_table();
const setting_def* find_setting(std::string_view name);

/// Raw values from one source (command line, FORKHORN_CMD_ARGS, config file), by setting name.
using setting_layer = std::map<std::string, std::vector<std::string>, std::less<>>;

/// Parses `raw` into `out.*field`; a list setting appends. Returns an error message naming the
/// setting if the value is not acceptable.
std::optional<std::string> assign_setting(settings& out, const setting_def& def, std::string_view raw);

/// Settings with every default from the table (and its environment variables) applied.
settings default_settings();

/// The value of `def` in `s` formatted as --print-config prints it.
std::string format_setting(const settings& s, const setting_def& def);

/// `docs/settings.md`, generated from the table.
std::string settings_markdown();

/// --print-config: one `name = value` line per setting, in TOML.
std::string settings_toml(const settings& s);

} // namespace forkhorn
