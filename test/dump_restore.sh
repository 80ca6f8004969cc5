#!/usr/bin/env bash
# pg_dump and pg_restore of a database that syncs an added object type:
# the registry rows users added, the added table with its data and typed
# columns, and the synced rows of the built-in tables come back, and the
# restored database syncs on from its cursors.
set -uo pipefail

src=hubspot_dump_src
dst=hubspot_dump_dst
api="http://127.0.0.1:18765"
token="pat-na1-test-token"
dump=$(mktemp /tmp/hubspot_dump.XXXXXX)

fail() { echo "test dump_restore                 ... FAILED: $*"; rm -f "$dump"; exit 1; }
sql() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
sync() {
    sql "$1" -c "SET hubspot_sync.api_url = '$api'" -c "SET hubspot_sync.access_token = '$token'" \
        -c "SELECT string_agg(object_type || ' ' || status || ' ' || mode, ', ' ORDER BY object_type)
            FROM hubspot_sync_all()" 2>/dev/null
}
# Every registered type's table (row count and checksum), the registry,
# the added columns, the cursors, and the metrics (whose side tables the
# triggers rebuild as the rows are restored).
snapshot() {
    local db=$1 t
    for t in $(sql "$db" -c "SELECT table_name FROM hubspot_object_types ORDER BY lock_key"); do
        sql "$db" -c "SELECT '$t ' || count(*) || ' ' || md5(coalesce(string_agg(r::text, '|' ORDER BY r.hubspot_id), ''))
                      FROM public.$t r" || return 1
    done
    sql "$db" -c "SELECT string_agg(object_type || '/' || table_name || '/' || enabled, ',' ORDER BY lock_key)
                  FROM hubspot_object_types" \
              -c "SELECT string_agg(object_type || '.' || column_name || ':' || sql_type, ',' ORDER BY object_type, position)
                  FROM hubspot_object_columns WHERE NOT builtin" \
              -c "SELECT string_agg(object_type || ' ' || coalesce(last_modified_cursor::text, '-'), ',' ORDER BY object_type)
                  FROM hubspot_sync_state" \
              -c "SELECT string_agg(name || '=' || coalesce(value::text, 'NULL'), ', ' ORDER BY name) FROM hubspot_metrics()"
}

sql postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
    -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" || fail "could not create the databases"
sql "$src" -c "CREATE EXTENSION hubspot_sync" -c "SELECT hubspot_add_object('companies')" \
    -c "SELECT hubspot_add_column('companies', 'hs_lastmodifieddate', 'timestamptz', 'modified_at')" \
    >/dev/null || fail "could not set up $src"
synced=$(sync "$src")
[ "$synced" = "calls succeeded full, companies succeeded full, contacts succeeded full, deals succeeded full" ] ||
    fail "the first sync: $synced"
before=$(snapshot "$src") || fail "could not read $src"
grep -q '^hubspot_companies_raw 12 ' <<<"$before" || fail "no companies to dump: $before"

pg_dump -Fc -f "$dump" "$src" || fail "pg_dump failed"
pg_restore --exit-on-error -d "$dst" "$dump" || fail "pg_restore failed"
after=$(snapshot "$dst") || fail "could not read $dst"
[ "$before" = "$after" ] || fail "the restored database differs: $(diff <(echo "$before") <(echo "$after"))"

synced=$(sync "$dst")
[ "$synced" = "calls succeeded incremental, companies succeeded incremental, contacts succeeded incremental, deals succeeded incremental" ] ||
    fail "the sync after the restore: $synced"

sql postgres -c "DROP DATABASE $src" -c "DROP DATABASE $dst"
rm -f "$dump"
echo "test dump_restore                 ... ok"
