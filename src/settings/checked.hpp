// The one step between loading settings and using them: everything the table's per-value
// parsing cannot check (address lists, HEADER=VALUE pairs, what this system supports, the
// user and group, directories) is checked here, and the values a consumer needs as a type are
// converted here, once. Start, HUP and --check-config all go through check_settings.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "http/proxy_protocol.hpp"
#include "http/trusted_proxies.hpp"
#include "settings/settings.hpp"
#include "transport/tls.hpp"

namespace forkhorn {

enum class worker_type : std::uint8_t { sync, gthread, async, uv };

/// Gunicorn's `timeout` does three jobs; each has its own name from here on (zero = off).
struct worker_timeouts {
    /// The arbiter replaces a worker whose heartbeat is older than this.
    std::chrono::seconds silent_worker{0};
    /// A worker gives up on a client that sends or takes nothing for this long (a request
    /// head, a body read, a response write).
    std::chrono::seconds client_io{0};
    /// How often a waiting worker wakes to beat: often enough for silent_worker (Gunicorn's
    /// timeout/2), at most a second.
    std::chrono::milliseconds beat_period{1000};
};

/// The settings as the server runs with them.
struct server_config {
    settings values; // as loaded: what --print-config prints and a re-started worker receives
    worker_type worker = worker_type::sync;
    worker_timeouts timeouts;
    http::proxy_mode proxy_protocol = http::proxy_mode::off;
    http::address_list proxy_allowed;     // proxy_allow_ips
    http::address_list forwarded_allowed; // forwarded_allow_ips
    std::vector<http::scheme_rule> scheme_rules;
    /// TLS, when a certificate is set: for the binds written https://HOST:PORT, or for every
    /// listener when none is written so (Gunicorn's way).
    std::optional<tls::options> tls;
    bool tls_named_binds = false;
    /// Whether the listener bound for `address` (as configured) speaks TLS.
    bool secure(std::string_view address) const;
    /// What the server decided for the user (e.g. gthread for sync with --threads): logged at
    /// start and on reload, so that no setting is ignored silently.
    std::vector<std::string> notes;
};

/// Checks `values` and builds the config from them. Returns every problem found, one line each
/// naming the setting; `out` is complete only when the list is empty. Relative directories are
/// checked against `start_dir` (where the server was started: a HUP runs elsewhere).
std::vector<std::string> check_settings(settings values, const std::filesystem::path& start_dir, server_config& out);

/// The part of check_settings that needs nothing of the system: what a worker started again
/// from its arbiter's settings runs (the arbiter checked the rest, from where it started).
std::vector<std::string> build_config(settings values, server_config& out);

/// The worker type named by `worker_class` (the table only admits these names).
worker_type worker_type_of(std::string_view name);

} // namespace forkhorn
