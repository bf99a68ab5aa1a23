// The request head parser: finds and validates lines incrementally, then builds the head.
//
// Every line is validated once, when its LF arrives, and checks always run in the same order
// (size limits before syntax). A partial line is only refused when every possible completion
// of it would be refused with the same status, so feeding the bytes in pieces gives exactly
// the result of feeding them at once.
#include "http/parser.hpp"

#include <algorithm>
#include <limits>

#include "http/detail.hpp"

namespace forkhorn::http {

namespace {

constexpr std::size_t default_line_limit = 8190;
constexpr std::size_t max_field_count = 32768;

parse_result fail(int status, std::string_view reason) noexcept { return {parse_status::error, 0, status, reason}; }

parse_result fail(detail::verdict v) noexcept { return fail(v.status, v.reason); }

constexpr parse_result need_more{};

bool is_empty_line(std::string_view input, std::size_t at, std::size_t lf) noexcept
{
    return lf == at + 1 && input[at] == '\r';
}

bool has_crlf_end(std::string_view input, std::size_t at, std::size_t lf) noexcept
{
    return lf > at && input[lf - 1] == '\r';
}

} // namespace

parser_limits detail::normalize(parser_limits limits) noexcept
{
    if (limits.request_line == 0) limits.request_line = default_line_limit;
    if (limits.fields == 0 || limits.fields > max_field_count) limits.fields = max_field_count;
    if (limits.field_size == 0) limits.field_size = default_line_limit;
    return limits;
}

bool request_head::find(std::string_view name, std::string_view& value) const noexcept
{
    for (const header_field& h : headers) {
        if (detail::iequals(h.name, name)) {
            value = h.value;
            return true;
        }
    }
    value = {};
    return false;
}

request_parser::request_parser(parser_limits limits) : limits_(detail::normalize(limits))
{
    // Reserve once so that ordinary requests never make the vectors grow.
    const std::size_t expected = std::min<std::size_t>(limits_.fields, 128);
    fields_.reserve(expected);
    spans_.reserve(expected);
}

void request_parser::reset() noexcept
{
    spans_.clear();
    line_start_ = scanned_ = 0;
    request_line_at_ = request_line_len_ = fields_at_ = field_count_ = 0;
    have_request_line_ = complete_ = false;
}

parse_result request_parser::parse_head(std::string_view input, request_head& out)
{
    if (input.size() < scanned_) reset(); // not the same bytes again: start over
    parse_result r = scan(input);
    if (r.status == parse_status::done) r = finish(input, out);
    if (r.status != parse_status::need_more) reset();
    return r;
}

parse_result request_parser::scan(std::string_view input)
{
    while (!complete_) {
        const std::size_t lf = input.find('\n', scanned_);
        if (lf == std::string_view::npos) {
            scanned_ = input.size();
            return check_partial_line(input);
        }
        const parse_result r = take_line(input, lf);
        if (r.status == parse_status::error) return r;
        line_start_ = scanned_ = lf + 1;
    }
    return {parse_status::done, line_start_, 0, {}};
}

// Refuses an unfinished line only when its length already exceeds a limit, or when it would
// be one field too many whatever follows.
parse_result request_parser::check_partial_line(std::string_view input) const
{
    if (!have_request_line_) {
        if (!input.empty() && input.size() - 1 > limits_.request_line) {
            return fail(414, "request line too long");
        }
        return need_more;
    }
    if (input.size() - fields_at_ >= head_cap()) return fail(431, "header block too large");
    const std::size_t avail = input.size() - line_start_;
    if (avail == 0 || (avail == 1 && input[line_start_] == '\r')) return need_more;
    if (field_count_ >= limits_.fields) return fail(431, "too many header fields");
    if (avail >= limits_.field_size) return fail(431, "header field line too long");
    return need_more;
}

// The take_* steps answer need_more for "line accepted, go on" and error to stop.
parse_result request_parser::take_line(std::string_view input, std::size_t lf)
{
    if (!have_request_line_) return take_request_line(input, lf);
    return take_field_line(input, lf);
}

// Empty lines before the request line are skipped (RFC 9112 §2.2) but count, with the request
// line, against limits.request_line, so a peer cannot keep the parser busy with them.
parse_result request_parser::take_request_line(std::string_view input, std::size_t lf)
{
    if (lf > 0 && lf - 1 > limits_.request_line) return fail(414, "request line too long");
    if (!has_crlf_end(input, line_start_, lf)) return fail(400, "request line not ended by CRLF");
    const std::string_view line = input.substr(line_start_, lf - 1 - line_start_);
    if (line.empty()) return need_more; // a leading empty line
    request_head scratch;
    const detail::verdict v = detail::parse_request_line(line, scratch);
    if (v.failed()) return fail(v);
    have_request_line_ = true;
    request_line_at_ = line_start_;
    request_line_len_ = line.size();
    fields_at_ = lf + 1;
    return need_more;
}

parse_result request_parser::take_field_line(std::string_view input, std::size_t lf)
{
    const std::size_t len = lf + 1 - line_start_;
    if (lf + 1 - fields_at_ > head_cap()) return fail(431, "header block too large");
    if (is_empty_line(input, line_start_, lf)) {
        complete_ = true;
        return need_more;
    }
    if (field_count_ >= limits_.fields) return fail(431, "too many header fields");
    if (len > limits_.field_size) return fail(431, "header field line too long");
    // RFC 9112 §2.2 lets a recipient accept a bare LF; strict parsing refuses it because
    // a proxy that does not could see a different message.
    if (!has_crlf_end(input, line_start_, lf)) return fail(400, "header line not ended by CRLF");
    ++field_count_;
    header_field f;
    const detail::verdict v = detail::parse_field_line(input.substr(line_start_, len - 2), f);
    if (v.failed()) return fail(v);
    return keep_field(input, f);
}

// Gunicorn's header_map: '_' and '-' look alike to CGI-style consumers, so by default such
// names are dropped (they still counted against limits.fields).
parse_result request_parser::keep_field(std::string_view input, const header_field& f)
{
    if (f.name.find('_') != std::string_view::npos) {
        if (limits_.header_map == header_map_policy::refuse) return fail(400, "underscore in header name");
        if (limits_.header_map == header_map_policy::drop) return need_more;
    }
    const auto at = [&](std::string_view s) { return static_cast<std::size_t>(s.data() - input.data()); };
    spans_.push_back({at(f.name), f.name.size(), at(f.value), f.value.size()});
    return need_more;
}

parse_result request_parser::finish(std::string_view input, request_head& out)
{
    out = request_head{};
    (void)detail::parse_request_line(input.substr(request_line_at_, request_line_len_), out);
    fields_.clear();
    for (const field_span& s : spans_) {
        fields_.push_back({input.substr(s.name_at, s.name_len), input.substr(s.value_at, s.value_len)});
    }
    out.headers = fields_;
    const detail::verdict v = detail::apply_head_semantics(out);
    if (v.failed()) return fail(v);
    return {parse_status::done, line_start_, 0, {}};
}

// Gunicorn's "max buffer headers": fields * (field_size + 2) + 4 bytes after the request line.
std::size_t request_parser::head_cap() const noexcept
{
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
    if (limits_.field_size > (max - 4) / limits_.fields - 2) return max;
    return limits_.fields * (limits_.field_size + 2) + 4;
}

} // namespace forkhorn::http
