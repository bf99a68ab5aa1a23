#include "test_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace forkhorn::test {
namespace {

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

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

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

bool process_alive(int pid) { return ::kill(pid, 0) == 0; }

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

std::string server_process::log() const { return read_file(dir_ + "/stderr"); }
std::string server_process::out() const { return read_file(dir_ + "/stdout"); }

bool server_process::wait_for_log(std::string_view needle, std::chrono::milliseconds timeout, int count) const
{
    return eventually(
        [&] {
            auto text = log();
            int found = 0;
            for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++found;
            return found >= count;
        },
        timeout);
}

int server_process::port(std::chrono::milliseconds timeout) const
{
    constexpr std::string_view marker = "Listening at: http://";
    if (!wait_for_log(marker, timeout)) return 0;
    auto text = log();
    auto at = text.find(marker) + marker.size();
    auto colon = text.rfind(':', text.find(' ', at));
    return std::atoi(text.c_str() + colon + 1);
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

std::string read_text(const std::string& path) { return read_file(path); }

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

struct steady_load::impl {
    int port;
    std::string path;
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0};
    int failed = 0;
    std::vector<std::string> failures;
    std::thread thread;
};

steady_load::steady_load(int port, std::string path) : impl_(new impl)
{
    impl_->port = port;
    impl_->path = std::move(path);
    impl_->thread = std::thread([this] {
        while (!impl_->stop) {
            auto reply = http_get(impl_->port, impl_->path, 10s);
            if (reply.status == 200) {
                ++impl_->ok;
                continue;
            }
            ++impl_->failed;
            if (impl_->failures.size() < 5)
                impl_->failures.push_back("status " + std::to_string(reply.status) + ": " + reply.head);
        }
    });
}

steady_load::~steady_load()
{
    stop();
    delete impl_;
}

steady_load::totals steady_load::stop()
{
    impl_->stop = true;
    if (impl_->thread.joinable()) impl_->thread.join();
    return {impl_->ok.load(), impl_->failed, impl_->failures};
}

int steady_load::ok_so_far() const { return impl_->ok.load(); }

run_result run_to_end(const std::string& binary, const std::vector<std::string>& args,
                      const std::vector<std::string>& env, std::chrono::milliseconds timeout)
{
    server_process p(binary, args, env);
    run_result r;
    auto status = p.wait_exit(timeout);
    r.status = status ? *status : -1;
    r.err = p.log();
    r.out = p.out();
    return r;
}

std::optional<std::string> exchange_raw(int port, std::string_view bytes, std::chrono::milliseconds timeout)
{
    int fd = connect_local(port);
    if (fd < 0) return std::nullopt;
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[65536];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

http_reply parse_reply(const std::string& raw)
{
    http_reply r;
    auto end = raw.find("\r\n\r\n");
    if (raw.size() < 12 || end == std::string::npos) return r;
    r.status = std::atoi(raw.c_str() + 9);
    r.head = raw.substr(0, end + 2);
    r.body = raw.substr(end + 4);
    return r;
}

http_reply http_get(int port, std::string_view path, std::chrono::milliseconds timeout)
{
    std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    auto raw = exchange_raw(port, req, timeout);
    return raw ? parse_reply(*raw) : http_reply{};
}

} // namespace forkhorn::test
