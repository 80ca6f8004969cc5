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

-- Wait (at most max_wait) until the run log has `wanted` runs newer than
-- after_run that match the filter; true when it got there.
CREATE FUNCTION pg_temp.wait_for_runs(after_run bigint, started_by_like text, wanted int,
                                      max_wait interval) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE deadline timestamptz := clock_timestamp() + max_wait;
BEGIN
    LOOP
        IF (SELECT count(*) FROM hubspot_sync_runs
            WHERE run_id > after_run AND started_by LIKE started_by_like
              AND status <> 'running') >= wanted THEN
            RETURN true;
        END IF;
        IF clock_timestamp() > deadline THEN
            RETURN false;
        END IF;
        PERFORM pg_sleep(0.2);
    END LOOP;
END $$;

-- The scheduler's worker is connected to this database, idle.
SELECT backend_type, application_name, datname
FROM pg_stat_activity WHERE backend_type = 'hubspot_sync scheduler';

-- Turned on by a reload (SIGHUP), it runs at once, then every interval.
-- Its first run meets a failing deals endpoint (HTTP 500, no retries);
-- it logs that and goes on, and its next run succeeds.
CREATE TEMP TABLE mark AS SELECT COALESCE(max(run_id), 0) AS last_run FROM hubspot_sync_runs;
ALTER SYSTEM SET hubspot_sync.sync_interval = '1s';
SELECT pg_reload_conf();
SELECT pg_temp.wait_for_runs((SELECT last_run FROM mark), 'hubspot_sync scheduler%', 6, '60s') AS two_rounds_ran;
ALTER SYSTEM SET hubspot_sync.sync_interval = 0;
SELECT pg_reload_conf();
SELECT pg_temp.wait_for_runs((SELECT last_run FROM mark), 'hubspot_sync scheduler%',
       (SELECT count(*)::int FROM hubspot_sync_runs WHERE run_id > (SELECT last_run FROM mark)), '30s') AS settled;
SELECT object_type, status, started_by, error_message IS NOT NULL AS has_error
FROM (SELECT *, row_number() OVER (PARTITION BY object_type ORDER BY run_id) AS n
      FROM hubspot_sync_runs WHERE run_id > (SELECT last_run FROM mark)) r
WHERE n <= 2 ORDER BY object_type, n;

-- Killed, the scheduler comes back: the postmaster restarts it after
-- hubspot_sync's 10-second restart delay.
CREATE TEMP TABLE killed AS
SELECT pid FROM pg_stat_activity WHERE backend_type = 'hubspot_sync scheduler';
SELECT pg_terminate_backend(pid) AS terminated FROM killed;
CREATE FUNCTION pg_temp.scheduler_back(max_wait interval) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE deadline timestamptz := clock_timestamp() + max_wait;
BEGIN
    WHILE clock_timestamp() < deadline LOOP
        PERFORM pg_stat_clear_snapshot();  -- see new backends
        IF EXISTS (SELECT 1 FROM pg_stat_activity
                   WHERE backend_type = 'hubspot_sync scheduler'
                     AND pid NOT IN (SELECT pid FROM killed)) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.2);
    END LOOP;
    RETURN false;
END $$;
SELECT pg_temp.scheduler_back('40s') AS scheduler_restarted;

-- pg_cron runs the design's hourly job; here every minute (pg_cron 1.4
-- schedules by the minute), until it has run once.
ALTER SYSTEM SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT pg_reload_conf();
CREATE EXTENSION pg_cron;
TRUNCATE mark;
INSERT INTO mark SELECT COALESCE(max(run_id), 0) FROM hubspot_sync_runs;
SELECT cron.schedule('hubspot-sync', '* * * * *', 'SELECT hubspot_sync_all()') > 0 AS scheduled;
SELECT pg_temp.wait_for_runs((SELECT last_run FROM mark), 'pg_cron%', 3, '150s') AS cron_ran;
-- pg_cron records the job's outcome a moment after the command returns.
CREATE FUNCTION pg_temp.wait_for_cron(max_wait interval) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE deadline timestamptz := clock_timestamp() + max_wait;
BEGIN
    WHILE clock_timestamp() < deadline LOOP
        IF EXISTS (SELECT 1 FROM cron.job_run_details
                   WHERE status NOT IN ('starting', 'running')) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.2);
    END LOOP;
    RETURN false;
END $$;
SELECT pg_temp.wait_for_cron('30s') AS cron_recorded;
SELECT cron.unschedule('hubspot-sync');
SELECT object_type, status, started_by
FROM hubspot_sync_runs WHERE run_id > (SELECT last_run FROM mark) ORDER BY object_type LIMIT 3;
SELECT status, return_message FROM cron.job_run_details ORDER BY runid LIMIT 1;

-- Every run, whoever started it, is in the status view.
SELECT object_type, last_status, last_started_by FROM hubspot_sync_status ORDER BY 1;

DROP EXTENSION pg_cron;
ALTER SYSTEM RESET hubspot_sync.api_url;
ALTER SYSTEM RESET hubspot_sync.access_token;
ALTER SYSTEM RESET hubspot_sync.max_retries;
ALTER SYSTEM RESET hubspot_sync.sync_interval;
SELECT pg_reload_conf();
