-- Load generated contacts, deals and calls straight into the tables.
-- psql variables: contacts, deals, calls (row counts).
-- Deterministic (setseed); dates spread over the two years before
-- 2025-01-01; about 1% of each table archived.
\set ON_ERROR_STOP on
SELECT setseed(0.42);

TRUNCATE hubspot_contacts_raw, hubspot_deals_raw, hubspot_calls_raw, hubspot_pipelines, hubspot_pipeline_stages,
	hubspot_owners;

-- A French portal (version 1.2): numbers in national form are French.
SELECT hubspot_set_default_country_code('33');
-- The default pipeline's stages with their metadata, and ten owners.
INSERT INTO hubspot_pipelines (object_type, pipeline_id, label, display_order, raw_json)
VALUES ('deals', 'default', 'Sales Pipeline', 0, '{}');
INSERT INTO hubspot_pipeline_stages (object_type, pipeline_id, stage_id, label, display_order, is_closed, probability, raw_json)
SELECT 'deals', 'default', s, initcap(s), n, s IN ('closedwon', 'closedlost'),
	   CASE s WHEN 'closedwon' THEN 1.0 WHEN 'closedlost' THEN 0.0 ELSE 0.5 END, '{}'
FROM unnest(ARRAY['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'contractsent', 'closedwon',
				  'closedlost']) WITH ORDINALITY u(s, n);
INSERT INTO hubspot_owners (owner_id, email, firstname, lastname, raw_json)
SELECT (1000 + i)::text, 'rep' || i || '@example.com', 'Rep', i::text, '{}' FROM generate_series(1, 10) i;

-- Contacts: number i has phone +33 6 xx xx xx xx (digits from i), written
-- in one of five formats; 8% have no phone; vsl_watched true/false/NULL;
-- three script versions and NULL.
INSERT INTO hubspot_contacts_raw (hubspot_id, email, phone, firstname, lastname, createdate,
	lifecyclestage, vsl_watched, sales_script_version, raw_json, updated_at, archived, archived_at)
SELECT id, email, phone, firstname, lastname, createdate, stage, vsl, script,
	   jsonb_build_object('id', id, 'createdAt', createdate, 'updatedAt', createdate + interval '3 days',
		   'archived', archived,
		   'properties', jsonb_build_object('email', email, 'phone', phone, 'firstname', firstname,
			   'lastname', lastname, 'createdate', createdate, 'lifecyclestage', stage,
			   'vsl_watched', vsl::text, 'sales_script_version', script, 'hs_object_id', id,
			   'lastmodifieddate', createdate + interval '3 days', 'hs_lead_status', 'NEW',
			   'city', 'Paris', 'country', 'France', 'jobtitle', 'Manager',
			   'hs_analytics_source', 'PAID_SOCIAL', 'company', 'Company ' || i)),
	   createdate + interval '3 days', archived, CASE WHEN archived THEN createdate + interval '30 days' END
FROM (SELECT i, (100000000000 + i)::text AS id,
			 'contact' || i || '@example.com' AS email,
			 CASE WHEN i % 25 IN (3, 7) THEN NULL
				  ELSE CASE i % 5
						 WHEN 0 THEN '+33 6 ' || regexp_replace(lpad(i::text, 8, '0'), '(..)(..)(..)(..)', '\1 \2 \3 \4')
						 WHEN 1 THEN '0033 6' || lpad(i::text, 8, '0')
						 WHEN 2 THEN '+336' || lpad(i::text, 8, '0')
						 WHEN 3 THEN '+33 (0)6-' || regexp_replace(lpad(i::text, 8, '0'), '(..)(..)(..)(..)', '\1-\2-\3-\4')
						 ELSE 'tel:+33.6.' || regexp_replace(lpad(i::text, 8, '0'), '(..)(..)(..)(..)', '\1.\2.\3.\4') END
			 END AS phone,
			 'First' || i AS firstname, 'Last' || i AS lastname,
			 timestamptz '2023-01-01 00:00:00+00' + random() * interval '730 days' AS createdate,
			 (ARRAY['lead', 'subscriber', 'opportunity', 'customer'])[1 + i % 4] AS stage,
			 CASE i % 3 WHEN 0 THEN true WHEN 1 THEN false END AS vsl,
			 (ARRAY['v1', 'v2', 'v3', NULL])[1 + i % 4] AS script,
			 random() < 0.01 AS archived
	  FROM generate_series(1, :contacts) i) c;

-- Deals: each associated with one or two random contacts; stages of the
-- default pipeline; won and lost deals closed 1 to 60 days after creation.
INSERT INTO hubspot_deals_raw (hubspot_id, amount, dealstage, createdate, closedate, qualified_status,
	trial_status, payment_status, number_of_installments__months, raw_json, updated_at, archived, archived_at,
	pipeline, hubspot_owner_id)
SELECT id, amount, stage, createdate, closedate, qualified, trial, payment, installments,
	   jsonb_build_object('id', id, 'createdAt', createdate, 'updatedAt', createdate + interval '1 day',
		   'archived', archived,
		   'properties', jsonb_build_object('amount', amount::text, 'dealstage', stage, 'dealname', 'Deal ' || i,
			   'pipeline', 'default', 'createdate', createdate, 'closedate', closedate,
			   'qualified_status', qualified, 'trial_status', trial, 'payment_status', payment,
			   'number_of_installments__months', installments::text, 'hs_object_id', id,
			   'hs_lastmodifieddate', createdate + interval '1 day', 'payment_method', 'card'),
		   'associations', jsonb_build_object('contacts', jsonb_build_object('results',
			   CASE WHEN i % 10 = 0
					THEN jsonb_build_array(jsonb_build_object('id', (100000000000 + c1)::text, 'type', 'deal_to_contact'),
										   jsonb_build_object('id', (100000000000 + c2)::text, 'type', 'deal_to_contact'))
					ELSE jsonb_build_array(jsonb_build_object('id', (100000000000 + c1)::text, 'type', 'deal_to_contact')) END))),
	   createdate + interval '1 day', archived, CASE WHEN archived THEN createdate + interval '30 days' END,
	   'default', (1001 + i % 10)::text
FROM (SELECT i, (200000000000 + i)::text AS id,
			 round((200 + random() * 4800)::numeric, 2) AS amount,
			 stage,
			 created AS createdate,
			 CASE WHEN stage IN ('closedwon', 'closedlost') THEN created + (1 + random() * 59) * interval '1 day' END AS closedate,
			 (ARRAY['qualified', 'unqualified', 'pending', NULL])[1 + i % 4] AS qualified,
			 (ARRAY['none', 'active', 'ended', NULL, ''])[1 + i % 5] AS trial,
			 CASE WHEN stage = 'closedwon' THEN (ARRAY['paid', 'paying', 'failed', 'cancelled', NULL])[1 + i % 5] END AS payment,
			 CASE WHEN stage = 'closedwon' THEN 1 + i % 12 END AS installments,
			 1 + (random() * (:contacts - 1))::int AS c1, 1 + (random() * (:contacts - 1))::int AS c2,
			 random() < 0.01 AS archived
	  FROM (SELECT i, timestamptz '2023-01-01 00:00:00+00' + random() * interval '730 days' AS created,
				   (ARRAY['closedwon', 'closedwon', 'closedlost', 'closedlost', 'appointmentscheduled',
						  'qualifiedtobuy', 'presentationscheduled', 'contractsent'])[1 + (random() * 7)::int] AS stage
			FROM generate_series(1, :deals) i) s) d;

-- Calls: each to or from a random contact's number, written in another
-- format than the contact's (always international, since
-- a national 06... number does not match +33 6...); 70% outbound; up to 3 days after the
-- contact's creation (5% before it); 0 to 15 minutes.
INSERT INTO hubspot_calls_raw (hubspot_id, call_duration, call_direction, call_to_number, call_from_number,
	call_timestamp, raw_json, updated_at, archived, archived_at, call_status, call_disposition, hubspot_owner_id)
SELECT id, duration, direction,
	   CASE WHEN direction = 'OUTBOUND' THEN number ELSE '+33 1 86 95 00 00' END,
	   CASE WHEN direction = 'INBOUND' THEN number ELSE '+33 1 86 95 00 00' END,
	   ts,
	   jsonb_build_object('id', id, 'createdAt', ts, 'updatedAt', ts, 'archived', archived,
		   'properties', jsonb_build_object('hs_call_duration', duration::text, 'hs_call_direction', direction,
			   'hs_call_to_number', CASE WHEN direction = 'OUTBOUND' THEN number ELSE '+33 1 86 95 00 00' END,
			   'hs_call_from_number', CASE WHEN direction = 'INBOUND' THEN number ELSE '+33 1 86 95 00 00' END,
			   'hs_timestamp', ts, 'hs_call_status', 'COMPLETED', 'hs_call_title', 'Call ' || i,
			   'hs_call_body', 'Discussed the offer and next steps.', 'hs_object_id', id)),
	   ts, archived, CASE WHEN archived THEN ts + interval '30 days' END,
	   'COMPLETED', CASE WHEN i % 3 = 0 THEN 'b2cf5968-551e-4856-9783-52b3da59a7d0' ELSE 'f240bbac-87c9-4f6e-bf70-924b57d47db7' END,
	   (1001 + i % 10)::text
FROM (SELECT i, (300000000000 + i)::text AS id,
			 (random() * 900000)::int AS duration,
			 CASE WHEN random() < 0.7 THEN 'OUTBOUND' ELSE 'INBOUND' END AS direction,
			 CASE i % 3
				 WHEN 0 THEN '+336' || lpad(k::text, 8, '0')
				 WHEN 1 THEN '+33 (0)6 ' || regexp_replace(lpad(k::text, 8, '0'), '(..)(..)(..)(..)', '\1 \2 \3 \4')
				 ELSE '0033 6 ' || regexp_replace(lpad(k::text, 8, '0'), '(..)(..)(..)(..)', '\1 \2 \3 \4') END AS number,
			 c.createdate + CASE WHEN random() < 0.05 THEN -1 ELSE 1 END * random() * interval '3 days' AS ts,
			 random() < 0.01 AS archived
	  FROM (SELECT i, 1 + (random() * (:contacts - 1))::int AS k FROM generate_series(1, :calls) i) g
	  JOIN hubspot_contacts_raw c ON c.hubspot_id = (100000000000 + g.k)::text) x;

VACUUM ANALYZE hubspot_contacts_raw;
VACUUM ANALYZE hubspot_deals_raw;
VACUUM ANALYZE hubspot_calls_raw;
VACUUM ANALYZE hubspot_contact_numbers;
VACUUM ANALYZE hubspot_call_numbers;
VACUUM ANALYZE hubspot_contact_metrics;
VACUUM ANALYZE hubspot_deal_contacts;

SELECT (SELECT count(*) FROM hubspot_contacts_raw) AS contacts,
	   (SELECT count(*) FROM hubspot_deals_raw) AS deals,
	   (SELECT count(*) FROM hubspot_calls_raw) AS calls,
	   pg_size_pretty(pg_total_relation_size('hubspot_contacts_raw')) AS contacts_size,
	   (SELECT count(*) FROM hubspot_calls_with_contacts WHERE contact_id IS NOT NULL) AS calls_linked,
	   (SELECT count(*) FROM hubspot_deal_contacts) AS deal_contact_pairs,
	   (SELECT count(*) FROM hubspot_contact_metrics) AS contacts_with_deal_or_call;
