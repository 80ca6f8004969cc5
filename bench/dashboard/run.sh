#!/usr/bin/env bash
# Time the dashboard's server render at the design's size: 29,000
# contacts, 1,000 deals, 200 calls (bench/metrics/load.sql's generated
# data, dates over 2023-2024), connected as a member of hubspot_reader.
# Each URL is fetched RUNS times (after 5 unmeasured ones) one after
# another; the time is from the request to the last byte of the HTML.
#
#   make install; (cd dashboard && npm ci && npx next build)
#   pg_virtualenv -v 15 bash bench/dashboard/run.sh
#   RUNS=100 pg_virtualenv -v 15 bash bench/dashboard/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-50}
db=hubspot_dashboard_bench
port=${BENCH_PORT:-3290}

psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -Xq -d "$db" -c "CREATE EXTENSION hubspot_sync"
psql -Xq -d "$db" -v contacts=29000 -v deals=1000 -v calls=200 -f bench/metrics/load.sql
psql -Xq -d "$db" -f dashboard/sql/reader_role.sql -c "VACUUM ANALYZE" -c "
INSERT INTO hubspot_sync_runs (object_type, mode, status, started_at, finished_at, records, daily_remaining)
SELECT t, 'incremental', 'succeeded', now() - interval '20 minutes', now() - interval '19 minutes', 10, 249000
FROM unnest(ARRAY['contacts', 'deals', 'calls']) t"
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
psql -Xq -d postgres -c "DROP ROLE IF EXISTS hubspot_dashboard_bench" \
    -c "CREATE ROLE hubspot_dashboard_bench LOGIN PASSWORD '$password' IN ROLE hubspot_reader"
psql -X -d "$db" -Atc "SELECT 'rows: ' || (SELECT count(*) FROM hubspot_contacts_raw) || ' contacts, '
    || (SELECT count(*) FROM hubspot_deals_raw) || ' deals, ' || (SELECT count(*) FROM hubspot_calls_raw) || ' calls'"

cd dashboard
DATABASE_URL="postgresql://hubspot_dashboard_bench:$password@${PGHOST:-localhost}:${PGPORT:-5432}/$db" \
    NODE_ENV=production node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$port" > /tmp/hubspot_dashboard_bench.log 2>&1 &
app=$!
trap 'kill "$app" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/icon.svg" 2>/dev/null && break
    sleep 0.2
done

# The last 30 and 90 days of the data, its last calendar month, both
# years, and today's last 30 days (no data: the page then also reads the
# weeks that hold data).
node ../bench/dashboard/measure.mjs "http://127.0.0.1:$port" "$RUNS" \
    "/?range=custom&from=2024-12-02&to=2024-12-31" \
    "/?range=custom&from=2024-10-03&to=2024-12-31" \
    "/?range=custom&from=2023-01-01&to=2024-12-31" \
    "/?range=30d"
