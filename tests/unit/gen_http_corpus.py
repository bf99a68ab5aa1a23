# Generates tests/unit/http_corpus.hpp from the shared conformance corpus, by hand:
#   python3 tests/unit/gen_http_corpus.py ../shared/conformance/corpus > tests/unit/http_corpus.hpp
import json, glob, base64, os, sys

OVERRIDES = {  # forkhorn's outcome where it differs from Gunicorn's status
    'invalid_006': 414,          # request line over the limit -> 414 (Gunicorn WSGI: 400)
    'invalid_version_02': 505,   # well-formed HTTP/2.0 -> 505 (Gunicorn: 400)
    'invalid_rfc9110_trailer_forbidden_host_01': -1,  # found by the body decoder
    'valid_019': 400,            # its second request is a Host-less HTTP/1.1 one
    'valid_099': -2,             # the body is shorter than its Content-Length
}

def hostless_http11(raw):
    head = raw.split(b'\r\n\r\n', 1)[0].lower()
    return head.split(b'\r\n', 1)[0].endswith(b'http/1.1') and b'\r\nhost:' not in head

def lit(b):
    out = []
    line = ''
    for byte in b:
        c = chr(byte)
        if c == '"': s = '\\"'
        elif c == '\\': s = '\\\\'
        elif c == '?': s = '?'
        elif 0x20 <= byte < 0x7f: s = c
        elif c == '\r': s = '\\r'
        elif c == '\n': s = '\\n'
        elif c == '\t': s = '\\t'
        else: s = '\\%03o' % byte
        line += s
        if len(line) >= 90 or c == '\n':
            out.append(line); line = ''
    if line or not out: out.append(line)
    if len(out) == 1:
        return '"%s"sv' % out[0]
    return '\n        '.join('"%s"' % l for l in out[:-1]) + '\n        "%s"sv' % out[-1]

def slit(s):
    return lit(s.encode('latin-1') if isinstance(s, str) else s)

cases = []
for f in sorted(glob.glob(sys.argv[1] + '/*.json')):
    d = json.load(open(f))
    raw = base64.b64decode(d['raw_b64'])
    reqs = d.get('requests', [])
    err = 0
    if d['expect'] == 'invalid':
        st = OVERRIDES.get(d['name'], d.get('status'))
        err = st if st is not None else -1
        if err == -1 and d['name'] not in OVERRIDES and hostless_http11(raw):
            err = 400  # the missing Host is found before the body is read
    elif d['name'] in OVERRIDES:
        err = OVERRIDES[d['name']]
    else:
        for i, r in enumerate(reqs):
            if tuple(r['version']) >= (1, 1) and not any(n.lower() == 'host' for n, _ in r['headers']):
                reqs = reqs[:i]; err = 400; break
    body = []
    body.append('    {"%s"sv,\n        %s,\n        %d,\n        {' % (d['name'], lit(raw), err))
    for r in reqs:
        hs = ', '.join('{%s, %s}' % (slit(n), slit(v)) for n, v in r['headers'])
        b = base64.b64decode(r['body_b64'])
        body.append('            {%s, %s, %s, %s, %s, %d,\n                {%s},\n                %s},' % (
            slit(r['method']), slit(r['target']), slit(r['path']),
            slit(r['query']), slit(r['fragment']), r['version'][1], hs, lit(b)))
    body.append('        }},')
    cases.append('\n'.join(body))

print('''// Test vectors converted from the conformance corpus (../shared/conformance/corpus, itself
// converted from Gunicorn's tests/requests): the exact request bytes and what forkhorn's parser
// must make of them. Generated once by hand; edit the expectations here, with a reason.
//
// `error`: 0 = every request valid; 400/414/431/501/505... = parse_head must fail with it
// after the listed requests; -1 = the body decoder must fail (bad chunked framing or
// trailer); -2 = the input ends inside the last listed body (valid_099: its Content-Length
// is larger than the body the corpus sends). HTTP/1.1 requests without Host end the list
// with 400 (RFC 9112 §3.2, "--host-policy strict"). Two statuses differ from Gunicorn's on
// purpose: invalid_006 (414 for a long request line) and invalid_version_02 (505).
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace forkhorn::http::test {

using namespace std::string_view_literals;

struct corpus_request {
    std::string_view method, target, path, query, fragment;
    int version_minor;
    std::vector<std::pair<std::string_view, std::string_view>> headers; // names upper-cased
    std::string_view body;
};

struct corpus_case {
    std::string_view name;
    std::string_view raw;
    int error;
    std::vector<corpus_request> requests;
};

inline const std::vector<corpus_case>& corpus_cases() {
    static const std::vector<corpus_case> cases{''')
print('\n'.join(cases))
print('''    };
    return cases;
}

} // namespace forkhorn::http::test''')
