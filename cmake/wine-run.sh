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

# CTest's fixture around the Windows tests (cmake/wine_tests.cmake): a wineserver that stays
# for the whole run. With a finite persistence the server tells wine's system processes
# (services.exe...) to exit one second after the last Windows process ends, and the next test's
# wine starts them again: seconds of wineboot inside a test, on a loaded machine past its
# deadlines. The fixture's cleanup stops the server.
case "${1:-}" in
--start-server)
  wineserver -k >/dev/null 2>&1
  wineserver -p </dev/null >/dev/null 2>&1
  exec wine wineboot </dev/null >/dev/null 2>&1
  ;;
--stop-server)
  wineserver -k >/dev/null 2>&1
  exit 0
  ;;
esac

# One wineserver (and services.exe...) stays up for the prefix, started with stdio on
# /dev/null: otherwise every test's wine starts them with the test's stdout and CTest waits
# ~3 s per test for them. flock -o keeps the lock fd out of the daemonized wineserver.
flock -o "$WINEPREFIX.lock" sh -c '
  if wineserver -p"${WINE_PERSIST:-60}" </dev/null >/dev/null 2>&1 || [ ! -f "$WINEPREFIX/system.reg" ]; then
    wine wineboot </dev/null >/dev/null 2>&1
  fi' || true

# Wine's system processes (services.exe, plugplay.exe...) are sometimes started again from
# inside a test, and they inherit that wine's stdout and stderr. Were those CTest's pipe, CTest
# would wait for it to close until the test's timeout (seen in clean-clone CI runs). So wine
# writes to files of its own, which tail copies out while wine runs and until it has exited.
out=$(mktemp "${TMPDIR:-/tmp}/wine-run.XXXXXX") || exit 2
err=$(mktemp "${TMPDIR:-/tmp}/wine-run.XXXXXX") || exit 2
exec 3<&0 # a background command would get /dev/null as its stdin
wine "$@" <&3 3<&- >"$out" 2>"$err" &
wine_pid=$!
trap 'kill -TERM "$wine_pid" 2>/dev/null' TERM INT HUP
tail -s 0.1 -n +1 -f --pid="$wine_pid" "$out" &
out_pid=$!
tail -s 0.1 -n +1 -f --pid="$wine_pid" "$err" >&2 &
err_pid=$!
while :; do
  wait "$wine_pid"
  status=$?
  kill -0 "$wine_pid" 2>/dev/null || break # not a signal that interrupted the wait
done
wait "$out_pid" "$err_pid"
rm -f "$out" "$err"
exit "$status"
