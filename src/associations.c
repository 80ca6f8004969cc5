/*-------------------------------------------------------------------------
 * associations.c
 *	  Whole association lists from HubSpot's v4 batch endpoint.
 *
 *	  HubSpot pages a record's association list when it is long: inside a
 *	  list answer (associations.calls.paging.next) and per record in a v4
 *	  batch read (results[].paging.next.after, continued by asking again
 *	  with {"id", "after"}).  A sync that kept only the first page would
 *	  store a record with some of its deals or calls silently missing, so
 *	  every page is read here, and the lists are put in the list's shape
 *	  for the upsert ($4 of hubspot_upsert_sql).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "associations.h"

/*
 * From the v4 batch results read ($1: an array of {"kind", "type",
 * "results"}: the kind of object, the name of an unlabelled association,
 * one answer's results) to what the upsert takes: an object from record id
 * to {"deals": {"results": [{"id": "…", "type": "contact_to_deal"}]}, …},
 * the list's shape (a labelled association's type is its label).  A
 * record's later pages come in later elements: they are appended in order.
 */
static const char *const associations_by_id_sql =
"WITH links AS (\n"
"  SELECT a OPERATOR(pg_catalog.->>) 'kind' AS kind,\n"
"         f OPERATOR(pg_catalog.->) 'from' OPERATOR(pg_catalog.->>) 'id' AS from_id,\n"
"         pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(\n"
"           'id', t OPERATOR(pg_catalog.->>) 'toObjectId',\n"
"           'type', COALESCE(ty OPERATOR(pg_catalog.->>) 'label', a OPERATOR(pg_catalog.->>) 'type'))\n"
"           ORDER BY an, fn, tn, tyn) AS results\n"
"  FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY a(a, an),\n"
"       pg_catalog.jsonb_array_elements(a OPERATOR(pg_catalog.->) 'results') WITH ORDINALITY f(f, fn),\n"
"       pg_catalog.jsonb_array_elements(f OPERATOR(pg_catalog.->) 'to') WITH ORDINALITY t(t, tn),\n"
"       pg_catalog.jsonb_array_elements(COALESCE(t OPERATOR(pg_catalog.->) 'associationTypes',\n"
"         '[{}]'::pg_catalog.jsonb)) WITH ORDINALITY ty(ty, tyn)\n"
"  GROUP BY 1, 2\n"
"), by_record AS (\n"
"  SELECT from_id, pg_catalog.jsonb_object_agg(kind,\n"
"           pg_catalog.jsonb_build_object('results', results)) AS associations\n"
"  FROM links GROUP BY 1\n"
")\n"
"SELECT COALESCE(pg_catalog.jsonb_object_agg(from_id, associations), '{}'::pg_catalog.jsonb)\n"
"FROM by_record";

/* "contacts", "deals" -> "contact_to_deal", as the list names them. */
static char *
association_type_name(const char *from, const char *to)
{
	int			from_len = strlen(from);
	int			to_len = strlen(to);

	if (from_len > 1 && from[from_len - 1] == 's')
		from_len--;
	if (to_len > 1 && to[to_len - 1] == 's')
		to_len--;
	return psprintf("%.*s_to_%.*s", from_len, from, to_len, to);
}

/* The i-th element of an array, when it is an object; else NULL. */
static JsonbContainer *
object_element(Jsonb *array, int i)
{
	JsonbValue *v = getIthJsonbValueFromContainer(&array->root, i);

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		return NULL;
	return v->val.binary.data;
}

/* Add one answer's results to what was read, as associations_by_id takes. */
static void
add_results(SyncContext *cxt, const char *kind, Jsonb *results, StringInfo read)
{
	appendStringInfoChar(read, read->len == 0 ? '[' : ',');
	appendStringInfoString(read, "{\"kind\":");
	escape_json(read, kind);
	appendStringInfoString(read, ",\"type\":");
	escape_json(read, association_type_name(cxt->type->name, kind));
	appendStringInfoString(read, ",\"results\":");
	(void) JsonbToCString(read, &results->root, VARSIZE(results));
	appendStringInfoChar(read, '}');
}

/*
 * Add a v4 batch answer for kind to what was read, and read the rest of
 * every record's list that the answer cut short.
 */
void
associations_add_answer(SyncContext *cxt, const char *kind, HubspotPage *answer,
						StringInfo read)
{
	Jsonb	   *results = answer->results;
	List	   *asked_ids = NIL;
	List	   *asked_afters = NIL;

	for (;;)
	{
		List	   *ids = NIL;
		List	   *afters = NIL;
		HubspotPage next;

		add_results(cxt, kind, results, read);
		for (int i = 0; i < JsonContainerSize(&results->root); i++)
		{
			JsonbContainer *result = object_element(results, i);
			JsonbContainer *next = hubspot_jsonb_object(hubspot_jsonb_object(result, "paging"), "next");
			char	   *after = hubspot_jsonb_string(next, "after");
			char	   *id;
			ListCell   *asked_id;
			ListCell   *asked_after;

			if (after == NULL ||
				(id = hubspot_jsonb_string(hubspot_jsonb_object(result, "from"), "id")) == NULL)
				continue;
			/* A cursor that does not move would ask forever. */
			forboth(asked_id, asked_ids, asked_after, asked_afters)
				if (strcmp(lfirst(asked_id), id) == 0 && strcmp(lfirst(asked_after), after) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_HUBSPOT_PAGING_LOOP),
							 errmsg("HubSpot's association paging did not advance"),
							 errdetail("The %s associations of %s record %s came back with the cursor asked for (\"%s\").",
									   kind, cxt->type->name, id, after)));
			ids = lappend(ids, id);
			afters = lappend(afters, after);
		}
		if (ids == NIL)
			break;
		/* At most one continuation per id asked for: never past a batch. */
		hubspot_page_finish(hubspot_association_batch_start(&cxt->client, cxt->type->name, kind,
															ids, afters),
							&next);
		results = next.results;
		asked_ids = ids;
		asked_afters = afters;
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
	List	   *kinds_asked = NIL;
	List	   *requests = NIL;
	ListCell   *kind;
	ListCell   *request;
	StringInfo	read;

	if (cxt->type->associations == NULL)
		return NULL;
	/* Every kind's read is sent before any is waited for. */
	kinds = pstrdup(cxt->type->associations);
	for (char *k = strtok_r(kinds, ",", &save); k; k = strtok_r(NULL, ",", &save))
	{
		List	   *ids = NIL;

		for (int i = 0; i < page->nresults; i++)
		{
			JsonbContainer *record = object_element(page->results, i);
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
		kinds_asked = lappend(kinds_asked, k);
		requests = lappend(requests,
						   hubspot_association_batch_start(&cxt->client, cxt->type->name, k,
														   ids, NIL));
	}
	if (requests == NIL)
		return NULL;

	read = makeStringInfo();
	forboth(kind, kinds_asked, request, requests)
	{
		HubspotPage answer;

		hubspot_page_finish(lfirst(request), &answer);
		lfirst(request) = NULL;
		associations_add_answer(cxt, lfirst(kind), &answer, read);
	}
	return read;
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
