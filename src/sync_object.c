/*-------------------------------------------------------------------------
 * sync_object.c
 *	  Sync of one object type, run by a sync worker.
 *
 * Each page is fetched outside any transaction, then upserted in a
 * transaction of its own that also moves the resume cursor and the run's
 * progress: a crash, a cancel or a killed worker loses no committed page,
 * and the next run goes on from the page after the last committed one.
 *
 * A sync is full or incremental:
 * - full: every page of the live list and every page of the archived
 *	 list (archived rows are marked, not deleted), with every property the
 *	 type defines.  When a full sync went through every page in one run,
 *	 rows it never saw (merged away, or gone from HubSpot's recycle bin)
 *	 are marked gone; a resumed one never marks anything.  Beside the live
 *	 list, a search slice in another worker (sync_slice.c) reads from the
 *	 highest id down until the two meet.
 * - incremental: the search endpoint, records modified at or after the
 *	 cursor less an overlap (the search index lags), oldest first, read by
 *	 keyset (modification time, then id) rather than by offset, so a record
 *	 modified mid-read never pushes another past a page boundary and the
 *	 search's 10,000-result cap never applies.  The cursor only moves over
 *	 pages written.
 *
 * Only one sync of an object type runs at a time: a session-level advisory
 * lock (key HUBSPOT_LOCK_CLASS, object type number) guards it, so a second
 * sync reports "skipped" at once instead of waiting.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "associations.h"
#include "convert.h"
#include "sync_common.h"
#include "sync_launcher.h"
#include "sync_reference.h"

/* First key of the advisory locks: "HSNC". */
#define HUBSPOT_LOCK_CLASS 0x48534E43

/* The search slice running beside this worker's full sync, if any. */
static SliceWorker *running_slice = NULL;
static bool slice_exit_callback_set = false;

/*
 * On the way out of a worker killed or cancelled mid-sync (a FATAL skips
 * PG_CATCH): stop its slice too, so that a cancel stops the whole sync.
 */
static void
stop_slice_at_exit(int code, Datum arg)
{
	if (running_slice != NULL && running_slice->handle != NULL)
		TerminateBackgroundWorker(running_slice->handle);
}

/* Where the last run left the object type. */
typedef struct SyncState
{
	char	   *full_phase;		/* "live"/"archived": a full sync to resume */
	char	   *full_after;		/* its cursor in that phase, NULL = start */
	int64		cursor_ms;		/* incremental cursor, -1 when none */
	bool		full_due;		/* no full sync within full_sync_interval */
} SyncState;

/*
 * Take the lock, close runs left "running" by a process that died, read
 * where the last run left off, decide the mode, and open a run row.
 * Returns false when another sync of the type holds the lock.
 */
static bool
start_run(SyncContext *cxt, SyncState *state)
{
	SyncSlot   *slot = cxt->slot;
	const HubspotSettings *settings = cxt->client.settings;
	const char *name = slot->object_type;
	const char *args[3];
	char	   *sql;
	char	   *value;
	HeapTuple	row;
	TupleDesc	desc;

	sync_begin_transaction(psprintf("hubspot_sync: starting %s", name));
	sync_find_object_type(cxt);

	sql = psprintf("SELECT pg_catalog.pg_try_advisory_lock(%d, %d)",
				   HUBSPOT_LOCK_CLASS, cxt->type->lock_key);
	sync_run_sql(sql, 0, NULL);
	if (strcmp(sync_first_value(), "t") != 0)
	{
		sql = psprintf("SELECT pid FROM pg_catalog.pg_locks WHERE locktype = 'advisory'"
					   " AND classid = %u AND objid = %u AND objsubid = 2 AND granted",
					   (uint32) HUBSPOT_LOCK_CLASS, (uint32) cxt->type->lock_key);
		sync_run_sql(sql, 0, NULL);
		value = sync_first_value();
		slot->status = SYNC_SKIPPED;
		slot->sqlerrcode = ERRCODE_LOCK_NOT_AVAILABLE;
		snprintf(slot->message, sizeof(slot->message),
				 "a sync of %s is already running", name);
		snprintf(slot->detail, sizeof(slot->detail),
				 "Process %s is running it; this one did nothing.", value ? value : "?");
		sync_commit_transaction();
		return false;
	}
	/*
	 * Read the type again, now under the lock hubspot_add_column() takes
	 * too, so the upsert has every column added before this run.
	 */
	sync_find_object_type(cxt);
	sync_prepare_upsert(cxt);

	args[0] = name;
	sync_run_sql(psprintf("UPDATE %s.hubspot_sync_runs SET status = 'aborted',"
					 " finished_at = pg_catalog.clock_timestamp(),"
					 " error_message = 'the sync stopped before finishing (its process was canceled, killed or crashed)'"
					 " WHERE object_type = $1 AND status = 'running'", cxt->schema),
			1, args);
	sync_run_sql(psprintf("INSERT INTO %s.hubspot_sync_state (object_type) VALUES ($1)"
					 " ON CONFLICT (object_type) DO NOTHING", cxt->schema),
			1, args);
	args[1] = psprintf("%d", settings->full_sync_interval_s);
	sync_run_sql(psprintf("SELECT full_sync_phase, full_sync_after,"
					 " (EXTRACT(epoch FROM last_modified_cursor) * 1000)::pg_catalog.int8,"
					 " last_full_sync_at IS NULL OR $2::int = 0 OR"
					 " last_full_sync_at < pg_catalog.now() - pg_catalog.make_interval(secs => $2::int)"
					 " FROM %s.hubspot_sync_state WHERE object_type = $1",
					 cxt->schema), 2, args);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	value = SPI_getvalue(row, desc, 1);
	state->full_phase = value ? MemoryContextStrdup(TopMemoryContext, value) : NULL;
	value = SPI_getvalue(row, desc, 2);
	state->full_after = value ? MemoryContextStrdup(TopMemoryContext, value) : NULL;
	value = SPI_getvalue(row, desc, 3);
	state->cursor_ms = value ? pg_strtoint64(value) : -1;
	state->full_due = strcmp(SPI_getvalue(row, desc, 4), "t") == 0;

	/* full => true starts over, whatever an unfinished full sync left. */
	if (slot->full && state->full_phase != NULL)
	{
		pfree(state->full_phase);
		state->full_phase = NULL;
		state->full_after = NULL;
	}
	if (state->full_phase != NULL)
		strlcpy(slot->mode, "full (resumed)", sizeof(slot->mode));
	else if (slot->full || state->full_due || state->cursor_ms < 0)
		strlcpy(slot->mode, "full", sizeof(slot->mode));
	else
		strlcpy(slot->mode, "incremental", sizeof(slot->mode));

	args[1] = slot->mode;
	args[2] = slot->started_by;
	sync_run_sql(psprintf("INSERT INTO %s.hubspot_sync_runs (object_type, mode, status, started_at, started_by)"
					 " VALUES ($1, $2, 'running', pg_catalog.clock_timestamp(), $3) RETURNING run_id",
					 cxt->schema), 3, args);
	slot->run_id = pg_strtoint64(sync_first_value());
	slot->started_at = GetCurrentTimestamp();

	sync_commit_transaction();
	return true;
}

/*
 * Read the type's property definitions, keep them in hubspot_properties,
 * and ask for every one of them (and those the columns need, should the
 * portal not list them).
 */
static void
load_properties(SyncContext *cxt)
{
	Jsonb	   *definitions;
	Oid			types[2] = {TEXTOID, JSONBOID};
	Datum		values[2];

	definitions = hubspot_property_definitions(&cxt->client, cxt->type);

	/*
	 * A definition's flags go through the lenient parser: one odd value
	 * ("hidden": "sometimes") must not fail every sync of the type.
	 */
	sync_begin_transaction(psprintf("hubspot_sync: storing %s property definitions", cxt->type->name));
	values[0] = CStringGetTextDatum(cxt->type->name);
	values[1] = JsonbPGetDatum(definitions);
	if (SPI_execute_with_args(psprintf(
									   "WITH defs AS (\n"
									   "  SELECT d OPERATOR(pg_catalog.->>) 'name' AS name, d FROM pg_catalog.jsonb_array_elements($2) d\n"
									   "  WHERE d OPERATOR(pg_catalog.->>) 'name' IS NOT NULL\n"
									   "), gone AS (\n"
									   "  DELETE FROM %s.hubspot_properties p WHERE p.object_type = $1\n"
									   "  AND NOT EXISTS (SELECT 1 FROM defs WHERE defs.name = p.name)\n"
									   ")\n"
									   "INSERT INTO %s.hubspot_properties AS t (object_type, name, label, type, field_type,"
									   " group_name, description, hidden, calculated, raw_json)\n"
									   "SELECT DISTINCT ON (name) $1, name, d->>'label', d->>'type', d->>'fieldType', d->>'groupName',"
									   " d->>'description', %s.hubspot_parse_boolean(d->>'hidden'),"
									   " %s.hubspot_parse_boolean(d->>'calculated'), d FROM defs\n"
									   "ON CONFLICT (object_type, name) DO UPDATE SET label = EXCLUDED.label, type = EXCLUDED.type,"
									   " field_type = EXCLUDED.field_type, group_name = EXCLUDED.group_name,"
									   " description = EXCLUDED.description, hidden = EXCLUDED.hidden,"
									   " calculated = EXCLUDED.calculated, raw_json = EXCLUDED.raw_json,"
									   " synced_at = pg_catalog.now()\n"
									   "WHERE t.raw_json <> EXCLUDED.raw_json",
									   cxt->schema, cxt->schema, cxt->schema, cxt->schema),
							  2, types, values, NULL, false, 0) < 0)
		elog(ERROR, "could not store property definitions");

	sync_read_property_names(cxt);
	sync_commit_transaction();
}

/* Write the run's counters; status NULL leaves it "running". */
static void
update_run(SyncContext *cxt, const char *status, const char *error)
{
	SyncSlot   *slot = cxt->slot;
	const char *args[15];

	args[0] = sync_int64_text(slot->run_id);
	args[1] = status;
	args[2] = sync_int64_text(slot->pages);
	args[3] = sync_int64_text(cxt->client.requests);
	args[4] = sync_int64_text(cxt->client.retries);
	args[5] = sync_int64_text(slot->records);
	args[6] = sync_int64_text(slot->inserted);
	args[7] = sync_int64_text(slot->updated);
	args[8] = sync_int64_text(slot->unchanged);
	args[9] = sync_int64_text(slot->skipped + slot->bad_values + cxt->client.dropped_chars +
							  slot->reference_skipped);
	args[10] = error;
	args[11] = sync_int64_text(cxt->client.rate_limited);
	args[12] = sync_int64_text(slot->archived);
	args[13] = slot->mode;
	args[14] = cxt->client.daily_remaining >= 0 ? sync_int64_text(cxt->client.daily_remaining) : NULL;
	/* Text parameters keep sync_run_sql simple; cast them here. */
	sync_run_sql(psprintf("UPDATE %s.hubspot_sync_runs SET"
					 " status = COALESCE($2, status),"
					 " finished_at = CASE WHEN $2 IS NULL THEN NULL ELSE pg_catalog.clock_timestamp() END,"
					 " pages = $3::int, http_requests = $4::int, retries = $5::int,"
					 " records = $6::bigint, inserted = $7::bigint, updated = $8::bigint,"
					 " unchanged = $9::bigint, warnings = $10::bigint, error_message = $11,"
					 " rate_limited = $12::int, archived = $13::bigint, mode = $14,"
					 " daily_remaining = COALESCE($15::int, daily_remaining)"
					 " WHERE run_id = $1::bigint", cxt->schema),
			15, args);
}

static int64
timestamp_to_epoch_ms(TimestampTz ts)
{
	return ts / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
}

/* Wait for the search slice to end and add what it did to this run. */
static void
finish_slice(SyncContext *cxt, bool terminate)
{
	SyncSlot	result;
	SyncSlot   *slot = cxt->slot;

	if (running_slice == NULL)
		return;
	hubspot_finish_search_slice(running_slice, terminate, &result);
	running_slice = NULL;
	if (terminate)
		return;

	slot->pages += result.pages;
	slot->records += result.records;
	slot->inserted += result.inserted;
	slot->updated += result.updated;
	slot->unchanged += result.unchanged;
	slot->skipped += result.skipped;
	slot->bad_values += result.bad_values;
	if (slot->examples[0] == '\0')
		strlcpy(slot->examples, result.examples, sizeof(slot->examples));
	if (result.pages > 0)
		strlcat(slot->mode, ", list + search", sizeof(slot->mode));
	cxt->client.requests += result.requests;
	cxt->client.retries += result.retries;
	cxt->client.rate_limited += result.rate_limited;
	cxt->client.dropped_chars += result.dropped_chars;
	if (result.requests > 0)	/* else the slice never said */
		hubspot_client_note_daily_remaining(&cxt->client, result.daily_remaining);
	if (result.status != SYNC_SUCCEEDED)
		ereport(LOG,
				(errmsg("hubspot_sync: the search slice of the %s full sync stopped early: %s",
						slot->object_type,
						result.status == SYNC_PENDING ? "its worker exited without a result" : result.message),
				 result.detail[0] ? errdetail_internal("%s", result.detail) : 0,
				 errhint("The list went on alone; nothing is missed.")));
}

/* Forget the ids the type's last run read (in the current transaction). */
static void
delete_seen_ids(SyncContext *cxt)
{
	const char *args[1] = {cxt->type->name};

	sync_run_sql(psprintf("DELETE FROM %s.hubspot_sync_seen WHERE object_type = $1", cxt->schema),
				 1, args);
}

/* A full sync's list: two cursor chains, indexes into ListChains' arrays. */
#define LIVE_CHAIN 0
#define ARCHIVED_CHAIN 1

typedef struct ListChains
{
	HubspotPendingPage *next[2];	/* the page asked for and not yet read */
	char	   *after[2];		/* its cursor (NULL: the first), or NULL */
	bool		started[2];
	bool		done[2];		/* every page of the chain read */
	bool		resume_pending; /* the first page, of a resumed sync, not yet read */
	int			empty_pages[2]; /* empty pages in a row, each with a cursor */
} ListChains;

/*
 * A list that keeps answering empty pages with new cursors would be read
 * forever; HubSpot's lists report no total to bound it by, so this many
 * empty pages in a row end the sync with an error.
 */
#define MAX_EMPTY_PAGES_IN_A_ROW 100

/*
 * A page's cursor must lead somewhere new: the same cursor again, or page
 * after empty page, would read the same list forever (at the full rate
 * budget, and the scheduler has no statement_timeout).
 */
static void
check_list_progress(SyncContext *cxt, ListChains *chains, int chain, HubspotPage *page)
{
	const char *asked = chains->after[chain];

	if (page->next_after == NULL)
		return;
	if (asked != NULL && strcmp(asked, page->next_after) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_PAGING_LOOP),
				 errmsg("HubSpot's %s list did not advance", cxt->type->name),
				 errdetail("The page after cursor \"%s\" named the same cursor as the next one.",
						   page->next_after),
				 errhint("The next sync starts the list again from the cursor it stored; a full sync (full => true) starts from the beginning.")));
	chains->empty_pages[chain] = page->nresults == 0 ? chains->empty_pages[chain] + 1 : 0;
	if (chains->empty_pages[chain] >= MAX_EMPTY_PAGES_IN_A_ROW)
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_PAGING_LOOP),
				 errmsg("HubSpot's %s list answered %d empty pages in a row",
						cxt->type->name, chains->empty_pages[chain]),
				 errdetail("Each named a further cursor; the last was \"%s\".", page->next_after)));
}

/*
 * Ask for a chain's page after the cursor after (NULL: its first page);
 * after NULL on a chain already started means it has no more pages.
 */
static void
ask_for_page(SyncContext *cxt, ListChains *chains, int chain, const char *after)
{
	if (chains->after[chain] != NULL)
		pfree(chains->after[chain]);
	chains->after[chain] = after ? MemoryContextStrdup(TopMemoryContext, after) : NULL;
	if (after == NULL && chains->started[chain])
		return;
	chains->next[chain] = hubspot_list_page_start(&cxt->client, cxt->type, cxt->properties,
												  chain == ARCHIVED_CHAIN, after);
	chains->started[chain] = true;
}

/*
 * Read the page asked for on chain.  The first page of a resumed full sync
 * carries the cursor an earlier run stored, which HubSpot may no longer
 * accept (HTTP 400): then the page is dropped, a LOG line says why, and
 * false tells the caller to start the list over.  Any other error is
 * raised.
 */
static bool
first_page_of_resume(SyncContext *cxt, ListChains *chains, int chain, HubspotPage *page)
{
	MemoryContext cxt_before = CurrentMemoryContext;
	bool		resumed_cursor = chains->resume_pending && chains->after[chain] != NULL;
	volatile bool refused = false;

	chains->resume_pending = false;
	if (!resumed_cursor)
	{
		hubspot_page_finish(chains->next[chain], page);
		return true;
	}
	cxt->client.last_error_status = 0;
	PG_TRY();
	{
		hubspot_page_finish(chains->next[chain], page);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		if (cxt->client.last_error_status != 400)
			PG_RE_THROW();
		MemoryContextSwitchTo(cxt_before);
		edata = CopyErrorData();
		FlushErrorState();
		hubspot_cancel_requests();
		ereport(LOG,
				(errmsg("HubSpot refused the stored cursor of the unfinished %s full sync; starting the list over",
						cxt->type->name),
				 errdetail_internal("%s %s", edata->message, edata->detail ? edata->detail : "")));
		FreeErrorData(edata);
		refused = true;
	}
	PG_END_TRY();
	return !refused;
}

/*
 * A full sync: the live list, then (or beside it) the archived list, from
 * where an unfinished one stopped (phase, after) or from the start.
 *
 * HubSpot's list is one cursor chain: a page at a time, one round trip
 * each.  Beside it, a search slice in another worker reads the live
 * records from the highest id down (hubspot_sync_search_slice); each side
 * commits how far it got, and the list stops once it reaches what the
 * slice has written.  The list's cursor is opaque, so the list only stops
 * early while its pages come in rising id order (as HubSpot's do); should
 * they not, it reads to the end and the slice stops.
 */
static void
sync_full(SyncContext *cxt, const char *phase, const char *after)
{
	static const char *const phases[] = {"live", "archived"};
	const HubspotSettings *settings = cxt->client.settings;
	const char *args[5];
	bool		resumed = phase != NULL;
	int64		list_high;
	int64		search_low;
	bool		slice_ran = false;	/* one slice per run */
	static SliceWorker slice;	/* outlives an error, for finish_slice */
	ListChains	chains;

	/* Only a full sync that sees every page may mark the unseen gone. */
	cxt->track_seen = !resumed;
	sync_begin_transaction(psprintf("hubspot_sync: starting a full sync of %s", cxt->type->name));
	args[0] = cxt->type->name;
	if (!resumed)
	{
		delete_seen_ids(cxt);
		sync_run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_phase = 'live',"
						 " full_sync_after = NULL, full_sync_started_at = pg_catalog.now(),"
						 " full_sync_max_modified = NULL, full_sync_list_high = NULL,"
						 " full_sync_search_low = NULL"
						 " WHERE object_type = $1", cxt->schema), 1, args);
	}
	sync_run_sql(psprintf("SELECT full_sync_list_high, full_sync_search_low FROM %s.hubspot_sync_state"
					 " WHERE object_type = $1", cxt->schema), 1, args);
	list_high = sync_state_id(1);
	search_low = sync_state_id(2);
	sync_commit_transaction();

	/*
	 * Two cursor chains: the live list and the archived one.  Each page's
	 * successor is asked for before the page is written, so HubSpot
	 * prepares it while we write: a chain costs a round trip a page, not a
	 * round trip plus a write.  The archived chain follows the live one,
	 * or runs beside it once a search slice does (its pages are then
	 * written as they come; a resume reads them again).
	 */
	memset(&chains, 0, sizeof(chains));
	chains.resume_pending = resumed;
	if (resumed && strcmp(phase, "archived") == 0)
	{
		chains.done[LIVE_CHAIN] = true;
		ask_for_page(cxt, &chains, ARCHIVED_CHAIN, after);
	}
	else
		ask_for_page(cxt, &chains, LIVE_CHAIN, resumed ? after : NULL);

	while (chains.next[LIVE_CHAIN] != NULL || chains.next[ARCHIVED_CHAIN] != NULL)
	{
		/* The live page unless the archived one is in already. */
		int			chain = (chains.next[ARCHIVED_CHAIN] != NULL &&
							 (chains.next[LIVE_CHAIN] == NULL ||
							  hubspot_page_ready(chains.next[ARCHIVED_CHAIN]))) ?
			ARCHIVED_CHAIN : LIVE_CHAIN;
		bool		archived = chain == ARCHIVED_CHAIN;
		HubspotPage page;
		PageIds		ids;
		StringInfo	long_lists;
		bool		met = false;
		MemoryContext oldcxt = MemoryContextSwitchTo(cxt->page_cxt);

		pgstat_report_activity(STATE_RUNNING,
							   psprintf("hubspot_sync: fetching %s%s page %d", cxt->type->name,
										archived ? " (archived)" : "", cxt->slot->pages + 1));
		if (!first_page_of_resume(cxt, &chains, chain, &page))
		{
			/* HubSpot refused the stored cursor: read the list from the start. */
			strlcpy(cxt->slot->mode, "full (stored cursor refused, restarted)",
					sizeof(cxt->slot->mode));
			MemoryContextSwitchTo(oldcxt);
			MemoryContextReset(cxt->page_cxt);
			sync_full(cxt, NULL, NULL);
			return;
		}
		chains.next[chain] = NULL;
		check_list_progress(cxt, &chains, chain, &page);

		if (!archived)
		{
			/* What the list now covers, for the search slice. */
			sync_read_page_ids(page.results, &ids);
			if (list_high != LIST_NOT_IN_ID_ORDER && ids.texts != NIL)
			{
				if (ids.ascending && ids.first > list_high)
					list_high = ids.last;
				else
					list_high = LIST_NOT_IN_ID_ORDER;
			}
			if (list_high != LIST_NOT_IN_ID_ORDER && search_low >= 0 && list_high >= search_low)
				page.next_after = NULL; /* met the slice (as last seen) */
		}

		/* Ask for the chain's next page now; the write below may still end it. */
		ask_for_page(cxt, &chains, chain, page.next_after);
		if (page.next_after == NULL)
			chains.done[chain] = true;
		/* Association lists HubSpot cut short: the rest, from v4. */
		long_lists = archived ? NULL : associations_read_cut_short(cxt, &page);

		sync_begin_transaction(psprintf("hubspot_sync: writing %s page %d",
										cxt->type->name, cxt->slot->pages + 1));
		if (!archived)
		{
			/*
			 * Where the slice got to, as committed: once the list reaches
			 * it, the live records are all written.  The slice wrote the
			 * records from there up; leave them out.  With no slice running
			 * it cannot move from what the run started with (a resumed
			 * run's earlier slice), so a list-only sync does not ask again
			 * each page.
			 */
			if (running_slice != NULL)
			{
				sync_run_sql(psprintf("SELECT full_sync_search_low FROM %s.hubspot_sync_state"
									  " WHERE object_type = $1", cxt->schema), 1, args);
				search_low = sync_state_id(1);
			}
			met = list_high != LIST_NOT_IN_ID_ORDER && search_low >= 0 &&
				list_high >= search_low;
			if (met)
			{
				sync_drop_ids_from(&page, search_low, true);
				if (page.next_after != NULL)
				{
					/* The live page asked for is not needed. */
					hubspot_page_cancel(chains.next[LIVE_CHAIN]);
					chains.next[LIVE_CHAIN] = NULL;
					ask_for_page(cxt, &chains, LIVE_CHAIN, NULL);
					chains.done[LIVE_CHAIN] = true;
				}
				page.next_after = NULL;
			}
			if (chains.done[LIVE_CHAIN] && !chains.started[ARCHIVED_CHAIN])
				ask_for_page(cxt, &chains, ARCHIVED_CHAIN, NULL);
		}
		sync_upsert_page(cxt, &page, archived,
						 long_lists ? associations_by_id(long_lists) : NULL);

		/* The resume point: the live chain's, then the archived chain's. */
		chain = !chains.done[LIVE_CHAIN] ? LIVE_CHAIN : ARCHIVED_CHAIN;
		args[1] = chains.done[chain] ? NULL : chains.after[chain];
		args[2] = chains.done[chain] ? NULL : phases[chain];
		args[3] = cxt->page_max_updated ?
			sync_int64_text(timestamp_to_epoch_ms(cxt->page_max_updated)) : NULL;
		args[4] = list_high >= 0 ? sync_int64_text(list_high) : NULL;
		sync_run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_phase = $3,"
							  " full_sync_after = $2, full_sync_max_modified = GREATEST(full_sync_max_modified,"
							  " pg_catalog.to_timestamp($4::bigint / 1000.0)),"
							  " full_sync_list_high = COALESCE($5, full_sync_list_high)"
							  " WHERE object_type = $1", cxt->schema),
					 5, args);
		update_run(cxt, NULL, NULL);
		sync_commit_transaction();

		/* More than a page to read: let a search slice take the top. */
		if (!archived && page.next_after && running_slice == NULL &&
			settings->parallel_full_sync && list_high != LIST_NOT_IN_ID_ORDER &&
			!slice_ran)
		{
			slice_ran = true;
			if (hubspot_start_search_slice(settings, cxt->slot, &slice))
			{
				running_slice = &slice;
				if (!slice_exit_callback_set)
					before_shmem_exit(stop_slice_at_exit, (Datum) 0);
				slice_exit_callback_set = true;
				/* The live chain is now the long one: the archived runs beside. */
				if (!chains.started[ARCHIVED_CHAIN])
					ask_for_page(cxt, &chains, ARCHIVED_CHAIN, NULL);
			}
			else
				ereport(LOG,
						(errmsg("hubspot_sync: no background worker free for a search slice of %s; the list goes on alone",
								cxt->type->name),
						 errhint("Raise max_worker_processes to let full syncs run a search slice.")));
		}

		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(cxt->page_cxt);
		if (!archived && chains.done[LIVE_CHAIN])
			finish_slice(cxt, false);	/* the live records are all in */
	}

	sync_begin_transaction(psprintf("hubspot_sync: finishing the full sync of %s", cxt->type->name));
	if (cxt->track_seen)
	{
		/*
		 * Rows changed in HubSpot shortly before the sync started may be
		 * missing from the search index yet: never mark those.
		 */
		args[1] = psprintf("%d", settings->incremental_overlap_ms);
		sync_run_sql(psprintf("WITH seen AS (SELECT pg_catalog.count(*) AS n FROM %s.hubspot_sync_seen"
						 "   WHERE object_type = $1),"
						 " started AS (SELECT full_sync_started_at AS at FROM %s.hubspot_sync_state"
						 "   WHERE object_type = $1),"
						 " gone AS (UPDATE %s.%s t SET archived = true, archived_at = pg_catalog.now(),"
						 "   archived_reason = 'not listed by HubSpot''s last complete full sync"
						 " (merged into another record, or deleted for good)'"
						 "   WHERE NOT t.archived AND (SELECT n FROM seen) > 0"
						 "   AND (t.updated_at IS NULL OR t.updated_at < (SELECT at FROM started)"
						 "        - pg_catalog.make_interval(secs => $2::int / 1000.0))"
						 "   AND NOT EXISTS (SELECT 1 FROM %s.hubspot_sync_seen s"
						 "     WHERE s.object_type = $1 AND s.hubspot_id = t.hubspot_id)"
						 "   RETURNING 1)"
						 " SELECT pg_catalog.count(*) FROM gone",
						 cxt->schema, cxt->schema, cxt->schema,
						 quote_identifier(cxt->type->table), cxt->schema), 2, args);
		cxt->slot->archived += pg_strtoint64(sync_first_value());
	}
	delete_seen_ids(cxt);
	/*
	 * Incremental syncs go on from the newest modification written, or from
	 * the start of this full sync if that is earlier: a record changed while
	 * it ran was changed after its start.
	 */
	sync_run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_phase = NULL, full_sync_after = NULL,"
					 " last_full_sync_at = pg_catalog.now(),"
					 " last_modified_cursor = LEAST(COALESCE(full_sync_started_at, pg_catalog.now()),"
					 "   COALESCE(full_sync_max_modified, full_sync_started_at, pg_catalog.now())),"
					 " full_sync_started_at = NULL, full_sync_max_modified = NULL,"
					 " full_sync_list_high = NULL, full_sync_search_low = NULL"
					 " WHERE object_type = $1", cxt->schema), 1, args);
	update_run(cxt, NULL, NULL);
	sync_commit_transaction();
}

/*
 * The modification time (epoch ms) of a search page's last record, the
 * keyset the next query goes on from, and (if id is not NULL) its id, in
 * TopMemoryContext; false when the page has no record with both.
 */
static bool
page_last_key(SyncContext *cxt, HubspotPage *page, int64 *modified_ms, char **id)
{
	JsonbValue *last;
	char	   *last_id;
	char	   *modified;
	TimestampTz ts;

	if (page->nresults == 0)
		return false;
	last = getIthJsonbValueFromContainer(&page->results->root, page->nresults - 1);
	if (last->type != jbvBinary || !JsonContainerIsObject(last->val.binary.data))
		return false;
	last_id = hubspot_jsonb_string(last->val.binary.data, "id");
	modified = hubspot_jsonb_string(hubspot_jsonb_object(last->val.binary.data, "properties"),
									cxt->type->modified_property);
	if (last_id == NULL || modified == NULL || !hubspot_parse_timestamp_cstring(modified, &ts))
		return false;
	*modified_ms = timestamp_to_epoch_ms(ts);
	if (id != NULL)
		*id = MemoryContextStrdup(TopMemoryContext, last_id);
	return true;
}

/* Empty the type's hubspot_sync_seen, in a transaction of its own. */
static void
forget_seen_ids(SyncContext *cxt)
{
	sync_begin_transaction(psprintf("hubspot_sync: forgetting the %s ids read", cxt->type->name));
	delete_seen_ids(cxt);
	sync_commit_transaction();
}

/* Write a page of search results and move the incremental cursor over it. */
static void
write_search_page(SyncContext *cxt, HubspotPage *page)
{
	const char *args[2];

	sync_begin_transaction(psprintf("hubspot_sync: writing %s page %d",
									cxt->type->name, cxt->slot->pages + 1));
	sync_upsert_page(cxt, page, true, NULL);
	if (cxt->page_max_updated != 0)
	{
		/* Only over what was written, and never backwards. */
		args[0] = cxt->type->name;
		args[1] = sync_int64_text(timestamp_to_epoch_ms(cxt->page_max_updated));
		sync_run_sql(psprintf("UPDATE %s.hubspot_sync_state SET last_modified_cursor ="
							  " GREATEST(last_modified_cursor, pg_catalog.to_timestamp($2::bigint / 1000.0))"
							  " WHERE object_type = $1", cxt->schema), 2, args);
	}
	update_run(cxt, NULL, NULL);
	sync_commit_transaction();
}

/*
 * An incremental sync: every record modified at or after cursor_ms less
 * the overlap, read by keyset.  Each query is a first page, oldest first:
 * modified at or after the last time read (the records of that time read
 * already come again, and are left unchanged).  A record modified while
 * the sync reads gets a later time and comes in a later query; none slips
 * between two pages, as under offset paging, and the search's
 * 10,000-result cap never applies.  When a whole page shares one
 * modification time (a bulk update), the query cannot move on: the records
 * of that time are then read by id, a page at a time, and the next query
 * starts after it.
 */
static void
sync_incremental(SyncContext *cxt, int64 cursor_ms)
{
	int			limit = cxt->client.settings->search_page_size;
	int64		since = cursor_ms - cxt->client.settings->incremental_overlap_ms;

	/* The ids read, to count a record read again at a page boundary once. */
	cxt->track_seen = true;
	forget_seen_ids(cxt);

	for (;;)
	{
		HubspotPage page;
		int64		last_ms;
		char	   *last_id;
		bool		full_page;
		MemoryContext oldcxt = MemoryContextSwitchTo(cxt->page_cxt);

		pgstat_report_activity(STATE_RUNNING,
							   psprintf("hubspot_sync: searching %s changes, page %d",
										cxt->type->name, cxt->slot->pages + 1));
		hubspot_search_modified_since(&cxt->client, cxt->type, cxt->properties, since,
									  limit, &page);
		write_search_page(cxt, &page);
		full_page = page.nresults >= limit && page.next_after != NULL;
		if (full_page && !page_last_key(cxt, &page, &last_ms, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
					 errmsg("HubSpot's search returned a %s record without an id or a %s",
							cxt->type->name, cxt->type->modified_property),
					 errdetail("An incremental sync goes on from the last record's modification time.")));
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(cxt->page_cxt);
		if (!full_page)
		{
			forget_seen_ids(cxt);
			return;
		}
		if (last_ms > since)
		{
			since = last_ms;
			continue;
		}

		/* A whole page of one modification time: all of that time, by id. */
		last_id = NULL;
		do
		{
			char	   *after_id = last_id;
			int64		unused;

			oldcxt = MemoryContextSwitchTo(cxt->page_cxt);
			hubspot_search_modified_at(&cxt->client, cxt->type, cxt->properties, since,
									   after_id, limit, &page);
			write_search_page(cxt, &page);
			last_id = NULL;
			full_page = page.nresults >= limit && page.next_after != NULL &&
				page_last_key(cxt, &page, &unused, &last_id);
			MemoryContextSwitchTo(oldcxt);
			MemoryContextReset(cxt->page_cxt);
			if (after_id != NULL)
				pfree(after_id);
		} while (full_page);
		if (last_id != NULL)
			pfree(last_id);
		/* Modification times are whole milliseconds. */
		since++;
	}
}

/*
 * Sync slot->object_type, full or incremental as start_run decides.  Fills
 * the slot; an error is caught, recorded in the run log and the slot, and
 * not re-raised.
 */
void
hubspot_sync_object(const HubspotSettings *settings, SyncSlot *slot)
{
	SyncContext cxt;
	MemoryContext worker_cxt = CurrentMemoryContext;
	volatile bool started = false;

	memset(&cxt, 0, sizeof(cxt));
	cxt.slot = slot;
	hubspot_client_init(&cxt.client, settings);
	cxt.page_cxt = AllocSetContextCreate(TopMemoryContext, "hubspot_sync page",
										 ALLOCSET_DEFAULT_SIZES);

	PG_TRY();
	{
		SyncState	state;

		started = start_run(&cxt, &state);
		if (started)
		{
			load_properties(&cxt);
			sync_reference_data(&cxt);
			if (strcmp(slot->mode, "incremental") == 0)
				sync_incremental(&cxt, state.cursor_ms);
			else
				sync_full(&cxt, state.full_phase, state.full_after);

			sync_begin_transaction(psprintf("hubspot_sync: finishing %s", slot->object_type));
			update_run(&cxt, "succeeded", NULL);
			sync_commit_transaction();
			slot->status = SYNC_SUCCEEDED;
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(worker_cxt);
		edata = sync_recover_from_error(&cxt);
		finish_slice(&cxt, true);

		if (started)
		{
			sync_begin_transaction(psprintf("hubspot_sync: recording the failure of %s", slot->object_type));
			update_run(&cxt, "failed", edata->detail ?
					   psprintf("%s: %s", edata->message, edata->detail) : edata->message);
			sync_commit_transaction();
		}
		FreeErrorData(edata);
	}
	PG_END_TRY();

	slot->requests = cxt.client.requests;
	slot->retries = cxt.client.retries;
	slot->dropped_chars = cxt.client.dropped_chars;
	slot->finished_at = GetCurrentTimestamp();
}
