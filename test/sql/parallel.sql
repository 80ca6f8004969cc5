-- Parallel full sync: the list from the lowest id up in the sync's worker,
-- the search from the highest id down in a second worker (with the
-- associations from the v4 batch endpoint), meeting in the middle.  Each
-- run must end with exactly what the list alone gives.  (The suite's
-- cluster has hubspot_sync.parallel_full_sync = off, so that the other
-- tests' page counts do not depend on where the two halves meet.)
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET hubspot_sync.retry_base_delay = '10ms';
SET hubspot_sync.page_size = 20;
SET timezone = 'UTC';

CREATE FUNCTION pg_temp.reset_contacts() RETURNS void LANGUAGE sql AS $$
    TRUNCATE hubspot_contacts_raw;
    DELETE FROM hubspot_sync_state WHERE object_type = 'contacts';
$$;
-- Everything a row holds but the time it was written.
CREATE FUNCTION pg_temp.contacts_digest() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(concat_ws('|', hubspot_id, email, phone, firstname, lastname, createdate,
                                    lifecyclestage, vsl_watched, sales_script_version, raw_json::text,
                                    updated_at, archived, archived_reason),
                          E'\n' ORDER BY hubspot_id))
    FROM hubspot_contacts_raw;
$$;

-- The reference: 1,500 contacts read by the list alone.
SELECT pg_temp.reset_contacts();
SET hubspot_sync.parallel_full_sync = off;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30';
SELECT mode, status, pages, records, inserted FROM hubspot_sync('contacts', full => true);
CREATE TEMP TABLE reference AS
SELECT pg_temp.contacts_digest() AS digest, count(*) AS contacts,
       count(*) FILTER (WHERE raw_json ? 'associations') AS with_associations,
       count(*) FILTER (WHERE archived) AS archived
FROM hubspot_contacts_raw;
SELECT contacts, with_associations > 0 AS has_associations, archived FROM reference;

-- 1. In two halves, from empty tables: every record once, the same content
--    (associations included), the search slice's work in the run.
SELECT pg_temp.reset_contacts();
SET hubspot_sync.parallel_full_sync = on;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30/_fault/slow20';
-- The records both sides wrote where they met count once in records.
SELECT mode, status, inserted, records
FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.contacts_digest() = (SELECT digest FROM reference) AS same_content;
SELECT count(*) FILTER (WHERE raw_json ? 'associations') AS with_associations FROM hubspot_contacts_raw;
SELECT full_sync_phase, full_sync_list_high, full_sync_search_low,
       (SELECT count(*) FROM hubspot_sync_seen) AS seen_ids_left
FROM hubspot_sync_state WHERE object_type = 'contacts';
-- Its worker is gone.
SELECT count(*) AS slice_workers FROM pg_stat_activity
WHERE application_name = 'hubspot_sync contacts (search slice)';

-- 2. Again, nothing changed: nothing rewritten, nothing marked gone.
SELECT status, inserted, updated, archived FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.contacts_digest() = (SELECT digest FROM reference) AS same_content;

-- 3. List pages that do not come in id order (the cursor is opaque): the
--    list cannot stop early, reads to the end, and the slice stops.
SELECT pg_temp.reset_contacts();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30/_fault/contacts.list.shuffled@3';
SELECT status, inserted FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.contacts_digest() = (SELECT digest FROM reference) AS same_content;

-- 4. A search that fails (HTTP 400: a portal whose search refuses the
--    query) stops the slice, not the sync: the list reads the rest.
SELECT pg_temp.reset_contacts();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30/_fault/contacts.search.400';
SELECT mode, status, inserted FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.contacts_digest() = (SELECT digest FROM reference) AS same_content;
-- So does a failing associations endpoint (no retries): the slice writes
-- nothing without its records' associations.
SELECT pg_temp.reset_contacts();
SET hubspot_sync.max_retries = 0;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30/_fault/contacts.associations.500';
SELECT mode, status, inserted FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.contacts_digest() = (SELECT digest FROM reference) AS same_content;
RESET hubspot_sync.max_retries;

-- 5. The sync's worker killed in the middle: what both halves committed
--    stays, the next run resumes both, and the content ends exact.
SELECT pg_temp.reset_contacts();
SELECT test_start_in_background($$SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30/_fault/contacts.list.slow300';
                                  SET hubspot_sync.access_token = 'pat-na1-test-token';
                                  SET hubspot_sync.page_size = 20;
                                  SET hubspot_sync.parallel_full_sync = on$$,
                                $$SELECT status FROM hubspot_sync('contacts', full => true)$$) AS sent;
-- The list is slow here (300 ms a page): kill its worker once the slice
-- has committed a batch from the top.
SELECT test_wait_until($$EXISTS (SELECT 1 FROM hubspot_sync_state WHERE object_type = 'contacts'
                                 AND full_sync_search_low IS NOT NULL
                                 AND full_sync_list_high IS NOT NULL)$$, '30s') AS both_wrote;
SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
WHERE backend_type = 'hubspot_sync worker' AND application_name = 'hubspot_sync contacts';
SELECT count(*) AS rows_the_other_session_got FROM dblink_get_result('bg', false) AS t(x text);
SELECT dblink_disconnect('bg');
-- Its slice was stopped with it, within 2 s (a cancel stops the whole sync).
SELECT test_wait_until($$NOT EXISTS (SELECT 1 FROM pg_stat_activity
                                     WHERE application_name = 'hubspot_sync contacts (search slice)')$$,
                       '2s') AS slices_gone;
SELECT full_sync_phase, full_sync_list_high IS NOT NULL AS list_got_somewhere,
       full_sync_search_low IS NOT NULL AS slice_got_somewhere
FROM hubspot_sync_state WHERE object_type = 'contacts';
SELECT count(*) BETWEEN 1 AND 1499 AS kept_committed_pages FROM hubspot_contacts_raw;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30/_fault/slow20';
SELECT mode LIKE 'full (resumed)%' AS resumed, status, inserted < 1500 AS did_not_start_over
FROM hubspot_sync('contacts');
SELECT pg_temp.contacts_digest() = (SELECT digest FROM reference) AS same_content;
SELECT status, error_message FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 2 OFFSET 1;

-- 6. A contact merged into another and one gone for good (version 3 of
--    the portal): a complete sync in two halves marks them, as the list
--    alone does.
SET hubspot_sync.parallel_full_sync = off;
SELECT pg_temp.reset_contacts();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30';
SELECT status FROM hubspot_sync('contacts', full => true);
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30/_version/3';
SELECT status, archived FROM hubspot_sync('contacts', full => true);
TRUNCATE reference;
INSERT INTO reference (digest) SELECT pg_temp.contacts_digest();
SELECT pg_temp.reset_contacts();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30';
SELECT status FROM hubspot_sync('contacts', full => true);
SET hubspot_sync.parallel_full_sync = on;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_size/1500x40x30/_version/3/_fault/slow20';
SELECT status, mode, archived FROM hubspot_sync('contacts', full => true);
SELECT pg_temp.contacts_digest() = (SELECT digest FROM reference) AS same_content;
SELECT count(*) AS gone FROM hubspot_contacts_raw WHERE archived_reason LIKE 'not listed%';

-- 7. Types of two pages: the slice starts after the first page, and the
--    list (with the archived list beside it) may be done before the
--    slice's worker is up. The slice must then stop cleanly: a crash of
--    a worker would restart the cluster and end this session.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET client_min_messages = error;  -- the deals' two unconvertible values, each run
SELECT s.object_type, s.status, s.records, count(*) AS runs
FROM generate_series(1, 5) g,
     LATERAL (SELECT * FROM hubspot_sync('deals', full => g > 0)
              UNION ALL SELECT * FROM hubspot_sync('calls', full => g > 0)) s
GROUP BY 1, 2, 3 ORDER BY 1;
RESET client_min_messages;
SELECT count(*) FILTER (WHERE NOT archived) AS live_deals, count(*) AS deals FROM hubspot_deals_raw;

-- Leave the default portal's contacts in place for the tests that follow.
RESET hubspot_sync.parallel_full_sync;
RESET hubspot_sync.page_size;
SELECT pg_temp.reset_contacts();
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT mode, status, records FROM hubspot_sync('contacts');
