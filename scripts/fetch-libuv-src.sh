#!/bin/sh
# Fetches libuv's source package from Debian's archive (deb-src) into DEST for the Windows
# cross build (Debian's libuv1-dev is Linux-only), without touching /etc/apt: a private sources
# dir, lists and cache. Prints the unpacked source dir. Needs apt and dpkg-dev (dpkg-source
# applies Debian's patches, e.g. fix-cve-2024-24806).
set -eu
DEST=$(mkdir -p "${1:-out/_deps}" && cd "${1:-out/_deps}" && pwd)
PKG=${LIBUV_SRC_PKG:-libuv1}
existing=$(ls -d "$DEST"/libuv1-*/ 2>/dev/null | head -n1 || true)
if [ -n "$existing" ] && [ -f "$existing/CMakeLists.txt" ]; then echo "${existing%/}"; exit 0; fi
S=$DEST/apt-src
mkdir -p "$S/parts" "$S/lists/partial" "$S/cache/archives/partial"
# deb-src stanzas derived from the machine's own apt sources (same archive, same suites)
: > "$S/parts/deb-src.sources"
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  sed -n 's/^Types: deb$/Types: deb-src/; /^#/d; p' "$f" >> "$S/parts/deb-src.sources"; echo >> "$S/parts/deb-src.sources"
done
if [ -f /etc/apt/sources.list ]; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$S/parts/deb-src.list"
fi
set -- -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$S/parts" \
       -o Dir::State::Lists="$S/lists" -o Dir::Cache="$S/cache" -o APT::Sandbox::User=root
apt-get "$@" -qq update >&2
(cd "$DEST" && apt-get "$@" -qq source "$PKG" >&2)
d=$(ls -d "$DEST"/libuv1-*/ | head -n1); echo "${d%/}"
