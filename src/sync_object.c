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
 * - full: every page of the live list, then every page of the archived
 *	 list (archived rows are marked, not deleted), with every property the
 *	 type defines.  When a full sync went through every page in one run,
 *	 rows it never saw (merged away, or gone from HubSpot's recycle bin)
 *	 are marked gone; a resumed one never marks anything.
 * - incremental: the search endpoint, records modified at or after the
 *	 cursor less an overlap (the search index lags), oldest first.  One
 *	 query stops at 10,000 results: the next starts from the last
 *	 modification time seen.  If 10,000 records share one modification
 *	 time that cannot move forward, the sync falls back to a full one.
 *	 The cursor only moves over pages written.
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
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "sync_launcher.h"
#include "sync_object.h"

/* First key of the advisory locks: "HSNC". */
#define HUBSPOT_LOCK_CLASS 0x48534E43

/* HubSpot's search stops at this many results per query. */
#define SEARCH_RESULT_CAP 10000

/*
 * A type with no more live records than this many list pages is left to
 * the list: its slice would mostly read what the list has written by then.
 */
#define SLICE_MIN_LIST_PAGES 20

/* full_sync_list_high when the list is not in id order: it covers nothing early. */
#define LIST_NOT_IN_ID_ORDER PG_INT64_MAX

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

typedef struct SyncContext
{
	const HubspotObjectType *type;
	int			type_number;
	char	   *schema;			/* quoted */
	SPIPlanPtr	upsert_plan;
	HubspotClient client;
	SyncSlot   *slot;
	List	   *properties;		/* every property name to ask for */
	bool		track_seen;		/* remember ids, to mark the unseen gone */
	TimestampTz page_max_updated;	/* of the last page written */
	MemoryContext page_cxt;		/* reset after each page */
} SyncContext;

/* Where the last run left the object type. */
typedef struct SyncState
{
	char	   *full_phase;		/* "live"/"archived": a full sync to resume */
	char	   *full_after;		/* its cursor in that phase, NULL = start */
	int64		cursor_ms;		/* incremental cursor, -1 when none */
	bool		full_due;		/* no full sync within full_sync_interval */
} SyncState;

static void read_property_names(SyncContext *cxt);

/* Where allocations went before the transaction, and go again after it. */
static MemoryContext outside_transaction_cxt = NULL;

static void
begin_transaction(const char *activity)
{
	outside_transaction_cxt = CurrentMemoryContext;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

static void
commit_transaction(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(outside_transaction_cxt);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* Run a statement with text parameters; returns SPI's result code. */
static int
run_sql(const char *sql, int nargs, const char **args)
{
	Oid			types[16];
	Datum		values[16];
	char		nulls[16];
	int			rc;

	Assert(nargs <= 16);
	memset(nulls, ' ', sizeof(nulls));
	for (int i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	return rc;
}

/* The first column of the first row of the last SPI result, as text. */
static char *
first_value(void)
{
	if (SPI_processed == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

static char *
int64_text(int64 v)
{
	return psprintf(INT64_FORMAT, v);
}

/*
 * In a transaction: find the extension's schema and prepare the upsert of
 * the object type's pages.
 */
static void
prepare_context(SyncContext *cxt)
{
	char	   *schema;
	Oid			upsert_types[4] = {JSONBOID, JSONBOID, BOOLOID, JSONBOID};

	run_sql("SELECT n.nspname FROM pg_catalog.pg_extension e"
			" JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
			" WHERE e.extname = 'hubspot_sync'", 0, NULL);
	schema = first_value();
	if (schema == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"hubspot_sync\" is not installed in this database")));
	cxt->schema = MemoryContextStrdup(TopMemoryContext, quote_identifier(schema));

	cxt->upsert_plan = SPI_prepare(hubspot_upsert_sql(cxt->type, schema), 4, upsert_types);
	if (cxt->upsert_plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(cxt->upsert_plan);
}

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
	const char *name = cxt->type->name;
	const char *args[3];
	char	   *sql;
	char	   *value;
	HeapTuple	row;
	TupleDesc	desc;

	begin_transaction(psprintf("hubspot_sync: starting %s", name));
	prepare_context(cxt);

	sql = psprintf("SELECT pg_catalog.pg_try_advisory_lock(%d, %d)",
				   HUBSPOT_LOCK_CLASS, cxt->type_number);
	run_sql(sql, 0, NULL);
	if (strcmp(first_value(), "t") != 0)
	{
		sql = psprintf("SELECT pid FROM pg_catalog.pg_locks WHERE locktype = 'advisory'"
					   " AND classid = %u AND objid = %u AND objsubid = 2 AND granted",
					   (uint32) HUBSPOT_LOCK_CLASS, (uint32) cxt->type_number);
		run_sql(sql, 0, NULL);
		value = first_value();
		slot->status = SYNC_SKIPPED;
		slot->sqlerrcode = ERRCODE_LOCK_NOT_AVAILABLE;
		snprintf(slot->message, sizeof(slot->message),
				 "a sync of %s is already running", name);
		snprintf(slot->detail, sizeof(slot->detail),
				 "Process %s is running it; this one did nothing.", value ? value : "?");
		commit_transaction();
		return false;
	}

	args[0] = name;
	run_sql(psprintf("UPDATE %s.hubspot_sync_runs SET status = 'aborted',"
					 " finished_at = pg_catalog.clock_timestamp(),"
					 " error_message = 'the sync stopped before finishing (its process was canceled, killed or crashed)'"
					 " WHERE object_type = $1 AND status = 'running'", cxt->schema),
			1, args);
	run_sql(psprintf("INSERT INTO %s.hubspot_sync_state (object_type) VALUES ($1)"
					 " ON CONFLICT (object_type) DO NOTHING", cxt->schema),
			1, args);
	args[1] = psprintf("%d", settings->full_sync_interval_s);
	run_sql(psprintf("SELECT full_sync_phase, full_sync_after,"
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

	if (state->full_phase != NULL)
		strlcpy(slot->mode, "full (resumed)", sizeof(slot->mode));
	else if (slot->full || state->full_due || state->cursor_ms < 0)
		strlcpy(slot->mode, "full", sizeof(slot->mode));
	else
		strlcpy(slot->mode, "incremental", sizeof(slot->mode));

	args[1] = slot->mode;
	args[2] = slot->started_by;
	run_sql(psprintf("INSERT INTO %s.hubspot_sync_runs (object_type, mode, status, started_at, started_by)"
					 " VALUES ($1, $2, 'running', pg_catalog.clock_timestamp(), $3) RETURNING run_id",
					 cxt->schema), 3, args);
	slot->run_id = pg_strtoint64(first_value());
	slot->started_at = GetCurrentTimestamp();

	commit_transaction();
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

	begin_transaction(psprintf("hubspot_sync: storing %s property definitions", cxt->type->name));
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
									   " d->>'description', (d->>'hidden')::boolean, (d->>'calculated')::boolean, d FROM defs\n"
									   "ON CONFLICT (object_type, name) DO UPDATE SET label = EXCLUDED.label, type = EXCLUDED.type,"
									   " field_type = EXCLUDED.field_type, group_name = EXCLUDED.group_name,"
									   " description = EXCLUDED.description, hidden = EXCLUDED.hidden,"
									   " calculated = EXCLUDED.calculated, raw_json = EXCLUDED.raw_json,"
									   " synced_at = pg_catalog.now()\n"
									   "WHERE t.raw_json <> EXCLUDED.raw_json",
									   cxt->schema, cxt->schema),
							  2, types, values, NULL, false, 0) < 0)
		elog(ERROR, "could not store property definitions");

	read_property_names(cxt);
	commit_transaction();
}

/* Every defined property, and those the columns need in any case. */
static void
read_property_names(SyncContext *cxt)
{
	MemoryContext oldcxt;
	List	   *names = NIL;
	const char *args[2];

	args[0] = cxt->type->name;
	args[1] = hubspot_object_properties(cxt->type);
	run_sql(psprintf("SELECT name FROM %s.hubspot_properties WHERE object_type = $1"
					 " UNION SELECT pg_catalog.unnest(pg_catalog.string_to_array($2, ','))"
					 " ORDER BY 1", cxt->schema), 2, args);
	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	for (uint64 i = 0; i < SPI_processed; i++)
		names = lappend(names, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	MemoryContextSwitchTo(oldcxt);
	cxt->properties = names;
}

static int64
int64_column(HeapTuple tuple, TupleDesc desc, int column)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, column, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/* Write the run's counters; status NULL leaves it "running". */
static void
update_run(SyncContext *cxt, const char *status, const char *error)
{
	SyncSlot   *slot = cxt->slot;
	const char *args[14];

	args[0] = int64_text(slot->run_id);
	args[1] = status;
	args[2] = int64_text(slot->pages);
	args[3] = int64_text(cxt->client.requests);
	args[4] = int64_text(cxt->client.retries);
	args[5] = int64_text(slot->records);
	args[6] = int64_text(slot->inserted);
	args[7] = int64_text(slot->updated);
	args[8] = int64_text(slot->unchanged);
	args[9] = int64_text(slot->skipped + slot->bad_values);
	args[10] = error;
	args[11] = int64_text(cxt->client.rate_limited);
	args[12] = int64_text(slot->archived);
	args[13] = slot->mode;
	/* Text parameters keep run_sql simple; cast them here. */
	run_sql(psprintf("UPDATE %s.hubspot_sync_runs SET"
					 " status = COALESCE($2, status),"
					 " finished_at = CASE WHEN $2 IS NULL THEN NULL ELSE pg_catalog.clock_timestamp() END,"
					 " pages = $3::int, http_requests = $4::int, retries = $5::int,"
					 " records = $6::bigint, inserted = $7::bigint, updated = $8::bigint,"
					 " unchanged = $9::bigint, warnings = $10::bigint, error_message = $11,"
					 " rate_limited = $12::int, archived = $13::bigint, mode = $14"
					 " WHERE run_id = $1::bigint", cxt->schema),
			14, args);
}

/* Upsert the page's records into the table; count what happened. */
static void
upsert_page(SyncContext *cxt, HubspotPage *page, bool keep_associations,
			Jsonb *associations)
{
	SyncSlot   *slot = cxt->slot;
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;
	int			rc;

	values[0] = JsonbPGetDatum(page->results);
	values[1] = page->extra ? JsonbPGetDatum(page->extra) : (Datum) 0;
	nulls[1] = page->extra ? ' ' : 'n';
	values[2] = BoolGetDatum(keep_associations);
	values[3] = associations ? JsonbPGetDatum(associations) : (Datum) 0;
	nulls[3] = associations ? ' ' : 'n';
	rc = SPI_execute_plan(cxt->upsert_plan, values, nulls, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "upsert of a page returned %s", SPI_result_code_string(rc));
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	slot->inserted += int64_column(tuple, desc, 1);
	slot->updated += int64_column(tuple, desc, 2);
	slot->unchanged += int64_column(tuple, desc, 3);
	slot->skipped += int64_column(tuple, desc, 4);
	slot->bad_values += int64_column(tuple, desc, 5);
	d = SPI_getbinval(tuple, desc, 6, &isnull);
	if (!isnull && slot->examples[0] == '\0')
		strlcpy(slot->examples, TextDatumGetCString(d), sizeof(slot->examples));
	d = SPI_getbinval(tuple, desc, 7, &isnull);
	cxt->page_max_updated = isnull ? 0 : DatumGetTimestampTz(d);
	slot->archived += int64_column(tuple, desc, 8);
	slot->records += page->nresults;
	slot->pages++;

	if (cxt->track_seen)
	{
		Oid			types[2] = {JSONBOID, TEXTOID};
		Datum		seen[2];

		seen[0] = values[0];
		seen[1] = CStringGetTextDatum(cxt->type->name);
		if (SPI_execute_with_args(psprintf("INSERT INTO %s.hubspot_sync_seen (object_type, hubspot_id)"
										   " SELECT $2, r OPERATOR(pg_catalog.->>) 'id'"
										   " FROM pg_catalog.jsonb_array_elements($1) r"
										   " WHERE r OPERATOR(pg_catalog.->>) 'id' IS NOT NULL"
										   " ON CONFLICT DO NOTHING", cxt->schema),
								  2, types, seen, NULL, false, 0) < 0)
			elog(ERROR, "could not remember the ids seen");
	}
}

static int64
timestamp_to_epoch_ms(TimestampTz ts)
{
	return ts / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
}

/*
 * A HubSpot id as an int64; false for anything but 1 to 18 decimal digits
 * (so an id never reaches LIST_NOT_IN_ID_ORDER).
 */
static bool
parse_id(const char *text, int64 *id)
{
	size_t		len = text ? strlen(text) : 0;

	if (len == 0 || len > 18 || strspn(text, "0123456789") != len)
		return false;
	*id = strtoll(text, NULL, 10);
	return true;
}

/* The ids of a page's records, in the order HubSpot returned them. */
typedef struct PageIds
{
	List	   *texts;			/* char *, records without an id left out */
	int64		first;
	int64		last;
	bool		ascending;		/* every id a number above the one before */
	bool		descending;		/* every id a number below the one before */
} PageIds;

static void
read_page_ids(Jsonb *results, PageIds *ids)
{
	int			n = JsonContainerSize(&results->root);
	bool		numeric = true;

	memset(ids, 0, sizeof(*ids));
	ids->ascending = ids->descending = true;
	for (int i = 0; i < n; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(&results->root, i);
		char	   *text = NULL;
		int64		id;

		if (elem->type == jbvBinary && JsonContainerIsObject(elem->val.binary.data))
			text = hubspot_jsonb_string(elem->val.binary.data, "id");
		if (text == NULL)
			continue;
		if (!numeric || !parse_id(text, &id))
			numeric = false;
		else if (ids->texts != NIL)
		{
			ids->ascending &= id > ids->last;
			ids->descending &= id < ids->last;
		}
		if (numeric && ids->texts == NIL)
			ids->first = id;
		if (numeric)
			ids->last = id;
		ids->texts = lappend(ids->texts, text);
	}
	if (!numeric)
		ids->ascending = ids->descending = false;
}

/* An int64 column of the state row read last, or -1 when NULL or no id. */
static int64
state_id(int column)
{
	char	   *value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column);
	int64		id;

	if (value == NULL)
		return -1;
	if (strcmp(value, psprintf(INT64_FORMAT, LIST_NOT_IN_ID_ORDER)) == 0)
		return LIST_NOT_IN_ID_ORDER;
	return parse_id(value, &id) ? id : -1;
}

/*
 * Leave out of a page the records the other side of a parallel full sync
 * has written: ids from bound up (from_bound_up), or up to bound.
 */
static void
drop_ids_from(HubspotPage *page, int64 bound, bool from_bound_up)
{
	Oid			types[3] = {JSONBOID, INT8OID, BOOLOID};
	Datum		values[3];
	bool		isnull;

	values[0] = JsonbPGetDatum(page->results);
	values[1] = Int64GetDatum(bound);
	values[2] = BoolGetDatum(from_bound_up);
	if (SPI_execute_with_args("SELECT COALESCE(pg_catalog.jsonb_agg(r ORDER BY n), '[]'::pg_catalog.jsonb),"
							  " pg_catalog.count(*)::pg_catalog.int4"
							  " FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY e(r, n)"
							  " WHERE NOT (r OPERATOR(pg_catalog.->>) 'id' OPERATOR(pg_catalog.~) '^[0-9]{1,18}$'"
							  "   AND CASE WHEN $3 THEN (r OPERATOR(pg_catalog.->>) 'id')::pg_catalog.int8"
							  " OPERATOR(pg_catalog.>=) $2"
							  "   ELSE (r OPERATOR(pg_catalog.->>) 'id')::pg_catalog.int8"
							  " OPERATOR(pg_catalog.<=) $2 END)",
							  3, types, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not filter a page");
	page->results = DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0],
													 SPI_tuptable->tupdesc, 1, &isnull));
	page->nresults = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 2, &isnull));
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
	if (result.status != SYNC_SUCCEEDED)
		ereport(LOG,
				(errmsg("hubspot_sync: the search slice of the %s full sync stopped early: %s",
						slot->object_type,
						result.status == SYNC_PENDING ? "its worker exited without a result" : result.message),
				 result.detail[0] ? errdetail_internal("%s", result.detail) : 0,
				 errhint("The list went on alone; nothing is missed.")));
}

/*
 * A full sync: the live list, then the archived list, from where an
 * unfinished one stopped (phase, after) or from the start.
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

	/* Only a full sync that sees every page may mark the unseen gone. */
	cxt->track_seen = !resumed;
	begin_transaction(psprintf("hubspot_sync: starting a full sync of %s", cxt->type->name));
	args[0] = cxt->type->name;
	if (!resumed)
	{
		run_sql(psprintf("DELETE FROM %s.hubspot_sync_seen WHERE object_type = $1", cxt->schema),
				1, args);
		run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_phase = 'live',"
						 " full_sync_after = NULL, full_sync_started_at = pg_catalog.now(),"
						 " full_sync_max_modified = NULL, full_sync_list_high = NULL,"
						 " full_sync_search_low = NULL"
						 " WHERE object_type = $1", cxt->schema), 1, args);
	}
	run_sql(psprintf("SELECT full_sync_list_high, full_sync_search_low FROM %s.hubspot_sync_state"
					 " WHERE object_type = $1", cxt->schema), 1, args);
	list_high = state_id(1);
	search_low = state_id(2);
	commit_transaction();

	for (int p = 0; p < lengthof(phases); p++)
	{
		bool		archived = p == 1;
		char	   *cursor;

		if (resumed && archived == false && strcmp(phase, "archived") == 0)
			continue;			/* the live phase was done before */
		cursor = (resumed && strcmp(phase, phases[p]) == 0 && after) ?
			MemoryContextStrdup(TopMemoryContext, after) : NULL;

		for (;;)
		{
			HubspotPage page;
			PageIds		ids;
			bool		met = false;
			MemoryContext oldcxt = MemoryContextSwitchTo(cxt->page_cxt);

			pgstat_report_activity(STATE_RUNNING,
								   psprintf("hubspot_sync: fetching %s%s page %d", cxt->type->name,
											archived ? " (archived)" : "", cxt->slot->pages + 1));
			hubspot_list_page(&cxt->client, cxt->type, cxt->properties, archived, cursor, &page);

			if (!archived)
			{
				/* What the list now covers, for the search slice. */
				read_page_ids(page.results, &ids);
				if (list_high != LIST_NOT_IN_ID_ORDER && ids.texts != NIL)
				{
					if (ids.ascending && ids.first > list_high)
						list_high = ids.last;
					else
						list_high = LIST_NOT_IN_ID_ORDER;
				}
			}

			begin_transaction(psprintf("hubspot_sync: writing %s page %d",
									   cxt->type->name, cxt->slot->pages + 1));
			if (!archived)
			{
				/*
				 * Where the slice got to, as committed: once the list
				 * reaches it, the live records are all written.  The slice
				 * wrote the records from there up; leave them out.
				 */
				run_sql(psprintf("SELECT full_sync_search_low FROM %s.hubspot_sync_state"
								 " WHERE object_type = $1", cxt->schema), 1, args);
				search_low = state_id(1);
				met = list_high != LIST_NOT_IN_ID_ORDER && search_low >= 0 &&
					list_high >= search_low;
				if (met)
				{
					drop_ids_from(&page, search_low, true);
					page.next_after = NULL;
				}
			}
			upsert_page(cxt, &page, archived, NULL);

			/* The resume point moves with the page it follows. */
			args[1] = page.next_after;
			args[2] = page.next_after ? phases[p] : (archived ? NULL : "archived");
			args[3] = cxt->page_max_updated ?
				int64_text(timestamp_to_epoch_ms(cxt->page_max_updated)) : NULL;
			args[4] = list_high >= 0 ? int64_text(list_high) : NULL;
			run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_phase = $3,"
							 " full_sync_after = $2, full_sync_max_modified = GREATEST(full_sync_max_modified,"
							 " pg_catalog.to_timestamp($4::bigint / 1000.0)),"
							 " full_sync_list_high = COALESCE($5, full_sync_list_high)"
							 " WHERE object_type = $1", cxt->schema),
					5, args);
			update_run(cxt, NULL, NULL);
			commit_transaction();

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
				}
				else
					ereport(LOG,
							(errmsg("hubspot_sync: no background worker free for a search slice of %s; the list goes on alone",
									cxt->type->name),
							 errhint("Raise max_worker_processes to let full syncs run a search slice.")));
			}

			if (cursor)
				pfree(cursor);
			cursor = page.next_after ? MemoryContextStrdup(TopMemoryContext, page.next_after) : NULL;
			MemoryContextSwitchTo(oldcxt);
			MemoryContextReset(cxt->page_cxt);
			if (cursor == NULL)
				break;
		}
		if (!archived)
			finish_slice(cxt, false);
	}

	begin_transaction(psprintf("hubspot_sync: finishing the full sync of %s", cxt->type->name));
	if (cxt->track_seen)
	{
		/*
		 * Rows changed in HubSpot shortly before the sync started may be
		 * missing from the search index yet: never mark those.
		 */
		args[1] = psprintf("%d", settings->incremental_overlap_ms);
		run_sql(psprintf("WITH seen AS (SELECT pg_catalog.count(*) AS n FROM %s.hubspot_sync_seen"
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
		cxt->slot->archived += pg_strtoint64(first_value());
	}
	run_sql(psprintf("DELETE FROM %s.hubspot_sync_seen WHERE object_type = $1", cxt->schema),
			1, args);
	/*
	 * Incremental syncs go on from the newest modification written, or from
	 * the start of this full sync if that is earlier: a record changed while
	 * it ran was changed after its start.
	 */
	run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_phase = NULL, full_sync_after = NULL,"
					 " last_full_sync_at = pg_catalog.now(),"
					 " last_modified_cursor = LEAST(COALESCE(full_sync_started_at, pg_catalog.now()),"
					 "   COALESCE(full_sync_max_modified, full_sync_started_at, pg_catalog.now())),"
					 " full_sync_started_at = NULL, full_sync_max_modified = NULL,"
					 " full_sync_list_high = NULL, full_sync_search_low = NULL"
					 " WHERE object_type = $1", cxt->schema), 1, args);
	update_run(cxt, NULL, NULL);
	commit_transaction();
}

/*
 * An incremental sync from cursor_ms.  Returns false when it cannot go on
 * (10,000 records share one modification time): a full sync must follow.
 */
static bool
sync_incremental(SyncContext *cxt, int64 cursor_ms)
{
	const HubspotSettings *settings = cxt->client.settings;
	int			limit = settings->search_page_size;
	int64		query_since = cursor_ms - settings->incremental_overlap_ms;
	int			offset = 0;
	int64		window_max = query_since;
	const char *args[2];

	for (;;)
	{
		HubspotPage page;
		MemoryContext oldcxt = MemoryContextSwitchTo(cxt->page_cxt);

		pgstat_report_activity(STATE_RUNNING,
							   psprintf("hubspot_sync: searching %s changes, page %d",
										cxt->type->name, cxt->slot->pages + 1));
		hubspot_search_page(&cxt->client, cxt->type, cxt->properties, query_since,
							offset, limit, &page);

		begin_transaction(psprintf("hubspot_sync: writing %s page %d",
								   cxt->type->name, cxt->slot->pages + 1));
		upsert_page(cxt, &page, true, NULL);
		if (cxt->page_max_updated != 0)
		{
			/* Only over what was written, and never backwards. */
			args[0] = cxt->type->name;
			args[1] = int64_text(timestamp_to_epoch_ms(cxt->page_max_updated));
			run_sql(psprintf("UPDATE %s.hubspot_sync_state SET last_modified_cursor ="
							 " GREATEST(last_modified_cursor, pg_catalog.to_timestamp($2::bigint / 1000.0))"
							 " WHERE object_type = $1", cxt->schema), 2, args);
			window_max = Max(window_max, timestamp_to_epoch_ms(cxt->page_max_updated));
		}
		update_run(cxt, NULL, NULL);
		commit_transaction();

		offset += page.nresults;
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(cxt->page_cxt);

		if (page.next_after == NULL || page.nresults == 0)
			return true;
		if (offset + limit > SEARCH_RESULT_CAP)
		{
			/* A new query from the last modification time seen. */
			if (window_max <= query_since)
				return false;
			query_since = window_max;
			offset = 0;
		}
	}
}

/*
 * In a worker's PG_CATCH: log the error, abort the transaction, and report
 * the failure in the slot.  Returns the error for the caller to free.
 */
static ErrorData *
recover_from_error(SyncContext *cxt)
{
	SyncSlot   *slot = cxt->slot;
	ErrorData  *edata = CopyErrorData();

	EmitErrorReport();			/* into the server log */
	FlushErrorState();
	AbortCurrentTransaction();
	MemoryContextReset(cxt->page_cxt);

	slot->status = SYNC_FAILED;
	slot->sqlerrcode = edata->sqlerrcode;
	strlcpy(slot->message, edata->message ? edata->message : "unknown error", sizeof(slot->message));
	strlcpy(slot->detail, edata->detail ? edata->detail : "", sizeof(slot->detail));
	strlcpy(slot->hint, edata->hint ? edata->hint : "", sizeof(slot->hint));
	return edata;
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
	cxt.type = hubspot_lookup_object_type(slot->object_type);
	cxt.type_number = (int) (cxt.type - hubspot_object_types) + 1;
	cxt.client.settings = settings;
	cxt.page_cxt = AllocSetContextCreate(TopMemoryContext, "hubspot_sync page",
										 ALLOCSET_DEFAULT_SIZES);

	PG_TRY();
	{
		SyncState	state;

		started = start_run(&cxt, &state);
		if (started)
		{
			load_properties(&cxt);
			if (strcmp(slot->mode, "incremental") == 0)
			{
				if (!sync_incremental(&cxt, state.cursor_ms))
				{
					strlcpy(slot->mode, "incremental, then full", sizeof(slot->mode));
					ereport(LOG,
							(errmsg("hubspot_sync: %d or more %s share one modification time; syncing them in full",
									SEARCH_RESULT_CAP, slot->object_type)));
					sync_full(&cxt, NULL, NULL);
				}
			}
			else
				sync_full(&cxt, state.full_phase, state.full_after);

			begin_transaction(psprintf("hubspot_sync: finishing %s", cxt.type->name));
			update_run(&cxt, "succeeded", NULL);
			commit_transaction();
			slot->status = SYNC_SUCCEEDED;
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(worker_cxt);
		edata = recover_from_error(&cxt);
		finish_slice(&cxt, true);

		if (started)
		{
			begin_transaction(psprintf("hubspot_sync: recording the failure of %s", cxt.type->name));
			update_run(&cxt, "failed", edata->detail ?
					   psprintf("%s: %s", edata->message, edata->detail) : edata->message);
			commit_transaction();
		}
		FreeErrorData(edata);
	}
	PG_END_TRY();

	slot->requests = cxt.client.requests;
	slot->retries = cxt.client.retries;
	slot->finished_at = GetCurrentTimestamp();
}

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

	begin_transaction(psprintf("hubspot_sync: reading %s associations", cxt->type->name));
	types[0] = JSONBOID;
	values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data));
	if (SPI_execute_with_args(associations_by_id_sql, 1, types, values, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read the associations of a batch");
	/* Into the caller's memory: SPI's goes with the commit. */
	oldcxt = MemoryContextSwitchTo(caller_cxt);
	by_id = DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	MemoryContextSwitchTo(oldcxt);
	commit_transaction();
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
		read_page_ids(page->results, &page_ids);
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
			(below_id && parse_id(below_id, &below) && page_ids.first >= below))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("HubSpot's search did not return %s in descending id order",
							cxt->type->name),
					 errdetail("Asked for ids below %s sorted by hs_object_id, descending.",
							   below_id ? below_id : "any")));
		pages = lappend(pages, page);
		*ids = list_concat(*ids, page_ids.texts);
		*low = page_ids.last;
		below_id = int64_text(page_ids.last);
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
	begin_transaction(psprintf("hubspot_sync: checking the %s full sync", cxt->type->name));
	run_sql(psprintf("SELECT s.full_sync_list_high, s.full_sync_search_low,"
					 " s.full_sync_phase = 'live' AND r.status = 'running'"
					 " FROM %s.hubspot_sync_state s, %s.hubspot_sync_runs r"
					 " WHERE s.object_type = $1 AND r.run_id = $2::bigint",
					 cxt->schema, cxt->schema), 2, args);
	going = SPI_processed == 1 &&
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3), "t") == 0;
	if (going)
	{
		list_high = state_id(1);
		low = state_id(2);
	}
	commit_transaction();
	if (!going || list_high == LIST_NOT_IN_ID_ORDER || (low >= 0 && list_high >= low))
	{
		MemoryContextSwitchTo(oldcxt);
		return false;
	}

	pages = read_slice_batch(cxt, low >= 0 ? int64_text(low) : NULL, list_high,
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
		read_page_ids(page->results, &page_ids);
		begin_transaction(psprintf("hubspot_sync: writing a search slice of %s", cxt->type->name));
		/* The list may have written the lowest of these meanwhile. */
		run_sql(psprintf("SELECT full_sync_list_high FROM %s.hubspot_sync_state"
						 " WHERE object_type = $1", cxt->schema), 1, args);
		list_high = state_id(1);
		if (list_high >= 0 && list_high != LIST_NOT_IN_ID_ORDER && page_ids.last <= list_high)
			drop_ids_from(page, list_high, false);
		upsert_page(cxt, page, false, associations);
		/* Never up: another slice (of a resumed sync) may be lower. */
		args[2] = int64_text(page_ids.last);
		run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_search_low = $3"
						 " WHERE object_type = $1 AND (full_sync_search_low IS NULL"
						 " OR $3::numeric < full_sync_search_low::numeric)", cxt->schema),
				3, args);
		commit_transaction();
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

		begin_transaction(psprintf("hubspot_sync: starting a search slice of %s", cxt.type->name));
		prepare_context(&cxt);
		read_property_names(&cxt);
		commit_transaction();
		args[0] = cxt.type->name;
		args[1] = int64_text(slot->parent_run_id);

		while (slice_batch(&cxt, args))
			MemoryContextReset(cxt.page_cxt);
		slot->status = SYNC_SUCCEEDED;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(worker_cxt);
		FreeErrorData(recover_from_error(&cxt));
	}
	PG_END_TRY();

	slot->requests = cxt.client.requests;
	slot->retries = cxt.client.retries;
	slot->rate_limited = cxt.client.rate_limited;
	slot->finished_at = GetCurrentTimestamp();
}
