// The service process: what the SCM starts (`forkhorn service run --name NAME`). ServiceMain
// runs the caller's body (the whole server) on the service thread; the control handler only
// queues control events into the arbiter; notify_service turns the arbiter's lifecycle into
// SCM states (ready -> RUNNING, stopping -> STOP_PENDING).
#include "service.hpp"
#include "win.hpp"

#include <fcntl.h>
#include <io.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

namespace forkhorn::platform {
namespace {

using namespace std::chrono_literals;

// A SERVICE_WIN32_OWN_PROCESS runs exactly one service, so its state is process-wide.
struct service_state {
    std::mutex mutex;
    std::condition_variable changed;
    SERVICE_STATUS_HANDLE handle = nullptr;
    SERVICE_STATUS status{SERVICE_WIN32_OWN_PROCESS, SERVICE_STOPPED, 0, NO_ERROR, 0, 0, 0};
    std::chrono::steady_clock::time_point last_report;
    bool term_pending = false; // a stop came before the arbiter could take it
    std::chrono::steady_clock::time_point term_pending_since;
    bool done = false; // the body has returned
    DWORD stop_hint_ms = 35'000;
};

service_state state;
std::atomic<bool> as_service{false};
std::string service_name;
const service_body* body_fn = nullptr;
int exit_status = 0;

constexpr DWORD start_hint_ms = 10'000;
// Progress is reported this often while starting or stopping: the SCM (and `service start`)
// treat a checkpoint that stops moving for longer than the wait hint as a hung service.
constexpr auto checkpoint_interval = 1s;

void report_locked(DWORD current, DWORD hint_ms)
{
    auto& s = state.status;
    bool pending = current == SERVICE_START_PENDING || current == SERVICE_STOP_PENDING;
    s.dwCheckPoint = !pending ? 0 : s.dwCurrentState == current ? s.dwCheckPoint + 1 : 1;
    s.dwCurrentState = current;
    s.dwWaitHint = pending ? hint_ms : 0;
    // STOP is accepted while starting too, so that a server stuck booting can be stopped.
    bool stoppable = current == SERVICE_START_PENDING || current == SERVICE_RUNNING;
    s.dwControlsAccepted = stoppable ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PRESHUTDOWN : 0;
    SetServiceStatus(state.handle, &s);
    state.last_report = std::chrono::steady_clock::now();
}

void report(DWORD current, DWORD hint_ms)
{
    std::lock_guard lock(state.mutex);
    report_locked(current, hint_ms);
}

// Enters STOP_PENDING unless the service is already stopping.
void enter_stop_pending()
{
    std::lock_guard lock(state.mutex);
    DWORD current = state.status.dwCurrentState;
    if (current != SERVICE_STOP_PENDING && current != SERVICE_STOPPED)
        report_locked(SERVICE_STOP_PENDING, state.stop_hint_ms);
}

void begin_stop()
{
    enter_stop_pending();
    // Before the arbiter has opened its control source there is nobody to post to: the ticker
    // delivers the stop as soon as there is.
    if (win::post_to_arbiter(control_event::term)) return;
    std::lock_guard lock(state.mutex);
    if (!state.term_pending) state.term_pending_since = std::chrono::steady_clock::now();
    state.term_pending = true;
}

// A stop that no arbiter took within the stop's wait hint: the server is stuck before its
// arbiter runs (in the app's on_starting hook, say). The SCM would wait on STOP_PENDING for ever,
// since the checkpoint keeps moving: the process ends instead, as a failed stop.
[[noreturn]] void end_stuck_start(DWORD waited_ms)
{
    // Straight to the standard error handle (the error log, redirect_service_std_streams), not
    // through the C runtime, which the stuck thread may hold.
    std::string line = "forkhorn service: error: the server took no stop within " + std::to_string(waited_ms) +
                       " ms (it is still starting): ending the process\n";
    DWORD written = 0;
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), line.data(), static_cast<DWORD>(line.size()), &written, nullptr);
    {
        std::lock_guard lock(state.mutex);
        state.status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
        state.status.dwServiceSpecificExitCode = 1;
        report_locked(SERVICE_STOPPED, 0);
    }
    // The job object takes any worker along.
    TerminateProcess(GetCurrentProcess(), 1);
    std::abort(); // not reached
}

// Runs beside the body: moves the checkpoint on while starting or stopping, and delivers a
// stop that arrived too early.
void tick_until_done()
{
    std::unique_lock lock(state.mutex);
    while (!state.done) {
        state.changed.wait_for(lock, 200ms);
        if (state.term_pending) {
            lock.unlock();
            bool posted = win::post_to_arbiter(control_event::term);
            lock.lock();
            if (posted) state.term_pending = false;
            auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                state.term_pending_since);
            if (!posted && waited.count() > static_cast<long long>(state.stop_hint_ms)) {
                lock.unlock();
                end_stuck_start(static_cast<DWORD>(waited.count()));
            }
        }
        DWORD current = state.status.dwCurrentState;
        bool pending = current == SERVICE_START_PENDING || current == SERVICE_STOP_PENDING;
        if (pending && std::chrono::steady_clock::now() - state.last_report >= checkpoint_interval)
            report_locked(current, state.status.dwWaitHint);
    }
}

std::optional<control_event> custom_event(DWORD code)
{
    for (const auto& c : service_controls)
        if (c.code == code) return c.event;
    return std::nullopt;
}

DWORD WINAPI on_control(DWORD code, DWORD, void*, void*)
{
    switch (code) {
    case SERVICE_CONTROL_INTERROGATE: return NO_ERROR; // the SCM answers with the last report
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
    case SERVICE_CONTROL_PRESHUTDOWN: begin_stop(); return NO_ERROR;
    default: break;
    }
    auto event = custom_event(code);
    if (!event) return ERROR_CALL_NOT_IMPLEMENTED;
    return win::post_to_arbiter(*event) ? NO_ERROR : ERROR_SERVICE_CANNOT_ACCEPT_CTRL;
}

// Makes `h` standard handle `id` for this process (GetStdHandle, which spawn_worker passes on
// to the workers) and for the C runtime (file descriptor `fd`, behind stdin/stdout/stderr).
bool set_std(DWORD id, int fd, HANDLE h, int flags)
{
    if (h == INVALID_HANDLE_VALUE) return false;
    SetStdHandle(id, h);
    int crt = _open_osfhandle(reinterpret_cast<std::intptr_t>(h), flags);
    return crt >= 0 && (crt == fd || _dup2(crt, fd) == 0);
}

HANDLE open_file(const std::wstring& path, DWORD access, DWORD disposition)
{
    // Shared for delete too: log rotation renames the error log while it is open here.
    return CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                       disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
}

void report_stopped(int status)
{
    std::lock_guard lock(state.mutex);
    // A non-zero exit is a service-specific error: `sc query` and `service status` show the
    // number, and the SCM's failure actions count it (FAILURE_ACTIONS_FLAG).
    state.status.dwWin32ExitCode = status ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
    state.status.dwServiceSpecificExitCode = static_cast<DWORD>(status);
    report_locked(SERVICE_STOPPED, 0);
}

void WINAPI service_main(DWORD, LPWSTR*)
{
    state.handle = RegisterServiceCtrlHandlerExW(win::widen(service_name).c_str(), on_control, nullptr);
    if (!state.handle) {
        exit_status = body_fn->failed("RegisterServiceCtrlHandlerExW failed: " + win::last_error());
        return;
    }
    as_service = true;
    report(SERVICE_START_PENDING, start_hint_ms);
    std::thread ticker(tick_until_done);
    exit_status = body_fn->run();
    {
        std::lock_guard lock(state.mutex);
        state.done = true;
    }
    state.changed.notify_all();
    ticker.join();
    // After SERVICE_STOPPED the SCM may end the process at any moment: report it last.
    report_stopped(exit_status);
}

} // namespace

std::optional<service_error> run_as_service(const std::string& name, const service_body& body, int& status)
{
    service_name = name;
    body_fn = &body;
    std::wstring wide = win::widen(name);
    SERVICE_TABLE_ENTRYW table[] = {{wide.data(), service_main}, {nullptr, nullptr}};
    if (StartServiceCtrlDispatcherW(table)) return status = exit_status, std::nullopt;
    DWORD code = GetLastError();
    if (code == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
        return service_error{service_fault::not_from_manager, "this process was not started by the service manager"};
    return service_error{service_fault::failed, "StartServiceCtrlDispatcherW failed: " + win::error_text(code)};
}

void set_service_stop_wait(std::chrono::milliseconds wait)
{
    std::lock_guard lock(state.mutex);
    state.stop_hint_ms = static_cast<DWORD>(wait.count());
}

// The SCM starts services with no standard handles at all. Workers inherit this process's
// handles, and messages written before the logger opens (and anything an app prints) go to
// stderr. (freopen cannot be used: the C runtime's streams have no file to reopen in a service.)
std::optional<std::string> redirect_service_std_streams(const std::string& error_log)
{
    if (!set_std(STD_INPUT_HANDLE, 0, open_file(L"NUL", GENERIC_READ, OPEN_EXISTING), _O_RDONLY) ||
        !set_std(STD_OUTPUT_HANDLE, 1, open_file(L"NUL", GENERIC_WRITE, OPEN_EXISTING), _O_WRONLY))
        return "cannot open NUL for the standard handles: " + win::last_error();
    HANDLE log = open_file(win::widen(error_log), FILE_APPEND_DATA, OPEN_ALWAYS);
    if (!set_std(STD_ERROR_HANDLE, 2, log, _O_WRONLY | _O_APPEND))
        return "cannot open the error log " + error_log + ": " + win::last_error();
    std::setvbuf(stderr, nullptr, _IONBF, 0);
    return std::nullopt;
}

// There is no message file, so the viewer shows the text as the insertion string.
void report_service_event(const std::string& source, const std::string& message)
{
    HANDLE handle = RegisterEventSourceW(nullptr, win::widen(source).c_str());
    if (!handle) return;
    std::wstring text = win::widen(message);
    const wchar_t* strings[] = {text.c_str()};
    ReportEventW(handle, EVENTLOG_ERROR_TYPE, 0, 1, nullptr, 1, 0, strings, nullptr);
    DeregisterEventSource(handle);
}

bool running_as_service() { return as_service; }

// The SCM hands a service no sockets.
std::vector<native_socket> service_manager_sockets() { return {}; }

void notify_service(lifecycle stage)
{
    if (!as_service) return;
    switch (stage) {
    case lifecycle::ready: {
        std::lock_guard lock(state.mutex);
        if (state.status.dwCurrentState == SERVICE_START_PENDING) report_locked(SERVICE_RUNNING, 0);
        return;
    }
    // The SCM has no reloading state: the service stays RUNNING while old workers serve until
    // the new ones are up.
    case lifecycle::reloading: return;
    case lifecycle::stopping: return enter_stop_pending();
    }
}

} // namespace forkhorn::platform
