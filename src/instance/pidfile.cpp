#include "instance/pidfile.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "process.hpp"
#include "system.hpp"

namespace forkhorn {

std::optional<std::string> write_pidfile(const std::string& path, const pidfile_content& c)
{
    std::error_code ec;
    std::string tmp = fmt::format("{}.{}.tmp", path, c.pid);
    {
        std::ofstream out(tmp, std::ios::trunc | std::ios::binary); // "\n" on every system
        if (!out) return fmt::format("cannot write pidfile '{}'", tmp);
        out << c.pid << '\n'
            << c.start_time << '\n'
            << c.instance << '\n'
            << c.config << '\n'
            << c.state << '\n'
            << c.control_socket << '\n';
        if (!out.flush()) return fmt::format("cannot write pidfile '{}'", tmp);
    }
    if (auto err = platform::replace_file(tmp, path)) {
        std::filesystem::remove(tmp, ec);
        return fmt::format("cannot create pidfile '{}': {}", path, *err);
    }
    return std::nullopt;
}

std::optional<pidfile_content> read_pidfile(const std::string& path, std::string& error)
{
    std::ifstream in(path);
    if (!in) return error = fmt::format("no pidfile at '{}'", path), std::nullopt;
    pidfile_content c;
    std::string line;
    if (!std::getline(in, line) || (c.pid = std::atoi(line.c_str())) <= 0)
        return error = fmt::format("pidfile '{}' holds no pid", path), std::nullopt;
    if (std::getline(in, line)) c.start_time = std::strtoull(line.c_str(), nullptr, 10);
    std::getline(in, c.instance);
    std::getline(in, c.config);
    std::getline(in, c.state);
    std::getline(in, c.control_socket);
    return c;
}

bool pidfile_is_live(const pidfile_content& c)
{
    auto now = platform::process_start_time(c.pid);
    // A file without a start time (written by hand or by an old version) is trusted on the
    // pid alone; one with a start time must match it.
    return now != 0 && (c.start_time == 0 || now == c.start_time);
}

void remove_pidfile_if_mine(const std::string& path, int pid)
{
    std::string error;
    auto c = read_pidfile(path, error);
    std::error_code ec;
    if (c && c->pid == pid) std::filesystem::remove(path, ec);
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
