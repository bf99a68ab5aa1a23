#!/usr/bin/env bash
# Installs what is missing, checks the house (no platform conditionals outside platform/, folder
# layers, format, clang-tidy), builds and runs every test: unit, integration and conformance
# (dev preset, warnings as errors), the parser fuzzer for FUZZ_SECONDS (default 60), then the
# Windows build (MinGW-w64 cross build), its tests under wine and its NSIS installer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh clang clang-format clang-tidy libclang-rt-14-dev g++-mingw-w64-x86-64-posix wine64 wine nsis dpkg-dev
export CCACHE_DIR="${CCACHE_DIR:-$PWD/out/ccache}"

echo "== platform conditionals outside platform/ (must be none)"
if grep -rnE '_WIN32|__linux__|__APPLE__|_MSC_VER' src include --include='*.[ch]pp' --include='*.[ch]' \
     | grep -v '^include/forkhorn/config.h:'; then
  echo "error: platform conditionals belong in platform/ only"; exit 1
fi

echo "== folder layers (scripts/check-layers.py)"
python3 scripts/check-layers.py

echo "== format (scripts/check-format.sh; --fix rewrites)"
scripts/check-format.sh

echo "== dev build and tests"
cmake --preset dev >/dev/null
cmake --build --preset dev
echo "== clang-tidy (scripts/check-tidy.sh)"
scripts/check-tidy.sh
ctest --preset dev -j2

echo "== parser fuzzer, ${FUZZ_SECONDS:-60} s"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target parser_fuzz
mkdir -p out/fuzz/corpus
out/fuzz/tests/fuzz/parser_fuzz -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
  out/fuzz/corpus tests/fuzz/corpus 2>&1 | tail -n 15

echo "== Windows: cross build, tests under wine, installer"
export WINEPREFIX="$PWD/out/wineprefix"
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
cmake --preset windows >/dev/null
cmake --build --preset windows
ctest --preset windows -j2
cmake --build --preset windows --target package
ls -l out/windows/forkhorn-*-win64.exe
