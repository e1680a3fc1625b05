#!/usr/bin/env bash
# Install the Debian packages a target needs, skipping those already installed.
# Usage: scripts/system-deps.sh run|test
set -euo pipefail
case "${1:-test}" in
  run)  packages=(fonts-wqy-zenhei) ;;
  test) packages=(postgresql postgresql-contrib chromium fonts-wqy-zenhei poppler-utils libfaketime redis-server) ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: apt-get not available; please install: ${missing[*]}" >&2; exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
