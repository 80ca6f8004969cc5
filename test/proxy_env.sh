#!/usr/bin/env bash
# Run inside pg_virtualenv after the suite: libcurl reads proxy environment
# variables, which whoever started the server set, not the extension's
# settings.  With http_proxy and HTTPS_PROXY in the server's environment
# pointing at a closed port, a sync must still reach the mock directly
# (hubspot_sync.proxy is empty), and go through the proxy only when the
# setting names one.
set -uo pipefail
fail() { echo "test proxy_env                    ... FAILED: $*"; exit 1; }

conf=/etc/postgresql/15/regress
[ -d "$conf" ] || fail "cluster configuration not found"
cp "$conf/environment" /tmp/hubspot_proxy_env.saved
printf "http_proxy = 'http://127.0.0.1:9'\nHTTPS_PROXY = 'http://127.0.0.1:9'\nALL_PROXY = 'http://127.0.0.1:9'\n" >> "$conf/environment"
pg_ctlcluster 15 regress restart || fail "could not restart the cluster"
restore() {
    cp /tmp/hubspot_proxy_env.saved "$conf/environment"
    pg_ctlcluster 15 regress restart
}

sync() {
    psql -X -q -At -d contrib_regression \
        -c "SET hubspot_sync.access_token = 'pat-na1-test-token'" \
        -c "SET hubspot_sync.api_url = 'http://127.0.0.1:18765'" \
        -c "SET hubspot_sync.max_retries = 0" "$@" \
        -c "SELECT status FROM hubspot_sync('calls')" 2>&1
}
out=$(sync)
[ "$out" = succeeded ] || { restore; fail "with proxy variables in the environment: $out"; }
out=$(sync -c "SET hubspot_sync.proxy = 'http://127.0.0.1:9'")
grep -q "could not reach HubSpot" <<<"$out" || { restore; fail "hubspot_sync.proxy was not used: $out"; }
restore || fail "could not restart the cluster"
echo "test proxy_env                    ... ok"
