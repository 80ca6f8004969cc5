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
