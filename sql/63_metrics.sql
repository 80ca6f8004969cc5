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

