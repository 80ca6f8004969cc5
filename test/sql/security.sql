-- The token and the URL are for superusers only, the token is never shown,
-- and syncing is for the roles it is granted to.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-secret-9f8e7d';

-- Even a superuser sees a mask, never the token.
SHOW hubspot_sync.access_token;
SELECT current_setting('hubspot_sync.access_token') AS via_current_setting;
SELECT name, setting FROM pg_settings WHERE name LIKE 'hubspot_sync.%' ORDER BY name;

CREATE ROLE hubspot_test_analyst LOGIN;
GRANT SELECT ON hubspot_contacts_raw TO hubspot_test_analyst;
SET ROLE hubspot_test_analyst;
-- A non-superuser can neither read nor set them, nor sync.
SHOW hubspot_sync.access_token;
SHOW hubspot_sync.api_url;
SET hubspot_sync.api_url = 'http://127.0.0.1:9';
SET hubspot_sync.access_token = 'pat-na1-mine';
SELECT hubspot_sync('contacts');
SELECT hubspot_sync_all();
SELECT count(*) > 0 AS can_read_granted_table FROM hubspot_contacts_raw;
RESET ROLE;

-- A role granted EXECUTE and the tables syncs with the token the superuser
-- set, without being able to see it.
GRANT EXECUTE ON FUNCTION hubspot_sync(text, boolean) TO hubspot_test_analyst;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO hubspot_test_analyst;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO hubspot_test_analyst;
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET ROLE hubspot_test_analyst;
SELECT object_type, status, error FROM hubspot_sync('calls');
SHOW hubspot_sync.access_token;
RESET ROLE;

-- A refused token is not echoed in the error, the run log or the activity view.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-secret-9f8e7d';
DO $$
DECLARE msg text; detail text; hint text;
BEGIN
    PERFORM hubspot_sync('deals');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RAISE NOTICE 'refused: %, token in message: %', msg,
        concat(msg, detail, hint) LIKE '%secret-9f8e7d%';
END $$;
SELECT count(*) AS runs_mentioning_token FROM hubspot_sync_runs
WHERE concat(error_message, mode, status) LIKE '%secret-9f8e7d%';
SELECT count(*) AS activity_mentioning_token FROM pg_stat_activity
WHERE query LIKE '%secret-9f8e7d%' AND pid <> pg_backend_pid();

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM hubspot_test_analyst;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM hubspot_test_analyst;
REVOKE EXECUTE ON FUNCTION hubspot_sync(text, boolean) FROM hubspot_test_analyst;
DROP ROLE hubspot_test_analyst;

-- The token cannot be stored per role, per database or per function:
-- pg_db_role_setting and pg_proc are readable by every role.
ALTER ROLE CURRENT_USER SET hubspot_sync.access_token = 'pat-na1-secret-9f8e7d';
ALTER DATABASE contrib_regression SET hubspot_sync.access_token = 'pat-na1-secret-9f8e7d';
CREATE FUNCTION pg_temp.with_token() RETURNS int LANGUAGE sql
    SET hubspot_sync.access_token = 'pat-na1-secret-9f8e7d' AS 'SELECT 1';
SELECT count(*) AS stored_settings_naming_the_token FROM pg_db_role_setting
WHERE array_to_string(setconfig, ',') LIKE '%access_token%';
-- A value refused by the check is not quoted back.
SELECT set_config('hubspot_sync.access_token', 'pat-na1-secret-9f8e7d-' || repeat('x', 1100), false);

-- Statements naming the token are hidden from the log however it is
-- written (run-in-cluster.sh greps the whole log for the test tokens).
SET log_min_duration_statement = 0;
SET log_statement = 'all';
SET hubspot_sync.access_token = 'pat-na1-secret-9f8e7d';
SELECT set_config('hubspot_sync.access_token', 'pat-na1-secret-9f8e7d', false) IS NOT NULL AS set;
RESET log_statement;
RESET log_min_duration_statement;

-- The bearer token travels in clear over http://: only to this machine.
SET hubspot_sync.api_url = 'http://hubspot.example.com';
SET hubspot_sync.api_url = 'http://10.0.0.1:8080/';
SET hubspot_sync.api_url = 'http://localhost:18765';
SET hubspot_sync.api_url = 'http://[::1]:18765';
SET hubspot_sync.api_url = 'https://api-eu1.hubapi.com';
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';

-- Where HubSpot (or a proxy) echoes the token back, every text a sync
-- stores or returns masks it: the error, hubspot_sync_all()'s row, the run
-- log and the status view.
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET hubspot_sync.max_retries = 0;
SELECT test_try_sync('deals', '/_fault/deals.echotoken');
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/deals.echotoken';
SELECT object_type, status, regexp_replace(error, '[0-9a-f-]{36}', '<uuid>') AS error
FROM hubspot_sync_all() WHERE object_type = 'deals';
SELECT count(*) AS runs_with_token FROM hubspot_sync_runs WHERE error_message LIKE '%test-token%';
SELECT regexp_replace(last_error, '[0-9a-f-]{36}', '<uuid>') AS last_error
FROM hubspot_sync_status WHERE object_type = 'deals';
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
RESET hubspot_sync.max_retries;

-- The metrics triggers are SECURITY DEFINER: nobody but the extension's
-- owner may attach them to a table, and they refuse to run for any table
-- but their own (else a TRUNCATE of one's own table could empty the
-- metrics side tables).
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
FROM pg_proc p WHERE p.prosecdef AND p.proname LIKE 'hubspot%' ORDER BY 1;
CREATE ROLE hubspot_test_intruder LOGIN;
GRANT CREATE ON SCHEMA public TO hubspot_test_intruder;
SET ROLE hubspot_test_intruder;
CREATE TABLE intruder_table (hubspot_id text);
CREATE TRIGGER wipe AFTER TRUNCATE ON intruder_table
    FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();
RESET ROLE;
SELECT count(*) > 0 AS side_table_has_rows FROM hubspot_contact_metrics;
CREATE TRIGGER wipe AFTER TRUNCATE ON intruder_table
    FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();
TRUNCATE intruder_table;
SELECT count(*) > 0 AS side_table_has_rows FROM hubspot_contact_metrics;
DROP TABLE intruder_table;
REVOKE CREATE ON SCHEMA public FROM hubspot_test_intruder;
DROP ROLE hubspot_test_intruder;
