-- Every way a sync can fail says what happened, with a proper SQLSTATE,
-- and leaves the tables consistent.  The syncs here are full ones (every
-- page of the list endpoint), so faults hit paging too.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET hubspot_sync.retry_base_delay = '10ms';

-- No token: fails at once, saying how to set one.
SET hubspot_sync.access_token = '';
SELECT test_try_sync('contacts');
SET hubspot_sync.access_token = 'pat-na1-test-token';

-- An object type we do not know.
SELECT test_try_sync('companies');

-- 401: the token was refused.
SET hubspot_sync.access_token = 'pat-na1-wrong-token';
SELECT test_try_sync('contacts');
-- 403: a valid token without the scopes.
SET hubspot_sync.access_token = 'pat-na1-test-token-noscopes';
SELECT test_try_sync('deals');
SET hubspot_sync.access_token = 'pat-na1-test-token';

-- HTTP errors report status, HubSpot's message and correlationId.  With no
-- retries allowed, a 500 fails at once; a 404 never retries.
SET hubspot_sync.max_retries = 0;
SELECT test_try_sync('deals', '/_fault/deals.500');
SELECT test_try_sync('deals', '/_fault/deals.404');
SELECT test_try_sync('deals', '/_fault/deals.429');
-- A connection refused or a time-out names the host and curl's error.
SELECT test_try_sync('deals', '/_fault/deals.drop');
SET hubspot_sync.request_timeout = '300ms';
SELECT test_try_sync('calls', '/_fault/calls.slow3000');
RESET hubspot_sync.request_timeout;
SELECT test_try_sync('calls', '', 'http://127.0.0.1:1') AS refused;
-- A body that is not JSON.
SELECT test_try_sync('deals', '/_fault/deals.malformed');

-- Retries: 429 (with Retry-After), 5xx and a dropped connection recover,
-- and nothing is lost.
SET hubspot_sync.max_retries = 3;
SELECT test_try_sync('contacts', '/_fault/contacts.429*1/_run/e1');
SELECT test_try_sync('deals', '/_fault/deals.503*2/_run/e2');
SELECT test_try_sync('calls', '/_fault/calls.502*1+calls.drop*1/_run/e3');
SELECT test_try_sync('deals', '/_fault/deals.500/_run/e4');
SELECT count(*) AS deals_kept_after_failures FROM hubspot_deals_raw;
-- A 429 without Retry-After waits out HubSpot's 10-second window (a
-- shorter wait would only meet another 429).  One for the daily limit
-- fails at once, without a retry: waiting would take hours.
SELECT test_try_sync('contacts', '/_fault/contacts.429noretry*1/_run/e5');
SELECT status, rate_limited, finished_at - started_at >= interval '10 s' AS waited_out_the_window
FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY started_at DESC LIMIT 1;
SELECT test_try_sync('deals', '/_fault/deals.429daily/_run/e6');
SELECT status, http_requests, retries FROM hubspot_sync_runs
WHERE object_type = 'deals' ORDER BY started_at DESC LIMIT 1;

-- Records that are not objects with an id are skipped and counted.
SELECT test_try_sync('calls', '/_fault/calls.badrecord');

-- Text jsonb cannot hold (\u0000, half of a surrogate pair: JSON allows
-- them and HubSpot returns text as stored) is removed and counted; the
-- page lands, the pair and a literal backslash-u0000 are kept.
SELECT test_try_sync('contacts', '/_fault/contacts.list.unstorable@1');
SELECT hubspot_id, archived, firstname, raw_json -> 'properties' ->> 'firstname' = firstname AS raw_json_same
FROM hubspot_contacts_raw WHERE firstname LIKE '%|%';
SELECT warnings FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 1;
-- The next run puts the name back.
SELECT test_try_sync('contacts');
SELECT count(*) AS names_with_bars FROM hubspot_contacts_raw WHERE firstname LIKE '%|%';

-- A failure on page 2 keeps page 1 and the cursor; the next run resumes
-- after page 1 and does not start over.
SET hubspot_sync.max_retries = 0;
SET hubspot_sync.page_size = 20;
SELECT test_try_sync('calls', '/_fault/calls.500@2');
SELECT object_type, full_sync_phase IS NOT NULL AS unfinished FROM hubspot_sync_state WHERE object_type = 'calls';
SELECT object_type, mode, status, pages, records FROM hubspot_sync_runs WHERE object_type = 'calls' ORDER BY run_id DESC LIMIT 1;
SELECT test_try_sync('calls', full_sync => false);
SELECT object_type, mode, status, pages, records FROM hubspot_sync_runs WHERE object_type = 'calls' ORDER BY run_id DESC LIMIT 1;
SELECT object_type, full_sync_phase IS NOT NULL AS unfinished FROM hubspot_sync_state WHERE object_type = 'calls';
RESET hubspot_sync.page_size;

-- A cancel (here statement_timeout) in the middle of a slow response stops
-- the sync: the session gets the cancel error, the worker ends promptly, and
-- the next run records the interrupted one as aborted.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/contacts.slow30000';
SET statement_timeout = '1s';
SELECT hubspot_sync('contacts');
RESET statement_timeout;
SELECT test_wait_until($$NOT EXISTS (SELECT 1 FROM pg_stat_activity
                                     WHERE backend_type = 'hubspot_sync worker')$$, '5s')
       AS worker_gone_within_5s;
SELECT test_try_sync('contacts');
SELECT status, error_message FROM hubspot_sync_runs WHERE object_type = 'contacts' ORDER BY run_id DESC LIMIT 2;

-- Every failure is in the run log.
SELECT object_type, status, count(*) FROM hubspot_sync_runs GROUP BY 1, 2 ORDER BY 1, 2;

-- A database whose encoding is neither UTF8 nor SQL_ASCII is refused at
-- once: HubSpot's UTF-8 text would land garbled.
CREATE DATABASE hubspot_test_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
SELECT dblink_connect('latin1', format('dbname=hubspot_test_latin1 host=%s port=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
SELECT dblink_exec('latin1', 'CREATE EXTENSION hubspot_sync');
SELECT dblink_exec('latin1', 'SET hubspot_sync.access_token = ''pat-na1-test-token''');
SELECT * FROM dblink('latin1', 'SELECT status FROM hubspot_sync(''calls'')') AS t(status text);
SELECT dblink_disconnect('latin1');
DROP DATABASE hubspot_test_latin1;
