"""forkhorn's own HTTP/1.1 conformance cases: loading, sending over a socket, judging.

Python 3 standard library only. run_conformance.py starts the server and calls run_cases();
docs/conformance.md describes the case format and the judging rules.

A case (one entry of the "cases" list in cases/*.json):

  name       unique name
  why        the rule it checks (RFC 9110/9112 section, or the Gunicorn behaviour followed)
  send       what the client sends: a string (each character is one byte, U+0000..U+00FF) or a
             list of steps: strings, {"repeat": STRING, "times": N} (the string N times),
             {"await": "continue"} (wait for a 100 Continue before going on) or
             {"await": "response"} (the n-th such step waits until n responses arrived)
  half_close true: shut our side (EOF) once everything is sent (for incomplete messages)
  expect     "valid": every request answered 200 by the echo app, as in "responses"
             "invalid": the requests in "responses" (usually none) answered, then no 2xx: a
             4xx/501/505 or a close, and never the echo app's answer
  responses  what the echo app must report for each answered request, in order:
             {"method", "path", "query", "version", "headers": [[name, value]...], "body_b64"}
  status     (invalid) the statuses accepted for the rejection; default any 4xx, 501 or 505.
             A close without a response is always accepted.
  interim    (valid) the 1xx statuses that must arrive before the first final response
  after      "close": the server must close the connection after the last response by itself

Worker types without keep-alive (sync) answer "Connection: close" and close after the first
response: there only the first expected response is judged, and it must carry that header.
"""
import base64
import json
import os
import select
import socket
import time

OK_REJECTIONS = "a 4xx, 501 or 505"


class CaseError(Exception):
    """A case file that does not follow the format above."""


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------
def _bytes(text, where):
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        raise CaseError("%s: characters above U+00FF in %r" % (where, text[:40]))


def _plan(case):
    """The send steps as a list of (kind, value): ("bytes", b"...") or ("await", (what, n))."""
    steps = case["send"] if isinstance(case["send"], list) else [case["send"]]
    plan = []
    awaits = {"continue": 0, "response": 0}
    for step in steps:
        if isinstance(step, str):
            data = _bytes(step, case["name"])
        elif isinstance(step, dict) and "repeat" in step:
            data = _bytes(step["repeat"], case["name"]) * int(step["times"])
        elif isinstance(step, dict) and step.get("await") in ("continue", "response"):
            awaits[step["await"]] += 1  # the n-th await of its kind waits for n of them
            plan.append(("await", (step["await"], awaits[step["await"]])))
            continue
        else:
            raise CaseError("%s: unknown send step %r" % (case["name"], step))
        if plan and plan[-1][0] == "bytes":
            plan[-1] = ("bytes", plan[-1][1] + data)
        else:
            plan.append(("bytes", data))
    return plan


REQUIRED = ("name", "why", "send", "expect")
ECHO_KEYS = ("method", "path", "query", "version", "headers", "body_b64")


def _check(case, fname):
    for key in REQUIRED:
        if key not in case:
            raise CaseError("%s: a case without %r" % (fname, key))
    if case["expect"] not in ("valid", "invalid"):
        raise CaseError("%s: expect must be valid or invalid" % case["name"])
    if case["expect"] == "valid" and not case.get("responses"):
        raise CaseError("%s: a valid case needs responses" % case["name"])
    for r in case.get("responses", []):
        missing = [k for k in ECHO_KEYS if k not in r]
        if missing:
            raise CaseError("%s: response expectation without %s" % (case["name"], ", ".join(missing)))
        base64.b64decode(r["body_b64"], validate=True)
    case["plan"] = _plan(case)


def load_cases(directory):
    cases, names = [], set()
    for fname in sorted(os.listdir(directory)):
        if not fname.endswith(".json"):
            continue
        with open(os.path.join(directory, fname), encoding="utf-8") as f:
            data = json.load(f)
        for case in data["cases"]:
            _check(case, fname)
            if case["name"] in names:
                raise CaseError("duplicate case name %s" % case["name"])
            names.add(case["name"])
            case["file"] = fname
            cases.append(case)
    return cases


# --------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------
class Response:
    def __init__(self, status, headers):
        self.status = status
        self.headers = headers
        self.body = b""

    def values(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def brief(self):
        body = self.body[:100]
        return "%d %r%s" % (self.status, body, "..." if len(self.body) > 100 else "")


def _chunked(buf, pos, eof):
    """(body, end) of a chunked response body starting at pos, or None if incomplete."""
    body = b""
    while True:
        nl = buf.find(b"\r\n", pos)
        if nl < 0:
            break
        size = int(bytes(buf[pos:nl]).split(b";")[0], 16)
        if size == 0:
            end = buf.find(b"\r\n\r\n", nl)  # the empty line after the (usually absent) trailers
            if buf[nl:nl + 4] == b"\r\n\r\n":
                return body, nl + 4
            if end < 0:
                break
            return body, end + 4
        if len(buf) < nl + 2 + size + 2:
            break
        body += bytes(buf[nl + 2:nl + 2 + size])
        pos = nl + 2 + size + 2
    if eof:
        raise ValueError("response with a truncated chunked body")
    return None


def parse_response(buf, head_request, eof):
    """(Response, bytes used) for the response at the start of buf, or (None, 0) when more
    bytes are needed. Raises ValueError for bytes that are not an HTTP/1.x response."""
    if buf and not (bytes(buf[:7]).startswith(b"HTTP/1.") or b"HTTP/1.".startswith(bytes(buf[:7]))):
        raise ValueError("not an HTTP/1.x response: %r" % bytes(buf[:60]))
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if eof and buf:
            raise ValueError("truncated response head: %r" % bytes(buf[:80]))
        return None, 0
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or len(parts[1]) != 3 or not parts[1].isdigit():
        raise ValueError("bad status line %r" % lines[0][:80])
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError("bad response field line %r" % line[:80])
        headers.append((name, value.strip()))
    resp = Response(int(parts[1]), headers)
    pos = end + 4
    if resp.status < 200 or resp.status in (204, 304) or head_request:
        return resp, pos
    te = ",".join(resp.values("transfer-encoding")).lower()
    if "chunked" in te:
        got = _chunked(buf, pos, eof)
        if got is None:
            return None, 0
        resp.body, pos = got
        return resp, pos
    lengths = resp.values("content-length")
    if lengths:
        n = int(lengths[0])
        if len(buf) - pos < n:
            if eof:
                raise ValueError("response body truncated: %d of %d bytes" % (len(buf) - pos, n))
            return None, 0
        resp.body = bytes(buf[pos:pos + n])
        return resp, pos + n
    if not eof:
        return None, 0  # delimited by the close
    resp.body = bytes(buf[pos:])
    return resp, len(buf)


# --------------------------------------------------------------------------
# One case on one connection
# --------------------------------------------------------------------------
class Outcome:
    def __init__(self):
        self.interim = []      # 1xx statuses, in order
        self.finals = []       # final responses, in order
        self.interim_first = []  # 1xx statuses seen before the first final response
        self.closed = False    # the server closed (FIN or reset)
        self.reset = False
        self.timed_out = False
        self.parse_error = None
        self.leftover = b""
        self.send_error = None
        self.unsent = 0        # bytes of the plan never sent because the server had closed

    def ending(self):
        if self.timed_out:
            return "deadline passed with the connection still open"
        if self.reset:
            return "connection reset"
        if self.closed:
            return "connection closed"
        return "stopped"


def exchange(addr, plan, methods, finals_wanted, half_close, wait_for_close, timeout):
    """Runs `plan` on a new connection and reads responses.

    Stops when the server closes, or at the deadline. Once the plan is sent and
    `finals_wanted` final responses arrived, the client shuts its side (so a server that
    keeps the connection alive closes it) unless `wait_for_close`, where the server must
    close on its own. `methods` says which responses answer a HEAD (no body)."""
    out = Outcome()
    deadline = time.monotonic() + timeout
    sock = socket.create_connection(addr, timeout=timeout)
    sock.setblocking(False)
    steps = list(plan)
    pending = b""
    buf = bytearray()
    shut = False

    def arrived(what, n):
        if what == "continue":  # a final response (a refusal) ends the wait too
            return len(out.interim) >= n or bool(out.finals)
        return len(out.finals) >= n

    def parse(eof):
        while buf:
            head = len(out.finals) < len(methods) and methods[len(out.finals)] == "HEAD"
            try:
                resp, used = parse_response(buf, head, eof)
            except ValueError as e:
                out.parse_error = str(e)
                out.leftover = bytes(buf)
                del buf[:]
                return
            if resp is None:
                if eof:
                    out.leftover = bytes(buf)
                return
            del buf[:used]
            if resp.status < 200:
                out.interim.append(resp.status)
                if not out.finals:
                    out.interim_first.append(resp.status)
            else:
                out.finals.append(resp)

    try:
        while True:
            while not pending and steps and not out.closed:
                kind, value = steps[0]
                if kind == "bytes":
                    pending = value
                    steps.pop(0)
                    continue
                if not arrived(*value):
                    break
                steps.pop(0)
            sent_all = not pending and not steps
            if out.closed:
                out.unsent = len(pending) + sum(len(v) for k, v in steps if k == "bytes")
                break
            if sent_all and not shut and (half_close or (len(out.finals) >= finals_wanted and not wait_for_close)):
                try:
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                shut = True
            now = time.monotonic()
            if now >= deadline:
                out.timed_out = True
                break
            writable = [sock] if pending else []
            r, w, _ = select.select([sock], writable, [], deadline - now)
            if w:
                try:
                    n = sock.send(pending[:65536])
                    pending = pending[n:]
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as e:  # the server closed while we were still sending
                    out.send_error = str(e)
                    out.unsent = len(pending) + sum(len(v) for k, v in steps if k == "bytes")
                    pending, steps = b"", []
            if r:
                try:
                    data = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except ConnectionResetError:
                    out.reset = True
                    data = b""
                if data:
                    buf.extend(data)
                    parse(False)
                else:
                    out.closed = True
                    parse(True)
    finally:
        sock.close()
    return out


# --------------------------------------------------------------------------
# Judging
# --------------------------------------------------------------------------
def _clip(value, n=200):
    s = repr(value)
    return s if len(s) <= n else s[:n] + "..."


def compare_echo(exp, resp):
    """Differences between the echo app's answer and the expectation ([] when equal)."""
    if resp.status != 200:
        return ["status %d, expected 200 (%s)" % (resp.status, resp.brief())]
    if exp["method"] == "HEAD":
        return [] if not resp.body else ["a body in the answer to HEAD"]
    try:
        got = json.loads(resp.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ["200 but not the echo app's JSON: %r" % resp.body[:100]]
    diffs = []
    for key in ("method", "path", "query", "version"):
        if got.get(key) != exp[key]:
            diffs.append("%s %s, expected %s" % (key, _clip(got.get(key)), _clip(exp[key])))
    headers = [list(h) for h in got.get("headers", [])]
    if headers != exp["headers"]:
        diffs.append("headers %s, expected %s" % (_clip(headers, 400), _clip(exp["headers"], 400)))
    body = base64.b64decode(got.get("body_b64", ""))
    want = base64.b64decode(exp["body_b64"])
    if body != want:
        diffs.append("body %s, expected %s" % (_clip(body), _clip(want)))
    return diffs


def _is_echo(resp):
    try:
        got = json.loads(resp.body.decode("utf-8"))
        return isinstance(got, dict) and "method" in got and "headers" in got
    except (ValueError, UnicodeDecodeError):
        return False


def _answered(expected, out, keep_alive):
    """Checks the expected answers; returns a problem or None."""
    for i, exp in enumerate(expected):
        if i >= len(out.finals):
            why = out.parse_error or out.ending()
            return "request %d (%s %s): no response (%s)" % (i + 1, exp["method"], exp["path"][:60], why)
        diffs = compare_echo(exp, out.finals[i])
        if diffs:
            return "request %d (%s %s): %s" % (i + 1, exp["method"], exp["path"][:60], "; ".join(diffs))
        if not keep_alive and "close" not in ",".join(out.finals[i].values("connection")).lower():
            return "request %d: no Connection: close from a worker without keep-alive" % (i + 1)
    return None


def judge(case, out, keep_alive):
    """(passed, reason)."""
    expected = case.get("responses", [])
    if not keep_alive:
        expected = expected[:1]  # the server closes after the first response
    problem = _answered(expected, out, keep_alive)
    if problem:
        return False, problem
    rest = out.finals[len(expected):]
    note = "%d response(s)" % len(expected)
    if len(expected) < len(case.get("responses", [])):
        note += ", then closed (no keep-alive)"
    if case["expect"] == "valid":
        if "interim" in case and out.interim_first != case["interim"]:
            return False, "interim responses %s, expected %s" % (out.interim_first, case["interim"])
        if rest:
            return False, "unexpected extra response(s): %s" % ", ".join(r.brief() for r in rest)
    else:
        if any(200 <= r.status < 300 or _is_echo(r) for r in rest):
            return False, "accepted: %s" % ", ".join(r.brief() for r in rest)
        if rest:
            allowed = case.get("status")
            status = rest[0].status
            fine = status in allowed if allowed else (400 <= status < 500 or status in (501, 505))
            if not fine:
                return False, "rejected with %d, expected %s" % (status, allowed or OK_REJECTIONS)
            if len(rest) > 1:
                return False, "responses after the rejection: %s" % ", ".join(r.brief() for r in rest[1:])
            note = "rejected %d" % status
        else:
            note = "closed without a response"
    if out.parse_error:
        return False, "unparseable response bytes: %s" % out.parse_error
    if out.leftover:
        return False, "unparsed bytes after the responses: %s" % _clip(out.leftover, 100)
    if not out.closed:
        if case["expect"] == "invalid" and len(out.finals) == len(expected):
            return False, "no response and no close (%s)" % out.ending()
        if case.get("after") == "close" or case["expect"] == "invalid" or not keep_alive:
            return False, "the server did not close the connection (%s)" % out.ending()
        return False, "the server did not close the connection after our EOF (%s)" % out.ending()
    return True, note


def run_case(case, addr, keep_alive, timeout):
    expected = case.get("responses", [])
    methods = [r["method"] for r in expected]
    wanted = len(expected) if keep_alive else min(1, len(expected))
    if case["expect"] == "invalid":
        wanted += 1
    wait_for_close = case.get("after") == "close" or case["expect"] == "invalid" or not keep_alive
    out = exchange(addr, case["plan"], methods, wanted, case.get("half_close", False), wait_for_close, timeout)
    return judge(case, out, keep_alive)


def load_name_list(path):
    """{name: comment} from a file of "name  # comment" lines."""
    names = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, _, comment = line.partition("#")
            if name.strip():
                names[name.strip()] = comment.strip()
    return names


def run_cases(cases, addr, keep_alive, timeout, known_failures=None, log=print, verbose=False):
    """Runs the cases one after the other and prints PASS/FAIL lines (PASS lines with what was
    seen when verbose). A failing case named in known_failures prints XFAIL and does not
    count; a passing one is a FAIL, so the list cannot go stale. Returns the failure count."""
    known_failures = known_failures or {}
    unknown = set(known_failures) - {c["name"] for c in cases}
    failed = passed = xfailed = 0
    for name in sorted(unknown):
        failed += 1
        log("FAIL %s: listed as a known failure but there is no such case" % name)
    for case in cases:
        try:
            ok, reason = run_case(case, addr, keep_alive, timeout)
        except OSError as e:
            ok, reason = False, "socket error: %s" % e
        known = case["name"] in known_failures
        if ok and known:
            failed += 1
            log("FAIL %s: listed as a known failure but passes (%s); remove it from the list"
                % (case["name"], reason))
        elif ok:
            passed += 1
            log("PASS %s%s" % (case["name"], ": " + reason if verbose else ""))
        elif known:
            xfailed += 1
            log("XFAIL %s: %s [known: %s]" % (case["name"], reason, known_failures[case["name"]]))
        else:
            failed += 1
            log("FAIL %s: %s" % (case["name"], reason))
    log("%d passed, %d failed, %d known failures" % (passed, failed, xfailed))
    return failed
