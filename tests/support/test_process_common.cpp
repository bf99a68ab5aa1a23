// The platform-neutral half of the test helpers: logs, ports, HTTP, load.
#include "test_process.hpp"

#include "process.hpp"
#include "sockets.hpp"

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace forkhorn::test {

std::string_view sanitizer_in_use() { return FORKHORN_TEST_SANITIZER; }

std::uint64_t process_start_of(int pid) { return platform::process_start_time(pid); }

bool still_running(int pid, std::uint64_t started)
{
    return started != 0 && platform::process_start_time(pid) == started;
}

std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::string server_process::log() const { return read_text(dir_ + "/stderr"); }

std::string server_process::out() const { return read_text(dir_ + "/stdout"); }

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
    auto all = ports(1, timeout);
    return all.empty() ? 0 : all.front();
}

std::vector<int> server_process::ports(std::size_t count, std::chrono::milliseconds timeout) const
{
    // "Listening at: http://HOST:PORT (pid)" or https://; unix: listeners have no port.
    constexpr std::string_view marker = "Listening at: ";
    std::vector<int> found;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        found.clear();
        auto text = log();
        for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
            auto url = text.substr(at + marker.size(), text.find(' ', at + marker.size()) - at - marker.size());
            if (!url.starts_with("http://") && !url.starts_with("https://")) continue;
            found.push_back(std::atoi(url.c_str() + url.rfind(':') + 1));
        }
        if (found.size() >= count) return found;
        sleep_ms(20);
    } while (std::chrono::steady_clock::now() < deadline);
    return {};
}

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
    client_connection c(port);
    if (!c.connected()) return std::nullopt;
    (void)c.send(bytes);
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (auto now = std::chrono::steady_clock::now(); now < deadline; now = std::chrono::steady_clock::now()) {
        auto part = c.take_some(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        if (part.empty()) break; // closed, or the time is up
        out += part;
    }
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

client_connection::client_connection(int port) : fd_(connect_nonblocking(port)) {}

client_connection::~client_connection()
{
    if (fd_ != -1) platform::close_socket(fd_);
}

bool client_connection::send(std::string_view bytes)
{
    return fd_ != -1 && platform::send_all(fd_, bytes, std::chrono::steady_clock::now() + 5s);
}

void client_connection::end_sending()
{
    if (fd_ != -1) platform::shutdown_send(fd_);
}

bool client_connection::fill(std::chrono::steady_clock::time_point deadline)
{
    if (fd_ == -1 || eof_) return false;
    char buf[65536];
    auto n = platform::recv_some(fd_, buf, sizeof buf, deadline);
    if (n == 0) eof_ = true;
    if (n <= 0) return false;
    buffered_.append(buf, static_cast<std::size_t>(n));
    return true;
}

namespace {

std::string lower(std::string s)
{
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The length of the complete chunked body at the start of `b` (decoded into `body`), or npos.
std::size_t chunked_length(std::string_view b, std::string& body)
{
    std::size_t at = 0;
    body.clear();
    for (;;) {
        auto eol = b.find("\r\n", at);
        if (eol == std::string_view::npos) return std::string_view::npos;
        std::size_t size = std::strtoul(std::string(b.substr(at, eol - at)).c_str(), nullptr, 16);
        at = eol + 2;
        if (size == 0) {
            auto end = b.find("\r\n", at); // no trailers in these tests
            return end == std::string_view::npos ? std::string_view::npos : end + 2;
        }
        if (b.size() < at + size + 2) return std::string_view::npos;
        body.append(b.substr(at, size));
        at += size + 2;
    }
}

} // namespace

http_reply client_connection::read_reply(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto end = buffered_.find("\r\n\r\n");
        if (end != std::string::npos) {
            http_reply r = parse_reply(buffered_.substr(0, end + 4));
            std::string head = lower(r.head);
            std::size_t body_at = end + 4;
            std::size_t length = 0;
            std::string body;
            bool bodyless = r.status < 200 || r.status == 204 || r.status == 304;
            if (!bodyless && head.find("transfer-encoding: chunked") != std::string::npos) {
                length = chunked_length(std::string_view(buffered_).substr(body_at), body);
            } else if (auto cl = head.find("content-length: "); !bodyless && cl != std::string::npos) {
                length = std::strtoull(head.c_str() + cl + 16, nullptr, 10);
                if (buffered_.size() < body_at + length)
                    length = std::string::npos;
                else
                    body = buffered_.substr(body_at, length);
            }
            if (length != std::string::npos) {
                r.body = body;
                buffered_.erase(0, body_at + length);
                return r;
            }
        }
        if (!fill(deadline)) return {};
    }
}

std::string client_connection::take_some(std::chrono::milliseconds timeout)
{
    if (buffered_.empty()) (void)fill(std::chrono::steady_clock::now() + timeout);
    return std::exchange(buffered_, {});
}

bool client_connection::closed_by_peer(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline)) {}
    return eof_ && buffered_.empty();
}

} // namespace forkhorn::test
