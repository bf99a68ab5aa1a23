// The two ways N worker processes can accept from one shared listener on Windows (only one
// process can attach it to a completion port), measured side by side:
//   poll: a thread waits with WSAPoll and accepts (what every forkhorn worker type does);
//   uv:   libuv's uv_tcp_open + uv_listen on the duplicated socket.
// `accept_paths MODE WORKERS CONNECTIONS` starts WORKERS children that get the listener through
// WSADuplicateSocketW, makes CONNECTIONS sequential connections (each child sends its index
// and closes), prints connections/s and the spread, and exits 1 if a connection failed or a worker
// served none.
#include <winsock2.h>
#include <windows.h>

#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

struct child {
    PROCESS_INFORMATION pi{};
    HANDLE in = nullptr; // the write end of its stdin: the listener, then EOF = stop
};

SOCKET listener_from_stdin()
{
    WSAPROTOCOL_INFOW info{};
    DWORD got = 0;
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    if (!ReadFile(in, &info, sizeof info, &got, nullptr) || got != sizeof info) return INVALID_SOCKET;
    return WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0, WSA_FLAG_OVERLAPPED);
}

// Returns when the parent closes our stdin.
void wait_for_eof()
{
    char c;
    DWORD got = 0;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), &c, 1, &got, nullptr) && got > 0) {}
}

void answer(SOCKET s, char index)
{
    send(s, &index, 1, 0);
    closesocket(s);
}

int run_poll_child(SOCKET listener, char index)
{
    u_long on = 1;
    ioctlsocket(listener, FIONBIO, &on);
    volatile bool stop = false;
    std::thread watcher([&] { wait_for_eof(), stop = true; });
    while (!stop) {
        WSAPOLLFD p{listener, POLLRDNORM, 0};
        if (WSAPoll(&p, 1, 100) <= 0) continue;
        SOCKET s = accept(listener, nullptr, nullptr);
        if (s == INVALID_SOCKET) continue; // another worker won
        u_long off = 0;
        ioctlsocket(s, FIONBIO, &off);
        answer(s, index);
    }
    watcher.join();
    return 0;
}

struct uv_child {
    uv_loop_t loop;
    uv_tcp_t server;
    uv_async_t stop;
    char index;
};

int run_uv_child(SOCKET listener, char index)
{
    uv_child c{};
    c.index = index;
    uv_loop_init(&c.loop);
    uv_tcp_init(&c.loop, &c.server);
    c.server.data = &c;
    if (uv_tcp_open(&c.server, listener) != 0) return 2;
    int rc = uv_listen(reinterpret_cast<uv_stream_t*>(&c.server), 128, [](uv_stream_t* server, int status) {
        if (status < 0) return;
        auto* self = static_cast<uv_child*>(server->data);
        auto* client = new uv_tcp_t;
        uv_tcp_init(&self->loop, client);
        if (uv_accept(server, reinterpret_cast<uv_stream_t*>(client)) != 0)
            return uv_close(reinterpret_cast<uv_handle_t*>(client),
                            [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
        uv_buf_t b = uv_buf_init(&self->index, 1);
        uv_try_write(reinterpret_cast<uv_stream_t*>(client), &b, 1);
        uv_close(reinterpret_cast<uv_handle_t*>(client), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    });
    if (rc != 0) return 3;
    uv_async_init(&c.loop, &c.stop, [](uv_async_t* a) { uv_stop(a->loop); });
    std::thread watcher([&] { wait_for_eof(), uv_async_send(&c.stop); });
    uv_run(&c.loop, UV_RUN_DEFAULT);
    watcher.join();
    return 0;
}

bool start_child(const std::string& mode, int index, SOCKET listener, child& out)
{
    SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
    HANDLE read_end = nullptr;
    if (!CreatePipe(&read_end, &out.in, &sa, 0)) return false;
    SetHandleInformation(out.in, HANDLE_FLAG_INHERIT, 0);
    wchar_t path[MAX_PATH];
    GetModuleFileNameW(nullptr, path, MAX_PATH);
    std::wstring cmd = L"\"" + std::wstring(path) + L"\" child " + std::wstring(mode.begin(), mode.end()) + L" " +
                       std::to_wstring(index);
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = read_end;
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    bool ok = CreateProcessW(nullptr, cmd.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &out.pi);
    CloseHandle(read_end);
    if (!ok) return false;
    WSAPROTOCOL_INFOW info{};
    if (WSADuplicateSocketW(listener, out.pi.dwProcessId, &info) != 0) return false;
    DWORD written = 0;
    return WriteFile(out.in, &info, sizeof info, &written, nullptr) && written == sizeof info;
}

// One connection: returns the index of the worker that answered, or -1.
int one_connection(const sockaddr_in& addr)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    DWORD timeout_ms = 5000;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&timeout_ms), sizeof timeout_ms);
    int index = -1;
    char c = 0;
    if (connect(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 && recv(s, &c, 1, 0) == 1) index = c;
    closesocket(s);
    return index;
}

int run_parent(const std::string& mode, int workers, int connections)
{
    SOCKET listener = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof addr;
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 512) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        return std::puts("cannot listen"), 1;
    std::vector<child> children(static_cast<std::size_t>(workers));
    for (int i = 0; i < workers; ++i)
        if (!start_child(mode, i, listener, children[static_cast<std::size_t>(i)]))
            return std::puts("cannot start a worker"), 1;
    std::vector<int> served(static_cast<std::size_t>(workers), 0);
    int failed = 0;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < connections; ++i) {
        int who = one_connection(addr);
        if (who >= 0 && who < workers)
            ++served[static_cast<std::size_t>(who)];
        else
            ++failed;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (auto& c : children) CloseHandle(c.in); // EOF: the workers stop
    bool all_served = true;
    std::string spread;
    for (int n : served) spread += std::to_string(n) + " ", all_served = all_served && n > 0;
    for (auto& c : children) {
        if (WaitForSingleObject(c.pi.hProcess, 10000) != WAIT_OBJECT_0) TerminateProcess(c.pi.hProcess, 1);
        CloseHandle(c.pi.hProcess);
        CloseHandle(c.pi.hThread);
    }
    std::printf("%s: %d workers, %d connections in %.2f s = %.0f connections/s, failed %d, spread %s\n", mode.c_str(),
                workers, connections, seconds, connections / seconds, failed, spread.c_str());
    return failed == 0 && all_served ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    std::string role = argc > 1 ? argv[1] : "";
    if (role == "child" && argc == 4) {
        SOCKET listener = listener_from_stdin();
        if (listener == INVALID_SOCKET) return 2;
        char index = static_cast<char>(std::atoi(argv[3]));
        return std::string(argv[2]) == "uv" ? run_uv_child(listener, index) : run_poll_child(listener, index);
    }
    if (argc == 4 && (role == "poll" || role == "uv")) return run_parent(role, std::atoi(argv[2]), std::atoi(argv[3]));
    std::puts("usage: accept_paths poll|uv WORKERS CONNECTIONS");
    return 2;
}
