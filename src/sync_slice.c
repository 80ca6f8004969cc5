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

#include "associations.h"
#include "sync_common.h"

/*
 * A type with no more live records than this many list pages is left to
 * the list: its slice would mostly read what the list has written by then.
 */
#define SLICE_MIN_LIST_PAGES 20

/*
 * Pages the slice has read and not yet written: up to a v4 batch's worth,
 * with their associations.
 */
typedef struct SliceBatch
{
	MemoryContext cxt;			/* everything of the batch; gone once written */
	List	   *pages;			/* HubspotPage *, highest ids first */
	List	   *ids;			/* char *, of every page */
	List	   *association_reads;	/* AssociationRead *, not yet read */
	Jsonb	   *associations;	/* by record id; NULL until read */
} SliceBatch;

/*
 * The slice's pipeline: one search in flight at a time (each query below
 * the lowest id read), and the batches read before it, to write.
 */
typedef struct Slice
{
	SyncContext *cxt;
	MemoryContext slice_cxt;	/* what lasts from one step to the next */
	const char **args;			/* object type, run id, room for one more */
	HubspotPendingPage *search; /* asked for, not yet read */
	char	   *below;			/* the next search's bound (NULL: the top) */
	bool		searching;		/* more to search for */
	SliceBatch *filling;		/* the batch the next search page goes to */
	List	   *to_write;		/* SliceBatch *, highest ids first */
	int64		list_high;		/* how far up the list got, as last seen */
} Slice;

/*
 * Read, in an open transaction, how far the list and this slice got as
 * committed; false when the full sync is no longer running its live phase.
 */
static bool
read_progress(Slice *slice, int64 *search_low)
{
	SyncContext *cxt = slice->cxt;

	*search_low = -1;
	/* The phase is NULL once the list is done: the slice may start late. */
	sync_run_sql(psprintf("SELECT s.full_sync_list_high, s.full_sync_search_low,"
						  " COALESCE(s.full_sync_phase = 'live' AND r.status = 'running', false)"
						  " FROM %s.hubspot_sync_state s, %s.hubspot_sync_runs r"
						  " WHERE s.object_type = $1 AND r.run_id = $2::bigint",
						  cxt->schema, cxt->schema), 2, slice->args);
	if (SPI_processed != 1 ||
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3), "t") != 0)
		return false;
	slice->list_high = sync_state_id(1);
	*search_low = sync_state_id(2);
	return slice->list_high != LIST_NOT_IN_ID_ORDER &&
		(*search_low < 0 || slice->list_high < *search_low);
}

/* Ask for the associations of a full batch (the search returns none). */
static void
start_associations(Slice *slice, SliceBatch *batch)
{
	SyncContext *cxt = slice->cxt;
	MemoryContext oldcxt = MemoryContextSwitchTo(batch->cxt);
	char	   *kinds = pstrdup(cxt->type->associations ? cxt->type->associations : "");
	char	   *save = NULL;

	for (char *kind = strtok_r(kinds, ",", &save); kind; kind = strtok_r(NULL, ",", &save))
	{
		for (int start = 0; start < list_length(batch->ids); start += HUBSPOT_MAX_ASSOCIATION_BATCH)
		{
			List	   *chunk = list_copy_head(batch->ids, Min(list_length(batch->ids),
															   start + HUBSPOT_MAX_ASSOCIATION_BATCH));

			chunk = list_delete_first_n(chunk, start);
			batch->association_reads = lappend(batch->association_reads,
											   associations_start(cxt, kind, chunk, NIL));
		}
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Wait for a batch's association reads (and read the rest of any list they
 * cut short), and turn them into what the upsert takes ($4): an object by
 * record id, in the list's shape.
 */
static void
finish_associations(Slice *slice, SliceBatch *batch)
{
	SyncContext *cxt = slice->cxt;
	MemoryContext oldcxt = MemoryContextSwitchTo(batch->cxt);
	StringInfoData read;
	ListCell   *lc;
	Jsonb	   *by_id;

	initStringInfo(&read);
	foreach(lc, batch->association_reads)
		associations_finish(cxt, lfirst(lc), &read);
	batch->association_reads = NIL;

	sync_begin_transaction(psprintf("hubspot_sync: reading %s associations", cxt->type->name));
	by_id = associations_by_id(&read);
	/* Into the batch's memory: SPI's goes with the commit. */
	MemoryContextSwitchTo(batch->cxt);
	batch->associations = DatumGetJsonbPCopy(PointerGetDatum(by_id));
	sync_commit_transaction();
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Write the next page of the oldest batch, in a transaction of its own
 * with how far down the slice got.  One statement that writes rows per
 * transaction, before the last ones, keeps the two workers' row locks and
 * the metrics triggers' advisory lock in one order: a transaction that
 * holds that lock never waits for the other.  False when the slice is
 * done: it met the list, or the full sync stopped.
 */
static bool
write_next_page(Slice *slice)
{
	SyncContext *cxt = slice->cxt;
	SliceBatch *batch = linitial(slice->to_write);
	HubspotPage *page = linitial(batch->pages);
	MemoryContext oldcxt = MemoryContextSwitchTo(batch->cxt);
	PageIds		page_ids;
	int64		search_low;
	bool		going;

	sync_read_page_ids(page->results, &page_ids);
	sync_begin_transaction(psprintf("hubspot_sync: writing a search slice of %s", cxt->type->name));
	/* The list may have written the lowest of these meanwhile. */
	going = read_progress(slice, &search_low);
	if (going)
	{
		if (slice->list_high >= 0 && page_ids.last <= slice->list_high)
			sync_drop_ids_from(page, slice->list_high, false);
		sync_upsert_page(cxt, page, false, batch->associations);
		/* Never up: another slice (of a resumed sync) may be lower. */
		slice->args[2] = sync_int64_text(page_ids.last);
		sync_run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_search_low = $3"
							  " WHERE object_type = $1 AND (full_sync_search_low IS NULL"
							  " OR $3::numeric < full_sync_search_low::numeric)", cxt->schema),
					 3, slice->args);
	}
	sync_commit_transaction();
	MemoryContextSwitchTo(oldcxt);

	batch->pages = list_delete_first(batch->pages);
	if (batch->pages == NIL)
	{
		slice->to_write = list_delete_first(slice->to_write);
		MemoryContextDelete(batch->cxt);
	}
	return going && (slice->list_high < 0 || page_ids.last > slice->list_high);
}

/* Whether a batch waits for its associations or to be written. */
static bool
has_work(Slice *slice)
{
	return slice->to_write != NIL;
}

/* Whether the next step of work can be done without waiting for HubSpot. */
static bool
has_work_ready(Slice *slice)
{
	SliceBatch *batch;
	ListCell   *lc;

	if (slice->to_write == NIL)
		return false;
	batch = linitial(slice->to_write);
	if (batch->associations != NULL)
		return true;
	foreach(lc, batch->association_reads)
		if (!associations_ready(lfirst(lc)))
			return false;
	return true;
}

/*
 * One step of work on the batches read: read the oldest one's associations,
 * or write its next page.  False when the slice is done.
 */
static bool
work(Slice *slice)
{
	SliceBatch *batch = linitial(slice->to_write);

	if (batch->associations == NULL)
	{
		finish_associations(slice, batch);
		return true;
	}
	return write_next_page(slice);
}

/* No more pages go to the batch being filled: to write, once associated. */
static void
close_batch(Slice *slice)
{
	SliceBatch *batch = slice->filling;
	MemoryContext oldcxt;

	slice->filling = NULL;
	if (batch == NULL)
		return;
	if (batch->pages == NIL)
	{
		MemoryContextDelete(batch->cxt);
		return;
	}
	start_associations(slice, batch);
	oldcxt = MemoryContextSwitchTo(slice->slice_cxt);
	slice->to_write = lappend(slice->to_write, batch);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Read the search page asked for into the batch being filled, and ask for
 * the next one at once unless the slice has read all it should.  False
 * when the slice is done.
 */
static bool
read_search_page(Slice *slice)
{
	SyncContext *cxt = slice->cxt;
	const HubspotSettings *settings = cxt->client.settings;
	HubspotPage *page;
	PageIds		page_ids;
	int64		below;
	int64		search_low;
	bool		going;
	MemoryContext oldcxt;

	if (slice->filling == NULL)
	{
		MemoryContext batch_cxt = AllocSetContextCreate(slice->slice_cxt, "hubspot_sync slice batch",
														ALLOCSET_DEFAULT_SIZES);

		slice->filling = MemoryContextAllocZero(batch_cxt, sizeof(SliceBatch));
		slice->filling->cxt = batch_cxt;
	}
	oldcxt = MemoryContextSwitchTo(slice->filling->cxt);
	page = palloc(sizeof(HubspotPage));
	hubspot_page_finish(slice->search, page);
	slice->search = NULL;
	sync_read_page_ids(page->results, &page_ids);
	MemoryContextSwitchTo(oldcxt);

	if (slice->below == NULL && page->total >= 0 &&
		page->total <= SLICE_MIN_LIST_PAGES * settings->page_size)
	{
		/* The list reads this many in a few seconds: leave it to it. */
		cxt->slot->stop_slice = true;
		return false;
	}
	if (page->nresults == 0)
	{
		slice->searching = false;
		return true;
	}
	if (!page_ids.descending || page_ids.texts == NIL ||
		(slice->below && sync_parse_id(slice->below, &below) && page_ids.first >= below))
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
				 errmsg("HubSpot's search did not return %s in descending id order",
						cxt->type->name),
				 errdetail("Asked for ids below %s sorted by hs_object_id, descending.",
						   slice->below ? slice->below : "any")));

	/* How far the list got: read no further than where it is. */
	sync_begin_transaction(psprintf("hubspot_sync: checking the %s full sync", cxt->type->name));
	going = read_progress(slice, &search_low);
	sync_commit_transaction();
	if (!going)
		return false;

	oldcxt = MemoryContextSwitchTo(slice->filling->cxt);
	slice->filling->pages = lappend(slice->filling->pages, page);
	slice->filling->ids = list_concat(slice->filling->ids, page_ids.texts);
	MemoryContextSwitchTo(oldcxt);
	if (slice->below)
		pfree(slice->below);
	slice->below = MemoryContextStrdup(slice->slice_cxt, sync_int64_text(page_ids.last));
	if (page->next_after == NULL ||
		(slice->list_high >= 0 && slice->list_high >= page_ids.last))
		slice->searching = false;	/* at the bottom, or met the list */
	if (!slice->searching ||
		list_length(slice->filling->ids) >= HUBSPOT_MAX_ASSOCIATION_BATCH)
		close_batch(slice);
	return true;
}

/* Ask for the next search page. */
static void
start_search(Slice *slice)
{
	SyncContext *cxt = slice->cxt;

	pgstat_report_activity(STATE_RUNNING,
						   psprintf("hubspot_sync: searching %s below id %s",
									cxt->type->name, slice->below ? slice->below : "(top)"));
	slice->search = hubspot_search_ids_below_start(&cxt->client, cxt->type, cxt->properties,
												   slice->below,
												   cxt->client.settings->search_page_size);
}

/*
 * The slice's loop: a search always in flight while there is more to
 * read, and the batches read meanwhile associated and written, so the
 * search chain runs at its budget rather than waiting for the writes.
 */
static void
run_slice(Slice *slice)
{
	SyncContext *cxt = slice->cxt;
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt->page_cxt);

	for (;; MemoryContextReset(cxt->page_cxt))
	{
		bool		going = true;

		if (cxt->slot->stop_slice)
			break;
		if (slice->searching && slice->search == NULL)
			start_search(slice);
		/* Work while the search is out, on what needs no waiting. */
		while (going && slice->search != NULL && has_work_ready(slice) &&
			   !hubspot_page_ready(slice->search))
			going = work(slice);
		if (!going)
			break;
		if (slice->search != NULL)
			going = read_search_page(slice);
		else if (slice->filling != NULL)
			close_batch(slice);
		else if (has_work(slice))
			going = work(slice);	/* nothing else to do: may wait */
		else
			break;				/* read and written to the bottom */
		if (!going)
			break;
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Drop what a stopped slice asked for and did not read (its memory goes
 * with the page context).
 */
static void
cancel_slice(Slice *slice)
{
	ListCell   *lc;

	if (slice->search != NULL)
		hubspot_page_cancel(slice->search);
	if (slice->filling != NULL)
		slice->to_write = lappend(slice->to_write, slice->filling);
	foreach(lc, slice->to_write)
	{
		SliceBatch *batch = lfirst(lc);
		ListCell   *read;

		foreach(read, batch->association_reads)
			associations_cancel(lfirst(read));
	}
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
	hubspot_client_init(&cxt.client, settings);
	cxt.track_seen = true;
	cxt.page_cxt = AllocSetContextCreate(TopMemoryContext, "hubspot_sync page",
										 ALLOCSET_DEFAULT_SIZES);

	PG_TRY();
	{
		const char *args[3];
		Slice		slice;
		int64		search_low;

		sync_begin_transaction(psprintf("hubspot_sync: starting a search slice of %s", slot->object_type));
		sync_find_object_type(&cxt);
		sync_prepare_upsert(&cxt);
		sync_read_property_names(&cxt);
		sync_commit_transaction();
		args[0] = cxt.type->name;
		args[1] = sync_int64_text(slot->parent_run_id);

		memset(&slice, 0, sizeof(slice));
		slice.cxt = &cxt;
		slice.slice_cxt = AllocSetContextCreate(TopMemoryContext, "hubspot_sync slice",
												ALLOCSET_DEFAULT_SIZES);
		slice.args = args;
		sync_begin_transaction(psprintf("hubspot_sync: checking the %s full sync", cxt.type->name));
		slice.searching = read_progress(&slice, &search_low);
		sync_commit_transaction();
		if (search_low >= 0)
			slice.below = MemoryContextStrdup(slice.slice_cxt, sync_int64_text(search_low));
		run_slice(&slice);
		cancel_slice(&slice);
		MemoryContextDelete(slice.slice_cxt);
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
	slot->dropped_chars = cxt.client.dropped_chars;
	slot->daily_remaining = cxt.client.daily_remaining;
	slot->finished_at = GetCurrentTimestamp();
}
