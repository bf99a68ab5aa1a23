#!/usr/bin/env python3
"""forkhorn against nginx and Gunicorn, side by side on 127.0.0.1 (stdlib only).

Every server answers "Hello, World!" and is loaded by wrk, in alternating rounds, with:
  keepalive-50   50 keep-alive connections
  keepalive-500  500 keep-alive connections
  close-50       50 connections, `Connection: close` on every request
Reported per server and load (medians over the rounds): requests/s, p50/p99 latency, errors,
server CPU per request (utime+stime of the server's processes / requests), and the ratio to
nginx in the same run. Per server: PSS per worker when idle, and exec-to-first-200 time.
The servers run on CPU 0, wrk on CPU 1 (taskset), so they do not share a core.

  bench/bench.py --forkhorn out/release/forkhorn --hello out/release/examples/libhello.so

With --tls every server speaks TLS with the same certificate (ECDSA P-256, made for the run) and
protocols (TLS 1.2 and 1.3), and the loads are tls-keepalive-50 (requests on established
connections) and tls-close-50 (a new connection, so a full handshake, per request). nginx gets a
shared session cache so that, like forkhorn's arbiter-keyed tickets, it can resume on any worker.
Gunicorn is left out of the TLS run (its TLS is Python's ssl module in every worker).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")
SERVER_CPU, LOAD_CPU = "0", "1"
# Debian's python3-gunicorn lives with the system Python, whatever python3 runs this script.
GUNICORN_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

LOADS = {
    "keepalive-50": ["-c", "50"],
    "keepalive-500": ["-c", "500"],
    "close-50": ["-c", "50", "-H", "Connection: close"],
}

TLS_LOADS = {
    "tls-keepalive-50": ["-c", "50"],
    "tls-close-50": ["-c", "50", "-H", "Connection: close"],
}

NGINX_TLS = """listen 127.0.0.1:{port} ssl backlog=2048;
        ssl_certificate {cert}; ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3; ssl_prefer_server_ciphers on;
        ssl_session_cache shared:SSL:10m; ssl_session_tickets on;"""

NGINX_CONF = """
worker_processes 2;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir};
    uwsgi_temp_path {dir}; scgi_temp_path {dir};
    server {{
        {listen}
        location / {{ default_type text/plain; return 200 "Hello, World!\\n"; }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def servers(args, tmp):
    """name -> (argv builder taking a port, the number of worker processes)."""
    fh = [args.forkhorn, args.hello + ":app", "-w", "2", "--keep-alive", "30", "--no-control-socket",
          "--backlog", "2048", "--worker-connections", "4096"]
    if args.tls:
        fh += ["--certfile", args.tls[0], "--keyfile", args.tls[1]]
    gunicorn = [GUNICORN_PYTHON, "-m", "gunicorn", "--chdir", HERE, "--log-level", "warning", "--backlog", "2048"]
    table = {
        "nginx": (lambda p: ["nginx", "-c", write_nginx_conf(tmp, p)], 2),
        "gunicorn-sync": (lambda p: gunicorn + ["-w", "5", "-k", "sync", "-b", f"127.0.0.1:{p}", "hello_wsgi:app"], 5),
        "gunicorn-gthread": (lambda p: gunicorn + ["-w", "2", "--threads", "4", "-k", "gthread",
                                                    "-b", f"127.0.0.1:{p}", "hello_wsgi:app"], 2),
        "forkhorn-sync": (lambda p: fh + ["-k", "sync", "-b", f"127.0.0.1:{p}"], 2),
        "forkhorn-gthread": (lambda p: fh + ["-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{p}"], 2),
        "forkhorn-async": (lambda p: fh + ["-k", "async", "-b", f"127.0.0.1:{p}"], 2),
        "forkhorn-uv": (lambda p: fh + ["-k", "uv", "-b", f"127.0.0.1:{p}"], 2),
    }
    if args.tls:
        table = {k: v for k, v in table.items() if not k.startswith("gunicorn")}
        table["nginx"] = (lambda p: ["nginx", "-c", write_nginx_conf(tmp, p, args.tls)], 2)
    return {k: v for k, v in table.items() if not args.only or k in args.only.split(",")}


def write_nginx_conf(tmp, port, tls=None):
    path = os.path.join(tmp, "nginx.conf")
    listen = (NGINX_TLS.format(port=port, cert=tls[0], key=tls[1]) if tls
              else f"listen 127.0.0.1:{port} backlog=2048;")
    with open(path, "w") as f:
        f.write(NGINX_CONF.format(dir=tmp, listen=listen))
    return path


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def tree(pid):
    out = [pid]
    for c in children(pid):
        out += tree(c)
    return out


def cpu_ticks(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            m = re.search(r"^Pss:\s+(\d+) kB", f.read(), re.M)
            return int(m.group(1)) if m else None
    except OSError:
        return None


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


TLS_CLIENT = None  # an ssl.SSLContext while the run is a TLS one


def get_ok(port, timeout=0.5):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
            s = TLS_CLIENT.wrap_socket(raw, server_hostname="127.0.0.1") if TLS_CLIENT else raw
            s.sendall(b"GET / HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


class Server:
    def __init__(self, name, argv, workers, tmp):
        self.name, self.workers = name, workers
        self.log = open(os.path.join(tmp, name + ".log"), "w")
        self.start = time.monotonic()
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU] + argv, stdout=self.log, stderr=self.log,
                                     start_new_session=True)

    def wait_ready(self, port, limit=20.0):
        """Seconds from exec to the first 200 (polled every millisecond)."""
        deadline = self.start + limit
        while time.monotonic() < deadline:
            if get_ok(port, 0.2):
                return time.monotonic() - self.start
            if self.proc.poll() is not None:
                break
            time.sleep(0.001)
        raise RuntimeError(f"{self.name} did not answer; see its log")

    def worker_pids(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pids = [p for p in tree(self.proc.pid) if p != self.proc.pid]
            # gunicorn and forkhorn: the arbiter's children; nginx: the master's children
            if len(pids) >= self.workers:
                return pids
            time.sleep(0.05)
        return [p for p in tree(self.proc.pid) if p != self.proc.pid]

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            self.proc.wait()
        # The workers may outlive their master by a moment (Gunicorn's Python workers take tens
        # of milliseconds): the next server's exec-to-first-200 must not share the CPU with them.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)
        self.log.close()


def parse_wrk(text):
    def duration(v, unit):
        return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

    res = {"requests": 0, "rps": 0.0, "p50_ms": None, "p99_ms": None, "errors": 0}
    m = re.search(r"(\d+) requests in", text)
    res["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    res["rps"] = float(m.group(1)) if m else 0.0
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\b", text, re.M)
        if m:
            res[key] = duration(m.group(1), m.group(2))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        res["errors"] += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        res["errors"] += int(m.group(1))
    return res


def run_load(server, port, load, seconds):
    pids = tree(server.proc.pid)
    before = cpu_ticks(pids)
    scheme = "https" if load in TLS_LOADS else "http"
    out = subprocess.run(["taskset", "-c", LOAD_CPU, "wrk", "-t", "1", "-d", f"{seconds}s", "--latency",
                          "--timeout", "5s"] + {**LOADS, **TLS_LOADS}[load] + [f"{scheme}://127.0.0.1:{port}/"],
                         capture_output=True, text=True, check=False).stdout
    ticks = cpu_ticks(tree(server.proc.pid)) - before
    r = parse_wrk(out)
    r["cpu_us_per_request"] = ticks / CLK_TCK * 1e6 / r["requests"] if r["requests"] else None
    return r


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def benchmark(args):
    tmp = tempfile.mkdtemp(prefix="forkhorn-bench-")
    loads = LOADS
    if args.tls:
        global TLS_CLIENT
        args.tls = make_certificate(tmp)
        loads = TLS_LOADS
        TLS_CLIENT = ssl.create_default_context(cafile=args.tls[0])
    table = servers(args, tmp)
    rounds = {name: {load: [] for load in loads} for name in table}
    startup = {name: [] for name in table}
    pss = {name: [] for name in table}
    for rnd in range(args.rounds):
        for name, (argv, workers) in table.items():
            port = free_port()
            server = Server(name, argv(port), workers, tmp)
            try:
                startup[name].append(server.wait_ready(port) * 1000)
                time.sleep(0.5)  # let every worker finish booting before measuring memory
                pss[name].append(median([pss_kib(p) for p in server.worker_pids()]))
                for load in loads:
                    rounds[name][load].append(run_load(server, port, load, args.seconds))
                    print(f"round {rnd + 1}/{args.rounds} {name:17} {load:14} "
                          f"{rounds[name][load][-1]['rps']:>10.0f} req/s", flush=True)
            finally:
                server.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return summarize(table, rounds, startup, pss, args, loads)


def summarize(table, rounds, startup, pss, args, loads):
    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "rounds": args.rounds, "seconds": args.seconds,
              "cpus": {"server": SERVER_CPU, "wrk": LOAD_CPU}, "machine": os.uname().release, "servers": {}}
    for name in table:
        entry = {"exec_to_first_200_ms": median(startup[name]), "idle_worker_pss_kib": median(pss[name]),
                 "loads": {}}
        for load in loads:
            runs = rounds[name][load]
            entry["loads"][load] = {k: median([r[k] for r in runs])
                                    for k in ("rps", "p50_ms", "p99_ms", "cpu_us_per_request")}
            entry["loads"][load]["errors"] = sum(r["errors"] for r in runs)
        result["servers"][name] = entry
    base = result["servers"].get("nginx")
    for name, entry in result["servers"].items():
        for load, v in entry["loads"].items():
            b = base["loads"][load] if base else None
            v["rps_vs_nginx"] = v["rps"] / b["rps"] if b and b["rps"] else None
            v["p99_vs_nginx"] = v["p99_ms"] / b["p99_ms"] if b and b["p99_ms"] and v["p99_ms"] else None
            v["cpu_vs_nginx"] = (v["cpu_us_per_request"] / b["cpu_us_per_request"]
                                 if b and b["cpu_us_per_request"] and v["cpu_us_per_request"] else None)
    return result


def idle_connections(args, count=10000):
    """RSS growth of one async worker holding `count` idle keep-alive connections."""
    tmp = tempfile.mkdtemp(prefix="forkhorn-idle-")
    port = free_port()
    argv = [args.forkhorn, args.hello + ":app", "-w", "1", "-k", "async", "--keep-alive", "300",
            "--worker-connections", str(count + 100), "--no-control-socket", "--backlog", "4096",
            "-b", f"127.0.0.1:{port}"]
    server = Server("idle", argv, 1, tmp)
    conns = []
    try:
        server.wait_ready(port)
        worker = server.worker_pids()[0]
        before = rss_kib(worker)
        request = b"GET / HTTP/1.1\r\nHost: b\r\n\r\n"
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(request)
            conns.append(s)
        for s in conns:  # every connection served once, then idle
            s.settimeout(10)
            assert s.recv(256).startswith(b"HTTP/1.1 200")
        after = rss_kib(worker)
        # What an idle worker keeps: the burst's buffers go back to the pool and the system within
        # a few of the worker's ticks (it returns freed memory at most once a second).
        time.sleep(3)
        idle = rss_kib(worker)
        return {"connections": count, "worker_rss_before_kib": before, "worker_rss_after_burst_kib": after,
                "worker_rss_idle_kib": idle, "burst_growth_kib": after - before, "growth_kib": idle - before,
                "bytes_per_connection": (idle - before) * 1024 / count}
    finally:
        for s in conns:
            s.close()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forkhorn", required=True)
    ap.add_argument("--hello", required=True, help="the hello example library")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--only", help="comma-separated server names")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"))
    ap.add_argument("--skip-idle", action="store_true")
    ap.add_argument("--tls", action="store_true", help="TLS loads (see above) instead of cleartext")
    args = ap.parse_args()
    for tool in ("wrk", "nginx", "taskset"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            sys.exit(f"bench: {tool} is missing: run scripts/deps.sh bench")
    result = benchmark(args)
    if not args.skip_idle and not args.tls:
        result["idle_async_10k"] = idle_connections(args)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
