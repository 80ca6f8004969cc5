#!/usr/bin/env bash
# Load generated data at the design's size and at ten times it, then time
# every metric query and view.  Uses the server libpq finds (PGHOST,
# PGPORT, PGUSER...), creating databases hubspot_metrics_bench_1x/_10x;
# hubspot_sync must be installed (make install).
#   bash bench/metrics/run.sh            # both sizes
#   RUNS=21 bash bench/metrics/run.sh 10x
# or on a throwaway cluster: pg_virtualenv -v 15 bash bench/metrics/run.sh
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-11}
sizes=("${@:-1x 10x}")
for size in ${sizes[@]}; do
	case $size in
		1x)  contacts=29000;  deals=1000;  calls=150 ;;
		10x) contacts=290000; deals=10000; calls=50000 ;;
		*) echo "unknown size $size (1x or 10x)" >&2; exit 2 ;;
	esac
	db=hubspot_metrics_bench_$size
	echo "== $size: $contacts contacts, $deals deals, $calls calls"
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	psql -X -q -d "$db" -c "CREATE EXTENSION hubspot_sync"
	start=$(date +%s.%N)
	psql -X -q -d "$db" -v contacts=$contacts -v deals=$deals -v calls=$calls -f load.sql
	echo "load (with the metrics triggers): $(echo "$(date +%s.%N) - $start" | bc) s"
	psql -X -q -d "$db" -v runs=$RUNS -f time.sql
	psql -X -q -d "$db" -v runs=$RUNS -f upsert.sql
done
