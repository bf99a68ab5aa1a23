#!/usr/bin/env bash
# The benchmark a user can reproduce: builds the release preset, runs forkhorn (sync, gthread,
# async, uv), nginx and Gunicorn side by side under wrk (bench/bench.py), writes
# bench/results/latest.json and draws bench/results/throughput.png.
#   bash bench/run.sh                 # 5 rounds of 5 s per server and load (~12 min)
#   ROUNDS=1 SECONDS_PER_RUN=2 bash bench/run.sh   # a quick look
# Then the TLS loads (bench.py --tls) into bench/results/tls.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh wrk nginx-light python3-gunicorn gnuplot-nox
cmake --preset release >/dev/null
cmake --build --preset release
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
python3 bench/bench.py --forkhorn out/release/forkhorn --hello out/release/examples/libhello.so \
  --rounds "${ROUNDS:-5}" --seconds "${SECONDS_PER_RUN:-5}" --out bench/results/latest.json "$@"
python3 bench/chart.py bench/results/latest.json bench/results/throughput.png
# The same servers over TLS (same certificate and protocols for nginx and forkhorn).
python3 bench/bench.py --tls --forkhorn out/release/forkhorn --hello out/release/examples/libhello.so \
  --rounds "${ROUNDS:-5}" --seconds "${SECONDS_PER_RUN:-5}" --out bench/results/tls.json
out/release/bench/parse_bench
