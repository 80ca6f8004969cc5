#!/usr/bin/env bash
# Run last inside pg_virtualenv, as it ends the cluster: when the postmaster
# dies, every sync worker exits within a second, even in the middle of an
# HTTP transfer (here a 30-second answer).
set -uo pipefail
fail() { echo "test postmaster_death            ... FAILED: $*"; exit 1; }

datadir=$(pg_lsclusters -h | awk '$1 == 15 && $2 == "regress" { print $6 }')
[ -n "$datadir" ] || fail "cluster not found"
psql -X -q -d contrib_regression \
    -c "SET hubspot_sync.access_token = 'pat-na1-test-token'" \
    -c "SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/contacts.slow30000/_run/pmdeath'" \
    -c "SELECT hubspot_sync('contacts')" >/dev/null 2>&1 &

workers() { pgrep -f "hubspot_sync worker" | wc -l; }
for _ in $(seq 100); do [ "$(workers)" -gt 0 ] && break; sleep 0.1; done
[ "$(workers)" -gt 0 ] || fail "no sync worker started"
sleep 0.5                       # into the slow answer

kill -KILL "$(head -1 "$datadir/postmaster.pid")"
start=$(date +%s%N)
while [ "$(workers)" -gt 0 ]; do
    [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 3000 ] && fail "workers still running 3 s after the postmaster died"
    sleep 0.05
done
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -le 1000 ] || fail "the workers took $elapsed ms to exit"
wait
echo "test postmaster_death            ... ok"
