-- Install the extension; later files assume it.
CREATE EXTENSION hubspot_sync;

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
