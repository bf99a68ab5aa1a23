#!/usr/bin/env bash
# Runs testssl.sh (Debian's testssl.sh package) against a forkhorn TLS port with the default TLS
# settings: protocols, cipher categories, forward secrecy, server defaults and the known
# vulnerabilities. Fails on any "NOT ok" or "VULNERABLE" finding; prints testssl's findings.
# Usage: scripts/testssl.sh [BUILD_DIR (default out/dev)] [WORKER_CLASS (default async)]
# A throwaway certificate is made for the run (ECDSA P-256, then RSA 2048), nothing is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-out/dev}
kind=${2:-async}
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
status=0
for key in "ec -pkeyopt ec_paramgen_curve:P-256" "rsa:2048"; do
  # shellcheck disable=SC2086 # $key is two words for ec
  openssl req -x509 -newkey $key -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null
  : >"$work/server.log"
  "$build/forkhorn" "$(ls "$build"/examples/*hello.so | head -n1):app" -b 127.0.0.1:0 -w 2 -k "$kind" \
    --no-control-socket --certfile "$work/cert.pem" --keyfile "$work/key.pem" 2>"$work/server.log" &
  server=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's|.*Listening at: https://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/server.log" | head -n1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$work/server.log"; exit 1; }
  echo "== testssl.sh against forkhorn -k $kind, ${key%% *} certificate, 127.0.0.1:$port"
  testssl --quiet --color 0 --warnings off --fast -p -s -f -S -U "127.0.0.1:$port" >"$work/testssl.out" 2>&1 || true
  grep -E '^ (SSLv|TLS |Session|ALPN|NULL|Anonymous|Export|LOW|Triple|Obsolete|Strong|PFS|Elliptic|Heartbleed|CCS|Ticketbleed|ROBOT|Secure|CRIME|BREACH|POODLE|TLS_FALLBACK|SWEET32|FREAK|DROWN|LOGJAM|BEAST|LUCKY13|RC4)' \
    "$work/testssl.out" || true
  # The throwaway certificate is self-signed and names no CRL or OCSP: findings about it (Chain of
  # trust) concern the certificate an operator brings, not the server.
  if grep -E 'NOT ok|VULNERABLE' "$work/testssl.out" | grep -vE 'Chain of trust|neither CRL nor OCSP'; then status=1; fi
  grep -q 'TLS 1.3 *offered' "$work/testssl.out" || { echo "testssl.sh did not run: $(tail -n 5 "$work/testssl.out")"; status=1; }
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
[ "$status" = 0 ] && echo "== testssl.sh: no NOT ok or VULNERABLE finding"
exit "$status"
