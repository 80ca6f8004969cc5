--
-- Deal pipelines and stages, owners, and the rules the metrics follow for
-- what real portals hold: won and lost from each stage's metadata (with
-- hubspot_deal_stage_outcomes as an override), a stage id in two
-- pipelines, the pipeline filter, the per-owner breakdown, status values
-- written in several cases, a won deal without closedate, a deal closed
-- before it was created, and associations that repeat an id.  The
-- pipelines, stages and owners are shaped as GET /crm/v3/pipelines/deals
-- and GET /crm/v3/owners give them (numeric ids, labels).
--
-- Everything runs in a transaction that empties the tables first and is
-- rolled back.
--
SET TimeZone = 'UTC';
BEGIN;
DELETE FROM hubspot_contacts_raw;
DELETE FROM hubspot_deals_raw;
DELETE FROM hubspot_calls_raw;
DELETE FROM hubspot_pipeline_stages;
DELETE FROM hubspot_pipelines;
DELETE FROM hubspot_owners;

-- Two pipelines.  Stage 555 is in both: open in the first, won in the
-- second.  12345681 is archived, yet deals still in it are won.
INSERT INTO hubspot_pipelines (object_type, pipeline_id, label, display_order, archived, raw_json) VALUES
  ('deals', 'default', 'Sales Pipeline', 0, false, '{}'),
  ('deals', '987654321', 'Renewals', 1, false, '{}');
INSERT INTO hubspot_pipeline_stages (object_type, pipeline_id, stage_id, label, display_order, archived, is_closed,
                                     probability, raw_json) VALUES
  ('deals', 'default', 'appointmentscheduled', 'Appointment Scheduled', 0, false, false, 0.2, '{}'),
  ('deals', 'default', '555', 'Verbal yes', 1, false, false, 0.9, '{}'),
  ('deals', 'default', 'closedwon', 'Closed Won', 2, false, true, 1.0, '{}'),
  ('deals', 'default', 'closedlost', 'Closed Lost', 3, false, true, 0.0, '{}'),
  ('deals', '987654321', '12345678', 'Renewal call', 0, false, false, 0.5, '{}'),
  ('deals', '987654321', '555', 'Signed', 1, false, true, 1.0, '{}'),
  ('deals', '987654321', '12345679', 'Renewed', 2, false, true, 1.0, '{}'),
  ('deals', '987654321', '12345680', 'Churned', 3, false, true, 0.0, '{}'),
  ('deals', '987654321', '12345681', 'Old won', 4, true, true, 1.0, '{}');
-- Other object types' pipelines are not deal pipelines.
INSERT INTO hubspot_pipelines (object_type, pipeline_id, label, display_order, archived, raw_json) VALUES
  ('tickets', '0', 'Support Pipeline', 0, false, '{}');
INSERT INTO hubspot_pipeline_stages (object_type, pipeline_id, stage_id, label, display_order, archived, is_closed,
                                     probability, raw_json) VALUES
  ('tickets', '0', '4', 'Closed', 3, false, true, 1.0, '{}');
INSERT INTO hubspot_owners (owner_id, email, firstname, lastname, user_id, teams, archived, raw_json) VALUES
  ('101', 'alice@example.com', 'Alice', 'Martin', 9001, '[{"id": "7", "name": "Sales", "primary": true}]', false, '{}'),
  ('102', 'bob@example.com', 'Bob', 'Durand', 9002, '[]', false, '{}'),
  ('103', 'carol@example.com', 'Carol', NULL, 9003, '[]', true, '{}'),
  ('104', 'dan@example.com', 'Dan', 'Idle', 9004, '[]', false, '{}');

-- Each stage's outcome: metadata, or the seeded override (closedwon,
-- closedlost), which also stands alone for deals in no synced pipeline.
SELECT pipeline, pipeline_label, dealstage, stage_label, display_order, archived, outcome, overridden
FROM hubspot_deal_stages
ORDER BY pipeline_display_order NULLS LAST, display_order NULLS LAST, dealstage;

-- Contacts 201..204, created in January; script versions written three ways.
INSERT INTO hubspot_contacts_raw (hubspot_id, createdate, sales_script_version, raw_json) VALUES
  ('201', '2024-01-01 00:00+00', 'A', '{}'),
  ('202', '2024-01-02 00:00+00', ' a ', '{}'),
  ('203', '2024-01-03 00:00+00', 'B', '{}'),
  ('204', '2024-01-04 00:00+00', NULL, '{}');

-- Deals (created, closed, amount, owner, payment status):
--   p1  default   closedwon   01-02 01-10 1000 101 'Paid'   contacts 201 (listed twice, two types), 202
--   p2  default   closedlost  01-03 01-12  500 102
--   p3  renewals  Renewed     01-04 01-15  300 101 'PAID'
--   p4  renewals  Churned     01-05 01-16  200 -
--   p5  default   555 (open)  01-06  -      50 102          contact 204
--   p6  renewals  555 (won)   01-07 01-20  700 102 ' paid ' contact 203
--   p7  renewals  12345678    01-08  -       - -
--   p8  renewals  Renewed     01-09  -     400 101          won, no closedate
--   p9  renewals  Old won     01-26 01-25  100 103          closed the day before its creation
--   p10 (none)    closedwon   01-01 01-05  250 999          an owner id HubSpot did not list
INSERT INTO hubspot_deals_raw (hubspot_id, pipeline, dealstage, createdate, closedate, amount, hubspot_owner_id,
                               payment_status, raw_json) VALUES
  ('p1', 'default', 'closedwon', '2024-01-02 00:00+00', '2024-01-10 00:00+00', 1000, '101', 'Paid',
   '{"associations": {"contacts": {"results": [{"id": "201", "type": "deal_to_contact"},
     {"id": "201", "type": "deal_to_contact_unlabeled"}, {"id": "202", "type": "deal_to_contact"}]}}}'),
  ('p2', 'default', 'closedlost', '2024-01-03 00:00+00', '2024-01-12 00:00+00', 500, '102', NULL, '{}'),
  ('p3', '987654321', '12345679', '2024-01-04 00:00+00', '2024-01-15 00:00+00', 300, '101', 'PAID', '{}'),
  ('p4', '987654321', '12345680', '2024-01-05 00:00+00', '2024-01-16 00:00+00', 200, NULL, NULL, '{}'),
  ('p5', 'default', '555', '2024-01-06 00:00+00', NULL, 50, '102', NULL,
   '{"associations": {"contacts": {"results": [{"id": "204", "type": "deal_to_contact"}]}}}'),
  ('p6', '987654321', '555', '2024-01-07 00:00+00', '2024-01-20 00:00+00', 700, '102', ' paid ',
   '{"associations": {"contacts": {"results": [{"id": "203", "type": "deal_to_contact"},
     {"id": "203", "type": "deal_to_contact_unlabeled"}]}}}'),
  ('p7', '987654321', '12345678', '2024-01-08 00:00+00', NULL, NULL, NULL, NULL, '{}'),
  ('p8', '987654321', '12345679', '2024-01-09 00:00+00', NULL, 400, '101', NULL, '{}'),
  ('p9', '987654321', '12345681', '2024-01-26 00:00+00', '2024-01-25 00:00+00', 100, '103', NULL, '{}'),
  ('p10', NULL, 'closedwon', '2024-01-01 00:00+00', '2024-01-05 00:00+00', 250, '999', NULL, '{}');

-- Calls with owners; directions in other cases; outcomes (hs_call_status
-- and hs_call_disposition as HubSpot sends them):
--   q1 101 'inbound'     01-10 2 min   COMPLETED Connected
--   q2 101 ' Outbound '  01-11 1 min   NO_ANSWER No answer
--   q3 102 OUTBOUND      01-12 5 min   COMPLETED Connected
--   q4 -   OUTBOUND      01-13 0.5 min BUSY      Busy
--   q5 ''  INBOUND       01-14 -       -         -
INSERT INTO hubspot_calls_raw (hubspot_id, hubspot_owner_id, call_direction, call_duration, call_timestamp, call_status,
                               call_disposition, call_to_number, call_from_number, raw_json) VALUES
  ('q1', '101', 'inbound', 120000, '2024-01-10 00:00+00', 'COMPLETED', 'f240bbac-87c9-4f6e-bf70-924b57d47db7', NULL, NULL, '{}'),
  ('q2', '101', ' Outbound ', 60000, '2024-01-11 00:00+00', 'NO_ANSWER', '73a0d17f-1163-4015-bdd5-ec830791da20', NULL, NULL, '{}'),
  ('q3', '102', 'OUTBOUND', 300000, '2024-01-12 00:00+00', 'COMPLETED', 'f240bbac-87c9-4f6e-bf70-924b57d47db7', NULL, NULL, '{}'),
  ('q4', NULL, 'OUTBOUND', 30000, '2024-01-13 00:00+00', 'BUSY', '9d9162e7-6cf3-4944-bf63-4dff82258764', NULL, NULL, '{}'),
  ('q5', '', 'INBOUND', NULL, '2024-01-14 00:00+00', NULL, NULL, NULL, NULL, '{}');

-- Each deal's outcome and labels, as every metric sees them: p5 and p6
-- share stage 555 and differ; p9's stage is archived; p10 is in no synced
-- pipeline and takes the override of closedwon.
SELECT deal_id, pipeline, pipeline_label, dealstage, stage_label, outcome
FROM hubspot_deals ORDER BY substr(deal_id, 2)::int;

-- January 2024, all pipelines:
--   total_deals 10
--   deals_won 5 closed in the window: p1, p3, p6, p9, p10 (p8 has no closedate)
--   deals_lost 2: p2, p4; win_rate 5 / 7 = 71.43
--   total_sales 1000 + 300 + 700 + 100 + 250 = 2350; average_deal_size 470.00
--   average_time_to_sale (8 + 11 + 13 + 4) / 4 = 9.00 days: p9, closed
--     before its creation, is left out of the average (still won, still sold)
--   contacts_with_deal 4 (201, 202 by p1, 203 by p6, 204 by p5)
--   inbound_calls 2 (q1 'inbound', q5), outbound_calls 3 (q2 ' Outbound ', q3, q4)
--   connected_calls 2 (q1, q3), call_connection_rate 40.00
SELECT name, value,
       value IS NOT DISTINCT FROM (ARRAY[10, 5, 2, 71.43, 2350, 470.00, 9.00, 4, 2, 3, 2, 40.00])[
           array_position(ARRAY['total_deals', 'deals_won', 'deals_lost', 'win_rate', 'total_sales', 'average_deal_size',
                                'average_time_to_sale', 'contacts_with_deal', 'inbound_calls', 'outbound_calls',
                                'connected_calls', 'call_connection_rate'], name)] AS ok
FROM hubspot_metrics('2024-01-01', '2024-02-01')
WHERE name IN ('total_deals', 'deals_won', 'deals_lost', 'win_rate', 'total_sales', 'average_deal_size',
               'average_time_to_sale', 'contacts_with_deal', 'inbound_calls', 'outbound_calls',
               'connected_calls', 'call_connection_rate');

-- All time takes the won deal without closedate too: won 6 (p8), sales
-- 2750; deals_with_contacts and hubspot_contacts_with_deals count it won as
-- well.  A bounded window never does: it has no closing time to place.
SELECT name, value FROM hubspot_metrics() WHERE name IN ('deals_won', 'total_sales', 'win_rate');
SELECT name, value FROM hubspot_metrics('2000-01-01', NULL) WHERE name IN ('deals_won', 'total_sales');

-- One pipeline.  Renewals: created p3 p4 p6 p7 p8 p9 (6); won in January
-- p3 p6 p9 (3, 1100); lost p4; win rate 75.00; time to sale (11 + 13) / 2
-- = 12.00; contacts with a deal in it: 203 only.  The default pipeline: p1
-- p2 p5 (3); won p1; lost p2; contacts 201 202 204.  p10, in no pipeline,
-- counts only for all pipelines.  Contacts and calls are in no pipeline:
-- the same whatever the filter.
SELECT m.name, r.value AS renewals, d.value AS sales_pipeline, a.value AS all_pipelines
FROM hubspot_metrics('2024-01-01', '2024-02-01') a
JOIN hubspot_metrics('2024-01-01', '2024-02-01', '987654321') r USING (name)
JOIN hubspot_metrics('2024-01-01', '2024-02-01', pipeline => 'default') d USING (name)
JOIN (VALUES ('new_contacts'), ('contacts_with_deal'), ('total_deals'), ('deals_won'), ('deals_lost'), ('win_rate'),
             ('total_sales'), ('average_time_to_sale'), ('total_calls')) m(name) USING (name);

-- Deals created in January per pipeline and stage, in the pipelines' and
-- stages' order, labelled; a stage whose deals have no amount sums to 0.
SELECT * FROM hubspot_metrics_by_deal_stage('2024-01-01', '2024-02-01');
SELECT pipeline_id, dealstage, deals, share FROM hubspot_metrics_by_deal_stage(pipeline => '987654321');

-- Won deals per payment status: 'Paid', 'PAID' and ' paid ' are one row.
-- All time adds p8 to the NULL row.
SELECT * FROM hubspot_metrics_by_payment_status('2024-01-01', '2024-02-01');
SELECT * FROM hubspot_metrics_by_payment_status;
SELECT * FROM hubspot_metrics_by_payment_status('2024-01-01', '2024-02-01', 'default');
-- Nothing won in the window: no rows, not a NULL sum.
SELECT count(*) AS rows FROM hubspot_metrics_by_payment_status('2030-01-01', '2030-02-01');

-- Script versions 'A' and ' a ' are one row; won conversion by stage
-- metadata (p6 in renewals' 555) and by pipeline.
SELECT * FROM hubspot_metrics_by_script_version('2024-01-01', '2024-02-01');
SELECT * FROM hubspot_metrics_by_script_version('2024-01-01', '2024-02-01', '987654321');

-- Per week, all pipelines and renewals only.
SELECT * FROM hubspot_metrics_by_week('2024-01-01', '2024-02-01');
SELECT week, new_deals, deals_won, deals_lost, total_sales FROM hubspot_metrics_by_week('2024-01-01', '2024-02-01', '987654321');

-- Per owner in January: 101 won p1 p3 (1300; p8 has no closedate), calls
-- q1 q2 (1 connected, 3 min); 102 won p6, call q3; 999 (not listed by
-- HubSpot) won p10; 103 (archived) won p9; 104 did nothing and still has
-- its row; q4 and q5 ('' is no owner) have none.
SELECT * FROM hubspot_metrics_by_owner('2024-01-01', '2024-02-01');
-- All time adds p8 to 101; the renewals pipeline leaves out p1 and p10.
SELECT owner_id, deals_won, total_sales, calls FROM hubspot_metrics_by_owner;
SELECT owner_id, deals_won, total_sales, calls FROM hubspot_metrics_by_owner('2024-01-01', '2024-02-01', '987654321');
-- The per-owner rows add up to the totals.
WITH o AS (SELECT * FROM hubspot_metrics_by_owner('2024-01-01', '2024-02-01')),
     m AS (SELECT * FROM hubspot_metrics('2024-01-01', '2024-02-01'))
SELECT (SELECT sum(deals_won) FROM o) = (SELECT value FROM m WHERE name = 'deals_won') AS deals_add_up,
       (SELECT sum(total_sales) FROM o) = (SELECT value FROM m WHERE name = 'total_sales') AS sales_add_up,
       (SELECT sum(calls) FROM o) = (SELECT value FROM m WHERE name = 'total_calls') AS calls_add_up,
       (SELECT sum(connected_calls) FROM o) = (SELECT value FROM m WHERE name = 'connected_calls') AS connected_add_up,
       (SELECT sum(call_minutes) FROM o) = (SELECT value FROM m WHERE name = 'total_call_time') AS minutes_add_up;

-- Associations that repeat an id (one entry per association type, as v3
-- lists send them): p1's 201 once everywhere.
SELECT hubspot_deal_contact_ids(raw_json) AS contact_id FROM hubspot_deals_raw WHERE hubspot_id = 'p1' ORDER BY 1;
SELECT deal_id, contact_id FROM deals_with_contacts WHERE deal_id IN ('p1', 'p6') ORDER BY 1, 2;
SELECT * FROM hubspot_contacts_with_deals() ORDER BY contact_id;
SELECT * FROM metrics_test.check();

-- An override wins over the metadata, at once (nothing is derived from
-- outcomes): stage 555 open everywhere takes p6 out of renewals' won deals.
INSERT INTO hubspot_deal_stage_outcomes VALUES ('555', 'open');
SELECT pipeline, dealstage, outcome, overridden FROM hubspot_deal_stages WHERE dealstage = '555' ORDER BY 1;
SELECT name, value FROM hubspot_metrics('2024-01-01', '2024-02-01', '987654321') WHERE name IN ('deals_won', 'total_sales');
SELECT * FROM metrics_test.check();
DELETE FROM hubspot_deal_stage_outcomes WHERE dealstage = '555';
-- Stage metadata changed by a sync: Churned becomes won.
UPDATE hubspot_pipeline_stages SET probability = 1.0 WHERE stage_id = '12345680';
SELECT name, value FROM hubspot_metrics('2024-01-01', '2024-02-01', '987654321') WHERE name IN ('deals_won', 'deals_lost');
SELECT * FROM metrics_test.check();
-- The seeded overrides keep a portal without pipeline data right: with no
-- stages synced, closedwon and closedlost still decide.
DELETE FROM hubspot_pipeline_stages;
SELECT name, value FROM hubspot_metrics('2024-01-01', '2024-02-01') WHERE name IN ('deals_won', 'deals_lost', 'total_sales');
SELECT * FROM metrics_test.check();
-- An override says won, lost or open, nothing else.
INSERT INTO hubspot_deal_stage_outcomes VALUES ('12345678', 'closed');
ROLLBACK;
