#!/bin/sh
# Usage: fetch-deb-src.sh PKG[=VERSION] [DEST]
# Fetches Debian's source package PKG (deb-src of the machine's own archive and suites) into
# DEST (default out/_deps) and prints the unpacked source dir. Does not touch /etc/apt: a
# private sources dir, lists and cache under DEST/apt-src. Needs apt and dpkg-dev (dpkg-source
# applies Debian's patches).
# Idempotent: once a tree is unpacked its dir is recorded in DEST/.PKG.srcdir and later calls
# print it without network; a tree unpacked before that stamp existed is reused too.
set -eu
PKG=${1:?usage: fetch-deb-src.sh PKG [DEST]}
DEST=$(mkdir -p "${2:-out/_deps}" && cd "${2:-out/_deps}" && pwd)
NAME=${PKG%%=*} # PKG=VERSION pins a version
STAMP=$DEST/.$PKG.srcdir

# Two configures sharing DEST wait for each other instead of unpacking over each other.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DEST/.$NAME.lock"
  flock 9
fi

if [ -f "$STAMP" ] && [ -d "$DEST/$(cat "$STAMP")" ]; then echo "$DEST/$(cat "$STAMP")"; exit 0; fi
# a complete tree from before the stamp: its debian/ dir is there and its patches are applied
existing=$(ls -d "$DEST/$NAME"-[0-9]*/ 2>/dev/null | sort -V | tail -n1 || true)
if [ "$NAME" = "$PKG" ] && [ -n "$existing" ] && [ -f "$existing/debian/changelog" ] &&
   { [ ! -s "$existing/debian/patches/series" ] || [ -f "$existing/.pc/applied-patches" ]; }; then
  basename "$existing" > "$STAMP"; echo "${existing%/}"; exit 0
fi

S=$DEST/apt-src
mkdir -p "$S/parts" "$S/lists/partial" "$S/cache/archives/partial"
# deb-src stanzas derived from the machine's own apt sources (same archive, same suites)
: > "$S/parts/deb-src.sources"
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  sed -n 's/^Types: deb$/Types: deb-src/; /^#/d; p' "$f" >> "$S/parts/deb-src.sources"; echo >> "$S/parts/deb-src.sources"
done
rm -f "$S/parts/deb-src.list"
if [ -f /etc/apt/sources.list ]; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$S/parts/deb-src.list"
fi
set -- -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$S/parts" \
       -o Dir::State::Lists="$S/lists" -o Dir::Cache="$S/cache" -o APT::Sandbox::User=root
apt-get "$@" -qq update >&2

# Fetches and unpacks one source package (PKG or PKG=VERSION); sets dir.
fetch() {
  # the .dsc apt picks names the source package and version, hence the dir dpkg-source unpacks to
  dsc=$(apt-get "$@" -qq source --print-uris "$want" | awk '$2 ~ /\.dsc$/ { print $2; exit }')
  [ -n "$dsc" ] || { echo "fetch-deb-src.sh: no source package for $want" >&2; return 1; }
  version=${dsc#*_}; version=${version%.dsc} # no epoch in file names
  dir=${dsc%%_*}-${version%-*}
  rm -rf "${DEST:?}/$dir" # an unpack cut short would otherwise make dpkg-source refuse
  (cd "$DEST" && apt-get "$@" -qq source "$want" >&2) &&
    [ -f "$DEST/$dir/debian/changelog" ]
}
want=$PKG
if ! fetch "$@"; then
  # The archive's index can name a version its pool does not serve (seen: bookworm-security
  # listing openssl 3.0.22-1~deb12u2 whose .dsc was a 404), so the other versions the indexes
  # list are tried, newest first.
  case $PKG in *=*) exit 1 ;; esac
  failed=${version:-}
  versions=$(apt-cache "$@" showsrc "$PKG" | sed -n 's/^Version: *//p' | sort -u)
  sorted=""
  for v in $versions; do # insertion sort by Debian's version order, newest first
    out=""; placed=""
    for w in $sorted; do
      if [ -z "$placed" ] && dpkg --compare-versions "$v" gt "$w"; then out="$out $v"; placed=1; fi
      out="$out $w"
    done
    [ -n "$placed" ] || out="$out $v"
    sorted=$out
  done
  ok=""
  for v in $sorted; do
    [ "${v#*:}" != "$failed" ] || continue
    want=$PKG=$v
    echo "fetch-deb-src.sh: trying $want" >&2
    if fetch "$@"; then ok=1; break; fi
  done
  [ -n "$ok" ] || { echo "fetch-deb-src.sh: no version of $PKG could be fetched" >&2; exit 1; }
fi
echo "$dir" > "$STAMP"
echo "$DEST/$dir"
