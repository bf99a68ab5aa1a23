#!/usr/bin/env python3
"""Checks the folder-level include graph of src/, platform/ and include/.

Every `#include "..."` of a source file is resolved to a file of the tree (beside the including
file first, then under src/, platform/ and include/) and becomes an arrow between two folders
(a folder of src/, platform/ as a whole, include/ as a whole). The check fails when

  - an arrow is not allowed by LAYERS below (the table docs/design.md shows), or
  - the arrows make a cycle (which LAYERS, ordered bottom up, rules out by construction), or
  - a quoted include names no file of the tree and is not a generated header.

Usage: check-layers.py [--markdown]   (--markdown prints the table for docs/design.md)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Folders bottom up, each with what it is for and the folders it may include. A folder may
# include only folders listed before it, so the graph cannot have a cycle.
LAYERS = [
    ("include", "the public API: the C ABI (`app.h`) and the header-only C++ SDK", []),
    ("platform", "the only place that talks to the OS: processes, sockets, signals/events, services", []),
    ("src/http", "the HTTP/1.1 core: a pure function of bytes (parser, responses, proxy rules)", []),
    ("src/transport", "byte streams under a request: a connected socket, TLS (OpenSSL)", ["platform"]),
    ("src/settings", "every setting declared once; loading, validation into typed values",
     ["src/transport", "src/http", "platform"]),
    ("src/log", "error and access logs", ["src/http", "platform"]),
    ("src/app", "loading an app library and checking its ABI", ["include", "platform"]),
    ("src/instance", "what the processes of one server share: scoreboard, pidfile, a worker's start",
     ["src/app", "src/log", "src/settings", "src/transport", "include", "platform"]),
    ("src/exchange", "the request bridge: one request/response as the app sees it through the ABI",
     ["src/transport", "src/http", "src/log", "include", "platform"]),
    ("src/workers", "the worker types (sync, gthread, async, uv) and their loops",
     ["src/exchange", "src/transport", "src/instance", "src/app", "src/log", "src/settings", "src/http",
      "include", "platform"]),
    ("src/control", "the control socket protocol, its server and client", ["src/instance", "src/settings", "platform"]),
    ("src/arbiter", "the master: listeners, the worker pool, signals, reload and upgrade",
     ["src/control", "src/instance", "src/exchange", "src/app", "src/log", "src/settings", "include", "platform"]),
    ("src/cli", "the commands: serve (main), ctl, service",
     ["src/arbiter", "src/control", "src/workers", "src/instance", "src/exchange", "src/app", "src/log",
      "src/settings", "src/http", "include", "platform"]),
]

GENERATED = {"version.hpp"}  # configured into the build tree
SOURCE_EXT = (".cpp", ".hpp", ".h", ".c")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SEARCH = ["src", "platform", "include"]


def folder_of(path):
    parts = path.split("/")
    if parts[0] in ("platform", "include"):
        return parts[0]
    return "/".join(parts[:2]) if len(parts) > 2 else "src"


def resolve(including, name):
    here = os.path.dirname(including)
    for base in [here] + SEARCH:
        candidate = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(ROOT, candidate)):
            return candidate
    # platform/windows/x.cpp includes "sockets.hpp" of platform/
    for base in ("platform",):
        candidate = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(ROOT, candidate)):
            return candidate
    return None


def sources():
    for top in SEARCH:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if f.endswith(SOURCE_EXT):
                    yield os.path.relpath(os.path.join(dirpath, f), ROOT)


def arrows():
    edges = {}
    problems = []
    for path in sorted(sources()):
        with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for name in INCLUDE.findall(text):
            target = resolve(path, name)
            if target is None:
                if os.path.basename(name) not in GENERATED:
                    problems.append(f"{path}: includes \"{name}\", which is no file of the tree")
                continue
            a, b = folder_of(path), folder_of(target)
            if a != b:
                edges.setdefault((a, b), []).append(f"{path} -> {target}")
    return edges, problems


def find_cycle(edges):
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    state, stack = {}, []

    def visit(n):
        state[n] = "open"
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == "open":
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = "done"
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def markdown():
    lines = ["| folder (bottom first) | what it holds | may include |", "| --- | --- | --- |"]
    for name, what, allowed in LAYERS:
        lines.append(f"| `{name}/` | {what} | {', '.join(f'`{a}`' for a in allowed) or 'nothing of the project'} |")
    return "\n".join(lines)


def main():
    if "--markdown" in sys.argv:
        print(markdown())
        return 0
    allowed = {name: set(deps) for name, _, deps in LAYERS}
    edges, problems = arrows()
    for (a, b), where in sorted(edges.items()):
        if a not in allowed:
            problems.append(f"{a}/ is not in the layer table of scripts/check-layers.py ({where[0]})")
        elif b not in allowed[a]:
            problems.append(f"{a}/ may not include {b}/: " + "; ".join(where))
    cycle = find_cycle(edges)
    if cycle:
        problems.append("folder cycle: " + " -> ".join(cycle))
    for p in problems:
        print("error:", p)
    if not problems:
        print(f"layers ok: {len(edges)} folder arrows, no cycle, each allowed by the table")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
