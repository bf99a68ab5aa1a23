#!/bin/sh
# Fetches libuv's Debian source package into DEST (default out/_deps) for the Windows cross
# build (Debian's libuv1-dev is Linux-only) and prints the unpacked source dir; Debian's patches
# (e.g. fix-cve-2024-24806) are applied. See scripts/fetch-deb-src.sh.
set -eu
exec sh "$(dirname "$0")/fetch-deb-src.sh" "${LIBUV_SRC_PKG:-libuv1}" "${1:-out/_deps}"
