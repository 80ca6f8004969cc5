-- A database owner who is not a superuser controls the database's
-- settings.  Sync workers run SQL as a superuser (or as whoever started
-- the sync) in that database, so they pin search_path to pg_catalog and
-- pg_temp, run READ COMMITTED and read-write, and name the extension's
-- objects with their schema: an operator the owner plants never runs in
-- a worker, and the settings the owner forces do not stop a sync.
CREATE ROLE hubspot_test_owner LOGIN;
ALTER DATABASE contrib_regression OWNER TO hubspot_test_owner;
SET ROLE hubspot_test_owner;
CREATE SCHEMA trap;
-- Who ran the planted operators, and where.
CREATE TABLE trap.calls (operator text, caller text, pid integer);
CREATE FUNCTION trap.text_eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO trap.calls VALUES ('=', current_user, pg_backend_pid());
    RETURN a OPERATOR(pg_catalog.=) b;
END $$;
CREATE OPERATOR trap.= (LEFTARG = text, RIGHTARG = text, FUNCTION = trap.text_eq);
CREATE FUNCTION trap.jsonb_text(j jsonb, k text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO trap.calls VALUES ('->>', current_user, pg_backend_pid());
    RETURN j OPERATOR(pg_catalog.->>) k;
END $$;
CREATE OPERATOR trap.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = trap.jsonb_text);
GRANT USAGE ON SCHEMA trap TO PUBLIC;
GRANT INSERT ON trap.calls TO PUBLIC;
ALTER DATABASE contrib_regression SET search_path = trap, pg_catalog, public;
RESET ROLE;

-- A new session takes the database's settings: the trap works there.
\c
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SHOW search_path;
SELECT 'a'::text = 'a'::text AS trapped_equal;
SELECT count(*) AS calls_from_this_session FROM trap.calls WHERE pid OPERATOR(pg_catalog.=) pg_backend_pid();

-- A superuser's syncs, full and incremental, of every type: no worker ran
-- the planted operators.
SELECT object_type, status FROM public.hubspot_sync_all(true) ORDER BY object_type;
SELECT object_type, status FROM public.hubspot_sync_all() ORDER BY object_type;
SELECT count(*) AS calls_from_other_processes FROM trap.calls
WHERE pid OPERATOR(pg_catalog.<>) pg_backend_pid();

-- Settings that would stop a sync or break the metrics triggers do not
-- reach the workers: a read-only default, and SERIALIZABLE.
RESET ROLE;
ALTER DATABASE contrib_regression RESET search_path;
ALTER DATABASE contrib_regression SET default_transaction_read_only = on;
ALTER DATABASE contrib_regression SET default_transaction_isolation = 'serializable';
\c
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SHOW default_transaction_read_only;
SELECT object_type, status, error FROM hubspot_sync_all(true) ORDER BY object_type;

SET default_transaction_read_only = off;
ALTER DATABASE contrib_regression RESET default_transaction_read_only;
ALTER DATABASE contrib_regression RESET default_transaction_isolation;
ALTER DATABASE contrib_regression OWNER TO CURRENT_USER;
DROP SCHEMA trap CASCADE;
DROP ROLE hubspot_test_owner;
