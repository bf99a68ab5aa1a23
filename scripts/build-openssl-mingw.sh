#!/bin/sh
# Usage: build-openssl-mingw.sh [DEST]
# Cross-builds OpenSSL for Windows x86_64 (MinGW-w64, posix-threads compiler) from Debian's
# source package `openssl` (fetched into DEST, default out/_deps, by fetch-deb-src.sh; Debian's
# patches applied) with OpenSSL's own Configure: static libraries only, no tests, no apps; TLS
# 1.2/1.3, EC and ChaCha20-Poly1305 kept; no legacy provider. Installs headers and libs
# (make install_dev) into DEST/openssl-mingw-<version> and prints that prefix.
# Cached: the prefix is reused as is once complete (stamp file .forkhorn-stamp, which records
# the Debian version and the configure line); OPENSSL_MINGW_JOBS sets make's -j (default 2).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
DEST=$(mkdir -p "${1:-out/_deps}" && cd "${1:-out/_deps}" && pwd)
JOBS=${OPENSSL_MINGW_JOBS:-2}
CROSS=x86_64-w64-mingw32-
CC=gcc-posix # with the prefix: x86_64-w64-mingw32-gcc-posix, the compiler the project uses

exec 9>"$DEST/.openssl-mingw.lock"
command -v flock >/dev/null 2>&1 && flock 9

src=$(sh "$here/fetch-deb-src.sh" openssl "$DEST")
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$src/debian/changelog") # Debian's, e.g. 3.0.20-1~deb12u2
upstream=${src##*/openssl-}
prefix=$DEST/openssl-mingw-$upstream
stamp=$prefix/.forkhorn-stamp

# enable-ec_nistp_64_gcc_128: faster P-224/P-256/P-521 (gcc has __uint128_t on x86_64)
options="mingw64 --cross-compile-prefix=$CROSS --prefix=$prefix --libdir=lib
 no-shared no-module no-tests no-legacy no-engine enable-ec_nistp_64_gcc_128"
# no-apps and no-docs appeared in OpenSSL 3.2; 3.0 builds only the libraries (build_libs)
disablables=$(sed -n '/^my @disablables = (/,/^ *);/p' "$src/Configure")
case $disablables in *'"apps"'*) options="$options no-apps" ;; esac
case $disablables in *'"docs"'*) options="$options no-docs" ;; esac
options=$(echo $options) # one line
want="$version $options CC=$CC"

complete() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
    [ -f "$prefix/lib/libssl.a" ] && [ -f "$prefix/lib/libcrypto.a" ] &&
    [ -f "$prefix/include/openssl/ssl.h" ] && [ -f "$prefix/include/openssl/opensslconf.h" ]
}
if complete; then echo "$prefix"; exit 0; fi

build=$DEST/openssl-mingw-build-$upstream
rm -rf "$build" "$prefix"
mkdir -p "$build"
log=$DEST/openssl-mingw-build.log
echo "build-openssl-mingw.sh: building OpenSSL $version for MinGW-w64 in $build (make -j$JOBS, log $log)" >&2
# Its thousands of compiler lines go to the log (CI's stays readable); the end of it on failure.
if ! (
  cd "$build"
  # the host's compiler settings are not the target's
  unset CFLAGS CPPFLAGS CXXFLAGS LDFLAGS LDLIBS AR RANLIB RC WINDRES CROSS_COMPILE
  # shellcheck disable=SC2086 # $options is a list of words
  CC=$CC perl "$src/Configure" $options
  make -j"$JOBS" build_libs
  make install_dev
) >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "build-openssl-mingw.sh: the build failed (whole log: $log)" >&2
  exit 1
fi
echo "$want" > "$stamp"
rm -rf "$build"
complete || { echo "build-openssl-mingw.sh: $prefix is incomplete after install" >&2; exit 1; }
echo "$prefix"
