-- Sync bookkeeping.

CREATE TABLE hubspot_sync_state (
	object_type text PRIMARY KEY,
	full_sync_phase text CHECK (full_sync_phase IN ('live', 'archived')),
	full_sync_after text,
	full_sync_started_at timestamptz,
	full_sync_max_modified timestamptz,
	full_sync_list_high text,
	full_sync_search_low text,
	last_full_sync_at timestamptz,
	last_modified_cursor timestamptz
);
COMMENT ON COLUMN hubspot_sync_state.full_sync_phase IS 'list of an unfinished full sync (live records, then archived ones): the next run resumes there';
COMMENT ON COLUMN hubspot_sync_state.last_modified_cursor IS 'incremental syncs ask for records modified at or after this, less hubspot_sync.incremental_overlap';
COMMENT ON TABLE hubspot_sync_state IS 'per object type: where an unfinished full sync stopped, and when the last one finished';
COMMENT ON COLUMN hubspot_sync_state.full_sync_after IS 'paging cursor in that list (NULL: its first page)';
COMMENT ON COLUMN hubspot_sync_state.full_sync_list_high IS 'highest id the unfinished full sync''s list has written: it covers every id up to there (9223372036854775807: the list is not in id order, it covers nothing early)';
COMMENT ON COLUMN hubspot_sync_state.full_sync_search_low IS 'lowest id the unfinished full sync''s search slice has written: it covers every id from there up';

-- The ids an unfinished full sync has seen, from its list and its search
-- slice (two processes), so a complete one can mark the rest gone.
-- Unlogged: a crash empties it, and a resumed full sync never marks.
CREATE UNLOGGED TABLE hubspot_sync_seen (
	object_type text NOT NULL,
	hubspot_id text NOT NULL,
	PRIMARY KEY (object_type, hubspot_id)
);
COMMENT ON TABLE hubspot_sync_seen IS 'ids seen so far by the running full sync of each object type; emptied when it ends';

CREATE TABLE hubspot_sync_runs (
	run_id bigserial PRIMARY KEY,
	object_type text NOT NULL,
	mode text NOT NULL,
	status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'aborted')),
	started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	finished_at timestamptz,
	pages integer NOT NULL DEFAULT 0,
	http_requests integer NOT NULL DEFAULT 0,
	retries integer NOT NULL DEFAULT 0,
	rate_limited integer NOT NULL DEFAULT 0,
	records bigint NOT NULL DEFAULT 0,
	inserted bigint NOT NULL DEFAULT 0,
	updated bigint NOT NULL DEFAULT 0,
	unchanged bigint NOT NULL DEFAULT 0,
	warnings bigint NOT NULL DEFAULT 0,
	archived bigint NOT NULL DEFAULT 0,
	error_message text,
	started_by text,
	daily_remaining integer
);
COMMENT ON COLUMN hubspot_sync_runs.daily_remaining IS 'the fewest of the day''s requests HubSpot said during the run that the portal''s private apps had left (X-HubSpot-RateLimit-Daily-Remaining); NULL if it did not say';
COMMENT ON COLUMN hubspot_sync_runs.started_by IS 'application_name and session user of whoever started the run (the scheduler, pg_cron, psql, ...)';
SELECT pg_catalog.pg_extension_config_dump('hubspot_sync_state', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_sync_runs', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_sync_runs_run_id_seq', '');
COMMENT ON TABLE hubspot_sync_runs IS 'one row per sync of one object type, whoever started it';
CREATE INDEX hubspot_sync_runs_object_type_idx ON hubspot_sync_runs (object_type, run_id);

CREATE VIEW hubspot_sync_status AS
SELECT t.object_type,
	   r.run_id AS last_run_id,
	   r.status AS last_status,
	   r.mode AS last_mode,
	   r.started_at AS last_started_at,
	   r.finished_at AS last_finished_at,
	   r.error_message AS last_error,
	   r.started_by AS last_started_by,
	   s.last_full_sync_at,
	   s.full_sync_phase IS NOT NULL AS full_sync_unfinished,
	   s.last_modified_cursor AS cursor,
	   (SELECT pg_catalog.max(ok.finished_at) FROM @extschema@.hubspot_sync_runs ok
		 WHERE ok.object_type OPERATOR(pg_catalog.=) t.object_type
		   AND ok.status OPERATOR(pg_catalog.=) 'succeeded') AS last_success_at,
	   pg_catalog.now() OPERATOR(pg_catalog.-)
	   (SELECT pg_catalog.max(ok.finished_at) FROM @extschema@.hubspot_sync_runs ok
		 WHERE ok.object_type OPERATOR(pg_catalog.=) t.object_type
		   AND ok.status OPERATOR(pg_catalog.=) 'succeeded') AS staleness,
	   r.daily_remaining AS daily_requests_left
FROM @extschema@.hubspot_object_types t
LEFT JOIN @extschema@.hubspot_sync_state s ON s.object_type OPERATOR(pg_catalog.=) t.object_type
LEFT JOIN LATERAL (
	SELECT * FROM @extschema@.hubspot_sync_runs x
	 WHERE x.object_type OPERATOR(pg_catalog.=) t.object_type
	 ORDER BY x.run_id DESC LIMIT 1) r ON true
WHERE t.enabled;
COMMENT ON VIEW hubspot_sync_status IS 'per enabled object type: the last run, its outcome, and how stale the data is';

CREATE TABLE hubspot_properties (
	object_type text NOT NULL,
	name text NOT NULL,
	label text,
	type text,
	field_type text,
	group_name text,
	description text,
	hidden boolean,
	calculated boolean,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (object_type, name)
);
COMMENT ON TABLE hubspot_properties IS 'HubSpot''s property definitions per object type, as of the last sync; every one of them is synced into raw_json';
SELECT pg_catalog.pg_extension_config_dump('hubspot_properties', '');
