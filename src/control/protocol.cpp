#include "control/protocol.hpp"

namespace forkhorn::control {
namespace {

using json = nlohmann::json;

// Replies may quote what a client sent; `replace` keeps a stray invalid byte from throwing.
std::string to_text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::uint32_t read_length(std::string_view header)
{
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(header[static_cast<std::size_t>(i)]);
    return n;
}

// "args" may carry numbers (a client in another language may send `2`, not `"2"`).
bool append_args(const json& args, std::vector<std::string>& words)
{
    if (!args.is_array()) return false;
    for (const auto& a : args) {
        if (a.is_string())
            words.push_back(a.get<std::string>());
        else if (a.is_number_integer())
            words.push_back(std::to_string(a.get<std::int64_t>()));
        else
            return false;
    }
    return true;
}

} // namespace

std::optional<std::string> encode_frame(std::string_view payload)
{
    if (payload.size() > max_frame_size) return std::nullopt;
    auto n = static_cast<std::uint32_t>(payload.size());
    std::string frame{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                      static_cast<char>(n)};
    frame.append(payload);
    return frame;
}

void frame_decoder::feed(std::string_view bytes) { buffer_.append(bytes); }

frame_status frame_decoder::next(std::string& payload)
{
    if (buffer_.size() < frame_header_size) return frame_status::need_more;
    std::uint32_t n = read_length(buffer_);
    if (n > max_frame_size) return frame_status::too_long;
    if (buffer_.size() - frame_header_size < n) return frame_status::need_more;
    payload.assign(buffer_, frame_header_size, n);
    buffer_.erase(0, frame_header_size + n);
    return frame_status::complete;
}

std::vector<std::string> split_words(std::string_view text)
{
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        auto start = text.find_first_not_of(" \t", i);
        if (start == std::string_view::npos) break;
        auto end = text.find_first_of(" \t", start);
        if (end == std::string_view::npos) end = text.size();
        words.emplace_back(text.substr(start, end - start));
        i = end;
    }
    return words;
}

std::optional<request_message> parse_request(std::string_view json_text, std::string& error)
{
    json j = json::parse(json_text, nullptr, false);
    if (j.is_discarded()) return error = "request is not valid JSON", std::nullopt;
    if (!j.is_object()) return error = "request is not a JSON object", std::nullopt;
    request_message r;
    if (auto id = j.find("id"); id != j.end()) r.id = *id;
    auto command = j.find("command");
    if (command == j.end() || !command->is_string()) return error = "request has no \"command\" string", std::nullopt;
    r.words = split_words(command->get<std::string>());
    if (auto args = j.find("args"); args != j.end() && !args->is_null() && !append_args(*args, r.words))
        return error = "\"args\" must be an array of strings or integers", std::nullopt;
    return r;
}

std::string make_request(std::int64_t id, std::string_view command, const std::vector<std::string>& args)
{
    return to_text(json{{"id", id}, {"command", command}, {"args", args}});
}

std::string make_ok_reply(const json& id, json data)
{
    return to_text(json{{"id", id}, {"status", "ok"}, {"data", std::move(data)}});
}

std::string make_error_reply(const json& id, std::string_view message)
{
    return to_text(json{{"id", id}, {"status", "error"}, {"error", message}});
}

std::optional<reply_message> parse_reply(std::string_view json_text, std::string& error)
{
    json j = json::parse(json_text, nullptr, false);
    auto status = j.is_object() ? j.find("status") : j.end();
    if (j.is_discarded() || !j.is_object() || status == j.end() || !status->is_string())
        return error = "malformed reply from the server", std::nullopt;
    reply_message r;
    r.ok = *status == "ok";
    if (r.ok) {
        r.data = j.value("data", json::object());
    } else {
        auto e = j.find("error");
        r.error = e != j.end() && e->is_string() ? e->get<std::string>() : "the server reported an error";
    }
    return r;
}

} // namespace forkhorn::control
