-- Incremental sync, the 10,000-result search cap, the overlap window,
-- every property, archived / restored / merged records, a killed worker
-- resumed with exact content, and the shared rate limit.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET hubspot_sync.retry_base_delay = '10ms';
SET timezone = 'UTC';

-- Start contacts afresh: no rows, no cursor.
CREATE FUNCTION pg_temp.reset_contacts() RETURNS void LANGUAGE sql AS $$
    TRUNCATE hubspot_contacts_raw;
    DELETE FROM hubspot_sync_state WHERE object_type = 'contacts';
$$;
-- Start from a cursor, as if a full sync had just finished.
CREATE FUNCTION pg_temp.set_cursor(cursor timestamptz) RETURNS void LANGUAGE sql AS $$
    INSERT INTO hubspot_sync_state (object_type, last_full_sync_at, last_modified_cursor)
    VALUES ('contacts', now(), cursor)
    ON CONFLICT (object_type) DO UPDATE SET last_full_sync_at = now(),
        last_modified_cursor = EXCLUDED.last_modified_cursor, full_sync_phase = NULL, full_sync_after = NULL;
$$;

-- 1. With no change since the last sync, an incremental sync costs two
--    requests (the property definitions and one search).
SELECT pg_temp.reset_contacts();
SELECT mode, pages, records, inserted, http_requests FROM hubspot_sync('contacts');
SELECT mode, pages, records, inserted, updated, http_requests FROM hubspot_sync('contacts');

-- 2. The overlap window: records modified up to hubspot_sync.incremental_overlap
--    before the cursor are read again; nothing older.
SET hubspot_sync.incremental_overlap = '20d';
CREATE TEMP TABLE cursor_before AS
SELECT last_modified_cursor AS c FROM hubspot_sync_state WHERE object_type = 'contacts';
SELECT mode, records,
       records = (SELECT count(*) FROM hubspot_contacts_raw
                  WHERE NOT archived AND updated_at >= (SELECT c FROM cursor_before) - interval '20 days')
         AS read_exactly_the_window,
       records > 1 AS window_holds_several
FROM hubspot_sync('contacts');
RESET hubspot_sync.incremental_overlap;

-- 3. 11,700 changed records: more than one search query may return
--    (10,000).  The sync starts a second query from the last modification
--    time seen, and gets every record.
SELECT pg_temp.reset_contacts();
SELECT pg_temp.set_cursor('2023-01-01');
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/12000x40x30';
SELECT mode, status, pages, records >= 11700 AS read_all, inserted, http_requests FROM hubspot_sync('contacts');
SELECT count(*) AS contacts, count(DISTINCT hubspot_id) AS distinct_ids FROM hubspot_contacts_raw;

-- 4. 10,500 records modified at one instant (a bulk update): one search
--    query could not page past 10,000 of them nor move its start forward;
--    read by keyset, they come by id, a page at a time, and the sync stays
--    incremental.
SELECT pg_temp.reset_contacts();
SELECT pg_temp.set_cursor('2023-01-01');
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/10500x40x30/_version/9';
SELECT mode, status, inserted FROM hubspot_sync('contacts');
SELECT count(*) FILTER (WHERE NOT archived) AS live, count(*) FILTER (WHERE archived) AS archived
FROM hubspot_contacts_raw;

-- 4b. A record modified while the sync reads (the mock's movemidread: the
--    first record of the first answer is modified right after it) moves to
--    the end of the result.  Paged by offset, the record that slid into its
--    place on the next page would be skipped; paged by keyset, nothing is:
--    a full sync afterwards finds nothing new.
SELECT pg_temp.reset_contacts();
SELECT pg_temp.set_cursor('2023-01-01');
SET hubspot_sync.search_page_size = 20;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/contacts.search.movemidread/_run/moved';
SELECT mode, status FROM hubspot_sync('contacts');
SELECT count(*) AS moved_record_read_again FROM hubspot_contacts_raw WHERE updated_at = '2025-07-01 12:00+00';
CREATE TEMP TABLE read_incrementally AS SELECT hubspot_id FROM hubspot_contacts_raw;
RESET hubspot_sync.search_page_size;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT mode, status FROM hubspot_sync('contacts', true);
SELECT count(*) AS live_contacts_the_incremental_sync_skipped FROM hubspot_contacts_raw
WHERE NOT archived AND hubspot_id NOT IN (SELECT hubspot_id FROM read_incrementally);

-- 5. Archived, restored, merged and vanished contacts.  Version 3 of the
--    portal restores contact 1224 from the archive, archives contact 900,
--    merges contact 1116 into 1008 (1116 is listed nowhere; 1008 names it
--    in hs_merged_object_ids), and loses contact 1044 for good (listed
--    nowhere, named by no one).
SELECT pg_temp.reset_contacts();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_version/2';
SELECT mode, status FROM hubspot_sync('contacts');
SELECT hubspot_id, archived FROM hubspot_contacts_raw WHERE hubspot_id IN ('900', '1044', '1116', '1224') ORDER BY 1;
-- An incremental sync sees the survivor of the merge, and marks the merged
-- contact at once.  (The search never returns archived records: 900 waits
-- for a full sync.)
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_version/3';
SELECT mode, status, archived FROM hubspot_sync('contacts');
SELECT hubspot_id, archived, archived_reason, archived_at = (SELECT updated_at FROM hubspot_contacts_raw WHERE hubspot_id = '1008') AS archived_at_merge
FROM hubspot_contacts_raw WHERE hubspot_id IN ('900', '1008', '1044', '1116', '1224') ORDER BY 1;
SELECT raw_json->'properties'->>'hs_merged_object_ids' AS merged_ids FROM hubspot_contacts_raw WHERE hubspot_id = '1008';
-- Deals merge the same way (version 3 merges deal #5 into deal #2).
SELECT mode, status, archived FROM hubspot_sync('deals');
SELECT d.hubspot_id, d.archived_reason, s.raw_json->'properties'->>'hs_merged_object_ids' AS survivor_names
FROM hubspot_deals_raw d JOIN hubspot_deals_raw s ON d.archived_reason = 'merged into ' || s.hubspot_id
WHERE d.archived;
-- A full sync that fails on page 2 and is then resumed sees only part of
-- the list in one run: it never marks anything gone.
SET hubspot_sync.page_size = 50;
SET hubspot_sync.max_retries = 0;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_version/3/_fault/contacts.500@2';
\set VERBOSITY terse
SELECT status, mode FROM hubspot_sync('contacts', full => true);
\set VERBOSITY default
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_version/3';
SELECT status, mode, archived FROM hubspot_sync('contacts');
SELECT hubspot_id, archived, archived_reason FROM hubspot_contacts_raw WHERE hubspot_id IN ('900', '1044', '1116', '1224') ORDER BY 1;
-- A full sync that sees every page in one run marks the vanished one gone.
SELECT status, mode, archived FROM hubspot_sync('contacts', full => true);
SELECT hubspot_id, archived, archived_reason FROM hubspot_contacts_raw WHERE hubspot_id IN ('900', '1044', '1116', '1224') ORDER BY 1;
-- The merge moved 1116's deals to 1008, which a full sync brings (a
-- change of associations changes no modification time).  A deal is listed
-- once per association type (labels): count distinct ids.
SELECT (SELECT count(DISTINCT a->>'id') FROM jsonb_array_elements(m.raw_json->'associations'->'deals'->'results') a) AS deals_of_1116,
       (SELECT count(DISTINCT a->>'id') FROM jsonb_array_elements(c.raw_json->'associations'->'deals'->'results') a) AS deals_of_1008,
       (SELECT count(*) FROM jsonb_array_elements(m.raw_json->'associations'->'deals'->'results') a
        WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.raw_json->'associations'->'deals'->'results') b
                          WHERE b->>'id' = a->>'id')) AS deals_of_1116_not_on_1008
FROM hubspot_contacts_raw c, hubspot_contacts_raw m WHERE c.hubspot_id = '1008' AND m.hubspot_id = '1116';
-- Views leave archived rows out.
SELECT count(*) FILTER (WHERE contact_id IN ('900', '1044', '1116')) AS calls_linked_to_archived
FROM hubspot_calls_with_contacts;
RESET hubspot_sync.page_size;
RESET hubspot_sync.max_retries;

-- 6. A portal with 600 more contact properties: all are stored as
--    definitions and synced into raw_json, in several requests per page
--    so that no URL passes HubSpot's limit (which would answer 414).
SELECT pg_temp.reset_contacts();
SET hubspot_sync.api_url = 'http://127.0.0.1:18767';
SELECT mode, status, pages, records, http_requests FROM hubspot_sync('contacts');
SELECT count(*) AS defined FROM hubspot_properties WHERE object_type = 'contacts';
SELECT min(n) AS fewest_properties, max(n) AS most_properties
FROM (SELECT (SELECT count(*) FROM jsonb_object_keys(raw_json->'properties')) AS n
      FROM hubspot_contacts_raw) t;
SELECT raw_json->'properties'->>'custom_prop_001' AS first_custom, raw_json->'properties'->>'custom_prop_600' AS last_custom
FROM hubspot_contacts_raw ORDER BY hubspot_id::numeric LIMIT 2;

-- 7. A worker killed in the middle of a full sync (pg_terminate_backend
--    from another session) loses no committed page; the next run resumes
--    and ends with exactly HubSpot's content.
SELECT pg_temp.reset_contacts();
SELECT test_start_in_background($$SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/contacts.slow200';
                                  SET hubspot_sync.access_token = 'pat-na1-test-token';
                                  SET hubspot_sync.page_size = 10$$,
                                $$SELECT status FROM hubspot_sync('contacts')$$) AS sent;
SELECT test_wait_until($$EXISTS (SELECT 1 FROM hubspot_sync_runs WHERE object_type = 'contacts'
                                 AND status = 'running' AND pages >= 3)$$, '15s') AS three_pages_written;
SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
WHERE backend_type = 'hubspot_sync worker' AND application_name = 'hubspot_sync contacts';
SELECT count(*) AS rows_the_other_session_got FROM dblink_get_result('bg', false) AS t(x text);
SELECT dblink_disconnect('bg');
SELECT full_sync_phase, full_sync_after IS NOT NULL AS has_cursor FROM hubspot_sync_state WHERE object_type = 'contacts';
SELECT count(*) >= 30 AS kept_committed_pages FROM hubspot_contacts_raw;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT status, mode, inserted < 120 AS did_not_start_over FROM hubspot_sync('contacts');
SELECT status, error_message FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 2 OFFSET 1;
-- A full sync now finds nothing to write: the content is exactly HubSpot's.
SELECT mode, records, inserted, updated, unchanged FROM hubspot_sync('contacts', full => true);
SELECT count(*) AS contacts, count(*) FILTER (WHERE archived) AS archived FROM hubspot_contacts_raw;

-- 8. The request budget is shared by the three parallel workers.  This
--    mock allows 12 requests per 10 s, says so in every answer
--    (X-HubSpot-RateLimit-Max), and answers 429 past that.  Within a
--    budget of 10 the workers never hear a 429.  Told they may send 100,
--    they take HubSpot's lower figure from its first answers and pace at
--    12 (without that, 4 or more of their 16 requests would meet a 429;
--    at 12 with no room to spare, one that reaches the mock late may).
ALTER SYSTEM SET hubspot_sync.rate_limit = 10;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
SET hubspot_sync.api_url = 'http://127.0.0.1:18768';
SET hubspot_sync.page_size = 25;
SELECT object_type, status, http_requests, retries FROM hubspot_sync_all(full => true) ORDER BY 1;
SELECT sum(rate_limited) AS responses_429, max(finished_at) - min(started_at) >= interval '9 s' AS paced
FROM (SELECT DISTINCT ON (object_type) * FROM hubspot_sync_runs ORDER BY object_type, run_id DESC) r;
SELECT pg_sleep(10);  -- let the mock's window empty
ALTER SYSTEM SET hubspot_sync.rate_limit = 100;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
SELECT object_type, status FROM hubspot_sync_all(full => true) ORDER BY 1;
SELECT sum(rate_limited) <= 1 AS at_most_one_429, max(finished_at) - min(started_at) >= interval '9 s' AS paced
FROM (SELECT DISTINCT ON (object_type) * FROM hubspot_sync_runs ORDER BY object_type, run_id DESC) r;
ALTER SYSTEM RESET hubspot_sync.rate_limit;
SELECT pg_reload_conf();
RESET hubspot_sync.page_size;

-- 9. The search endpoint's own limit, per second.  This mock allows 2
--    searches a second and answers past that with HubSpot's 429 (policy
--    SECONDLY, Retry-After 1 s).  Told it may send 10, the sync hears the
--    429s, waits as told, and still reads every record.
ALTER SYSTEM SET hubspot_sync.search_rate_limit = 10;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
SELECT pg_temp.reset_contacts();
SELECT pg_temp.set_cursor('2023-01-01');
SET hubspot_sync.api_url = 'http://127.0.0.1:18769';
SET hubspot_sync.search_page_size = 10;
-- Each keyset page reads its boundary time's records again: they count once.
SELECT mode, status, pages, records, inserted FROM hubspot_sync('contacts');
-- Each waited as told (Retry-After), not the backoff alone: that would
-- meet the same full second again and again.
SELECT rate_limited > 0 AS got_429s, retries >= rate_limited AS retried_each,
       rate_limited <= pages AS at_most_one_429_a_page
FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 1;
SELECT count(*) AS contacts, count(*) FILTER (WHERE archived) AS archived FROM hubspot_contacts_raw;
RESET hubspot_sync.search_page_size;
ALTER SYSTEM RESET hubspot_sync.search_rate_limit;
SELECT pg_reload_conf();

-- Leave the default portal's contacts in place for the tests that follow.
SELECT pg_temp.reset_contacts();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT mode, status, records FROM hubspot_sync('contacts');
