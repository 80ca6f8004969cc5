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

