-- How a sync meets the session that asked for it: refused where it could
-- never finish, stopped when the caller goes, and, through the procedure,
-- run without holding a snapshot.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';

-- Inside a transaction block the caller may hold a lock its workers need,
-- and would wait for them forever: refused.
BEGIN;
SELECT status FROM hubspot_sync('calls');
ROLLBACK;
BEGIN;
CALL hubspot_run_sync('calls');
ROLLBACK;

-- The procedure: a NOTICE per type, the run in the log.
CALL hubspot_run_sync('calls');
CALL hubspot_run_sync();
SELECT object_type, status, started_by LIKE 'pg_regress%' AS by_this_session
FROM (SELECT DISTINCT ON (object_type) * FROM hubspot_sync_runs ORDER BY object_type, run_id DESC) r
ORDER BY object_type;
-- A failed type fails the CALL, after the others have run.
SET hubspot_sync.max_retries = 0;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/deals.drop';
CALL hubspot_run_sync();
RESET hubspot_sync.max_retries;

-- While the procedure waits for its workers, the session holds no
-- snapshot (backend_xmin is NULL), so VACUUM is not held back; the
-- function, run from a query, does hold one.
SELECT test_start_in_background(
    $$SET hubspot_sync.access_token = 'pat-na1-test-token';
      SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/calls.slow2000*1/_run/s1'$$,
    $$CALL hubspot_run_sync('calls', true)$$);
SELECT test_wait_until($$EXISTS (SELECT 1 FROM pg_stat_activity
                                  WHERE backend_type = 'hubspot_sync worker')$$, '10s') AS worker_running;
SELECT backend_xmin IS NULL AS procedure_holds_no_snapshot, wait_event_type, wait_event
FROM pg_stat_activity WHERE query LIKE 'CALL hubspot_run_sync%';
SELECT dblink_get_result('bg') IS NOT NULL AS done;
SELECT dblink_disconnect('bg');

-- Terminating the calling session stops its workers at once (they would
-- otherwise wait out a 30-second answer); the next run records the
-- interrupted one as aborted.
SELECT test_start_in_background(
    $$SET hubspot_sync.access_token = 'pat-na1-test-token';
      SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/contacts.slow30000/_run/s2'$$,
    $$SELECT hubspot_sync('contacts')$$);
SELECT test_wait_until($$EXISTS (SELECT 1 FROM pg_stat_activity
                                  WHERE backend_type = 'hubspot_sync worker')$$, '10s') AS worker_running;
-- The worker waiting on HubSpot shows it, as its caller does.
SELECT test_wait_until($$EXISTS (SELECT 1 FROM pg_stat_activity
                                  WHERE backend_type = 'hubspot_sync worker'
                                    AND wait_event_type = 'Extension')$$, '5s') AS worker_shows_its_wait;
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT hubspot_sync(''contacts'')';
SELECT test_wait_until($$NOT EXISTS (SELECT 1 FROM pg_stat_activity
                                     WHERE backend_type = 'hubspot_sync worker')$$, '5s')
       AS workers_gone_within_5s;
SELECT dblink_disconnect('bg');
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT status FROM hubspot_sync('contacts');
SELECT status, error_message FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 2;

-- A client that goes away (here dblink closing its connection mid-query)
-- stops the workers too: the waiting session checks its client every
-- second.
SELECT test_start_in_background(
    $$SET hubspot_sync.access_token = 'pat-na1-test-token';
      SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/contacts.slow30000/_run/s3'$$,
    $$SELECT hubspot_sync('contacts')$$);
SELECT test_wait_until($$EXISTS (SELECT 1 FROM pg_stat_activity
                                  WHERE backend_type = 'hubspot_sync worker')$$, '10s') AS worker_running;
SELECT dblink_disconnect('bg');
SELECT test_wait_until($$NOT EXISTS (SELECT 1 FROM pg_stat_activity
                                     WHERE backend_type = 'hubspot_sync worker')$$, '5s')
       AS workers_gone_within_5s;

-- Workers reload the configuration between pages: a rate limit lowered
-- while a sync runs (here to 1 request per 10 seconds) holds it back at
-- once.  Without the reload its 25 pages would take about 5 seconds.
SELECT test_start_in_background(
    $$SET hubspot_sync.access_token = 'pat-na1-test-token';
      SET hubspot_sync.page_size = 5;
      SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/contacts.list.slow200/_run/s4'$$,
    $$SELECT hubspot_sync('contacts', true)$$);
SELECT test_wait_until($$(SELECT pages FROM hubspot_sync_runs WHERE object_type = 'contacts'
                          ORDER BY run_id DESC LIMIT 1) >= 1$$, '10s') AS first_page_written;
ALTER SYSTEM SET hubspot_sync.rate_limit = 1;
SELECT pg_reload_conf();
SELECT pg_sleep(5);
SELECT status, pages < 15 AS held_back FROM hubspot_sync_runs
WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 1;
ALTER SYSTEM RESET hubspot_sync.rate_limit;
SELECT pg_reload_conf();
-- Reloaded again, the sync goes on at the full rate and finishes.
SELECT count(*) AS ended FROM dblink_get_result('bg') AS t(result text);
SELECT dblink_disconnect('bg');
SELECT status FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 1;
