#!/usr/bin/env bash
# The end of scripts/demo.sh, inside its pg_virtualenv cluster: build the
# dashboard, give it a read-only login (dashboard/sql/reader_role.sql), and
# serve it on 127.0.0.1 over the demo's data until Ctrl-C.
# DASHBOARD_PORT (default 3000) sets the port.
set -euo pipefail
cd "$(dirname "$0")/.."

. ../scripts/ensure-node.sh
if ! node_new_enough; then
    echo "dashboard: Node.js 20.9 or later is needed (found: $(node --version 2>/dev/null || echo none)); see docs/dashboard.md" >&2
    exit 1
fi
echo "demo: building the dashboard (npm ci, next build)"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build >/tmp/hubspot_dashboard_build.log 2>&1 \
    || { cat /tmp/hubspot_dashboard_build.log; exit 1; }

db=${PGDATABASE:-postgres}
psql -Xq -v ON_ERROR_STOP=1 -d "$db" -f sql/reader_role.sql
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
psql -Xq -v ON_ERROR_STOP=1 -d "$db" -c "DROP ROLE IF EXISTS hubspot_dashboard_demo" \
    -c "CREATE ROLE hubspot_dashboard_demo LOGIN PASSWORD '$password' IN ROLE hubspot_reader"

# The mock's data ends in mid-2025: open the page on the last 90 days of
# whatever was synced.
last=$(psql -X -d "$db" -Atc "SELECT max(createdate)::date FROM hubspot_contacts_raw WHERE NOT archived")
port=${DASHBOARD_PORT:-3000}
url="http://127.0.0.1:$port/"
[ -n "$last" ] && url="$url?range=custom&from=$(date -d "$last - 89 days" +%F)&to=$last"
echo
echo "Dashboard: $url"
echo "(the last 90 days of the synced data; the presets are relative to today). Ctrl-C stops it and the demo."
echo
DATABASE_URL="postgresql://hubspot_dashboard_demo:$password@${PGHOST:-localhost}:${PGPORT:-5432}/$db" \
    exec node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$port"
