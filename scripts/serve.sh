#!/usr/bin/env bash
# Installs what is missing, builds the release preset and serves examples/hello on
# 127.0.0.1:8000 with 2 sync workers. Extra arguments go to forkhorn.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target forkhorn hello
exec out/release/forkhorn out/release/examples/libhello.so:app -w 2 -b 127.0.0.1:8000 "$@"
