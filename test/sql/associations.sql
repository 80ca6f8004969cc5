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

-- 5. Labels and repeats.  HubSpot's v3 lists name an associated id once
--    per association type it has (the mock: contact_to_deal, and
--    decision_maker or budget_holder for labelled pairs); its v4 reads give
--    one entry per target, with every type as {category, typeId, label}
--    (the unlabelled HUBSPOT_DEFINED one with label null) and toObjectId a
--    number.  The reference (lists only) holds the repeats as the lists
--    gave them:
SELECT r.object_type, count(*) AS entries,
       count(DISTINCT (r.hubspot_id, e.value ->> 'id')) AS distinct_links,
       pg_catalog.string_agg(DISTINCT e.value ->> 'type', ', ') AS types
FROM reference r, jsonb_each(r.associations) k, jsonb_array_elements(k.value -> 'results') e
WHERE k.key IN ('deals', 'contacts')
GROUP BY 1 ORDER BY 1;
--    Records the search slice writes, with lists from v4 reads (none cut
--    short here: one read per batch and type), hold exactly the same: the
--    list's shape, each v4 typeId under the name v3 gives it (GET
--    /crm/v3/associations/{from}/{to}/types), in the same order.
SELECT pg_temp.reset();
SET hubspot_sync.parallel_full_sync = on;
SET hubspot_sync.page_size = 10;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000/_fault/list.slow100';
SELECT object_type, mode, status FROM hubspot_sync('contacts', full => true);
SELECT object_type, mode, status FROM hubspot_sync('deals', full => true);
-- ("list + search": the slice wrote pages, their lists from v4.)
SELECT pg_temp.differing('contacts') AS contacts_differing, pg_temp.differing('deals') AS deals_differing;
SET hubspot_sync.page_size = 20;

-- 6. A v4 read answering 207 with ids in "errors" that are not "no
--    associations" (the mock's assocerrors: every second id of a batch):
--    those ids were not read.  They are asked for again, and the records
--    end whole, in a list's cut lists and in a slice alike.
SELECT pg_temp.reset();
SET hubspot_sync.parallel_full_sync = off;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000/_assocpage/1/_fault/contacts.associations.assocerrors*3';
SELECT object_type, status, retries >= 3 AS asked_again FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.differing('contacts') AS contacts_differing;
SELECT pg_temp.reset();
SET hubspot_sync.parallel_full_sync = on;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000/_fault/contacts.list.slow100+contacts.associations.assocerrors*3';
SELECT object_type, status, retries >= 3 AS asked_again FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.differing('contacts') AS contacts_differing;
--    Still failing after hubspot_sync.max_retries more tries: the read
--    fails, and no record is written without its lists.
SELECT pg_temp.reset();
SET hubspot_sync.parallel_full_sync = off;
SET hubspot_sync.max_retries = 2;
\set VERBOSITY terse
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000/_assocpage/1/_fault/contacts.associations.assocerrors';
SELECT object_type, status, inserted, error FROM hubspot_sync('contacts', full => true);
SELECT count(*) AS contacts_written FROM hubspot_contacts_raw;
\set VERBOSITY default
RESET hubspot_sync.max_retries;

-- 7. The design's queries with repeated ids: ->'results'->0->>'id' is
--    still an id (the v3 shape, whichever path wrote the deal);
--    deals_with_contacts and
--    hubspot_deal_contact_ids give each contact of a deal once.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x400x3000';
SELECT object_type, status FROM hubspot_sync('deals', full => true);
WITH d AS (
    SELECT hubspot_id, raw_json,
           (SELECT count(DISTINCT e ->> 'id')
            FROM jsonb_array_elements(raw_json -> 'associations' -> 'contacts' -> 'results') e) AS contacts,
           jsonb_array_length(raw_json -> 'associations' -> 'contacts' -> 'results') AS entries
    FROM hubspot_deals_raw WHERE NOT archived AND raw_json ? 'associations')
SELECT count(*) FILTER (WHERE entries > contacts) AS deals_with_repeats,
       bool_and(raw_json -> 'associations' -> 'contacts' -> 'results' -> 0 ->> 'id' ~ '^[0-9]+$')
           AS first_id_is_an_id,
       bool_and((SELECT count(*) FROM deals_with_contacts v WHERE v.deal_id = d.hubspot_id) = contacts)
           AS view_once_each,
       bool_and((SELECT count(*) FROM hubspot_deal_contact_ids(raw_json)) = contacts)
           AS function_once_each
FROM d;

SELECT pg_temp.reset();
ALTER SYSTEM RESET hubspot_sync.rate_limit;
SELECT pg_reload_conf();
