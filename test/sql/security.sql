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
