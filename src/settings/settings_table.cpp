// The one place where a setting is declared. Names, flags and defaults follow Gunicorn's
// (gunicorn/config.py), so a Gunicorn user finds them where they expect.
#include "settings/settings.hpp"

#include <array>

namespace forkhorn {
namespace {

using enum setting_type;
using s = settings;

constexpr std::string_view default_access_format =
    R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")";

const std::array table{
    setting_def{"app", "", "", "Application", string, &s::app, "", "LIBRARY:SYMBOL",
                "The application: a shared library and its exported entry function (the positional argument)."},
    setting_def{"config", "c", "config", "Config File", string, &s::config, "", "CONFIG",
                "TOML config file; ./forkhorn.toml is read when present and no -c is given."},
    setting_def{"bind", "b", "bind", "Server Socket", list, &s::bind, "127.0.0.1:8000", "ADDRESS",
                "Address to listen on: HOST:PORT, [IPv6]:PORT, unix:PATH. Repeat for several."},
    setting_def{"backlog", "", "backlog", "Server Socket", integer, &s::backlog, "2048", "INT",
                "Maximum number of pending connections per listener.", {}, 1, 65535},
    setting_def{"workers", "w", "workers", "Worker Processes", integer, &s::workers, "1", "INT",
                "Number of worker processes.", {}, 1, 4096, "WEB_CONCURRENCY"},
    setting_def{"worker_class", "k", "worker-class", "Worker Processes", string, &s::worker_class,
                "sync", "STRING", "Worker type.", "sync"},
    setting_def{"timeout", "t", "timeout", "Worker Processes", integer, &s::timeout, "30", "INT",
                "Seconds a client may take to send a request; 0 = no limit.", {}, 0, 86400},
    setting_def{"graceful_timeout", "", "graceful-timeout", "Worker Processes", integer,
                &s::graceful_timeout, "30", "INT",
                "Seconds workers get to finish after a graceful stop before they are killed.", {}, 0, 86400},
    setting_def{"keepalive", "", "keep-alive", "Worker Processes", integer, &s::keepalive, "2", "INT",
                "Seconds to wait for the next request on a keep-alive connection (not sync).", {}, 0, 86400},
    setting_def{"max_requests", "", "max-requests", "Worker Processes", integer, &s::max_requests,
                "0", "INT", "A worker restarts after this many requests; 0 = never.", {}, 0, 1 << 30},
    setting_def{"max_requests_jitter", "", "max-requests-jitter", "Worker Processes", integer,
                &s::max_requests_jitter, "0", "INT",
                "Random extra requests (0..N) added to max_requests per worker.", {}, 0, 1 << 30},
    setting_def{"limit_request_line", "", "limit-request-line", "Security", integer,
                &s::limit_request_line, "4094", "INT",
                "Maximum size of the request line in bytes; 0 = 8190.", {}, 0, 8190},
    setting_def{"limit_request_fields", "", "limit-request-fields", "Security", integer,
                &s::limit_request_fields, "100", "INT",
                "Maximum number of header fields; 0 = 32768.", {}, 0, 32768},
    setting_def{"limit_request_field_size", "", "limit-request-field_size", "Security", integer,
                &s::limit_request_field_size, "8190", "INT",
                "Maximum size of one header line in bytes; 0 = 8190.", {}, 0, 65536},
    setting_def{"accesslog", "", "access-logfile", "Logging", string, &s::accesslog, "", "FILE",
                "Access log file; '-' = stdout; empty = no access log."},
    setting_def{"access_log_format", "", "access-logformat", "Logging", string, &s::access_log_format,
                default_access_format, "STRING", "Access log format (Gunicorn's atoms)."},
    setting_def{"errorlog", "", "error-logfile", "Logging", string, &s::errorlog, "-", "FILE",
                "Error log file; '-' = stderr."},
    setting_def{"loglevel", "", "log-level", "Logging", string, &s::loglevel, "info", "LEVEL",
                "Error log level.", "debug,info,warning,error,critical"},
    setting_def{"proc_name", "n", "name", "Process Naming", string, &s::proc_name, "", "STRING",
                "Instance name, used in process titles and to find the pidfile."},
};

} // namespace

std::span<const setting_def> setting_table() { return table; }

const setting_def* find_setting(std::string_view name)
{
    for (const auto& def : table)
        if (def.name == name) return &def;
    return nullptr;
}

} // namespace forkhorn
