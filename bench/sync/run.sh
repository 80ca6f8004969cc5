#!/usr/bin/env bash
# Sync benchmarks of hubspot_sync against the bundled mock HubSpot, on a
# throwaway PostgreSQL 15 cluster (pg_virtualenv).  Results are in
# bench/README.md; this prints the raw figures (and keeps them in
# bench/sync/logs/last-run.log).
#
#   bash bench/sync/run.sh          # as root, after `make install`; ~10 minutes
#   BENCH_ONLY="full" bash bench/sync/run.sh   # only some sections: full,
#                                   # incremental (needs full), ingest, memory
#
# Data: the design's portal, 29,000 contacts with 100 properties each (12
# standard + 88 custom), 1,000 deals, 200 calls; 290,000 contacts for the
# memory figure.  Mock ports 18800, 18801, 18803.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/mock.sh

token=pat-na1-bench-token
data=(--contacts 29000 --deals 1000 --calls 200 --extra-properties 88 --token "$token")
# 150 ms a request, HubSpot's 10-second budgets enforced with 429s
start_mock 18800 "${data[@]}" --latency-ms 150 --rate-limit 100
export MOCK_PID_18800=${MOCK_PIDS[-1]}
start_mock 18801 "${data[@]}" --latency-ms 150 --rate-limit 190
export MOCK_PID_18801=${MOCK_PIDS[-1]}
# no latency, no budget: ingest speed and memory
start_mock 18803 "${data[@]}"
export MOCK_PID_18803=${MOCK_PIDS[-1]}

conf=$(mktemp)
chmod 644 "$conf"
trap 'rm -f "$conf"; for p in "${MOCK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
cat > "$conf" <<CONF
hubspot_sync.api_url = 'http://127.0.0.1:18800'
hubspot_sync.access_token = '$token'
hubspot_sync.rate_limit = 100
CONF

export BENCH_DIR=$PWD/bench/sync
mkdir -p bench/sync/logs
pg_virtualenv -v 15 -o shared_preload_libraries=hubspot_sync -o max_worker_processes=16 \
    -o "include=$conf" bash bench/sync/in-cluster.sh 2>&1 | tee bench/sync/logs/last-run.log
