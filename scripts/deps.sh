#!/usr/bin/env bash
# Installs the Debian 12 packages forkhorn builds with (only the missing ones).
set -euo pipefail
packages=(cmake ninja-build g++ pkgconf ccache python3 libasio-dev libuv1-dev libcxxopts-dev libfmt-dev
          libboost-test-dev libtomlplusplus-dev nlohmann-json3-dev libssl-dev openssl curl "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq -o DPkg::Lock::Timeout=600
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
  "${missing[@]}" >/dev/null
