#include "control/format.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "settings/settings.hpp"

namespace forkhorn::control {
namespace {

using json = nlohmann::json;
using row = std::vector<std::string>;

// `align` has one character per column: '<' for text, '>' for numbers.
std::string table(const row& header, const std::vector<row>& rows, std::string_view align)
{
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
    }
    auto line = [&](const row& r) {
        std::string out;
        for (std::size_t c = 0; c < r.size(); ++c) {
            if (c) out += "  ";
            out += align[c] == '<' ? fmt::format("{:<{}}", r[c], width[c]) : fmt::format("{:>{}}", r[c], width[c]);
        }
        out.erase(out.find_last_not_of(' ') + 1);
        return out + '\n';
    };
    std::string out = line(header);
    for (const auto& r : rows) out += line(r);
    return out;
}

// Strings without quotes, lists joined with commas, everything else as JSON.
std::string plain(const json& v)
{
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
        std::string out;
        for (const auto& item : v) out += (out.empty() ? "" : ", ") + plain(item);
        return out;
    }
    return v.dump();
}

std::string key_values(const std::vector<std::pair<std::string, std::string>>& pairs)
{
    std::size_t width = 0;
    for (const auto& [k, v] : pairs) width = std::max(width, k.size() + 1);
    std::string out;
    for (const auto& [k, v] : pairs) out += v.empty() ? k + ":\n" : fmt::format("{:<{}} {}\n", k + ":", width, v);
    return out;
}

std::string workers(const json& data)
{
    std::vector<row> rows;
    for (const auto& w : data.value("workers", json::array()))
        rows.push_back({std::to_string(w.value("pid", 0)), std::to_string(w.value("age", 0)),
                        format_duration(w.value("uptime", 0.0)), std::to_string(w.value("requests", 0ULL)),
                        std::to_string(w.value("connections", 0U)), format_duration(w.value("last_beat", 0.0)),
                        w.value("state", "")});
    return table({"PID", "AGE", "UPTIME", "REQUESTS", "CONNS", "LAST_BEAT", "STATE"}, rows, ">>>>>><");
}

std::string stats(const json& data)
{
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& [key, value] : data.items())
        pairs.emplace_back(key,
                           key == "uptime" && value.is_number() ? format_duration(value.get<double>()) : plain(value));
    // The server's order (uptime, pid, workers...) reads better than json's alphabetical one.
    static const std::vector<std::string> order{
        "uptime", "pid", "workers_current", "workers_target", "workers_spawned", "workers_killed", "reloads"};
    auto rank = [&](const std::string& k) { return std::find(order.begin(), order.end(), k) - order.begin(); };
    std::stable_sort(pairs.begin(), pairs.end(),
                     [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
    return key_values(pairs);
}

// File modes travel as plain numbers (384); people read them in octal (0o600).
std::string config(const json& data)
{
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& [key, value] : data.items()) {
        const setting_def* def = find_setting(key);
        bool mode = def && def->metavar == "MODE" && value.is_number_integer();
        pairs.emplace_back(key, mode ? fmt::format("0o{:o}", value.get<int>()) : plain(value));
    }
    return key_values(pairs);
}

std::string listeners(const json& data)
{
    std::vector<row> rows;
    for (const auto& l : data.value("listeners", json::array()))
        rows.push_back({l.value("address", ""), std::to_string(l.value("fd", -1)), l.value("type", "")});
    return table({"ADDRESS", "FD", "TYPE"}, rows, "<><");
}

std::string workers_changed(const json& data, bool added)
{
    int n = data.value(added ? "added" : "removed", 0);
    return fmt::format("{} {} worker{} ({} -> {})\n", added ? "added" : "removed", n, n == 1 ? "" : "s",
                       data.value("previous", 0), data.value("total", 0));
}

std::string help(const json& data)
{
    const json commands = data.value("commands", json::object());
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& [syntax, summary] : commands.items()) pairs.emplace_back(syntax, plain(summary));
    // In the documented order rather than json's alphabetical one; unknown ones go last.
    auto rank = [](const std::string& syntax) {
        auto list = command_list();
        return std::find_if(list.begin(), list.end(), [&](const command_help& h) { return h.syntax == syntax; }) -
               list.begin();
    };
    std::stable_sort(pairs.begin(), pairs.end(),
                     [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
    std::size_t width = 0;
    for (const auto& p : pairs) width = std::max(width, p.first.size());
    std::string out;
    for (const auto& [syntax, summary] : pairs) out += fmt::format("{:<{}}  {}\n", syntax, width, summary);
    return out;
}

} // namespace

std::string format_duration(double seconds)
{
    if (!(seconds >= 0)) return "-"; // negative or NaN: nothing sensible to show
    if (seconds < 10) return fmt::format("{:.1f}s", seconds);
    auto s = static_cast<long long>(std::floor(seconds));
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
    if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
    return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

std::string format_human(command_kind kind, const json& data)
{
    switch (kind) {
    case command_kind::show_workers: return workers(data);
    case command_kind::show_stats: return stats(data);
    case command_kind::show_config: return config(data);
    case command_kind::show_listeners: return listeners(data);
    case command_kind::worker_add: return workers_changed(data, true);
    case command_kind::worker_remove: return workers_changed(data, false);
    case command_kind::worker_kill: return fmt::format("killed worker {}\n", data.value("killed", 0));
    case command_kind::reload: return "reloading\n";
    case command_kind::reopen: return "reopening log files\n";
    case command_kind::shutdown: return fmt::format("shutting down ({})\n", data.value("mode", "graceful"));
    case command_kind::help: return help(data);
    }
    return data.dump(2) + '\n';
}

} // namespace forkhorn::control
