#!/usr/bin/env bash
# Build hubspot_sync, install it, and run the pg_regress suite on a
# throwaway PostgreSQL 15 cluster against the mock HubSpot on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/mock.sh

bash scripts/install-deps.sh
make clean >/dev/null
make WERROR=-Werror
make install >/dev/null

# The tests point the extension at these ports: the portal most tests use,
# one with 600 extra contact properties and 250 owners, one that enforces a 12-requests
# per 10 seconds budget with 429s, one that allows 2 searches a second, one
# with 6,000 extra contact properties (19 requests a list page).
# Every request they get is logged, for the contract test (the last test
# in run-in-cluster.sh checks each one against HubSpot's OpenAPI specs).
export HUBSPOT_REQUEST_LOG="$PWD/test/requests.log"
rm -f "$HUBSPOT_REQUEST_LOG"
log=(--request-log "$HUBSPOT_REQUEST_LOG")
start_mock 18765 --contacts 120 --deals 40 --calls 30 "${log[@]}"
start_mock 18767 --contacts 120 --deals 40 --calls 30 --extra-properties 600 --owners 250 "${log[@]}"
start_mock 18768 --contacts 120 --deals 40 --calls 30 --rate-limit 12 "${log[@]}"
start_mock 18769 --contacts 120 --deals 40 --calls 30 --search-rate-limit 2 "${log[@]}"
start_mock 18770 --contacts 120 --deals 40 --calls 30 --extra-properties 6000 "${log[@]}"

status=0
pg_virtualenv -v 15 \
    -o "shared_preload_libraries=hubspot_sync,pg_cron" \
    -o "cron.database_name=contrib_regression" \
    -o "cron.use_background_workers=on" \
    -o "hubspot_sync.database=contrib_regression" \
    -o "hubspot_sync.sync_interval=0" \
    -o "hubspot_sync.parallel_full_sync=off" \
    -o "max_worker_processes=16" \
    bash test/run-in-cluster.sh 2>&1 | tee test/installcheck.log || status=$?

passed=$(grep -cE '\.\.\. ok' test/installcheck.log || true)
failed=$(grep -cE '\.\.\. FAILED' test/installcheck.log || true)
if [ "$status" -ne 0 ] && [ -f test/regression.diffs ]; then
    cat test/regression.diffs
fi
echo "$passed passed, $failed failed"

# The dashboard (dashboard/): type check, unit tests, build, browser tests
# in chromium on a cluster of its own; it prints its own count.
bash dashboard/test/run.sh || status=1
exit $status
