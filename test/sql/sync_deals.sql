-- A full sync of deals: numbers, dates and bad values.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET timezone = 'UTC';

-- The mock's deals 3..6 carry values that do not convert ("abc" and "3.0"
-- months, "" close date, "not-a-number" amount): the sync warns and counts.
SELECT object_type, status, mode, pages, records, inserted, updated, unchanged, warnings, error
FROM hubspot_sync('deals');

SELECT count(*) AS deals FROM hubspot_deals_raw;

-- The records with odd values: they landed, with NULL where the value does
-- not convert ("" is no value, not a warning), and raw_json keeps the text.
SELECT hubspot_id, amount, closedate, number_of_installments__months AS months,
       raw_json->'properties'->>'amount' AS raw_amount,
       raw_json->'properties'->>'closedate' AS raw_closedate,
       raw_json->'properties'->>'number_of_installments__months' AS raw_months
FROM hubspot_deals_raw ORDER BY hubspot_id::numeric LIMIT 8;

-- Every other typed value equals its property, converted.
SELECT count(*) FILTER (WHERE amount IS DISTINCT FROM hubspot_parse_numeric(raw_json->'properties'->>'amount')) AS amount_differs,
       count(*) FILTER (WHERE dealstage IS DISTINCT FROM raw_json->'properties'->>'dealstage') AS stage_differs,
       count(*) FILTER (WHERE payment_status IS DISTINCT FROM raw_json->'properties'->>'payment_status') AS payment_differs,
       count(*) FILTER (WHERE createdate IS DISTINCT FROM (raw_json->'properties'->>'createdate')::timestamptz) AS createdate_differs,
       count(*) FILTER (WHERE raw_json->'properties'->>'closedate' ~ '^\d{4}-\d\d-\d\d$') AS date_only_closedates,
       count(*) FILTER (WHERE raw_json->'properties'->>'closedate' ~ '^\d{4}-\d\d-\d\d$'
                          AND closedate = (raw_json->'properties'->>'closedate')::date::timestamp AT TIME ZONE 'UTC') AS date_only_parsed
FROM hubspot_deals_raw;

SELECT dealstage, count(*), sum(amount) FROM hubspot_deals_raw GROUP BY 1 ORDER BY 1;

-- Deals carry their contacts (deals -> contacts associations).
SELECT count(*) FILTER (WHERE raw_json->'associations'->'contacts'->'results' IS NOT NULL) AS with_contacts,
       count(*) AS deals
FROM hubspot_deals_raw;

SELECT object_type, status, warnings FROM hubspot_sync_runs WHERE object_type = 'deals' ORDER BY run_id;
