-- Long association lists.  HubSpot pages a record's association list when
-- it is long: inside a list answer (associations.calls.paging.next) and per
-- record in a v4 batch read (results[].paging.next.after).  The mock's
-- /_assocpage/1 pages every list one id at a time, so each record with two
-- calls, deals or contacts has its list cut short; a sync must still store
-- every list whole, exactly as when none is cut.
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET hubspot_sync.retry_base_delay = '10ms';
SET hubspot_sync.page_size = 20;
SET hubspot_sync.parallel_full_sync = off;
SET timezone = 'UTC';
-- Cut lists cost requests: a budget that keeps this test short.
ALTER SYSTEM SET hubspot_sync.rate_limit = 1000;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);

CREATE FUNCTION pg_temp.reset() RETURNS void LANGUAGE sql AS $$
    TRUNCATE hubspot_contacts_raw, hubspot_deals_raw;
    DELETE FROM hubspot_sync_state WHERE object_type IN ('contacts', 'deals');
$$;
CREATE FUNCTION pg_temp.associations()
RETURNS TABLE (object_type text, hubspot_id text, associations jsonb) LANGUAGE sql AS $$
    SELECT 'contacts', hubspot_id, raw_json -> 'associations' FROM hubspot_contacts_raw
    UNION ALL
    SELECT 'deals', hubspot_id, raw_json -> 'associations' FROM hubspot_deals_raw;
$$;

-- The reference: at this size no list is long enough to be cut.
SELECT pg_temp.reset();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000';
SELECT object_type, status, records, http_requests FROM hubspot_sync('contacts', full => true);
SELECT object_type, status, records, http_requests FROM hubspot_sync('deals', full => true);
CREATE TEMP TABLE reference AS SELECT * FROM pg_temp.associations();
-- Rows whose associations differ from the reference's (or are missing).
CREATE FUNCTION pg_temp.differing(kind text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*)
    FROM (SELECT * FROM reference WHERE object_type = kind) r
    FULL JOIN (SELECT * FROM pg_temp.associations() WHERE object_type = kind) n
      USING (object_type, hubspot_id)
    WHERE r.associations IS DISTINCT FROM n.associations;
$$;
SELECT count(*) FILTER (WHERE jsonb_array_length(associations -> 'calls' -> 'results') > 1) AS contacts_with_calls,
       max(jsonb_array_length(associations -> 'calls' -> 'results')) AS most_calls,
       count(*) FILTER (WHERE jsonb_array_length(associations -> 'deals' -> 'results') > 1) AS contacts_with_deals,
       count(*) FILTER (WHERE jsonb_array_length(associations -> 'contacts' -> 'results') > 1) AS deals_with_contacts,
       count(*) FILTER (WHERE associations::text LIKE '%paging%') AS cut_short
FROM reference;

-- 1. List only, every list one id a page: the rest of each list is read
--    from the v4 endpoint (more requests), and every list is whole.
SELECT pg_temp.reset();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000/_assocpage/1';
SELECT object_type, status, records, http_requests FROM hubspot_sync('contacts', full => true);
SELECT object_type, status, records, http_requests FROM hubspot_sync('deals', full => true);
SELECT pg_temp.differing('contacts') AS contacts_differing, pg_temp.differing('deals') AS deals_differing;
-- Read again: nothing changed, nothing rewritten.
SELECT object_type, status, inserted, updated, unchanged FROM hubspot_sync('contacts', full => true);

-- 2. Incremental runs carry no associations: the whole lists stay.
SELECT object_type, mode, status FROM hubspot_sync('contacts');
SELECT pg_temp.differing('contacts') AS contacts_differing;

-- 3. With a search slice: its v4 reads are cut short too, and continued.
SELECT pg_temp.reset();
SET hubspot_sync.parallel_full_sync = on;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000/_assocpage/1/_fault/contacts.list.slow100';
SELECT object_type, mode, status, inserted FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.differing('contacts') AS contacts_differing;

-- 4. A v4 read that fails while completing a list (no retries) fails the
--    sync: no record is written with part of its list.
SELECT pg_temp.reset();
SET hubspot_sync.parallel_full_sync = off;
SET hubspot_sync.max_retries = 0;
\set VERBOSITY terse
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000/_assocpage/1/_fault/contacts.associations.503';
SELECT object_type, status, inserted, error FROM hubspot_sync('contacts', full => true);
SELECT count(*) AS contacts_written FROM hubspot_contacts_raw;
\set VERBOSITY default
RESET hubspot_sync.max_retries;
-- The next run resumes and ends whole.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000/_assocpage/1';
SELECT object_type, mode, status FROM hubspot_sync('contacts');
SELECT pg_temp.differing('contacts') AS contacts_differing;

SELECT pg_temp.reset();
ALTER SYSTEM RESET hubspot_sync.rate_limit;
SELECT pg_reload_conf();
