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
