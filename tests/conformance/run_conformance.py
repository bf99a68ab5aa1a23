#!/usr/bin/env python3
"""Runs HTTP/1.1 conformance cases against forkhorn serving the echo app.

Usage: run_conformance.py [--shared] [--tls] FORKHORN_BIN ECHO_LIB [WORKER_CLASS [EMULATOR]]
(EMULATOR: how to run a cross-built binary, e.g. cmake/wine-run.sh for Windows.)

Without --shared it runs the project's own cases (cases/*.json next to this script, judged by
http_cases.py); they are part of the repository, so this always runs. Prints PASS/FAIL per
case (XFAIL for the cases in known_failures.txt); exit status 1 if any failed.

With --shared it runs the team's external corpus instead (../shared/conformance next to the
clone, or $FORKHORN_CONFORMANCE_DIR) with that corpus's own runner. When it is absent the run
is skipped with a visible message (exit 77, CTest's SKIP_RETURN_CODE). Corpus cases skipped on
purpose are listed, with their reasons, in skip.txt next to this script.

With --tls the server speaks TLS (a certificate made at test time) and every case goes through a
cleartext-to-TLS relay (tls_relay.py), so the same cases check HTTP over TLS.

Either way the server is forkhorn itself: `forkhorn ECHO_LIB:app -b 127.0.0.1:0 -w 2 -k KIND`,
stopped with SIGTERM (under an emulator with `forkhorn ctl --pid PIDFILE term`, since wine
does not forward signals). $FORKHORN_CONFORMANCE_TIMEOUT sets the per-case deadline in seconds
(default 10, 30 under an emulator); $FORKHORN_CONFORMANCE_VERBOSE=1 adds what was seen to
the PASS lines.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import http_cases  # noqa: E402
import tls_relay  # noqa: E402

KEEP_ALIVE_WORKERS = ("gthread", "async", "uv")


def corpus_dir():
    candidates = [os.environ.get("FORKHORN_CONFORMANCE_DIR", ""),
                  os.path.join(SOURCE, "..", "shared", "conformance")]
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "run.py")):
            return os.path.abspath(c)
    return None


def skipped_cases():
    names = []
    with open(os.path.join(HERE, "skip.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def wait_for_log(log_path, proc, deadline, pattern, count=1):
    """The first match of pattern once it occurs `count` times in the server's log, or None
    when the server exits or the deadline passes first."""
    regex = re.compile(pattern)
    while time.monotonic() < deadline and proc.poll() is None:
        with open(log_path, errors="replace") as f:
            found = regex.findall(f.read())
        if len(found) >= count:
            return found[0]
        time.sleep(0.05)
    return None


def wait_until_serving(port, deadline):
    """True once a worker answers a request (the workers are slow to start under wine)."""
    request = b"GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=max(0.1, deadline - time.monotonic())) as s:
                s.sendall(request)
                status = b""
                while len(status) < 12:
                    data = s.recv(12 - len(status))
                    if not data:
                        break
                    status += data
                if status == b"HTTP/1.1 200":
                    return True
        except OSError:
            time.sleep(0.05)
    return False


def run_own_cases(port, worker, timeout):
    cases = http_cases.load_cases(os.path.join(HERE, "cases"))
    keep_alive = worker in KEEP_ALIVE_WORKERS
    print("# %d case(s), worker %s%s, deadline %gs per case" % (
        len(cases), worker, "" if keep_alive else " (no keep-alive: first response only)", timeout))
    sys.stdout.flush()
    known = http_cases.load_name_list(os.path.join(HERE, "known_failures.txt"))
    failed = http_cases.run_cases(cases, ("127.0.0.1", port), keep_alive, timeout, known,
                                  log=lambda line: print(line, flush=True),
                                  verbose=bool(os.environ.get("FORKHORN_CONFORMANCE_VERBOSE")))
    return 1 if failed else 0


def run_shared_corpus(corpus, port, worker):
    cmd = [sys.executable, os.path.join(corpus, "run.py"), "--host", "127.0.0.1", "--port", str(port),
           "--cases", os.path.join(corpus, "corpus"), "--host-policy", "strict"]
    if worker not in KEEP_ALIVE_WORKERS:
        cmd.append("--no-keepalive")
    skips = skipped_cases()
    if skips:
        cmd += ["--skip", ",".join(skips)]
    return subprocess.call(cmd)


def main(argv):
    shared = "--shared" in argv
    tls = "--tls" in argv
    args = [a for a in argv if a not in ("--shared", "--tls")]
    if len(args) < 2:
        print(__doc__)
        return 2
    binary, echo = args[0], args[1]
    worker = args[2] if len(args) > 2 else "sync"
    emulator = args[3:4]
    corpus = None
    if shared:
        corpus = corpus_dir()
        if corpus is None:
            print("SKIPPED: conformance corpus not found (../shared/conformance or $FORKHORN_CONFORMANCE_DIR)")
            return 77
    timeout = float(os.environ.get("FORKHORN_CONFORMANCE_TIMEOUT", 30 if emulator else 10))
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log, tempfile.TemporaryDirectory() as tmp:
        pidfile = os.path.join(tmp, "conformance.pid")
        tls_args = []
        if tls:
            cert, key = tls_relay.make_certificate(tmp)
            tls_args = ["--certfile", cert, "--keyfile", key]
        server = subprocess.Popen(emulator + [binary, echo + ":app", "-b", "127.0.0.1:0", "-w", "2", "-k", worker,
                                              "--graceful-timeout", "5", "-p", pidfile, "--no-control-socket"]
                                  + tls_args, stdout=subprocess.DEVNULL, stderr=log)
        relay = None
        try:
            start_deadline = time.monotonic() + (60 if emulator else 20)
            port = wait_for_log(log.name, server, start_deadline, r"Listening at: https?://127\.0\.0\.1:(\d+)")
            booted = port and wait_for_log(log.name, server, start_deadline, r"Booting worker", 2)
            if booted and tls:
                relay = tls_relay.Relay(("127.0.0.1", int(port)), cert)
                port = relay.port
            if not booted or not wait_until_serving(int(port), start_deadline):
                print("forkhorn did not start serving:\n" + open(log.name, errors="replace").read())
                return 1
            port = int(port)
            if shared:
                return run_shared_corpus(corpus, port, worker)
            return run_own_cases(port, worker, timeout)
        finally:
            if relay:
                relay.close()
            if emulator:
                # wine does not forward SIGTERM to the Windows process: ask the arbiter itself.
                subprocess.call(emulator + [binary, "ctl", "--pid", pidfile, "term"])
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
