#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the root) over the product's POSIX sources: src/ and
# platform/ but platform/windows/ (that needs the MinGW headers). Needs a configured dev tree
# (out/dev/compile_commands.json). Fails on any report.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f out/dev/compile_commands.json ] || { echo "error: configure first: cmake --preset dev"; exit 2; }
mapfile -t files < <(git ls-files 'src/*.cpp' 'platform/*.cpp' | grep -v '^platform/windows/')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! printf '%s\n' "${files[@]}" | xargs -P"$(nproc)" -n4 clang-tidy -p out/dev --quiet >"$log" 2>/dev/null; then
  grep -E -A3 'warning:|error:' "$log" || cat "$log"
  echo "error: clang-tidy reports (see .clang-tidy)"
  exit 1
fi
echo "tidy ok: ${#files[@]} files"
