// The control socket's wire format, as pure code: frames (4-byte big-endian length + JSON) and
// the request and reply messages. No sockets here, so every byte sequence can be unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace forkhorn::control {

/// Largest JSON payload accepted in either direction. Gunicorn allows 16 MiB; nothing we send
/// comes near 1 MiB, and a smaller cap bounds what a bad client can make the arbiter buffer.
inline constexpr std::size_t max_frame_size = std::size_t{1} << 20;
inline constexpr std::size_t frame_header_size = 4;

/// The length prefix and `payload`; nullopt when `payload` exceeds max_frame_size.
std::optional<std::string> encode_frame(std::string_view payload);

enum class frame_status : std::uint8_t {
    complete,  // a frame was taken
    need_more, // the buffered bytes do not hold a whole frame yet
    too_long   // the header announces more than max_frame_size: the stream is unusable
};

/// Splits a byte stream into frames. The caller feeds what it read and takes frames out;
/// a frame announced as too long is refused from its header, before its body is buffered.
class frame_decoder {
public:
    void feed(std::string_view bytes);
    frame_status next(std::string& payload);
    /// Bytes held back for an incomplete frame; non-zero at the end of the stream means the
    /// peer sent a truncated frame.
    std::size_t pending() const { return buffer_.size(); }

private:
    std::string buffer_;
};

/// A decoded request: the command words (from "command" split on blanks, then "args").
struct request_message {
    nlohmann::json id; // echoed in the reply, whatever its type; null if absent
    std::vector<std::string> words;
};

/// Parses a request; nullopt with `error` set if it is not a JSON object with a string
/// "command" and an optional array "args" of strings or numbers.
std::optional<request_message> parse_request(std::string_view json_text, std::string& error);

std::string make_request(std::int64_t id, std::string_view command, const std::vector<std::string>& args);
std::string make_ok_reply(const nlohmann::json& id, nlohmann::json data);
std::string make_error_reply(const nlohmann::json& id, std::string_view message);

/// A decoded reply: `data` when ok, `error` otherwise.
struct reply_message {
    bool ok = false;
    nlohmann::json data;
    std::string error;
};

/// Parses a reply; nullopt with `error` set when it is not a well-formed reply.
std::optional<reply_message> parse_reply(std::string_view json_text, std::string& error);

/// Splits `text` on blanks (spaces and tabs); empty words are dropped.
std::vector<std::string> split_words(std::string_view text);

} // namespace forkhorn::control
