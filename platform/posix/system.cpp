// POSIX process-level services: titles, exec for upgrades, daemon mode, identity, umask,
// syslog. (sd_notify and socket activation: service.cpp.)
#include "system.hpp"
#include "append_file.hpp"
#include "paths.hpp"
#include "process.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

extern char** environ;

namespace forkhorn::platform {
namespace {

char* title_area = nullptr;
std::size_t title_size = 0;

std::string errno_text() { return std::strerror(errno); }

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

void write_all(int fd, std::string_view data)
{
    while (!data.empty()) {
        auto n = ::write(fd, data.data(), data.size());
        if (n <= 0 && errno != EINTR) return;
        if (n > 0) data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// The launching process of a daemon: wait for one status line from the daemon, then leave.
[[noreturn]] void wait_for_daemon(int fd)
{
    std::string message;
    char buf[512];
    for (ssize_t n; message.find('\n') == std::string::npos && (n = ::read(fd, buf, sizeof buf)) != 0;)
        if (n > 0)
            message.append(buf, static_cast<std::size_t>(n));
        else if (errno != EINTR)
            break;
    if (message.empty()) {
        std::fputs("forkhorn: error: the daemon exited during boot (see the error log)\n", stderr);
        ::_exit(1);
    }
    int status = std::atoi(message.c_str());
    auto space = message.find(' ');
    if (status != 0 && space != std::string::npos) std::fputs(message.substr(space + 1).c_str(), stderr);
    ::_exit(status);
}

void redirect_stdio()
{
    int null = ::open("/dev/null", O_RDWR);
    if (null < 0) return;
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    if (null > 2) ::close(null);
}

std::optional<std::string> resolve_group(const std::string& group, gid_t& gid)
{
    if (all_digits(group)) return gid = static_cast<gid_t>(std::stoul(group)), std::nullopt;
    struct group* g = ::getgrnam(group.c_str());
    if (!g) return "group: no such group '" + group + "'";
    gid = g->gr_gid;
    return std::nullopt;
}

std::optional<std::string> resolve_user(const std::string& user, uid_t& uid, gid_t& gid)
{
    struct passwd* p = all_digits(user) ? ::getpwuid(static_cast<uid_t>(std::stoul(user))) : ::getpwnam(user.c_str());
    if (!p && !all_digits(user)) return "user: no such user '" + user + "'";
    uid = p ? p->pw_uid : static_cast<uid_t>(std::stoul(user));
    gid = p ? p->pw_gid : ::getegid();
    return std::nullopt;
}

} // namespace

void init_process_title(int argc, char** argv)
{
    // The title overwrites argv's strings and the environment strings that follow them, so
    // the environment is copied to the heap first (nginx's ngx_init_setproctitle does the same).
    char* end = argv[argc - 1] + std::strlen(argv[argc - 1]) + 1;
    std::size_t count = 0;
    while (environ[count]) ++count;
    for (std::size_t i = 0; i < count; ++i)
        if (environ[i] == end) end += std::strlen(environ[i]) + 1;
    // One block, never freed (environ may be read until the very end) and held by a static
    // so that it stays reachable: setenv/unsetenv drop entries from environ, and strings
    // strdup'd one by one would then be leaks to LeakSanitizer.
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) total += std::strlen(environ[i]) + 1;
    static char* strings = nullptr;
    static char** table = nullptr;
    strings = new char[total + 1];
    table = new char*[count + 1];
    char* next = strings;
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t n = std::strlen(environ[i]) + 1;
        table[i] = static_cast<char*>(std::memcpy(next, environ[i], n));
        next += n;
    }
    table[count] = nullptr;
    environ = table;
    title_area = argv[0];
    title_size = static_cast<std::size_t>(end - argv[0]);
}

void set_process_title(std::string_view title)
{
#if defined(__linux__)
    std::string comm(title.substr(0, 15));
    ::prctl(PR_SET_NAME, comm.c_str());
#endif
    if (!title_area || title_size < 2) return;
    std::size_t n = std::min(title.size(), title_size - 1);
    std::memcpy(title_area, title.data(), n);
    std::memset(title_area + n, 0, title_size - n);
}

int parent_pid() { return static_cast<int>(::getppid()); }

std::optional<std::string> exec_child(const std::string& path, const std::vector<std::string>& args,
                                      const std::vector<std::string>& env, int& pid)
{
    pid_t child = ::fork();
    if (child < 0) return "fork() failed: " + errno_text();
    if (child > 0) return pid = static_cast<int>(child), std::nullopt;
    for (const auto& e : env) {
        auto eq = e.find('=');
        ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
    }
    std::vector<char*> argv{const_cast<char*>(path.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(path.c_str(), argv.data());
    std::fprintf(stderr, "forkhorn: error: exec of %s failed: %s\n", path.c_str(), std::strerror(errno));
    ::_exit(1);
}

std::string program_path(const char* argv0)
{
    std::string name = argv0;
    if (name.find('/') != std::string::npos) return std::filesystem::absolute(name).lexically_normal().string();
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
        auto colon = dirs.find(':', start);
        auto dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        auto candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return std::filesystem::absolute(candidate).string();
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return name;
}

std::filesystem::path utf8_path(std::string_view text) { return {std::string(text)}; }

std::string utf8_text(const std::filesystem::path& path) { return path.string(); }

std::optional<std::string> change_directory(const std::string& dir)
{
    if (::chdir(dir.c_str()) == 0) return std::nullopt;
    return errno_text();
}

std::optional<std::string> replace_file(const std::string& from, const std::string& to)
{
    if (::rename(from.c_str(), to.c_str()) == 0) return std::nullopt;
    return errno_text();
}

void set_env(const std::string& name, const std::string& value) { ::setenv(name.c_str(), value.c_str(), 1); }
void unset_env(const std::string& name) { ::unsetenv(name.c_str()); }

std::optional<std::string> daemon_link::daemonize(bool keep_stdio)
{
    int fds[2];
    if (::pipe(fds) != 0) return "pipe() failed: " + errno_text();
    pid_t pid = ::fork();
    if (pid < 0) return "fork() failed: " + errno_text();
    if (pid > 0) {
        ::close(fds[1]);
        wait_for_daemon(fds[0]);
    }
    ::close(fds[0]);
    ::setsid();
    // The second fork makes sure the daemon can never acquire a controlling terminal again.
    if (::fork() > 0) ::_exit(0);
    if (!keep_stdio) redirect_stdio();
    fd_ = fds[1];
    return std::nullopt;
}

void daemon_link::report_ready()
{
    if (fd_ < 0) return;
    write_all(fd_, "0\n");
    ::close(fd_);
    fd_ = -1;
}

void daemon_link::report_failure(int status, std::string_view message)
{
    if (fd_ < 0) return;
    std::string line = std::to_string(status == 0 ? 1 : status) + " forkhorn: error: " + std::string(message);
    write_all(fd_, line + "\n");
    ::close(fd_);
    fd_ = -1;
}

std::optional<std::string> check_identity(const std::string& user, const std::string& group)
{
    uid_t uid;
    gid_t gid;
    if (!user.empty())
        if (auto err = resolve_user(user, uid, gid)) return err;
    if (!group.empty())
        if (auto err = resolve_group(group, gid)) return err;
    return std::nullopt;
}

std::optional<std::string> drop_privileges(const std::string& user, const std::string& group, bool initgroups)
{
    uid_t uid = ::geteuid();
    gid_t gid = ::getegid();
    if (!user.empty())
        if (auto err = resolve_user(user, uid, gid)) return err;
    if (!group.empty())
        if (auto err = resolve_group(group, gid)) return err;
    if (!group.empty() || !user.empty()) {
        if (::setgid(gid) != 0) return "setgid(" + std::to_string(gid) + ") failed: " + errno_text();
        if (initgroups && !user.empty()) {
            struct passwd* p = ::getpwuid(uid);
            if (p && ::initgroups(p->pw_name, gid) != 0) return "initgroups failed: " + errno_text();
        } else if (::geteuid() == 0) {
            ::setgroups(0, nullptr);
        }
    }
    if (!user.empty() && ::setuid(uid) != 0) return "setuid(" + std::to_string(uid) + ") failed: " + errno_text();
    return std::nullopt;
}

std::optional<std::string> give_to_worker(const std::string& path, const std::string& user, const std::string& group)
{
    if (user.empty() && group.empty()) return std::nullopt;
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    if (!user.empty())
        if (auto err = resolve_user(user, uid, gid)) return err;
    if (!group.empty())
        if (auto err = resolve_group(group, gid)) return err;
    if (::chown(path.c_str(), uid, gid) != 0) return "cannot chown " + path + ": " + errno_text();
    return std::nullopt;
}

void release_free_memory()
{
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

int set_umask(int mask) { return static_cast<int>(::umask(static_cast<mode_t>(mask))); }

syslog_sink::~syslog_sink()
{
    if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> syslog_sink::open(const std::string& address, const std::string& tag)
{
    tag_ = tag;
    if (address.starts_with("unix://")) {
        std::string path = address.substr(7);
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        if (path.size() >= sizeof sun.sun_path) return "syslog address too long";
        std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0) return std::nullopt;
    } else if (address.starts_with("udp://")) {
        std::string hostport = address.substr(6);
        auto colon = hostport.rfind(':');
        std::string host = hostport.substr(0, colon),
                    port = colon == std::string::npos ? "514" : hostport.substr(colon + 1);
        addrinfo hints{};
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* res = nullptr;
        if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0)
            return "cannot resolve syslog address " + address;
        fd_ = ::socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        bool ok = fd_ >= 0 && ::connect(fd_, res->ai_addr, res->ai_addrlen) == 0;
        ::freeaddrinfo(res);
        if (ok) return std::nullopt;
    } else {
        return "syslog address must be unix://PATH or udp://HOST:PORT, not '" + address + "'";
    }
    std::string err = "cannot reach syslog at " + address + ": " + errno_text();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return err;
}

void syslog_sink::write(int severity, std::string_view message)
{
    if (fd_ < 0) return;
    constexpr int facility_user = 1;
    std::string line = "<" + std::to_string(facility_user * 8 + severity) + ">" + tag_ + "[" +
                       std::to_string(::getpid()) + "]: " + std::string(message);
    (void)::send(fd_, line.data(), line.size(), MSG_NOSIGNAL);
}

std::optional<std::string> make_private_directories(const std::string& dir)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path path(dir);
    if (path.empty() || fs::exists(path, ec)) return std::nullopt;
    if (auto err = make_private_directories(path.parent_path().string())) return err;
    if (!fs::create_directory(path, ec) && ec) return "cannot create directory " + dir + ": " + ec.message();
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return "cannot set mode 0700 on " + dir + ": " + ec.message();
    return std::nullopt;
}

// ------------------------------------------------------------------ append-only files

append_file::~append_file() { close(); }

std::optional<std::string> append_file::open(const std::string& path)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return std::string(std::strerror(errno));
    close();
    handle_ = fd;
    return std::nullopt;
}

bool append_file::write(std::string_view data)
{
    while (handle_ != -1 && !data.empty()) {
        auto n = ::write(static_cast<int>(handle_), data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return data.empty();
}

void append_file::close()
{
    if (handle_ != -1) ::close(static_cast<int>(handle_));
    handle_ = -1;
}

} // namespace forkhorn::platform
