-- The triggers' cost on a sync-like page: one INSERT ... ON CONFLICT DO
-- UPDATE of 100 rows, as the sync writes a page.  Timed with the metrics
-- triggers enabled and disabled (the cost before they existed); median of
-- :runs runs, each on other rows, in one transaction that is rolled back.
-- Cases per table: 100 new rows; 100 existing rows whose raw_json changed
-- but not the columns the side tables depend on (what most re-syncs are);
-- 100 existing rows whose linking columns changed (contacts: phone; deals:
-- associations; calls: timestamp).
\set ON_ERROR_STOP on
BEGIN;
CREATE FUNCTION pg_temp.page_ms(tbl text, sql text, runs integer, triggers boolean) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	t timestamptz;
	times numeric[] := '{}';
BEGIN
	EXECUTE format('ALTER TABLE %I %s TRIGGER hubspot_metrics_insert', tbl, CASE WHEN triggers THEN 'ENABLE' ELSE 'DISABLE' END);
	EXECUTE format('ALTER TABLE %I %s TRIGGER hubspot_metrics_update', tbl, CASE WHEN triggers THEN 'ENABLE' ELSE 'DISABLE' END);
	FOR r IN 1 .. runs + 1 LOOP		-- the first run warms up
		t := clock_timestamp();
		EXECUTE sql USING r + CASE WHEN triggers THEN 20 ELSE 0 END;	-- other rows
		IF r > 1 THEN
			times := times || (extract(epoch FROM clock_timestamp() - t) * 1000)::numeric;
		END IF;
	END LOOP;
	EXECUTE format('ALTER TABLE %I ENABLE TRIGGER hubspot_metrics_insert', tbl);
	EXECUTE format('ALTER TABLE %I ENABLE TRIGGER hubspot_metrics_update', tbl);
	RETURN round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(times) x)::numeric, 2);
END $$;

CREATE TEMP TABLE page_cases (n int, tbl text, label text, sql text);
INSERT INTO page_cases VALUES
(1, 'hubspot_contacts_raw', 'contacts: 100 new',
 $q$INSERT INTO hubspot_contacts_raw AS t (hubspot_id, phone, createdate, vsl_watched, sales_script_version, raw_json)
	SELECT 'new-' || $1 || '-' || i, '+33 6 ' || lpad((i * 97 + $1)::text, 8, '0'), timestamptz '2024-06-01' + i * interval '1 hour',
		   true, 'v1', jsonb_build_object('id', 'new-' || $1 || '-' || i, 'properties', jsonb_build_object('firstname', 'x'))
	FROM generate_series(1, 100) i
	ON CONFLICT (hubspot_id) DO UPDATE SET phone = EXCLUDED.phone, createdate = EXCLUDED.createdate, raw_json = EXCLUDED.raw_json
	WHERE t.raw_json <> EXCLUDED.raw_json$q$),
(2, 'hubspot_contacts_raw', 'contacts: 100 changed, same phone',
 $q$INSERT INTO hubspot_contacts_raw AS t (hubspot_id, phone, createdate, vsl_watched, sales_script_version, raw_json)
	SELECT hubspot_id, phone, createdate, vsl_watched, sales_script_version, raw_json || jsonb_build_object('updatedAt', $1)
	FROM hubspot_contacts_raw WHERE hubspot_id IN (SELECT (100000000000 + $1 * 100 + i)::text FROM generate_series(1, 100) i)
	ON CONFLICT (hubspot_id) DO UPDATE SET phone = EXCLUDED.phone, createdate = EXCLUDED.createdate, vsl_watched = EXCLUDED.vsl_watched,
		sales_script_version = EXCLUDED.sales_script_version, raw_json = EXCLUDED.raw_json
	WHERE t.raw_json <> EXCLUDED.raw_json$q$),
(3, 'hubspot_contacts_raw', 'contacts: 100 changed, new phone',
 $q$INSERT INTO hubspot_contacts_raw AS t (hubspot_id, phone, createdate, vsl_watched, sales_script_version, raw_json)
	SELECT hubspot_id, '+33 7 ' || lpad($1::text, 8, '0'), createdate, vsl_watched, sales_script_version, raw_json || jsonb_build_object('updatedAt', $1)
	FROM hubspot_contacts_raw WHERE hubspot_id IN (SELECT (100000000000 + 10000 + $1 * 100 + i)::text FROM generate_series(1, 100) i)
	ON CONFLICT (hubspot_id) DO UPDATE SET phone = EXCLUDED.phone, raw_json = EXCLUDED.raw_json
	WHERE t.raw_json <> EXCLUDED.raw_json$q$),
(4, 'hubspot_deals_raw', 'deals: 100 new',
 $q$INSERT INTO hubspot_deals_raw AS t (hubspot_id, amount, dealstage, createdate, raw_json)
	SELECT 'new-' || $1 || '-' || i, 1000, 'appointmentscheduled', timestamptz '2024-06-01' + i * interval '1 hour',
		   jsonb_build_object('associations', jsonb_build_object('contacts', jsonb_build_object('results',
			   jsonb_build_array(jsonb_build_object('id', (100000000000 + $1 * 100 + i)::text, 'type', 'deal_to_contact')))))
	FROM generate_series(1, 100) i
	ON CONFLICT (hubspot_id) DO UPDATE SET raw_json = EXCLUDED.raw_json WHERE t.raw_json <> EXCLUDED.raw_json$q$),
(5, 'hubspot_deals_raw', 'deals: 100 changed, same associations',
 $q$INSERT INTO hubspot_deals_raw AS t (hubspot_id, amount, dealstage, createdate, raw_json)
	SELECT hubspot_id, amount, dealstage, createdate, raw_json || jsonb_build_object('updatedAt', $1)
	FROM hubspot_deals_raw WHERE hubspot_id IN (SELECT (200000000000 + ($1 * 100 + i) % 1000)::text FROM generate_series(1, 100) i)
	ON CONFLICT (hubspot_id) DO UPDATE SET amount = EXCLUDED.amount, dealstage = EXCLUDED.dealstage, raw_json = EXCLUDED.raw_json
	WHERE t.raw_json <> EXCLUDED.raw_json$q$),
(6, 'hubspot_deals_raw', 'deals: 100 changed, new associations',
 $q$INSERT INTO hubspot_deals_raw AS t (hubspot_id, amount, dealstage, createdate, raw_json)
	SELECT hubspot_id, amount, dealstage, createdate,
		   jsonb_set(raw_json, '{associations,contacts,results}', jsonb_build_array(jsonb_build_object('id', (100000000000 + $1 * 7 + right(hubspot_id, 3)::int)::text)))
	FROM hubspot_deals_raw WHERE hubspot_id IN (SELECT (200000000000 + ($1 * 100 + i) % 1000)::text FROM generate_series(1, 100) i)
	ON CONFLICT (hubspot_id) DO UPDATE SET raw_json = EXCLUDED.raw_json WHERE t.raw_json <> EXCLUDED.raw_json$q$),
(7, 'hubspot_calls_raw', 'calls: 100 new',
 $q$INSERT INTO hubspot_calls_raw AS t (hubspot_id, call_duration, call_direction, call_to_number, call_from_number, call_timestamp, raw_json)
	SELECT 'new-' || $1 || '-' || i, 60000, 'OUTBOUND', '+336' || lpad(($1 * 100 + i)::text, 8, '0'), '+33 1 86 95 00 00',
		   timestamptz '2024-12-01' + i * interval '1 minute', '{}'
	FROM generate_series(1, 100) i
	ON CONFLICT (hubspot_id) DO UPDATE SET raw_json = EXCLUDED.raw_json WHERE t.raw_json <> EXCLUDED.raw_json$q$),
(8, 'hubspot_calls_raw', 'calls: 100 changed, same number and time',
 $q$INSERT INTO hubspot_calls_raw AS t (hubspot_id, call_duration, call_direction, call_to_number, call_from_number, call_timestamp, raw_json)
	SELECT hubspot_id, call_duration, call_direction, call_to_number, call_from_number, call_timestamp, raw_json || jsonb_build_object('updatedAt', $1)
	FROM hubspot_calls_raw WHERE hubspot_id IN (SELECT (300000000000 + ($1 * 100 + i) % 150)::text FROM generate_series(1, 100) i)
	ON CONFLICT (hubspot_id) DO UPDATE SET call_timestamp = EXCLUDED.call_timestamp, raw_json = EXCLUDED.raw_json
	WHERE t.raw_json <> EXCLUDED.raw_json$q$),
(9, 'hubspot_calls_raw', 'calls: 100 changed, new time',
 $q$INSERT INTO hubspot_calls_raw AS t (hubspot_id, call_duration, call_direction, call_to_number, call_from_number, call_timestamp, raw_json)
	SELECT hubspot_id, call_duration, call_direction, call_to_number, call_from_number, call_timestamp - $1 * interval '1 minute',
		   raw_json || jsonb_build_object('updatedAt', $1)
	FROM hubspot_calls_raw WHERE hubspot_id IN (SELECT (300000000000 + ($1 * 100 + i) % 150)::text FROM generate_series(1, 100) i)
	ON CONFLICT (hubspot_id) DO UPDATE SET call_timestamp = EXCLUDED.call_timestamp, raw_json = EXCLUDED.raw_json
	WHERE t.raw_json <> EXCLUDED.raw_json$q$);

SELECT label AS page_upsert, pg_temp.page_ms(tbl, sql, :runs, false) AS without_triggers_ms,
	   pg_temp.page_ms(tbl, sql, :runs, true) AS with_triggers_ms
FROM page_cases ORDER BY n;
ROLLBACK;
