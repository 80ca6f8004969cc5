-- Sales dashboard metrics.  docs/metrics.md defines each one.
--
-- Windows are half-open, [window_start, window_end); a NULL bound is
-- unbounded.  Each object is placed in a window by one timestamp:
-- contacts by createdate, deals by createdate, won and lost deals by
-- closedate, calls by call_timestamp.  A row whose timestamp is NULL is in
-- no window.  Archived rows count nowhere.
--
-- The functions run with search_path = pg_catalog, pg_temp and name our own
-- objects with @extschema@, so a caller's search_path cannot change what
-- they compute.

-- Which deal stages are won and which lost.  Other stages are open.
CREATE TABLE hubspot_deal_stage_outcomes (
	dealstage text PRIMARY KEY,
	outcome text NOT NULL CHECK (outcome IN ('won', 'lost'))
);
COMMENT ON TABLE hubspot_deal_stage_outcomes IS
	'deal stages (internal ids, as in hubspot_deals_raw.dealstage) that count as won or lost; any other stage is open';
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
-- the tables are vacuumed), never the wide raw_json rows, except for the
-- deal -> contact associations.
CREATE INDEX hubspot_contacts_raw_metrics_idx ON hubspot_contacts_raw (createdate)
	INCLUDE (hubspot_id, vsl_watched, sales_script_version, phone) WHERE NOT archived;
CREATE INDEX hubspot_contacts_raw_metrics_phone_idx ON hubspot_contacts_raw
	(@extschema@.hubspot_normalize_phone(phone), createdate) INCLUDE (hubspot_id, phone) WHERE NOT archived;
CREATE INDEX hubspot_deals_raw_metrics_created_idx ON hubspot_deals_raw (createdate)
	INCLUDE (dealstage, amount, qualified_status, trial_status) WHERE NOT archived;
CREATE INDEX hubspot_deals_raw_metrics_closed_idx ON hubspot_deals_raw (closedate)
	INCLUDE (dealstage, amount, createdate, payment_status, number_of_installments__months) WHERE NOT archived;
CREATE INDEX hubspot_calls_raw_metrics_idx ON hubspot_calls_raw (call_timestamp)
	INCLUDE (call_direction, call_duration) WHERE NOT archived;
-- The contact's number on a call (the caller of an inbound call, the callee
-- of an outbound one), as hubspot_calls_with_contacts links them.
CREATE INDEX hubspot_calls_raw_contact_phone_idx ON hubspot_calls_raw
	(@extschema@.hubspot_normalize_phone(CASE WHEN call_direction OPERATOR(pg_catalog.=) 'INBOUND'
											  THEN call_from_number ELSE call_to_number END),
	 call_timestamp)
	INCLUDE (call_direction, call_from_number, call_to_number) WHERE NOT archived;

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

-- Each contact associated with at least one (non-archived) deal, by the
-- deals' associations, with how many deals and how many of them are won.
CREATE FUNCTION hubspot_contacts_with_deals(OUT contact_id text, OUT deals bigint, OUT won_deals bigint)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT a.contact_id, count(*), count(*) FILTER (WHERE a.won)
FROM (SELECT DISTINCT d.hubspot_id, e ->> 'id' AS contact_id, o.outcome IS NOT NULL AS won
	  FROM @extschema@.hubspot_deals_raw d
	  LEFT JOIN @extschema@.hubspot_deal_stage_outcomes o ON o.dealstage = d.dealstage AND o.outcome = 'won',
		   pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(d.raw_json -> 'associations' -> 'contacts' -> 'results') = 'array'
												THEN d.raw_json -> 'associations' -> 'contacts' -> 'results' END) e
	  WHERE NOT d.archived AND e ->> 'id' IS NOT NULL) a
GROUP BY a.contact_id
$$;
COMMENT ON FUNCTION hubspot_contacts_with_deals() IS
	'each contact id associated with at least one deal (archived deals left out), with its number of deals and of won deals';

CREATE FUNCTION hubspot_metrics(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	OUT name text, OUT value numeric, OUT unit text, OUT description text)
	RETURNS SETOF record
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_column
BEGIN
-- plpgsql plans this with the bounds' values (custom plans), so each
-- scan's estimate fits the window.
RETURN QUERY
WITH
-- Contacts created in the window, and those of them with a deal (looked
-- up from the deals' side: there are far fewer of those).
contact_stats AS (
	SELECT count(*) AS contacts,
		   count(*) FILTER (WHERE c.vsl_watched) AS watched
	FROM @extschema@.hubspot_contacts_raw c
	WHERE NOT c.archived
	  AND c.createdate >= coalesce(window_start, '-infinity') AND c.createdate < coalesce(window_end, 'infinity')),
converted_stats AS (
	SELECT count(*) AS converted,
		   count(*) FILTER (WHERE c.vsl_watched) AS watched_converted
	FROM @extschema@.hubspot_contacts_with_deals() w,
	LATERAL (SELECT c.vsl_watched
			 FROM @extschema@.hubspot_contacts_raw c
			 WHERE c.hubspot_id = w.contact_id AND NOT c.archived
			   AND c.createdate >= coalesce(window_start, '-infinity') AND c.createdate < coalesce(window_end, 'infinity')
			 OFFSET 0) c),	-- OFFSET 0: a primary key look-up per contact, not a scan of all
-- Each of them that has a call at or after its creation, with the first.
first_calls AS (
	SELECT c.hubspot_id, c.createdate, min(l.call_timestamp) AS first_call_at
	FROM @extschema@.hubspot_calls_raw l
	JOIN @extschema@.hubspot_contacts_raw c
	  ON @extschema@.hubspot_normalize_phone(c.phone) =
		 @extschema@.hubspot_normalize_phone(CASE WHEN l.call_direction = 'INBOUND'
												  THEN l.call_from_number ELSE l.call_to_number END)
	 AND l.call_timestamp >= c.createdate
	WHERE NOT l.archived AND NOT c.archived
	  AND l.call_timestamp >= coalesce(window_start, '-infinity')	-- implied: narrows the calls read
	  AND c.createdate >= coalesce(window_start, '-infinity') AND c.createdate < coalesce(window_end, 'infinity')
	GROUP BY c.hubspot_id, c.createdate),
call_contact_stats AS (
	SELECT count(*) AS reached,
		   extract(epoch FROM avg(first_call_at - createdate)) / 3600 AS hours_to_first_call
	FROM first_calls),
-- Deals created in the window, grouped by what decides their flags.
created AS (
	SELECT d.qualified_status, d.trial_status, count(*) AS deals
	FROM @extschema@.hubspot_deals_raw d
	WHERE NOT d.archived
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
-- Deals closed (won or lost) in the window.
closed AS (
	SELECT o.outcome, d.payment_status,
		   count(*) AS deals,
		   sum(d.amount) AS amount, count(d.amount) AS with_amount,
		   sum(extract(epoch FROM d.closedate - d.createdate)) AS seconds_to_sale,
		   count(d.createdate) AS with_createdate,
		   sum(d.number_of_installments__months) AS installments,
		   count(d.number_of_installments__months) AS with_installments
	FROM @extschema@.hubspot_deals_raw d
	JOIN @extschema@.hubspot_deal_stage_outcomes o ON o.dealstage = d.dealstage
	WHERE NOT d.archived
	  AND d.closedate >= coalesce(window_start, '-infinity') AND d.closedate < coalesce(window_end, 'infinity')
	GROUP BY 1, 2),
closed_stats AS (
	SELECT coalesce(sum(g.deals) FILTER (WHERE g.outcome = 'won'), 0) AS won,
		   coalesce(sum(g.deals) FILTER (WHERE g.outcome = 'lost'), 0) AS lost,
		   coalesce(sum(g.amount) FILTER (WHERE g.outcome = 'won'), 0) AS sales,
		   sum(g.with_amount) FILTER (WHERE g.outcome = 'won') AS won_with_amount,
		   sum(g.seconds_to_sale) FILTER (WHERE g.outcome = 'won') AS seconds_to_sale,
		   sum(g.with_createdate) FILTER (WHERE g.outcome = 'won') AS won_with_createdate,
		   coalesce(sum(g.deals) FILTER (WHERE g.outcome = 'won' AND
						CASE WHEN coalesce(btrim(g.payment_status), '') = '' THEN false
								WHEN lower(btrim(g.payment_status)) = ANY (r.yes) THEN true
								WHEN lower(btrim(g.payment_status)) = ANY (r.no) THEN false
								ELSE coalesce('*' = ANY (r.yes), false) END), 0) AS paying,
		   sum(g.installments) FILTER (WHERE g.outcome = 'won') AS installments,
		   sum(g.with_installments) FILTER (WHERE g.outcome = 'won') AS with_installments
	FROM closed g, (SELECT * FROM rules WHERE property = 'payment_status') r),
-- Calls in the window.
call_stats AS (
	SELECT count(*) AS calls,
		   count(*) FILTER (WHERE l.call_direction = 'INBOUND') AS inbound,
		   count(*) FILTER (WHERE l.call_direction = 'OUTBOUND') AS outbound,
		   avg(l.call_duration) / 1000 AS avg_seconds,
		   coalesce(sum(l.call_duration), 0) / 60000.0 AS total_minutes,
		   count(*) FILTER (WHERE l.call_duration >= 300000) AS long_calls
	FROM @extschema@.hubspot_calls_raw l
	WHERE NOT l.archived
	  AND l.call_timestamp >= coalesce(window_start, '-infinity') AND l.call_timestamp < coalesce(window_end, 'infinity'))
SELECT m.name, m.value, m.unit, m.description
FROM contact_stats k, converted_stats v, call_contact_stats r, created_stats a, closed_stats b, call_stats l,
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
	(10, 'average_time_to_sale', round(b.seconds_to_sale / nullif(b.won_with_createdate, 0) / 86400, 2), 'days',
		'average time from creation to close of the deals won (closed in the window)'),
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
		'contacts created in the window with a call to or from their phone number at or after their creation'),
	(22, 'contacts_reached_by_phone_rate', round(100.0 * r.reached / nullif(k.contacts, 0), 2), 'percent',
		'contacts reached by phone per 100 contacts created in the window'),
	(23, 'average_time_to_first_contact', round(r.hours_to_first_call, 2), 'hours',
		'average time from a contact''s creation to its first call, over the contacts created in the window that were reached by phone'),
	(24, 'vsl_watched_rate', round(100.0 * k.watched / nullif(k.contacts, 0), 2), 'percent',
		'contacts created in the window with vsl_watched true, per 100 contacts created in the window'),
	(25, 'conversion_rate_vsl_watched', round(100.0 * v.watched_converted / nullif(k.watched, 0), 2), 'percent',
		'contact-to-deal conversion rate of the contacts created in the window with vsl_watched true'),
	(26, 'conversion_rate_vsl_not_watched', round(100.0 * (v.converted - v.watched_converted) / nullif(k.contacts - k.watched, 0), 2), 'percent',
		'contact-to-deal conversion rate of the contacts created in the window with vsl_watched false or unknown')
	) AS m(ord, name, value, unit, description)
ORDER BY m.ord;
END
$$;
COMMENT ON FUNCTION hubspot_metrics(timestamptz, timestamptz) IS
	'the sales dashboard''s metrics over [window_start, window_end) (NULL: unbounded), one row each; see docs/metrics.md';

-- Breakdowns.  Each is a function of the window and a view of all time
-- (the view is the function with NULL bounds).

CREATE FUNCTION hubspot_metrics_by_deal_stage(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	OUT dealstage text, OUT outcome text, OUT deals bigint, OUT share numeric,
	OUT total_amount numeric, OUT average_amount numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT s.dealstage, coalesce(o.outcome, 'open'), s.deals,
	   round(100.0 * s.deals / sum(s.deals) OVER (), 2),
	   s.total_amount, round(s.average_amount, 2)
FROM (SELECT d.dealstage, count(*) AS deals, sum(d.amount) AS total_amount, avg(d.amount) AS average_amount
	  FROM @extschema@.hubspot_deals_raw d
	  WHERE NOT d.archived
		AND d.createdate >= coalesce(window_start, '-infinity') AND d.createdate < coalesce(window_end, 'infinity')
	  GROUP BY d.dealstage) s
LEFT JOIN @extschema@.hubspot_deal_stage_outcomes o ON o.dealstage = s.dealstage
ORDER BY s.deals DESC, s.dealstage
$$;
COMMENT ON FUNCTION hubspot_metrics_by_deal_stage(timestamptz, timestamptz) IS
	'deals created in [window_start, window_end) per current deal stage';
CREATE VIEW hubspot_metrics_by_deal_stage AS
SELECT * FROM @extschema@.hubspot_metrics_by_deal_stage(NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_deal_stage IS 'all deals per current deal stage';

CREATE FUNCTION hubspot_metrics_by_payment_status(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	OUT payment_status text, OUT paying boolean, OUT deals bigint, OUT share numeric, OUT total_amount numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT s.payment_status, @extschema@.hubspot_deal_status_counts('payment_status', s.payment_status),
	   s.deals, round(100.0 * s.deals / sum(s.deals) OVER (), 2), s.total_amount
FROM (SELECT d.payment_status, count(*) AS deals, sum(d.amount) AS total_amount
	  FROM @extschema@.hubspot_deals_raw d
	  JOIN @extschema@.hubspot_deal_stage_outcomes o ON o.dealstage = d.dealstage AND o.outcome = 'won'
	  WHERE NOT d.archived
		AND d.closedate >= coalesce(window_start, '-infinity') AND d.closedate < coalesce(window_end, 'infinity')
	  GROUP BY d.payment_status) s
ORDER BY s.deals DESC, s.payment_status
$$;
COMMENT ON FUNCTION hubspot_metrics_by_payment_status(timestamptz, timestamptz) IS
	'deals won (closed in [window_start, window_end)) per payment_status';
CREATE VIEW hubspot_metrics_by_payment_status AS
SELECT * FROM @extschema@.hubspot_metrics_by_payment_status(NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_payment_status IS 'all deals won per payment_status';

CREATE FUNCTION hubspot_metrics_by_script_version(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	OUT sales_script_version text, OUT contacts bigint, OUT contacts_with_deal bigint,
	OUT conversion_rate numeric, OUT contacts_with_won_deal bigint, OUT won_conversion_rate numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT s.v, s.contacts, coalesce(w.with_deal, 0), round(100.0 * coalesce(w.with_deal, 0) / s.contacts, 2),
	   coalesce(w.with_won, 0), round(100.0 * coalesce(w.with_won, 0) / s.contacts, 2)
FROM (SELECT c.sales_script_version AS v, count(*) AS contacts
	  FROM @extschema@.hubspot_contacts_raw c
	  WHERE NOT c.archived
		AND c.createdate >= coalesce(window_start, '-infinity') AND c.createdate < coalesce(window_end, 'infinity')
	  GROUP BY c.sales_script_version) s
LEFT JOIN (SELECT c.sales_script_version AS v, count(*) AS with_deal, count(*) FILTER (WHERE w.won_deals > 0) AS with_won
		   FROM @extschema@.hubspot_contacts_with_deals() w
		   JOIN @extschema@.hubspot_contacts_raw c ON c.hubspot_id = w.contact_id
		   WHERE NOT c.archived
			 AND c.createdate >= coalesce(window_start, '-infinity') AND c.createdate < coalesce(window_end, 'infinity')
		   GROUP BY c.sales_script_version) w ON w.v IS NOT DISTINCT FROM s.v
ORDER BY s.v NULLS LAST
$$;
COMMENT ON FUNCTION hubspot_metrics_by_script_version(timestamptz, timestamptz) IS
	'contacts created in [window_start, window_end) per sales_script_version, with their conversion to deals and to won deals';
CREATE VIEW hubspot_metrics_by_script_version AS
SELECT * FROM @extschema@.hubspot_metrics_by_script_version(NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_script_version IS 'all contacts per sales_script_version, with their conversion';

CREATE FUNCTION hubspot_metrics_by_week(window_start timestamptz DEFAULT NULL, window_end timestamptz DEFAULT NULL,
	OUT week date, OUT new_contacts bigint, OUT new_deals bigint, OUT deals_won bigint,
	OUT deals_lost bigint, OUT total_sales numeric, OUT calls bigint, OUT call_minutes numeric)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
WITH
k AS (SELECT date_trunc('week', c.createdate)::date AS week, count(*) AS n
	  FROM @extschema@.hubspot_contacts_raw c
	  WHERE NOT c.archived
		AND c.createdate >= coalesce(window_start, '-infinity') AND c.createdate < coalesce(window_end, 'infinity')
	  GROUP BY 1),
a AS (SELECT date_trunc('week', d.createdate)::date AS week, count(*) AS n
	  FROM @extschema@.hubspot_deals_raw d
	  WHERE NOT d.archived
		AND d.createdate >= coalesce(window_start, '-infinity') AND d.createdate < coalesce(window_end, 'infinity')
	  GROUP BY 1),
b AS (SELECT date_trunc('week', d.closedate)::date AS week,
			 count(*) FILTER (WHERE o.outcome = 'won') AS won,
			 count(*) FILTER (WHERE o.outcome = 'lost') AS lost,
			 coalesce(sum(d.amount) FILTER (WHERE o.outcome = 'won'), 0) AS sales
	  FROM @extschema@.hubspot_deals_raw d
	  JOIN @extschema@.hubspot_deal_stage_outcomes o ON o.dealstage = d.dealstage
	  WHERE NOT d.archived
		AND d.closedate >= coalesce(window_start, '-infinity') AND d.closedate < coalesce(window_end, 'infinity')
	  GROUP BY 1),
l AS (SELECT date_trunc('week', x.call_timestamp)::date AS week, count(*) AS n,
			 round(coalesce(sum(x.call_duration), 0) / 60000.0, 2) AS minutes
	  FROM @extschema@.hubspot_calls_raw x
	  WHERE NOT x.archived
		AND x.call_timestamp >= coalesce(window_start, '-infinity') AND x.call_timestamp < coalesce(window_end, 'infinity')
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
COMMENT ON FUNCTION hubspot_metrics_by_week(timestamptz, timestamptz) IS
	'per week (Monday, in the session''s time zone) of [window_start, window_end): contacts, deals, won and lost deals, sales, calls';
CREATE VIEW hubspot_metrics_by_week AS
SELECT * FROM @extschema@.hubspot_metrics_by_week(NULL, NULL);
COMMENT ON VIEW hubspot_metrics_by_week IS 'per week (Monday, in the session''s time zone): contacts, deals, won and lost deals, sales, calls';
