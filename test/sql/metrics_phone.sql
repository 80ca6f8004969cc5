--
-- The portal's default country calling code, and which contact a call's
-- number links to.  A French CRM holds 06 12 34 56 78 where the dialler
-- logs +33 6 12 34 56 78: with the code set to 33 they are one number, in
-- hubspot_calls_with_contacts and in every phone-based metric.  A number
-- shared by several contacts links to the oldest of them, in both.
-- metrics_test.check() (made by the metrics test) recomputes every link
-- from scratch after each change and compares.
--
-- Everything runs in a transaction that empties the tables first and is
-- rolled back.
--
SET TimeZone = 'UTC';

-- A bad code is refused before anything changes.
SELECT hubspot_set_default_country_code('0033');
SELECT hubspot_set_default_country_code('1234');
INSERT INTO hubspot_metrics_settings (default_country_code) VALUES ('+33');
SELECT count(*) AS settings_rows FROM hubspot_metrics_settings;

BEGIN;
DELETE FROM hubspot_contacts_raw;
DELETE FROM hubspot_deals_raw;
DELETE FROM hubspot_calls_raw;

-- f2 and f3 hold one number, written once in international and once in
-- national form; f3 is the older.
INSERT INTO hubspot_contacts_raw (hubspot_id, phone, createdate, raw_json) VALUES
  ('f1', '06 12 34 56 78', '2024-01-02 00:00+00', '{}'),
  ('f2', '+33 7 00 00 00 02', '2024-01-03 00:00+00', '{}'),
  ('f3', '07.00.00.00.02', '2024-01-01 00:00+00', '{}'),
  ('f4', '+44 20 7946 0958', '2024-01-04 00:00+00', '{}');
-- r1 reaches f1's number and connects; r2 comes from f2's and f3's number
-- but goes to voicemail (an attempt, not a connection); r3 dials a British
-- number in national form.
INSERT INTO hubspot_calls_raw (hubspot_id, call_direction, call_to_number, call_from_number, call_timestamp,
                               call_status, call_disposition, raw_json) VALUES
  ('r1', 'OUTBOUND', '+33 6 12 34 56 78', '+33 1 86 95 00 00', '2024-01-05 00:00+00',
   'COMPLETED', 'f240bbac-87c9-4f6e-bf70-924b57d47db7', '{}'),
  ('r2', 'inbound', '+33 1 86 95 00 00', '0033 7 00 00 00 02', '2024-01-06 00:00+00',
   'COMPLETED', 'b2cf5968-551e-4856-9783-52b3da59a7d0', '{}'),
  ('r3', 'OUTBOUND', '020 7946 0958', '+33 1 86 95 00 00', '2024-01-07 00:00+00',
   'COMPLETED', 'f240bbac-87c9-4f6e-bf70-924b57d47db7', '{}');

-- No default code: a national form matches only itself.  r2 links to f2.
SELECT call_id, contact_id, connected FROM hubspot_calls_with_contacts ORDER BY call_id;
SELECT * FROM metrics_test.check();

-- France: r1 links to f1; r2's number is f2's and f3's, and links to f3,
-- the older, in the view and in the metrics (f2 is not reached).
SELECT hubspot_set_default_country_code('+33');
SELECT * FROM hubspot_metrics_settings;
SELECT call_id, contact_id, connected FROM hubspot_calls_with_contacts ORDER BY call_id;
SELECT contact_id, first_call_at, first_connected_at FROM hubspot_contact_metrics ORDER BY contact_id;
SELECT * FROM metrics_test.check();
-- Any call attempt reaches a contact (f1, f3); of the calls r1 and r3
-- connected, of the contacts only f1.
SELECT name, value FROM hubspot_metrics('2024-01-01', '2024-02-01')
WHERE name IN ('contacts_reached_by_phone', 'contacts_connected_by_phone', 'connected_calls', 'call_connection_rate');

-- f3 created after f2 now: the number links to f2, in both.
UPDATE hubspot_contacts_raw SET createdate = '2024-01-03 12:00+00' WHERE hubspot_id = 'f3';
SELECT call_id, contact_id FROM hubspot_calls_with_contacts WHERE call_id = 'r2';
SELECT * FROM metrics_test.check();
-- f2 archived: f3 has it again.
UPDATE hubspot_contacts_raw SET archived = true WHERE hubspot_id = 'f2';
SELECT call_id, contact_id FROM hubspot_calls_with_contacts WHERE call_id = 'r2';
SELECT * FROM metrics_test.check();

-- The United Kingdom: r3 links to f4; French national forms no longer
-- match.  A direct write of the settings table rebuilds too.
UPDATE hubspot_metrics_settings SET default_country_code = '44';
SELECT call_id, contact_id FROM hubspot_calls_with_contacts ORDER BY call_id;
SELECT * FROM metrics_test.check();
-- Cleared: as at first.
SELECT hubspot_set_default_country_code(NULL);
SELECT call_id, contact_id FROM hubspot_calls_with_contacts ORDER BY call_id;
SELECT * FROM metrics_test.check();

-- Sync pages written under a code get its keys: a contact and a call
-- added while the code is 33.
SELECT hubspot_set_default_country_code('33');
INSERT INTO hubspot_contacts_raw (hubspot_id, phone, createdate, raw_json) VALUES
  ('f5', '06 99 99 99 99', '2024-01-08 00:00+00', '{}');
INSERT INTO hubspot_calls_raw (hubspot_id, call_direction, call_to_number, call_from_number, call_timestamp, raw_json) VALUES
  ('r4', 'OUTBOUND', '+33699999999', '+33 1 86 95 00 00', '2024-01-09 00:00+00', '{}');
SELECT call_id, contact_id FROM hubspot_calls_with_contacts WHERE call_id = 'r4';
SELECT * FROM metrics_test.check();

-- The view finds each call's contact through the side tables' indexes,
-- not by normalising every contact's phone.
CREATE FUNCTION pg_temp.plan_lines(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END $$;
SET LOCAL enable_seqscan = off;
SELECT bool_or(line ~ 'Index (Only )?Scan using hubspot_contact_numbers_number_idx') AS contact_by_number,
       bool_or(line ~ 'hubspot_normalize_phone') AS normalises_at_read
FROM pg_temp.plan_lines('SELECT * FROM hubspot_calls_with_contacts WHERE call_id = ''r1''') AS line;
ROLLBACK;
