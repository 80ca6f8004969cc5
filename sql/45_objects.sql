-- Choosing what to sync: add, enable, disable and remove object types, and
-- add typed columns.  SECURITY DEFINER with a pinned search_path: EXECUTE
-- is revoked from PUBLIC, so only a superuser, or a role granted EXECUTE,
-- can change what the syncs (run as superusers too) read and write.  Every
-- identifier goes through format('%I'), whoever chose it.

CREATE FUNCTION hubspot_custom_objects(
	OUT name text, OUT object_type_id text, OUT fully_qualified_name text, OUT label text,
	OUT primary_display_property text, OUT properties jsonb, OUT associations jsonb,
	OUT archived boolean, OUT raw_json jsonb)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'hubspot_custom_objects'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION hubspot_custom_objects() IS
	'the portal''s custom object types, as GET /crm/v3/schemas lists them (scope crm.schemas.custom.read)';
REVOKE EXECUTE ON FUNCTION hubspot_custom_objects() FROM PUBLIC;

-- The expression that converts a property's string into a typed column:
-- the one definition, used by the sync's upsert (every worker reads it,
-- as the caller) and by hubspot_add_column's back-fill.
CREATE FUNCTION hubspot_column_expression(sql_type text, value text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT CASE sql_type
	WHEN 'text' THEN value
	WHEN 'integer' THEN format('@extschema@.hubspot_parse_integer(%s)', value)
	WHEN 'numeric' THEN format('@extschema@.hubspot_parse_numeric(%s)', value)
	WHEN 'boolean' THEN format('@extschema@.hubspot_parse_boolean(%s)', value)
	WHEN 'timestamptz' THEN format('@extschema@.hubspot_parse_timestamp(%s)', value)
	WHEN 'date' THEN format('(pg_catalog.timezone(''UTC'', @extschema@.hubspot_parse_timestamp(%s)))::pg_catalog.date', value)
END
$$;
COMMENT ON FUNCTION hubspot_column_expression(text, text) IS
	'SQL that converts the text expression value to sql_type as a sync does (NULL, never an error, when it does not convert)';

-- Refuse while a sync of the type runs: it writes with the columns it read
-- when it started.
CREATE FUNCTION hubspot_lock_object_type(object_type text) RETURNS @extschema@.hubspot_object_types
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	t @extschema@.hubspot_object_types;
BEGIN
	SELECT * INTO t FROM @extschema@.hubspot_object_types o WHERE o.object_type = $1 FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown HubSpot object type "%"', $1
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT object_type FROM hubspot_object_types lists the registered ones.';
	END IF;
	-- The class of the sync's own locks (x'48534E43', "HSNC").
	IF NOT pg_try_advisory_xact_lock(x'48534E43'::int, t.lock_key) THEN
		RAISE EXCEPTION 'a sync of % is running', t.object_type
			USING ERRCODE = 'lock_not_available',
				  DETAIL = 'It writes with the columns it read when it started.',
				  HINT = 'Try again when it has finished (hubspot_sync_status).';
	END IF;
	RETURN t;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_lock_object_type(text) FROM PUBLIC;

CREATE FUNCTION hubspot_add_object(object_type text, columns jsonb DEFAULT NULL,
	associations text[] DEFAULT NULL, table_name text DEFAULT NULL, enabled boolean DEFAULT true)
	RETURNS regclass
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	wanted text := lower(btrim(object_type));
	type_name text;
	api text;
	type_id text;
	modified text := 'hs_lastmodifieddate';
	assoc text[];
	extra text[] := '{hs_lastmodifieddate,hs_object_id}';
	pipelines boolean := false;
	needs text[];
	cols jsonb;					-- [[column, property, sql_type], ...]
	cat @extschema@.hubspot_object_catalog;
	custom record;
	tbl text;
	ddl text;
	col jsonb;
	pos integer := 0;
BEGIN
	IF wanted IS NULL OR wanted = '' THEN
		RAISE EXCEPTION 'object type must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	LOCK TABLE @extschema@.hubspot_object_types IN SHARE ROW EXCLUSIVE MODE;
	SELECT * INTO cat FROM @extschema@.hubspot_object_catalog c WHERE c.object_type = wanted;
	IF FOUND THEN
		type_name := cat.object_type;
		api := cat.object_type;
		type_id := cat.object_type_id;
		modified := cat.modified_property;
		assoc := cat.associations;
		extra := cat.extra_properties;
		pipelines := cat.reads_pipelines;
		needs := cat.scopes;
		cols := cat.columns;
	ELSIF EXISTS (SELECT 1 FROM @extschema@.hubspot_object_types t WHERE t.object_type = wanted) THEN
		type_name := wanted;
	ELSE
		-- Not a standard type: a custom object of the portal?
		SELECT * INTO custom FROM @extschema@.hubspot_custom_objects() s
		 WHERE NOT s.archived
		   AND wanted IN (lower(s.name), lower(s.fully_qualified_name), s.object_type_id);
		IF NOT FOUND THEN
			RAISE EXCEPTION 'unknown HubSpot object type "%"', object_type
				USING ERRCODE = 'undefined_object',
					  DETAIL = 'It is neither a standard type hubspot_sync knows nor a custom object of the portal.',
					  HINT = format('Standard types: %s; the portal''s custom objects: SELECT name FROM hubspot_custom_objects().',
									(SELECT string_agg(c.object_type, ', ' ORDER BY c.object_type)
									 FROM @extschema@.hubspot_object_catalog c));
		END IF;
		type_name := lower(custom.name);
		api := custom.object_type_id;
		type_id := custom.object_type_id;
		needs := '{crm.objects.custom.read,crm.schemas.custom.read}';
		-- The standard types it is associated with, by the names lists use.
		SELECT coalesce(array_agg(DISTINCT coalesce(c.object_type, a.to_id)), '{}') INTO assoc
		FROM (SELECT e ->> 'toObjectTypeId' AS to_id
			  FROM jsonb_array_elements(coalesce(custom.associations, '[]')) e) a
		LEFT JOIN (SELECT x.object_type, x.object_type_id FROM @extschema@.hubspot_object_catalog x
				   UNION ALL SELECT o.object_type, o.object_type_id FROM @extschema@.hubspot_object_types o
				   WHERE o.builtin) c ON c.object_type_id = a.to_id
		WHERE a.to_id IS NOT NULL AND a.to_id <> custom.object_type_id;
		-- Typed columns: the properties HubSpot shows the records by.
		SELECT coalesce(jsonb_agg(jsonb_build_array(p ->> 'name', p ->> 'name',
					CASE p ->> 'type' WHEN 'number' THEN 'numeric' WHEN 'bool' THEN 'boolean'
						 WHEN 'datetime' THEN 'timestamptz' WHEN 'date' THEN 'date' ELSE 'text' END)
					ORDER BY p ->> 'name'), '[]') INTO cols
		FROM jsonb_array_elements(coalesce(custom.properties, '[]')) p
		WHERE p ->> 'name' = custom.primary_display_property
		   OR (custom.raw_json -> 'secondaryDisplayProperties') ? (p ->> 'name');
	END IF;

	IF EXISTS (SELECT 1 FROM @extschema@.hubspot_object_types t WHERE t.object_type = type_name) THEN
		RAISE EXCEPTION 'HubSpot object type "%" is already registered', type_name
			USING ERRCODE = 'duplicate_object',
				  HINT = 'hubspot_enable_object() syncs it again; hubspot_add_column() adds a typed column.';
	END IF;
	IF columns IS NOT NULL THEN
		IF jsonb_typeof(columns) <> 'object' THEN
			RAISE EXCEPTION 'columns must be a JSON object of property names and SQL types'
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'For example: ''{"name": "text", "annualrevenue": "numeric"}''.';
		END IF;
		SELECT coalesce(jsonb_agg(jsonb_build_array(key, key, value #>> '{}') ORDER BY key), '[]')
		  INTO cols FROM jsonb_each(columns);
	END IF;
	assoc := coalesce(associations, assoc, '{}');
	tbl := coalesce(table_name, format('hubspot_%s_raw', type_name));
	IF to_regclass(format('@extschema@.%I', tbl)) IS NOT NULL THEN
		RAISE EXCEPTION 'table %.% already exists', '@extschema@', tbl
			USING ERRCODE = 'duplicate_table',
				  HINT = 'Choose another table_name, or drop the table.';
	END IF;

	-- Register first: the registry's checks vet every name before any DDL.
	INSERT INTO @extschema@.hubspot_object_types AS t
		(object_type, api_name, object_type_id, table_name, modified_property, associations,
		 extra_properties, reads_pipelines, enabled, lock_key, scopes)
	VALUES (type_name, api, type_id, tbl, modified, assoc, extra, pipelines, enabled,
			(SELECT max(o.lock_key) + 1 FROM @extschema@.hubspot_object_types o), coalesce(needs, '{}'));

	ddl := format('CREATE TABLE @extschema@.%I (hubspot_id text PRIMARY KEY', tbl);
	FOR col IN SELECT e FROM jsonb_array_elements(cols) e LOOP
		pos := pos + 1;
		INSERT INTO @extschema@.hubspot_object_columns (object_type, column_name, property, sql_type, position)
		VALUES (type_name, col ->> 0, col ->> 1, col ->> 2, pos);
		ddl := ddl || format(', %I %s', col ->> 0, col ->> 2);
	END LOOP;
	EXECUTE ddl || ', raw_json jsonb NOT NULL, synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),'
		' updated_at timestamptz, archived boolean NOT NULL DEFAULT false, archived_at timestamptz,'
		' archived_reason text)';
	EXECUTE format('COMMENT ON TABLE @extschema@.%I IS %L', tbl,
				   format('HubSpot %s, as of the last sync (added by hubspot_add_object)', type_name));
	EXECUTE format('COMMENT ON COLUMN @extschema@.%I.archived IS %L', tbl,
				   'deleted in HubSpot (archived, merged away or gone): kept here');
	EXECUTE format('CREATE INDEX %I ON @extschema@.%I USING gin (raw_json)', tbl || '_raw_json_idx', tbl);
	FOR col IN SELECT e FROM jsonb_array_elements(cols) e WHERE e ->> 2 IN ('timestamptz', 'date') LOOP
		EXECUTE format('CREATE INDEX %I ON @extschema@.%I (%I)', tbl || '_' || (col ->> 0) || '_idx',
					   tbl, col ->> 0);
	END LOOP;
	-- Whatever a type of that name left: its next run is a full sync.
	DELETE FROM @extschema@.hubspot_sync_state s WHERE s.object_type = type_name;
	DELETE FROM @extschema@.hubspot_sync_seen s WHERE s.object_type = type_name;
	RETURN format('@extschema@.%I', tbl)::regclass;
END
$$;
COMMENT ON FUNCTION hubspot_add_object(text, jsonb, text[], text, boolean) IS
	'register a HubSpot object type (a standard one of hubspot_object_catalog, or a custom object by name, fully qualified name or id) and create its table; columns: {"property": "sql type"} instead of the ready-made ones';
REVOKE EXECUTE ON FUNCTION hubspot_add_object(text, jsonb, text[], text, boolean) FROM PUBLIC;

CREATE FUNCTION hubspot_add_column(object_type text, property text, sql_type text DEFAULT 'text',
	column_name text DEFAULT NULL, index boolean DEFAULT false)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	t @extschema@.hubspot_object_types := @extschema@.hubspot_lock_object_type(object_type);
	col text := coalesce(column_name, property);
	value text := format('(raw_json -> ''properties'' ->> %L)', property);
	filled bigint;
	unconverted bigint;
BEGIN
	IF sql_type IS NULL OR sql_type NOT IN ('text', 'integer', 'numeric', 'boolean', 'timestamptz', 'date') THEN
		RAISE EXCEPTION 'unsupported column type "%"', sql_type
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use text, integer, numeric, boolean, timestamptz or date.';
	END IF;
	IF EXISTS (SELECT 1 FROM @extschema@.hubspot_object_columns c
			   WHERE c.object_type = t.object_type AND c.column_name = col) THEN
		RAISE EXCEPTION 'object type % already has a typed column "%"', t.object_type, col
			USING ERRCODE = 'duplicate_column',
				  HINT = 'Give the new one another column_name, or drop that one with hubspot_drop_column().';
	END IF;
	INSERT INTO @extschema@.hubspot_object_columns (object_type, column_name, property, sql_type, position)
	VALUES (t.object_type, col, property, sql_type,
			(SELECT coalesce(max(c.position), 0) + 1 FROM @extschema@.hubspot_object_columns c
			 WHERE c.object_type = t.object_type));
	EXECUTE format('ALTER TABLE @extschema@.%I ADD COLUMN %I %s', t.table_name, col, sql_type);
	-- Back-fill from what every row already holds, as the sync would.
	EXECUTE format('UPDATE @extschema@.%I SET %I = %s WHERE %s <> ''''', t.table_name, col,
				   @extschema@.hubspot_column_expression(sql_type, value), value);
	EXECUTE format('SELECT count(*) FILTER (WHERE %1$I IS NOT NULL), count(*) FILTER (WHERE %1$I IS NULL)'
				   ' FROM @extschema@.%2$I WHERE %3$s <> ''''', col, t.table_name, value)
		INTO filled, unconverted;
	IF unconverted > 0 THEN
		RAISE WARNING '% % values of property % could not be converted to %', unconverted, t.object_type,
			property, sql_type
			USING ERRCODE = 'invalid_text_representation',
				  DETAIL = 'Those rows have NULL in the new column; raw_json keeps the values.';
	END IF;
	IF index THEN
		EXECUTE format('CREATE INDEX %I ON @extschema@.%I (%I)', t.table_name || '_' || col || '_idx',
					   t.table_name, col);
	END IF;
	RETURN filled;
END
$$;
COMMENT ON FUNCTION hubspot_add_column(text, text, text, text, boolean) IS
	'add a typed column filled from a property to an object type''s table, back-filled from raw_json; returns the rows that got a value';
REVOKE EXECUTE ON FUNCTION hubspot_add_column(text, text, text, text, boolean) FROM PUBLIC;

CREATE FUNCTION hubspot_drop_column(object_type text, column_name text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	t @extschema@.hubspot_object_types := @extschema@.hubspot_lock_object_type(object_type);
	c @extschema@.hubspot_object_columns;
BEGIN
	SELECT * INTO c FROM @extschema@.hubspot_object_columns x
	 WHERE x.object_type = t.object_type AND x.column_name = hubspot_drop_column.column_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'object type % has no typed column "%"', t.object_type, column_name
			USING ERRCODE = 'undefined_column';
	END IF;
	IF c.builtin THEN
		RAISE EXCEPTION 'column "%" of % is part of the extension', c.column_name, t.object_type
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = 'The metrics read it.';
	END IF;
	DELETE FROM @extschema@.hubspot_object_columns x
	 WHERE x.object_type = t.object_type AND x.column_name = c.column_name;
	EXECUTE format('ALTER TABLE @extschema@.%I DROP COLUMN %I', t.table_name, c.column_name);
END
$$;
COMMENT ON FUNCTION hubspot_drop_column(text, text) IS
	'drop a typed column added by hubspot_add_column or hubspot_add_object (raw_json keeps the property)';
REVOKE EXECUTE ON FUNCTION hubspot_drop_column(text, text) FROM PUBLIC;

CREATE FUNCTION hubspot_enable_object(object_type text, enabled boolean DEFAULT true) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	t @extschema@.hubspot_object_types := @extschema@.hubspot_lock_object_type(object_type);
BEGIN
	IF t.enabled = enabled THEN
		RETURN;
	END IF;
	UPDATE @extschema@.hubspot_object_types o SET enabled = hubspot_enable_object.enabled
	 WHERE o.object_type = t.object_type;
	-- What changed while it was off (deletions too) is only seen in full.
	IF enabled THEN
		UPDATE @extschema@.hubspot_sync_state s SET last_full_sync_at = NULL
		 WHERE s.object_type = t.object_type;
	END IF;
END
$$;
COMMENT ON FUNCTION hubspot_enable_object(text, boolean) IS
	'sync an object type again (its next run is a full sync), or with false stop syncing it, keeping its table and rows';
REVOKE EXECUTE ON FUNCTION hubspot_enable_object(text, boolean) FROM PUBLIC;

CREATE FUNCTION hubspot_disable_object(object_type text) RETURNS void
	LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$ SELECT @extschema@.hubspot_enable_object(object_type, false) $$;
COMMENT ON FUNCTION hubspot_disable_object(text) IS
	'stop syncing an object type: hubspot_sync_all() and the schedule leave it out; its table and rows stay';
REVOKE EXECUTE ON FUNCTION hubspot_disable_object(text) FROM PUBLIC;

CREATE FUNCTION hubspot_remove_object(object_type text, drop_table boolean DEFAULT false) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	t @extschema@.hubspot_object_types := @extschema@.hubspot_lock_object_type(object_type);
BEGIN
	IF t.builtin THEN
		RAISE EXCEPTION 'object type "%" is part of the extension', t.object_type
			USING ERRCODE = 'dependent_objects_still_exist',
				  DETAIL = 'The metrics read its table.',
				  HINT = 'hubspot_disable_object() stops syncing it.';
	END IF;
	DELETE FROM @extschema@.hubspot_object_types o WHERE o.object_type = t.object_type;
	DELETE FROM @extschema@.hubspot_sync_state s WHERE s.object_type = t.object_type;
	DELETE FROM @extschema@.hubspot_sync_seen s WHERE s.object_type = t.object_type;
	IF drop_table THEN
		EXECUTE format('DROP TABLE @extschema@.%I', t.table_name);
	END IF;
END
$$;
COMMENT ON FUNCTION hubspot_remove_object(text, boolean) IS
	'unregister an object type added by hubspot_add_object (its run log stays); drop_table drops its table too';
REVOKE EXECUTE ON FUNCTION hubspot_remove_object(text, boolean) FROM PUBLIC;
