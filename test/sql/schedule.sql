-- The built-in scheduler and pg_cron both run hubspot_sync_all(), and both
-- write to the same run log.  scripts/test.sh starts the cluster with
-- shared_preload_libraries = 'hubspot_sync,pg_cron',
-- hubspot_sync.database = 'contrib_regression', hubspot_sync.sync_interval
-- = 0 (off) and cron.use_background_workers = on.

-- Scheduled runs read their settings from the configuration, as in
-- production (a session's SET does not reach them).
ALTER SYSTEM SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/deals.500*1/_run/scheduler';
ALTER SYSTEM SET hubspot_sync.access_token = 'pat-na1-test-token';
ALTER SYSTEM SET hubspot_sync.max_retries = 0;
SELECT pg_reload_conf();

-- The scheduler's worker is connected to this database, idle.
SELECT backend_type, application_name, datname
FROM pg_stat_activity WHERE backend_type = 'hubspot_sync scheduler';

-- Turned on by a reload (SIGHUP), it runs at once, then every interval.
-- Its first run meets a failing deals endpoint (HTTP 500, no retries);
-- it logs that and goes on, and its next run succeeds.
CREATE TEMP TABLE mark AS SELECT COALESCE(max(run_id), 0) AS last_run FROM hubspot_sync_runs;
ALTER SYSTEM SET hubspot_sync.sync_interval = '1s';
SELECT pg_reload_conf();
SELECT test_wait_until($$(SELECT count(*) FROM hubspot_sync_runs
                          WHERE run_id > (SELECT last_run FROM mark) AND status <> 'running'
                            AND started_by LIKE 'hubspot_sync scheduler%') >= 6$$, '60s') AS two_rounds_ran;
ALTER SYSTEM SET hubspot_sync.sync_interval = 0;
SELECT pg_reload_conf();
SELECT test_wait_until($$NOT EXISTS (SELECT 1 FROM hubspot_sync_runs
                                     WHERE run_id > (SELECT last_run FROM mark) AND status = 'running')$$,
                       '30s') AS settled;
SELECT object_type, status, started_by, error_message IS NOT NULL AS has_error
FROM (SELECT *, row_number() OVER (PARTITION BY object_type ORDER BY run_id) AS n
      FROM hubspot_sync_runs WHERE run_id > (SELECT last_run FROM mark)) r
WHERE n <= 2 ORDER BY object_type, n;

-- Killed, the scheduler comes back: the postmaster restarts it after
-- hubspot_sync's 10-second restart delay.
CREATE TEMP TABLE killed AS
SELECT pid FROM pg_stat_activity WHERE backend_type = 'hubspot_sync scheduler';
SELECT pg_terminate_backend(pid) AS terminated FROM killed;
SELECT test_wait_until($$EXISTS (SELECT 1 FROM pg_stat_activity
                                 WHERE backend_type = 'hubspot_sync scheduler'
                                   AND pid NOT IN (SELECT pid FROM killed))$$, '40s') AS scheduler_restarted;

-- pg_cron runs the design's hourly job; here every minute (pg_cron 1.4
-- schedules by the minute), until it has run once.  The job CALLs the
-- procedure, which holds no snapshot while it waits.
ALTER SYSTEM SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT pg_reload_conf();
CREATE EXTENSION pg_cron;
TRUNCATE mark;
INSERT INTO mark SELECT COALESCE(max(run_id), 0) FROM hubspot_sync_runs;
SELECT cron.schedule('hubspot-sync', '* * * * *', 'CALL public.hubspot_run_sync()') > 0 AS scheduled;
SELECT test_wait_until($$(SELECT count(*) FROM hubspot_sync_runs
                          WHERE run_id > (SELECT last_run FROM mark) AND status <> 'running'
                            AND started_by LIKE 'pg_cron%') >= 3$$, '150s') AS cron_ran;
-- pg_cron records the job's outcome a moment after the command returns.
SELECT test_wait_until($$EXISTS (SELECT 1 FROM cron.job_run_details
                                 WHERE status NOT IN ('starting', 'running'))$$, '30s') AS cron_recorded;
SELECT cron.unschedule('hubspot-sync');
SELECT object_type, status, started_by
FROM hubspot_sync_runs WHERE run_id > (SELECT last_run FROM mark) ORDER BY object_type LIMIT 3;
SELECT status, return_message FROM cron.job_run_details ORDER BY runid LIMIT 1;

-- Every run, whoever started it, is in the status view.
SELECT object_type, last_status, last_started_by FROM hubspot_sync_status ORDER BY 1;

DROP EXTENSION pg_cron;

-- While the scheduler waits for its workers it holds no snapshot, so
-- VACUUM's horizon is not held back for the length of a sync (here a
-- slow first answer keeps the sync going).
ALTER SYSTEM SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/calls.slow3000*1/_run/sched-xmin';
ALTER SYSTEM SET hubspot_sync.sync_interval = '1h';
SELECT pg_reload_conf();
SELECT test_wait_until($$EXISTS (SELECT 1 FROM pg_stat_activity
                                 WHERE backend_type = 'hubspot_sync worker')$$, '20s') AS scheduled_sync_running;
SELECT backend_xmin IS NULL AS scheduler_holds_no_snapshot, wait_event_type
FROM pg_stat_activity WHERE backend_type = 'hubspot_sync scheduler';
ALTER SYSTEM SET hubspot_sync.sync_interval = 0;
SELECT pg_reload_conf();
SELECT test_wait_until($$NOT EXISTS (SELECT 1 FROM pg_stat_activity
                                     WHERE backend_type = 'hubspot_sync worker')$$, '30s') AS settled;

-- Without hubspot_sync.database the scheduler waits for a reload that
-- sets it (it used to exit for good).  A change of database restarts it,
-- 10 s later, with none to connect to; once the setting is back, a reload
-- connects it.
CREATE TEMP TABLE before_restart AS
SELECT pid FROM pg_stat_activity WHERE backend_type = 'hubspot_sync scheduler';
ALTER SYSTEM SET hubspot_sync.database = '';
SELECT pg_reload_conf();
SELECT pg_sleep(13);
SELECT count(*) AS schedulers_connected FROM pg_stat_activity WHERE backend_type = 'hubspot_sync scheduler';
ALTER SYSTEM RESET hubspot_sync.database;
SELECT pg_reload_conf();
SELECT test_wait_until($$EXISTS (SELECT 1 FROM pg_stat_activity
                                 WHERE backend_type = 'hubspot_sync scheduler'
                                   AND datname = current_database()
                                   AND pid NOT IN (SELECT pid FROM before_restart))$$, '10s')
       AS connected_after_reload;

ALTER SYSTEM RESET hubspot_sync.api_url;
ALTER SYSTEM RESET hubspot_sync.access_token;
ALTER SYSTEM RESET hubspot_sync.max_retries;
ALTER SYSTEM RESET hubspot_sync.sync_interval;
SELECT pg_reload_conf();
