/*-------------------------------------------------------------------------
 * sync_launcher.c
 *	  hubspot_sync() and hubspot_sync_all(): start one background worker
 *	  per object type, wait for them, and report what each did.
 *
 * Each object type syncs in a worker of its own, so the three run truly in
 * parallel, each commits its own pages, and one failing never stops or
 * undoes another.  The calling session hands its settings to the workers
 * through a dynamic shared memory segment (so a SET in the session applies,
 * and the token never travels through a command line, a table or a log),
 * and the workers write their results back there.
 *
 * A cancel of the calling session terminates its workers; what they
 * committed stays, and the next run resumes from there.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "hubspot_api.h"
#include "sync_launcher.h"

typedef struct SyncShared
{
	HubspotSettings settings;
	Oid			database;
	Oid			user;
	int			nslots;
	SyncSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} SyncShared;

#define RESULT_COLUMNS 14

PG_FUNCTION_INFO_V1(hubspot_sync);
PG_FUNCTION_INFO_V1(hubspot_sync_all);

PGDLLEXPORT void hubspot_sync_worker_main(Datum main_arg);

/* Refuse at once what no worker could do. */
static void
check_settings(void)
{
	HeapTuple	role = SearchSysCache1(AUTHOID, ObjectIdGetDatum(GetUserId()));
	bool		can_login;

	if (!HeapTupleIsValid(role))
		elog(ERROR, "cache lookup failed for role %u", GetUserId());
	can_login = ((Form_pg_authid) GETSTRUCT(role))->rolcanlogin;
	ReleaseSysCache(role);
	if (!can_login)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" cannot run a sync", GetUserNameFromId(GetUserId(), false)),
				 errdetail("Sync workers connect to the database as the current role, which needs the LOGIN attribute."),
				 errhint("Run the sync as a role that can log in.")));
	/* HubSpot's text is UTF-8: read as another encoding, it lands garbled. */
	if (GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("hubspot_sync needs a UTF8 database"),
				 errdetail("This database's encoding is %s; HubSpot's UTF-8 text would be stored garbled.",
						   GetDatabaseEncodingName()),
				 errhint("Sync into a database created with ENCODING 'UTF8'.")));
	if (!hubspot_preloaded)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("hubspot_sync is not in shared_preload_libraries"),
				 errdetail("Until a session loads the library, hubspot_sync.access_token set in the configuration is an ordinary placeholder setting that any role can read."),
				 errhint("Add hubspot_sync to shared_preload_libraries and restart the server.")));

	if (hubspot_access_token == NULL || hubspot_access_token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("hubspot_sync.access_token is not set"),
				 errdetail("HubSpot needs a private app access token to answer."),
				 errhint("As a superuser: ALTER SYSTEM SET hubspot_sync.access_token = 'pat-…'; SELECT pg_reload_conf();")));
}

static const HubspotObjectType *
object_type_or_error(const char *name)
{
	const HubspotObjectType *type = hubspot_lookup_object_type(name);

	if (type == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown HubSpot object type \"%s\"", name),
				 errhint("Use one of contacts, deals, calls.")));
	return type;
}

static bool
start_worker(dsm_segment *seg, int slot_index, BackgroundWorkerHandle **handle)
{
	BackgroundWorker worker;
	dsm_handle	h = dsm_segment_handle(seg);
	SyncShared *shared = dsm_segment_address(seg);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "hubspot_sync");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "hubspot_sync_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "hubspot_sync worker for %s%s",
			 shared->slots[slot_index].object_type,
			 shared->slots[slot_index].search_slice ? " (search slice)" : "");
	snprintf(worker.bgw_type, BGW_MAXLEN, "hubspot_sync worker");
	worker.bgw_main_arg = Int32GetDatum(slot_index);
	memcpy(worker.bgw_extra, &h, sizeof(h));
	worker.bgw_notify_pid = MyProcPid;

	return RegisterDynamicBackgroundWorker(&worker, handle);
}

/*
 * Run the syncs of the given object types in parallel workers and wait for
 * all of them.  Returns a copy of their results.
 */
static SyncShared *
run_syncs(const char **names, int n, bool full)
{
	Size		size = offsetof(SyncShared, slots) + sizeof(SyncSlot) * n;
	dsm_segment *seg = dsm_create(size, 0);
	SyncShared *shared = dsm_segment_address(seg);
	BackgroundWorkerHandle **handles = palloc0(sizeof(BackgroundWorkerHandle *) * n);
	SyncShared *result;
	const char *caller;

	/* Who asked: a client's application_name, or a worker's type (pg_cron). */
	if (application_name != NULL && application_name[0] != '\0')
		caller = application_name;
	else if (MyBgworkerEntry != NULL)
		caller = MyBgworkerEntry->bgw_type;
	else
		caller = "unnamed client";

	memset(shared, 0, size);
	hubspot_settings_from_gucs(&shared->settings);
	shared->database = MyDatabaseId;
	shared->user = GetUserId();
	shared->nslots = n;
	for (int i = 0; i < n; i++)
	{
		SyncSlot   *slot = &shared->slots[i];

		strlcpy(slot->object_type, names[i], sizeof(slot->object_type));
		slot->full = full;
		snprintf(slot->started_by, sizeof(slot->started_by), "%s (%s)",
				 caller, GetUserNameFromId(GetSessionUserId(), false));
	}

	PG_TRY();
	{
		for (int i = 0; i < n; i++)
		{
			if (!start_worker(seg, i, &handles[i]))
			{
				SyncSlot   *slot = &shared->slots[i];

				handles[i] = NULL;
				slot->status = SYNC_FAILED;
				slot->sqlerrcode = ERRCODE_CONFIGURATION_LIMIT_EXCEEDED;
				strlcpy(slot->message, "could not start a sync worker", sizeof(slot->message));
				strlcpy(slot->hint, "Raise max_worker_processes: each object type syncs in a background worker of its own.",
						sizeof(slot->hint));
			}
		}
		for (int i = 0; i < n; i++)
			if (handles[i] != NULL)
				(void) WaitForBackgroundWorkerShutdown(handles[i]);
	}
	PG_CATCH();
	{
		/* Canceled: stop the workers; their committed pages stay. */
		for (int i = 0; i < n; i++)
			if (handles[i] != NULL)
				TerminateBackgroundWorker(handles[i]);
		PG_RE_THROW();
	}
	PG_END_TRY();

	for (int i = 0; i < n; i++)
	{
		SyncSlot   *slot = &shared->slots[i];

		if (slot->status == SYNC_PENDING)
		{
			slot->status = SYNC_FAILED;
			slot->sqlerrcode = ERRCODE_INTERNAL_ERROR;
			strlcpy(slot->message, "the sync worker exited without reporting a result",
					sizeof(slot->message));
			strlcpy(slot->hint, "The server log says why.", sizeof(slot->hint));
		}
	}

	/* Keep a private copy of the results; the workers are gone. */
	result = palloc(size);
	memcpy(result, shared, size);
	explicit_bzero(shared->settings.token, sizeof(shared->settings.token));
	dsm_detach(seg);
	return result;
}

/*
 * From a full sync's worker: start the search slice of the same object type
 * in one more worker.  False when no worker slot is free (the full sync
 * then goes on alone).
 */
bool
hubspot_start_search_slice(const HubspotSettings *settings, const SyncSlot *parent,
						   SliceWorker *worker)
{
	Size		size = offsetof(SyncShared, slots) + sizeof(SyncSlot);
	SyncShared *shared;
	SyncSlot   *slot;
	bool		started;
	/* The handle lives until hubspot_finish_search_slice, across pages. */
	MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

	worker->seg = dsm_create(size, 0);
	dsm_pin_mapping(worker->seg);	/* outlives the current transaction */
	shared = dsm_segment_address(worker->seg);
	memset(shared, 0, size);
	memcpy(&shared->settings, settings, sizeof(*settings));
	shared->database = MyDatabaseId;
	shared->user = GetUserId();
	shared->nslots = 1;
	slot = &shared->slots[0];
	strlcpy(slot->object_type, parent->object_type, sizeof(slot->object_type));
	strlcpy(slot->started_by, parent->started_by, sizeof(slot->started_by));
	slot->full = true;
	slot->search_slice = true;
	slot->parent_run_id = parent->run_id;

	started = start_worker(worker->seg, 0, &worker->handle);
	MemoryContextSwitchTo(oldcxt);
	if (!started)
	{
		explicit_bzero(shared->settings.token, sizeof(shared->settings.token));
		dsm_detach(worker->seg);
		worker->seg = NULL;
		worker->handle = NULL;
	}
	return started;
}

/*
 * Once the list is done: tell the search slice to stop before its next
 * request (or stop it at once if terminate), wait for it to end, and copy
 * what it reported into result.
 */
void
hubspot_finish_search_slice(SliceWorker *worker, bool terminate, SyncSlot *result)
{
	SyncShared *shared = dsm_segment_address(worker->seg);

	shared->slots[0].stop_slice = true;
	if (terminate)
		TerminateBackgroundWorker(worker->handle);
	(void) WaitForBackgroundWorkerShutdown(worker->handle);
	memcpy(result, &shared->slots[0], sizeof(SyncSlot));
	explicit_bzero(shared->settings.token, sizeof(shared->settings.token));
	dsm_detach(worker->seg);
	pfree(worker->handle);
	worker->seg = NULL;
	worker->handle = NULL;
}

/* Tell the session about the values that did not convert. */
static void
report_warnings(SyncSlot *slot)
{
	if (slot->bad_values > 0)
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("%lld %s property values could not be converted to their column's type",
						(long long) slot->bad_values, slot->object_type),
				 errdetail("Those columns were left NULL; raw_json keeps the values. First ones: %s.",
						   slot->examples)));
	if (slot->skipped > 0)
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("%lld %s records were skipped because they have no id",
						(long long) slot->skipped, slot->object_type),
				 errdetail("HubSpot returned list elements that are not objects with an \"id\".")));
	if (slot->dropped_chars > 0)
		ereport(WARNING,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg("%lld characters PostgreSQL cannot store were removed from %s records",
						(long long) slot->dropped_chars, slot->object_type),
				 errdetail("HubSpot's text held \\u0000 or half of a UTF-16 surrogate pair, which jsonb cannot hold; the rest of each value was kept.")));
}

static const char *
status_name(SyncStatus status)
{
	switch (status)
	{
		case SYNC_SUCCEEDED:
			return "succeeded";
		case SYNC_FAILED:
			return "failed";
		case SYNC_SKIPPED:
			return "skipped";
		case SYNC_PENDING:
			break;
	}
	return "unknown";
}

static char *
slot_error_text(SyncSlot *slot)
{
	if (slot->status == SYNC_SUCCEEDED)
		return NULL;
	if (slot->detail[0])
		return psprintf("%s: %s", slot->message, slot->detail);
	return pstrdup(slot->message);
}

static HeapTuple
slot_tuple(SyncSlot *slot, TupleDesc desc)
{
	Datum		values[RESULT_COLUMNS];
	bool		nulls[RESULT_COLUMNS];
	char	   *error = slot_error_text(slot);

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(slot->object_type);
	values[1] = CStringGetTextDatum(status_name(slot->status));
	values[2] = CStringGetTextDatum(slot->mode[0] ? slot->mode : "none");
	values[3] = Int32GetDatum(slot->pages);
	values[4] = Int64GetDatum(slot->records);
	values[5] = Int64GetDatum(slot->inserted);
	values[6] = Int64GetDatum(slot->updated);
	values[7] = Int64GetDatum(slot->unchanged);
	values[8] = Int64GetDatum(slot->archived);
	values[9] = Int64GetDatum(slot->bad_values + slot->skipped + slot->dropped_chars);
	values[10] = Int32GetDatum(slot->requests);
	values[11] = Int32GetDatum(slot->retries);
	if (slot->started_at && slot->finished_at)
		values[12] = DirectFunctionCall2(timestamp_mi,
										 TimestampTzGetDatum(slot->finished_at),
										 TimestampTzGetDatum(slot->started_at));
	else
		nulls[12] = true;
	if (error)
		values[13] = CStringGetTextDatum(error);
	else
		nulls[13] = true;
	return heap_form_tuple(desc, values, nulls);
}

/*
 * hubspot_sync(object_type text, full boolean) returns one result row.
 * A failed sync raises its error here, with the worker's SQLSTATE.
 */
Datum
hubspot_sync(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		full = PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1);
	const char *names[1];
	SyncShared *shared;
	SyncSlot   *slot;
	TupleDesc	desc;

	names[0] = object_type_or_error(name)->name;
	check_settings();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	shared = run_syncs(names, 1, full);
	slot = &shared->slots[0];
	report_warnings(slot);
	if (slot->status == SYNC_FAILED)
		ereport(ERROR,
				(errcode(slot->sqlerrcode),
				 errmsg_internal("%s", slot->message),
				 slot->detail[0] ? errdetail_internal("%s", slot->detail) : 0,
				 slot->hint[0] ? errhint("%s", slot->hint) : 0));
	if (slot->status == SYNC_SKIPPED)
		ereport(NOTICE,
				(errmsg_internal("%s", slot->message),
				 errdetail_internal("%s", slot->detail)));

	PG_RETURN_DATUM(HeapTupleGetDatum(slot_tuple(slot, BlessTupleDesc(desc))));
}

/*
 * hubspot_sync_all(full boolean) returns a row per object type.  A failed
 * type is reported in its row, never as an error: the others are kept.
 */
Datum
hubspot_sync_all(PG_FUNCTION_ARGS)
{
	bool		full = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *names[HUBSPOT_OBJECT_TYPE_COUNT];
	SyncShared *shared;

	check_settings();
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < HUBSPOT_OBJECT_TYPE_COUNT; i++)
		names[i] = hubspot_object_types[i].name;

	shared = run_syncs(names, HUBSPOT_OBJECT_TYPE_COUNT, full);
	for (int i = 0; i < shared->nslots; i++)
	{
		report_warnings(&shared->slots[i]);
		tuplestore_puttuple(rsinfo->setResult,
							slot_tuple(&shared->slots[i], rsinfo->setDesc));
	}
	return (Datum) 0;
}

/*
 * Entry point of a sync worker: attach to the caller's segment, connect as
 * the caller to the caller's database, sync one object type.
 */
void
hubspot_sync_worker_main(Datum main_arg)
{
	int			slot_index = DatumGetInt32(main_arg);
	dsm_handle	handle;
	dsm_segment *seg;
	SyncShared *shared;
	SyncSlot   *slot;
	HubspotSettings settings;

	/* The stock handler: a terminate ends the transfer via the interrupt check. */
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	memcpy(&handle, MyBgworkerEntry->bgw_extra, sizeof(handle));
	seg = dsm_attach(handle);
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("hubspot_sync worker could not attach to its shared memory segment"),
				 errdetail("The session that started it has gone.")));
	shared = dsm_segment_address(seg);
	slot = &shared->slots[slot_index];
	/* A private copy: the other workers still read the shared one. */
	memcpy(&settings, &shared->settings, sizeof(settings));

	BackgroundWorkerInitializeConnectionByOid(shared->database, shared->user, 0);
	pgstat_report_appname(psprintf("hubspot_sync %s%s", slot->object_type,
								   slot->search_slice ? " (search slice)" : ""));

	/*
	 * The statements of a page unnest jsonb, which the planner guesses at
	 * 100 rows a level: nested unnests pass jit_above_cost, and compiling
	 * costs far more than the work (reading the associations of 1,500
	 * contacts in 475 v4 answers took 21 s with JIT, 0.5 s without).
	 */
	SetConfigOption("jit", "off", PGC_USERSET, PGC_S_SESSION);

	if (slot->search_slice)
		hubspot_sync_search_slice(&settings, slot);
	else
		hubspot_sync_object(&settings, slot);

	explicit_bzero(settings.token, sizeof(settings.token));
	dsm_detach(seg);
}
