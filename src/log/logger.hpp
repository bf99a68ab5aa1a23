// The error log (Gunicorn's line format) and the access log (Gunicorn's atoms).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "append_file.hpp"
#include "http/parser.hpp"
#include "system.hpp"

namespace forkhorn {

enum class log_level : int { debug = 10, info = 20, warning = 30, error = 40, critical = 50 };

std::optional<log_level> parse_log_level(std::string_view name);
std::string_view log_level_name(log_level level);

/// What the access log needs to know about one finished request.
struct access_record {
    std::string_view remote_addr;
    const http::request_head* request = nullptr; // null when the request never parsed
    int status = 0;
    std::uint64_t body_bytes = 0;
    std::span<const http::header_field> response_headers;
    std::chrono::microseconds duration{0};
    std::time_t when = 0;
    int pid = 0;
    /// The connection: "http" or "https", and over TLS its protocol, cipher and client certificate
    /// subject (atoms %({scheme}x)s, %({tls_protocol}x)s, %({tls_cipher}x)s, %({tls_client}x)s).
    std::string_view scheme, tls_protocol, tls_cipher, tls_client;
};

/// A compiled access-log format: `%(h)s %(l)s ... %({header}i)s %({header}o)s`.
class access_format {
public:
    explicit access_format(std::string_view format);
    void render(std::string& out, const access_record& rec) const;

private:
    struct token {
        std::string literal; // when atom is empty
        std::string atom;    // "h", "r", "{user-agent}i"...
    };
    std::vector<token> tokens_;
};

/// An append-only log file (or stdout/stderr for "-"), written one line per write so that
/// lines from several processes never interleave or overwrite each other. The file goes
/// through platform::append_file: it can be renamed while open (rotation, then reopen), and the
/// processes the arbiter starts do not inherit it.
class log_file {
public:
    log_file(std::string path, std::FILE* dash_stream);
    ~log_file();
    log_file(const log_file&) = delete;
    log_file& operator=(const log_file&) = delete;
    /// Opens (or re-opens, for logrotate) the file; returns an error message on failure.
    std::optional<std::string> open();
    /// Points the log at another file (HUP with a new config); takes effect on open().
    void set_path(std::string path);
    void write_line(std::string_view line);
    bool enabled() const noexcept { return !path_.empty(); }

private:
    std::string path_;
    std::FILE* dash_stream_;
    bool to_dash_ = false;
    platform::append_file file_;
    std::mutex mutex_;
};

class logger {
public:
    logger(std::string errorlog, log_level level, std::string accesslog, std::string_view access_format);
    /// Opens both files; returns the first error (the path and the reason).
    std::optional<std::string> open();
    std::optional<std::string> reopen() { return open(); }
    /// Applies new log settings (HUP); the files are opened by the next open().
    void reconfigure(std::string errorlog, log_level level, std::string accesslog, std::string_view access_format);
    /// Also sends error-log lines to syslog.
    std::optional<std::string> enable_syslog(const std::string& address, const std::string& tag);

    void log(log_level level, std::string_view message);
    template <typename... Args>
    void debug(fmt::format_string<Args...> f, Args&&... a)
    {
        emit(log_level::debug, f, std::forward<Args>(a)...);
    }
    template <typename... Args>
    void info(fmt::format_string<Args...> f, Args&&... a)
    {
        emit(log_level::info, f, std::forward<Args>(a)...);
    }
    template <typename... Args>
    void warning(fmt::format_string<Args...> f, Args&&... a)
    {
        emit(log_level::warning, f, std::forward<Args>(a)...);
    }
    template <typename... Args>
    void error(fmt::format_string<Args...> f, Args&&... a)
    {
        emit(log_level::error, f, std::forward<Args>(a)...);
    }
    template <typename... Args>
    void critical(fmt::format_string<Args...> f, Args&&... a)
    {
        emit(log_level::critical, f, std::forward<Args>(a)...);
    }

    bool access_enabled() const noexcept { return access_.enabled(); }
    void access(const access_record& rec);

private:
    template <typename... Args>
    void emit(log_level level, fmt::format_string<Args...> f, Args&&... a)
    {
        if (level >= level_) log(level, fmt::format(f, std::forward<Args>(a)...));
    }
    log_file error_;
    log_level level_;
    log_file access_;
    access_format access_format_;
    platform::syslog_sink syslog_;
};

/// `[2026-11-21 10:00:00 +0000]`: the error log's time stamp, local time.
std::string log_time(std::time_t when);

} // namespace forkhorn
