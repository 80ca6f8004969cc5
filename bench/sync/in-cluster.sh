#!/usr/bin/env bash
# Run by bench/sync/run.sh inside pg_virtualenv (PGHOST/PGPORT/PGUSER set),
# with the mocks of run.sh listening.  Prints lines starting RESULT with the
# figures, and the run log rows behind them.
set -euo pipefail
B=${BENCH_DIR:?}
TOKEN=pat-na1-bench-token
URL_LIMITED=http://127.0.0.1:18800     # 150 ms, 100 per 10 s
URL_LIMITED190=http://127.0.0.1:18801  # 150 ms, 190 per 10 s
URL_FAST=http://127.0.0.1:18803        # no latency, no budget
URL_BIG=$URL_FAST/_size/290000x1000x200

q() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
set_rate() {
	q -c "ALTER SYSTEM SET hubspot_sync.rate_limit = $1" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 1
	echo "hubspot_sync.rate_limit = $(psql -XAtc 'SHOW hubspot_sync.rate_limit')"
}
fresh() {
	q -c "DROP EXTENSION IF EXISTS hubspot_sync CASCADE" -c "CREATE EXTENSION hubspot_sync" 2>&1 |
		grep -v '^NOTICE' || true
}
mock_reset() { curl -fsS -X POST "http://127.0.0.1:$1/_mock/stats/reset" >/dev/null; }
mock_stats() {
	echo "RESULT mock_stats $2 $(curl -fsS "http://127.0.0.1:$1/_mock/stats" |
		jq -c '{requests, responses_429, by_endpoint: (.by_endpoint | map_values(.requests))}')"
}
# BENCH_ONLY="full ingest" runs only those sections (full, incremental,
# ingest, memory); unset, all of them.
only() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime, 1/100 s

# run_sync LABEL URL CALL [SESSION_SQL]: run the call, print its wall time
# and the run log rows it made.
run_sync() {
	local label=$1 url=$2 call=$3 pre=${4:-}
	echo "== $label: $call against $url (load $(load))"
	q <<SQL
SET hubspot_sync.api_url = '$url';
$pre
SELECT coalesce(max(run_id), 0) AS last_run FROM hubspot_sync_runs \gset
SELECT clock_timestamp() AS t0, pg_current_wal_lsn() AS w0 \gset
SELECT object_type, status, mode, pages, records, inserted, updated, unchanged, archived,
       http_requests, retries, duration, error
FROM $call ORDER BY 1;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS wall_s,
       pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), :'w0')) AS wal \gset
\echo RESULT $label wall_s=:wall_s wal=:wal
SELECT object_type, mode, status, pages, http_requests, retries, rate_limited, records,
       round(extract(epoch FROM finished_at - started_at)::numeric, 2) AS seconds
FROM hubspot_sync_runs WHERE run_id > :last_run ORDER BY object_type;
SELECT 'RESULT ' || '$label' || ' totals requests=' || sum(http_requests) || ' rate_limited=' || sum(rate_limited)
       || ' retries=' || sum(retries) || ' pages=' || sum(pages) || ' records=' || sum(records)
FROM hubspot_sync_runs WHERE run_id > :last_run \g (tuples_only format=unaligned)
SQL
}

# poll_worker OBJECT: wait for that type's sync worker, read its
# /proc/<pid>/status every 50 ms until it exits, print the peaks.
poll_worker() {
	local label=$1 pid="" i
	for i in $(seq 1 600); do
		pid=$(psql -XAtc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'hubspot_sync worker'
		                  AND application_name = 'hubspot_sync contacts' LIMIT 1")
		[ -n "$pid" ] && break
		sleep 0.05
	done
	[ -n "$pid" ] || { echo "no contacts worker found" >&2; return 1; }
	local hwm=0 rss=0 anon=0 shm=0 first_rss="" samples=0 k v rest ticks=0 t
	while [ -r "/proc/$pid/status" ]; do
		while read -r k v rest; do
			case $k in
				VmHWM:) [ "$v" -gt "$hwm" ] && hwm=$v ;;
				VmRSS:) [ -z "$first_rss" ] && first_rss=$v; [ "$v" -gt "$rss" ] && rss=$v ;;
				RssAnon:) [ "$v" -gt "$anon" ] && anon=$v ;;
				RssShmem:) [ "$v" -gt "$shm" ] && shm=$v ;;
			esac
		done < "/proc/$pid/status" 2>/dev/null || true
		t=$(cpu_ticks "$pid" 2>/dev/null) && ticks=$t
		samples=$((samples + 1))
		sleep 0.05
	done
	echo "RESULT memory $label pid=$pid samples=$samples first_VmRSS_kB=$first_rss" \
		"peak_VmHWM_kB=$hwm peak_VmRSS_kB=$rss peak_RssAnon_kB=$anon peak_RssShmem_kB=$shm" \
		"worker_cpu_s=$(echo "scale=2; $ticks / 100" | bc)"
}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, load $(load)"
q -Atc "SELECT version()"
q -c "SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'fsync',
      'synchronous_commit', 'wal_level', 'max_wal_size', 'work_mem', 'max_worker_processes')
      OR name LIKE 'hubspot_sync.%' AND name NOT LIKE '%token%' ORDER BY 1"
echo "installed hubspot_sync.so: $(stat -c '%y %s' "$(pg_config --pkglibdir)/hubspot_sync.so")"

# ---------------------------------------------------------------------------
# 1. Full sync of all three, 150 ms a request, 100 requests per 10 s
# ---------------------------------------------------------------------------
if only full; then
# The list alone (one after chain per type), then list + search slice.
fresh
mock_reset 18800
run_sync full_rl100_list_only $URL_LIMITED "hubspot_sync_all(full => true)" \
	"SET hubspot_sync.parallel_full_sync = off;"
mock_stats 18800 full_rl100_list_only
sleep 11
fresh
mock_reset 18800
run_sync full_rl100 $URL_LIMITED "hubspot_sync_all(full => true)"
mock_stats 18800 full_rl100
fi

# ---------------------------------------------------------------------------
# 2. Incremental syncs, 150 ms: no change, then 500 changed contacts
# ---------------------------------------------------------------------------
# The 500 newest contacts: the cursor goes back to the 500th newest
# updatedAt, overlap 0, and their stored copy is made stale so that the sync
# rewrites them as it would real changes.
prepare_500() {
	q <<'SQL'
UPDATE hubspot_sync_state
SET last_modified_cursor = (SELECT updated_at FROM hubspot_contacts_raw
                            ORDER BY updated_at DESC OFFSET 499 LIMIT 1)
WHERE object_type = 'contacts';
UPDATE hubspot_contacts_raw SET raw_json = jsonb_set(raw_json, '{properties,firstname}', '"stale"')
WHERE hubspot_id IN (SELECT hubspot_id FROM hubspot_contacts_raw ORDER BY updated_at DESC LIMIT 500);
SELECT 'contacts at or after the cursor: ' || count(*) FROM hubspot_contacts_raw
WHERE updated_at >= (SELECT last_modified_cursor FROM hubspot_sync_state WHERE object_type = 'contacts')
\g (tuples_only format=unaligned)
SQL
}
if only incremental; then
sleep 11                                   # let the 10-second windows empty
mock_reset 18800
run_sync incr0_150ms $URL_LIMITED "hubspot_sync_all()"
mock_stats 18800 incr0_150ms
prepare_500
mock_reset 18800
run_sync incr500_150ms $URL_LIMITED "hubspot_sync_all()" "SET hubspot_sync.incremental_overlap = 0;"
mock_stats 18800 incr500_150ms

# Same data (the mock is deterministic), no latency.
mock_reset 18803
run_sync incr0_0ms $URL_FAST "hubspot_sync_all()"
mock_stats 18803 incr0_0ms
prepare_500
mock_reset 18803
run_sync incr500_0ms $URL_FAST "hubspot_sync_all()" "SET hubspot_sync.incremental_overlap = 0;"
mock_stats 18803 incr500_0ms
fi

# ---------------------------------------------------------------------------
# 1b. Full sync, 190 requests per 10 s
# ---------------------------------------------------------------------------
if only full; then
set_rate 190
fresh
sleep 5
mock_reset 18801
run_sync full_rl190_list_only $URL_LIMITED190 "hubspot_sync_all(full => true)" \
	"SET hubspot_sync.parallel_full_sync = off;"
mock_stats 18801 full_rl190_list_only
sleep 11
fresh
mock_reset 18801
run_sync full_rl190 $URL_LIMITED190 "hubspot_sync_all(full => true)"
mock_stats 18801 full_rl190

# The plain approach, measured without a database: three after chains in
# parallel threads against the same mock (150 ms, 190 per 10 s).
sleep 11
mock_reset 18801
echo "RESULT plain_chains_150ms $(python3 "$B/plain_chains.py" $URL_LIMITED190 $TOKEN)"
mock_stats 18801 plain_chains_150ms
fi

# ---------------------------------------------------------------------------
# 3. Ingest speed, no latency: full contacts sync vs plain SQL upsert
# ---------------------------------------------------------------------------
if only ingest; then
set_rate 1000
fresh
q -c CHECKPOINT
mock_reset 18803
m0=$(cpu_ticks "$MOCK_PID_18803")
run_sync ingest_contacts $URL_FAST "hubspot_sync('contacts', full => true)"
m1=$(cpu_ticks "$MOCK_PID_18803")
echo "RESULT ingest_contacts mock_cpu_s=$(echo "scale=2; ($m1 - $m0) / 100" | bc)"
mock_stats 18803 ingest_contacts
q -c "SELECT pg_size_pretty(pg_total_relation_size('hubspot_contacts_raw')) AS contacts_table_with_indexes"
run_sync resync_unchanged_contacts $URL_FAST "hubspot_sync('contacts', full => true)"

pages=$(mktemp /tmp/hubspot_bench_pages.XXXXXX)
chmod 644 "$pages"
m0=$(cpu_ticks "$MOCK_PID_18803")
echo "RESULT fetch_only $(python3 "$B/fetch_pages.py" $URL_FAST $TOKEN "$pages")" \
	"mock_cpu_s=$(echo "scale=2; ($(cpu_ticks "$MOCK_PID_18803") - $m0) / 100" | bc)"
echo "pages file: $(du -h "$pages" | cut -f1)"
q -f "$B/plain_upsert.sql" < "$pages"
rm -f "$pages"
fi

# ---------------------------------------------------------------------------
# 4. Peak memory of the contacts worker: 29,000 and 290,000 contacts
# ---------------------------------------------------------------------------
if only memory; then
set_rate 1000
fresh
q -Atc "SET hubspot_sync.api_url = '$URL_FAST'; SELECT object_type, status, records, duration FROM hubspot_sync('contacts', full => true)" &
sync_pid=$!
poll_worker 29000
wait $sync_pid

echo "warming the mock's 290,000-contact data set (generated on first use)"
t0=$(date +%s.%N)
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL_BIG/crm/v3/objects/contacts?limit=1"
echo "mock generated 290,000 contacts in $(echo "$(date +%s.%N) - $t0" | bc) s"
fresh
q -c CHECKPOINT
run_sync ingest_290k $URL_BIG "hubspot_sync('contacts', full => true)" &
sync_pid=$!
poll_worker 290000
wait $sync_pid
q -c "SELECT pg_size_pretty(pg_total_relation_size('hubspot_contacts_raw')) AS contacts_table_with_indexes"
fi
echo "== done (load $(load))"
