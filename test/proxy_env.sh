#!/usr/bin/env bash
# Run inside pg_virtualenv after the suite: libcurl reads proxy environment
# variables, which whoever started the server set, not the extension's
# settings.  With http_proxy and HTTPS_PROXY in the server's environment
# pointing at a closed port, a sync must still reach the mock directly
# (hubspot_sync.proxy is empty), and go through the proxy only when the
# setting names one.
set -uo pipefail
fail() { echo "test proxy_env                    ... FAILED: $*"; exit 1; }

. "$(dirname "$0")/server_env.sh"
server_env_add "http_proxy = 'http://127.0.0.1:9'" "HTTPS_PROXY = 'http://127.0.0.1:9'" \
               "ALL_PROXY = 'http://127.0.0.1:9'" || fail "could not restart the cluster"

run_sync() {
    psql -X -q -At -d contrib_regression \
        -c "SET hubspot_sync.access_token = 'pat-na1-test-token'" \
        -c "SET hubspot_sync.api_url = 'http://127.0.0.1:18765'" \
        -c "SET hubspot_sync.max_retries = 0" "$@" \
        -c "SELECT status FROM hubspot_sync('calls')" 2>&1
}
out=$(run_sync)
[ "$out" = succeeded ] || { server_env_restore; fail "with proxy variables in the environment: $out"; }
out=$(run_sync -c "SET hubspot_sync.proxy = 'http://127.0.0.1:9'")
grep -q "could not reach HubSpot" <<<"$out" || { server_env_restore; fail "hubspot_sync.proxy was not used: $out"; }
server_env_restore || fail "could not restart the cluster"
echo "test proxy_env                    ... ok"
