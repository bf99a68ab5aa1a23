// Windows processes: workers re-executed with CreateProcessW and a bootstrap pipe, a job object
// that takes them down with the arbiter, control events from named kernel objects and the
// console, commands to workers through unnamed events duplicated into them.
#include "process.hpp"
#include "events.hpp"
#include "service.hpp"
#include "shared_memory.hpp"
#include "system.hpp"
#include "win.hpp"
#include "worker_process.hpp"

#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace forkhorn::platform {
namespace {

constexpr std::uint32_t boot_magic = 0x46484231; // "FHB1"
constexpr DWORD killed_exit_code = 137;          // what a worker killed by the arbiter exits with

// Control events with a named object: ttin and ttou are semaphores (three `ctl ttin` add three
// workers), the rest auto-reset events (idempotent, like POSIX signals).
constexpr control_event named_events[] = {control_event::ttin, control_event::ttou, control_event::hup,
                                          control_event::term, control_event::int_, control_event::quit,
                                          control_event::usr1, control_event::usr2, control_event::winch};

bool is_counted(control_event e) { return e == control_event::ttin || e == control_event::ttou; }

// The arbiter's handles on one worker. Commands are unnamed events duplicated into the worker:
// nobody else can open them by name.
struct child_record {
    HANDLE process = nullptr;
    HANDLE commands[4] = {}; // graceful_stop, quick_stop, reopen_logs, abort
};

std::mutex children_mutex;
std::map<int, child_record> children;
HANDLE job = nullptr;

// The job that takes the workers down with the arbiter (KILL_ON_JOB_CLOSE: the arbiter holds the
// only handle). Without it a crashed arbiter would leave its workers serving: no worker starts
// then (spawn_worker fails, and the arbiter halts with the reason).
std::optional<std::string> create_job(HANDLE& out)
{
    HANDLE j = CreateJobObjectW(nullptr, nullptr);
    if (!j) return "CreateJobObjectW failed: " + win::last_error();
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
    info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(j, JobObjectExtendedLimitInformation, &info, sizeof info)) {
        std::string why = win::last_error();
        CloseHandle(j);
        return "SetInformationJobObject(KILL_ON_JOB_CLOSE) failed: " + why;
    }
    out = j;
    return std::nullopt;
}

// ---- the bootstrap block written to a new worker's pipe

struct block_writer {
    std::string bytes;
    template <typename T>
    void put(const T& v)
    {
        bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void put_string(const std::string& s)
    {
        put(static_cast<std::uint32_t>(s.size()));
        bytes += s;
    }
};

struct block_reader {
    HANDLE pipe;
    bool ok = true;
    void read(void* out, std::size_t n)
    {
        auto* p = static_cast<char*>(out);
        while (ok && n > 0) {
            DWORD got = 0;
            ok = ReadFile(pipe, p, static_cast<DWORD>(n), &got, nullptr) && got > 0;
            p += got;
            n -= got;
        }
    }
    template <typename T>
    T get()
    {
        T v{};
        read(&v, sizeof v);
        return v;
    }
    std::string get_string()
    {
        auto n = get<std::uint32_t>();
        std::string s(ok && n < (1u << 20) ? n : 0, '\0');
        read(s.data(), s.size());
        return s;
    }
};

HANDLE duplicate_into(HANDLE child, HANDLE h, DWORD access = 0, DWORD options = DUPLICATE_SAME_ACCESS)
{
    HANDLE out = nullptr;
    DuplicateHandle(GetCurrentProcess(), h, child, &out, access, FALSE, options);
    return out;
}

std::wstring quote(const std::wstring& arg) { return L"\"" + arg + L"\""; }

std::optional<std::string> write_bootstrap(HANDLE pipe, const worker_spec& spec, const PROCESS_INFORMATION& pi,
                                           const child_record& rec)
{
    block_writer w;
    w.put(boot_magic);
    w.put(static_cast<std::int32_t>(GetCurrentProcessId()));
    w.put(static_cast<std::int32_t>(spec.slot));
    w.put(static_cast<std::int32_t>(spec.age));
    for (HANDLE h : rec.commands) w.put(reinterpret_cast<std::uint64_t>(duplicate_into(pi.hProcess, h)));
    HANDLE self = nullptr;
    DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &self, SYNCHRONIZE, FALSE, 0);
    w.put(reinterpret_cast<std::uint64_t>(duplicate_into(pi.hProcess, self)));
    CloseHandle(self);
    auto mapping = reinterpret_cast<HANDLE>(spec.scoreboard->native_handle());
    w.put(reinterpret_cast<std::uint64_t>(duplicate_into(pi.hProcess, mapping)));
    w.put(static_cast<std::uint64_t>(spec.scoreboard->size()));
    w.put(static_cast<std::uint32_t>(spec.listeners.size()));
    for (const auto& l : spec.listeners) {
        WSAPROTOCOL_INFOW info{};
        if (WSADuplicateSocketW(static_cast<SOCKET>(l.fd), pi.dwProcessId, &info) != 0)
            return "WSADuplicateSocketW failed: " + win::error_text(static_cast<DWORD>(WSAGetLastError()));
        w.put(info);
        w.put_string(l.address);
        w.put_string(l.url);
    }
    w.put_string(spec.settings_text());
    DWORD written = 0;
    if (!WriteFile(pipe, w.bytes.data(), static_cast<DWORD>(w.bytes.size()), &written, nullptr))
        return "writing the worker bootstrap failed: " + win::last_error();
    return std::nullopt;
}

// ---- worker side state, filled by take_worker_boot

HANDLE worker_commands[4] = {};
HANDLE worker_master = nullptr;

} // namespace

int current_pid() { return static_cast<int>(GetCurrentProcessId()); }

// ------------------------------------------------------------------ arbiter: control events

struct control_source::impl {
    HANDLE posted = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    std::mutex mutex;
    std::deque<control_event> queue;
    HANDLE named[std::size(named_events)] = {};
};

namespace {
std::atomic<control_source*> console_target{nullptr};

// Set once the arbiter whose control source is the console's target has stopped (the source is
// destroyed after the arbiter's last step): what a held console handler waits for.
HANDLE arbiter_stopped()
{
    static HANDLE stopped = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    return stopped;
}
} // namespace

win::console_action win::console_action_for(DWORD type, bool service)
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT: return console_action::quick_stop;
    case CTRL_CLOSE_EVENT: return console_action::graceful_stop_and_wait;
    // Any user's logoff reaches every console process, services included: a service stops when the
    // SCM says so (SHUTDOWN, PRESHUTDOWN), never because someone logged off.
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT: return service ? console_action::ignore : console_action::graceful_stop_and_wait;
    default: return console_action::pass;
    }
}

// Ctrl+C and Ctrl+Break are a quick stop (as INT); closing the console, logging off or shutting
// down a graceful one (as TERM). The handler runs on a thread of its own. After a close, logoff
// or shutdown event Windows ends the process as soon as the handler returns, so it returns only
// once the arbiter has stopped (Windows ends it anyway when its own time limit is up).
BOOL WINAPI win::console_handler(DWORD type)
{
    switch (console_action_for(type, running_as_service())) {
    case console_action::ignore: return TRUE;
    case console_action::quick_stop: return post_to_arbiter(control_event::int_);
    case console_action::graceful_stop_and_wait:
        if (!post_to_arbiter(control_event::term)) return FALSE;
        WaitForSingleObject(arbiter_stopped(), INFINITE);
        return TRUE;
    case console_action::pass: break;
    }
    return FALSE;
}

bool win::post_to_arbiter(control_event e)
{
    auto* source = console_target.load();
    if (!source) return false;
    source->post(e);
    return true;
}

control_source::control_source() : impl_(new impl) {}

control_source::~control_source()
{
    control_source* self = this;
    if (console_target.compare_exchange_strong(self, nullptr)) SetEvent(arbiter_stopped()); // a held handler returns
    for (HANDLE h : impl_->named)
        if (h) CloseHandle(h);
    CloseHandle(impl_->posted);
    delete impl_;
}

std::optional<std::string> control_source::open(const std::string& instance)
{
    int pid = current_pid();
    for (std::size_t i = 0; i < std::size(named_events); ++i) {
        auto name = win::control_object_name(instance, pid, named_events[i]);
        HANDLE h = is_counted(named_events[i]) ? CreateSemaphoreW(win::owner_only_security(), 0, 1024, name.c_str())
                                               : CreateEventW(win::owner_only_security(), FALSE, FALSE, name.c_str());
        if (!h) return "cannot create " + win::narrow(name) + ": " + win::last_error();
        // An existing object means someone else made it first: never share a command channel.
        if (GetLastError() == ERROR_ALREADY_EXISTS) {
            CloseHandle(h);
            return "control object " + win::narrow(name) + " already exists (another process took the name)";
        }
        impl_->named[i] = h;
    }
    ResetEvent(arbiter_stopped());
    console_target.store(this);
    SetConsoleCtrlHandler(win::console_handler, TRUE);
    return std::nullopt;
}

void control_source::post(control_event e)
{
    {
        std::lock_guard lock(impl_->mutex);
        impl_->queue.push_back(e);
    }
    SetEvent(impl_->posted);
}

std::vector<control_event> control_source::wait(std::chrono::milliseconds timeout, native_socket watch,
                                                bool* watch_ready)
{
    std::vector<HANDLE> handles{impl_->posted};
    handles.insert(handles.end(), std::begin(impl_->named), std::end(impl_->named));
    if (watch != invalid_socket) handles.push_back(reinterpret_cast<HANDLE>(watch));
    {
        std::lock_guard lock(children_mutex);
        for (const auto& [pid, rec] : children)
            if (handles.size() < MAXIMUM_WAIT_OBJECTS) handles.push_back(rec.process);
    }
    DWORD rc = WaitForMultipleObjects(static_cast<DWORD>(handles.size()), handles.data(), FALSE,
                                      static_cast<DWORD>(timeout.count()));
    std::vector<control_event> events;
    {
        std::lock_guard lock(impl_->mutex);
        events.assign(impl_->queue.begin(), impl_->queue.end());
        impl_->queue.clear();
    }
    // The wait itself consumed the object that woke it (an auto-reset event is reset, a
    // semaphore decremented): count that one from the index, then poll the others.
    std::size_t woke = rc - WAIT_OBJECT_0;
    if (woke >= 1 && woke <= std::size(named_events)) events.push_back(named_events[woke - 1]);
    for (std::size_t i = 0; i < std::size(named_events); ++i)
        while (WaitForSingleObject(impl_->named[i], 0) == WAIT_OBJECT_0) events.push_back(named_events[i]);
    if (watch_ready)
        *watch_ready =
            watch != invalid_socket && (woke == 1 + std::size(named_events) ||
                                        WaitForSingleObject(reinterpret_cast<HANDLE>(watch), 0) == WAIT_OBJECT_0);
    std::lock_guard lock(children_mutex);
    for (const auto& [pid, rec] : children)
        if (WaitForSingleObject(rec.process, 0) == WAIT_OBJECT_0) {
            events.push_back(control_event::child);
            break;
        }
    return events;
}

std::vector<child_exit> control_source::reap()
{
    std::vector<child_exit> out;
    std::lock_guard lock(children_mutex);
    for (auto it = children.begin(); it != children.end();) {
        if (WaitForSingleObject(it->second.process, 0) != WAIT_OBJECT_0) {
            ++it;
            continue;
        }
        DWORD code = 0;
        GetExitCodeProcess(it->second.process, &code);
        child_exit e;
        e.pid = it->first;
        e.exit_code = e.hook_status = static_cast<int>(code);
        // TerminateProcess by the arbiter (send_worker kill) leaves this code: killed by force,
        // reported as POSIX reports it so that logs and hooks read the same everywhere.
        if (code == killed_exit_code) e.cause = exit_cause::killed, e.by = "SIGKILL", e.hook_status = -9;
        out.push_back(e);
        CloseHandle(it->second.process);
        for (HANDLE h : it->second.commands) CloseHandle(h);
        it = children.erase(it);
    }
    return out;
}

// ------------------------------------------------------------------ arbiter: workers

std::optional<std::string> spawn_worker(const worker_spec& spec, int& pid)
{
    if (!job)
        if (auto err = create_job(job)) return err;
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE read_end = nullptr, write_end = nullptr;
    if (!CreatePipe(&read_end, &write_end, &inherit, 1 << 20)) return "CreatePipe failed: " + win::last_error();
    SetHandleInformation(write_end, HANDLE_FLAG_INHERIT, 0);

    // Only the bootstrap pipe and the standard handles are inherited, nothing else.
    std::vector<HANDLE> inherited{read_end};
    HANDLE std_handles[3] = {};
    const DWORD std_ids[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
    for (int i = 0; i < 3; ++i) {
        HANDLE h = GetStdHandle(std_ids[i]);
        if (h && h != INVALID_HANDLE_VALUE &&
            DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &std_handles[i], 0, TRUE,
                            DUPLICATE_SAME_ACCESS))
            inherited.push_back(std_handles[i]);
    }
    SIZE_T size = 0;
    InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    std::string attr_storage(size, '\0');
    auto* attrs = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attr_storage.data());
    InitializeProcThreadAttributeList(attrs, 1, 0, &size);
    UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited.data(),
                              inherited.size() * sizeof(HANDLE), nullptr, nullptr);
    STARTUPINFOEXW si{};
    si.StartupInfo.cb = sizeof si;
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = std_handles[0];
    si.StartupInfo.hStdOutput = std_handles[1];
    si.StartupInfo.hStdError = std_handles[2];
    si.lpAttributeList = attrs;

    wchar_t exe[MAX_PATH * 4];
    GetModuleFileNameW(nullptr, exe, static_cast<DWORD>(std::size(exe)));
    std::wstring cmd = quote(exe) + L" --worker-boot " + std::to_wstring(reinterpret_cast<std::uintptr_t>(read_end));
    PROCESS_INFORMATION pi{};
    BOOL created = CreateProcessW(exe, cmd.data(), nullptr, nullptr, TRUE, win::worker_creation_flags, nullptr, nullptr,
                                  &si.StartupInfo, &pi);
    std::string create_error = created ? std::string() : win::last_error();
    DeleteProcThreadAttributeList(attrs);
    CloseHandle(read_end);
    for (HANDLE h : std_handles)
        if (h) CloseHandle(h);
    if (!created) {
        CloseHandle(write_end);
        return "CreateProcessW failed: " + create_error;
    }
    // Still suspended: a worker that cannot join the job never runs, so none can outlive us.
    if (!AssignProcessToJobObject(job, pi.hProcess)) {
        std::string why = win::last_error();
        TerminateProcess(pi.hProcess, 3);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        CloseHandle(write_end);
        return "AssignProcessToJobObject failed: " + why;
    }
    child_record rec{pi.hProcess, {}};
    for (HANDLE& h : rec.commands) h = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    auto err = write_bootstrap(write_end, spec, pi, rec);
    CloseHandle(write_end);
    if (err) {
        TerminateProcess(pi.hProcess, 3);
        CloseHandle(pi.hThread);
        std::lock_guard lock(children_mutex);
        children[static_cast<int>(pi.dwProcessId)] = rec;
        return err;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    pid = static_cast<int>(pi.dwProcessId);
    std::lock_guard lock(children_mutex);
    children[pid] = rec;
    return std::nullopt;
}

bool send_worker(int pid, worker_command cmd)
{
    std::lock_guard lock(children_mutex);
    auto it = children.find(pid);
    if (it == children.end()) return false;
    if (cmd == worker_command::kill) return TerminateProcess(it->second.process, killed_exit_code) != 0;
    return SetEvent(it->second.commands[static_cast<int>(cmd)]) != 0;
}

// ------------------------------------------------------------------ worker side

std::optional<worker_boot> take_worker_boot(std::span<const std::string> args, std::string& error)
{
    if (args.size() < 2 || args[0] != "--worker-boot") return std::nullopt;
    win::start_winsock();
    block_reader r{reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(std::stoull(args[1])))};
    worker_boot boot;
    if (r.get<std::uint32_t>() != boot_magic || !r.ok) return error = "bad worker bootstrap", std::nullopt;
    boot.master_pid = r.get<std::int32_t>();
    boot.slot = r.get<std::int32_t>();
    boot.age = r.get<std::int32_t>();
    for (HANDLE& h : worker_commands) h = reinterpret_cast<HANDLE>(r.get<std::uint64_t>());
    worker_master = reinterpret_cast<HANDLE>(r.get<std::uint64_t>());
    boot.scoreboard_handle = static_cast<std::intptr_t>(r.get<std::uint64_t>());
    boot.scoreboard_size = static_cast<std::size_t>(r.get<std::uint64_t>());
    auto count = r.get<std::uint32_t>();
    for (std::uint32_t i = 0; r.ok && i < count; ++i) {
        auto info = r.get<WSAPROTOCOL_INFOW>();
        listener l;
        l.address = r.get_string();
        l.url = r.get_string();
        SOCKET s = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                              WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        if (s == INVALID_SOCKET) return error = "WSASocketW(FROM_PROTOCOL_INFO) failed", std::nullopt;
        u_long nonblocking = 1;
        ioctlsocket(s, FIONBIO, &nonblocking);
        l.fd = static_cast<native_socket>(s);
        boot.listeners.push_back(std::move(l));
    }
    boot.settings_text = r.get_string();
    CloseHandle(r.pipe);
    if (!r.ok) return error = "truncated worker bootstrap", std::nullopt;
    return boot;
}

namespace {

std::atomic<SOCKET> abort_socket{INVALID_SOCKET};
std::atomic<const char*> abort_data{nullptr};
std::atomic<std::size_t> abort_size{0};

} // namespace

// A connected loopback pair: the command thread writes a byte so that the worker's WSAPoll,
// which cannot wait on events, wakes up (the self-pipe trick). No end is inheritable: a process
// the worker starts (an app may) must not keep the worker's wake-up alive.
bool win::make_wake_pair(SOCKET& reader, SOCKET& writer)
{
    win::start_winsock();
    auto private_socket = [] {
        // Overlapped, as socket() makes them: the event loops may put the reader on an IOCP.
        return WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    };
    SOCKET l = private_socket();
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof sin;
    bool ok = l != INVALID_SOCKET && bind(l, reinterpret_cast<sockaddr*>(&sin), len) == 0 && listen(l, 1) == 0 &&
              getsockname(l, reinterpret_cast<sockaddr*>(&sin), &len) == 0;
    writer = ok ? private_socket() : INVALID_SOCKET;
    ok = ok && writer != INVALID_SOCKET && connect(writer, reinterpret_cast<sockaddr*>(&sin), len) == 0;
    reader = ok ? accept(l, nullptr, nullptr) : INVALID_SOCKET;
    if (l != INVALID_SOCKET) closesocket(l);
    if (reader == INVALID_SOCKET) {
        if (writer != INVALID_SOCKET) closesocket(writer);
        writer = INVALID_SOCKET;
        return false;
    }
    SetHandleInformation(reinterpret_cast<HANDLE>(reader), HANDLE_FLAG_INHERIT, 0);
    u_long nonblocking = 1;
    ioctlsocket(reader, FIONBIO, &nonblocking);
    return true;
}

void arm_abort_reply(native_socket fd, std::string_view reply)
{
    abort_data.store(reply.data());
    abort_size.store(reply.size());
    abort_socket.store(static_cast<SOCKET>(fd));
}

struct worker_control::impl {
    SOCKET wake_read = INVALID_SOCKET;
    SOCKET wake_write = INVALID_SOCKET;
    HANDLE stop = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    std::thread watcher;
    std::mutex mutex;
    std::vector<worker_command> pending;
    std::atomic<bool> parent_gone{false};
    void (*on_quick_exit)() = nullptr;
    void (*on_abort)() = nullptr;

    void push(worker_command c)
    {
        {
            std::lock_guard lock(mutex);
            pending.push_back(c);
        }
        char b = 1;
        send(wake_write, &b, 1, 0);
    }

    // The worker's "signal handlers": quick stop and abort leave at once, like POSIX's
    // handlers that _exit; the others are queued for the serving loop.
    void watch()
    {
        HANDLE handles[] = {worker_commands[0], worker_commands[1], worker_commands[2],
                            worker_commands[3], worker_master,      stop};
        for (;;) {
            DWORD rc = WaitForMultipleObjects(static_cast<DWORD>(std::size(handles)), handles, FALSE, INFINITE);
            switch (rc - WAIT_OBJECT_0) {
            case 0: push(worker_command::graceful_stop); break;
            case 1:
                if (on_quick_exit) on_quick_exit();
                TerminateProcess(GetCurrentProcess(), 0);
                break;
            case 2: push(worker_command::reopen_logs); break;
            case 3: abort_now(); break;
            case 4:
                parent_gone = true;
                push(worker_command::graceful_stop);
                handles[4] = stop; // signalled for good: stop watching it
                break;
            default: return;
            }
        }
    }

    void abort_now()
    {
        if (on_abort) on_abort();
        SOCKET s = abort_socket.load();
        if (s != INVALID_SOCKET && abort_data.load())
            send(s, abort_data.load(), static_cast<int>(abort_size.load()), 0);
        TerminateProcess(GetCurrentProcess(), 1);
    }
};

worker_control::worker_control() : impl_(new impl) {}

worker_control::~worker_control()
{
    SetEvent(impl_->stop);
    if (impl_->watcher.joinable()) impl_->watcher.join();
    closesocket(impl_->wake_read);
    closesocket(impl_->wake_write);
    CloseHandle(impl_->stop);
    delete impl_;
}

namespace {
// A worker is outside the arbiter's console (CREATE_NO_WINDOW); should a console event reach it
// anyway, it is the arbiter's to act on, never the default handler's (which ends the worker).
BOOL WINAPI worker_console_handler(DWORD) { return TRUE; }
} // namespace

std::optional<std::string> worker_control::open(void (*on_quick_exit)(), void (*on_abort)())
{
    if (!worker_commands[0] || !worker_master) return std::string("this process was not started by an arbiter");
    SetConsoleCtrlHandler(worker_console_handler, TRUE);
    if (!win::make_wake_pair(impl_->wake_read, impl_->wake_write))
        return std::string("cannot create the wake-up socket");
    impl_->on_quick_exit = on_quick_exit;
    impl_->on_abort = on_abort;
    impl_->watcher = std::thread([this] { impl_->watch(); });
    return std::nullopt;
}

std::intptr_t worker_control::wake_handle() const { return static_cast<std::intptr_t>(impl_->wake_read); }

std::vector<worker_command> worker_control::take()
{
    char buf[64];
    while (recv(impl_->wake_read, buf, sizeof buf, 0) > 0) {}
    std::lock_guard lock(impl_->mutex);
    return std::exchange(impl_->pending, {});
}

bool worker_control::parent_gone() const { return impl_->parent_gone.load(); }

// ------------------------------------------------------------------ shared memory, identity

shared_memory::~shared_memory()
{
    if (data_) UnmapViewOfFile(data_);
    if (handle_ != -1) CloseHandle(reinterpret_cast<HANDLE>(handle_));
}

std::optional<std::string> shared_memory::create(std::size_t size)
{
    // Unnamed: no Global\ privilege needed, and only processes given the handle can map it.
    HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                  static_cast<DWORD>(static_cast<std::uint64_t>(size) >> 32),
                                  static_cast<DWORD>(size & 0xffffffffu), nullptr);
    if (!h) return "CreateFileMappingW failed: " + win::last_error();
    handle_ = reinterpret_cast<std::intptr_t>(h);
    return attach(handle_, size);
}

std::optional<std::string> shared_memory::attach(std::intptr_t handle, std::size_t size)
{
    handle_ = handle;
    data_ = MapViewOfFile(reinterpret_cast<HANDLE>(handle), FILE_MAP_ALL_ACCESS, 0, 0, size);
    if (!data_) return "MapViewOfFile failed: " + win::last_error();
    size_ = size;
    return std::nullopt;
}

std::uint64_t process_start_time(int pid)
{
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
    if (!h) return 0;
    FILETIME created{}, exited{}, kernel{}, user{};
    DWORD code = 0;
    bool alive = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    bool ok = GetProcessTimes(h, &created, &exited, &kernel, &user);
    CloseHandle(h);
    if (!alive || !ok) return 0;
    return (static_cast<std::uint64_t>(created.dwHighDateTime) << 32) | created.dwLowDateTime;
}

bool send_control(int pid, const std::string& instance, control_event e, std::string& error)
{
    auto name = win::control_object_name(instance, pid, e);
    HANDLE h = is_counted(e) ? OpenSemaphoreW(SEMAPHORE_MODIFY_STATE, FALSE, name.c_str())
                             : OpenEventW(EVENT_MODIFY_STATE, FALSE, name.c_str());
    if (!h) {
        error = "cannot open " + win::narrow(name) + ": " + win::last_error();
        return false;
    }
    bool ok = is_counted(e) ? ReleaseSemaphore(h, 1, nullptr) : SetEvent(h);
    if (!ok) error = win::last_error();
    CloseHandle(h);
    return ok;
}

bool is_server_master(int pid, const std::string& instance)
{
    // Only a master creates the control objects named after its pid.
    HANDLE h = OpenEventW(SYNCHRONIZE, FALSE, win::control_object_name(instance, pid, control_event::term).c_str());
    if (!h) return false;
    CloseHandle(h);
    return true;
}

// Of the features only Windows has the SCM and global control names; reads_from_any_thread:
// see feature.
bool supports(feature f) { return f == feature::service_control_manager || f == feature::global_control_names; }

std::string runtime_dir()
{
    if (const char* dir = std::getenv("FORKHORN_RUNTIME_DIR"); dir && *dir) return dir;
    const char* data = std::getenv("ProgramData");
    return std::string(data && *data ? data : "C:\\ProgramData") + "\\forkhorn\\run";
}

} // namespace forkhorn::platform
