/* hubspot_sync--1.2.sql */

\echo Use "CREATE EXTENSION hubspot_sync" to load this file. \quit
-- Value conversion: HubSpot sends every property as a string.  These turn
-- one into a typed value, or NULL when it does not convert (never an error).

CREATE FUNCTION hubspot_parse_timestamp(value text) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'hubspot_parse_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_parse_timestamp(text) IS
	'ISO 8601 (UTC unless a zone is given), a date alone (midnight UTC) or epoch milliseconds, in years 1 to 9999; NULL when none of these';

CREATE FUNCTION hubspot_parse_numeric(value text) RETURNS numeric
	AS 'MODULE_PATHNAME', 'hubspot_parse_numeric'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_parse_numeric(text) IS
	'a plain decimal number ([+-]digits[.digits][e[+-]digits], at most 1000 characters, exponent within +-1000); NULL otherwise, NaN and Infinity included';

CREATE FUNCTION hubspot_parse_integer(value text) RETURNS integer
	AS 'MODULE_PATHNAME', 'hubspot_parse_integer'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_parse_integer(text) IS
	'"3" and "3.0" give 3; fractions, text and out-of-range values give NULL';

CREATE FUNCTION hubspot_parse_boolean(value text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'hubspot_parse_boolean'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Phone numbers: one comparable form, for the calls <-> contacts link.

CREATE FUNCTION hubspot_normalize_phone(phone text) RETURNS text
	AS 'MODULE_PATHNAME', 'hubspot_normalize_phone'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_normalize_phone(text) IS
	'digits of an international number without + or 00 (+33 6 12 34 56 78 -> 33612345678); national forms keep their trunk 0; NULL for garbage';

CREATE FUNCTION hubspot_normalize_phone(phone text, default_country_code text) RETURNS text
	AS 'MODULE_PATHNAME', 'hubspot_normalize_phone_cc'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_normalize_phone(text, text) IS
	'like hubspot_normalize_phone(text), with national forms (06 12 34 56 78) put in the given country (33 -> 33612345678); with 1, ten digits whose first three can be an area code (not N9X or N11) get the 1; a result normalised again is unchanged, except with 1 for a 10-digit international number whose first three digits can be an area code';
-- The mirrored objects: typed columns for what the metrics need, the whole
-- object as HubSpot returned it in raw_json.

CREATE TABLE hubspot_contacts_raw (
	hubspot_id text PRIMARY KEY,
	email text,
	phone text,
	firstname text,
	lastname text,
	createdate timestamptz,
	lifecyclestage text,
	vsl_watched boolean,
	sales_script_version text,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz,
	archived boolean NOT NULL DEFAULT false,
	archived_at timestamptz,
	archived_reason text,
	-- 1.2 (an update appends them: keep them last, in this order)
	hubspot_owner_id text
);
COMMENT ON COLUMN hubspot_contacts_raw.archived IS 'deleted in HubSpot (archived, merged away or gone): kept here, left out of views and metrics';
COMMENT ON TABLE hubspot_contacts_raw IS 'HubSpot contacts, as of the last sync';
COMMENT ON COLUMN hubspot_contacts_raw.synced_at IS 'when a sync last wrote this row (inserted it or changed it)';
COMMENT ON COLUMN hubspot_contacts_raw.updated_at IS 'HubSpot''s updatedAt: when the record last changed in HubSpot';
CREATE INDEX hubspot_contacts_raw_phone_idx ON hubspot_contacts_raw (phone);
CREATE INDEX hubspot_contacts_raw_email_idx ON hubspot_contacts_raw (email);
CREATE INDEX hubspot_contacts_raw_createdate_idx ON hubspot_contacts_raw (createdate);
CREATE INDEX hubspot_contacts_raw_phone_normalized_idx
	ON hubspot_contacts_raw (@extschema@.hubspot_normalize_phone(phone));
CREATE INDEX hubspot_contacts_raw_raw_json_idx ON hubspot_contacts_raw USING gin (raw_json);

CREATE TABLE hubspot_deals_raw (
	hubspot_id text PRIMARY KEY,
	amount numeric,
	dealstage text,
	createdate timestamptz,
	closedate timestamptz,
	qualified_status text,
	trial_status text,
	payment_status text,
	number_of_installments__months integer,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz,
	archived boolean NOT NULL DEFAULT false,
	archived_at timestamptz,
	archived_reason text,
	-- 1.2 (an update appends them: keep them last, in this order)
	hubspot_owner_id text,
	pipeline text
);
COMMENT ON COLUMN hubspot_deals_raw.archived IS 'deleted in HubSpot (archived, merged away or gone): kept here, left out of views and metrics';
COMMENT ON TABLE hubspot_deals_raw IS 'HubSpot deals, as of the last sync';
COMMENT ON COLUMN hubspot_deals_raw.synced_at IS 'when a sync last wrote this row (inserted it or changed it)';
COMMENT ON COLUMN hubspot_deals_raw.updated_at IS 'HubSpot''s updatedAt: when the record last changed in HubSpot';
CREATE INDEX hubspot_deals_raw_dealstage_idx ON hubspot_deals_raw (dealstage);
CREATE INDEX hubspot_deals_raw_amount_idx ON hubspot_deals_raw (amount);
CREATE INDEX hubspot_deals_raw_closedate_idx ON hubspot_deals_raw (closedate);
CREATE INDEX hubspot_deals_raw_payment_status_idx ON hubspot_deals_raw (payment_status);
CREATE INDEX hubspot_deals_raw_raw_json_idx ON hubspot_deals_raw USING gin (raw_json);

CREATE TABLE hubspot_calls_raw (
	hubspot_id text PRIMARY KEY,
	call_duration integer,
	call_direction text,
	call_to_number text,
	call_from_number text,
	call_timestamp timestamptz,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz,
	archived boolean NOT NULL DEFAULT false,
	archived_at timestamptz,
	archived_reason text,
	-- 1.2 (an update appends them: keep them last, in this order)
	hubspot_owner_id text,
	call_status text,
	call_disposition text
);
COMMENT ON COLUMN hubspot_calls_raw.archived IS 'deleted in HubSpot (archived, merged away or gone): kept here, left out of views and metrics';
COMMENT ON TABLE hubspot_calls_raw IS 'HubSpot calls, as of the last sync';
COMMENT ON COLUMN hubspot_calls_raw.call_duration IS 'milliseconds, as HubSpot''s hs_call_duration';
COMMENT ON COLUMN hubspot_calls_raw.synced_at IS 'when a sync last wrote this row (inserted it or changed it)';
COMMENT ON COLUMN hubspot_calls_raw.updated_at IS 'HubSpot''s updatedAt: when the record last changed in HubSpot';
CREATE INDEX hubspot_calls_raw_call_to_number_idx ON hubspot_calls_raw (call_to_number);
CREATE INDEX hubspot_calls_raw_call_timestamp_idx ON hubspot_calls_raw (call_timestamp);
CREATE INDEX hubspot_calls_raw_call_duration_idx ON hubspot_calls_raw (call_duration);
CREATE INDEX hubspot_calls_raw_raw_json_idx ON hubspot_calls_raw USING gin (raw_json);

-- pg_dump keeps the synced data and the run log with the extension.
SELECT pg_catalog.pg_extension_config_dump('hubspot_contacts_raw', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_deals_raw', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_calls_raw', '');
-- Deal pipelines and their stages, and the portal's owners (sales reps), as
-- of the last sync.  Every run of a deals sync (full or incremental) reads
-- the pipelines; every run of any object type reads the owners it needs.

CREATE TABLE hubspot_pipelines (
	object_type text NOT NULL,
	pipeline_id text NOT NULL,
	label text,
	display_order integer,
	archived boolean NOT NULL DEFAULT false,
	created_at timestamptz,
	updated_at timestamptz,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (object_type, pipeline_id)
);
COMMENT ON TABLE hubspot_pipelines IS 'HubSpot pipelines (GET /crm/v3/pipelines/{objectType}), as of the last sync';
COMMENT ON COLUMN hubspot_pipelines.archived IS 'archived in HubSpot, or no longer listed by it';

CREATE TABLE hubspot_pipeline_stages (
	object_type text NOT NULL,
	pipeline_id text NOT NULL,
	stage_id text NOT NULL,
	label text,
	display_order integer,
	archived boolean NOT NULL DEFAULT false,
	is_closed boolean,
	probability numeric,
	created_at timestamptz,
	updated_at timestamptz,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (object_type, pipeline_id, stage_id)
);
COMMENT ON TABLE hubspot_pipeline_stages IS 'the stages of each HubSpot pipeline, with their metadata, as of the last sync';
COMMENT ON COLUMN hubspot_pipeline_stages.is_closed IS 'metadata.isClosed: a deal in this stage is closed (won or lost)';
COMMENT ON COLUMN hubspot_pipeline_stages.probability IS 'metadata.probability: 1.0 for a won stage, 0.0 for a lost one';
CREATE INDEX hubspot_pipeline_stages_stage_idx ON hubspot_pipeline_stages (object_type, stage_id);

CREATE TABLE hubspot_owners (
	owner_id text PRIMARY KEY,
	email text,
	firstname text,
	lastname text,
	user_id bigint,
	teams jsonb,
	archived boolean NOT NULL DEFAULT false,
	created_at timestamptz,
	updated_at timestamptz,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE hubspot_owners IS 'HubSpot owners, the users records are assigned to (GET /crm/v3/owners, archived ones too), as of the last sync';
COMMENT ON COLUMN hubspot_owners.teams IS 'the owner''s teams as HubSpot lists them: [{"id", "name", "primary"}]';

SELECT pg_catalog.pg_extension_config_dump('hubspot_pipelines', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_pipeline_stages', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_owners', '');

-- The owner, pipeline and call outcome columns the 1.2 metrics group by.
COMMENT ON COLUMN hubspot_contacts_raw.hubspot_owner_id IS 'the contact''s owner (hubspot_owners.owner_id)';
COMMENT ON COLUMN hubspot_deals_raw.hubspot_owner_id IS 'the deal''s owner (hubspot_owners.owner_id)';
COMMENT ON COLUMN hubspot_calls_raw.hubspot_owner_id IS 'the call''s owner, usually the rep who made or took it (hubspot_owners.owner_id)';
COMMENT ON COLUMN hubspot_deals_raw.pipeline IS 'the deal''s pipeline (hubspot_pipelines.pipeline_id)';
COMMENT ON COLUMN hubspot_calls_raw.call_status IS 'hs_call_status: COMPLETED, BUSY, NO_ANSWER, FAILED, CANCELED, ...';
COMMENT ON COLUMN hubspot_calls_raw.call_disposition IS 'hs_call_disposition: the id of the call''s outcome (Connected, Busy, ...)';
CREATE INDEX hubspot_contacts_raw_owner_idx ON hubspot_contacts_raw (hubspot_owner_id);
CREATE INDEX hubspot_deals_raw_owner_idx ON hubspot_deals_raw (hubspot_owner_id);
CREATE INDEX hubspot_calls_raw_owner_idx ON hubspot_calls_raw (hubspot_owner_id);
CREATE INDEX hubspot_deals_raw_pipeline_idx ON hubspot_deals_raw (pipeline, dealstage);
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
FROM (VALUES ('contacts'), ('deals'), ('calls')) AS t(object_type)
LEFT JOIN @extschema@.hubspot_sync_state s ON s.object_type OPERATOR(pg_catalog.=) t.object_type
LEFT JOIN LATERAL (
	SELECT * FROM @extschema@.hubspot_sync_runs x
	 WHERE x.object_type OPERATOR(pg_catalog.=) t.object_type
	 ORDER BY x.run_id DESC LIMIT 1) r ON true;
COMMENT ON VIEW hubspot_sync_status IS 'per object type: the last run, its outcome, and how stale the data is';

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
-- Syncing.

CREATE FUNCTION hubspot_sync(object_type text, full boolean DEFAULT false,
	OUT object_type text, OUT status text, OUT mode text, OUT pages integer,
	OUT records bigint, OUT inserted bigint, OUT updated bigint,
	OUT unchanged bigint, OUT archived bigint, OUT warnings bigint, OUT http_requests integer,
	OUT retries integer, OUT duration interval, OUT error text)
	RETURNS record
	AS 'MODULE_PATHNAME', 'hubspot_sync'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION hubspot_sync(text, boolean) IS
	'sync one HubSpot object type (contacts, deals, calls) in a background worker; raises its error if it fails';

CREATE FUNCTION hubspot_sync_all(full boolean DEFAULT false,
	OUT object_type text, OUT status text, OUT mode text, OUT pages integer,
	OUT records bigint, OUT inserted bigint, OUT updated bigint,
	OUT unchanged bigint, OUT archived bigint, OUT warnings bigint, OUT http_requests integer,
	OUT retries integer, OUT duration interval, OUT error text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'hubspot_sync_all'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION hubspot_sync_all(boolean) IS
	'sync contacts, deals and calls in parallel workers; a row per object type, failures included';

REVOKE EXECUTE ON FUNCTION hubspot_sync(text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION hubspot_sync_all(boolean) FROM PUBLIC;

-- The same syncs, as a procedure that commits before it waits: the caller
-- then holds no snapshot while the workers run, so VACUUM is not held
-- back for the length of a sync.  NULL: every object type.
CREATE PROCEDURE hubspot_run_sync(object_type text DEFAULT NULL, full boolean DEFAULT false)
	AS 'MODULE_PATHNAME', 'hubspot_run_sync'
	LANGUAGE C;
COMMENT ON PROCEDURE hubspot_run_sync(text, boolean) IS
	'CALL it outside a transaction block: syncs one object type (NULL: all) without holding a snapshot while it waits; a NOTICE per type, an error if any failed';
REVOKE EXECUTE ON PROCEDURE hubspot_run_sync(text, boolean) FROM PUBLIC;
-- Views.  Archived (deleted) records are left out.

CREATE VIEW deals_with_contacts AS
SELECT d.hubspot_id AS deal_id,
	   d.amount,
	   d.dealstage,
	   d.closedate,
	   a.contact_id,
	   d.raw_json OPERATOR(pg_catalog.->) 'properties' OPERATOR(pg_catalog.->>) 'dealname' AS dealname
FROM @extschema@.hubspot_deals_raw d
LEFT JOIN LATERAL (
	SELECT DISTINCT e OPERATOR(pg_catalog.->>) 'id' AS contact_id
	FROM pg_catalog.jsonb_array_elements(
		d.raw_json OPERATOR(pg_catalog.->) 'associations' OPERATOR(pg_catalog.->) 'contacts'
		OPERATOR(pg_catalog.->) 'results') AS e) a ON true
WHERE NOT d.archived;
COMMENT ON VIEW deals_with_contacts IS 'each deal with each associated contact (a deal without contacts once, with contact_id NULL)';
-- Sales dashboard metrics.  docs/metrics.md defines each one.
--
-- Windows are half-open, [window_start, window_end); a NULL bound is
-- unbounded.  Each object is placed in a window by one timestamp:
-- contacts by createdate, deals by createdate, won and lost deals by
-- closedate, calls by call_timestamp.  A row whose timestamp is NULL is in
-- no window; all time (both bounds NULL) is the one exception, for won and
-- lost deals without a closedate (docs/metrics.md).  Archived rows count
-- nowhere.
--
-- The functions run with search_path = pg_catalog, pg_temp and name our own
-- objects with @extschema@, so a caller's search_path cannot change what
-- they compute.  The few small SQL helpers without that SET are meant to be
-- inlined into their callers (a SET would prevent it) and name everything,
-- operators included, with its schema.

-- Overrides of the outcome a deal stage's metadata gives (below): a stage
-- id listed here is won, lost or open in every pipeline.
CREATE TABLE hubspot_deal_stage_outcomes (
	dealstage text PRIMARY KEY,
	outcome text NOT NULL CHECK (outcome IN ('won', 'lost', 'open'))
);
COMMENT ON TABLE hubspot_deal_stage_outcomes IS
	'deal stages (internal ids, as in hubspot_deals_raw.dealstage) that count as won, lost or open whatever their pipeline''s metadata says';
INSERT INTO hubspot_deal_stage_outcomes VALUES ('closedwon', 'won'), ('closedlost', 'lost');

-- Which values of the deal status properties count.  A deal's value is
-- trimmed and compared case-insensitively; NULL and '' never count; a value
-- without a row of its own takes the row for '*' (any other value), and
-- does not count when there is none.
CREATE TABLE hubspot_deal_status_values (
	property text NOT NULL CHECK (property IN ('qualified_status', 'trial_status', 'payment_status')),
	value text NOT NULL CHECK (value OPERATOR(pg_catalog.=) pg_catalog.lower(pg_catalog.btrim(value))
							   AND value OPERATOR(pg_catalog.<>) ''),
	counts boolean NOT NULL,
	PRIMARY KEY (property, value)
);
COMMENT ON TABLE hubspot_deal_status_values IS
	'deal status values that count as qualified, in trial or paying (lower case; ''*'' is any other non-empty value)';
INSERT INTO hubspot_deal_status_values VALUES
	('qualified_status', 'qualified', true),
	('trial_status', 'none', false),
	('trial_status', '*', true),
	('payment_status', 'paid', true),
	('payment_status', 'paying', true);

-- pg_dump keeps the rows users add.  The seeded rows come back with
-- CREATE EXTENSION and are not dumped: a change to one of them does not
-- survive a dump and restore (it would collide with the re-seeded row).
SELECT pg_catalog.pg_extension_config_dump('hubspot_deal_stage_outcomes',
	'WHERE dealstage NOT IN (''closedwon'', ''closedlost'')');
SELECT pg_catalog.pg_extension_config_dump('hubspot_deal_status_values',
	'WHERE (property, value) NOT IN ((''qualified_status'', ''qualified''), (''trial_status'', ''none''),'
	' (''trial_status'', ''*''), (''payment_status'', ''paid''), (''payment_status'', ''paying''))');

-- Covering indexes: each metric reads only an index (index-only scans once
-- the tables are vacuumed), never the wide raw_json rows; the deal ->
-- contact associations and the phone links are read from side tables
-- (below).
CREATE INDEX hubspot_contacts_raw_metrics_idx ON hubspot_contacts_raw (createdate)
	INCLUDE (hubspot_id, vsl_watched, sales_script_version, phone) WHERE NOT archived;
CREATE INDEX hubspot_deals_raw_metrics_created_idx ON hubspot_deals_raw (createdate)
	INCLUDE (dealstage, amount, qualified_status, trial_status, pipeline) WHERE NOT archived;
CREATE INDEX hubspot_deals_raw_metrics_closed_idx ON hubspot_deals_raw (closedate)
	INCLUDE (dealstage, amount, createdate, payment_status, number_of_installments__months, pipeline, hubspot_owner_id)
	WHERE NOT archived;
CREATE INDEX hubspot_calls_raw_metrics_idx ON hubspot_calls_raw (call_timestamp)
	INCLUDE (call_direction, call_duration, call_status, call_disposition, hubspot_owner_id) WHERE NOT archived;

CREATE FUNCTION hubspot_deal_status_counts(property text, value text) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT CASE WHEN pg_catalog.btrim($2) = '' OR $2 IS NULL THEN false
			ELSE coalesce((SELECT v.counts FROM @extschema@.hubspot_deal_status_values v
							WHERE v.property = $1 AND v.value = pg_catalog.lower(pg_catalog.btrim($2))),
						  (SELECT v.counts FROM @extschema@.hubspot_deal_status_values v
							WHERE v.property = $1 AND v.value = '*'),
						  false) END
$$;
COMMENT ON FUNCTION hubspot_deal_status_counts(text, text) IS
	'whether a deal''s qualified_status, trial_status or payment_status value counts, per hubspot_deal_status_values';

-- Deal stages.  Each stage of each deal pipeline (as the deals sync reads
-- them) with its outcome: the override above if there is one, else its
-- metadata (closed with probability 1 is won, closed with probability 0 is
-- lost, anything else open).  A stage id may be in several pipelines, so a
-- deal finds its stage by (pipeline, stage).  Overrides of stage ids no
-- pipeline lists come last, with no pipeline: on a portal whose pipelines
-- were never synced they still say closedwon is won.
CREATE VIEW hubspot_deal_stages AS
SELECT s.pipeline_id AS pipeline,
	   p.label AS pipeline_label,
	   p.display_order AS pipeline_display_order,
	   s.stage_id AS dealstage,
	   s.label AS stage_label,
	   s.display_order,
	   s.archived OR coalesce(p.archived, false) AS archived,
	   s.is_closed,
	   s.probability,
	   coalesce(o.outcome,
				CASE WHEN s.is_closed AND s.probability OPERATOR(pg_catalog.=) 1 THEN 'won'
					 WHEN s.is_closed AND s.probability OPERATOR(pg_catalog.=) 0 THEN 'lost'
					 ELSE 'open' END) AS outcome,
	   o.outcome IS NOT NULL AS overridden
FROM @extschema@.hubspot_pipeline_stages s
LEFT JOIN @extschema@.hubspot_pipelines p ON p.object_type OPERATOR(pg_catalog.=) s.object_type
										 AND p.pipeline_id OPERATOR(pg_catalog.=) s.pipeline_id
LEFT JOIN @extschema@.hubspot_deal_stage_outcomes o ON o.dealstage OPERATOR(pg_catalog.=) s.stage_id
WHERE s.object_type OPERATOR(pg_catalog.=) 'deals'
UNION ALL
SELECT NULL, NULL, NULL, o.dealstage, NULL, NULL, false, NULL, NULL, o.outcome, true
FROM @extschema@.hubspot_deal_stage_outcomes o
WHERE NOT EXISTS (SELECT FROM @extschema@.hubspot_pipeline_stages s
				  WHERE s.object_type OPERATOR(pg_catalog.=) 'deals' AND s.stage_id OPERATOR(pg_catalog.=) o.dealstage);
COMMENT ON VIEW hubspot_deal_stages IS
	'each deal pipeline stage with its labels and outcome (won, lost, open): hubspot_deal_stage_outcomes if it lists the stage, else the stage''s metadata';

-- The deals as every metric sees them: not archived, with their stage's
-- labels and outcome.  A deal whose (pipeline, stage) no pipeline lists
-- (pipelines not synced yet, a stage removed) takes the override of its
-- stage id, else is open.
CREATE VIEW hubspot_deals AS
SELECT d.hubspot_id AS deal_id,
	   d.pipeline,
	   s.pipeline_label,
	   d.dealstage,
	   s.stage_label,
	   coalesce(s.outcome, o.outcome, 'open') AS outcome,
	   s.pipeline_display_order,
	   s.display_order AS stage_display_order,
	   d.amount,
	   d.createdate,
	   d.closedate,
	   d.qualified_status,
	   d.trial_status,
	   d.payment_status,
	   d.number_of_installments__months,
	   d.hubspot_owner_id
FROM @extschema@.hubspot_deals_raw d
LEFT JOIN @extschema@.hubspot_deal_stages s ON s.pipeline OPERATOR(pg_catalog.=) d.pipeline
										   AND s.dealstage OPERATOR(pg_catalog.=) d.dealstage
LEFT JOIN @extschema@.hubspot_deal_stage_outcomes o ON o.dealstage OPERATOR(pg_catalog.=) d.dealstage
WHERE NOT d.archived;
COMMENT ON VIEW hubspot_deals IS
	'the non-archived deals with their pipeline''s and stage''s labels and their outcome (won, lost, open), as the metrics count them';

-- Calls and contacts.  Calls carry no association to contacts: the phone
-- number is the link.  A call's number is the contact's side of it (the
-- caller of an inbound call, the callee of any other), compared as
-- hubspot_normalize_phone() gives it, with the portal's default country
-- calling code for numbers written in national form.
--
-- The country code is a row of this table rather than a setting (GUC):
-- the links are derived data, kept in side tables by triggers (below) that
-- run in whichever session writes the synced tables, so every session and
-- every sync worker must use the same value, a change must re-derive the
-- links in the same transaction (a trigger on this table does), and
-- pg_dump must keep it.  A setting could differ per session or role and
-- change with no hook to rebuild.
CREATE TABLE hubspot_metrics_settings (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	default_country_code text
		CHECK (default_country_code OPERATOR(pg_catalog.~) '^[1-9][0-9]{0,2}$')
);
COMMENT ON TABLE hubspot_metrics_settings IS
	'the portal''s settings the metrics depend on (one row, or none for the defaults); a change rebuilds the metrics side tables';
COMMENT ON COLUMN hubspot_metrics_settings.default_country_code IS
	'country calling code of phone numbers written in national form (06 12 34 56 78 with 33 is +33 6 12 34 56 78); NULL: such numbers match only themselves';
-- Nothing is seeded, so the whole table is dumped.
SELECT pg_catalog.pg_extension_config_dump('hubspot_metrics_settings', '');

-- Set (or with NULL clear) the default country calling code: '33' or '+33'.
CREATE FUNCTION hubspot_set_default_country_code(code text) RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	-- hubspot_normalize_phone() rejects a bad code with its own message.
	PERFORM @extschema@.hubspot_normalize_phone('0', code) WHERE code IS NOT NULL;
	INSERT INTO @extschema@.hubspot_metrics_settings AS s (singleton, default_country_code)
	VALUES (true, pg_catalog.ltrim(code, '+'))
	ON CONFLICT (singleton) DO UPDATE SET default_country_code = EXCLUDED.default_country_code
	WHERE s.default_country_code IS DISTINCT FROM EXCLUDED.default_country_code;
END
$$;
COMMENT ON FUNCTION hubspot_set_default_country_code(text) IS
	'set the portal''s default country calling code for phone numbers (NULL: none), and rebuild the phone links';

-- The key a phone number is linked by.  Inlined into its callers.
CREATE FUNCTION hubspot_phone_key(phone text, default_country_code text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
SELECT CASE WHEN $2 IS NULL THEN @extschema@.hubspot_normalize_phone($1)
			ELSE @extschema@.hubspot_normalize_phone($1, $2) END
$$;
COMMENT ON FUNCTION hubspot_phone_key(text, text) IS
	'hubspot_normalize_phone(phone, default_country_code), or hubspot_normalize_phone(phone) when the code is NULL';

-- The contact's side of a call.  Directions are compared trimmed and
-- case-insensitively (a dialler's "inbound" is INBOUND).  Inlined.
CREATE FUNCTION hubspot_call_contact_number(call_direction text, call_from_number text, call_to_number text)
	RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
SELECT CASE WHEN pg_catalog.upper(pg_catalog.btrim($1)) OPERATOR(pg_catalog.=) 'INBOUND' THEN $2 ELSE $3 END
$$;
COMMENT ON FUNCTION hubspot_call_contact_number(text, text, text) IS
	'the contact''s number on a call: the caller (from) of an INBOUND call, the callee (to) of any other';

-- Which call outcomes (hs_call_disposition ids) mean the contact was
-- reached, as opposed to a mere attempt.  Seeded with HubSpot's default
-- outcomes; a portal's own outcomes are other ids: add them.
CREATE TABLE hubspot_call_dispositions (
	disposition text PRIMARY KEY,
	label text,
	connected boolean NOT NULL
);
COMMENT ON TABLE hubspot_call_dispositions IS
	'call outcomes (hubspot_calls_raw.call_disposition ids): whether a call with it connected; unlisted ids did not';
INSERT INTO hubspot_call_dispositions VALUES
	('f240bbac-87c9-4f6e-bf70-924b57d47db7', 'Connected', true),
	('9d9162e7-6cf3-4944-bf63-4dff82258764', 'Busy', false),
	('a4c4c377-d246-4b32-a13b-75a56a4cd0ff', 'Left live message', false),
	('b2cf5968-551e-4856-9783-52b3da59a7d0', 'Left voicemail', false),
	('73a0d17f-1163-4015-bdd5-ec830791da20', 'No answer', false),
	('17b47fee-58de-441e-a44c-c6300d46f273', 'Wrong number', false);
SELECT pg_catalog.pg_extension_config_dump('hubspot_call_dispositions',
	'WHERE disposition NOT IN (''f240bbac-87c9-4f6e-bf70-924b57d47db7'', ''9d9162e7-6cf3-4944-bf63-4dff82258764'','
	' ''a4c4c377-d246-4b32-a13b-75a56a4cd0ff'', ''b2cf5968-551e-4856-9783-52b3da59a7d0'','
	' ''73a0d17f-1163-4015-bdd5-ec830791da20'', ''17b47fee-58de-441e-a44c-c6300d46f273'')');

-- A call connected if its outcome says so and its status does not say it
-- never went through (BUSY, NO_ANSWER, FAILED, CANCELED...): COMPLETED, or
-- no status at all (calls logged by hand or by some diallers).  Takes the
-- outcome's hubspot_call_dispositions.connected.  Inlined.
CREATE FUNCTION hubspot_call_connected(call_status text, disposition_connected boolean) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
SELECT coalesce($2, false)
	   AND coalesce(pg_catalog.upper(pg_catalog.btrim($1)), '') OPERATOR(pg_catalog.=) ANY (ARRAY['COMPLETED', ''])
$$;
COMMENT ON FUNCTION hubspot_call_connected(text, boolean) IS
	'whether a call with this hs_call_status and an outcome with this hubspot_call_dispositions.connected connected';

-- Side tables for the metrics that link contacts to deals and calls.
--
-- Unnesting every deal's associations and matching every call's number to
-- the contacts' phones on each call of hubspot_metrics() is what made it
-- slow.  Derived tables, kept current by triggers on the synced tables,
-- hold the answers instead:
--
--   hubspot_deal_contacts    each (deal, contact id) pair of the
--                            non-archived deals' associations;
--   hubspot_contact_numbers  each non-archived contact's phone key;
--   hubspot_call_numbers     each non-archived call's phone key (of the
--                            contact's side) and whether it connected;
--   hubspot_contact_metrics  each non-archived contact with a createdate
--                            that has a deal or a call at or after its
--                            creation: its number of deals and its first
--                            such call, and first connected call.
--
-- A number shared by several contacts links to one of them, the oldest
-- (createdate, then hubspot_id; a contact without createdate last), in
-- hubspot_calls_with_contacts and in the metrics alike.  The keys are
-- stored rather than computed from an expression index because they depend
-- on hubspot_metrics_settings, which an index expression cannot read.
--
-- All are derived from the synced tables and the settings (which deal
-- stages are won is looked up when a metric is read), so they are not
-- dumped: a restore refills them through the triggers as the rows come
-- back, and hubspot_metrics_rebuild() recomputes them from scratch.
CREATE TABLE hubspot_deal_contacts (
	deal_id text NOT NULL,
	contact_id text NOT NULL,
	PRIMARY KEY (deal_id, contact_id)
);
COMMENT ON TABLE hubspot_deal_contacts IS
	'derived, kept by triggers: each contact id in the associations of each non-archived deal (hubspot_deals_raw.raw_json)';
CREATE INDEX hubspot_deal_contacts_contact_idx ON hubspot_deal_contacts (contact_id);

CREATE TABLE hubspot_contact_metrics (
	contact_id text PRIMARY KEY,
	createdate timestamptz NOT NULL,
	vsl_watched boolean,
	sales_script_version text,
	deals integer NOT NULL,
	first_call_at timestamptz,
	CHECK (deals OPERATOR(pg_catalog.>) 0 OR first_call_at IS NOT NULL),
	-- 1.2 (an update appends it)
	first_connected_at timestamptz
);
COMMENT ON TABLE hubspot_contact_metrics IS
	'derived, kept by triggers: each non-archived contact with a deal or a call at or after its creation';
COMMENT ON COLUMN hubspot_contact_metrics.deals IS 'number of non-archived deals associated with the contact';
COMMENT ON COLUMN hubspot_contact_metrics.first_call_at IS
	'the first non-archived call linked to the contact (hubspot_calls_with_contacts) at or after its createdate';
COMMENT ON COLUMN hubspot_contact_metrics.first_connected_at IS
	'the first such call that connected (hubspot_call_connected)';
CREATE INDEX hubspot_contact_metrics_createdate_idx ON hubspot_contact_metrics (createdate)
	INCLUDE (vsl_watched, sales_script_version, deals, first_call_at, contact_id, first_connected_at);

CREATE TABLE hubspot_contact_numbers (
	contact_id text PRIMARY KEY,
	number text NOT NULL,
	createdate timestamptz
);
COMMENT ON TABLE hubspot_contact_numbers IS
	'derived, kept by triggers: the phone key (hubspot_phone_key with the default country code) of each non-archived contact that has one';
-- The contact a number links to is the first of its rows in this order.
CREATE INDEX hubspot_contact_numbers_number_idx ON hubspot_contact_numbers (number, createdate, contact_id);

CREATE TABLE hubspot_call_numbers (
	call_id text PRIMARY KEY,
	number text NOT NULL,
	call_timestamp timestamptz,
	connected boolean NOT NULL
);
COMMENT ON TABLE hubspot_call_numbers IS
	'derived, kept by triggers: the phone key of the contact''s side of each non-archived call that has one, and whether the call connected';
CREATE INDEX hubspot_call_numbers_number_idx ON hubspot_call_numbers (number, call_timestamp) INCLUDE (connected);

-- Each call with the contact its number links to.
CREATE VIEW hubspot_calls_with_contacts AS
SELECT c.hubspot_id AS call_id,
	   c.call_timestamp,
	   c.call_direction,
	   c.call_duration,
	   c.call_to_number,
	   c.call_from_number,
	   k.hubspot_id AS contact_id,
	   k.email AS contact_email,
	   k.firstname AS contact_firstname,
	   k.lastname AS contact_lastname,
	   c.call_status,
	   c.call_disposition,
	   @extschema@.hubspot_call_connected(c.call_status, d.connected) AS connected,
	   c.hubspot_owner_id
FROM @extschema@.hubspot_calls_raw c
LEFT JOIN @extschema@.hubspot_call_dispositions d ON d.disposition OPERATOR(pg_catalog.=) c.call_disposition
LEFT JOIN @extschema@.hubspot_call_numbers n ON n.call_id OPERATOR(pg_catalog.=) c.hubspot_id
LEFT JOIN LATERAL (
	SELECT o.contact_id
	FROM @extschema@.hubspot_contact_numbers o
	WHERE o.number OPERATOR(pg_catalog.=) n.number
	ORDER BY o.createdate, o.contact_id
	LIMIT 1) o ON true
LEFT JOIN @extschema@.hubspot_contacts_raw k ON k.hubspot_id OPERATOR(pg_catalog.=) o.contact_id
WHERE NOT c.archived;
COMMENT ON VIEW hubspot_calls_with_contacts IS
	'each call with the contact whose phone number it dialled or came from (the oldest, if several share it)';

-- The distinct contact ids in a deal's associations (ids listed twice, under
-- two association types, once).
CREATE FUNCTION hubspot_deal_contact_ids(raw_json jsonb) RETURNS SETOF text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
SELECT DISTINCT e OPERATOR(pg_catalog.->>) 'id'
FROM pg_catalog.jsonb_array_elements(
	CASE WHEN pg_catalog.jsonb_typeof($1 OPERATOR(pg_catalog.->) 'associations' OPERATOR(pg_catalog.->) 'contacts'
										 OPERATOR(pg_catalog.->) 'results') OPERATOR(pg_catalog.=) 'array'
		 THEN $1 OPERATOR(pg_catalog.->) 'associations' OPERATOR(pg_catalog.->) 'contacts' OPERATOR(pg_catalog.->) 'results' END) e
WHERE (e OPERATOR(pg_catalog.->>) 'id') IS NOT NULL
$$;
COMMENT ON FUNCTION hubspot_deal_contact_ids(jsonb) IS
	'the distinct contact ids in a deal''s raw_json associations';

-- Recompute the hubspot_contact_metrics rows of the given contact ids from
-- the synced tables and the number side tables.  Each contact costs a few
-- index probes: its deal pairs, the contact its number links to, and its
-- first calls.
--
-- Refreshes are serialized by a transaction-level advisory lock: a refresh
-- waits for any other transaction that refreshed to commit, and then (read
-- committed: a new snapshot per statement) sees that transaction's rows.
-- Without it, a calls page and a deals page written at once could each
-- compute a contact without the other's rows.  The contacts and calls
-- triggers take it before they write the number tables, since which
-- contacts they refresh depends on the other's numbers.  The sync commits
-- every page, so the lock is held for one page's statement and commit.
CREATE FUNCTION hubspot_metrics_refresh_contacts(ids text[]) RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF ids IS NULL OR cardinality(ids) = 0 THEN
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(7395261804113);
	DELETE FROM @extschema@.hubspot_contact_metrics m USING unnest(ids) i(id) WHERE m.contact_id = i.id;
	INSERT INTO @extschema@.hubspot_contact_metrics (contact_id, createdate, vsl_watched, sales_script_version, deals,
													 first_call_at, first_connected_at)
	SELECT s.hubspot_id, s.createdate, s.vsl_watched, s.sales_script_version, s.deals, f.first_call_at, f.first_connected_at
	FROM (SELECT c.hubspot_id, c.createdate, c.vsl_watched, c.sales_script_version, n.number,
				 (SELECT count(*) FROM @extschema@.hubspot_deal_contacts dc
				   WHERE dc.contact_id = c.hubspot_id)::integer AS deals
		  FROM (SELECT DISTINCT i.id FROM unnest(ids) i(id)) i
		  JOIN @extschema@.hubspot_contacts_raw c ON c.hubspot_id = i.id
		  LEFT JOIN @extschema@.hubspot_contact_numbers n ON n.contact_id = c.hubspot_id
		  WHERE NOT c.archived AND c.createdate IS NOT NULL) s
	-- The number's calls, if the number links to this contact.
	CROSS JOIN LATERAL (
		SELECT min(l.call_timestamp) AS first_call_at,
			   min(l.call_timestamp) FILTER (WHERE l.connected) AS first_connected_at
		FROM @extschema@.hubspot_call_numbers l
		WHERE l.number = s.number AND l.call_timestamp >= s.createdate
		  AND s.hubspot_id = (SELECT o.contact_id FROM @extschema@.hubspot_contact_numbers o
							  WHERE o.number = s.number ORDER BY o.createdate, o.contact_id LIMIT 1)) f
	WHERE s.deals > 0 OR f.first_call_at IS NOT NULL;
END
$$;
COMMENT ON FUNCTION hubspot_metrics_refresh_contacts(text[]) IS
	'recompute the hubspot_contact_metrics rows of these contact ids (called by the triggers)';
REVOKE EXECUTE ON FUNCTION hubspot_metrics_refresh_contacts(text[]) FROM PUBLIC;

-- Recompute every side table from scratch, set-based (CREATE EXTENSION,
-- a change of hubspot_metrics_settings or hubspot_call_dispositions, or
-- after loading the synced tables with triggers disabled).
CREATE FUNCTION hubspot_metrics_rebuild() RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	cc text;
BEGIN
	PERFORM pg_advisory_xact_lock(7395261804113);
	cc := (SELECT s.default_country_code FROM @extschema@.hubspot_metrics_settings s);
	DELETE FROM @extschema@.hubspot_contact_metrics;
	DELETE FROM @extschema@.hubspot_deal_contacts;
	DELETE FROM @extschema@.hubspot_contact_numbers;
	DELETE FROM @extschema@.hubspot_call_numbers;
	INSERT INTO @extschema@.hubspot_deal_contacts (deal_id, contact_id)
	SELECT d.hubspot_id, a.id
	FROM @extschema@.hubspot_deals_raw d, @extschema@.hubspot_deal_contact_ids(d.raw_json) a(id)
	WHERE NOT d.archived;
	INSERT INTO @extschema@.hubspot_contact_numbers (contact_id, number, createdate)
	SELECT c.hubspot_id, k.number, c.createdate
	FROM @extschema@.hubspot_contacts_raw c, LATERAL (SELECT @extschema@.hubspot_phone_key(c.phone, cc)) k(number)
	WHERE NOT c.archived AND k.number IS NOT NULL;
	INSERT INTO @extschema@.hubspot_call_numbers (call_id, number, call_timestamp, connected)
	SELECT l.hubspot_id, k.number, l.call_timestamp, @extschema@.hubspot_call_connected(l.call_status, d.connected)
	FROM @extschema@.hubspot_calls_raw l
	LEFT JOIN @extschema@.hubspot_call_dispositions d ON d.disposition = l.call_disposition,
	LATERAL (SELECT @extschema@.hubspot_phone_key(@extschema@.hubspot_call_contact_number(
					l.call_direction, l.call_from_number, l.call_to_number), cc)) k(number)
	WHERE NOT l.archived AND k.number IS NOT NULL;
	INSERT INTO @extschema@.hubspot_contact_metrics (contact_id, createdate, vsl_watched, sales_script_version, deals,
													 first_call_at, first_connected_at)
	SELECT c.hubspot_id, c.createdate, c.vsl_watched, c.sales_script_version, coalesce(n.deals, 0),
		   f.first_call_at, f.first_connected_at
	FROM @extschema@.hubspot_contacts_raw c
	LEFT JOIN (SELECT dc.contact_id, count(*)::integer AS deals
			   FROM @extschema@.hubspot_deal_contacts dc GROUP BY dc.contact_id) n ON n.contact_id = c.hubspot_id
	LEFT JOIN (SELECT o.contact_id, min(l.call_timestamp) AS first_call_at,
					  min(l.call_timestamp) FILTER (WHERE l.connected) AS first_connected_at
			   FROM (SELECT DISTINCT ON (k.number) k.number, k.contact_id, k.createdate
					 FROM @extschema@.hubspot_contact_numbers k
					 ORDER BY k.number, k.createdate, k.contact_id) o
			   JOIN @extschema@.hubspot_call_numbers l ON l.number = o.number AND l.call_timestamp >= o.createdate
			   GROUP BY o.contact_id) f ON f.contact_id = c.hubspot_id
	WHERE NOT c.archived AND c.createdate IS NOT NULL
	  AND (n.deals IS NOT NULL OR f.first_call_at IS NOT NULL);
END
$$;
COMMENT ON FUNCTION hubspot_metrics_rebuild() IS
	'recompute the metrics side tables (deal contacts, phone keys, contact metrics) from the synced tables';
REVOKE EXECUTE ON FUNCTION hubspot_metrics_rebuild() FROM PUBLIC;

-- The triggers.  Statement-level, with transition tables, so a sync page
-- (one INSERT ... ON CONFLICT DO UPDATE of up to 100 rows) costs one
-- refresh of the contacts it touches; updated rows whose relevant columns
-- did not change are skipped.  SECURITY DEFINER: whoever may write the
-- synced tables keeps the side tables right without rights on them.  So
-- that nobody can make them rewrite the side tables from a table of their
-- own, only the extension's owner may attach them (EXECUTE is revoked from
-- PUBLIC) and each refuses to run for any table but its own.

-- Deals: their association pairs, then their contacts' deal counts.
CREATE FUNCTION hubspot_deals_raw_metrics_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	deal_ids text[];
	gone text[];
	added text[];
BEGIN
	IF TG_RELID <> '@extschema@.hubspot_deals_raw'::regclass THEN
		RAISE EXCEPTION 'hubspot_deals_raw_metrics_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It keeps the metrics side tables current for @extschema@.hubspot_deals_raw only.';
	END IF;
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM pg_advisory_xact_lock(7395261804113);
		DELETE FROM @extschema@.hubspot_deal_contacts;
		DELETE FROM @extschema@.hubspot_contact_metrics WHERE first_call_at IS NULL;
		UPDATE @extschema@.hubspot_contact_metrics SET deals = 0 WHERE deals <> 0;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		SELECT array_agg(n.hubspot_id) INTO deal_ids FROM new_table n WHERE NOT n.archived;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(o.hubspot_id) INTO deal_ids FROM old_table o WHERE NOT o.archived;
	ELSE
		SELECT array_agg(coalesce(n.hubspot_id, o.hubspot_id)) INTO deal_ids
		FROM old_table o FULL JOIN new_table n ON n.hubspot_id = o.hubspot_id
		WHERE (o.archived, o.raw_json -> 'associations' -> 'contacts')
			  IS DISTINCT FROM (n.archived, n.raw_json -> 'associations' -> 'contacts');
	END IF;
	IF deal_ids IS NULL THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		WITH d AS (DELETE FROM @extschema@.hubspot_deal_contacts dc USING unnest(deal_ids) x(id) WHERE dc.deal_id = x.id
				   RETURNING dc.contact_id)
		SELECT array_agg(d.contact_id) INTO gone FROM d;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		WITH i AS (INSERT INTO @extschema@.hubspot_deal_contacts (deal_id, contact_id)
				   SELECT n.hubspot_id, a.id
				   FROM new_table n
				   JOIN unnest(deal_ids) x(id) ON x.id = n.hubspot_id,
						@extschema@.hubspot_deal_contact_ids(n.raw_json) a(id)
				   WHERE NOT n.archived
				   ON CONFLICT DO NOTHING
				   RETURNING contact_id)
		SELECT array_agg(i.contact_id) INTO added FROM i;
	END IF;
	PERFORM @extschema@.hubspot_metrics_refresh_contacts(
		ARRAY(SELECT DISTINCT x FROM unnest(coalesce(gone, '{}') || coalesce(added, '{}')) x));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_deals_raw_metrics_trigger() FROM PUBLIC;

-- Contacts: their phone keys, then their own rows and those of every
-- contact sharing an old or new number of theirs (which contact a number
-- links to may have changed), when a column they depend on changed.
CREATE FUNCTION hubspot_contacts_raw_metrics_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	ids text[];
	numbers text[];
	cc text;
BEGIN
	IF TG_RELID <> '@extschema@.hubspot_contacts_raw'::regclass THEN
		RAISE EXCEPTION 'hubspot_contacts_raw_metrics_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It keeps the metrics side tables current for @extschema@.hubspot_contacts_raw only.';
	END IF;
	PERFORM pg_advisory_xact_lock(7395261804113);
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM @extschema@.hubspot_contact_metrics;
		DELETE FROM @extschema@.hubspot_contact_numbers;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		ids := ARRAY(SELECT n.hubspot_id FROM new_table n WHERE NOT n.archived);
	ELSIF TG_OP = 'DELETE' THEN
		ids := ARRAY(SELECT o.hubspot_id FROM old_table o);
	ELSE
		ids := ARRAY(SELECT DISTINCT x
					 FROM old_table o FULL JOIN new_table n ON n.hubspot_id = o.hubspot_id,
						  LATERAL (VALUES (o.hubspot_id), (n.hubspot_id)) v(x)
					 WHERE x IS NOT NULL
					   AND (o.archived, o.createdate, o.phone, o.vsl_watched, o.sales_script_version)
						   IS DISTINCT FROM (n.archived, n.createdate, n.phone, n.vsl_watched, n.sales_script_version));
	END IF;
	IF cardinality(ids) = 0 THEN
		RETURN NULL;
	END IF;
	cc := (SELECT s.default_country_code FROM @extschema@.hubspot_metrics_settings s);
	WITH d AS (DELETE FROM @extschema@.hubspot_contact_numbers k USING unnest(ids) x(id) WHERE k.contact_id = x.id
			   RETURNING k.number),
		 i AS (INSERT INTO @extschema@.hubspot_contact_numbers (contact_id, number, createdate)
			   SELECT c.hubspot_id, k.number, c.createdate
			   FROM unnest(ids) x(id)
			   JOIN @extschema@.hubspot_contacts_raw c ON c.hubspot_id = x.id,
					LATERAL (SELECT @extschema@.hubspot_phone_key(c.phone, cc)) k(number)
			   WHERE NOT c.archived AND k.number IS NOT NULL
			   RETURNING number)
	SELECT ARRAY(SELECT d.number FROM d UNION SELECT i.number FROM i) INTO numbers;
	PERFORM @extschema@.hubspot_metrics_refresh_contacts(
		ids || ARRAY(SELECT k.contact_id FROM @extschema@.hubspot_contact_numbers k WHERE k.number = ANY (numbers)));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_contacts_raw_metrics_trigger() FROM PUBLIC;

-- Calls: their phone keys, then the contacts of every old or new number of
-- a call that came, went or changed.
CREATE FUNCTION hubspot_calls_raw_metrics_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	ids text[];
	numbers text[];
	cc text;
BEGIN
	IF TG_RELID <> '@extschema@.hubspot_calls_raw'::regclass THEN
		RAISE EXCEPTION 'hubspot_calls_raw_metrics_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It keeps the metrics side tables current for @extschema@.hubspot_calls_raw only.';
	END IF;
	PERFORM pg_advisory_xact_lock(7395261804113);
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM @extschema@.hubspot_call_numbers;
		DELETE FROM @extschema@.hubspot_contact_metrics WHERE deals = 0;
		UPDATE @extschema@.hubspot_contact_metrics SET first_call_at = NULL, first_connected_at = NULL
		WHERE first_call_at IS NOT NULL;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		ids := ARRAY(SELECT n.hubspot_id FROM new_table n WHERE NOT n.archived);
	ELSIF TG_OP = 'DELETE' THEN
		ids := ARRAY(SELECT o.hubspot_id FROM old_table o WHERE NOT o.archived);
	ELSE
		ids := ARRAY(SELECT DISTINCT x
					 FROM old_table o FULL JOIN new_table n ON n.hubspot_id = o.hubspot_id,
						  LATERAL (VALUES (o.hubspot_id), (n.hubspot_id)) v(x)
					 WHERE x IS NOT NULL
					   AND (o.archived, o.call_direction, o.call_from_number, o.call_to_number, o.call_timestamp,
							o.call_status, o.call_disposition)
						   IS DISTINCT FROM (n.archived, n.call_direction, n.call_from_number, n.call_to_number,
											 n.call_timestamp, n.call_status, n.call_disposition));
	END IF;
	IF cardinality(ids) = 0 THEN
		RETURN NULL;
	END IF;
	cc := (SELECT s.default_country_code FROM @extschema@.hubspot_metrics_settings s);
	WITH d AS (DELETE FROM @extschema@.hubspot_call_numbers k USING unnest(ids) x(id) WHERE k.call_id = x.id
			   RETURNING k.number),
		 i AS (INSERT INTO @extschema@.hubspot_call_numbers (call_id, number, call_timestamp, connected)
			   SELECT l.hubspot_id, k.number, l.call_timestamp,
					  @extschema@.hubspot_call_connected(l.call_status, p.connected)
			   FROM unnest(ids) x(id)
			   JOIN @extschema@.hubspot_calls_raw l ON l.hubspot_id = x.id
			   LEFT JOIN @extschema@.hubspot_call_dispositions p ON p.disposition = l.call_disposition,
					LATERAL (SELECT @extschema@.hubspot_phone_key(@extschema@.hubspot_call_contact_number(
									l.call_direction, l.call_from_number, l.call_to_number), cc)) k(number)
			   WHERE NOT l.archived AND k.number IS NOT NULL
			   RETURNING number)
	SELECT ARRAY(SELECT d.number FROM d UNION SELECT i.number FROM i) INTO numbers;
	PERFORM @extschema@.hubspot_metrics_refresh_contacts(
		ARRAY(SELECT k.contact_id FROM @extschema@.hubspot_contact_numbers k WHERE k.number = ANY (numbers)));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_calls_raw_metrics_trigger() FROM PUBLIC;

-- The settings and the call outcomes: what the phone keys and the
-- connected flags were derived from changed, so everything is rebuilt
-- (rare: about a second at the design's size).
CREATE FUNCTION hubspot_metrics_settings_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF TG_RELID <> ALL (ARRAY['@extschema@.hubspot_metrics_settings'::regclass,
							  '@extschema@.hubspot_call_dispositions'::regclass]) THEN
		RAISE EXCEPTION 'hubspot_metrics_settings_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It rebuilds the metrics side tables when @extschema@.hubspot_metrics_settings or @extschema@.hubspot_call_dispositions change.';
	END IF;
	PERFORM @extschema@.hubspot_metrics_rebuild();
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_metrics_settings_trigger() FROM PUBLIC;

CREATE TRIGGER hubspot_metrics_insert AFTER INSERT ON hubspot_deals_raw
	REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_deals_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_update AFTER UPDATE ON hubspot_deals_raw
	REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_deals_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_delete AFTER DELETE ON hubspot_deals_raw
	REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_deals_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_truncate AFTER TRUNCATE ON hubspot_deals_raw
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_deals_raw_metrics_trigger();

CREATE TRIGGER hubspot_metrics_insert AFTER INSERT ON hubspot_contacts_raw
	REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_update AFTER UPDATE ON hubspot_contacts_raw
	REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_delete AFTER DELETE ON hubspot_contacts_raw
	REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_truncate AFTER TRUNCATE ON hubspot_contacts_raw
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();

CREATE TRIGGER hubspot_metrics_insert AFTER INSERT ON hubspot_calls_raw
	REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_calls_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_update AFTER UPDATE ON hubspot_calls_raw
	REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_calls_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_delete AFTER DELETE ON hubspot_calls_raw
	REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_calls_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_truncate AFTER TRUNCATE ON hubspot_calls_raw
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_calls_raw_metrics_trigger();

CREATE TRIGGER hubspot_metrics_rebuild AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hubspot_metrics_settings
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_metrics_settings_trigger();
CREATE TRIGGER hubspot_metrics_rebuild AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hubspot_call_dispositions
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_metrics_settings_trigger();

-- Filled from whatever the synced tables hold (nothing on a fresh install).
SELECT @extschema@.hubspot_metrics_rebuild();

-- Each contact associated with at least one (non-archived) deal, by the
-- deals' associations, with how many deals and how many of them are won.
CREATE FUNCTION hubspot_contacts_with_deals(OUT contact_id text, OUT deals bigint, OUT won_deals bigint)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT dc.contact_id, count(*), count(*) FILTER (WHERE d.outcome = 'won')
FROM @extschema@.hubspot_deal_contacts dc
JOIN @extschema@.hubspot_deals d ON d.deal_id = dc.deal_id
GROUP BY dc.contact_id
$$;
COMMENT ON FUNCTION hubspot_contacts_with_deals() IS
	'each contact id associated with at least one deal (archived deals left out), with its number of deals and of won deals';

-- hubspot_metrics(): the dashboard's metrics, one row each; docs/metrics.md
-- defines them.

CREATE FUNCTION hubspot_metrics(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	pipeline text DEFAULT NULL,
	OUT name text, OUT value numeric, OUT unit text, OUT description text)
	RETURNS SETOF record
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_column
BEGIN
-- plpgsql plans this with the bounds' values (custom plans), so each
-- scan's estimate fits the window.  The pipeline is $3: a column has its
-- name.
RETURN QUERY
WITH
-- Contacts created in the window (the covering index), and those of them
-- with a deal or a call at or after their creation (the side table kept by
-- the triggers: no unnesting of associations, no phone matching here).
contact_stats AS (
	SELECT count(*) AS contacts,
		   count(*) FILTER (WHERE c.vsl_watched) AS watched
	FROM @extschema@.hubspot_contacts_raw c
	WHERE NOT c.archived
	  AND c.createdate >= coalesce(window_start, '-infinity') AND c.createdate < coalesce(window_end, 'infinity')),
-- With a pipeline, a contact converted if a deal of that pipeline is
-- theirs: one hashed set of contact ids, not a probe per contact.
linked AS (
	SELECT m.createdate, m.vsl_watched, m.first_call_at, m.first_connected_at,
		   m.deals > 0 AND ($3 IS NULL OR m.contact_id IN (
			   SELECT dc.contact_id
			   FROM @extschema@.hubspot_deal_contacts dc
			   JOIN @extschema@.hubspot_deals_raw d ON d.hubspot_id = dc.deal_id
			   WHERE d.pipeline = $3)) AS converted
	FROM @extschema@.hubspot_contact_metrics m
	WHERE m.createdate >= coalesce(window_start, '-infinity') AND m.createdate < coalesce(window_end, 'infinity')),
linked_stats AS (
	SELECT count(*) FILTER (WHERE m.converted) AS converted,
		   count(*) FILTER (WHERE m.converted AND m.vsl_watched) AS watched_converted,
		   count(m.first_call_at) AS reached,
		   count(m.first_connected_at) AS connected,
		   extract(epoch FROM avg(m.first_call_at - m.createdate)) / 3600 AS hours_to_first_call
	FROM linked m),
-- Deals created in the window, grouped by what decides their flags.
created AS (
	SELECT d.qualified_status, d.trial_status, count(*) AS deals
	FROM @extschema@.hubspot_deals_raw d
	WHERE NOT d.archived AND ($3 IS NULL OR d.pipeline = $3)
	  AND d.createdate >= coalesce(window_start, '-infinity') AND d.createdate < coalesce(window_end, 'infinity')
	GROUP BY 1, 2),
-- hubspot_deal_status_values as arrays, one row per property (the rule of
-- hubspot_deal_status_counts(), applied here to each group of deals).
rules AS (
	SELECT p.property,
		   array_agg(v.value) FILTER (WHERE v.counts) AS yes,
		   array_agg(v.value) FILTER (WHERE NOT v.counts) AS no
	FROM (VALUES ('qualified_status'), ('trial_status'), ('payment_status')) p(property)
	LEFT JOIN @extschema@.hubspot_deal_status_values v ON v.property = p.property
	GROUP BY p.property),
created_stats AS (
	SELECT coalesce(sum(g.deals), 0) AS deals,
		   coalesce(sum(g.deals) FILTER (WHERE CASE WHEN coalesce(btrim(g.qualified_status), '') = '' THEN false
						   WHEN lower(btrim(g.qualified_status)) = ANY (q.yes) THEN true
						   WHEN lower(btrim(g.qualified_status)) = ANY (q.no) THEN false
						   ELSE coalesce('*' = ANY (q.yes), false) END), 0) AS qualified,
		   coalesce(sum(g.deals) FILTER (WHERE CASE WHEN coalesce(btrim(g.trial_status), '') = '' THEN false
						   WHEN lower(btrim(g.trial_status)) = ANY (t.yes) THEN true
						   WHEN lower(btrim(g.trial_status)) = ANY (t.no) THEN false
						   ELSE coalesce('*' = ANY (t.yes), false) END), 0) AS trial
	FROM created g,
		 (SELECT * FROM rules WHERE property = 'qualified_status') q,
		 (SELECT * FROM rules WHERE property = 'trial_status') t),
-- Deals won or lost, closed in the window; all time also takes those
-- without a closedate.  A time to sale needs both dates, closedate not
-- before createdate.
closed AS (
	SELECT d.outcome, d.payment_status,
		   count(*) AS deals,
		   sum(d.amount) AS amount, count(d.amount) AS with_amount,
		   sum(extract(epoch FROM d.closedate - d.createdate)) FILTER (WHERE d.closedate >= d.createdate) AS seconds_to_sale,
		   count(*) FILTER (WHERE d.closedate >= d.createdate) AS with_time_to_sale,
		   sum(d.number_of_installments__months) AS installments,
		   count(d.number_of_installments__months) AS with_installments
	FROM @extschema@.hubspot_deals d
	WHERE d.outcome IN ('won', 'lost') AND ($3 IS NULL OR d.pipeline = $3)
	  AND (d.closedate >= coalesce(window_start, '-infinity') AND d.closedate < coalesce(window_end, 'infinity')
		   OR window_start IS NULL AND window_end IS NULL)
	GROUP BY 1, 2),
closed_stats AS (
	SELECT coalesce(sum(g.deals) FILTER (WHERE g.outcome = 'won'), 0) AS won,
		   coalesce(sum(g.deals) FILTER (WHERE g.outcome = 'lost'), 0) AS lost,
		   coalesce(sum(g.amount) FILTER (WHERE g.outcome = 'won'), 0) AS sales,
		   sum(g.with_amount) FILTER (WHERE g.outcome = 'won') AS won_with_amount,
		   sum(g.seconds_to_sale) FILTER (WHERE g.outcome = 'won') AS seconds_to_sale,
		   sum(g.with_time_to_sale) FILTER (WHERE g.outcome = 'won') AS won_with_time_to_sale,
		   coalesce(sum(g.deals) FILTER (WHERE g.outcome = 'won' AND
						CASE WHEN coalesce(btrim(g.payment_status), '') = '' THEN false
								WHEN lower(btrim(g.payment_status)) = ANY (r.yes) THEN true
								WHEN lower(btrim(g.payment_status)) = ANY (r.no) THEN false
								ELSE coalesce('*' = ANY (r.yes), false) END), 0) AS paying,
		   sum(g.installments) FILTER (WHERE g.outcome = 'won') AS installments,
		   sum(g.with_installments) FILTER (WHERE g.outcome = 'won') AS with_installments
	FROM closed g, (SELECT * FROM rules WHERE property = 'payment_status') r),
-- Calls in the window, grouped by what decides their direction and
-- outcome, so that these are worked out once per group, not per call.
calls AS (
	SELECT l.call_direction, l.call_status, l.call_disposition, count(*) AS calls,
		   sum(l.call_duration) AS ms, count(l.call_duration) AS with_duration,
		   count(*) FILTER (WHERE l.call_duration >= 300000) AS long_calls
	FROM @extschema@.hubspot_calls_raw l
	WHERE NOT l.archived
	  AND l.call_timestamp >= coalesce(window_start, '-infinity') AND l.call_timestamp < coalesce(window_end, 'infinity')
	GROUP BY 1, 2, 3),
call_stats AS (
	SELECT coalesce(sum(g.calls), 0) AS calls,
		   coalesce(sum(g.calls) FILTER (WHERE upper(btrim(g.call_direction)) = 'INBOUND'), 0) AS inbound,
		   coalesce(sum(g.calls) FILTER (WHERE upper(btrim(g.call_direction)) = 'OUTBOUND'), 0) AS outbound,
		   sum(g.ms)::numeric / nullif(sum(g.with_duration), 0) / 1000 AS avg_seconds,
		   coalesce(sum(g.ms), 0) / 60000.0 AS total_minutes,
		   coalesce(sum(g.long_calls), 0) AS long_calls,
		   coalesce(sum(g.calls) FILTER (WHERE @extschema@.hubspot_call_connected(g.call_status, p.connected)), 0) AS connected
	FROM calls g
	LEFT JOIN @extschema@.hubspot_call_dispositions p ON p.disposition = g.call_disposition)
SELECT m.name, m.value, m.unit, m.description
FROM contact_stats k, linked_stats v, linked_stats r, created_stats a, closed_stats b, call_stats l,
LATERAL (VALUES
	(1, 'new_contacts', k.contacts::numeric, 'contacts',
		'contacts created in the window'),
	(2, 'contacts_with_deal', v.converted::numeric, 'contacts',
		'contacts created in the window that are associated with at least one deal'),
	(3, 'contact_to_deal_conversion_rate', round(100.0 * v.converted / nullif(k.contacts, 0), 2), 'percent',
		'contacts created in the window with at least one deal, per 100 contacts created in the window'),
	(4, 'total_deals', a.deals, 'deals',
		'deals created in the window'),
	(5, 'deals_won', b.won, 'deals',
		'deals in a won stage closed in the window'),
	(6, 'deals_lost', b.lost, 'deals',
		'deals in a lost stage closed in the window'),
	(7, 'win_rate', round(100.0 * b.won / nullif(b.won + b.lost, 0), 2), 'percent',
		'deals won per 100 deals won or lost, closed in the window'),
	(8, 'total_sales', b.sales, 'currency',
		'sum of the amounts of the deals won (closed in the window)'),
	(9, 'average_deal_size', round(b.sales / nullif(b.won_with_amount, 0), 2), 'currency',
		'average amount of the deals won (closed in the window) that have an amount'),
	(10, 'average_time_to_sale', round(b.seconds_to_sale / nullif(b.won_with_time_to_sale, 0) / 86400, 2), 'days',
		'average time from creation to close of the deals won (closed in the window), over those not closed before their creation'),
	(11, 'qualified_rate', round(100.0 * a.qualified / nullif(a.deals, 0), 2), 'percent',
		'deals created in the window whose qualified_status counts as qualified, per 100 deals created in the window'),
	(12, 'trial_rate', round(100.0 * a.trial / nullif(a.deals, 0), 2), 'percent',
		'deals created in the window whose trial_status counts as a trial, per 100 deals created in the window'),
	(13, 'paying_share', round(100.0 * b.paying / nullif(b.won, 0), 2), 'percent',
		'deals won (closed in the window) whose payment_status counts as paying, per 100 deals won'),
	(14, 'average_installments', round(b.installments::numeric / nullif(b.with_installments, 0), 2), 'months',
		'average number_of_installments__months of the deals won (closed in the window) that have one'),
	(15, 'total_calls', l.calls::numeric, 'calls',
		'calls made or received in the window'),
	(16, 'inbound_calls', l.inbound::numeric, 'calls',
		'calls in the window with direction INBOUND'),
	(17, 'outbound_calls', l.outbound::numeric, 'calls',
		'calls in the window with direction OUTBOUND'),
	(18, 'average_call_duration', round(l.avg_seconds, 2), 'seconds',
		'average duration of the calls in the window that have one'),
	(19, 'total_call_time', round(l.total_minutes, 2), 'minutes',
		'sum of the durations of the calls in the window'),
	(20, 'calls_5_minutes_or_more', l.long_calls::numeric, 'calls',
		'calls in the window that lasted 5 minutes (300,000 ms) or more'),
	(21, 'contacts_reached_by_phone', r.reached::numeric, 'contacts',
		'contacts created in the window with a call (any attempt) to or from their phone number at or after their creation'),
	(22, 'contacts_reached_by_phone_rate', round(100.0 * r.reached / nullif(k.contacts, 0), 2), 'percent',
		'contacts reached by phone per 100 contacts created in the window'),
	(23, 'average_time_to_first_contact', round(r.hours_to_first_call, 2), 'hours',
		'average time from a contact''s creation to its first call, over the contacts created in the window that were reached by phone'),
	(24, 'vsl_watched_rate', round(100.0 * k.watched / nullif(k.contacts, 0), 2), 'percent',
		'contacts created in the window with vsl_watched true, per 100 contacts created in the window'),
	(25, 'conversion_rate_vsl_watched', round(100.0 * v.watched_converted / nullif(k.watched, 0), 2), 'percent',
		'contact-to-deal conversion rate of the contacts created in the window with vsl_watched true'),
	(26, 'conversion_rate_vsl_not_watched', round(100.0 * (v.converted - v.watched_converted) / nullif(k.contacts - k.watched, 0), 2), 'percent',
		'contact-to-deal conversion rate of the contacts created in the window with vsl_watched false or unknown'),
	(27, 'connected_calls', l.connected::numeric, 'calls',
		'calls in the window that connected (an outcome such as Connected, and not a failed status)'),
	(28, 'call_connection_rate', round(100.0 * l.connected / nullif(l.calls, 0), 2), 'percent',
		'connected calls per 100 calls in the window'),
	(29, 'contacts_connected_by_phone', r.connected::numeric, 'contacts',
		'contacts created in the window with a connected call to or from their phone number at or after their creation'),
	(30, 'contacts_connected_by_phone_rate', round(100.0 * r.connected / nullif(k.contacts, 0), 2), 'percent',
		'contacts connected by phone per 100 contacts created in the window')
	) AS m(ord, name, value, unit, description)
ORDER BY m.ord;
END
$$;
COMMENT ON FUNCTION hubspot_metrics(timestamptz, timestamptz, text) IS
	'the sales dashboard''s metrics over [window_start, window_end) (NULL: unbounded), for one deal pipeline or all (NULL), one row each; see the README';

-- Breakdowns.  Each is a function of the window and of a deal pipeline
-- (NULL: all; contacts and calls are in no pipeline and always all), and
-- a view of all time in every pipeline (the function with NULLs).  Sums of
-- nothing are 0; text values are grouped trimmed and case-insensitively
-- (lower case shown; '' is NULL).

CREATE FUNCTION hubspot_metrics_by_deal_stage(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	pipeline text DEFAULT NULL,
	OUT pipeline_id text, OUT pipeline_label text, OUT dealstage text, OUT stage_label text,
	OUT outcome text, OUT deals bigint, OUT share numeric, OUT total_amount numeric, OUT average_amount numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT s.pipeline, s.pipeline_label, s.dealstage, s.stage_label, s.outcome, s.deals,
	   round(100.0 * s.deals / sum(s.deals) OVER (), 2),
	   s.total_amount, round(s.average_amount, 2)
FROM (SELECT d.pipeline, d.pipeline_label, d.pipeline_display_order, d.dealstage, d.stage_label, d.stage_display_order,
			 d.outcome, count(*) AS deals, coalesce(sum(d.amount), 0) AS total_amount, avg(d.amount) AS average_amount
	  FROM @extschema@.hubspot_deals d
	  WHERE ($3 IS NULL OR d.pipeline = $3)
		AND d.createdate >= coalesce($1, '-infinity') AND d.createdate < coalesce($2, 'infinity')
	  GROUP BY 1, 2, 3, 4, 5, 6, 7) s
ORDER BY s.pipeline_display_order NULLS LAST, s.pipeline NULLS LAST, s.stage_display_order NULLS LAST, s.dealstage NULLS LAST
$$;
COMMENT ON FUNCTION hubspot_metrics_by_deal_stage(timestamptz, timestamptz, text) IS
	'deals created in [window_start, window_end) per pipeline and current deal stage, in the pipelines'' order';
CREATE VIEW hubspot_metrics_by_deal_stage AS
SELECT * FROM @extschema@.hubspot_metrics_by_deal_stage(NULL, NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_deal_stage IS 'all deals per pipeline and current deal stage';

CREATE FUNCTION hubspot_metrics_by_payment_status(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	pipeline text DEFAULT NULL,
	OUT payment_status text, OUT paying boolean, OUT deals bigint, OUT share numeric, OUT total_amount numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT s.payment_status, @extschema@.hubspot_deal_status_counts('payment_status', s.payment_status),
	   s.deals, round(100.0 * s.deals / sum(s.deals) OVER (), 2), s.total_amount
FROM (SELECT NULLIF(lower(btrim(d.payment_status)), '') AS payment_status, count(*) AS deals,
			 coalesce(sum(d.amount), 0) AS total_amount
	  FROM @extschema@.hubspot_deals d
	  WHERE d.outcome = 'won' AND ($3 IS NULL OR d.pipeline = $3)
		AND (d.closedate >= coalesce($1, '-infinity') AND d.closedate < coalesce($2, 'infinity')
			 OR $1 IS NULL AND $2 IS NULL)
	  GROUP BY 1) s
ORDER BY s.deals DESC, s.payment_status NULLS LAST
$$;
COMMENT ON FUNCTION hubspot_metrics_by_payment_status(timestamptz, timestamptz, text) IS
	'deals won (closed in [window_start, window_end)) per payment_status';
CREATE VIEW hubspot_metrics_by_payment_status AS
SELECT * FROM @extschema@.hubspot_metrics_by_payment_status(NULL, NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_payment_status IS 'all deals won per payment_status';

CREATE FUNCTION hubspot_metrics_by_script_version(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	pipeline text DEFAULT NULL,
	OUT sales_script_version text, OUT contacts bigint, OUT contacts_with_deal bigint,
	OUT conversion_rate numeric, OUT contacts_with_won_deal bigint, OUT won_conversion_rate numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT s.v, s.contacts, coalesce(w.with_deal, 0), round(100.0 * coalesce(w.with_deal, 0) / s.contacts, 2),
	   coalesce(w.with_won, 0), round(100.0 * coalesce(w.with_won, 0) / s.contacts, 2)
-- Contacts are the many rows: count per value as written, then merge the
-- few groups (trimming and lowering each contact's value made this view
-- two to three times slower).
FROM (SELECT NULLIF(lower(btrim(g.v)), '') AS v, sum(g.n)::bigint AS contacts
	  FROM (SELECT c.sales_script_version AS v, count(*) AS n
			FROM @extschema@.hubspot_contacts_raw c
			WHERE NOT c.archived
			  AND c.createdate >= coalesce($1, '-infinity') AND c.createdate < coalesce($2, 'infinity')
			GROUP BY 1) g
	  GROUP BY 1) s
LEFT JOIN (SELECT NULLIF(lower(btrim(m.sales_script_version)), '') AS v,
				  count(*) FILTER (WHERE $3 IS NULL OR m.contact_id IN (
					  SELECT dc.contact_id
					  FROM @extschema@.hubspot_deal_contacts dc
					  JOIN @extschema@.hubspot_deals_raw d ON d.hubspot_id = dc.deal_id
					  WHERE d.pipeline = $3)) AS with_deal,
				  count(*) FILTER (WHERE m.contact_id IN (
					  SELECT dc.contact_id
					  FROM @extschema@.hubspot_deal_contacts dc
					  JOIN @extschema@.hubspot_deals d ON d.deal_id = dc.deal_id
					  WHERE d.outcome = 'won' AND ($3 IS NULL OR d.pipeline = $3))) AS with_won
		   FROM @extschema@.hubspot_contact_metrics m
		   WHERE m.deals > 0
			 AND m.createdate >= coalesce($1, '-infinity') AND m.createdate < coalesce($2, 'infinity')
		   GROUP BY 1) w ON w.v IS NOT DISTINCT FROM s.v
ORDER BY s.v NULLS LAST
$$;
COMMENT ON FUNCTION hubspot_metrics_by_script_version(timestamptz, timestamptz, text) IS
	'contacts created in [window_start, window_end) per sales_script_version, with their conversion to deals and to won deals';
CREATE VIEW hubspot_metrics_by_script_version AS
SELECT * FROM @extschema@.hubspot_metrics_by_script_version(NULL, NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_script_version IS 'all contacts per sales_script_version, with their conversion';

CREATE FUNCTION hubspot_metrics_by_week(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	pipeline text DEFAULT NULL,
	OUT week date, OUT new_contacts bigint, OUT new_deals bigint, OUT deals_won bigint,
	OUT deals_lost bigint, OUT total_sales numeric, OUT calls bigint, OUT call_minutes numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
WITH
-- Contacts are the many rows: rather than truncate each one's createdate,
-- count each week's range of the covering index (Monday 00:00 to the next,
-- in the session's time zone, as date_trunc('week') places them).
kw AS (SELECT date_trunc('week', min(c.createdate)) AS first_week, max(c.createdate) AS last_at
	   FROM @extschema@.hubspot_contacts_raw c
	   WHERE NOT c.archived
		 AND c.createdate >= coalesce($1, '-infinity') AND c.createdate < coalesce($2, 'infinity')),
k AS (SELECT w.ws::date AS week, n.n
	  FROM kw, generate_series(kw.first_week, kw.last_at, interval '1 week') w(ws),
	  LATERAL (SELECT count(*) AS n
			   FROM @extschema@.hubspot_contacts_raw c
			   WHERE NOT c.archived
				 AND c.createdate >= w.ws AND c.createdate < w.ws + interval '1 week'
				 AND c.createdate >= coalesce($1, '-infinity') AND c.createdate < coalesce($2, 'infinity')) n
	  WHERE n.n > 0),
a AS (SELECT date_trunc('week', d.createdate)::date AS week, count(*) AS n
	  FROM @extschema@.hubspot_deals_raw d
	  WHERE NOT d.archived AND ($3 IS NULL OR d.pipeline = $3)
		AND d.createdate >= coalesce($1, '-infinity') AND d.createdate < coalesce($2, 'infinity')
	  GROUP BY 1),
b AS (SELECT date_trunc('week', d.closedate)::date AS week,
			 count(*) FILTER (WHERE d.outcome = 'won') AS won,
			 count(*) FILTER (WHERE d.outcome = 'lost') AS lost,
			 coalesce(sum(d.amount) FILTER (WHERE d.outcome = 'won'), 0) AS sales
	  FROM @extschema@.hubspot_deals d
	  WHERE d.outcome IN ('won', 'lost') AND ($3 IS NULL OR d.pipeline = $3)
		AND d.closedate >= coalesce($1, '-infinity') AND d.closedate < coalesce($2, 'infinity')
	  GROUP BY 1),
l AS (SELECT date_trunc('week', x.call_timestamp)::date AS week, count(*) AS n,
			 round(coalesce(sum(x.call_duration), 0) / 60000.0, 2) AS minutes
	  FROM @extschema@.hubspot_calls_raw x
	  WHERE NOT x.archived
		AND x.call_timestamp >= coalesce($1, '-infinity') AND x.call_timestamp < coalesce($2, 'infinity')
	  GROUP BY 1)
SELECT w.week, coalesce(k.n, 0), coalesce(a.n, 0), coalesce(b.won, 0), coalesce(b.lost, 0),
	   coalesce(b.sales, 0), coalesce(l.n, 0), coalesce(l.minutes, 0.00)
FROM (SELECT week FROM k UNION SELECT week FROM a UNION SELECT week FROM b UNION SELECT week FROM l) w
LEFT JOIN k ON k.week = w.week
LEFT JOIN a ON a.week = w.week
LEFT JOIN b ON b.week = w.week
LEFT JOIN l ON l.week = w.week
ORDER BY w.week
$$;
COMMENT ON FUNCTION hubspot_metrics_by_week(timestamptz, timestamptz, text) IS
	'per week (Monday, in the session''s time zone) of [window_start, window_end): contacts, deals, won and lost deals, sales, calls';
CREATE VIEW hubspot_metrics_by_week AS
SELECT * FROM @extschema@.hubspot_metrics_by_week(NULL, NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_week IS 'per week (Monday, in the session''s time zone): contacts, deals, won and lost deals, sales, calls';

-- Per owner (sales rep): deals won and sales by the deal's owner, calls by
-- the call's.  Every owner not archived has a row, zeros included; an
-- archived or unknown owner id has one when it has something in the
-- window; deals and calls without an owner share the row whose owner_id is
-- NULL.
CREATE FUNCTION hubspot_metrics_by_owner(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	pipeline text DEFAULT NULL,
	OUT owner_id text, OUT owner_name text, OUT email text, OUT archived boolean,
	OUT deals_won bigint, OUT total_sales numeric, OUT calls bigint, OUT connected_calls bigint,
	OUT call_minutes numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
WITH
won AS (SELECT NULLIF(btrim(d.hubspot_owner_id), '') AS owner_id, count(*) AS n, coalesce(sum(d.amount), 0) AS sales
		FROM @extschema@.hubspot_deals d
		WHERE d.outcome = 'won' AND ($3 IS NULL OR d.pipeline = $3)
		  AND (d.closedate >= coalesce($1, '-infinity') AND d.closedate < coalesce($2, 'infinity')
			   OR $1 IS NULL AND $2 IS NULL)
		GROUP BY 1),
called AS (SELECT NULLIF(btrim(l.hubspot_owner_id), '') AS owner_id, count(*) AS n,
				  count(*) FILTER (WHERE @extschema@.hubspot_call_connected(l.call_status, p.connected)) AS connected,
				  coalesce(sum(l.call_duration), 0) AS ms
		   FROM @extschema@.hubspot_calls_raw l
		   LEFT JOIN @extschema@.hubspot_call_dispositions p ON p.disposition = l.call_disposition
		   WHERE NOT l.archived
			 AND l.call_timestamp >= coalesce($1, '-infinity') AND l.call_timestamp < coalesce($2, 'infinity')
		   GROUP BY 1),
ids AS (SELECT w.owner_id FROM won w
		UNION SELECT c.owner_id FROM called c
		UNION SELECT o.owner_id FROM @extschema@.hubspot_owners o WHERE NOT o.archived)
SELECT i.owner_id, NULLIF(concat_ws(' ', btrim(o.firstname), btrim(o.lastname)), ''), o.email, o.archived,
	   coalesce(w.n, 0), coalesce(w.sales, 0), coalesce(c.n, 0), coalesce(c.connected, 0),
	   round(coalesce(c.ms, 0) / 60000.0, 2)
FROM ids i
LEFT JOIN @extschema@.hubspot_owners o ON o.owner_id = i.owner_id
LEFT JOIN won w ON w.owner_id IS NOT DISTINCT FROM i.owner_id
LEFT JOIN called c ON c.owner_id IS NOT DISTINCT FROM i.owner_id
ORDER BY i.owner_id IS NULL, coalesce(w.sales, 0) DESC, coalesce(w.n, 0) DESC, coalesce(c.n, 0) DESC, i.owner_id
$$;
COMMENT ON FUNCTION hubspot_metrics_by_owner(timestamptz, timestamptz, text) IS
	'per owner (sales rep) over [window_start, window_end): deals won and sales (closed in the window), calls, connected calls and call time';
CREATE VIEW hubspot_metrics_by_owner AS
SELECT * FROM @extschema@.hubspot_metrics_by_owner(NULL, NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_owner IS 'per owner (sales rep), all time: deals won, sales, calls, call time';
