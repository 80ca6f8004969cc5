/*-------------------------------------------------------------------------
 * object_types.c
 *	  What hubspot_sync knows of each HubSpot object type it mirrors: its
 *	  table, the properties behind the typed columns, the associations to
 *	  ask for, and the set-based upsert that writes one page of records.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "object_types.h"

static const ColumnMapping contact_columns[] = {
	{"email", "email", COLUMN_TEXT},
	{"phone", "phone", COLUMN_TEXT},
	{"firstname", "firstname", COLUMN_TEXT},
	{"lastname", "lastname", COLUMN_TEXT},
	{"createdate", "createdate", COLUMN_TIMESTAMP},
	{"lifecyclestage", "lifecyclestage", COLUMN_TEXT},
	{"vsl_watched", "vsl_watched", COLUMN_BOOLEAN},
	{"sales_script_version", "sales_script_version", COLUMN_TEXT},
	{"hubspot_owner_id", "hubspot_owner_id", COLUMN_TEXT},
};

static const ColumnMapping deal_columns[] = {
	{"amount", "amount", COLUMN_NUMERIC},
	{"dealstage", "dealstage", COLUMN_TEXT},
	{"createdate", "createdate", COLUMN_TIMESTAMP},
	{"closedate", "closedate", COLUMN_TIMESTAMP},
	{"qualified_status", "qualified_status", COLUMN_TEXT},
	{"trial_status", "trial_status", COLUMN_TEXT},
	{"payment_status", "payment_status", COLUMN_TEXT},
	{"number_of_installments__months", "number_of_installments__months", COLUMN_INTEGER},
	{"hubspot_owner_id", "hubspot_owner_id", COLUMN_TEXT},
	{"pipeline", "pipeline", COLUMN_TEXT},
};

static const ColumnMapping call_columns[] = {
	{"call_duration", "hs_call_duration", COLUMN_INTEGER},
	{"call_direction", "hs_call_direction", COLUMN_TEXT},
	{"call_to_number", "hs_call_to_number", COLUMN_TEXT},
	{"call_from_number", "hs_call_from_number", COLUMN_TEXT},
	{"call_timestamp", "hs_timestamp", COLUMN_TIMESTAMP},
	{"hubspot_owner_id", "hubspot_owner_id", COLUMN_TEXT},
	{"call_status", "hs_call_status", COLUMN_TEXT},
	{"call_disposition", "hs_call_disposition", COLUMN_TEXT},
};

const HubspotObjectType hubspot_object_types[HUBSPOT_OBJECT_TYPE_COUNT] = {
	{
		"contacts", "hubspot_contacts_raw", "lastmodifieddate",
		"deals,calls",
		"lastmodifieddate,hs_object_id,mobilephone,hs_lead_status,hs_merged_object_ids",
		NULL, false,
		contact_columns, lengthof(contact_columns)
	},
	{
		"deals", "hubspot_deals_raw", "hs_lastmodifieddate",
		"contacts",
		"hs_lastmodifieddate,hs_object_id,dealname,payment_method,phone_number",
		"deals", true,
		deal_columns, lengthof(deal_columns)
	},
	{
		"calls", "hubspot_calls_raw", "hs_lastmodifieddate",
		NULL,
		"hs_lastmodifieddate,hs_createdate,hs_object_id,hs_call_title,hs_call_body",
		NULL, false,
		call_columns, lengthof(call_columns)
	},
};

const HubspotObjectType *
hubspot_lookup_object_type(const char *name)
{
	for (int i = 0; i < HUBSPOT_OBJECT_TYPE_COUNT; i++)
		if (strcmp(hubspot_object_types[i].name, name) == 0)
			return &hubspot_object_types[i];
	return NULL;
}

/* The comma-separated property list a list request asks for. */
char *
hubspot_object_properties(const HubspotObjectType *type)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < type->ncolumns; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? "," : "", type->columns[i].property);
	appendStringInfo(&buf, ",%s", type->extra_properties);
	return buf.data;
}

static const char *
column_parser(ColumnType type)
{
	switch (type)
	{
		case COLUMN_INTEGER:
			return "hubspot_parse_integer";
		case COLUMN_NUMERIC:
			return "hubspot_parse_numeric";
		case COLUMN_BOOLEAN:
			return "hubspot_parse_boolean";
		case COLUMN_TIMESTAMP:
			return "hubspot_parse_timestamp";
		case COLUMN_TEXT:
			break;
	}
	return NULL;
}

/* Append "sep expr_i" for each non-text column, expr with %d for the index. */
static void
append_per_typed_column(StringInfo sql, const HubspotObjectType *type,
						const char *sep, const char *expr)
{
	for (int i = 0; i < type->ncolumns; i++)
	{
		if (type->columns[i].type == COLUMN_TEXT)
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
		const char *parser = column_parser(c->type);
		const char *prop = quote_literal_cstr(c->property);

		if (parser)
			appendStringInfo(&sql,
							 "    %s.%s(p OPERATOR(pg_catalog.->>) %s) AS c%d,\n"
							 "    NULLIF(p OPERATOR(pg_catalog.->>) %s, '') IS NOT NULL AS v%d,\n",
							 qschema, parser, prop, i, prop, i);
		else
			appendStringInfo(&sql, "    p OPERATOR(pg_catalog.->>) %s AS c%d, false AS v%d,\n",
							 prop, i, i);
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
		if (type->columns[i].type != COLUMN_TEXT)
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
