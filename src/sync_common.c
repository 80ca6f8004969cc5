/*-------------------------------------------------------------------------
 * sync_common.c
 *	  Transactions, page writes and ids shared by the sync of an object type
 *	  and its search slice, each in a background worker of its own.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "utils/guc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "log_filter.h"
#include "sync_common.h"

/* Copy src into dst of size bytes, cut on a character boundary. */
static void
clip_into(char *dst, const char *src, size_t size)
{
	int			len = strlen(src);

	if (len >= size)
		len = pg_mbcliplen(src, len, size - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Where allocations went before the transaction, and go again after it. */
static MemoryContext outside_transaction_cxt = NULL;

void
sync_begin_transaction(const char *activity)
{
	outside_transaction_cxt = CurrentMemoryContext;
	/* Between pages: a reload's new settings (rate limits, logging) apply from here. */
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

void
sync_commit_transaction(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(outside_transaction_cxt);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* Run a statement with text parameters; returns SPI's result code. */
int
sync_run_sql(const char *sql, int nargs, const char **args)
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
char *
sync_first_value(void)
{
	if (SPI_processed == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

char *
sync_int64_text(int64 v)
{
	return psprintf(INT64_FORMAT, v);
}

/*
 * In a transaction: find the extension's schema and read the object type
 * from the registry (again, if it was read before: its columns as of now).
 */
void
sync_find_object_type(SyncContext *cxt)
{
	if (cxt->schema == NULL)
	{
		char	   *schema = hubspot_extension_schema();

		if (schema == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("extension \"hubspot_sync\" is not installed in this database")));
		cxt->schema = MemoryContextStrdup(TopMemoryContext, quote_identifier(schema));
		cxt->unquoted_schema = MemoryContextStrdup(TopMemoryContext, schema);
	}
	cxt->type = hubspot_load_object_type(cxt->slot->object_type, cxt->unquoted_schema);
}

/* In a transaction: prepare the upsert of the object type's pages. */
void
sync_prepare_upsert(SyncContext *cxt)
{
	Oid			upsert_types[4] = {JSONBOID, JSONBOID, BOOLOID, JSONBOID};

	cxt->upsert_plan = SPI_prepare(hubspot_upsert_sql(cxt->type, cxt->unquoted_schema), 4, upsert_types);
	if (cxt->upsert_plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(cxt->upsert_plan);
}

/* Every defined property, and those the columns need in any case. */
void
sync_read_property_names(SyncContext *cxt)
{
	MemoryContext oldcxt;
	List	   *names = NIL;
	const char *args[2];

	args[0] = cxt->type->name;
	args[1] = hubspot_object_properties(cxt->type);
	sync_run_sql(psprintf("SELECT name FROM %s.hubspot_properties WHERE object_type = $1"
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

/* Upsert the page's records into the table; count what happened. */
void
sync_upsert_page(SyncContext *cxt, HubspotPage *page, bool keep_associations,
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
	slot->pages++;

	/*
	 * records counts each record once a run: the two sides of a parallel
	 * full sync may both write the records where they meet, and keyset
	 * search pages read the records of their boundary time again.  The ids
	 * seen so far tell (records without a valid id count as read).
	 */
	if (!cxt->track_seen)
		slot->records += page->nresults;
	else
	{
		Oid			types[2] = {JSONBOID, TEXTOID};
		Datum		seen[2];

		seen[0] = values[0];
		seen[1] = CStringGetTextDatum(cxt->type->name);
		if (SPI_execute_with_args(psprintf("INSERT INTO %s.hubspot_sync_seen (object_type, hubspot_id)"
										   " SELECT $2, r OPERATOR(pg_catalog.->>) 'id'"
										   " FROM pg_catalog.jsonb_array_elements($1) r"
										   " WHERE pg_catalog.jsonb_typeof(r OPERATOR(pg_catalog.->) 'id') OPERATOR(pg_catalog.=) 'string'"
										   " AND r OPERATOR(pg_catalog.->>) 'id' OPERATOR(pg_catalog.~) '^[0-9]{1,20}$'"
										   " ON CONFLICT DO NOTHING", cxt->schema),
								  2, types, seen, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not remember the ids seen");
		slot->records += SPI_processed + int64_column(tuple, desc, 4);
	}
}

/*
 * A HubSpot id as an int64; false for anything but 1 to 18 decimal digits
 * (so an id never reaches LIST_NOT_IN_ID_ORDER).
 */
bool
sync_parse_id(const char *text, int64 *id)
{
	size_t		len = text ? strlen(text) : 0;

	if (len == 0 || len > 18 || strspn(text, "0123456789") != len)
		return false;
	*id = strtoll(text, NULL, 10);
	return true;
}

void
sync_read_page_ids(Jsonb *results, PageIds *ids)
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
		if (!numeric || !sync_parse_id(text, &id))
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
int64
sync_state_id(int column)
{
	char	   *value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column);
	int64		id;

	if (value == NULL)
		return -1;
	if (strcmp(value, psprintf(INT64_FORMAT, LIST_NOT_IN_ID_ORDER)) == 0)
		return LIST_NOT_IN_ID_ORDER;
	return sync_parse_id(value, &id) ? id : -1;
}

/*
 * Leave out of a page the records the other side of a parallel full sync
 * has written: ids from bound up (from_bound_up), or up to bound.
 */
void
sync_drop_ids_from(HubspotPage *page, int64 bound, bool from_bound_up)
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

/*
 * In a worker's PG_CATCH: log the error, abort the transaction, and report
 * the failure in the slot.  Returns the error for the caller to free.
 */
ErrorData *
sync_recover_from_error(SyncContext *cxt)
{
	SyncSlot   *slot = cxt->slot;
	ErrorData  *edata = CopyErrorData();

	EmitErrorReport();			/* into the server log */
	FlushErrorState();
	AbortCurrentTransaction();
	hubspot_cancel_requests();
	MemoryContextReset(cxt->page_cxt);

	/*
	 * The error goes on to the caller's result, the run log and the status
	 * view: never with the token in it, even where HubSpot echoed it back.
	 */
	edata->message = hubspot_mask_secrets(edata->message ? edata->message : pstrdup("unknown error"));
	edata->detail = hubspot_mask_secrets(edata->detail);
	edata->hint = hubspot_mask_secrets(edata->hint);
	slot->status = SYNC_FAILED;
	slot->sqlerrcode = edata->sqlerrcode;
	clip_into(slot->message, edata->message, sizeof(slot->message));
	clip_into(slot->detail, edata->detail ? edata->detail : "", sizeof(slot->detail));
	clip_into(slot->hint, edata->hint ? edata->hint : "", sizeof(slot->hint));
	return edata;
}

