// Helpers for the HTTP core tests: run the parser and the body decoder over a byte stream the
// way a connection does, with the input arriving in pieces of any size.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/parser.hpp"

namespace forkhorn::http::test {

/// An owning copy of one parsed request and its decoded body.
struct parsed_request {
    std::string method, target, path, query, fragment;
    int version_minor = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    body_framing framing = body_framing::none;
    std::uint64_t content_length = 0;
    bool keep_alive = false;
    bool expect_continue = false;
    std::string body;

    bool operator==(const parsed_request&) const = default;
};

/// Everything a stream of bytes produced.
struct stream_outcome {
    std::vector<parsed_request> requests;
    int head_error = 0;      // parse_head's error_status, 0 if none
    bool body_error = false; // the decoder refused the body
    bool incomplete = false; // the input ended inside a head or a body (the partly read
                             // request is then the last one in `requests`)
    std::string leftover;    // unparsed bytes when the input ended without an error

    bool operator==(const stream_outcome&) const = default;
};

inline parsed_request copy_head(const request_head& h)
{
    parsed_request r{std::string(h.method),
                     std::string(h.target),
                     std::string(h.path),
                     std::string(h.query),
                     std::string(h.fragment),
                     h.version_minor,
                     {},
                     h.framing,
                     h.content_length,
                     h.keep_alive,
                     h.expect_continue,
                     {}};
    for (const header_field& f : h.headers) r.headers.emplace_back(f.name, f.value);
    return r;
}

/// Feeds `raw` into a buffer, `first` bytes then pieces of `step` bytes, consuming from its
/// front exactly what parse_head and decode report, as a connection would.
class stream_runner {
public:
    stream_runner(std::string_view raw, std::size_t step, parser_limits limits, std::size_t first = 0)
        : raw_(raw), step_(std::max<std::size_t>(step, 1)), next_(first == 0 ? step_ : first), parser_(limits),
          decoder_(limits)
    {
    }

    stream_outcome run()
    {
        while (!finished_) {
            if (in_body_)
                step_body();
            else
                step_head();
        }
        if (out_.head_error == 0 && !out_.body_error) out_.leftover = buffer_;
        return out_;
    }

private:
    bool feed()
    {
        if (fed_ == raw_.size()) return false;
        const std::size_t n = std::min(next_, raw_.size() - fed_);
        buffer_.append(raw_.substr(fed_, n));
        fed_ += n;
        next_ = step_;
        return true;
    }

    void step_head()
    {
        if (buffer_.empty() && fed_ == raw_.size()) {
            finished_ = true;
            return;
        }
        request_head head;
        const parse_result r = parser_.parse_head(buffer_, head);
        if (r.status == parse_status::need_more) {
            if (!feed()) finished_ = out_.incomplete = true;
            return;
        }
        if (r.status == parse_status::error) {
            out_.head_error = r.error_status;
            finished_ = true;
            return;
        }
        current_ = copy_head(head);
        buffer_.erase(0, r.consumed);
        decoder_.start(head);
        in_body_ = true;
    }

    void step_body()
    {
        const body_result r = decoder_.decode(buffer_);
        current_.body.append(r.data);
        buffer_.erase(0, r.consumed);
        if (r.status == body_status::error) {
            out_.body_error = finished_ = true;
        } else if (r.status == body_status::done) {
            out_.requests.push_back(std::move(current_));
            in_body_ = false;
        } else if (r.status == body_status::need_more && !feed()) {
            out_.requests.push_back(std::move(current_));
            finished_ = out_.incomplete = true;
        }
    }

    std::string_view raw_;
    std::size_t step_;
    std::size_t next_;
    std::size_t fed_ = 0;
    std::string buffer_;
    request_parser parser_;
    body_decoder decoder_;
    parsed_request current_;
    stream_outcome out_;
    bool in_body_ = false;
    bool finished_ = false;
};

/// Runs a whole stream given at once (step 0) or in pieces of `step` bytes.
inline stream_outcome run_stream(std::string_view raw, std::size_t step = 0, parser_limits limits = {})
{
    return stream_runner(raw, step == 0 ? raw.size() : step, limits).run();
}

/// Runs a stream given in two reads: the first `cut` bytes (0 < cut), then the rest.
inline stream_outcome run_split_stream(std::string_view raw, std::size_t cut, parser_limits limits = {})
{
    return stream_runner(raw, raw.size(), limits, cut).run();
}

/// The status of parse_head on `raw` with a fresh parser (0 when done, -1 when it needs more).
inline int head_status(std::string_view raw, parser_limits limits = {})
{
    request_parser parser(limits);
    request_head head;
    const parse_result r = parser.parse_head(raw, head);
    if (r.status == parse_status::need_more) return -1;
    return r.status == parse_status::done ? 0 : r.error_status;
}

} // namespace forkhorn::http::test
