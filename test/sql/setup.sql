-- Install the extension; later files assume it.
CREATE EXTENSION hubspot_sync;

-- Helpers for the tests that watch background workers (public, so every
-- later file, each its own session, has them).
-- True once the condition (an SQL boolean expression) holds, false after
-- max_wait; each check sees new commits and new backends.
CREATE FUNCTION test_wait_until(condition text, max_wait interval) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    deadline timestamptz := clock_timestamp() + max_wait;
    holds boolean;
BEGIN
    LOOP
        PERFORM pg_stat_clear_snapshot();
        EXECUTE 'SELECT ' || condition INTO holds;
        IF holds THEN
            RETURN true;
        END IF;
        IF clock_timestamp() > deadline THEN
            RETURN false;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
END $$;
-- Run a query in a second session ('bg', through dblink) after the given
-- SET commands, without waiting for it.
CREATE EXTENSION dblink;
CREATE FUNCTION test_start_in_background(settings text, query text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dblink_connect('bg', format('dbname=%s host=%s port=%s', current_database(),
            split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
    PERFORM dblink_exec('bg', settings);
    RETURN dblink_send_query('bg', query) = 1;
END $$;

-- Run a sync and return its outcome as one line: SQLSTATE | message |
-- detail | hint, with the random parts (correlation ids, times) masked.
CREATE FUNCTION test_try_sync(object_type text, url_suffix text DEFAULT '',
                              base_url text DEFAULT 'http://127.0.0.1:18765',
                              full_sync boolean DEFAULT true)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text; msg text; detail text; hint text;
    r record;
BEGIN
    PERFORM set_config('hubspot_sync.api_url', base_url || url_suffix, true);
    SELECT * INTO r FROM hubspot_sync(object_type, full_sync);
    RETURN format('ok: %s, %s pages, %s records, %s retries, %s warnings',
                  r.status, r.pages, r.records, r.retries, r.warnings);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
        detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN regexp_replace(regexp_replace(
        concat_ws(' | ', state, msg, nullif(detail, ''), nullif(hint, '')),
        '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'g'),
        '\d+ (ms|milliseconds)', 'N \1', 'g');
END $$;

-- Everything the extension creates, so a change to the schema shows here.
SELECT pg_catalog.pg_describe_object(classid, objid, 0) AS object
FROM pg_catalog.pg_depend
WHERE refclassid = 'pg_catalog.pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'hubspot_sync')
  AND deptype = 'e'
ORDER BY 1;

-- The indexes the design asks for, GIN on raw_json included.
SELECT tablename, indexname, indexdef
FROM pg_indexes
WHERE tablename LIKE 'hubspot\_%\_raw'
ORDER BY tablename, indexname;

-- Only the granted may sync.
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
FROM pg_proc p
WHERE p.proname IN ('hubspot_sync', 'hubspot_sync_all', 'hubspot_normalize_phone')
ORDER BY 1, 2;
