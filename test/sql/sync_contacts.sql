-- A full sync of contacts from the mock HubSpot (scripts/test.sh starts it
-- with 120 contacts, 40 deals, 30 calls; a few of each are archived and not
-- listed).  Each test file sets the URL and token for its own session.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET timezone = 'UTC';

SELECT object_type, status, mode, pages, records, inserted, updated, unchanged, warnings, error
FROM hubspot_sync('contacts');

-- Every listed record landed once; ids are text and some exceed 2^31.
SELECT count(*) AS contacts,
       count(DISTINCT hubspot_id) AS distinct_ids,
       count(*) FILTER (WHERE hubspot_id::numeric > 2147483647) AS ids_beyond_int4
FROM hubspot_contacts_raw;

-- The typed columns hold the properties of the same name.
SELECT count(*) FILTER (WHERE email IS DISTINCT FROM raw_json->'properties'->>'email') AS email_differs,
       count(*) FILTER (WHERE phone IS DISTINCT FROM raw_json->'properties'->>'phone') AS phone_differs,
       count(*) FILTER (WHERE lastname IS DISTINCT FROM raw_json->'properties'->>'lastname') AS lastname_differs,
       count(*) FILTER (WHERE sales_script_version IS DISTINCT FROM raw_json->'properties'->>'sales_script_version') AS script_differs
FROM hubspot_contacts_raw;

-- createdate comes as ISO 8601 or as epoch milliseconds: both parse to the
-- same instant as the record's createdAt.
SELECT count(*) FILTER (WHERE raw_json->'properties'->>'createdate' ~ '^\d+$') AS epoch_ms_createdates,
       count(*) FILTER (WHERE createdate = (raw_json->>'createdAt')::timestamptz) AS createdate_equals_createdAt,
       count(*) FILTER (WHERE updated_at = (raw_json->>'updatedAt')::timestamptz) AS updated_at_equals_updatedAt,
       count(*) AS contacts
FROM hubspot_contacts_raw;

-- vsl_watched: "true"/"false" become booleans, "" and null become NULL.
SELECT raw_json->'properties'->>'vsl_watched' AS raw_value, vsl_watched, count(*)
FROM hubspot_contacts_raw GROUP BY 1, 2 ORDER BY 1, 2;

-- The first contacts, as a person sees them.
SELECT hubspot_id, email, phone, firstname, lastname, createdate, lifecyclestage,
       vsl_watched, sales_script_version, updated_at
FROM hubspot_contacts_raw ORDER BY hubspot_id::numeric LIMIT 5;

-- raw_json is the object as HubSpot returned it, associations included.
SELECT key, jsonb_typeof(value) AS type
FROM hubspot_contacts_raw, jsonb_each(raw_json)
WHERE hubspot_id = (SELECT hubspot_id FROM hubspot_contacts_raw
                    WHERE raw_json->'associations' ? 'deals' ORDER BY hubspot_id::numeric LIMIT 1)
ORDER BY key;
SELECT count(*) FILTER (WHERE raw_json->'associations' ? 'deals') AS with_deals,
       count(*) FILTER (WHERE raw_json->'associations' ? 'calls') AS with_calls,
       count(*) FILTER (WHERE raw_json ? 'associations') AS with_any
FROM hubspot_contacts_raw;
-- Archived (deleted) contacts come from the archived list and are marked,
-- not dropped.
SELECT hubspot_id, archived, archived_at = (raw_json->>'archivedAt')::timestamptz AS archived_at_ok,
       archived_reason, raw_json->>'archived' AS raw_archived
FROM hubspot_contacts_raw WHERE archived ORDER BY hubspot_id::numeric;
-- Properties asked for but unset come back as JSON null, kept as such.
SELECT count(*) > 0 AS has_null_properties
FROM hubspot_contacts_raw, jsonb_each(raw_json->'properties') p WHERE jsonb_typeof(p.value) = 'null';

-- The run log and the state.
SELECT object_type, mode, status, pages, http_requests, retries, records, inserted,
       updated, unchanged, warnings, error_message, finished_at >= started_at AS finished
FROM hubspot_sync_runs ORDER BY run_id;
SELECT object_type, full_sync_phase, full_sync_after, full_sync_started_at,
       last_full_sync_at IS NOT NULL AS full_sync_done,
       last_modified_cursor = (SELECT max(updated_at) FROM hubspot_contacts_raw) AS cursor_at_newest_change
FROM hubspot_sync_state ORDER BY 1;

-- Every property HubSpot defines is stored, and every one is asked for.
SELECT count(*) AS defined, count(*) FILTER (WHERE type = 'datetime') AS datetimes
FROM hubspot_properties WHERE object_type = 'contacts';
SELECT count(*) AS contacts_missing_a_defined_property
FROM hubspot_contacts_raw c
WHERE EXISTS (SELECT 1 FROM hubspot_properties p
              WHERE p.object_type = 'contacts' AND NOT c.raw_json->'properties' ? p.name);
