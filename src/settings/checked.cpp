#include "settings/checked.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "sockets.hpp"
#include "system.hpp"

namespace forkhorn {
namespace {

using problems = std::vector<std::string>;

void check_supported(const settings& cfg, problems& out)
{
    auto any_bind = [&](std::string_view prefix) {
        return std::any_of(cfg.bind.begin(), cfg.bind.end(), [&](const auto& b) { return b.starts_with(prefix); });
    };
    const std::tuple<bool, platform::feature, std::string_view> uses[] = {
        {cfg.daemon, platform::feature::daemon, "-D/--daemon (use `forkhorn service install` on Windows)"},
        {!cfg.user.empty() || !cfg.group.empty() || cfg.initgroups, platform::feature::user_switch,
         "-u/--user, -g/--group and --initgroups (run the service under the account instead)"},
        {cfg.syslog, platform::feature::syslog, "--log-syslog"},
        {cfg.preload_app, platform::feature::preload, "--preload (workers cannot be forked here)"},
        {any_bind("unix:"), platform::feature::unix_sockets, "unix: binds"},
        {any_bind("fd://"), platform::feature::fd_binds, "fd:// binds"},
        {cfg.reuse_port, platform::feature::reuse_port, "--reuse-port"},
        {cfg.umask != 0, platform::feature::file_modes, "-m/--umask (Windows files have no mode bits)"},
        {cfg.control_socket_mode != 0600, platform::feature::file_modes,
         "--control-socket-mode (the control pipe is the service account's and administrators' only)"},
    };
    for (const auto& [used, feature, what] : uses)
        if (used && !platform::supports(feature)) out.push_back(fmt::format("{} is Unix-only", what));
}

void parse_addresses(std::string_view name, const std::string& text, http::address_list& list, problems& out)
{
    if (auto err = http::address_list::parse(text, list)) out.push_back(fmt::format("{}: {}", name, *err));
}

void parse_scheme_rules(const std::vector<std::string>& entries, server_config& cfg, problems& out)
{
    for (const auto& entry : entries) {
        auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) {
            out.push_back(fmt::format("secure_scheme_headers: '{}' is not HEADER=VALUE", entry));
            continue;
        }
        cfg.scheme_rules.push_back({entry.substr(0, eq), entry.substr(eq + 1)});
    }
}

void check_directory(const settings& cfg, const std::filesystem::path& start_dir, problems& out)
{
    if (cfg.chdir.empty()) return;
    std::error_code ec;
    auto dir = start_dir / cfg.chdir; // an absolute chdir replaces start_dir
    if (!std::filesystem::is_directory(dir, ec))
        out.push_back(fmt::format("chdir: '{}' is not a directory{}", cfg.chdir, ec ? ": " + ec.message() : ""));
}

// Gunicorn runs gthread when the sync worker is given threads; saying so beats ignoring them.
void choose_worker_type(settings& values, server_config& cfg)
{
    cfg.worker = worker_type_of(values.worker_class);
    if (cfg.worker != worker_type::sync || values.threads <= 1) return;
    cfg.worker = worker_type::gthread;
    values.worker_class = "gthread";
    cfg.notes.push_back(fmt::format("--threads {} with the sync worker: using gthread", values.threads));
}

void check_worker_count(const settings& values, problems& out)
{
    if (values.workers > values.max_workers)
        out.push_back(fmt::format("workers: {} is above max_workers ({}); raise --max-workers", values.workers,
                                  values.max_workers));
}

worker_timeouts timeouts_of(const settings& cfg)
{
    worker_timeouts t;
    t.silent_worker = std::chrono::seconds(cfg.timeout);
    t.client_io = std::chrono::seconds(cfg.timeout);
    if (cfg.timeout > 0) t.beat_period = std::min(t.beat_period, std::chrono::milliseconds(cfg.timeout * 500));
    return t;
}

http::proxy_mode proxy_mode_of(std::string_view mode)
{
    using enum http::proxy_mode;
    return mode == "v1" ? v1 : mode == "v2" ? v2 : mode == "auto" ? auto_detect : off;
}

tls::options tls_options_of(const settings& v)
{
    tls::options o;
    o.certfile = v.certfile;
    o.keyfile = v.keyfile;
    o.ca_certs = v.ca_certs;
    o.cert_reqs = v.cert_reqs;
    o.ciphers = v.ciphers;
    o.min_version = v.tls_min_version;
    o.suppress_ragged_eofs = v.suppress_ragged_eofs;
    o.alpn = {"http/1.1"};
    return o;
}

void choose_tls(const settings& v, server_config& out, problems& found)
{
    auto named = [](const std::string& b) { return b.starts_with("https://"); };
    out.tls_named_binds = std::any_of(v.bind.begin(), v.bind.end(), named);
    if (v.certfile.empty()) {
        if (!v.keyfile.empty()) found.push_back("keyfile is set without certfile: set both to serve TLS");
        if (out.tls_named_binds) found.push_back("bind: an https:// address needs certfile (and keyfile)");
        return;
    }
    out.tls = tls_options_of(v);
}

// The certificate and key are loaded here, as the workers will load them: a file that does
// not load stops a start, and a HUP keeps the running ones.
void check_tls(server_config& config, problems& found)
{
    if (!config.tls) return;
    if (auto err = tls::load_files(*config.tls)) return found.push_back("TLS: " + *err);
    auto made = tls::context::make(*config.tls);
    if (auto* err = std::get_if<std::string>(&made)) found.push_back("TLS: " + *err);
}

} // namespace

bool server_config::secure(std::string_view address) const
{
    if (!tls) return false;
    if (tls_named_binds) return address.starts_with("https://");
    return !address.starts_with("http://");
}

worker_type worker_type_of(std::string_view name)
{
    using enum worker_type;
    return name == "gthread" ? gthread : name == "async" ? async : name == "uv" ? uv : sync;
}

std::vector<std::string> check_settings(settings values, const std::filesystem::path& start_dir, server_config& out)
{
    problems found;
    check_supported(values, found);
    if (auto err = platform::check_identity(values.user, values.group)) found.push_back(*err);
    check_directory(values, start_dir, found);
    // Files named relative to where the server started, whatever directory it later runs in.
    for (auto* file : {&values.certfile, &values.keyfile, &values.ca_certs})
        if (!file->empty()) *file = (start_dir / *file).lexically_normal().string();
    for (const auto& address : values.bind)
        if (auto err = platform::check_bind_address(address)) found.push_back(*err);
    auto more = build_config(std::move(values), out);
    found.insert(found.end(), more.begin(), more.end());
    check_tls(out, found);
    return found;
}

std::vector<std::string> build_config(settings values, server_config& out)
{
    problems found;
    out = server_config{};
    parse_addresses("forwarded_allow_ips", values.forwarded_allow_ips, out.forwarded_allowed, found);
    parse_addresses("proxy_allow_ips", values.proxy_allow_ips, out.proxy_allowed, found);
    parse_scheme_rules(values.secure_scheme_headers, out, found);
    check_worker_count(values, found);
    choose_worker_type(values, out);
    out.timeouts = timeouts_of(values);
    out.proxy_protocol = proxy_mode_of(values.proxy_protocol);
    choose_tls(values, out, found);
    out.values = std::move(values);
    return found;
}

} // namespace forkhorn
