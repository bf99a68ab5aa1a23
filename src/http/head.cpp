// What the fields of a complete head mean: Host, message framing, persistence, Expect.
#include <limits>

#include "http/detail.hpp"

namespace forkhorn::http::detail {

namespace {

struct head_facts {
    int hosts = 0;
    int content_types = 0;
    int lengths = 0;
    std::uint64_t length = 0;
    bool transfer_encoding = false;
    bool chunked = false;    // "chunked" seen; nothing may follow it
    bool compressed = false; // gzip, deflate... before chunked
    bool close = false;
    bool keep_alive = false;
    bool expect_continue = false;
    bool expect_other = false;
};

// RFC 9110 §8.6: Content-Length = 1*DIGIT. A sign, a list ("3, 3"), inner spaces or a value
// that does not fit 64 bits are all refused.
verdict parse_content_length(std::string_view v, std::uint64_t& n) noexcept
{
    if (v.empty()) return {400, "invalid Content-Length"};
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return {400, "invalid Content-Length"};
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (n > (max - digit) / 10) return {400, "Content-Length overflow"};
        n = n * 10 + digit;
    }
    return ok;
}

/// Calls `each` with every element of a comma-separated list (RFC 9110 §5.6.1), OWS trimmed.
template <class F>
void for_each_element(std::string_view list, F&& each)
{
    while (true) {
        const std::size_t comma = list.find(',');
        each(trim_ows(list.substr(0, comma)));
        if (comma == std::string_view::npos) return;
        list.remove_prefix(comma + 1);
    }
}

bool is_compression(std::string_view coding) noexcept
{
    return iequals(coding, "gzip") || iequals(coding, "x-gzip") || iequals(coding, "deflate") ||
           iequals(coding, "compress");
}

// RFC 9112 §6.1 and §7: the codings apply in order and chunked must be the last one, once.
// Compression codings before chunked are passed to the app still coded (Gunicorn's choice,
// corpus valid_rfc9112_smuggle_gzip_chunked_01); "identity" before chunked is ignored (corpus
// valid_029). An empty element is refused rather than skipped: framing lists must be exact.
verdict add_coding(std::string_view coding, head_facts& f) noexcept
{
    if (coding.empty()) return {400, "empty Transfer-Encoding element"};
    const bool chunked = iequals(coding, "chunked");
    const bool compressed = is_compression(coding);
    if (!chunked && !compressed && !iequals(coding, "identity")) {
        return {501, "unsupported transfer coding"}; // RFC 9112 §6.1: SHOULD answer 501
    }
    if (f.chunked) return {400, "chunked is not the last transfer coding"};
    f.chunked = chunked;
    f.compressed = f.compressed || compressed;
    return ok;
}

verdict add_transfer_codings(std::string_view value, head_facts& f) noexcept
{
    f.transfer_encoding = true;
    verdict result = ok;
    for_each_element(value, [&](std::string_view coding) {
        if (!result.failed()) result = add_coding(coding, f);
    });
    return result;
}

// RFC 9110 §7.6.1: Connection is a list of options; only close and keep-alive matter here.
void add_connection_options(std::string_view value, head_facts& f) noexcept
{
    for_each_element(value, [&](std::string_view option) {
        f.close = f.close || iequals(option, "close");
        f.keep_alive = f.keep_alive || iequals(option, "keep-alive");
    });
}

verdict note_field(const header_field& h, head_facts& f) noexcept
{
    if (iequals(h.name, "host")) {
        // RFC 9112 §3.2: more than one Host, or an invalid one, is a 400.
        if (++f.hosts > 1) return {400, "duplicate Host"};
        if (!valid_host_port(h.value, false, false)) return {400, "invalid Host"};
    } else if (iequals(h.name, "content-length")) {
        // Gunicorn refuses repeated Content-Length even with equal values (RFC 9112 §6.3
        // allows either): one length per message leaves nothing to interpret.
        if (++f.lengths > 1) return {400, "duplicate Content-Length"};
        return parse_content_length(h.value, f.length);
    } else if (iequals(h.name, "transfer-encoding")) {
        return add_transfer_codings(h.value, f);
    } else if (iequals(h.name, "connection")) {
        add_connection_options(h.value, f);
    } else if (iequals(h.name, "expect")) {
        const bool cont = iequals(h.value, "100-continue");
        f.expect_continue = f.expect_continue || cont;
        f.expect_other = f.expect_other || !cont;
    } else if (iequals(h.name, "content-type")) {
        if (++f.content_types > 1) return {400, "duplicate Content-Type"}; // Gunicorn 26.1
    }
    return ok;
}

// RFC 9112 §6.1 and §6.3: a request whose framing two parties could read differently is
// refused instead of guessed.
verdict check_framing(const head_facts& f, request_head& head) noexcept
{
    if (f.transfer_encoding) {
        if (head.version_minor == 0) return {400, "Transfer-Encoding in HTTP/1.0"};
        if (f.lengths > 0) return {400, "Content-Length with Transfer-Encoding"};
        if (!f.chunked) return {400, "chunked is not the last transfer coding"};
        head.framing = body_framing::chunked;
    } else if (f.lengths > 0) {
        head.framing = body_framing::content_length;
        head.content_length = f.length;
    }
    return ok;
}

// RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive". A coded
// body forces a close, as in Gunicorn, since the app may not read it to the end.
void set_persistence(const head_facts& f, request_head& head) noexcept
{
    head.keep_alive = head.version_minor >= 1 ? !f.close : (f.keep_alive && !f.close);
    if (f.compressed) head.keep_alive = false;
}

} // namespace

verdict apply_head_semantics(request_head& head) noexcept
{
    head_facts f;
    for (const header_field& h : head.headers) {
        const verdict v = note_field(h, f);
        if (v.failed()) return v;
    }
    const verdict v = check_framing(f, head);
    if (v.failed()) return v;
    if (head.version_minor >= 1 && f.hosts == 0) return {400, "missing Host"}; // RFC 9112 §3.2
    set_persistence(f, head);
    // RFC 9110 §10.1.1: an expectation the server cannot meet gets 417. HTTP/1.0 recipients
    // ignore Expect.
    if (head.version_minor >= 1) {
        if (f.expect_other) return {417, "unsupported expectation"};
        head.expect_continue = f.expect_continue;
    }
    return ok;
}

} // namespace forkhorn::http::detail
