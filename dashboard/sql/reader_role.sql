-- The dashboard's role: it can read the metrics, their breakdowns and the
-- sync's status, and nothing else.  Run as a superuser (or the extension's
-- owner) in the database the dashboard reads, after CREATE EXTENSION
-- hubspot_sync and again after each ALTER EXTENSION hubspot_sync UPDATE
-- (it is idempotent):
--
--   psql -d yourdb -f dashboard/sql/reader_role.sql
--   CREATE ROLE dashboard LOGIN PASSWORD '...' IN ROLE hubspot_reader;
--
-- then point the dashboard's DATABASE_URL at that login role.
--
-- What hubspot_reader gets:
--   * USAGE on the extension's schema;
--   * EXECUTE on hubspot_metrics() and the hubspot_metrics_by_*()
--     breakdowns, SELECT on their all-time views and on hubspot_sync_status;
--   * SELECT on the columns those functions read.  They run with the
--     caller's rights (they are not SECURITY DEFINER), so the reader needs
--     them; it gets the typed columns of the synced tables, of the
--     pipelines, stages and owners (1.2) but not the personal ones
--     (contacts' email, phone and names, calls' numbers) nor raw_json;
--     the views hubspot_deals and hubspot_deal_stages (1.2); the
--     stage-outcome, status-value and call-outcome tables and the
--     metrics' side tables of ids and counts.
-- What it does not get: the token (a superuser-only setting in any case),
-- hubspot_sync(), hubspot_sync_all() and hubspot_run_sync() (the extension
-- revokes them from PUBLIC), the run log's table, the sync state, the
-- property definitions, hubspot_calls_with_contacts and
-- deals_with_contacts (they show names and emails), the phone side tables
-- (hubspot_contact_numbers, hubspot_call_numbers), the metrics settings,
-- any write.
\set ON_ERROR_STOP on

DO $reader$
DECLARE
	ext_schema name;
	t record;
	cols text;
BEGIN
	SELECT n.nspname INTO ext_schema
	FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
	WHERE e.extname = 'hubspot_sync';
	IF ext_schema IS NULL THEN
		RAISE EXCEPTION 'hubspot_sync is not installed in database %', pg_catalog.current_database()
			USING HINT = 'Run CREATE EXTENSION hubspot_sync first.';
	END IF;

	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'hubspot_reader') THEN
		CREATE ROLE hubspot_reader NOLOGIN;
	END IF;
	EXECUTE pg_catalog.format('COMMENT ON ROLE hubspot_reader IS %L',
		'reads hubspot_sync''s metrics, breakdowns and sync status (dashboard/sql/reader_role.sql)');
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO hubspot_reader', ext_schema);

	-- The metrics and breakdown functions of the extension, whatever their
	-- arguments (a later version may add some), but not the maintenance
	-- ones (rebuild, refresh), which the extension keeps from PUBLIC.
	FOR t IN
		SELECT p.oid::regprocedure AS fn
		FROM pg_catalog.pg_proc p
		JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
			AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
		JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'hubspot_sync'
		WHERE p.proname = 'hubspot_metrics' OR p.proname LIKE 'hubspot\_metrics\_by\_%'
			OR p.proname = 'hubspot_deal_status_counts'
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO hubspot_reader', t.fn);
	END LOOP;

	-- The views: the status, each breakdown's all-time view, and (from 1.2)
	-- the deals and stages as the metrics see them (labels, outcome; no
	-- raw_json, no contact).
	FOR t IN
		SELECT c.oid::regclass AS rel
		FROM pg_catalog.pg_class c
		WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ext_schema)
		  AND c.relkind = 'v'
		  AND (c.relname IN ('hubspot_sync_status', 'hubspot_deals', 'hubspot_deal_stages')
			   OR c.relname LIKE 'hubspot\_metrics\_by\_%')
	LOOP
		EXECUTE pg_catalog.format('GRANT SELECT ON %s TO hubspot_reader', t.rel);
	END LOOP;

	-- Tables the metrics read whole: which stages are won, which statuses
	-- and call outcomes count (1.2), and the side tables of ids, dates and
	-- counts.  Not the phone side tables (hubspot_contact_numbers,
	-- hubspot_call_numbers: phone numbers), which only the triggers read.
	FOR t IN
		SELECT c.oid::regclass AS rel
		FROM pg_catalog.pg_class c
		WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ext_schema)
		  AND c.relkind = 'r'
		  AND c.relname IN ('hubspot_deal_stage_outcomes', 'hubspot_deal_status_values',
							'hubspot_call_dispositions', 'hubspot_deal_contacts', 'hubspot_contact_metrics')
	LOOP
		EXECUTE pg_catalog.format('GRANT SELECT ON %s TO hubspot_reader', t.rel);
	END LOOP;

	-- Tables the metrics read some columns of: every column but raw_json
	-- and the personal ones.  Pipelines, stages and owners exist from 1.2;
	-- an owner's email (a sales rep's work address, which
	-- hubspot_metrics_by_owner returns) is readable, a contact's is not.
	FOR t IN
		SELECT c.oid::regclass AS rel, c.oid, v.hidden
		FROM pg_catalog.pg_class c
		JOIN (VALUES ('hubspot_contacts_raw', ARRAY['raw_json', 'email', 'phone', 'firstname', 'lastname']),
					 ('hubspot_deals_raw', ARRAY['raw_json']),
					 ('hubspot_calls_raw', ARRAY['raw_json', 'call_to_number', 'call_from_number']),
					 ('hubspot_pipelines', ARRAY['raw_json']),
					 ('hubspot_pipeline_stages', ARRAY['raw_json']),
					 ('hubspot_owners', ARRAY['raw_json'])) AS v(relname, hidden)
		  ON v.relname = c.relname
		WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ext_schema)
		  AND c.relkind = 'r'
	LOOP
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
		FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
		  AND a.attname <> ALL (t.hidden);
		EXECUTE pg_catalog.format('GRANT SELECT (%s) ON %s TO hubspot_reader', cols, t.rel);
	END LOOP;
END
$reader$;
