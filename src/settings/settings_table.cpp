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
                "sync", "STRING",
                "Worker type: sync (one connection at a time, no keep-alive), gthread (keep-alive loop + "
                "a pool of --threads), async (event loop; handlers may finish later) or uv (the same on libuv).",
                "sync,gthread,async,uv"},
    setting_def{"threads", "", "threads", "Worker Processes", integer, &s::threads, "1", "INT",
                "Handler threads per gthread worker.", {}, 1, 4096},
    setting_def{"worker_connections", "", "worker-connections", "Worker Processes", integer,
                &s::worker_connections, "1000", "INT",
                "Open client connections per gthread, async or uv worker; more wait in the backlog.", {}, 1,
                1 << 20},
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
    setting_def{"syslog", "", "log-syslog", "Logging", boolean, &s::syslog, "false", "",
                "Also send error-log lines to syslog."},
    setting_def{"syslog_addr", "", "log-syslog-to", "Logging", string, &s::syslog_addr, "unix:///dev/log", "SYSLOG_ADDR",
                "Where syslog lines go: unix://PATH or udp://HOST:PORT."},
    setting_def{"proc_name", "n", "name", "Process Naming", string, &s::proc_name, "", "STRING",
                "Instance name: process titles, and the default pidfile and control socket of `forkhorn ctl -n`."},
    setting_def{"pidfile", "p", "pid", "Server Mechanics", string, &s::pidfile, "", "FILE",
                "Pidfile to write; default <runtime dir>/NAME.pid when -n is given, none otherwise."},
    setting_def{"daemon", "D", "daemon", "Server Mechanics", boolean, &s::daemon, "false", "",
                "Detach from the terminal; the launching command reports boot errors and exits non-zero."},
    setting_def{"user", "u", "user", "Server Mechanics", string, &s::user, "", "USER",
                "Run workers as this user (name or uid); the master keeps its identity."},
    setting_def{"group", "g", "group", "Server Mechanics", string, &s::group, "", "GROUP",
                "Run workers as this group (name or gid)."},
    setting_def{"initgroups", "", "initgroups", "Server Mechanics", boolean, &s::initgroups, "false", "",
                "Give workers the supplementary groups of --user."},
    setting_def{"umask", "m", "umask", "Server Mechanics", integer, &s::umask, "0", "MODE",
                "umask applied while creating unix sockets and pidfiles (decimal; 0o22 and 022 also accepted).", {}, 0, 0777},
    setting_def{"chdir", "", "chdir", "Server Mechanics", string, &s::chdir, "", "DIR",
                "Change to this directory before loading the app."},
    setting_def{"preload_app", "", "preload", "Server Mechanics", boolean, &s::preload_app, "false", "",
                "Load and init the app in the master before forking (shared copy-on-write; HUP does not reload code)."},
    setting_def{"reuse_port", "", "reuse-port", "Server Socket", boolean, &s::reuse_port, "false", "",
                "Set SO_REUSEPORT on the listeners."},
    setting_def{"proxy_protocol", "", "proxy-protocol", "Proxies", string, &s::proxy_protocol, "off", "MODE",
                "Accept a PROXY protocol header (HAProxy) at the start of each connection.", "off,v1,v2,auto"},
    setting_def{"proxy_allow_ips", "", "proxy-allow-from", "Proxies", string, &s::proxy_allow_ips, "127.0.0.1,::1",
                "IPS", "Peers (IPs, CIDRs or *) allowed to send a PROXY header; others get 403."},
    setting_def{"forwarded_allow_ips", "", "forwarded-allow-ips", "Proxies", string, &s::forwarded_allow_ips,
                "127.0.0.1,::1", "IPS", "Peers (IPs, CIDRs or *) trusted to set the secure scheme headers.", {}, 0, 0,
                "FORWARDED_ALLOW_IPS"},
    setting_def{"secure_scheme_headers", "", "", "Proxies", list, &s::secure_scheme_headers,
                "X-FORWARDED-PROTOCOL=ssl,X-FORWARDED-PROTO=https,X-FORWARDED-SSL=on", "HEADER=VALUE",
                "Headers that, from a trusted peer, mark a request as https (config file only, as in Gunicorn)."},
    setting_def{"control_socket", "", "control-socket", "Control", string, &s::control_socket, "", "PATH",
                "Control socket for `forkhorn ctl`; default <runtime dir>/NAME.ctl (NAME = -n or 'forkhorn')."},
    setting_def{"control_socket_mode", "", "control-socket-mode", "Control", integer, &s::control_socket_mode,
                "0o600", "MODE", "Permissions of the control socket.", {}, 0, 0777},
    setting_def{"control_socket_disable", "", "no-control-socket", "Control", boolean, &s::control_socket_disable,
                "false", "", "Do not open a control socket."},
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
