// POSIX processes: fork, signals through a self-pipe, waitpid.
#include "process.hpp"
#include "events.hpp"
#include "shared_memory.hpp"
#include "system.hpp"
#include "worker_process.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace forkhorn::platform {
namespace {

// The write end of the current self-pipe; handlers only write() to it (async-signal-safe).
std::atomic<int> signal_pipe_write{-1};

// Run inside the worker's INT/QUIT and ABRT handlers just before it exits (the app's hooks).
void (*quick_exit_hook)() = nullptr;
void (*abort_hook)() = nullptr;

void on_signal(int signo)
{
    int saved = errno;
    auto byte = static_cast<unsigned char>(signo);
    int fd = signal_pipe_write.load(std::memory_order_relaxed);
    if (fd >= 0) (void)!::write(fd, &byte, 1);
    errno = saved;
}

const int arbiter_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD};
const int worker_signals[] = {SIGTERM, SIGINT, SIGQUIT, SIGUSR1};

std::optional<std::string> make_pipe(int fds[2])
{
    if (::pipe(fds) != 0) return std::string("pipe() failed: ") + std::strerror(errno);
    for (int i = 0; i < 2; ++i) {
        ::fcntl(fds[i], F_SETFL, ::fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        ::fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return std::nullopt;
}

void install(std::span<const int> signals, void (*handler)(int))
{
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    // SA_RESTART keeps blocking syscalls of the app from failing with EINTR on our signals.
    sa.sa_flags = SA_RESTART;
    for (int s : signals) ::sigaction(s, &sa, nullptr);
}

std::vector<unsigned char> drain(int fd)
{
    std::vector<unsigned char> out;
    unsigned char buf[64];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
    return out;
}

std::optional<control_event> event_of(int signo)
{
    switch (signo) {
    case SIGTTIN: return control_event::ttin;
    case SIGTTOU: return control_event::ttou;
    case SIGHUP: return control_event::hup;
    case SIGTERM: return control_event::term;
    case SIGINT: return control_event::int_;
    case SIGQUIT: return control_event::quit;
    case SIGUSR1: return control_event::usr1;
    case SIGUSR2: return control_event::usr2;
    case SIGWINCH: return control_event::winch;
    case SIGCHLD: return control_event::child;
    default: return std::nullopt;
    }
}

// Posted events travel through the same pipe as signals, encoded above any signal number.
constexpr unsigned char posted_base = 128;

std::string signal_name(int signo)
{
    switch (signo) {
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGABRT: return "SIGABRT";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGHUP: return "SIGHUP";
    case SIGPIPE: return "SIGPIPE";
    default: return "signal " + std::to_string(signo);
    }
}

int original_parent = 0;

} // namespace

int current_pid() { return static_cast<int>(::getpid()); }

struct control_source::impl {
    int fds[2] = {-1, -1};
};

control_source::control_source() : impl_(new impl) {}

control_source::~control_source()
{
    signal_pipe_write.store(-1);
    for (int fd : impl_->fds)
        if (fd >= 0) ::close(fd);
    delete impl_;
}

std::optional<std::string> control_source::open(const std::string&)
{
    if (auto err = make_pipe(impl_->fds)) return err;
    signal_pipe_write.store(impl_->fds[1]);
    install(arbiter_signals, on_signal);
    return std::nullopt;
}

std::vector<control_event> control_source::wait(std::chrono::milliseconds timeout, native_socket watch,
                                                bool* watch_ready)
{
    pollfd p[2] = {{impl_->fds[0], POLLIN, 0}, {static_cast<int>(watch), POLLIN, 0}};
    ::poll(p, watch == invalid_socket ? 1 : 2, static_cast<int>(timeout.count()));
    if (watch_ready) *watch_ready = watch != invalid_socket && (p[1].revents & POLLIN);
    std::vector<control_event> events;
    for (unsigned char b : drain(impl_->fds[0])) {
        if (b >= posted_base)
            events.push_back(static_cast<control_event>(b - posted_base));
        else if (auto e = event_of(b))
            events.push_back(*e);
    }
    return events;
}

void control_source::post(control_event e)
{
    auto byte = static_cast<unsigned char>(posted_base + static_cast<unsigned char>(e));
    (void)!::write(impl_->fds[1], &byte, 1);
}

std::vector<child_exit> control_source::reap()
{
    std::vector<child_exit> out;
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        child_exit e;
        e.pid = static_cast<int>(pid);
        if (WIFSIGNALED(status)) {
            int signo = WTERMSIG(status);
            e.cause = signo == SIGKILL   ? exit_cause::killed
                      : signo == SIGTERM ? exit_cause::stopped
                                         : exit_cause::crashed;
            e.by = signal_name(signo);
            e.hook_status = -signo;
        } else {
            e.exit_code = e.hook_status = WEXITSTATUS(status);
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<std::string> spawn_worker(const worker_spec& spec, int& pid)
{
    // Signals are blocked across fork so that none reaches the child while it still runs the
    // arbiter's handlers (which would write into the arbiter's pipe).
    sigset_t all, old;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &old);
    // Taken before the fork: if the arbiter dies before the child looks, getppid() in the
    // child would already name init.
    int arbiter = static_cast<int>(::getpid());
    pid_t child = ::fork();
    if (child == 0) {
        signal_pipe_write.store(-1);
        install(arbiter_signals, SIG_DFL);
        ::signal(SIGPIPE, SIG_IGN);
        original_parent = arbiter;
#if defined(__linux__)
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
        // The arbiter may have died before PR_SET_PDEATHSIG was armed: no signal would come.
        if (static_cast<int>(::getppid()) != arbiter) ::_exit(0);
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        int code = spec.run_forked();
        std::fflush(nullptr);
        ::_exit(code);
    }
    int saved = errno;
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (child < 0) return std::string("fork() failed: ") + std::strerror(saved);
    pid = static_cast<int>(child);
    return std::nullopt;
}

bool send_worker(int pid, worker_command cmd)
{
    constexpr int signals[] = {SIGTERM, SIGQUIT, SIGUSR1, SIGABRT, SIGKILL};
    return ::kill(pid, signals[static_cast<int>(cmd)]) == 0;
}

shared_memory::~shared_memory()
{
    if (data_) ::munmap(data_, size_);
}

std::optional<std::string> shared_memory::attach(std::intptr_t, std::size_t)
{
    return std::string("shared memory is inherited across fork here");
}

std::optional<std::string> shared_memory::create(std::size_t size)
{
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return std::string("mmap() of the scoreboard failed: ") + std::strerror(errno);
    data_ = p;
    size_ = size;
    return std::nullopt;
}

namespace {
std::atomic<int> abort_fd{-1};
std::atomic<const char*> abort_reply_data{nullptr};
std::atomic<std::size_t> abort_reply_size{0};

// SIGABRT from the arbiter: the worker missed its heartbeat. Tell the waiting client (write is
// async-signal-safe), then leave with status 1 as Gunicorn's workers do.
void on_abort(int)
{
    if (abort_hook) abort_hook();
    int fd = abort_fd.load();
    const char* data = abort_reply_data.load();
    if (fd >= 0 && data) (void)!::write(fd, data, abort_reply_size.load());
    ::_exit(1);
}
} // namespace

void arm_abort_reply(native_socket fd, std::string_view reply)
{
    abort_reply_data.store(reply.data());
    abort_reply_size.store(reply.size());
    abort_fd.store(static_cast<int>(fd));
}

struct worker_control::impl {
    int fds[2] = {-1, -1};
};

worker_control::worker_control() : impl_(new impl) {}

worker_control::~worker_control()
{
    signal_pipe_write.store(-1);
    for (int fd : impl_->fds)
        if (fd >= 0) ::close(fd);
    delete impl_;
}

// A quick stop (INT/QUIT) must not wait for the app's current request: leave at once, as
// Gunicorn's workers do. _exit is async-signal-safe; log lines are flushed as they are written.
void on_quick_stop(int)
{
    if (quick_exit_hook) quick_exit_hook();
    ::_exit(0);
}

std::optional<std::string> worker_control::open(void (*on_quick_exit)(), void (*on_abort_hook)())
{
    quick_exit_hook = on_quick_exit;
    abort_hook = on_abort_hook;
    if (auto err = make_pipe(impl_->fds)) return err;
    signal_pipe_write.store(impl_->fds[1]);
    install(worker_signals, on_signal);
    const int quick[] = {SIGINT, SIGQUIT};
    install(quick, on_quick_stop);
    const int abrt[] = {SIGABRT};
    install(abrt, on_abort);
    return std::nullopt;
}

std::intptr_t worker_control::wake_handle() const { return impl_->fds[0]; }

std::vector<worker_command> worker_control::take()
{
    std::vector<worker_command> out;
    for (unsigned char b : drain(impl_->fds[0])) {
        if (b == SIGTERM)
            out.push_back(worker_command::graceful_stop);
        else if (b == SIGINT || b == SIGQUIT)
            out.push_back(worker_command::quick_stop);
        else if (b == SIGUSR1)
            out.push_back(worker_command::reopen_logs);
    }
    return out;
}

bool worker_control::parent_gone() const { return original_parent != 0 && ::getppid() != original_parent; }

} // namespace forkhorn::platform

namespace forkhorn::platform {

std::uint64_t process_start_time(int pid)
{
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (!f) return 0;
    char buf[1024];
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // Field 2 (comm) may hold spaces and parentheses: count fields after the last ')'.
    const char* p = std::strrchr(buf, ')');
    if (!p || p[1] != ' ') return 0;
    // A zombie has exited; nobody reaps it when its parent died first (a dead master).
    if (p[2] == 'Z' || p[2] == 'X') return 0;
    for (int field = 2; field < 22 && *p; ++p)
        if (*p == ' ') ++field;
    return std::strtoull(p, nullptr, 10);
}

bool send_control(int pid, const std::string&, control_event e, std::string& error)
{
    constexpr int signals[] = {SIGTTIN, SIGTTOU, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD};
    if (::kill(pid, signals[static_cast<int>(e)]) == 0) return true;
    error = std::strerror(errno);
    return false;
}

bool is_server_master(int pid, const std::string&)
{
    if (pid <= 0 || process_start_time(pid) == 0) return false;
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), "r");
    if (!f) return false;
    char buf[64] = {};
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    return std::string_view(buf, n).starts_with("forkhorn: master");
}

std::optional<worker_boot> take_worker_boot(std::span<const std::string>, std::string&) { return std::nullopt; }

bool supports(feature f) { return f != feature::service_control_manager && f != feature::global_control_names; }

std::string runtime_dir()
{
    if (const char* dir = std::getenv("FORKHORN_RUNTIME_DIR"); dir && *dir) return dir;
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) return std::string(xdg) + "/forkhorn";
    if (::geteuid() == 0) return "/run/forkhorn";
    return "/tmp/forkhorn-" + std::to_string(::geteuid());
}

} // namespace forkhorn::platform
