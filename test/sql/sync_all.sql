-- hubspot_sync_all(): the three object types sync in parallel workers, and
-- one failing never stops or undoes the others.
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET hubspot_sync.retry_base_delay = '10ms';

SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT object_type, status, mode, records, inserted, updated, error
FROM hubspot_sync_all() ORDER BY object_type;

-- Deals fail (HTTP 500 on every try); contacts and calls still complete.
SET hubspot_sync.max_retries = 1;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_version/2/_fault/deals.500';
SELECT object_type, status, records, inserted, updated,
       regexp_replace(error, '[0-9a-f]{8}-[0-9a-f-]{27}', '<uuid>') AS error
FROM hubspot_sync_all() ORDER BY object_type;
SELECT count(*) AS contacts_after_version_2 FROM hubspot_contacts_raw;
RESET hubspot_sync.max_retries;

-- The three run at the same time: with every response slowed down, each
-- run starts before any other finishes.
SET hubspot_sync.page_size = 10;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/slow300';
SELECT object_type, status, mode, pages FROM hubspot_sync_all(full => true) ORDER BY object_type;
SELECT max(started_at) < min(finished_at) AS runs_overlapped
FROM (SELECT DISTINCT ON (object_type) * FROM hubspot_sync_runs ORDER BY object_type, run_id DESC) last_runs;
RESET hubspot_sync.page_size;

-- Two syncs of one object type never run at once: while another session
-- holds the object's lock (simulated here by taking it ourselves), a sync
-- returns at once, skipped, and writes nothing.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT pg_advisory_lock(x'48534E43'::int, 1);
SET client_min_messages = warning;  -- the notice names the lock holder's pid
SELECT object_type, status, records, regexp_replace(error, 'Process \d+', 'Process N') AS error
FROM hubspot_sync('contacts');
RESET client_min_messages;
SELECT pg_advisory_unlock(x'48534E43'::int, 1);
SELECT object_type, status FROM hubspot_sync('contacts');

SELECT object_type, last_status, last_mode, last_error, full_sync_unfinished,
       last_success_at IS NOT NULL AS has_succeeded, staleness < interval '1 hour' AS fresh
FROM hubspot_sync_status ORDER BY object_type;
