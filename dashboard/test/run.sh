#!/usr/bin/env bash
# The dashboard's tests: type check, unit tests (formatting, ranges), the
# production build (without a database), then the browser tests in
# Debian's chromium against the built app over a throwaway PostgreSQL 15
# cluster (pg_virtualenv).  Needs hubspot_sync installed (make install);
# scripts/test.sh runs this last.  Ends with "dashboard: N passed, N failed".
# Screenshots and the app's log: dashboard/test-results/.
set -uo pipefail
cd "$(dirname "$0")/.."

bash ../scripts/install-deps.sh --dashboard || exit 1
. ../scripts/ensure-node.sh
if ! node_new_enough; then
    echo "dashboard: Node.js 20.9 or later is needed (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
fi

status=0
passed=0
failed=0
count() {  # count LOG: add up the runner's own closing figures
    local p f
    p=$(grep -oE '^(ℹ |# )?pass [0-9]+$|^ +[0-9]+ passed' "$1" | grep -oE '[0-9]+' | tail -1)
    f=$(grep -oE '^(ℹ |# )?fail [0-9]+$|^ +[0-9]+ failed' "$1" | grep -oE '[0-9]+' | tail -1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
}
mkdir -p test-results
log=test-results

echo "== dashboard: npm ci"
npm ci --no-audit --no-fund --loglevel=error || exit 1
echo "== dashboard: type check"
node_modules/.bin/tsc --noEmit || status=1
echo "== dashboard: unit tests"
node_modules/.bin/tsx --test --test-reporter=spec test/unit/*.test.ts 2>&1 | tee "$log/unit.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count "$log/unit.log"
echo "== dashboard: build"
NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build || { echo "dashboard: 0 passed, 1 failed"; exit 1; }
echo "== dashboard: browser tests"
pg_virtualenv -v 15 \
    -o "shared_preload_libraries=hubspot_sync" \
    -o "hubspot_sync.access_token=pat-na1-dashboard-e2e-token" \
    bash test/e2e/in-cluster.sh 2>&1 | tee "$log/e2e.log"
e2e=${PIPESTATUS[0]}
[ "$e2e" -eq 0 ] || status=1
count "$log/e2e.log"
if [ "$e2e" -ne 0 ] && ! grep -qE '^ +[0-9]+ (passed|failed)' "$log/e2e.log"; then
    failed=$((failed + 1))   # the run itself failed before the tests could
fi
echo "dashboard: $passed passed, $failed failed"
exit $status
