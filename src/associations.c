/*-------------------------------------------------------------------------
 * associations.c
 *	  Whole association lists from HubSpot's v4 batch endpoint, in the v3
 *	  list's shape.
 *
 *	  HubSpot pages a record's association list when it is long: inside a
 *	  list answer (associations.calls.paging.next) and per record in a v4
 *	  batch read (results[].paging.next.after, continued by asking again
 *	  with {"id", "after"}).  A sync that kept only the first page would
 *	  store a record with some of its deals or calls silently missing, so
 *	  every page is read here.
 *
 *	  One shape, whichever path wrote a record: the v3 list's, {"deals":
 *	  {"results": [{"id": "…", "type": "contact_to_deal"}, …]}}, an id once
 *	  per association type it has.  A v4 answer gives one entry per target
 *	  with its associationTypes ({category, typeId, label}); each becomes an
 *	  entry named as v3 names that typeId, which only GET /crm/v3/
 *	  associations/{from}/{to}/types says (a label is not the v3 name), read
 *	  once a sync.
 *
 *	  A v4 batch read that fails for some ids answers 207 with them in
 *	  "errors"; "no associations" comes back there too (subCategory
 *	  crm.associations.NO_ASSOCIATIONS_FOUND).  Any other id not in
 *	  "results" is asked for again, up to hubspot_sync.max_retries times,
 *	  and then fails the read: a record is never written without lists
 *	  HubSpot did not give.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"

#include "associations.h"

#define NO_ASSOCIATIONS_FOUND "crm.associations.NO_ASSOCIATIONS_FOUND"

/* An associated type's v4 typeId -> v3 name, as HubSpot lists them. */
typedef struct AssociationTypes
{
	char	   *kind;
	Jsonb	   *names;			/* {"<typeId>": "<v3 name>", …} */
} AssociationTypes;

/*
 * From the v4 batch results read ($1: an array of {"kind", "types",
 * "results"}: the kind of object, its typeId -> v3 name map, one answer's
 * results) to what the upsert takes: an object from record id to {"deals":
 * {"results": [{"id": "…", "type": "contact_to_deal"}]}, …}, the list's
 * shape, an entry per (target, association type) in HubSpot's order.  A
 * record's later pages come in later elements: they are appended in order.
 * Every typeId is in its map (associations_finish checks).
 */
static const char *const associations_by_id_sql =
"WITH links AS (\n"
"  SELECT a OPERATOR(pg_catalog.->>) 'kind' AS kind,\n"
"         f OPERATOR(pg_catalog.->) 'from' OPERATOR(pg_catalog.->>) 'id' AS from_id,\n"
"         pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(\n"
"           'id', t OPERATOR(pg_catalog.->>) 'toObjectId',\n"
"           'type', a OPERATOR(pg_catalog.->) 'types' OPERATOR(pg_catalog.->>) (ty OPERATOR(pg_catalog.->>) 'typeId'))\n"
"           ORDER BY an, fn, tn, tyn) AS results\n"
"  FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY a(a, an),\n"
"       pg_catalog.jsonb_array_elements(a OPERATOR(pg_catalog.->) 'results') WITH ORDINALITY f(f, fn),\n"
"       pg_catalog.jsonb_array_elements(f OPERATOR(pg_catalog.->) 'to') WITH ORDINALITY t(t, tn),\n"
"       pg_catalog.jsonb_array_elements(t OPERATOR(pg_catalog.->) 'associationTypes') WITH ORDINALITY ty(ty, tyn)\n"
"  GROUP BY 1, 2\n"
"), by_record AS (\n"
"  SELECT from_id, pg_catalog.jsonb_object_agg(kind,\n"
"           pg_catalog.jsonb_build_object('results', results)) AS associations\n"
"  FROM links GROUP BY 1\n"
")\n"
"SELECT COALESCE(pg_catalog.jsonb_object_agg(from_id, associations), '{}'::pg_catalog.jsonb)\n"
"FROM by_record";

/* The i-th element of an array container, when it is an object; else NULL. */
static JsonbContainer *
object_at(JsonbContainer *array, int i)
{
	JsonbValue *v = array ? getIthJsonbValueFromContainer(array, i) : NULL;

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		return NULL;
	return v->val.binary.data;
}

/* A string or number as text ("4" for 4), or NULL. */
static char *
scalar_text(JsonbValue *v)
{
	if (v == NULL)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	return NULL;
}

static bool
list_has_string(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

/*
 * Read kind's association types from HubSpot into the sync's list (in
 * memory that lasts the sync: a worker syncs one type, then exits).
 */
static AssociationTypes *
read_association_types(SyncContext *cxt, const char *kind)
{
	Jsonb	   *results = hubspot_association_types(&cxt->client, cxt->type->api_name, kind);
	StringInfoData names;
	MemoryContext oldcxt;
	AssociationTypes *types = NULL;
	ListCell   *lc;

	initStringInfo(&names);
	appendStringInfoChar(&names, '{');
	for (int i = 0; i < JsonContainerSize(&results->root); i++)
	{
		JsonbContainer *definition = object_at(&results->root, i);
		char	   *id = definition ?
			scalar_text(getKeyJsonValueFromContainer(definition, "id", 2, NULL)) : NULL;
		char	   *name = hubspot_jsonb_string(definition, "name");

		if (id == NULL || name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
					 errmsg("HubSpot returned a malformed response"),
					 errdetail("GET /crm/v3/associations/%s/%s/types answered a type without an \"id\" and a \"name\".",
							   cxt->type->name, kind)));
		if (names.len > 1)
			appendStringInfoChar(&names, ',');
		escape_json(&names, id);
		appendStringInfoChar(&names, ':');
		escape_json(&names, name);
	}
	appendStringInfoChar(&names, '}');

	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	foreach(lc, cxt->association_types)
		if (strcmp(((AssociationTypes *) lfirst(lc))->kind, kind) == 0)
			types = lfirst(lc);
	if (types == NULL)
	{
		types = palloc0(sizeof(AssociationTypes));
		types->kind = pstrdup(kind);
		cxt->association_types = lappend(cxt->association_types, types);
	}
	else
		pfree(types->names);
	types->names = DatumGetJsonbPCopy(DirectFunctionCall1(jsonb_in, CStringGetDatum(names.data)));
	MemoryContextSwitchTo(oldcxt);
	pfree(names.data);
	return types;
}

/*
 * The first typeId of results that kind's types do not name (or "" for a
 * target without associationTypes, which HubSpot always gives), else NULL.
 */
static char *
unnamed_type(JsonbContainer *results, AssociationTypes *types)
{
	for (int i = 0; i < JsonContainerSize(results); i++)
	{
		JsonbContainer *to = hubspot_jsonb_array(object_at(results, i), "to");

		for (int j = 0; to && j < JsonContainerSize(to); j++)
		{
			JsonbContainer *kinds = hubspot_jsonb_array(object_at(to, j), "associationTypes");

			if (kinds == NULL || JsonContainerSize(kinds) == 0)
				return "";
			for (int k = 0; k < JsonContainerSize(kinds); k++)
			{
				JsonbContainer *kind = object_at(kinds, k);
				char	   *id = kind ?
					scalar_text(getKeyJsonValueFromContainer(kind, "typeId", 6, NULL)) : NULL;

				if (id == NULL)
					return "";
				if (types == NULL ||
					getKeyJsonValueFromContainer(&types->names->root, id, strlen(id), NULL) == NULL)
					return id;
			}
		}
	}
	return NULL;
}

/*
 * kind's association types, naming every typeId of results: read once a
 * sync, and again when a label was added since.
 */
static AssociationTypes *
association_types_for(SyncContext *cxt, const char *kind, JsonbContainer *results,
					  const char *path)
{
	AssociationTypes *types = NULL;
	ListCell   *lc;
	char	   *missing;

	foreach(lc, cxt->association_types)
		if (strcmp(((AssociationTypes *) lfirst(lc))->kind, kind) == 0)
			types = lfirst(lc);
	if (types == NULL || unnamed_type(results, types) != NULL)
		types = read_association_types(cxt, kind);
	missing = unnamed_type(results, types);
	if (missing != NULL && missing[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
				 errmsg("HubSpot returned a malformed response"),
				 errdetail("POST %s answered a target without associationTypes and their typeId.", path)));
	if (missing != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
				 errmsg("HubSpot's association type %s is not among the %s to %s types",
						missing, cxt->type->name, kind),
				 errdetail("POST %s answered typeId %s, which GET /crm/v3/associations/%s/%s/types does not list.",
						   path, missing, cxt->type->name, kind)));
	return types;
}

/* Add one answer's results to what was read, as associations_by_id takes. */
static void
add_results(StringInfo into, const char *kind, AssociationTypes *types, Jsonb *results)
{
	appendStringInfoChar(into, into->len == 0 ? '[' : ',');
	appendStringInfoString(into, "{\"kind\":");
	escape_json(into, kind);
	appendStringInfoString(into, ",\"types\":");
	(void) JsonbToCString(into, &types->names->root, VARSIZE(types->names));
	appendStringInfoString(into, ",\"results\":");
	(void) JsonbToCString(into, &results->root, VARSIZE(results));
	appendStringInfoChar(into, '}');
}

/* Ask for the kind associations of ids (each from its after, if afters). */
AssociationRead *
associations_start(SyncContext *cxt, const char *kind, List *ids, List *afters)
{
	AssociationRead *read = palloc0(sizeof(AssociationRead));

	read->kind = kind;
	read->ids = ids;
	read->afters = afters;
	read->request = hubspot_association_batch_start(&cxt->client, cxt->type->api_name, kind,
													ids, afters);
	return read;
}

bool
associations_ready(AssociationRead *read)
{
	return read->request == NULL || hubspot_page_ready(read->request);
}

void
associations_cancel(AssociationRead *read)
{
	if (read->request != NULL)
		hubspot_page_cancel(read->request);
	read->request = NULL;
}

/*
 * The ids a batch answer read (into done), and those whose list goes on,
 * with their cursors (into ids and afters, to ask for again).
 */
static void
note_results(SyncContext *cxt, AssociationRead *read, HubspotPage *answer,
			 List **done, List **ids, List **afters)
{
	ListCell   *asked_id;

	for (int i = 0; i < answer->nresults; i++)
	{
		JsonbContainer *result = object_at(&answer->results->root, i);
		JsonbContainer *next = hubspot_jsonb_object(hubspot_jsonb_object(result, "paging"), "next");
		char	   *id = hubspot_jsonb_string(hubspot_jsonb_object(result, "from"), "id");
		char	   *after = hubspot_jsonb_string(next, "after");

		if (id == NULL)
			continue;
		*done = lappend(*done, id);
		if (after == NULL)
			continue;
		/* A cursor that does not move would ask forever. */
		foreach(asked_id, read->ids)
		{
			const char *asked_after = read->afters ?
				list_nth(read->afters, foreach_current_index(asked_id)) : NULL;

			if (strcmp(lfirst(asked_id), id) == 0 && asked_after != NULL &&
				strcmp(asked_after, after) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_HUBSPOT_PAGING_LOOP),
						 errmsg("HubSpot's association paging did not advance"),
						 errdetail("The %s associations of %s record %s came back with the cursor asked for (\"%s\").",
								   read->kind, cxt->type->name, id, after)));
		}
		*ids = lappend(*ids, id);
		*afters = lappend(*afters, after);
	}
}

/*
 * A 207's per-id errors: "none" is an answer (its ids go into done); any
 * other error leaves its ids unread.  Returns the first such error, or NULL.
 */
static char *
note_errors(HubspotPage *answer, List **done)
{
	char	   *first_error = NULL;

	for (int i = 0; answer->errors && i < JsonContainerSize(&answer->errors->root); i++)
	{
		JsonbContainer *error = object_at(&answer->errors->root, i);
		char	   *sub = hubspot_jsonb_string(error, "subCategory");
		JsonbContainer *from = hubspot_jsonb_array(hubspot_jsonb_object(error, "context"), "fromObjectId");

		if (sub == NULL || strcmp(sub, NO_ASSOCIATIONS_FOUND) != 0)
		{
			if (first_error == NULL)
			{
				char	   *message = hubspot_jsonb_string(error, "message");
				char	   *category = hubspot_jsonb_string(error, "category");

				first_error = psprintf("%s (category %s)", message ? message : "no message",
									   category ? category : "none");
			}
			continue;
		}
		for (int j = 0; from && j < JsonContainerSize(from); j++)
		{
			char	   *id = scalar_text(getIthJsonbValueFromContainer(from, j));

			if (id != NULL)
				*done = lappend(*done, id);
		}
	}
	return first_error;
}

/*
 * Wait for a read, add its answer to into (as associations_by_id takes),
 * and read on until every id's list is whole: the rest of each list the
 * answer cut short, and again the ids the answer failed to read.
 */
void
associations_finish(SyncContext *cxt, AssociationRead *read, StringInfo into)
{
	char	   *path = psprintf("/crm/v4/associations/%s/%s/batch/read", cxt->type->api_name, read->kind);
	int			retries = 0;

	while (read->request != NULL)
	{
		HubspotPage answer;
		List	   *done = NIL;		/* ids read, or with none to read */
		List	   *ids = NIL;
		List	   *afters = NIL;
		char	   *first_error = NULL;
		int			unread = 0;
		ListCell   *asked_id;

		hubspot_page_finish(read->request, &answer);
		read->request = NULL;
		add_results(into, read->kind,
					association_types_for(cxt, read->kind, &answer.results->root, path),
					answer.results);

		note_results(cxt, read, &answer, &done, &ids, &afters);
		first_error = note_errors(&answer, &done);

		/* Every id asked for and not answered for: again, from where it was. */
		foreach(asked_id, read->ids)
		{
			if (list_has_string(done, lfirst(asked_id)))
				continue;
			unread++;
			ids = lappend(ids, lfirst(asked_id));
			afters = lappend(afters, read->afters ?
							 list_nth(read->afters, foreach_current_index(asked_id)) : NULL);
		}
		if (unread > 0)
		{
			if (retries >= cxt->client.settings->max_retries)
				ereport(ERROR,
						(errcode(ERRCODE_HUBSPOT_HTTP_ERROR),
						 errmsg_plural("HubSpot could not read the %s associations of %d record of %s",
									   "HubSpot could not read the %s associations of %d records of %s",
									   unread, read->kind, unread, cxt->type->name),
						 errdetail("POST %s left them out of \"results\" after %d attempt(s); the first error: %s.",
								   path, retries + 1, first_error ? first_error : "none given"),
						 errhint("No record is written without its associations; the next sync reads them again.")));
			retries++;
			cxt->client.retries++;
			ereport(LOG,
					(errmsg("POST %s left %d of %d id(s) unread, asking again (retry %d of %d)",
							path, unread, list_length(read->ids), retries,
							cxt->client.settings->max_retries),
					 errdetail("The first error: %s.", first_error ? first_error : "none given")));
		}
		if (ids == NIL)
			break;
		/* At most one input per id asked for: never past a batch. */
		read->ids = ids;
		read->afters = afters;
		read->request = hubspot_association_batch_start(&cxt->client, cxt->type->api_name,
														read->kind, ids, afters);
	}
}

/*
 * For a list page: read from the v4 endpoint the whole association lists
 * of the records whose embedded lists HubSpot cut short (they carry their
 * own paging.next).  NULL when there are none, as almost always.
 */
StringInfo
associations_read_cut_short(SyncContext *cxt, HubspotPage *page)
{
	char	   *kinds;
	char	   *save = NULL;
	List	   *reads = NIL;
	ListCell   *lc;
	StringInfo	into;

	if (cxt->type->associations == NULL)
		return NULL;
	/* Every kind's read is sent before any is waited for. */
	kinds = pstrdup(cxt->type->associations);
	for (char *k = strtok_r(kinds, ",", &save); k; k = strtok_r(NULL, ",", &save))
	{
		List	   *ids = NIL;

		for (int i = 0; i < page->nresults; i++)
		{
			JsonbContainer *record = object_at(&page->results->root, i);
			JsonbContainer *list = hubspot_jsonb_object(hubspot_jsonb_object(record, "associations"), k);
			char	   *id;

			/* Every page looks: the id is copied only for a cut list. */
			if (hubspot_jsonb_object(hubspot_jsonb_object(list, "paging"), "next") != NULL &&
				(id = hubspot_jsonb_string(record, "id")) != NULL)
				ids = lappend(ids, id);
		}
		if (ids == NIL)
			continue;
		/* A list page holds at most 100 records, a batch read 1,000. */
		Assert(list_length(ids) <= HUBSPOT_MAX_ASSOCIATION_BATCH);
		reads = lappend(reads, associations_start(cxt, k, ids, NIL));
	}
	if (reads == NIL)
		return NULL;

	into = makeStringInfo();
	foreach(lc, reads)
		associations_finish(cxt, lfirst(lc), into);
	return into;
}

/*
 * What was read, as the upsert takes it: an object by record id, in the
 * list's shape.  Runs a query: needs an open transaction; the result is in
 * SPI's memory.
 */
Jsonb *
associations_by_id(StringInfo read)
{
	Oid			types[1] = {JSONBOID};
	Datum		values[1];
	bool		isnull;

	if (read->len == 0)
		appendStringInfoChar(read, '[');
	appendStringInfoChar(read, ']');
	values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(read->data));
	if (SPI_execute_with_args(associations_by_id_sql, 1, types, values, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read the associations of a batch");
	return DatumGetJsonbP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}
