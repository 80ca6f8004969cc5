-- Re-syncing: unchanged records write no new row versions; a changed record
-- is updated and a new one inserted.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET timezone = 'UTC';

CREATE TEMP TABLE before_resync AS
SELECT hubspot_id, ctid::text AS tid, xmin::text AS row_xmin, synced_at, lastname
FROM hubspot_contacts_raw;

SELECT status, mode, records, inserted, updated, unchanged, warnings FROM hubspot_sync('contacts', full => true);

-- Not one row was rewritten: same tuple, same inserting transaction.
SELECT count(*) AS rewritten_rows
FROM hubspot_contacts_raw c JOIN before_resync b USING (hubspot_id)
WHERE c.ctid::text <> b.tid OR c.xmin::text <> b.row_xmin;

-- Version 2 of the portal: one contact renamed, one contact added.  The
-- sync is incremental now (a full one ran): one property request and one
-- search request find the two changes (and re-read, in the overlap window,
-- the newest record already there).
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_version/2';
SELECT status, mode, pages, http_requests, records, inserted, updated, unchanged, warnings FROM hubspot_sync('contacts');

SELECT b.lastname AS lastname_before, c.lastname AS lastname_after,
       c.updated_at > (SELECT max(updated_at) FROM before_resync x JOIN hubspot_contacts_raw y USING (hubspot_id)
                       WHERE x.hubspot_id <> c.hubspot_id) AS updated_at_moved,
       c.synced_at > b.synced_at AS synced_at_moved,
       c.raw_json->'properties'->>'lastname' = c.lastname AS raw_json_updated
FROM hubspot_contacts_raw c JOIN before_resync b USING (hubspot_id)
WHERE c.ctid::text <> b.tid;

SELECT count(*) AS new_contacts
FROM hubspot_contacts_raw c WHERE NOT EXISTS (SELECT 1 FROM before_resync b WHERE b.hubspot_id = c.hubspot_id);

-- Deals: deal 0 changes amount and stage in version 2.
SELECT status, mode, records, inserted, updated, unchanged FROM hubspot_sync('deals');
SELECT amount, dealstage FROM hubspot_deals_raw WHERE amount = 9999.99;

-- Back to version 1 (which no real portal does: its modification times
-- go back too, so only a full sync sees it): the rows follow HubSpot again.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT status, mode, records, inserted, updated, unchanged FROM hubspot_sync('deals', full => true);
SELECT count(*) AS deals_at_9999 FROM hubspot_deals_raw WHERE amount = 9999.99;

-- Each run keeps HubSpot's count of the requests the portal has left today
-- (X-HubSpot-RateLimit-Daily-Remaining, the lowest it said): the last
-- run's is below the one before by at least the requests it sent, and the
-- status view shows it.
SELECT r2.daily_remaining < r1.daily_remaining AS went_down,
       r1.daily_remaining - r2.daily_remaining >= r2.http_requests AS by_its_requests,
       r2.daily_remaining BETWEEN 1 AND 499999 AS within_the_mocks_500000,
       (SELECT daily_requests_left FROM hubspot_sync_status WHERE object_type = 'deals') = r2.daily_remaining AS in_status_view
FROM (SELECT * FROM hubspot_sync_runs ORDER BY run_id DESC LIMIT 1) r2,
     (SELECT * FROM hubspot_sync_runs ORDER BY run_id DESC OFFSET 1 LIMIT 1) r1;
