#include "instance/pidfile.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "events.hpp"
#include "process.hpp"
#include "system.hpp"

namespace forkhorn {

namespace {

// What ctl needs beyond the pid lives beside the pidfile, so the pidfile itself holds the pid
// and a newline only, as `kill -HUP $(cat app.pid)` and init scripts expect.
std::string info_path(const std::string& pidfile) { return pidfile + ".info"; }

std::optional<std::string> write_atomically(const std::string& path, const std::string& text, int pid)
{
    std::error_code ec;
    std::string tmp = fmt::format("{}.{}.tmp", path, pid);
    {
        std::ofstream out(tmp, std::ios::trunc | std::ios::binary); // "\n" on every system
        if (!out) return fmt::format("cannot write pidfile '{}'", tmp);
        out << text;
        if (!out.flush()) return fmt::format("cannot write pidfile '{}'", tmp);
    }
    if (auto err = platform::replace_file(tmp, path)) {
        std::filesystem::remove(tmp, ec);
        return fmt::format("cannot create pidfile '{}': {}", path, *err);
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> write_pidfile(const std::string& path, const pidfile_content& c)
{
    // The details first: a reader that finds the new pid finds its details too.
    auto info =
        fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n", c.pid, c.start_time, c.instance, c.config, c.state, c.control_socket);
    if (auto err = write_atomically(info_path(path), info, c.pid)) return err;
    return write_atomically(path, fmt::format("{}\n", c.pid), c.pid);
}

std::optional<pidfile_content> read_pidfile(const std::string& path, std::string& error)
{
    std::ifstream in(path);
    if (!in) return error = fmt::format("no pidfile at '{}'", path), std::nullopt;
    pidfile_content c;
    std::string line;
    if (!std::getline(in, line) || (c.pid = std::atoi(line.c_str())) <= 0)
        return error = fmt::format("pidfile '{}' holds no pid", path), std::nullopt;
    // The details count only when they describe the same pid (written by this server).
    std::ifstream info(info_path(path));
    if (!std::getline(info, line) || std::atoi(line.c_str()) != c.pid) return c;
    if (std::getline(info, line)) c.start_time = std::strtoull(line.c_str(), nullptr, 10);
    std::getline(info, c.instance);
    std::getline(info, c.config);
    std::getline(info, c.state);
    std::getline(info, c.control_socket);
    return c;
}

bool pidfile_is_live(const pidfile_content& c, const std::string& instance)
{
    auto now = platform::process_start_time(c.pid);
    if (now == 0) return false;
    // With its details, the pid must still be the process that wrote them; without (a pidfile
    // written by hand, or by another tool), it must at least be a forkhorn master.
    if (c.start_time != 0) return now == c.start_time;
    return platform::is_server_master(c.pid, instance);
}

void remove_pidfile_if_mine(const std::string& path, int pid)
{
    std::string error;
    auto c = read_pidfile(path, error);
    std::error_code ec;
    if (!c || c->pid != pid) return;
    std::filesystem::remove(path, ec);
    std::filesystem::remove(info_path(path), ec);
}

std::string default_pidfile(const std::string& instance)
{
    return platform::runtime_dir() + "/" + (instance.empty() ? "forkhorn" : instance) + ".pid";
}

std::string default_control_socket(const std::string& instance)
{
    return platform::runtime_dir() + "/" + (instance.empty() ? "forkhorn" : instance) + ".ctl";
}

} // namespace forkhorn
