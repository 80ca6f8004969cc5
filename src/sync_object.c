/*-------------------------------------------------------------------------
 * sync_object.c
 *	  Sync of one object type, run by a sync worker.
 *
 * Each page is fetched outside any transaction, then upserted in a
 * transaction of its own that also moves the resume cursor and the run's
 * progress: a crash, a cancel or a killed worker loses no committed page,
 * and the next run goes on from the page after the last committed one.
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
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "sync_object.h"

/* First key of the advisory locks: "HSNC". */
#define HUBSPOT_LOCK_CLASS 0x48534E43

typedef struct SyncContext
{
	const HubspotObjectType *type;
	int			type_number;
	char	   *schema;			/* quoted */
	SPIPlanPtr	upsert_plan;
	HubspotClient client;
	SyncSlot   *slot;
} SyncContext;

static void
begin_transaction(const char *activity)
{
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
 * Take the lock, close runs left "running" by a process that died, open a
 * run row, and find where an unfinished full sync stopped.  Returns false
 * when another sync of the type holds the lock.
 */
static bool
start_run(SyncContext *cxt, char **resume_after)
{
	SyncSlot   *slot = cxt->slot;
	const char *name = cxt->type->name;
	const char *args[3];
	char	   *schema;
	char	   *sql;
	char	   *value;
	Oid			jsonb_type = JSONBOID;

	begin_transaction(psprintf("hubspot_sync: starting %s", name));

	run_sql("SELECT n.nspname FROM pg_catalog.pg_extension e"
			" JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
			" WHERE e.extname = 'hubspot_sync'", 0, NULL);
	schema = first_value();
	if (schema == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"hubspot_sync\" is not installed in this database")));
	cxt->schema = MemoryContextStrdup(TopMemoryContext, quote_identifier(schema));

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
	run_sql(psprintf("SELECT full_sync_after FROM %s.hubspot_sync_state WHERE object_type = $1",
					 cxt->schema), 1, args);
	value = first_value();
	*resume_after = value ? MemoryContextStrdup(TopMemoryContext, value) : NULL;
	strlcpy(slot->mode, value ? "full (resumed)" : "full", sizeof(slot->mode));

	args[1] = slot->mode;
	args[2] = slot->started_by;
	run_sql(psprintf("INSERT INTO %s.hubspot_sync_runs (object_type, mode, status, started_at, started_by)"
					 " VALUES ($1, $2, 'running', pg_catalog.clock_timestamp(), $3) RETURNING run_id",
					 cxt->schema), 3, args);
	slot->run_id = pg_strtoint64(first_value());
	slot->started_at = GetCurrentTimestamp();

	cxt->upsert_plan = SPI_prepare(hubspot_upsert_sql(cxt->type, schema), 1, &jsonb_type);
	if (cxt->upsert_plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(cxt->upsert_plan);

	commit_transaction();
	return true;
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
	const char *args[12];

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
	/* A plan of text parameters keeps run_sql simple; cast them here. */
	run_sql(psprintf("UPDATE %s.hubspot_sync_runs SET"
					 " status = COALESCE($2, status),"
					 " finished_at = CASE WHEN $2 IS NULL THEN NULL ELSE pg_catalog.clock_timestamp() END,"
					 " pages = $3::int, http_requests = $4::int, retries = $5::int,"
					 " records = $6::bigint, inserted = $7::bigint, updated = $8::bigint,"
					 " unchanged = $9::bigint, warnings = $10::bigint, error_message = $11,"
					 " rate_limited = $12::int"
					 " WHERE run_id = $1::bigint", cxt->schema),
			12, args);
}

/* Upsert one fetched page and move the cursor, in one transaction. */
static void
write_page(SyncContext *cxt, HubspotPage *page)
{
	SyncSlot   *slot = cxt->slot;
	Datum		values[1];
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;
	Datum		examples;
	const char *args[2];
	int			rc;

	begin_transaction(psprintf("hubspot_sync: writing %s page %d", cxt->type->name, slot->pages + 1));

	values[0] = JsonbPGetDatum(page->results);
	rc = SPI_execute_plan(cxt->upsert_plan, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "upsert of a page returned %s", SPI_result_code_string(rc));
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	slot->inserted += int64_column(tuple, desc, 1);
	slot->updated += int64_column(tuple, desc, 2);
	slot->unchanged += int64_column(tuple, desc, 3);
	slot->skipped += int64_column(tuple, desc, 4);
	slot->bad_values += int64_column(tuple, desc, 5);
	examples = SPI_getbinval(tuple, desc, 6, &isnull);
	if (!isnull && slot->examples[0] == '\0')
		strlcpy(slot->examples, TextDatumGetCString(examples), sizeof(slot->examples));
	slot->records += page->nresults;
	slot->pages++;

	/*
	 * The resume cursor moves with the page it follows.  On the last page
	 * the full sync is complete.
	 */
	args[0] = cxt->type->name;
	args[1] = page->next_after;
	if (page->next_after != NULL)
		run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_after = $2,"
						 " full_sync_started_at = COALESCE(full_sync_started_at, pg_catalog.now())"
						 " WHERE object_type = $1", cxt->schema), 2, args);
	else
		run_sql(psprintf("UPDATE %s.hubspot_sync_state SET full_sync_after = NULL,"
						 " full_sync_started_at = NULL, last_full_sync_at = pg_catalog.now()"
						 " WHERE object_type = $1", cxt->schema), 1, args);
	update_run(cxt, NULL, NULL);
	commit_transaction();
}

/*
 * Sync slot->object_type: every page of the list endpoint, from where an
 * unfinished full sync stopped or from the start.  Fills the slot; an error
 * is caught, recorded in the run log and the slot, and not re-raised.
 */
void
hubspot_sync_object(const HubspotSettings *settings, SyncSlot *slot)
{
	SyncContext cxt;
	MemoryContext worker_cxt = CurrentMemoryContext;
	MemoryContext page_cxt;
	volatile bool started = false;

	memset(&cxt, 0, sizeof(cxt));
	cxt.slot = slot;
	cxt.type = hubspot_lookup_object_type(slot->object_type);
	cxt.type_number = (int) (cxt.type - hubspot_object_types) + 1;
	cxt.client.settings = settings;
	page_cxt = AllocSetContextCreate(TopMemoryContext, "hubspot_sync page",
									 ALLOCSET_DEFAULT_SIZES);

	PG_TRY();
	{
		char	   *after = NULL;

		started = start_run(&cxt, &after);

		while (started)
		{
			HubspotPage page;

			MemoryContextSwitchTo(page_cxt);
			pgstat_report_activity(STATE_RUNNING,
								   psprintf("hubspot_sync: fetching %s page %d",
											cxt.type->name, slot->pages + 1));
			hubspot_list_page(&cxt.client, cxt.type, after, &page);
			write_page(&cxt, &page);

			if (after)
				pfree(after);
			after = page.next_after ? MemoryContextStrdup(TopMemoryContext, page.next_after) : NULL;
			MemoryContextSwitchTo(worker_cxt);
			MemoryContextReset(page_cxt);
			if (after == NULL)
				break;
		}

		if (started)
		{
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
		edata = CopyErrorData();
		EmitErrorReport();		/* into the server log */
		FlushErrorState();
		AbortCurrentTransaction();
		MemoryContextReset(page_cxt);

		slot->status = SYNC_FAILED;
		slot->sqlerrcode = edata->sqlerrcode;
		strlcpy(slot->message, edata->message ? edata->message : "unknown error", sizeof(slot->message));
		strlcpy(slot->detail, edata->detail ? edata->detail : "", sizeof(slot->detail));
		strlcpy(slot->hint, edata->hint ? edata->hint : "", sizeof(slot->hint));

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
