#!/bin/sh
# Runs a Windows .exe under wine, quietly and without a display (CMAKE_CROSSCOMPILING_EMULATOR).
: "${WINEPREFIX:=${TMPDIR:-/tmp}/wineprefix-$(id -u)}"
export WINEPREFIX
export WINEARCH=win64
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
unset DISPLAY WAYLAND_DISPLAY
# The prefix directory exists before any wineserver starts: the server's socket directory is
# named after its inode, and a prefix created by a racing first client got another one
# ("wine: chdir to /tmp/wine-.../server-...: No such file or directory").
mkdir -p "$WINEPREFIX"
# One wineserver (and services.exe...) stays up for the prefix, started with stdio on
# /dev/null: otherwise every test's wine starts them with the test's stdout and CTest waits
# ~3 s per test for them. flock -o keeps the lock fd out of the daemonized wineserver.
flock -o "$WINEPREFIX.lock" sh -c '
  if wineserver -p"${WINE_PERSIST:-60}" </dev/null >/dev/null 2>&1 || [ ! -f "$WINEPREFIX/system.reg" ]; then
    wine wineboot </dev/null >/dev/null 2>&1
  fi' || true
exec wine "$@"
