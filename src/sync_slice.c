/*-------------------------------------------------------------------------
 * sync_slice.c
 *	  The search half of a parallel full sync, in a background worker of
 *	  its own: the live records from the highest id down, until it meets
 *	  the list (see sync_full in sync_object.c).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "sync_common.h"

/*
 * A type with no more live records than this many list pages is left to
 * the list: its slice would mostly read what the list has written by then.
 */
#define SLICE_MIN_LIST_PAGES 20

/*
 * From the v4 batch results of each kind ($1: an array of {"kind", "type",
 * "results"}: the kind of object, the name of an unlabelled association,
 * the batch's results) to what the upsert takes: an object from record id
 * to {"deals": {"results": [{"id": "…", "type": "contact_to_deal"}]}, …},
 * the list's shape (a labelled association's type is its label).
 */
static const char *const associations_by_id_sql =
"WITH links AS (\n"
"  SELECT a OPERATOR(pg_catalog.->>) 'kind' AS kind,\n"
"         f OPERATOR(pg_catalog.->) 'from' OPERATOR(pg_catalog.->>) 'id' AS from_id,\n"
"         pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(\n"
"           'id', t OPERATOR(pg_catalog.->>) 'toObjectId',\n"
"           'type', COALESCE(ty OPERATOR(pg_catalog.->>) 'label', a OPERATOR(pg_catalog.->>) 'type'))\n"
"           ORDER BY fn, tn, tyn) AS results\n"
"  FROM pg_catalog.jsonb_array_elements($1) a,\n"
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

/*
 * The associations of the given records (the search returns none), from
 * the v4 batch endpoint, by record id: the upsert's $4.
 */
static Jsonb *
read_associations(SyncContext *cxt, List *ids)
{
	StringInfoData out;
	char	   *kinds;
	char	   *kind;
	char	   *save = NULL;
	Oid			types[1];
	Datum		values[1];
	bool		isnull;
	Jsonb	   *by_id;
	MemoryContext caller_cxt = CurrentMemoryContext;
	MemoryContext oldcxt;

	initStringInfo(&out);
	appendStringInfoChar(&out, '[');
	kinds = pstrdup(cxt->type->associations ? cxt->type->associations : "");
	for (kind = strtok_r(kinds, ",", &save); kind; kind = strtok_r(NULL, ",", &save))
	{
		for (int start = 0; start < list_length(ids); start += HUBSPOT_MAX_ASSOCIATION_BATCH)
		{
			List	   *chunk = list_copy_head(ids, Min(list_length(ids),
														start + HUBSPOT_MAX_ASSOCIATION_BATCH));
			Jsonb	   *results;

			chunk = list_delete_first_n(chunk, start);
			results = hubspot_association_batch(&cxt->client, cxt->type->name, kind, chunk);
			if (out.len > 1)
				appendStringInfoChar(&out, ',');
			appendStringInfoString(&out, "{\"kind\":");
			escape_json(&out, kind);
			appendStringInfoString(&out, ",\"type\":");
			escape_json(&out, association_type_name(cxt->type->name, kind));
			appendStringInfoString(&out, ",\"results\":");
			(void) JsonbToCString(&out, &results->root, VARSIZE(results));
			appendStringInfoChar(&out, '}');
		}
	}
	appendStringInfoChar(&out, ']');

	sync_begin_transaction(psprintf("hubspot_sync: reading %s associations", cxt->type->name));
	types[0] = JSONBOID;
	values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data));
	if (SPI_execute_with_args(associations_by_id_sql, 1, types, values, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read the associations of a batch");
	/* Into the caller's memory: SPI's goes with the commit. */
	oldcxt = MemoryContextSwitchTo(caller_cxt);
	by_id = DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	MemoryContextSwitchTo(oldcxt);
	sync_commit_transaction();
	return by_id;
}

/*
 * Read the next batch of the slice: up to a v4 batch's worth of records
 * below below_id (NULL: from the top), highest first, and stop early where
 * the list has got to (list_high, -1 when nowhere yet).  Returns the
 * pages; *ids gets their ids, *low the lowest, *bottom whether nothing
 * lies below.
 */
static List *
read_slice_batch(SyncContext *cxt, const char *below_id, int64 list_high,
				 List **ids, int64 *low, bool *bottom)
{
	const HubspotSettings *settings = cxt->client.settings;
	int			pages_wanted = Max(1, HUBSPOT_MAX_ASSOCIATION_BATCH / settings->search_page_size);
	List	   *pages = NIL;

	*ids = NIL;
	*bottom = false;
	for (int i = 0; i < pages_wanted; i++)
	{
		HubspotPage *page = palloc(sizeof(HubspotPage));
		PageIds		page_ids;
		int64		below;

		if (cxt->slot->stop_slice)
			break;				/* the list is done: nothing left to read */
		pgstat_report_activity(STATE_RUNNING,
							   psprintf("hubspot_sync: searching %s below id %s",
										cxt->type->name, below_id ? below_id : "(top)"));
		hubspot_search_ids_below(&cxt->client, cxt->type, cxt->properties, below_id,
								 settings->search_page_size, page);
		sync_read_page_ids(page->results, &page_ids);
		if (page->nresults == 0)
		{
			*bottom = true;
			break;
		}
		if (below_id == NULL && page->total >= 0 &&
			page->total <= SLICE_MIN_LIST_PAGES * settings->page_size)
		{
			/* The list reads this many in a few seconds: leave it to it. */
			cxt->slot->stop_slice = true;
			break;
		}
		if (!page_ids.descending || page_ids.texts == NIL ||
			(below_id && sync_parse_id(below_id, &below) && page_ids.first >= below))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("HubSpot's search did not return %s in descending id order",
							cxt->type->name),
					 errdetail("Asked for ids below %s sorted by hs_object_id, descending.",
							   below_id ? below_id : "any")));
		pages = lappend(pages, page);
		*ids = list_concat(*ids, page_ids.texts);
		*low = page_ids.last;
		below_id = sync_int64_text(page_ids.last);
		if (page->next_after == NULL)
		{
			*bottom = true;
			break;
		}
		if (list_high >= 0 && list_high >= page_ids.last)
			break;				/* met the list */
	}
	return pages;
}

/*
 * One batch of the search slice; false when the slice is done.  args: the
 * object type, the full sync's run id, and room for one more.
 */
static bool
slice_batch(SyncContext *cxt, const char **args)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt->page_cxt);
	bool		going;
	int64		list_high = -1;
	int64		low = -1;
	List	   *pages;
	List	   *ids;
	ListCell   *lc;
	bool		bottom;
	Jsonb	   *associations;

	/* How far the list and this slice got, as committed. */
	sync_begin_transaction(psprintf("hubspot_sync: checking the %s full sync", cxt->type->name));
	sync_run_sql(psprintf("SELECT s.full_sync_list_high, s.full_sync_search_low,"
					 " s.full_sync_phase = 'live' AND r.status = 'running'"
					 " FROM %s.hubspot_sync_state s, %s.hubspot_sync_runs r"
					 " WHERE s.object_type = $1 AND r.run_id = $2::bigint",
					 cxt->schema, cxt->schema), 2, args);
	going = SPI_processed == 1 &&
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3), "t") == 0;
	if (going)
	{
		list_high = sync_state_id(1);
		low = sync_state_id(2);
	}
	sync_commit_transaction();
	if (!going || list_high == LIST_NOT_IN_ID_ORDER || (low >= 0 && list_high >= low))
	{
		MemoryContextSwitchTo(oldcxt);
		return false;
	}

	pages = read_slice_batch(cxt, low >= 0 ? sync_int64_text(low) : NULL, list_high,
							 &ids, &low, &bottom);
	if (cxt->slot->stop_slice)
	{
		MemoryContextSwitchTo(oldcxt);
		return false;
	}
	associations = read_associations(cxt, ids);

	/*
	 * A transaction per page, each with how far down it got.  One statement
	 * that writes rows per transaction before the last ones keeps the two
	 * workers' row locks and the metrics triggers' advisory lock in one
	 * order: a transaction that holds that lock never waits for the other.
	 */
	foreach(lc, pages)
	{
		HubspotPage *page = lfirst(lc);
		PageIds		page_ids;

		if (cxt->slot->stop_slice)
			break;
		sync_read_page_ids(page->results, &page_ids);
		sync_begin_transaction(psprintf("hubspot_sync: writing a search slice of %s", cxt->type->name));
		/* The list may have written the lowest of these meanwhile. */
		sync_run_sql(psprintf("SELECT full_sync_list_high FROM %s.hubspot_sync_state"
						 " WHERE object_type = $1", cxt->schema), 1, args);
		list_high = sync_state_id(1);
		if (list_high >= 0 && list_high != LIST_NOT_IN_ID_ORDER && page_ids.last <= list_high)
			sync_drop_ids_from(page, list_high, false);
		sync_upsert_page(cxt, page, false, associations);
		/* Never up: another slice (of a resumed sync) may be lower. */
		args[2] = sync_int64_text(page_ids.last);
		sync_run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_search_low = $3"
						 " WHERE object_type = $1 AND (full_sync_search_low IS NULL"
						 " OR $3::numeric < full_sync_search_low::numeric)", cxt->schema),
				3, args);
		sync_commit_transaction();
	}
	MemoryContextSwitchTo(oldcxt);
	return !bottom && !cxt->slot->stop_slice;
}

/*
 * The search half of a parallel full sync, in a worker of its own (see
 * sync_full): the live records from the highest id down, each query below
 * the lowest id written so far (so the search's 10,000-result cap never
 * applies), with their associations, written a batch at a time with how
 * far down the slice got.  It stops where the list has got to, when the
 * list is done, or when its full sync is no longer running.  What it
 * counted goes back through the slot; the full sync's run row adds it up.
 */
void
hubspot_sync_search_slice(const HubspotSettings *settings, SyncSlot *slot)
{
	SyncContext cxt;
	MemoryContext worker_cxt = CurrentMemoryContext;

	memset(&cxt, 0, sizeof(cxt));
	cxt.slot = slot;
	cxt.type = hubspot_lookup_object_type(slot->object_type);
	cxt.client.settings = settings;
	cxt.track_seen = true;
	cxt.page_cxt = AllocSetContextCreate(TopMemoryContext, "hubspot_sync page",
										 ALLOCSET_DEFAULT_SIZES);

	PG_TRY();
	{
		const char *args[3];

		sync_begin_transaction(psprintf("hubspot_sync: starting a search slice of %s", cxt.type->name));
		sync_prepare_context(&cxt);
		sync_read_property_names(&cxt);
		sync_commit_transaction();
		args[0] = cxt.type->name;
		args[1] = sync_int64_text(slot->parent_run_id);

		while (slice_batch(&cxt, args))
			MemoryContextReset(cxt.page_cxt);
		slot->status = SYNC_SUCCEEDED;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(worker_cxt);
		FreeErrorData(sync_recover_from_error(&cxt));
	}
	PG_END_TRY();

	slot->requests = cxt.client.requests;
	slot->retries = cxt.client.retries;
	slot->rate_limited = cxt.client.rate_limited;
	slot->finished_at = GetCurrentTimestamp();
}
