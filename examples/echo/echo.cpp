// The echo app (design §6): answers every request with a JSON description of the request as the
// server parsed it. The conformance runner judges the server through it.
#include <forkhorn/app.hpp>

#include <cstdio>
#include <string>

namespace {

// Strings carry raw bytes as ISO-8859-1 code points (byte 0xE9 -> "\u00e9").
void append_json_string(std::string& out, std::string_view text)
{
    out += '"';
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

std::string base64(std::string_view data)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                     static_cast<unsigned char>(data[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 63];
    }
    if (i < data.size()) {
        unsigned v = static_cast<unsigned char>(data[i]) << 16;
        if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += i + 1 < data.size() ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

void field(std::string& out, std::string_view name, std::string_view value)
{
    append_json_string(out, name);
    out += ": ";
    append_json_string(out, value);
    out += ", ";
}

std::string describe(forkhorn::request& req)
{
    std::string out = "{";
    field(out, "method", req.method());
    field(out, "target", req.target());
    field(out, "path", req.path());
    field(out, "query", req.query());
    field(out, "version", req.version());
    field(out, "scheme", req.scheme());
    if (!req.tls(FH_TLS_PROTOCOL).empty()) {
        field(out, "tls_protocol", req.tls(FH_TLS_PROTOCOL));
        field(out, "tls_cipher", req.tls(FH_TLS_CIPHER));
        field(out, "tls_alpn", req.tls(FH_TLS_ALPN));
        field(out, "tls_client", req.tls(FH_TLS_PEER_SUBJECT));
    }
    out += "\"headers\": [";
    for (std::size_t i = 0; i < req.header_count(); ++i) {
        auto [name, value] = req.header_at(i);
        out += i ? ", [" : "[";
        append_json_string(out, name);
        out += ", ";
        append_json_string(out, value);
        out += "]";
    }
    out += "], \"body_b64\": \"" + base64(req.body()) + "\"}";
    return out;
}

} // namespace

FORKHORN_APP(app, [](forkhorn::request& req, forkhorn::response& res) {
    std::string body = describe(req);
    res.header("Content-Type", "application/json");
    res.write(body);
})
