#!/usr/bin/env bash
# Install what hubspot_sync needs to build, run and test on Debian 12.
set -euo pipefail

packages=(build-essential postgresql-15 postgresql-server-dev-15 postgresql-common
          postgresql-15-cron libcurl4-openssl-dev python3 curl procps)
# --dashboard: also what the dashboard's browser tests need (Debian's
# chromium; Node.js 20 and npm come with the machine, else scripts/ensure-node.sh
# fetches Node 20, see docs/dashboard.md).
if [ "${1:-}" = "--dashboard" ]; then
    packages+=(chromium)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
