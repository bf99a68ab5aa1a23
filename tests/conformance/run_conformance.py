#!/usr/bin/env python3
"""Runs the shared HTTP/1.1 conformance corpus against forkhorn serving the echo app.

Usage: run_conformance.py FORKHORN_BIN ECHO_LIB [WORKER_CLASS [EMULATOR]]
(EMULATOR: how to run a cross-built binary, e.g. cmake/wine-run.sh for Windows.)

The corpus lives outside this repository (../shared/conformance next to the clone, or
$FORKHORN_CONFORMANCE_DIR). When it is absent the test is skipped with a visible message
(exit 77, CTest's SKIP_RETURN_CODE). Cases skipped on purpose are listed, with their reasons,
in skip.txt next to this script and explained in docs/conformance.md.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))


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


def wait_for_port(log_path, proc, deadline):
    pattern = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
    while time.monotonic() < deadline and proc.poll() is None:
        with open(log_path) as f:
            m = pattern.search(f.read())
        if m:
            return int(m.group(1))
        time.sleep(0.05)
    return None


def main():
    binary, echo = sys.argv[1], sys.argv[2]
    worker = sys.argv[3] if len(sys.argv) > 3 else "sync"
    emulator = sys.argv[4:5]
    corpus = corpus_dir()
    if corpus is None:
        print("SKIPPED: conformance corpus not found (../shared/conformance or $FORKHORN_CONFORMANCE_DIR)")
        return 77
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log, tempfile.TemporaryDirectory() as tmp:
        pidfile = os.path.join(tmp, "conformance.pid")
        server = subprocess.Popen(emulator + [binary, echo + ":app", "-b", "127.0.0.1:0", "-w", "2", "-k", worker,
                                   "--graceful-timeout", "5", "-p", pidfile, "--no-control-socket"],
                                  stdout=subprocess.DEVNULL, stderr=log)
        try:
            port = wait_for_port(log.name, server, time.monotonic() + 15)
            if port is None:
                print("forkhorn did not start:\n" + open(log.name).read())
                return 1
            cmd = [sys.executable, os.path.join(corpus, "run.py"), "--host", "127.0.0.1", "--port", str(port),
                   "--cases", os.path.join(corpus, "corpus"), "--host-policy", "strict"]
            if worker == "sync":
                cmd.append("--no-keepalive")
            skips = skipped_cases()
            if skips:
                cmd += ["--skip", ",".join(skips)]
            return subprocess.call(cmd)
        finally:
            if emulator:
                # wine does not forward SIGTERM to the Windows process: ask the arbiter itself.
                subprocess.call(emulator + [binary, "ctl", "--pid", pidfile, "term"])
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main())
