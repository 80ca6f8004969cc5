-- Answers a broken or hostile upstream might send never block a sync for
-- good, never loop forever, and never store what cannot be dumped and
-- restored.
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET hubspot_sync.retry_base_delay = '10ms';
SET hubspot_sync.max_retries = 0;
-- Were a loop not caught, this would end it (and fail the test).
SET statement_timeout = '60s';

-- Bytes that are not UTF-8 (a lone FF, an overlong C0 AF, a sequence cut
-- short, a UTF-16 surrogate) are replaced by U+FFFD, one per sequence, and
-- counted; the valid text around them is kept.
SELECT test_try_sync('contacts', '/_fault/contacts.list.badutf8@1');
SELECT hubspot_id, firstname, raw_json -> 'properties' ->> 'firstname' = firstname AS raw_json_same
FROM hubspot_contacts_raw WHERE firstname LIKE '%Zo%|%';
-- Every stored byte is valid UTF-8 again (convert_from checks).
SELECT count(*) AS rows_that_would_not_restore FROM hubspot_contacts_raw
WHERE convert_from(convert_to(raw_json::text, 'UTF8'), 'UTF8') IS NULL;
SELECT test_try_sync('contacts');

-- Ids that are not strings of digits (an object, 10,000 digits, "12a45",
-- a JSON number) are refused record by record, with a warning each; the
-- page's other records land.
SELECT test_try_sync('calls', '/_fault/calls.list.badids@1');
SELECT count(*) AS stored_bad_ids FROM hubspot_calls_raw WHERE hubspot_id !~ '^[0-9]{1,20}$';

-- An answer larger than hubspot_sync.max_response_size fails the request
-- with a clear error, before it is all in memory.
SET hubspot_sync.max_response_size = '1MB';
SELECT test_try_sync('deals', '/_fault/deals.list.huge2@1');
RESET hubspot_sync.max_response_size;

-- A list whose next cursor is the one just sent would be read forever:
-- the sync stops at the first repeat.
SET hubspot_sync.page_size = 20;
SELECT test_try_sync('contacts', '/_fault/contacts.list.stuckcursor@2');
SELECT status, pages FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 1;
-- So would one that answers empty pages, each with a new cursor: 100 in a
-- row end it.
SELECT test_try_sync('deals', '/_fault/deals.list.emptypages@2');
SELECT status, http_requests FROM hubspot_sync_runs WHERE object_type = 'deals' ORDER BY run_id DESC LIMIT 1;

-- An unfinished full sync resumes from its stored cursor; if HubSpot no
-- longer accepts it (HTTP 400), the list starts over instead of failing on
-- every run.
UPDATE hubspot_sync_state SET full_sync_phase = 'live', full_sync_after = 'a-cursor-HubSpot-forgot'
WHERE object_type = 'calls';
SELECT test_try_sync('calls', '', full_sync => false);
SELECT mode, status, records FROM hubspot_sync_runs WHERE object_type = 'calls' ORDER BY run_id DESC LIMIT 1;
SELECT full_sync_phase, full_sync_after FROM hubspot_sync_state WHERE object_type = 'calls';

-- full => true always starts over, whatever an unfinished one stored (here
-- a cursor past the last record, from which a resume would read nothing).
UPDATE hubspot_sync_state SET full_sync_phase = 'live', full_sync_after = '99999999999'
WHERE object_type = 'calls';
SELECT test_try_sync('calls', '', full_sync => true);
SELECT mode, status, records > 0 AS read_the_calls FROM hubspot_sync_runs WHERE object_type = 'calls' ORDER BY run_id DESC LIMIT 1;
RESET hubspot_sync.page_size;

-- A portal with thousands of contact properties (here 6,000 short names,
-- as many URL characters as 2,500 real ones): a page takes 19 requests
-- (the names must fit in URLs), and a full sync keeps several pages in
-- flight (the next live page, the archived list beside a search slice):
-- any number of requests may be in flight at once.
SET hubspot_sync.parallel_full_sync = on;
SELECT test_try_sync('contacts', '', 'http://127.0.0.1:18770');
SELECT count(*) AS properties, max(http_requests) > 50 AS many_requests
FROM hubspot_properties, (SELECT http_requests FROM hubspot_sync_runs
                          WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 1) r
WHERE object_type = 'contacts';
SELECT count(*) AS contacts_with_every_property FROM hubspot_contacts_raw
WHERE raw_json -> 'properties' ? 'custom_prop_6000';
RESET hubspot_sync.parallel_full_sync;
-- The next syncs read this portal's properties again.
SELECT test_try_sync('contacts');

-- A property definition with odd flags ("hidden": "sometimes",
-- "calculated": 1) is stored with what parses, not an error on every run.
SELECT test_try_sync('calls', '/_fault/calls.properties.oddprops');
SELECT name, hidden, calculated FROM hubspot_properties WHERE name = 'odd_flags';
SELECT test_try_sync('calls');
