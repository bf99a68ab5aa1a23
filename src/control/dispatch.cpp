// dispatch(): one request in, one reply out. The arbiter is reached only through arbiter_view.
#include "control/commands.hpp"
#include "control/control.hpp"
#include "control/protocol.hpp"

#include <algorithm>
#include <exception>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

namespace forkhorn::control {
namespace {

using json = nlohmann::json;

json show_workers(const arbiter_view& a)
{
    auto rows = a.workers();
    std::sort(rows.begin(), rows.end(), [](const worker_row& x, const worker_row& y) { return x.age < y.age; });
    json list = json::array();
    for (const auto& w : rows)
        list.push_back({{"pid", w.pid},
                        {"age", w.age},
                        {"uptime", w.uptime},
                        {"requests", w.requests},
                        {"connections", w.connections},
                        {"last_beat", w.last_beat},
                        {"state", w.state}});
    return {{"workers", list}, {"count", rows.size()}};
}

json show_stats(const arbiter_view& a)
{
    auto s = a.stats();
    return {{"uptime", s.uptime},
            {"pid", s.pid},
            {"workers_current", s.workers_current},
            {"workers_target", s.workers_target},
            {"workers_spawned", s.workers_spawned},
            {"workers_killed", s.workers_killed},
            {"reloads", s.reloads}};
}

// Typed values, not --print-config's text: a script reads `workers` as a number.
json show_config(const arbiter_view& a)
{
    const settings& cfg = a.config();
    json out = json::object();
    for (const auto& def : setting_table())
        std::visit([&](auto member) { out[std::string(def.name)] = cfg.*member; }, def.field);
    return out;
}

json show_listeners(const arbiter_view& a)
{
    auto rows = a.listeners();
    json list = json::array();
    for (const auto& l : rows) list.push_back({{"address", l.address}, {"fd", l.fd}, {"type", l.type}});
    return {{"listeners", list}, {"count", rows.size()}};
}

json change_workers(arbiter_view& a, const command& c)
{
    bool add = c.kind == command_kind::worker_add;
    int previous = a.change_workers(add ? c.number : -c.number);
    if (add) return {{"added", c.number}, {"previous", previous}, {"total", previous + c.number}};
    int total = std::max(1, previous - c.number);
    return {{"removed", previous - total}, {"previous", previous}, {"total", total}};
}

json help()
{
    json commands = json::object();
    for (const auto& h : command_list()) commands[std::string(h.syntax)] = h.summary;
    return {{"commands", commands}};
}

// Runs a parsed command; a string result is an error message.
std::variant<json, std::string> run(arbiter_view& a, const command& c)
{
    using platform::control_event;
    switch (c.kind) {
    case command_kind::show_workers: return show_workers(a);
    case command_kind::show_stats: return show_stats(a);
    case command_kind::show_config: return show_config(a);
    case command_kind::show_listeners: return show_listeners(a);
    case command_kind::worker_add:
    case command_kind::worker_remove: return change_workers(a, c);
    case command_kind::worker_kill:
        if (!a.kill_worker(c.number)) return fmt::format("worker kill: {} is not a worker of this server", c.number);
        return json{{"success", true}, {"killed", c.number}};
    case command_kind::reload: a.post(control_event::hup); return json{{"status", "reloading"}};
    case command_kind::reopen: a.post(control_event::usr1); return json{{"status", "reopening"}};
    case command_kind::shutdown:
        a.post(c.quick ? control_event::int_ : control_event::term);
        return json{{"status", "shutting_down"}, {"mode", c.quick ? "quick" : "graceful"}};
    case command_kind::help: return help();
    }
    return std::string("unsupported command");
}

} // namespace

std::string dispatch(arbiter_view& arbiter, const std::string& request_json)
{
    std::string error;
    auto request = parse_request(request_json, error);
    if (!request) return make_error_reply(nullptr, error);
    auto cmd = parse_command(request->words, error);
    if (!cmd) return make_error_reply(request->id, error);
    // The arbiter must survive whatever a command trips over; the client gets the reason.
    try {
        auto result = run(arbiter, *cmd);
        if (auto* message = std::get_if<std::string>(&result)) return make_error_reply(request->id, *message);
        return make_ok_reply(request->id, std::move(std::get<json>(result)));
    } catch (const std::exception& e) {
        return make_error_reply(request->id, fmt::format("internal error: {}", e.what()));
    }
}

} // namespace forkhorn::control
