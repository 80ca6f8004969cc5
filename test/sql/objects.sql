-- Any HubSpot object type, by configuration: the registry, adding a
-- standard type and a custom object, their syncs (full, incremental,
-- associations, archived), typed columns added later, disable, remove.
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET hubspot_sync.retry_base_delay = '10ms';
SET timezone = 'UTC';
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';

-- 1. contacts, deals and calls are three rows of the registry, with the
-- columns their tables have always had.
SELECT object_type, api_name, object_type_id, table_name, modified_property, associations,
       reads_pipelines, reads_owners, enabled, builtin, lock_key
FROM hubspot_object_types ORDER BY lock_key;
SELECT c.object_type, string_agg(c.column_name || ' ' || c.sql_type, ', ' ORDER BY c.position) AS columns,
       bool_and(format_type(a.atttypid, a.atttypmod) =
                CASE c.sql_type WHEN 'timestamptz' THEN 'timestamp with time zone' ELSE c.sql_type END)
         AS registry_matches_table
FROM hubspot_object_columns c
JOIN hubspot_object_types t USING (object_type)
JOIN pg_attribute a ON a.attrelid = t.table_name::regclass AND a.attname = c.column_name
GROUP BY c.object_type ORDER BY c.object_type;
SELECT object_type, object_type_id, associations, scopes FROM hubspot_object_catalog ORDER BY object_type;

-- 2. Only a superuser, or a role granted EXECUTE, changes what is synced.
CREATE ROLE hubspot_objects_reader LOGIN;
SET ROLE hubspot_objects_reader;
SELECT hubspot_add_object('companies');
SELECT hubspot_add_column('contacts', 'hs_lead_status');
SELECT hubspot_disable_object('calls');
INSERT INTO hubspot_object_types (object_type, api_name, table_name, modified_property, lock_key)
VALUES ('evil', 'evil', 'pg_authid', 'x', 99);
SELECT count(*) AS registered_seen_by_reader FROM hubspot_object_types;
RESET ROLE;

-- 3. The portal's custom objects, from GET /crm/v3/schemas.
SELECT name, object_type_id, fully_qualified_name, label, primary_display_property,
       jsonb_array_length(properties) AS properties,
       (SELECT string_agg(a->>'toObjectTypeId', ',' ORDER BY a->>'toObjectTypeId')
        FROM jsonb_array_elements(associations) a) AS associated_with, archived
FROM hubspot_custom_objects();

-- 4. Add standard types (ready-made definitions) and the custom object
-- (by its fully qualified name); each gets a table of the hybrid shape.
SELECT hubspot_add_object('companies');
SELECT hubspot_add_object('Tickets');
SELECT hubspot_add_object('p146987325_cars');
SELECT object_type, api_name, object_type_id, table_name, associations, reads_pipelines, enabled,
       builtin, lock_key, scopes
FROM hubspot_object_types WHERE NOT builtin ORDER BY lock_key;
SELECT table_name, string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) AS columns
FROM information_schema.columns
WHERE table_name IN ('hubspot_companies_raw', 'hubspot_tickets_raw', 'hubspot_cars_raw')
GROUP BY table_name ORDER BY table_name;
SELECT tablename, indexname FROM pg_indexes
WHERE tablename IN ('hubspot_companies_raw', 'hubspot_tickets_raw', 'hubspot_cars_raw')
ORDER BY tablename, indexname;
-- Refused: the same type twice, a type HubSpot does not have, a bad column type.
SELECT hubspot_add_object('companies');
SELECT hubspot_add_object('widgets');
SELECT hubspot_add_object('meetings', columns => '{"hs_meeting_title": "varchar"}');
SELECT hubspot_add_object('meetings', columns => '["hs_meeting_title"]');
SELECT count(*) AS meetings_registered FROM hubspot_object_types WHERE object_type = 'meetings';

-- 5. A full sync of each: every record, archived ones marked, typed
-- columns as raw_json says, associations as HubSpot lists them.
SELECT object_type, status, mode, records, inserted, archived, warnings, error
FROM hubspot_sync('companies');
-- A full sync stopped by an error (HTTP 500 on the list's third page)
-- keeps what it wrote, and the next run resumes from there.
SET hubspot_sync.max_retries = 0;
SET hubspot_sync.page_size = 4;
SELECT test_try_sync('tickets', '/_fault/tickets.list.500@3');
SELECT count(*) AS tickets_kept, (SELECT full_sync_phase FROM hubspot_sync_state WHERE object_type = 'tickets')
FROM hubspot_tickets_raw;
RESET hubspot_sync.max_retries;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SELECT object_type, status, mode, records, inserted, archived, warnings, error
FROM hubspot_sync('tickets');
RESET hubspot_sync.page_size;
SELECT object_type, status, mode, records, inserted, archived, warnings, error
FROM hubspot_sync('cars');
SELECT count(*) AS companies, count(*) FILTER (WHERE archived) AS archived,
       count(*) FILTER (WHERE name IS DISTINCT FROM raw_json->'properties'->>'name') AS name_differs,
       count(*) FILTER (WHERE annualrevenue IS DISTINCT FROM
                        hubspot_parse_numeric(raw_json->'properties'->>'annualrevenue')) AS revenue_differs,
       count(*) FILTER (WHERE createdate IS DISTINCT FROM
                        hubspot_parse_timestamp(raw_json->'properties'->>'createdate')) AS createdate_differs,
       count(*) FILTER (WHERE raw_json->'associations' ? 'contacts') AS with_contacts,
       count(*) FILTER (WHERE raw_json->'associations' ? 'deals') AS with_deals,
       count(*) FILTER (WHERE raw_json ? 'url' AND raw_json ? 'updatedAt') AS shaped_as_hubspot
FROM hubspot_companies_raw;
-- Each company's contacts are contacts this database holds.
SELECT count(*) AS company_contact_pairs,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM hubspot_contacts_raw c WHERE c.hubspot_id = a.contact_id))
         AS contact_known
FROM (SELECT co.hubspot_id AS company_id, e->>'id' AS contact_id
      FROM hubspot_companies_raw co, jsonb_array_elements(co.raw_json->'associations'->'contacts'->'results') e
      WHERE NOT co.archived) a;
SELECT count(*) AS tickets, count(*) FILTER (WHERE archived) AS archived,
       count(*) FILTER (WHERE closed_date IS NOT NULL) AS closed,
       count(*) FILTER (WHERE hs_pipeline_stage IS DISTINCT FROM raw_json->'properties'->>'hs_pipeline_stage') AS stage_differs
FROM hubspot_tickets_raw;
-- Tickets read their pipelines too.
SELECT object_type, pipeline_id, label FROM hubspot_pipelines WHERE object_type = 'tickets';
SELECT stage_id, label, is_closed, probability FROM hubspot_pipeline_stages
WHERE object_type = 'tickets' ORDER BY display_order;
-- The custom object: its display properties as typed columns (year a number, a date a date).
SELECT count(*) AS cars, count(*) FILTER (WHERE archived) AS archived,
       count(*) FILTER (WHERE model IS DISTINCT FROM raw_json->'properties'->>'model') AS model_differs,
       count(*) FILTER (WHERE raw_json->'associations' ? 'contacts') AS with_contacts
FROM hubspot_cars_raw;
SELECT object_type, count(*) > 5 AS property_definitions_stored FROM hubspot_properties
WHERE object_type IN ('companies', 'tickets', 'cars') GROUP BY 1 ORDER BY 1;

-- 6. hubspot_sync_all() covers every enabled type, at most
-- hubspot_sync.max_parallel_syncs at once: with every answer slowed down,
-- no more than two runs ever overlap.
SET hubspot_sync.max_parallel_syncs = 2;
SET hubspot_sync.page_size = 10;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_fault/slow150';
SELECT object_type, status, mode FROM hubspot_sync_all() ORDER BY object_type;
WITH last AS (SELECT run_id, started_at, finished_at FROM hubspot_sync_runs
              ORDER BY run_id DESC LIMIT 6)
SELECT max((SELECT count(*) FROM last o WHERE o.started_at <= l.started_at AND o.finished_at > l.started_at))
       AS most_at_once
FROM last l;
RESET hubspot_sync.max_parallel_syncs;
RESET hubspot_sync.page_size;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';

-- 7. Incremental: one record of each changed, one added (version 2), then
-- one archived (version 3).
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_version/2';
SELECT object_type, status, mode, inserted, updated, archived
FROM hubspot_sync_all() WHERE object_type IN ('companies', 'tickets', 'cars') ORDER BY object_type;
SET hubspot_sync.api_url = 'http://127.0.0.1:18765/_version/3';
SELECT object_type, status, mode, records, inserted, updated, archived
FROM hubspot_sync_all(full => true) WHERE object_type IN ('companies', 'tickets', 'cars') ORDER BY object_type;
SELECT (SELECT count(*) FILTER (WHERE archived) FROM hubspot_companies_raw) AS companies_archived,
       (SELECT count(*) FILTER (WHERE archived) FROM hubspot_tickets_raw) AS tickets_archived,
       (SELECT count(*) FILTER (WHERE archived) FROM hubspot_cars_raw) AS cars_archived;

-- 8. A typed column added later is filled from raw_json at once, and the
-- sync keeps it filled.
SELECT hubspot_add_column('companies', 'hs_lastmodifieddate', 'timestamptz', column_name => 'modified_at', index => true);
SELECT count(*) FILTER (WHERE modified_at IS NULL) AS not_filled,
       count(*) FILTER (WHERE modified_at IS DISTINCT FROM
                        hubspot_parse_timestamp(raw_json->'properties'->>'hs_lastmodifieddate')) AS differs
FROM hubspot_companies_raw;
SELECT indexname FROM pg_indexes WHERE indexname = 'hubspot_companies_raw_modified_at_idx';
-- On a built-in type too, with an identifier that needs quoting.
SELECT hubspot_add_column('contacts', 'hs_lead_status', column_name => 'Lead Status');
SELECT count(*) FILTER (WHERE "Lead Status" IS DISTINCT FROM raw_json->'properties'->>'hs_lead_status') AS differs
FROM hubspot_contacts_raw;
-- Values that do not convert are NULL and counted.
SELECT hubspot_add_column('companies', 'name', 'integer', column_name => 'name_as_number');
SELECT hubspot_add_column('companies', 'name', 'integer', column_name => 'name_as_number');
SELECT hubspot_drop_column('companies', 'name_as_number');
-- A date property as a date, whatever the session's time zone.
SET timezone = 'America/Los_Angeles';
SELECT hubspot_add_column('cars', 'first_registered', 'date');
SELECT count(*) FILTER (WHERE to_char(first_registered, 'YYYY-MM-DD') IS DISTINCT FROM raw_json->'properties'->>'first_registered')
         AS differs,
       count(first_registered) AS with_date
FROM hubspot_cars_raw;
SET timezone = 'UTC';
SELECT hubspot_drop_column('contacts', 'email');
-- The next full sync writes the new columns like the others.
UPDATE hubspot_companies_raw SET raw_json = raw_json - 'url', modified_at = NULL;
SELECT object_type, status, updated FROM hubspot_sync('companies', full => true);
SELECT count(*) FILTER (WHERE modified_at IS NULL) AS not_filled FROM hubspot_companies_raw;

-- 9. Disable: left out of hubspot_sync_all() and the status view, refused
-- by hubspot_sync(); enabled again, its next run is a full sync.
SELECT hubspot_disable_object('tickets');
SELECT object_type FROM hubspot_sync_all() ORDER BY object_type;
SELECT object_type FROM hubspot_sync_status ORDER BY object_type;
SELECT status FROM hubspot_sync('tickets');
SELECT hubspot_enable_object('tickets');
SELECT object_type, status, mode FROM hubspot_sync('tickets');

-- 10. A type enabled mid-life starts with a full sync.
SELECT hubspot_add_object('meetings', associations => '{contacts}');
SELECT object_type, status, mode, records, inserted FROM hubspot_sync('meetings');
SELECT count(*) AS meetings, count(*) FILTER (WHERE raw_json->'associations' ? 'contacts') AS with_contacts,
       count(*) FILTER (WHERE raw_json->'associations' ? 'deals') AS with_deals
FROM hubspot_meetings_raw;

-- 11. Remove: the registry forgets the type (its run log stays); the
-- extension's own types cannot be removed.
SELECT hubspot_remove_object('contacts');
SELECT hubspot_remove_object('cars', drop_table => true);
SELECT hubspot_remove_object('meetings', drop_table => true);
SELECT hubspot_remove_object('tickets', drop_table => true);
SELECT hubspot_remove_object('companies', drop_table => true);
SELECT hubspot_drop_column('contacts', 'Lead Status');
SELECT to_regclass('hubspot_cars_raw') AS cars_table, count(*) AS registered FROM hubspot_object_types;
SELECT count(*) > 0 AS run_log_kept FROM hubspot_sync_runs WHERE object_type = 'cars';
DROP ROLE hubspot_objects_reader;
