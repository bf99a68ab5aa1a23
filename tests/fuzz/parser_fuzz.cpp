// libFuzzer target for the request parser and the body decoder.
//
// Each input is parsed as a connection would see it, pipelined requests and bodies included,
// first all at once, then in two reads split at an offset taken from the data, then (for
// small inputs) one byte at a time. The outcomes must be identical: the parser is a function
// of the bytes, not of how they arrive. Any difference aborts, and so does a view that points
// outside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/parser.hpp"
#include "http_test_support.hpp"

namespace {

using namespace forkhorn::http;
using namespace forkhorn::http::test;

// The first byte picks the limits, so that tiny limits (414, 431, long chunk lines) are
// reached as often as the defaults.
parser_limits pick_limits(std::string_view data)
{
    parser_limits limits;
    if (!data.empty() && (static_cast<unsigned char>(data[0]) & 1) != 0) {
        limits.request_line = 40;
        limits.fields = 4;
        limits.field_size = 24;
    }
    if (!data.empty() && (static_cast<unsigned char>(data[0]) & 2) != 0) {
        limits.header_map = header_map_policy::keep;
    }
    return limits;
}

bool inside(std::string_view part, std::string_view whole)
{
    const auto* begin = whole.data();
    return part.empty() || (part.data() >= begin && part.data() + part.size() <= begin + whole.size());
}

// Single-call checks: every view points into the input and consumed never exceeds it.
void check_views(std::string_view data, const parser_limits& limits)
{
    request_parser parser(limits);
    request_head head;
    const parse_result r = parser.parse_head(data, head);
    if (r.consumed > data.size()) std::abort();
    if (r.status != parse_status::done) return;
    for (std::string_view v : {head.method, head.target, head.query, head.fragment}) {
        if (!inside(v, data)) std::abort();
    }
    for (const header_field& f : head.headers) {
        if (!inside(f.name, data) || !inside(f.value, data)) std::abort();
    }
    body_decoder decoder(limits);
    decoder.start(head);
    const body_result b = decoder.decode(data.substr(r.consumed));
    if (b.consumed > data.size() - r.consumed || !inside(b.data, data)) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
    const std::string_view data(reinterpret_cast<const char*>(bytes), size);
    const parser_limits limits = pick_limits(data);
    check_views(data, limits);
    const stream_outcome whole = run_stream(data, 0, limits);
    if (size > 1) {
        const std::size_t cut = 1 + (static_cast<unsigned char>(data[size - 1]) * 257u + size) % (size - 1);
        if (!(run_split_stream(data, cut, limits) == whole)) std::abort();
    }
    if (size <= 2048 && !(run_stream(data, 1, limits) == whole)) std::abort();
    return 0;
}
