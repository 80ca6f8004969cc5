-- The browser tests' data set: contacts, deals and calls over the last 120
-- days (relative to now, so the date presets always have data), written
-- straight into the synced tables (the metrics triggers keep the side
-- tables), and a run log in which the deals' last sync failed and the
-- calls' last success is three days old.  Deterministic but for now(); the
-- tests read the expected values from hubspot_metrics() itself.
--
-- 1.2: two deal pipelines, HubSpot's default one (stage ids such as
-- closedwon) and "Renewals" with numeric pipeline and stage ids, plus an
-- archived pipeline the filter must not offer; owners (one archived, one
-- without a name) on deals and calls; call statuses and outcomes, so that
-- some calls connect.
\set ON_ERROR_STOP on
SET TimeZone = 'UTC';

-- The pipelines and their stages, as the deals sync writes them.
INSERT INTO hubspot_pipelines (object_type, pipeline_id, label, display_order, archived, raw_json) VALUES
	('deals', 'default', 'Sales Pipeline', 0, false, '{}'),
	('deals', '987654321', 'Renewals', 1, false, '{}'),
	('deals', '555000111', 'Old pipeline', 2, true, '{}');
INSERT INTO hubspot_pipeline_stages (object_type, pipeline_id, stage_id, label, display_order, is_closed, probability, raw_json)
VALUES
	('deals', 'default', 'appointmentscheduled', 'Appointment scheduled', 0, false, 0.2, '{}'),
	('deals', 'default', 'qualifiedtobuy', 'Qualified to buy', 1, false, 0.4, '{}'),
	('deals', 'default', 'presentationscheduled', 'Presentation scheduled', 2, false, 0.6, '{}'),
	('deals', 'default', 'decisionmakerboughtin', 'Decision maker bought-in', 3, false, 0.8, '{}'),
	('deals', 'default', 'contractsent', 'Contract sent', 4, false, 0.9, '{}'),
	('deals', 'default', 'closedwon', 'Closed won', 5, true, 1.0, '{}'),
	('deals', 'default', 'closedlost', 'Closed lost', 6, true, 0.0, '{}'),
	('deals', '987654321', '1001', 'Renewal due', 0, false, 0.5, '{}'),
	('deals', '987654321', '1002', 'Renewed', 1, true, 1.0, '{}'),
	('deals', '987654321', '1003', 'Churned', 2, true, 0.0, '{}'),
	('deals', '555000111', '2001', 'Old stage', 0, false, 0.5, '{}');

-- The sales reps: one archived (shown only where it owns something), one
-- known by its email alone.
INSERT INTO hubspot_owners (owner_id, email, firstname, lastname, archived, raw_json) VALUES
	('101', 'alice@example.com', 'Alice', 'Martin', false, '{}'),
	('102', 'bob@example.com', 'Bob', 'Durand', false, '{}'),
	('103', 'carol@example.com', NULL, NULL, false, '{}'),
	('104', 'dan@example.com', 'Dan', 'Gone', true, '{}');

-- 400 contacts, one every 0.3 days back from now; 1 in 10 without a phone.
INSERT INTO hubspot_contacts_raw (hubspot_id, email, phone, firstname, lastname, createdate,
	lifecyclestage, vsl_watched, sales_script_version, raw_json, archived)
SELECT (500000 + i)::text, 'contact' || i || '@example.com',
	   CASE WHEN i % 10 = 0 THEN NULL ELSE '+33 6 ' || lpad(i::text, 8, '0') END,
	   'First' || i, 'Last' || i,
	   now() - (i * interval '7 hours 12 minutes') - interval '1 hour',
	   'lead', CASE i % 3 WHEN 0 THEN true WHEN 1 THEN false END,
	   (ARRAY['A', 'B', NULL])[1 + i % 3],
	   jsonb_build_object('id', (500000 + i)::text, 'properties', jsonb_build_object('email', 'contact' || i || '@example.com')),
	   i % 97 = 0
FROM generate_series(1, 400) i;

-- 90 deals, each on one contact, created a day after it; stages cycle
-- through the default pipeline; won and lost deals close 2 to 11 days later.
-- Owners cycle through Alice, Bob, the archived Dan and nobody.
INSERT INTO hubspot_deals_raw (hubspot_id, amount, dealstage, createdate, closedate, qualified_status,
	trial_status, payment_status, number_of_installments__months, raw_json, archived, pipeline, hubspot_owner_id)
SELECT (800000 + i)::text,
	   CASE WHEN i % 11 = 0 THEN NULL ELSE 500 + (i * 37) % 2000 END,
	   stage, created,
	   CASE WHEN stage IN ('closedwon', 'closedlost') THEN least(created + (2 + i % 10) * interval '1 day', now() - interval '5 minutes') END,
	   (ARRAY['qualified', 'not_qualified', NULL])[1 + i % 3],
	   (ARRAY['started', 'none', NULL])[1 + i % 3],
	   CASE WHEN stage = 'closedwon' THEN (ARRAY['paid', 'paying', 'failed', NULL])[1 + i % 4] END,
	   (ARRAY[1, 3, 6, 12])[1 + i % 4],
	   jsonb_build_object('id', (800000 + i)::text,
		   'properties', jsonb_build_object('dealname', 'Deal ' || i, 'pipeline', 'default'),
		   'associations', jsonb_build_object('contacts', jsonb_build_object('results',
			   jsonb_build_array(jsonb_build_object('id', (500000 + i * 4)::text, 'type', 'deal_to_contact'))))),
	   false, 'default', (ARRAY['101', '102', '104', NULL])[1 + i % 4]
FROM (SELECT i, now() - (i * 4 * interval '7 hours 12 minutes') + interval '1 day' - interval '1 hour' AS created,
			 (ARRAY['appointmentscheduled', 'qualifiedtobuy', 'closedwon', 'presentationscheduled',
					'closedlost', 'closedwon', 'decisionmakerboughtin', 'contractsent'])[1 + i % 8] AS stage
	  FROM generate_series(1, 90) i) d
WHERE created < now();

-- 40 renewal deals in the second pipeline (numeric ids), on other
-- contacts, one every 2.5 days: due, renewed (won), churned (lost), renewed.
INSERT INTO hubspot_deals_raw (hubspot_id, amount, dealstage, createdate, closedate, payment_status,
	number_of_installments__months, raw_json, archived, pipeline, hubspot_owner_id)
SELECT (810000 + i)::text, 300 + (i * 53) % 900, stage, created,
	   CASE WHEN stage IN ('1002', '1003') THEN least(created + (1 + i % 5) * interval '1 day', now() - interval '5 minutes') END,
	   CASE WHEN stage = '1002' THEN (ARRAY['Paid', 'PAYING ', 'failed'])[1 + i % 3] END,
	   12,
	   jsonb_build_object('id', (810000 + i)::text,
		   'properties', jsonb_build_object('dealname', 'Renewal ' || i, 'pipeline', '987654321'),
		   'associations', jsonb_build_object('contacts', jsonb_build_object('results',
			   jsonb_build_array(jsonb_build_object('id', (500001 + i * 4)::text, 'type', 'deal_to_contact'))))),
	   false, '987654321', (ARRAY['102', '103', '101'])[1 + i % 3]
FROM (SELECT i, now() - (i * interval '2 days 12 hours') AS created,
			 (ARRAY['1001', '1002', '1003', '1002'])[1 + i % 4] AS stage
	  FROM generate_series(1, 40) i) d;

-- 150 calls to or from the contacts' numbers (written another way), a few
-- hours after each contact's creation; some to an unknown number.
-- Half the calls are COMPLETED with the Connected outcome; the rest busy,
-- no answer or without a status.  Owners: Alice, Bob, Carol, nobody.
INSERT INTO hubspot_calls_raw (hubspot_id, call_duration, call_direction, call_to_number, call_from_number,
	call_timestamp, raw_json, archived, call_status, call_disposition, hubspot_owner_id)
SELECT (900000 + i)::text,
	   CASE WHEN i % 13 = 0 THEN NULL ELSE (i * 7919) % 1200000 END,
	   dir,
	   CASE WHEN dir = 'OUTBOUND' THEN number ELSE '+33 1 23 45 67 89' END,
	   CASE WHEN dir = 'OUTBOUND' THEN '+33 1 23 45 67 89' ELSE number END,
	   now() - (c * interval '7 hours 12 minutes') - interval '1 hour' + (1 + i % 20) * interval '1 hour',
	   jsonb_build_object('id', (900000 + i)::text), false,
	   (ARRAY['COMPLETED', 'BUSY', 'COMPLETED', NULL])[1 + i % 4],
	   (ARRAY['f240bbac-87c9-4f6e-bf70-924b57d47db7', '9d9162e7-6cf3-4944-bf63-4dff82258764',
			  'f240bbac-87c9-4f6e-bf70-924b57d47db7', '73a0d17f-1163-4015-bdd5-ec830791da20'])[1 + i % 4],
	   (ARRAY['101', '102', '103', NULL, '101'])[1 + i % 5]
FROM (SELECT i, 1 + (i * 3) % 400 AS c,
			 CASE WHEN i % 3 = 0 THEN 'INBOUND' ELSE 'OUTBOUND' END AS dir,
			 CASE WHEN i % 17 = 0 THEN '+33 7 99 99 99 99' ELSE '0033 6 ' || lpad((1 + (i * 3) % 400)::text, 8, '0') END AS number
	  FROM generate_series(1, 150) i) x
WHERE now() - (c * interval '7 hours 12 minutes') - interval '1 hour' + (1 + i % 20) * interval '1 hour' < now();

-- The run log: contacts fine, the last deals run failed, calls stale.
INSERT INTO hubspot_sync_runs (object_type, mode, status, started_at, finished_at, pages, http_requests,
	records, inserted, error_message, started_by, daily_remaining)
VALUES
	('contacts', 'full', 'succeeded', now() - interval '2 days', now() - interval '2 days' + interval '3 minutes', 4, 6, 400, 400, NULL, 'psql root', 249500),
	('contacts', 'incremental', 'succeeded', now() - interval '12 minutes', now() - interval '11 minutes', 1, 2, 3, 0, NULL, 'hubspot_sync scheduler', 249321),
	('deals', 'full', 'succeeded', now() - interval '2 days', now() - interval '2 days' + interval '1 minute', 1, 3, 90, 90, NULL, 'psql root', 249480),
	('deals', 'incremental', 'failed', now() - interval '12 minutes', now() - interval '11 minutes 30 seconds', 0, 1, 0, 0,
	 'HubSpot answered 401 Unauthorized: the access token was rejected (expired or revoked)', 'hubspot_sync scheduler', NULL),
	('calls', 'full', 'succeeded', now() - interval '3 days', now() - interval '3 days' + interval '1 minute', 1, 3, 150, 150, NULL, 'psql root', 249700);

VACUUM ANALYZE hubspot_contacts_raw, hubspot_deals_raw, hubspot_calls_raw;
