#!/usr/bin/env bash
# Run inside pg_virtualenv after the suite: on a hot standby no sync worker
# can start (workers start once recovery has finished) and none could
# write, so a sync there is refused at once instead of waiting forever.
# The standby is a base backup of the test cluster, started on its own.
set -uo pipefail
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/hubspot_standby.XXXXXX)
cleanup() {
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1
    rm -rf "$dir"
}
fail() { echo "test standby                      ... FAILED: $*"; cleanup; exit 1; }

chown postgres "$dir" && chmod 700 "$dir"
runuser -u postgres -- env PGPASSWORD="$PGPASSWORD" "$bin/pg_basebackup" -h "$PGHOST" -p "$PGPORT" \
    -U "$PGUSER" -D "$dir" -R -X stream -c fast >/dev/null 2>&1 || fail "pg_basebackup failed"
# Debian keeps a cluster's configuration outside its data directory.
cat > "$dir/postgresql.conf" <<CONF
port = $((PGPORT + 100))
listen_addresses = ''
unix_socket_directories = '$dir'
hot_standby = on
# Hot standby wants these at least as high as on the primary.
max_worker_processes = 64
max_connections = 200
shared_preload_libraries = 'hubspot_sync'
CONF
echo "local all all trust" > "$dir/pg_hba.conf"
chown postgres "$dir/postgresql.conf" "$dir/pg_hba.conf"
runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null ||
    fail "the standby did not start: $(tail -5 "$dir/server.log" | tr "\n" " ")"

out=$(timeout 30 psql -X -q -At -h "$dir" -p $((PGPORT + 100)) -U postgres -d contrib_regression \
          -c "SELECT pg_is_in_recovery()" \
          -c "SET hubspot_sync.access_token = 'pat-na1-test-token'" \
          -c "SET hubspot_sync.api_url = 'http://127.0.0.1:18765'" \
          -c "SELECT status FROM hubspot_sync('calls')" 2>&1)
code=$?
[ $code -ne 124 ] || fail "the sync on the standby waited (30 s) instead of being refused"
grep -q "cannot run on a server in recovery" <<<"$out" || fail "unexpected answer: $out"
cleanup
echo "test standby                      ... ok"
