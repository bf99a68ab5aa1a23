#include "test_process.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace forkhorn::test {
namespace {

std::string read_file(const std::string& path) { return read_text(path); }

int signo(sig s)
{
    constexpr int map[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGWINCH, SIGKILL};
    return map[static_cast<int>(s)];
}

int spawn(const std::string& binary, const std::vector<std::string>& args, const launch_options& options,
          const std::string& dir)
{
    pid_t pid = ::fork();
    if (pid != 0) return static_cast<int>(pid);
#if defined(__linux__)
    // A test that crashes must not leave servers behind: they get TERM when it dies.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (options.listen_fd >= 0) {
        if (options.listen_fd != 3) {
            ::dup2(options.listen_fd, 3);
            ::close(options.listen_fd);
        }
        ::fcntl(3, F_SETFD, 0);
        if (options.socket_activation) {
            ::setenv("LISTEN_FDS", "1", 1);
            ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
        }
    }
    const auto& env = options.env;
    int out = ::open((dir + "/stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open((dir + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
}

int decode_status(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

int connect_local(int port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(static_cast<uint16_t>(port));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

bool process_alive(int pid) { return ::kill(pid, 0) == 0; }

std::uint64_t process_rss_kib(int pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::strtoull(line.c_str() + 6, nullptr, 10);
    return 0;
}

std::intptr_t connect_nonblocking(int port)
{
    int fd = connect_local(port);
    if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

bool has_unix_features() { return true; }

std::size_t raise_descriptor_limit(std::size_t wanted)
{
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
    if (lim.rlim_cur < wanted) {
        lim.rlim_cur = std::min<rlim_t>(wanted, lim.rlim_max);
        (void)::setrlimit(RLIMIT_NOFILE, &lim);
        (void)::getrlimit(RLIMIT_NOFILE, &lim);
    }
    return static_cast<std::size_t>(lim.rlim_cur);
}

std::string library_path(const std::string& dir, const std::string& name) { return dir + "/lib" + name + ".so"; }

void kill_hard(int pid) { ::kill(pid, SIGKILL); }

server_process::server_process(const std::string& binary, const std::vector<std::string>& args,
                               const std::vector<std::string>& env)
    : server_process(binary, args, launch_options{env})
{
}

server_process::server_process(const std::string& binary, const std::vector<std::string>& args,
                               const launch_options& options)
    : dir_(make_temp_dir())
{
    pid_ = spawn(binary, args, options, dir_);
}

server_process::~server_process()
{
    if (!exited_) {
        ::kill(pid_, SIGTERM);
        if (!wait_exit(15s)) {
            ::kill(pid_, SIGKILL);
            wait_exit(5s);
        }
    }
    std::string cmd = "rm -rf " + dir_;
    (void)!std::system(cmd.c_str());
}

void server_process::send(sig s) const { ::kill(pid_, signo(s)); }

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout)
{
    if (exited_) return decode_status(status_);
    bool done = eventually([&] { return ::waitpid(pid_, &status_, WNOHANG) == pid_; }, timeout);
    if (!done) return std::nullopt;
    exited_ = true;
    return decode_status(status_);
}

std::vector<int> server_process::children() const { return children_of(pid_); }

std::vector<int> children_of(int pid)
{
    std::vector<int> out;
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
    for (int child; in >> child;) out.push_back(child);
    return out;
}

std::string command_line(int pid)
{
    auto text = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    for (auto& c : text)
        if (c == '\0') c = ' ';
    return text;
}

int uid_of(int pid)
{
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("Uid:")) return std::atoi(line.c_str() + 4);
    return -1;
}

bool running_as_root() { return ::geteuid() == 0; }

int self_pid() { return static_cast<int>(::getpid()); }

bool signal_pid(int pid, sig s) { return ::kill(pid, signo(s)) == 0; }

int bind_datagram(const std::string& path)
{
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (path.size() >= sizeof sun.sun_path) return -1;
    std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string receive_datagram(int fd, std::chrono::milliseconds timeout)
{
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

std::string make_temp_dir()
{
    char tmpl[] = "/tmp/forkhorn-test-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

int listen_local(int& port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), len) != 0 || ::listen(fd, 128) != 0) return -1;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
    port = ntohs(sin.sin_port);
    return fd;
}

void close_fd(int fd) { ::close(fd); }

} // namespace forkhorn::test
