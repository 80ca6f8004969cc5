/*-------------------------------------------------------------------------
 * object_types.c
 *	  What hubspot_sync knows of each HubSpot object type it mirrors, read
 *	  from the registry (hubspot_object_types, hubspot_object_columns): its
 *	  table, the properties behind the typed columns, the associations to
 *	  ask for; and the set-based upsert that writes one page of records.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "object_types.h"

/*
 * With SPI connected: the schema hubspot_sync is installed in (unquoted), or
 * NULL if it is not.  An error if it is at another version than this
 * library: the SQL here is written for this version's tables.
 */
char *
hubspot_extension_schema(void)
{
	char	   *version;

	if (SPI_execute("SELECT n.nspname, e.extversion FROM pg_catalog.pg_extension e"
					" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
					" WHERE e.extname OPERATOR(pg_catalog.=) 'hubspot_sync'", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up the schema of hubspot_sync");
	if (SPI_processed == 0)
		return NULL;
	version = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (strcmp(version, HUBSPOT_SYNC_VERSION) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"hubspot_sync\" is at version %s in this database, but its library is version %s",
						version, HUBSPOT_SYNC_VERSION),
				 errdetail("The library does not sync into the schema of another version."),
				 errhint("Run ALTER EXTENSION hubspot_sync UPDATE.")));
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* Column i of SPI's row as a string in TopMemoryContext; NULL stays NULL. */
static const char *
kept_value(HeapTuple row, int i)
{
	char	   *value = SPI_getvalue(row, SPI_tuptable->tupdesc, i);

	if (value == NULL || value[0] == '\0')
		return NULL;
	return MemoryContextStrdup(TopMemoryContext, value);
}

/*
 * Read object type name from the registry, with SPI connected and a
 * snapshot set; schema is the extension's, unquoted.  The result lives for
 * the rest of the process (a sync worker syncs one type).
 */
HubspotObjectType *
hubspot_load_object_type(const char *name, const char *schema)
{
	const char *qschema = quote_identifier(schema);
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	HubspotObjectType *type;
	ColumnMapping *columns;
	HeapTuple	row;

	if (SPI_execute_with_args(psprintf("SELECT api_name, table_name, modified_property,"
									   " pg_catalog.array_to_string(associations, ','),"
									   " pg_catalog.array_to_string(extra_properties, ','),"
									   " CASE WHEN reads_pipelines THEN api_name END, reads_owners, lock_key"
									   " FROM %s.hubspot_object_types WHERE object_type OPERATOR(pg_catalog.=) $1",
									   qschema),
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read hubspot_object_types");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("unknown HubSpot object type \"%s\"", name),
				 errdetail("It is not in hubspot_object_types (removed since the sync was asked for?).")));
	row = SPI_tuptable->vals[0];
	type = MemoryContextAllocZero(TopMemoryContext, sizeof(HubspotObjectType));
	type->name = MemoryContextStrdup(TopMemoryContext, name);
	type->api_name = kept_value(row, 1);
	type->table = kept_value(row, 2);
	type->modified_property = kept_value(row, 3);
	type->associations = kept_value(row, 4);
	type->extra_properties = kept_value(row, 5);
	type->pipelines = kept_value(row, 6);
	type->reads_owners = strcmp(SPI_getvalue(row, SPI_tuptable->tupdesc, 7), "t") == 0;
	type->lock_key = pg_strtoint32(SPI_getvalue(row, SPI_tuptable->tupdesc, 8));

	/* How each converts: hubspot_column_expression(), as the back-fill does. */
	if (SPI_execute_with_args(psprintf("SELECT column_name, property, sql_type OPERATOR(pg_catalog.<>) 'text',"
									   " %1$s.hubspot_column_expression(sql_type, 'p OPERATOR(pg_catalog.->>) '"
									   " OPERATOR(pg_catalog.||) pg_catalog.quote_literal(property))"
									   " FROM %1$s.hubspot_object_columns WHERE object_type OPERATOR(pg_catalog.=) $1"
									   " ORDER BY position, column_name", qschema),
							  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read hubspot_object_columns");
	columns = MemoryContextAllocZero(TopMemoryContext, sizeof(ColumnMapping) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		row = SPI_tuptable->vals[i];
		columns[i].column = kept_value(row, 1);
		columns[i].property = kept_value(row, 2);
		columns[i].converted = strcmp(SPI_getvalue(row, SPI_tuptable->tupdesc, 3), "t") == 0;
		columns[i].expression = kept_value(row, 4);
	}
	type->columns = columns;
	type->ncolumns = (int) SPI_processed;
	return type;
}

/*
 * The enabled object types' names, in the caller's memory context, in a
 * transaction with a snapshot set; *n says how many.  None if the
 * extension is not installed.
 */
char	  **
hubspot_enabled_object_types(int *n)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	  **names;
	char	   *schema;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	*n = 0;
	schema = hubspot_extension_schema();
	if (schema != NULL &&
		SPI_execute(psprintf("SELECT object_type FROM %s.hubspot_object_types WHERE enabled"
							 " ORDER BY lock_key", quote_identifier(schema)), true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read hubspot_object_types");
	names = MemoryContextAllocZero(cxt, sizeof(char *) * (schema ? SPI_processed + 1 : 1));
	for (uint64 i = 0; schema != NULL && i < SPI_processed; i++)
		names[(*n)++] = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[i],
															  SPI_tuptable->tupdesc, 1));
	SPI_finish();
	return names;
}

/* Whether name is in the registry, enabled or not. */
bool
hubspot_object_type_registered(const char *name)
{
	char	   *schema;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	bool		found = false;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	schema = hubspot_extension_schema();
	if (schema != NULL)
	{
		if (SPI_execute_with_args(psprintf("SELECT 1 FROM %s.hubspot_object_types"
										   " WHERE object_type OPERATOR(pg_catalog.=) $1",
										   quote_identifier(schema)),
								  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read hubspot_object_types");
		found = SPI_processed > 0;
	}
	SPI_finish();
	return found;
}

/* The comma-separated property list a list request asks for. */
char *
hubspot_object_properties(const HubspotObjectType *type)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < type->ncolumns; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? "," : "", type->columns[i].property);
	if (type->extra_properties != NULL)
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? "," : "", type->extra_properties);
	return buf.data;
}

/* Append "sep expr_i" for each non-text column, expr with %d for the index. */
static void
append_per_typed_column(StringInfo sql, const HubspotObjectType *type,
						const char *sep, const char *expr)
{
	for (int i = 0; i < type->ncolumns; i++)
	{
		if (!type->columns[i].converted)
			continue;
		appendStringInfoString(sql, sep);
		appendStringInfo(sql, expr, i, i);
	}
}

/*
 * One statement that upserts a page and returns (inserted, updated,
 * unchanged, skipped, bad_values, examples, max_updated, archived), where
 * archived counts the rows this page marks archived: archived in HubSpot,
 * or merged away into one of its records.
 * Parameters: $1 the "results" array; $2 NULL or an array of further
 * results arrays carrying more properties of the same records (a property
 * list too long for one URL), merged into each record's properties; $3
 * true to keep a row's stored associations when the record comes without
 * (search results and archived lists carry none); $4 NULL or the
 * associations of the records, read from the v4 batch endpoint (the search
 * returns none; a list's embedded ones may be cut short): an object from
 * record id to the record's whole lists, in the list's shape, each taking
 * the place of the record's list of the same kind.
 *
 * - Rows whose raw_json did not change are left alone (the WHERE on the
 *	 DO UPDATE), so an hourly re-sync of an unchanged portal writes no new
 *	 row versions.
 * - A value that does not convert lands as NULL and is counted; "" counts as
 *	 no value.  raw_json keeps the original either way.  examples names up
 *	 to three of them.
 * - Elements without a valid id (not an object, or no "id" that is a string
 *	 of 1 to 20 digits, as HubSpot's are) cannot be keyed and are counted as
 *	 skipped.
 * - DISTINCT ON guards ON CONFLICT against an id seen twice in one page.
 */
char *
hubspot_upsert_sql(const HubspotObjectType *type, const char *schema)
{
	StringInfoData sql;
	const char *qschema = quote_identifier(schema);
	const char *qtable = quote_identifier(type->table);

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "WITH extra AS (\n"
					 "  SELECT e OPERATOR(pg_catalog.->>) 'id' AS id,\n"
					 "         pg_catalog.jsonb_object_agg(kv.key, kv.value) AS props\n"
					 "  FROM pg_catalog.jsonb_array_elements(COALESCE($2, '[]'::pg_catalog.jsonb)) AS chunk,\n"
					 "       pg_catalog.jsonb_array_elements(chunk) AS e,\n"
					 "       pg_catalog.jsonb_each(e OPERATOR(pg_catalog.->) 'properties') AS kv\n"
					 "  GROUP BY 1\n"
					 "), listed AS (\n"
					 "  SELECT CASE WHEN x.props IS NULL THEN r\n"
					 "              ELSE pg_catalog.jsonb_set(r, '{properties}',\n"
					 "                     COALESCE(r OPERATOR(pg_catalog.->) 'properties', '{}')"
					 " OPERATOR(pg_catalog.||) x.props) END\n"
					 "         OPERATOR(pg_catalog.||) CASE WHEN $4 OPERATOR(pg_catalog.?) (r OPERATOR(pg_catalog.->>) 'id')\n"
					 "              THEN pg_catalog.jsonb_build_object('associations',"
					 " COALESCE(r OPERATOR(pg_catalog.->) 'associations', '{}')"
					 " OPERATOR(pg_catalog.||) ($4 OPERATOR(pg_catalog.->) (r OPERATOR(pg_catalog.->>) 'id')))\n"
					 "              ELSE '{}'::pg_catalog.jsonb END AS r\n"
					 "  FROM pg_catalog.jsonb_array_elements($1) AS r\n"
					 "  LEFT JOIN extra x ON x.id OPERATOR(pg_catalog.=) (r OPERATOR(pg_catalog.->>) 'id')\n"
					 "), src AS (\n"
					 "  SELECT CASE WHEN $3 AND NOT (l.r OPERATOR(pg_catalog.?) 'associations')\n"
					 "               AND old.raw_json OPERATOR(pg_catalog.?) 'associations'\n"
					 "              THEN l.r OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('associations',"
					 " old.raw_json OPERATOR(pg_catalog.->) 'associations')\n"
					 "              ELSE l.r END AS raw,\n"
					 "         CASE WHEN pg_catalog.jsonb_typeof(l.r OPERATOR(pg_catalog.->) 'id') OPERATOR(pg_catalog.=) 'string'\n"
					 "               AND l.r OPERATOR(pg_catalog.->>) 'id' OPERATOR(pg_catalog.~) '^[0-9]{1,20}$'\n"
					 "              THEN l.r OPERATOR(pg_catalog.->>) 'id' END AS id,\n"
					 "         l.r OPERATOR(pg_catalog.->) 'properties' AS p\n"
					 "  FROM listed l\n"
					 "  LEFT JOIN %s.%s old ON old.hubspot_id OPERATOR(pg_catalog.=) (l.r OPERATOR(pg_catalog.->>) 'id')\n"
					 "), conv AS (\n"
					 "  SELECT DISTINCT ON (id) id, raw, p,\n"
					 "    %s.hubspot_parse_timestamp(raw OPERATOR(pg_catalog.->>) 'updatedAt') AS updated,\n"
					 "    COALESCE(raw OPERATOR(pg_catalog.->>) 'archived' OPERATOR(pg_catalog.=) 'true', false) AS archived,\n"
					 "    %s.hubspot_parse_timestamp(raw OPERATOR(pg_catalog.->>) 'archivedAt') AS archived_at,\n",
					 qschema, qtable, qschema, qschema);
	for (int i = 0; i < type->ncolumns; i++)
	{
		const ColumnMapping *c = &type->columns[i];
		const char *prop = quote_literal_cstr(c->property);

		if (c->converted)
			appendStringInfo(&sql,
							 "    %s AS c%d,\n"
							 "    NULLIF(p OPERATOR(pg_catalog.->>) %s, '') IS NOT NULL AS v%d,\n",
							 c->expression, i, prop, i);
		else
			appendStringInfo(&sql, "    %s AS c%d, false AS v%d,\n", c->expression, i, i);
	}
	appendStringInfoString(&sql,
						   "    0 AS unused\n"
						   "  FROM src WHERE id IS NOT NULL\n"
						   "  ORDER BY id\n"
						   "), ins AS (\n");
	appendStringInfo(&sql, "  INSERT INTO %s.%s AS t (hubspot_id", qschema, qtable);
	for (int i = 0; i < type->ncolumns; i++)
		appendStringInfo(&sql, ", %s", quote_identifier(type->columns[i].column));
	appendStringInfoString(&sql, ", raw_json, synced_at, updated_at, archived, archived_at, archived_reason)\n  SELECT id");
	for (int i = 0; i < type->ncolumns; i++)
		appendStringInfo(&sql, ", c%d", i);
	appendStringInfoString(&sql,
						   ", raw, pg_catalog.now(), updated, archived, archived_at,\n"
						   "    CASE WHEN archived THEN 'archived in HubSpot' END FROM conv\n"
						   "  ON CONFLICT (hubspot_id) DO UPDATE SET ");
	for (int i = 0; i < type->ncolumns; i++)
	{
		const char *col = quote_identifier(type->columns[i].column);

		appendStringInfo(&sql, "%s = EXCLUDED.%s, ", col, col);
	}
	appendStringInfoString(&sql,
						   "raw_json = EXCLUDED.raw_json, synced_at = EXCLUDED.synced_at,"
						   " updated_at = EXCLUDED.updated_at, archived = EXCLUDED.archived,"
						   " archived_at = EXCLUDED.archived_at, archived_reason = EXCLUDED.archived_reason\n"
						   "  WHERE t.raw_json OPERATOR(pg_catalog.<>) EXCLUDED.raw_json"
						   " OR t.archived OPERATOR(pg_catalog.<>) EXCLUDED.archived\n"
						   "  RETURNING (t.xmax OPERATOR(pg_catalog.=) '0'::pg_catalog.xid) AS inserted, t.archived\n"
						   "), merged AS (\n");
	/*
	 * A merge keeps the surviving record, lists the merged ones in its
	 * hs_merged_object_ids, and lists them nowhere after: mark them at once
	 * rather than at the next complete full sync.  Rows of this page are
	 * left to the INSERT (a statement may not touch a row twice).
	 */
	appendStringInfo(&sql,
					 "  UPDATE %s.%s AS t SET archived = true, archived_at = m.at,\n"
					 "    archived_reason = 'merged into ' OPERATOR(pg_catalog.||) m.id\n"
					 "  FROM (SELECT DISTINCT ON (gone) gone, id, at FROM (\n"
					 "          SELECT pg_catalog.btrim(g) AS gone, c.id, c.updated AS at\n"
					 "          FROM conv c, pg_catalog.unnest(pg_catalog.string_to_array(\n"
					 "                 c.p OPERATOR(pg_catalog.->>) 'hs_merged_object_ids', ';')) AS g\n"
					 "          WHERE NOT c.archived) x\n"
					 "        WHERE gone OPERATOR(pg_catalog.<>) ''\n"
					 "        ORDER BY gone, at DESC NULLS LAST) m\n"
					 "  WHERE t.hubspot_id OPERATOR(pg_catalog.=) m.gone AND NOT t.archived\n"
					 "    AND NOT EXISTS (SELECT 1 FROM conv c WHERE c.id OPERATOR(pg_catalog.=) t.hubspot_id)\n"
					 "  RETURNING 1\n"
					 ")\n", qschema, qtable);
	appendStringInfoString(&sql,
						   "SELECT (SELECT pg_catalog.count(*) FROM ins WHERE inserted),\n"
						   "       (SELECT pg_catalog.count(*) FROM ins WHERE NOT inserted),\n"
						   "       (SELECT pg_catalog.count(*) FROM conv) OPERATOR(pg_catalog.-) (SELECT pg_catalog.count(*) FROM ins),\n"
						   "       (SELECT pg_catalog.count(*) FROM src WHERE id IS NULL),\n"
						   "       (SELECT COALESCE(pg_catalog.sum(0");
	append_per_typed_column(&sql, type, "", " OPERATOR(pg_catalog.+) (v%d AND c%d IS NULL)::pg_catalog.int4");
	appendStringInfoString(&sql, "), 0) FROM conv),\n"
						   "       (SELECT pg_catalog.string_agg(x, '; ') FROM (\n"
						   "          SELECT 'id ' OPERATOR(pg_catalog.||) id OPERATOR(pg_catalog.||) ': '"
						   " OPERATOR(pg_catalog.||) pg_catalog.concat_ws(', '");
	for (int i = 0; i < type->ncolumns; i++)
		if (type->columns[i].converted)
			appendStringInfo(&sql,
							 ", CASE WHEN v%d AND c%d IS NULL THEN %s OPERATOR(pg_catalog.||)"
							 " pg_catalog.quote_literal(p OPERATOR(pg_catalog.->>) %s) END",
							 i, i, quote_literal_cstr(psprintf("%s=", type->columns[i].property)),
							 quote_literal_cstr(type->columns[i].property));
	appendStringInfoString(&sql, ") AS x FROM conv WHERE false");
	append_per_typed_column(&sql, type, " OR ", "(v%d AND c%d IS NULL)");
	appendStringInfoString(&sql, " ORDER BY id LIMIT 3) AS examples),\n"
						   "       (SELECT pg_catalog.max(updated) FROM conv),\n"
						   "       (SELECT pg_catalog.count(*) FROM ins WHERE archived)"
						   " OPERATOR(pg_catalog.+) (SELECT pg_catalog.count(*) FROM merged)");
	return sql.data;
}
