#!/usr/bin/env bash
# The upgrade path, run inside the suite's cluster after pg_regress (which
# leaves contrib_regression full of synced rows): for each released version,
# a database made by it, filled with those rows, refused a sync by this
# library, then taken by ALTER EXTENSION ... UPDATE to the current version
# must keep every row and cursor, sync again, and have exactly the schema of
# a fresh install.
set -uo pipefail
cd "$(dirname "$0")"

fresh=hubspot_upgrade_fresh
api="http://127.0.0.1:18765"
token="pat-na1-test-token"
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" ../../hubspot_sync.control)
# Tables every released version holds data in, and whose rows an update
# must keep.
tables="hubspot_contacts_raw hubspot_deals_raw hubspot_calls_raw hubspot_sync_state
        hubspot_sync_runs hubspot_properties hubspot_deal_stage_outcomes hubspot_deal_status_values"

fail() { echo "test upgrade from $from                 ... FAILED: $*"; exit 1; }
sql() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# The columns a table has in the old version's database, for copying and
# comparing: read before the update (which adds some) by read_old_columns.
declare -A old_columns
read_old_columns() {
    for t in $tables; do
        old_columns[$t]=$(sql "$old" -c "SELECT string_agg(quote_ident(attname), ',' ORDER BY attnum) FROM pg_attribute
                                         WHERE attrelid = 'public.$t'::regclass AND attnum > 0 AND NOT attisdropped")
    done
}
columns() {
    echo "${old_columns[$1]}"
}
# One checksum over every table's rows, in the old version's columns.
checksum() {
    for t in $tables; do
        sql "$old" -c "SELECT '$t ' || count(*) || ' ' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-')
                       FROM (SELECT $(columns "$t") FROM public.$t) x"
    done
}

upgrade_from() {
    from=$1
    old=hubspot_upgrade_from_${from//./_}
    sql postgres -c "DROP DATABASE IF EXISTS $old" -c "DROP DATABASE IF EXISTS $fresh" \
        -c "CREATE DATABASE $old" -c "CREATE DATABASE $fresh" || fail "could not create the databases"
    sql "$old" -c "CREATE EXTENSION hubspot_sync VERSION '$from'" || fail "could not install version $from"
    sql "$fresh" -c "CREATE EXTENSION hubspot_sync" || fail "could not install version $current"

    # This library syncs into its own version's schema only.
    refused=$(sql "$old" -c "SET hubspot_sync.api_url = '$api'" -c "SET hubspot_sync.access_token = '$token'" \
                  -c "SELECT status FROM hubspot_sync('deals')" 2>&1) &&
        fail "the $current library synced into a $from schema"
    grep -q "ALTER EXTENSION hubspot_sync UPDATE" <<<"$refused" || fail "unexpected refusal: $refused"

    read_old_columns
    # What the suite synced, copied into the old version's tables (seeded rows replaced).
    for t in $tables; do
        cols=$(columns "$t")
        sql "$old" -c "DELETE FROM public.$t" || fail "could not empty $t"
        sql contrib_regression -c "\\copy (SELECT $cols FROM public.$t) TO STDOUT" |
            sql "$old" -c "\\copy public.$t ($cols) FROM STDIN" || fail "could not copy $t"
    done
    sql "$old" -c "SELECT setval('public.hubspot_sync_runs_run_id_seq', (SELECT max(run_id) FROM public.hubspot_sync_runs))" >/dev/null
    [ "$(sql "$old" -c "SELECT count(*) > 0 FROM public.hubspot_contacts_raw")" = t ] || fail "no rows to upgrade"
    before=$(checksum)

    sql "$old" -c "ALTER EXTENSION hubspot_sync UPDATE" || fail "ALTER EXTENSION hubspot_sync UPDATE failed"
    version=$(sql "$old" -c "SELECT extversion FROM pg_extension WHERE extname = 'hubspot_sync'")
    [ "$version" = "$current" ] || fail "updated to $version, not $current"

    after=$(checksum)
    [ "$before" = "$after" ] || fail "rows changed by the update: $(diff <(echo "$before") <(echo "$after"))"

    # Typed columns added since fill from the raw_json every row kept.
    backfill=$(sql "$old" -c "SELECT
        (SELECT count(*) FILTER (WHERE hubspot_owner_id IS DISTINCT FROM raw_json->'properties'->>'hubspot_owner_id')
                || '/' || count(hubspot_owner_id) FROM public.hubspot_contacts_raw) || ' ' ||
        (SELECT count(*) FILTER (WHERE pipeline IS DISTINCT FROM raw_json->'properties'->>'pipeline'
                                    OR hubspot_owner_id IS DISTINCT FROM raw_json->'properties'->>'hubspot_owner_id')
                || '/' || count(pipeline) FROM public.hubspot_deals_raw) || ' ' ||
        (SELECT count(*) FILTER (WHERE call_status IS DISTINCT FROM raw_json->'properties'->>'hs_call_status'
                                    OR call_disposition IS DISTINCT FROM raw_json->'properties'->>'hs_call_disposition'
                                    OR hubspot_owner_id IS DISTINCT FROM raw_json->'properties'->>'hubspot_owner_id')
                || '/' || count(call_status) FROM public.hubspot_calls_raw)")
    grep -qE '^0/[1-9][0-9]* 0/[1-9][0-9]* 0/[1-9][0-9]*$' <<<"$backfill" ||
        fail "typed columns not filled from raw_json (differing/filled per table): $backfill"

    # The updated schema is the fresh one.
    fresh_schema=$(sql "$fresh" -f describe.sql) || fail "could not describe $fresh"
    old_schema=$(sql "$old" -f describe.sql) || fail "could not describe $old"
    [ -n "$fresh_schema" ] || fail "describe.sql described nothing"
    schema_diff=$(diff <(echo "$fresh_schema") <(echo "$old_schema")) ||
        fail "the updated schema differs from a fresh install of $current:
    $schema_diff"

    # And it syncs again, from the cursors it kept.
    synced=$(sql "$old" -c "SET hubspot_sync.api_url = '$api'" -c "SET hubspot_sync.access_token = '$token'" \
                 -c "SELECT status FROM hubspot_sync('deals')" 2>&1) || fail "sync after the update failed: $synced"
    [ "$synced" = succeeded ] || fail "sync after the update: $synced"

    # The registry the update seeded is a fresh install's, and a type added
    # after the update syncs like the others.
    registry="SELECT t.object_type, api_name, table_name, modified_property, associations, extra_properties,
                     reads_pipelines, reads_owners, enabled, builtin, lock_key, scopes,
                     (SELECT string_agg(c.column_name || ':' || c.property || ':' || c.sql_type, ','
                                        ORDER BY c.position) FROM public.hubspot_object_columns c
                      WHERE c.object_type = t.object_type)
              FROM public.hubspot_object_types t ORDER BY lock_key"
    [ "$(sql "$old" -c "$registry")" = "$(sql "$fresh" -c "$registry")" ] ||
        fail "the updated registry differs from a fresh install's"
    added=$(sql "$old" -c "SET hubspot_sync.api_url = '$api'" -c "SET hubspot_sync.access_token = '$token'" \
                -c "SELECT hubspot_add_object('companies')" \
                -c "SELECT status || ' ' || mode || ' ' || records FROM hubspot_sync('companies')" 2>&1) ||
        fail "adding companies after the update failed: $added"
    grep -qE '^succeeded full [1-9][0-9]*$' <<<"$(tail -1 <<<"$added")" || fail "companies after the update: $added"

    sql postgres -c "DROP DATABASE $old" -c "DROP DATABASE $fresh"
    echo "test upgrade from $from                 ... ok"
}

# Every released version: the frozen install scripts, hubspot_sync--X.Y.sql.
status=0
for script in ../../hubspot_sync--*.sql; do
    from=$(sed -n 's/^.*hubspot_sync--\([0-9.]*\)\.sql$/\1/p' <<<"$script")
    [ -n "$from" ] && [ "$from" != "$current" ] || continue
    ( upgrade_from "$from" ) || status=1
done
exit $status
