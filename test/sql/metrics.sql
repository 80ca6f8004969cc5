--
-- hubspot_metrics() and the breakdowns, on a small hand-made data set whose
-- answers are worked out below.  Proves each metric's definition: the
-- [window_start, window_end) window on the right timestamp, archived rows
-- left out, the won/lost stage table and the status value table applied,
-- deal -> contact associations and phone numbers in other formats linked.
--
-- Earlier tests leave synced rows in the tables: everything here runs in a
-- transaction that empties them first and is rolled back.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hubspot_sync;
RESET client_min_messages;
SET TimeZone = 'UTC';

-- The defaults: closedwon/closedlost, and which status values count.
SELECT * FROM hubspot_deal_stage_outcomes ORDER BY dealstage;
SELECT * FROM hubspot_deal_status_values ORDER BY property, value;
SELECT property, value, hubspot_deal_status_counts(property, value) AS counts
FROM (VALUES ('qualified_status', 'qualified'), ('qualified_status', ' Qualified '),
             ('qualified_status', 'unqualified'), ('qualified_status', NULL),
             ('trial_status', 'active'), ('trial_status', 'None'), ('trial_status', ''),
             ('trial_status', '  '), ('trial_status', NULL),
             ('payment_status', 'paid'), ('payment_status', 'PAYING'), ('payment_status', 'failed')) v(property, value);
-- Rows users add are dumped with the extension; the seeded ones are not.
SELECT c.relname, pg_catalog.array_position(e.extconfig, c.oid) IS NOT NULL AS dumped,
       e.extcondition[pg_catalog.array_position(e.extconfig, c.oid)] AS condition
FROM pg_catalog.pg_extension e, pg_catalog.pg_class c
WHERE e.extname = 'hubspot_sync'
  AND c.relname IN ('hubspot_deal_stage_outcomes', 'hubspot_deal_status_values')
ORDER BY 1;

BEGIN;
DELETE FROM hubspot_contacts_raw;
DELETE FROM hubspot_deals_raw;
DELETE FROM hubspot_calls_raw;
-- This portal has a second lost stage.
INSERT INTO hubspot_deal_stage_outcomes VALUES ('contractlost', 'lost');

-- The window is January 2024: [2024-01-01, 2024-02-01).
--
-- Contacts.  In the window: c1..c5 (5).  c6 is created before it, c7 is
-- archived, c8 is created at the window's end (excluded: half-open).
-- vsl_watched: c1, c2 (2 of 5: 40%).
INSERT INTO hubspot_contacts_raw (hubspot_id, phone, createdate, vsl_watched, sales_script_version, raw_json, archived) VALUES
  ('c1', '+33 6 11 11 11 11', '2024-01-05 10:00+00', true,  'A',  '{}', false),
  ('c2', '0033 6 22 22 22 22', '2024-01-10 09:00+00', true,  'A',  '{}', false),
  ('c3', '+1 (555) 123-4567', '2024-01-15 12:00+00', false, 'B',  '{}', false),
  ('c4', NULL,                '2024-01-20 00:00+00', NULL,  'B',  '{}', false),
  ('c5', '+33 6 55 55 55 55', '2024-01-25 00:00+00', false, NULL, '{}', false),
  ('c6', '+33 6 66 66 66 66', '2023-12-20 00:00+00', true,  'A',  '{}', false),
  ('c7', '+33 6 77 77 77 77', '2024-01-28 00:00+00', true,  'A',  '{}', true),
  ('c8', '+33 6 88 88 88 88', '2024-02-01 00:00+00', true,  'A',  '{}', false);

-- Deals.
--   d1 won   created 01-06, closed 01-16 (10 days), 1000, qualified, trial active, paid,    3 months; c1
--   d2 won   created 01-08, closed 01-13 (5 days),  2000, ' Qualified', trial none, failed, 6 months; c2, c1
--   d3 won   created 2023-12-01, closed 01-10 (40 days), 500, unqualified, no trial, 'Paying', no installments; c6
--   d4 lost  created 01-12, closed 01-20,  800, no qualified_status, trial '';  c3
--   d5 lost (contractlost) created 01-14, closed 01-30, 300, unqualified; c4 listed twice (two association types), and a contact id that is not synced
--   d6 open  created 01-18, 1500, qualified, trial ended; no associations
--   d7 won   but archived: counts nowhere (so c5 has no deal)
--   d8 won   created 01-20, closed 02-05 (after the window), 700, pending, trial 'trial'; c3
INSERT INTO hubspot_deals_raw (hubspot_id, amount, dealstage, createdate, closedate, qualified_status, trial_status,
                               payment_status, number_of_installments__months, raw_json, archived) VALUES
  ('d1', 1000, 'closedwon', '2024-01-06 00:00+00', '2024-01-16 00:00+00', 'qualified', 'active', 'paid', 3,
   '{"associations": {"contacts": {"results": [{"id": "c1", "type": "deal_to_contact"}]}}}', false),
  ('d2', 2000, 'closedwon', '2024-01-08 00:00+00', '2024-01-13 00:00+00', ' Qualified', 'none', 'failed', 6,
   '{"associations": {"contacts": {"results": [{"id": "c2", "type": "deal_to_contact"}, {"id": "c1", "type": "deal_to_contact"}]}}}', false),
  ('d3', 500, 'closedwon', '2023-12-01 00:00+00', '2024-01-10 00:00+00', 'unqualified', NULL, 'Paying', NULL,
   '{"associations": {"contacts": {"results": [{"id": "c6", "type": "deal_to_contact"}]}}}', false),
  ('d4', 800, 'closedlost', '2024-01-12 00:00+00', '2024-01-20 00:00+00', NULL, '', NULL, NULL,
   '{"associations": {"contacts": {"results": [{"id": "c3", "type": "deal_to_contact"}]}}}', false),
  ('d5', 300, 'contractlost', '2024-01-14 00:00+00', '2024-01-30 00:00+00', 'unqualified', NULL, NULL, NULL,
   '{"associations": {"contacts": {"results": [{"id": "c4", "type": "deal_to_contact"}, {"id": "c4", "type": "deal_to_contact_unlabeled"}, {"id": "c999", "type": "deal_to_contact"}]}}}', false),
  ('d6', 1500, 'appointmentscheduled', '2024-01-18 00:00+00', NULL, 'qualified', 'ended', NULL, NULL,
   '{"properties": {"dealname": "no contacts"}}', false),
  ('d7', 9999, 'closedwon', '2024-01-07 00:00+00', '2024-01-09 00:00+00', 'qualified', 'active', 'paid', 12,
   '{"associations": {"contacts": {"results": [{"id": "c5", "type": "deal_to_contact"}]}}}', true),
  ('d8', 700, 'closedwon', '2024-01-20 00:00+00', '2024-02-05 00:00+00', 'pending', 'trial', 'paid', 2,
   '{"associations": {"contacts": {"results": [{"id": "c3", "type": "deal_to_contact"}]}}}', false);

-- Calls: the contact's number is from_number on inbound calls, to_number on
-- outbound ones, written differently from the contact's phone.
--   k1 out c1 01-05 12:00 (2 h after c1's creation), 6 min
--   k2 in  c1 01-06 10:00, 2 min
--   k3 out c2 01-09 09:00, 1 min: before c2 was created, so not c2's first contact
--   k4 out c2 01-11 09:00 (24 h after), exactly 5 min
--   k5 in  c3 01-15 18:00 (6 h after), 0 ms
--   k6 out c5, archived: counts nowhere
--   k7 out c6 01-02, no duration (c6 is not in the window)
--   k8 in  c1 02-03, after the window
--   k9 out c5 02-10 00:00: after the window, but c5's first contact (16 days = 384 h)
INSERT INTO hubspot_calls_raw (hubspot_id, call_duration, call_direction, call_to_number, call_from_number, call_timestamp, raw_json, archived) VALUES
  ('k1', 360000, 'OUTBOUND', '+33 (0)6 11 11 11 11', '+33 1 86 95 00 00', '2024-01-05 12:00+00', '{}', false),
  ('k2', 120000, 'INBOUND',  '+33 1 86 95 00 00', '0033611111111',        '2024-01-06 10:00+00', '{}', false),
  ('k3', 60000,  'OUTBOUND', '+33 6 22 22 22 22', '+33 1 86 95 00 00',    '2024-01-09 09:00+00', '{}', false),
  ('k4', 300000, 'OUTBOUND', '+33622222222', '+33 1 86 95 00 00',         '2024-01-11 09:00+00', '{}', false),
  ('k5', 0,      'INBOUND',  '+33 1 86 95 00 00', '+1 555 123 4567',      '2024-01-15 18:00+00', '{}', false),
  ('k6', 900000, 'OUTBOUND', '+33 6 55 55 55 55', '+33 1 86 95 00 00',    '2024-01-25 13:00+00', '{}', true),
  ('k7', NULL,   'OUTBOUND', '+33 6 66 66 66 66', '+33 1 86 95 00 00',    '2024-01-02 00:00+00', '{}', false),
  ('k8', 600000, 'INBOUND',  '+33 1 86 95 00 00', '+33 6 11 11 11 11',    '2024-02-03 00:00+00', '{}', false),
  ('k9', 30000,  'OUTBOUND', 'tel:+33655555555', '+33 1 86 95 00 00',     '2024-02-10 00:00+00', '{}', false);

-- Expected, for January 2024:
--   new_contacts 5 (c1..c5)
--   contacts_with_deal 4: c1 (d1, d2), c2 (d2), c3 (d4, d8), c4 (d5); c5's only deal is archived
--   contact_to_deal_conversion_rate 4 / 5 = 80.00
--   total_deals 6 created in the window: d1, d2, d4, d5, d6, d8 (d3 before, d7 archived)
--   deals_won 3 closed in the window: d1, d2, d3 (d8 closes after it, d7 archived)
--   deals_lost 2: d4 (closedlost), d5 (contractlost)
--   win_rate 3 of 5 closed: 60.00
--   total_sales 1000 + 2000 + 500 = 3500
--   average_deal_size 3500 / 3 = 1166.67
--   average_time_to_sale (10 + 5 + 40) / 3 = 18.33 days
--   qualified_rate d1, d2 (' Qualified'), d6 of 6 = 50.00
--   trial_rate d1 (active), d6 (ended), d8 (trial) of 6 = 50.00; none, '' and NULL do not count
--   paying_share d1 (paid), d3 (Paying) of 3 won = 66.67; d2 failed
--   average_installments (3 + 6) / 2 = 4.50 (d3 has none)
--   total_calls 6: k1, k2, k3, k4, k5, k7 (k6 archived, k8 k9 after)
--   inbound_calls 2 (k2, k5), outbound_calls 4 (k1, k3, k4, k7)
--   average_call_duration (360 + 120 + 60 + 300 + 0) / 5 = 168.00 s (k7 has none)
--   total_call_time 840,000 ms = 14.00 min
--   calls_5_minutes_or_more 2 (k1 6 min, k4 5 min)
--   contacts_reached_by_phone 4: c1 (k1), c2 (k4), c3 (k5), c5 (k9); c4 has no phone
--   contacts_reached_by_phone_rate 4 / 5 = 80.00
--   average_time_to_first_contact (2 + 24 + 6 + 384) / 4 = 104.00 h
--   vsl_watched_rate 2 / 5 = 40.00
--   conversion_rate_vsl_watched c1, c2: 2 / 2 = 100.00
--   conversion_rate_vsl_not_watched c3, c4 of c3, c4, c5 (false or NULL): 2 / 3 = 66.67
--   connected_calls 0, call_connection_rate 0.00, contacts_connected_by_phone 0 and its
--     rate 0.00: no call has an outcome (metrics_phone and metrics_pipelines have some)
SELECT name, value, unit FROM hubspot_metrics('2024-01-01', '2024-02-01');
SELECT name, value,
       value = (ARRAY[5, 4, 80.00, 6, 3, 2, 60.00, 3500, 1166.67, 18.33, 50.00, 50.00, 66.67, 4.50,
                      6, 2, 4, 168.00, 14.00, 2, 4, 80.00, 104.00, 40.00, 100.00, 66.67,
                      0, 0.00, 0, 0.00])[row_number() OVER ()] AS ok
FROM hubspot_metrics('2024-01-01', '2024-02-01');

-- Each row describes itself.
SELECT name, description FROM hubspot_metrics('2024-01-01', '2024-02-01');

-- Unbounded: NULL bounds take everything not archived.
--   new_contacts 7 (c1..c6, c8), total_deals 7 (d1..d6, d8),
--   deals_won 4 (d1, d2, d3, d8), total_sales 4200, win_rate 4 of 6 = 66.67,
--   total_calls 8 (all but k6)
SELECT name, value FROM hubspot_metrics(NULL, NULL)
WHERE name IN ('new_contacts', 'total_deals', 'deals_won', 'total_sales', 'win_rate', 'total_calls');
-- A bound alone: from 2024-01-15 on.  Contacts c3, c4, c5, c8; calls k5, k8, k9.
SELECT name, value FROM hubspot_metrics('2024-01-15', NULL)
WHERE name IN ('new_contacts', 'total_calls');

-- An empty window: counts are 0, sums 0, rates and averages NULL.
SELECT name, value FROM hubspot_metrics('2030-01-01', '2030-02-01');

-- The values that count are data: with 'pending' qualified too, d8 counts
-- (4 of 6 = 66.67); a portal whose trials are only 'active' and 'trial'
-- (2 of 6 = 33.33).
INSERT INTO hubspot_deal_status_values VALUES ('qualified_status', 'pending', true);
UPDATE hubspot_deal_status_values SET counts = false WHERE property = 'trial_status' AND value = '*';
INSERT INTO hubspot_deal_status_values VALUES ('trial_status', 'active', true), ('trial_status', 'trial', true);
SELECT name, value FROM hubspot_metrics('2024-01-01', '2024-02-01')
WHERE name IN ('qualified_rate', 'trial_rate');

-- Breakdowns for January 2024.
-- Deals created in the window per stage: closedwon d1 d2 d8 (3, 3700,
-- 1233.33), then one each: appointmentscheduled d6 1500, closedlost d4 800,
-- contractlost d5 300.  Shares of 6: 50.00, 16.67.  No pipeline is synced
-- here: no labels, stages in id order, outcomes from
-- hubspot_deal_stage_outcomes alone (metrics_pipelines has pipelines).
SELECT * FROM hubspot_metrics_by_deal_stage('2024-01-01', '2024-02-01');
-- Won deals closed in the window per payment_status, in lower case:
-- failed (d2), paid (d1), paying (d3's 'Paying'); one each, 33.33%.
SELECT * FROM hubspot_metrics_by_payment_status('2024-01-01', '2024-02-01')
ORDER BY payment_status COLLATE "C";
-- Contacts created in the window per script version:
--   a (written A): c1, c2, both with a won deal (d1, d2): 2, 2, 100.00, 2, 100.00
--   b: c3 (d4 lost, d8 won), c4 (d5 lost): 2, 2, 100.00, 1, 50.00
--   no version: c5 (archived deal only): 1, 0, 0.00, 0, 0.00
SELECT * FROM hubspot_metrics_by_script_version('2024-01-01', '2024-02-01');
-- Per week (weeks start on Monday; 2024-01-01 is one):
--   01-01: contacts c1; deals d1; calls k7 k1 k2 (0 + 6 + 2 min)
--   01-08: contacts c2; deals d2 d4 d5; won d2 d3 (2500); calls k3 k4 (1 + 5 min)
--   01-15: contacts c3 c4; deals d6 d8; won d1 (1000), lost d4; call k5 (0 min)
--   01-22: contacts c5
--   01-29: lost d5
SELECT * FROM hubspot_metrics_by_week('2024-01-01', '2024-02-01');

-- The views are the same breakdowns over all time.
SELECT * FROM hubspot_metrics_by_deal_stage;
SELECT * FROM hubspot_metrics_by_payment_status ORDER BY payment_status COLLATE "C";
SELECT * FROM hubspot_metrics_by_script_version;
SELECT * FROM hubspot_metrics_by_week;

-- Contacts with deals, as the conversion metrics see them: c4 once though
-- listed twice; c999 is listed though not synced (the metrics only count
-- synced contacts); c5's deal is archived.
SELECT * FROM hubspot_contacts_with_deals() ORDER BY contact_id;
ROLLBACK;

-- The rollback restored the defaults.
SELECT count(*) AS stage_rows FROM hubspot_deal_stage_outcomes;

--
-- The side tables.  Which contacts have a deal, each contact's and each
-- call's phone key, and each contact's first call and first connected
-- call, are kept in hubspot_deal_contacts, hubspot_contact_numbers,
-- hubspot_call_numbers and hubspot_contact_metrics by triggers on the
-- synced tables.  After every kind of change the sync (or a user) makes,
-- check() compares them, hubspot_calls_with_contacts and the metrics read
-- from them with the same answers recomputed from scratch by
-- straightforward queries on the synced tables: the deals' associations
-- unnested, every call matched to the oldest contact with its number.
--
-- metrics_test.check() outlives this file: metrics_pipelines and
-- metrics_phone use it too.
CREATE SCHEMA IF NOT EXISTS metrics_test;
CREATE OR REPLACE FUNCTION metrics_test.check(OUT side_tables_ok boolean, OUT view_ok boolean, OUT metrics_ok boolean,
                                              OUT contacts_with_deal bigint, OUT contacts_reached bigint,
                                              OUT contacts_connected bigint)
LANGUAGE sql SET search_path = public, pg_temp AS $$
WITH pairs AS (
    SELECT DISTINCT d.hubspot_id AS deal_id, e ->> 'id' AS contact_id
    FROM hubspot_deals_raw d,
         jsonb_array_elements(CASE WHEN jsonb_typeof(d.raw_json -> 'associations' -> 'contacts' -> 'results') = 'array'
                                   THEN d.raw_json -> 'associations' -> 'contacts' -> 'results' END) e
    WHERE NOT d.archived AND e ->> 'id' IS NOT NULL),
settings AS (SELECT (SELECT default_country_code FROM hubspot_metrics_settings) AS cc),
contact_keys AS (
    SELECT c.hubspot_id AS contact_id,
           CASE WHEN s.cc IS NULL THEN hubspot_normalize_phone(c.phone) ELSE hubspot_normalize_phone(c.phone, s.cc) END AS number,
           c.createdate
    FROM hubspot_contacts_raw c, settings s
    WHERE NOT c.archived),
call_keys AS (
    SELECT l.hubspot_id AS call_id,
           CASE WHEN s.cc IS NULL THEN hubspot_normalize_phone(n.number) ELSE hubspot_normalize_phone(n.number, s.cc) END AS number,
           l.call_timestamp,
           coalesce((SELECT p.connected FROM hubspot_call_dispositions p WHERE p.disposition = l.call_disposition), false)
           AND coalesce(upper(btrim(l.call_status)), '') IN ('COMPLETED', '') AS connected
    FROM hubspot_calls_raw l, settings s,
         LATERAL (SELECT CASE WHEN upper(btrim(l.call_direction)) = 'INBOUND' THEN l.call_from_number
                              ELSE l.call_to_number END) n(number)
    WHERE NOT l.archived),
-- Each call to the oldest contact with its number.
links AS (
    SELECT DISTINCT ON (l.call_id) l.call_id, k.contact_id, l.call_timestamp, l.connected
    FROM call_keys l JOIN contact_keys k ON k.number = l.number
    ORDER BY l.call_id, k.createdate, k.contact_id),
first_calls AS (
    SELECT k.contact_id AS hubspot_id, min(l.call_timestamp) AS first_call_at,
           min(l.call_timestamp) FILTER (WHERE l.connected) AS first_connected_at
    FROM links l JOIN contact_keys k ON k.contact_id = l.contact_id AND l.call_timestamp >= k.createdate
    GROUP BY k.contact_id),
per_contact AS (
    SELECT c.hubspot_id AS contact_id, c.createdate, c.vsl_watched, c.sales_script_version,
           (SELECT count(*) FROM pairs p WHERE p.contact_id = c.hubspot_id)::integer AS deals, f.first_call_at,
           f.first_connected_at
    FROM hubspot_contacts_raw c LEFT JOIN first_calls f USING (hubspot_id)
    WHERE NOT c.archived AND c.createdate IS NOT NULL),
expected_side AS (
    SELECT * FROM per_contact WHERE deals > 0 OR first_call_at IS NOT NULL),
expected_view AS (
    SELECT l.hubspot_id AS call_id, k.contact_id, l.hubspot_id IN (SELECT call_id FROM call_keys WHERE connected) AS connected
    FROM hubspot_calls_raw l LEFT JOIN links k ON k.call_id = l.hubspot_id
    WHERE NOT l.archived),
-- The metrics that read the side tables, all time and for January 2024.
expected_metrics AS (
    SELECT w.s, w.e, v.*
    FROM (VALUES (NULL::timestamptz, NULL::timestamptz), ('2024-01-01', '2024-02-01')) w(s, e),
    LATERAL (SELECT count(*) FILTER (WHERE p.deals > 0)::numeric AS with_deal,
                    count(p.first_call_at)::numeric AS reached,
                    count(p.first_connected_at)::numeric AS connected,
                    round((extract(epoch FROM avg(p.first_call_at - p.createdate)) / 3600)::numeric, 2) AS hours,
                    round(100.0 * count(*) FILTER (WHERE p.deals > 0 AND p.vsl_watched)
                          / nullif(count(*) FILTER (WHERE p.vsl_watched), 0), 2) AS watched_rate
             FROM per_contact p
             WHERE p.createdate >= coalesce(w.s, '-infinity') AND p.createdate < coalesce(w.e, 'infinity')) v),
actual_metrics AS (
    SELECT w.s, w.e,
           max(m.value) FILTER (WHERE m.name = 'contacts_with_deal') AS with_deal,
           max(m.value) FILTER (WHERE m.name = 'contacts_reached_by_phone') AS reached,
           max(m.value) FILTER (WHERE m.name = 'contacts_connected_by_phone') AS connected,
           max(m.value) FILTER (WHERE m.name = 'average_time_to_first_contact') AS hours,
           max(m.value) FILTER (WHERE m.name = 'conversion_rate_vsl_watched') AS watched_rate
    FROM (VALUES (NULL::timestamptz, NULL::timestamptz), ('2024-01-01', '2024-02-01')) w(s, e),
         hubspot_metrics(w.s, w.e) m
    GROUP BY w.s, w.e),
-- Won: the override of the stage id, else the (pipeline, stage)'s metadata.
expected_with_deals AS (
    SELECT p.contact_id, count(*) AS deals,
           count(*) FILTER (WHERE coalesce(
               (SELECT o.outcome FROM hubspot_deal_stage_outcomes o WHERE o.dealstage = d.dealstage),
               (SELECT CASE WHEN s.is_closed AND s.probability = 1 THEN 'won' END
                FROM hubspot_pipeline_stages s
                WHERE s.object_type = 'deals' AND s.pipeline_id = d.pipeline AND s.stage_id = d.dealstage)) = 'won') AS won_deals
    FROM pairs p JOIN hubspot_deals_raw d ON d.hubspot_id = p.deal_id
    GROUP BY p.contact_id)
SELECT NOT EXISTS (SELECT * FROM pairs EXCEPT SELECT * FROM hubspot_deal_contacts)
       AND NOT EXISTS (SELECT * FROM hubspot_deal_contacts EXCEPT SELECT * FROM pairs)
       AND NOT EXISTS (SELECT * FROM contact_keys WHERE number IS NOT NULL EXCEPT SELECT * FROM hubspot_contact_numbers)
       AND NOT EXISTS (SELECT * FROM hubspot_contact_numbers EXCEPT SELECT * FROM contact_keys)
       AND NOT EXISTS (SELECT * FROM call_keys WHERE number IS NOT NULL EXCEPT SELECT * FROM hubspot_call_numbers)
       AND NOT EXISTS (SELECT * FROM hubspot_call_numbers EXCEPT SELECT * FROM call_keys)
       AND NOT EXISTS (SELECT * FROM expected_side EXCEPT SELECT * FROM hubspot_contact_metrics)
       AND NOT EXISTS (SELECT * FROM hubspot_contact_metrics EXCEPT SELECT * FROM expected_side),
       NOT EXISTS (SELECT * FROM expected_view EXCEPT SELECT call_id, contact_id, connected FROM hubspot_calls_with_contacts)
       AND NOT EXISTS (SELECT call_id, contact_id, connected FROM hubspot_calls_with_contacts EXCEPT SELECT * FROM expected_view)
       AND (SELECT count(*) FROM hubspot_calls_with_contacts) = (SELECT count(*) FROM expected_view),
       NOT EXISTS (SELECT * FROM expected_metrics EXCEPT SELECT * FROM actual_metrics)
       AND NOT EXISTS (SELECT * FROM actual_metrics EXCEPT SELECT * FROM expected_metrics)
       AND NOT EXISTS (SELECT * FROM expected_with_deals EXCEPT SELECT * FROM hubspot_contacts_with_deals())
       AND NOT EXISTS (SELECT * FROM hubspot_contacts_with_deals() EXCEPT SELECT * FROM expected_with_deals),
       (SELECT count(*) FROM hubspot_contact_metrics WHERE deals > 0),
       (SELECT count(first_call_at) FROM hubspot_contact_metrics),
       (SELECT count(first_connected_at) FROM hubspot_contact_metrics)
$$;

BEGIN;
DELETE FROM hubspot_contacts_raw;
DELETE FROM hubspot_deals_raw;
DELETE FROM hubspot_calls_raw;

-- Inserts.  t1..t4 created in January; calls to t1 after its creation, from
-- t2 before its creation (so t2 is not reached).
INSERT INTO hubspot_contacts_raw (hubspot_id, phone, createdate, vsl_watched, raw_json) VALUES
  ('t1', '+33 6 10 00 00 01', '2024-01-02 00:00+00', true,  '{}'),
  ('t2', '+33 6 10 00 00 02', '2024-01-03 00:00+00', true,  '{}'),
  ('t3', NULL,                '2024-01-04 00:00+00', false, '{}'),
  ('t4', '+33 6 10 00 00 04', '2024-01-05 00:00+00', NULL,  '{}');
INSERT INTO hubspot_deals_raw (hubspot_id, dealstage, createdate, closedate, raw_json) VALUES
  ('e1', 'closedwon', '2024-01-06 00:00+00', '2024-01-09 00:00+00',
   '{"associations": {"contacts": {"results": [{"id": "t1"}, {"id": "t2"}, {"id": "t2"}]}}}'),
  ('e2', 'appointmentscheduled', '2024-01-07 00:00+00', NULL,
   '{"associations": {"contacts": {"results": [{"id": "t3"}]}}}');
INSERT INTO hubspot_calls_raw (hubspot_id, call_direction, call_to_number, call_from_number, call_timestamp, raw_json) VALUES
  ('m1', 'OUTBOUND', '0033610000001', '+33 1 86 95 00 00', '2024-01-02 05:00+00', '{}'),
  ('m2', 'INBOUND', '+33 1 86 95 00 00', '+33 (0)6 10 00 00 02', '2024-01-01 00:00+00', '{}');
-- t1, t2, t3 have a deal; t1 is reached.
SELECT * FROM metrics_test.check();
SELECT * FROM hubspot_contact_metrics ORDER BY contact_id;

-- Archive a deal: t1 and t2 lose it.
UPDATE hubspot_deals_raw SET archived = true WHERE hubspot_id = 'e1';
SELECT * FROM metrics_test.check();
-- Change a deal's associations: e2 now goes with t4 and t1, not t3.
UPDATE hubspot_deals_raw
SET raw_json = '{"associations": {"contacts": {"results": [{"id": "t4"}, {"id": "t1"}]}}}'
WHERE hubspot_id = 'e2';
SELECT * FROM metrics_test.check();
-- Change a contact's phone: t1 moves to another number (no longer reached),
-- t3 takes t2's (whose call m2 came before t3 was created: not reached).
UPDATE hubspot_contacts_raw SET phone = '+33 6 99 99 99 99' WHERE hubspot_id = 't1';
UPDATE hubspot_contacts_raw SET phone = '0033 6 10 00 00 02' WHERE hubspot_id = 't3';
SELECT * FROM metrics_test.check();
-- Calls to t4, then an earlier one: its first call moves back.
INSERT INTO hubspot_calls_raw (hubspot_id, call_direction, call_to_number, call_from_number, call_timestamp, raw_json) VALUES
  ('m3', 'OUTBOUND', '+33 6 10 00 00 04', '+33 1 86 95 00 00', '2024-01-08 00:00+00', '{}');
SELECT * FROM metrics_test.check();
INSERT INTO hubspot_calls_raw (hubspot_id, call_direction, call_to_number, call_from_number, call_timestamp, raw_json) VALUES
  ('m4', 'OUTBOUND', '+33 6 10 00 00 04', '+33 1 86 95 00 00', '2024-01-05 12:00+00', '{}');
SELECT * FROM metrics_test.check();
SELECT contact_id, first_call_at FROM hubspot_contact_metrics WHERE contact_id = 't4';
-- A page as the sync writes it (INSERT ... ON CONFLICT DO UPDATE): m2 moves
-- after t2's and t3's creation (both reached: they share the number now),
-- m1 is archived, m5 is new.
INSERT INTO hubspot_calls_raw AS t (hubspot_id, call_direction, call_to_number, call_from_number, call_timestamp, raw_json, archived) VALUES
  ('m1', 'OUTBOUND', '0033610000001', '+33 1 86 95 00 00', '2024-01-02 05:00+00', '{"v": 2}', true),
  ('m2', 'INBOUND', '+33 1 86 95 00 00', '+33 (0)6 10 00 00 02', '2024-01-04 06:00+00', '{"v": 2}', false),
  ('m5', 'INBOUND', '+33 1 86 95 00 00', '+33 6 10 00 00 02', '2024-01-04 07:00+00', '{}', false)
ON CONFLICT (hubspot_id) DO UPDATE SET call_timestamp = EXCLUDED.call_timestamp, raw_json = EXCLUDED.raw_json,
    archived = EXCLUDED.archived;
SELECT * FROM metrics_test.check();
-- Outcomes: m5 connected, m2 a call that connected by its outcome but
-- whose status says it failed; then a portal's own outcome counts as
-- connected (a change of hubspot_call_dispositions rebuilds the flags).
UPDATE hubspot_calls_raw SET call_status = 'COMPLETED', call_disposition = 'f240bbac-87c9-4f6e-bf70-924b57d47db7'
WHERE hubspot_id = 'm5';
UPDATE hubspot_calls_raw SET call_status = 'FAILED', call_disposition = 'f240bbac-87c9-4f6e-bf70-924b57d47db7'
WHERE hubspot_id = 'm2';
UPDATE hubspot_calls_raw SET call_status = ' completed ', call_disposition = 'portal-own-outcome'
WHERE hubspot_id = 'm3';
SELECT * FROM metrics_test.check();
INSERT INTO hubspot_call_dispositions VALUES ('portal-own-outcome', 'Meeting booked', true);
SELECT * FROM metrics_test.check();
-- A contact archived, then back; a contact's creation date moved.
UPDATE hubspot_contacts_raw SET archived = true WHERE hubspot_id = 't4';
SELECT * FROM metrics_test.check();
UPDATE hubspot_contacts_raw SET archived = false WHERE hubspot_id = 't4';
UPDATE hubspot_contacts_raw SET createdate = '2024-01-04 06:30+00' WHERE hubspot_id = 't2';
SELECT * FROM metrics_test.check();
-- The deal back from archived, then deletes of a deal, a call, a contact.
UPDATE hubspot_deals_raw SET archived = false WHERE hubspot_id = 'e1';
SELECT * FROM metrics_test.check();
DELETE FROM hubspot_deals_raw WHERE hubspot_id = 'e2';
DELETE FROM hubspot_calls_raw WHERE hubspot_id = 'm4';
DELETE FROM hubspot_contacts_raw WHERE hubspot_id = 't2';
SELECT * FROM metrics_test.check();
-- TRUNCATE, one table at a time, then everything back.
TRUNCATE hubspot_calls_raw;
SELECT * FROM metrics_test.check();
TRUNCATE hubspot_deals_raw;
SELECT * FROM metrics_test.check();
INSERT INTO hubspot_deals_raw (hubspot_id, dealstage, createdate, raw_json) VALUES
  ('e3', 'closedwon', '2024-01-06 00:00+00', '{"associations": {"contacts": {"results": [{"id": "t1"}, {"id": "t4"}]}}}');
INSERT INTO hubspot_calls_raw (hubspot_id, call_direction, call_to_number, call_from_number, call_timestamp, raw_json) VALUES
  ('m6', 'OUTBOUND', '+33 6 10 00 00 04', '+33 1 86 95 00 00', '2024-01-09 00:00+00', '{}');
SELECT * FROM metrics_test.check();
TRUNCATE hubspot_contacts_raw;
SELECT * FROM metrics_test.check();
-- Contacts synced after their deals and calls are linked to them.
INSERT INTO hubspot_contacts_raw (hubspot_id, phone, createdate, vsl_watched, raw_json) VALUES
  ('t1', '+33 6 10 00 00 01', '2024-01-02 00:00+00', true, '{}'),
  ('t4', '+33 6 10 00 00 04', '2024-01-05 00:00+00', NULL, '{}');
SELECT * FROM metrics_test.check();
-- hubspot_metrics_rebuild() recomputes the same rows from scratch.
CREATE TEMP TABLE kept AS SELECT * FROM hubspot_contact_metrics;
SELECT hubspot_metrics_rebuild();
SELECT NOT EXISTS (SELECT * FROM kept EXCEPT SELECT * FROM hubspot_contact_metrics)
       AND (SELECT count(*) FROM kept) = (SELECT count(*) FROM hubspot_contact_metrics) AS rebuild_same;
SELECT * FROM metrics_test.check();
-- check() is not blind: a side table out of step with the synced rows shows.
SAVEPOINT out_of_step;
DELETE FROM hubspot_call_numbers WHERE call_id = 'm6';
SELECT side_tables_ok, view_ok, metrics_ok FROM metrics_test.check();
ROLLBACK TO out_of_step;
ROLLBACK;
