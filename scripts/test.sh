#!/usr/bin/env bash
# Installs what is missing, checks the house (no platform conditionals outside platform/, folder
# layers, format, clang-tidy), builds and runs every test: unit, integration and conformance
# (dev preset, warnings as errors), the parser fuzzer for FUZZ_SECONDS (default 60), every test
# again under ASan + UBSan and the threaded suites under TSan (docs/testing.md), then the
# Windows build (MinGW-w64 cross build), its tests under wine and its NSIS installer.
# Each stage prints the seconds since the start, so CI's time can be read off the log.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh clang clang-format clang-tidy libclang-rt-14-dev g++-mingw-w64-x86-64-posix wine64 wine nsis dpkg-dev \
  testssl.sh
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

echo "== dev build and tests (at ${SECONDS} s)"
cmake --preset dev >/dev/null
cmake --build --preset dev
echo "== clang-tidy (scripts/check-tidy.sh)"
scripts/check-tidy.sh
ctest --preset dev -j2

echo "== testssl.sh against a TLS port with the default settings (at ${SECONDS} s)"
scripts/testssl.sh out/dev async

echo "== parser fuzzer for ${FUZZ_SECONDS:-60} s (at ${SECONDS} s)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target parser_fuzz
mkdir -p out/fuzz/corpus
out/fuzz/tests/fuzz/parser_fuzz -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
  out/fuzz/corpus tests/fuzz/corpus 2>&1 | tail -n 15

echo "== AddressSanitizer + UBSan: every unit, integration and conformance test (at ${SECONDS} s)"
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan -j2

echo "== ThreadSanitizer: the suites that run threads (at ${SECONDS} s)"
# GCC 12's TSan maps its shadow memory for at most 28 bits of mmap randomisation; newer
# kernels may default to more, and then every instrumented process dies at start.
if [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ]; then
  $([ "$(id -u)" -eq 0 ] || echo sudo) sysctl -qw vm.mmap_rnd_bits=28
fi
cmake --preset tsan >/dev/null
cmake --build --preset tsan
ctest --preset tsan -j2

echo "== Windows: cross build, tests under wine, installer (at ${SECONDS} s)"
export WINEPREFIX="$PWD/out/wineprefix"
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
cmake --preset windows >/dev/null
cmake --build --preset windows
ctest --preset windows -j2
cmake --build --preset windows --target package
ls -l out/windows/forkhorn-*-win64.exe
echo "== all passed in ${SECONDS} s"
