#include "log/logger.hpp"

#include <algorithm>
#include <cstdlib>

#include <fmt/chrono.h>

#include "process.hpp"

namespace forkhorn {
namespace {

std::string_view find_header(std::span<const http::header_field> headers, std::string_view name)
{
    auto same = [](char a, char b) { return (a | 0x20) == (b | 0x20); };
    for (const auto& h : headers)
        if (std::equal(h.name.begin(), h.name.end(), name.begin(), name.end(), same)) return h.value;
    return {};
}

int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// %(u)s: the user name of "Authorization: Basic base64(user:password)".
std::string basic_auth_user(std::string_view auth)
{
    if (auth.size() < 6 ||
        !std::equal(auth.begin(), auth.begin() + 6, "Basic ", [](char a, char b) { return (a | 0x20) == (b | 0x20); }))
        return "-";
    std::string decoded;
    unsigned bits = 0, acc = 0;
    for (char c : auth.substr(6)) {
        int v = base64_value(c);
        if (v < 0) break;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            decoded += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    auto colon = decoded.find(':');
    return colon == std::string::npos || colon == 0 ? "-" : decoded.substr(0, colon);
}

// "+0100": strftime's %z prints a zone name on Windows, so the offset is computed here from
// the local and UTC calendar times of the same instant.
std::string utc_offset(std::time_t when)
{
    std::tm local = fmt::localtime(when);
    std::tm utc = fmt::gmtime(when);
    int days = local.tm_yday - utc.tm_yday;
    if (local.tm_year != utc.tm_year) days = local.tm_year > utc.tm_year ? 1 : -1;
    int minutes = (days * 24 + local.tm_hour - utc.tm_hour) * 60 + local.tm_min - utc.tm_min;
    return fmt::format("{}{:02}{:02}", minutes < 0 ? '-' : '+', std::abs(minutes) / 60, std::abs(minutes) % 60);
}

void append_escaped(std::string& out, std::string_view value)
{
    if (value.empty()) {
        out += '-';
        return;
    }
    for (char c : value) {
        if (c == '"') out += '\\';
        out += c;
    }
}

std::string request_line(const http::request_head& h)
{
    return fmt::format("{} {} HTTP/1.{}", h.method, h.target, h.version_minor);
}

// %({name}x)s: what the connection was (Apache's %{VAR}x for mod_ssl's variables).
std::string_view connection_atom(std::string_view name, const access_record& r)
{
    if (name == "scheme") return r.scheme;
    if (name == "tls_protocol") return r.tls_protocol;
    if (name == "tls_cipher") return r.tls_cipher;
    if (name == "tls_client") return r.tls_client;
    return {};
}

void render_atom(std::string& out, std::string_view atom, const access_record& r)
{
    const auto* req = r.request;
    auto header_atom = [&](char kind) -> std::string_view {
        auto name = atom.substr(1, atom.size() - 3);
        if (kind == 'i') return req ? find_header(req->headers, name) : std::string_view{};
        return find_header(r.response_headers, name);
    };
    auto us = r.duration.count();
    if (atom == "h")
        append_escaped(out, r.remote_addr);
    else if (atom == "u")
        out += req ? basic_auth_user(find_header(req->headers, "authorization")) : "-";
    else if (atom == "t")
        out += fmt::format("[{:%d/%b/%Y:%H:%M:%S} {}]", fmt::localtime(r.when), utc_offset(r.when));
    else if (atom == "r")
        append_escaped(out, req ? request_line(*req) : std::string());
    else if (atom == "m")
        append_escaped(out, req ? req->method : std::string_view{});
    else if (atom == "U")
        append_escaped(out, req ? req->path : std::string_view{});
    else if (atom == "q")
        out += req ? req->query : std::string_view{};
    else if (atom == "H")
        out += req ? (req->version_minor ? "HTTP/1.1" : "HTTP/1.0") : "-";
    else if (atom == "s")
        out += std::to_string(r.status);
    else if (atom == "B")
        out += std::to_string(r.body_bytes);
    else if (atom == "b")
        out += r.body_bytes ? std::to_string(r.body_bytes) : "-";
    else if (atom == "f")
        append_escaped(out, req ? find_header(req->headers, "referer") : std::string_view{});
    else if (atom == "a")
        append_escaped(out, req ? find_header(req->headers, "user-agent") : std::string_view{});
    else if (atom == "T")
        out += std::to_string(us / 1000000);
    else if (atom == "M")
        out += std::to_string(us / 1000);
    else if (atom == "D")
        out += std::to_string(us);
    else if (atom == "L")
        out += fmt::format("{}.{:06}", us / 1000000, us % 1000000);
    else if (atom == "p")
        out += fmt::format("<{}>", r.pid);
    else if (atom.size() > 3 && atom.front() == '{' && atom[atom.size() - 2] == '}' &&
             (atom.back() == 'i' || atom.back() == 'o'))
        append_escaped(out, header_atom(atom.back()));
    else if (atom.size() > 3 && atom.front() == '{' && atom.ends_with("}x"))
        append_escaped(out, connection_atom(atom.substr(1, atom.size() - 3), r));
    else // "l" (remote logname) and every unknown atom
        out += '-';
}

} // namespace

std::optional<log_level> parse_log_level(std::string_view name)
{
    constexpr std::pair<std::string_view, log_level> levels[] = {{"debug", log_level::debug},
                                                                 {"info", log_level::info},
                                                                 {"warning", log_level::warning},
                                                                 {"error", log_level::error},
                                                                 {"critical", log_level::critical}};
    for (auto [n, l] : levels)
        if (n == name) return l;
    return std::nullopt;
}

std::string_view log_level_name(log_level level)
{
    switch (level) {
    case log_level::debug: return "DEBUG";
    case log_level::info: return "INFO";
    case log_level::warning: return "WARNING";
    case log_level::error: return "ERROR";
    default: return "CRITICAL";
    }
}

std::string log_time(std::time_t when)
{
    return fmt::format("[{:%Y-%m-%d %H:%M:%S} {}]", fmt::localtime(when), utc_offset(when));
}

access_format::access_format(std::string_view format)
{
    while (!format.empty()) {
        auto start = format.find("%(");
        auto end = start == std::string_view::npos ? start : format.find(")s", start);
        if (end == std::string_view::npos) {
            tokens_.push_back({std::string(format), {}});
            break;
        }
        if (start > 0) tokens_.push_back({std::string(format.substr(0, start)), {}});
        tokens_.push_back({{}, std::string(format.substr(start + 2, end - start - 2))});
        format.remove_prefix(end + 2);
    }
}

void access_format::render(std::string& out, const access_record& rec) const
{
    for (const auto& t : tokens_) {
        if (t.atom.empty())
            out += t.literal;
        else
            render_atom(out, t.atom, rec);
    }
}

log_file::log_file(std::string path, std::FILE* dash_stream) : path_(std::move(path)), dash_stream_(dash_stream) {}

log_file::~log_file() = default;

std::optional<std::string> log_file::open()
{
    if (path_.empty()) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (path_ == "-") {
        file_.close();
        to_dash_ = true;
        return std::nullopt;
    }
    if (auto err = file_.open(path_)) return fmt::format("cannot open log file '{}': {}", path_, *err);
    to_dash_ = false;
    return std::nullopt;
}

void log_file::set_path(std::string path)
{
    std::lock_guard lock(mutex_);
    path_ = std::move(path);
}

void log_file::write_line(std::string_view line)
{
    std::lock_guard lock(mutex_);
    if (to_dash_) {
        std::fwrite(line.data(), 1, line.size(), dash_stream_);
        std::fflush(dash_stream_);
        return;
    }
    // One write of the whole line to a file opened for appending: lines from several processes
    // never interleave, and none overwrites another.
    (void)file_.write(line);
}

logger::logger(std::string errorlog, log_level level, std::string accesslog, std::string_view access_fmt)
    : error_(std::move(errorlog), stderr), level_(level), access_(std::move(accesslog), stdout),
      access_format_(access_fmt)
{
}

std::optional<std::string> logger::open()
{
    if (auto err = error_.open()) return err;
    return access_.open();
}

void logger::reconfigure(std::string errorlog, log_level level, std::string accesslog, std::string_view format)
{
    error_.set_path(std::move(errorlog));
    access_.set_path(std::move(accesslog));
    level_ = level;
    access_format_ = access_format(format);
}

std::optional<std::string> logger::enable_syslog(const std::string& address, const std::string& tag)
{
    return syslog_.open(address, tag);
}

void logger::log(log_level level, std::string_view message)
{
    if (level < level_) return;
    if (syslog_.enabled()) {
        // RFC 3164 severities: critical 2, error 3, warning 4, info 6, debug 7.
        constexpr int severity[] = {7, 6, 4, 3, 2};
        syslog_.write(severity[static_cast<int>(level) / 10 - 1], message);
    }
    error_.write_line(fmt::format("{} [{}] [{}] {}\n", log_time(std::time(nullptr)), platform::current_pid(),
                                  log_level_name(level), message));
}

void logger::access(const access_record& rec)
{
    std::string line;
    access_format_.render(line, rec);
    line += '\n';
    access_.write_line(line);
}

} // namespace forkhorn
