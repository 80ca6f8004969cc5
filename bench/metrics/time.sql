-- Time each metric query and view: server-side, planning included, the
-- median of :runs runs after one warm-up run.  psql variable: runs.
\set ON_ERROR_STOP on
CREATE OR REPLACE FUNCTION pg_temp.bench_ms(query text, runs integer) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	t timestamptz;
	times numeric[] := '{}';
BEGIN
	EXECUTE 'SELECT count(*) FROM (' || query || ') q';		-- warm-up
	FOR i IN 1 .. runs LOOP
		t := clock_timestamp();
		EXECUTE 'SELECT count(*) FROM (' || query || ') q';
		times := times || (extract(epoch FROM clock_timestamp() - t) * 1000)::numeric;
	END LOOP;
	RETURN round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(times) x)::numeric, 2);
END $$;

SELECT q.label AS query, pg_temp.bench_ms(q.sql, :runs) AS median_ms
FROM (VALUES
	(1, 'hubspot_metrics(NULL, NULL)  -- all time', 'SELECT * FROM hubspot_metrics(NULL, NULL)'),
	(2, 'hubspot_metrics(last 365 days)', 'SELECT * FROM hubspot_metrics(''2024-01-01'', ''2025-01-01'')'),
	(3, 'hubspot_metrics(last 30 days)', 'SELECT * FROM hubspot_metrics(''2024-12-01'', ''2025-01-01'')'),
	(4, 'hubspot_metrics_by_deal_stage  (view)', 'SELECT * FROM hubspot_metrics_by_deal_stage'),
	(5, 'hubspot_metrics_by_payment_status  (view)', 'SELECT * FROM hubspot_metrics_by_payment_status'),
	(6, 'hubspot_metrics_by_script_version  (view)', 'SELECT * FROM hubspot_metrics_by_script_version'),
	(7, 'hubspot_metrics_by_week  (view)', 'SELECT * FROM hubspot_metrics_by_week'),
	(8, 'hubspot_metrics_by_script_version(last 30 days)', 'SELECT * FROM hubspot_metrics_by_script_version(''2024-12-01'', ''2025-01-01'')'),
	(9, 'hubspot_metrics_by_week(last 365 days)', 'SELECT * FROM hubspot_metrics_by_week(''2024-01-01'', ''2025-01-01'')'),
	(10, 'hubspot_metrics(last 365 days, pipeline default)', 'SELECT * FROM hubspot_metrics(''2024-01-01'', ''2025-01-01'', ''default'')'),
	(11, 'hubspot_metrics_by_owner  (view)', 'SELECT * FROM hubspot_metrics_by_owner'),
	(12, 'hubspot_metrics_by_owner(last 30 days)', 'SELECT * FROM hubspot_metrics_by_owner(''2024-12-01'', ''2025-01-01'')'),
	(13, 'hubspot_calls_with_contacts  (all calls)', 'SELECT * FROM hubspot_calls_with_contacts')
	) AS q(n, label, sql)
ORDER BY q.n;
