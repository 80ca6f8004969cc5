-- Pipelines, their stages and the owners: read with every deals sync.
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET timezone = 'UTC';

-- 1. The default portal: HubSpot's one pipeline.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT object_type, status FROM hubspot_sync_all() ORDER BY 1;
SELECT object_type, pipeline_id, label, display_order, archived, created_at
FROM hubspot_pipelines ORDER BY object_type, display_order;
-- Metadata values come as strings ("true", "1.0"): typed here.
SELECT pipeline_id, stage_id, label, display_order, is_closed, probability, archived
FROM hubspot_pipeline_stages ORDER BY pipeline_id, display_order;
-- raw_json keeps each object as HubSpot sent it.
SELECT raw_json->'metadata' AS metadata, raw_json->>'writePermissions' AS write_permissions
FROM hubspot_pipeline_stages WHERE stage_id = 'closedwon';

-- Owners: the live list and the deactivated ones (archived=true).
SELECT owner_id, email, firstname, lastname, user_id, archived,
       jsonb_array_length(teams) AS teams, teams->0->>'name' AS first_team
FROM hubspot_owners ORDER BY owner_id::bigint;
-- The owner of each record is a typed column on the three tables, as in raw_json.
SELECT 'contacts' AS type, count(*) AS records, count(hubspot_owner_id) AS with_owner,
       count(*) FILTER (WHERE hubspot_owner_id IS DISTINCT FROM raw_json->'properties'->>'hubspot_owner_id') AS differs,
       count(*) FILTER (WHERE hubspot_owner_id IS NOT NULL
                          AND hubspot_owner_id NOT IN (SELECT owner_id FROM hubspot_owners)) AS unknown_owner
FROM hubspot_contacts_raw
UNION ALL
SELECT 'deals', count(*), count(hubspot_owner_id),
       count(*) FILTER (WHERE hubspot_owner_id IS DISTINCT FROM raw_json->'properties'->>'hubspot_owner_id'),
       count(*) FILTER (WHERE hubspot_owner_id IS NOT NULL
                          AND hubspot_owner_id NOT IN (SELECT owner_id FROM hubspot_owners))
FROM hubspot_deals_raw
UNION ALL
SELECT 'calls', count(*), count(hubspot_owner_id),
       count(*) FILTER (WHERE hubspot_owner_id IS DISTINCT FROM raw_json->'properties'->>'hubspot_owner_id'),
       count(*) FILTER (WHERE hubspot_owner_id IS NOT NULL
                          AND hubspot_owner_id NOT IN (SELECT owner_id FROM hubspot_owners))
FROM hubspot_calls_raw;
-- Calls carry their status and outcome as typed columns too.
SELECT call_status, call_disposition, count(*) FROM hubspot_calls_raw
WHERE NOT archived GROUP BY 1, 2 ORDER BY 1, 2;

-- 2. A portal with a custom pipeline (numeric pipeline and stage ids, one
--    archived stage) holding every fourth deal.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_pipelines/2';
SELECT status, warnings FROM hubspot_sync('deals', full => true);
SELECT pipeline_id, label, display_order, archived, updated_at FROM hubspot_pipelines
WHERE object_type = 'deals' ORDER BY display_order;
SELECT pipeline_id, stage_id, label, is_closed, probability, archived
FROM hubspot_pipeline_stages WHERE pipeline_id = '2781204' ORDER BY display_order;
-- Each deal's pipeline and stage are those HubSpot sent, and every stage is known.
SELECT d.pipeline, count(*) AS deals, count(s.stage_id) AS stage_known,
       count(*) FILTER (WHERE d.pipeline IS DISTINCT FROM d.raw_json->'properties'->>'pipeline') AS differs
FROM hubspot_deals_raw d
LEFT JOIN hubspot_pipeline_stages s ON s.object_type = 'deals' AND s.pipeline_id = d.pipeline
                                   AND s.stage_id = d.dealstage
GROUP BY 1 ORDER BY 1;

-- 3. Back to one pipeline: the custom one and its stages are archived, not
--    deleted (deals may still name them); nothing else changes.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT status FROM hubspot_sync('deals', full => true);
SELECT pipeline_id, archived FROM hubspot_pipelines ORDER BY pipeline_id;
SELECT pipeline_id, count(*) AS stages, count(*) FILTER (WHERE archived) AS archived
FROM hubspot_pipeline_stages GROUP BY 1 ORDER BY 1;
-- An unchanged answer rewrites nothing.
SELECT max(synced_at) AS before FROM hubspot_pipeline_stages \gset
SELECT status FROM hubspot_sync('deals');
SELECT max(synced_at) = :'before' AS stages_untouched FROM hubspot_pipeline_stages;

-- 4. Owners over several pages (250 on this mock, 100 a page, 50 of them
--    deactivated), then back to the 6 of the default portal (one of them
--    deactivated): the 244 it no longer lists are marked archived too.
SELECT test_try_sync('deals', '', 'http://127.0.0.1:18767', false);
SELECT count(*) AS owners, count(*) FILTER (WHERE archived) AS archived FROM hubspot_owners;
SELECT test_try_sync('deals', '', 'http://127.0.0.1:18765', false);
SELECT count(*) AS owners, count(*) FILTER (WHERE archived) AS archived,
       count(*) FILTER (WHERE NOT archived AND owner_id::bigint > 51234567 + 5 * 7919) AS unlisted_live
FROM hubspot_owners;

-- 5. A token without the owners scope (a private app made for 1.1): the
--    deals sync succeeds with a warning that names the scope; the owners
--    table keeps what it had.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/owners.403';
SELECT status, warnings, error FROM hubspot_sync('deals');
SELECT count(*) AS owners FROM hubspot_owners;
SELECT status, warnings, error_message FROM hubspot_sync_runs
WHERE object_type = 'deals' ORDER BY run_id DESC LIMIT 1;
-- Without the pipelines (any other error), the run fails as any sync does.
SET hubspot_sync.retry_base_delay = '10ms';
SELECT test_try_sync('deals', '/_fault/pipelines.500', full_sync => false);
SELECT test_try_sync('deals', full_sync => false);
