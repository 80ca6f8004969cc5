-- A full sync of calls: durations in milliseconds, directions, numbers.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET timezone = 'UTC';

-- Call 2 has an empty duration and call 3 an empty timestamp: no value,
-- no warning.
SELECT object_type, status, mode, pages, records, inserted, updated, unchanged, warnings, error
FROM hubspot_sync('calls');

SELECT count(*) AS calls,
       count(*) FILTER (WHERE call_duration IS DISTINCT FROM NULLIF(raw_json->'properties'->>'hs_call_duration', '')::numeric::int) AS duration_differs,
       count(*) FILTER (WHERE call_direction IS DISTINCT FROM raw_json->'properties'->>'hs_call_direction') AS direction_differs,
       count(*) FILTER (WHERE call_to_number IS DISTINCT FROM raw_json->'properties'->>'hs_call_to_number') AS to_differs,
       count(*) FILTER (WHERE call_from_number IS DISTINCT FROM raw_json->'properties'->>'hs_call_from_number') AS from_differs,
       count(*) FILTER (WHERE call_timestamp IS DISTINCT FROM NULLIF(raw_json->'properties'->>'hs_timestamp', '')::timestamptz) AS timestamp_differs,
       count(*) FILTER (WHERE call_duration IS NULL) AS without_duration,
       count(*) FILTER (WHERE call_timestamp IS NULL) AS without_timestamp
FROM hubspot_calls_raw;

SELECT hubspot_id, call_duration, call_direction, call_to_number, call_from_number, call_timestamp
FROM hubspot_calls_raw ORDER BY hubspot_id::numeric LIMIT 5;

SELECT call_direction, count(*), sum(call_duration) AS total_ms,
       count(*) FILTER (WHERE call_duration >= 300000) AS five_minutes_or_more
FROM hubspot_calls_raw GROUP BY 1 ORDER BY 1;

-- The properties beyond the typed columns are in raw_json too.
SELECT count(*) FILTER (WHERE raw_json->'properties' ? 'hs_call_status') AS with_status,
       count(*) FILTER (WHERE raw_json->'properties' ? 'hs_call_title') AS with_title
FROM hubspot_calls_raw;
