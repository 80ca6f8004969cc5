-- Syncing.

CREATE FUNCTION hubspot_sync(object_type text, full boolean DEFAULT false,
	OUT object_type text, OUT status text, OUT mode text, OUT pages integer,
	OUT records bigint, OUT inserted bigint, OUT updated bigint,
	OUT unchanged bigint, OUT archived bigint, OUT warnings bigint, OUT http_requests integer,
	OUT retries integer, OUT duration interval, OUT error text)
	RETURNS record
	AS 'MODULE_PATHNAME', 'hubspot_sync'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION hubspot_sync(text, boolean) IS
	'sync one enabled HubSpot object type of hubspot_object_types (contacts, deals, calls, ...) in a background worker; raises its error if it fails';

CREATE FUNCTION hubspot_sync_all(full boolean DEFAULT false,
	OUT object_type text, OUT status text, OUT mode text, OUT pages integer,
	OUT records bigint, OUT inserted bigint, OUT updated bigint,
	OUT unchanged bigint, OUT archived bigint, OUT warnings bigint, OUT http_requests integer,
	OUT retries integer, OUT duration interval, OUT error text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'hubspot_sync_all'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION hubspot_sync_all(boolean) IS
	'sync every enabled object type in parallel workers (hubspot_sync.max_parallel_syncs at a time); a row per object type, failures included';

REVOKE EXECUTE ON FUNCTION hubspot_sync(text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION hubspot_sync_all(boolean) FROM PUBLIC;

-- The same syncs, as a procedure that commits before it waits: the caller
-- then holds no snapshot while the workers run, so VACUUM is not held
-- back for the length of a sync.  NULL: every object type.
CREATE PROCEDURE hubspot_run_sync(object_type text DEFAULT NULL, full boolean DEFAULT false)
	AS 'MODULE_PATHNAME', 'hubspot_run_sync'
	LANGUAGE C;
COMMENT ON PROCEDURE hubspot_run_sync(text, boolean) IS
	'CALL it outside a transaction block: syncs one object type (NULL: all) without holding a snapshot while it waits; a NOTICE per type, an error if any failed';
REVOKE EXECUTE ON PROCEDURE hubspot_run_sync(text, boolean) FROM PUBLIC;
