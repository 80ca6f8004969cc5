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
#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "hubspot_api.h"
#include "log_filter.h"
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
PG_FUNCTION_INFO_V1(hubspot_run_sync);

PGDLLEXPORT void hubspot_sync_worker_main(Datum main_arg);

/*
 * From libpq/libpq.h, which needs the GSSAPI headers of a Kerberos build
 * just to be included.
 */
extern bool pq_check_connection(void);

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
	/*
	 * The caller waits for its workers, which may need a lock the caller's
	 * transaction holds: a deadlock the detector cannot see, as the wait is
	 * not for a lock.  Inside a transaction block anything may have been
	 * locked; a transaction that wrote holds row locks and the metrics
	 * triggers' lock.  (A savepoint or a PL/pgSQL exception block of a
	 * statement of its own is fine.)  On a standby no worker can write.
	 */
	if ((IsTransactionBlock() && !IsSubTransaction()) ||
		GetTopTransactionIdIfAny() != InvalidTransactionId)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("a HubSpot sync cannot run inside a transaction block or after a write in the same transaction"),
				 errdetail("The sync runs in background workers of its own, which may need locks this transaction holds."),
				 errhint("Run it as a statement of its own, outside BEGIN ... COMMIT.")));
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("a HubSpot sync cannot run on a server in recovery"),
				 errdetail("A standby cannot write the synced rows."),
				 errhint("Run the sync on the primary.")));
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

	hubspot_require_access_token();
}

/*
 * The registry's name for an object type a sync may be asked for: an error
 * if it is unknown or disabled.
 */
static char *
object_type_or_error(const char *name)
{
	int			n;
	char	  **enabled = hubspot_enabled_object_types(&n);
	StringInfoData list;

	for (int i = 0; i < n; i++)
		if (strcmp(enabled[i], name) == 0)
			return enabled[i];
	if (hubspot_object_type_registered(name))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("HubSpot object type \"%s\" is disabled", name),
				 errhint("SELECT hubspot_enable_object('%s'); syncs it again.", name)));
	initStringInfo(&list);
	for (int i = 0; i < n; i++)
		appendStringInfo(&list, "%s%s", i > 0 ? ", " : "", enabled[i]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown HubSpot object type \"%s\"", name),
			 list.len > 0 ? errhint("Use one of %s.", list.data) :
			 errhint("No object type is enabled: hubspot_enable_object() or hubspot_add_object() adds one.")));
	return NULL;				/* keep compiler quiet */
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

/* How long a requested worker may take to start before the wait gives up. */
#define WORKER_START_TIMEOUT_MS 60000
/* How often a waiting session looks at its workers and its client. */
#define WAIT_CHECK_MS 1000

/*
 * Syncs asked for and not yet collected: the segment the workers read
 * their settings from and write their results to, and their handles.
 */
typedef struct SyncLaunch
{
	dsm_segment *seg;
	SyncShared *shared;
	int			n;
	int			started;		/* slots whose worker was asked for */
	TimestampTz last_start;
	BackgroundWorkerHandle **handles;
} SyncLaunch;

/* Who asked: a client's application_name, or a worker's type (pg_cron). */
static const char *
caller_name(void)
{
	if (application_name != NULL && application_name[0] != '\0')
		return application_name;
	if (MyBgworkerEntry != NULL)
		return MyBgworkerEntry->bgw_type;
	return "unnamed client";
}

/*
 * Copy the settings and the object types into a new segment; nothing runs
 * yet.  The mapping is pinned, so the segment outlives a commit (see
 * hubspot_run_sync); launch_and_wait detaches it.
 */
static SyncLaunch *
prepare_syncs(char **names, int n, bool full)
{
	Size		size = offsetof(SyncShared, slots) + sizeof(SyncSlot) * n;
	SyncLaunch *launch = palloc0(sizeof(SyncLaunch));
	SyncShared *shared;
	char	   *session_user = GetUserNameFromId(GetSessionUserId(), false);

	launch->seg = dsm_create(size, 0);
	dsm_pin_mapping(launch->seg);
	launch->shared = shared = dsm_segment_address(launch->seg);
	launch->n = n;
	launch->handles = palloc0(sizeof(BackgroundWorkerHandle *) * n);

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
				 caller_name(), session_user);
	}
	return launch;
}

/*
 * On the way out of the session (terminated, or its client gone) or out of
 * the wait by an error (a cancel): stop the workers, so that stopping the
 * caller stops the sync; what they committed stays, and the next run goes
 * on from there.  Then wipe the token and let the segment go.
 */
static void
abandon_syncs(int code, Datum arg)
{
	SyncLaunch *launch = (SyncLaunch *) DatumGetPointer(arg);

	if (launch->seg == NULL)
		return;
	for (int i = 0; i < launch->n; i++)
		if (launch->handles[i] != NULL)
			TerminateBackgroundWorker(launch->handles[i]);
	explicit_bzero(launch->shared->settings.token, sizeof(launch->shared->settings.token));
	dsm_detach(launch->seg);
	launch->seg = NULL;
}

/* The client of a regular backend hung up: end the session like Postgres would. */
static void
check_client_connection(void)
{
	if (MyProcPort != NULL && !pq_check_connection())
	{
		ClientConnectionLost = true;
		InterruptPending = true;
		CHECK_FOR_INTERRUPTS();	/* FATAL: abandon_syncs stops the workers */
	}
}

/*
 * Ask for workers for the next slots, up to hubspot_sync.max_parallel_syncs
 * running at once.  A worker the postmaster cannot give fails its slot.
 * Returns how many are running or starting now.
 */
static int
start_more_workers(SyncLaunch *launch, int running)
{
	while (launch->started < launch->n && running < hubspot_max_parallel_syncs)
	{
		int			i = launch->started++;

		if (!start_worker(launch->seg, i, &launch->handles[i]))
		{
			SyncSlot   *slot = &launch->shared->slots[i];

			launch->handles[i] = NULL;
			slot->status = SYNC_FAILED;
			slot->sqlerrcode = ERRCODE_CONFIGURATION_LIMIT_EXCEEDED;
			strlcpy(slot->message, "could not start a sync worker", sizeof(slot->message));
			strlcpy(slot->hint, "Raise max_worker_processes: each object type syncs in a background worker of its own.",
					sizeof(slot->hint));
			continue;
		}
		launch->last_start = GetCurrentTimestamp();
		running++;
	}
	return running;
}

/*
 * Start the workers, at most hubspot_sync.max_parallel_syncs at a time,
 * and wait until every one has exited.  Each wait is bounded: a worker
 * that has not started within WORKER_START_TIMEOUT_MS is given up on, and
 * every second the session checks for a cancel, for its client, and for
 * the workers (whose exit also wakes it).  pg_stat_activity shows the wait
 * as Extension.
 */
static void
run_workers(SyncLaunch *launch)
{
	for (;;)
	{
		int			alive = 0;
		int			not_started = 0;

		for (int i = 0; i < launch->started; i++)
		{
			pid_t		pid;

			if (launch->handles[i] == NULL)
				continue;
			switch (GetBackgroundWorkerPid(launch->handles[i], &pid))
			{
				case BGWH_STARTED:
					alive++;
					break;
				case BGWH_NOT_YET_STARTED:
					not_started++;
					break;
				case BGWH_POSTMASTER_DIED:
					ereport(FATAL,
							(errcode(ERRCODE_ADMIN_SHUTDOWN),
							 errmsg("postmaster exited while waiting for a hubspot_sync worker")));
					break;
				case BGWH_STOPPED:
					break;
			}
		}
		if (start_more_workers(launch, alive + not_started) == 0)
			return;				/* every slot started, every worker gone */
		if (alive == 0 && not_started > 0 &&
			TimestampDifferenceExceeds(launch->last_start, GetCurrentTimestamp(), WORKER_START_TIMEOUT_MS))
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("hubspot_sync workers did not start within %d seconds",
							WORKER_START_TIMEOUT_MS / 1000),
					 errdetail("The postmaster has not started %d of the requested background workers.",
							   not_started),
					 errhint("Check the server log; max_worker_processes may be too low.")));

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 WAIT_CHECK_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		check_client_connection();
	}
}

/*
 * Run a worker per object type and wait for all of them.  Returns a
 * private copy of their results; the segment is gone afterwards.
 */
static SyncShared *
launch_and_wait(SyncLaunch *launch)
{
	SyncShared *shared = launch->shared;
	Size		size = offsetof(SyncShared, slots) + sizeof(SyncSlot) * launch->n;
	SyncShared *result;

	PG_ENSURE_ERROR_CLEANUP(abandon_syncs, PointerGetDatum(launch));
	{
		/* No catalog snapshot held while waiting (see hubspot_run_sync). */
		InvalidateCatalogSnapshot();
		run_workers(launch);
	}
	PG_END_ENSURE_ERROR_CLEANUP(abandon_syncs, PointerGetDatum(launch));

	for (int i = 0; i < launch->n; i++)
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
	explicit_bzero(result->settings.token, sizeof(result->settings.token));
	abandon_syncs(0, PointerGetDatum(launch));
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
				 errmsg("%lld %s records were skipped because they have no valid id",
						(long long) slot->skipped, slot->object_type),
				 errdetail("HubSpot returned list elements that are not objects with an \"id\" of 1 to 20 digits, in a string.")));
	if (slot->reference_skipped > 0)
		ereport(WARNING,
				(errcode(ERRCODE_HUBSPOT_MISSING_SCOPES),
				 errmsg("the %s sync went on without some of the portal's reference data", slot->object_type),
				 errdetail("%s", slot->reference_note)));
	if (slot->dropped_chars > 0)
		ereport(WARNING,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg("%lld characters PostgreSQL cannot store were removed or replaced in %s records",
						(long long) slot->dropped_chars, slot->object_type),
				 errdetail("HubSpot's text held \\u0000 or half of a UTF-16 surrogate pair, which jsonb cannot hold (removed), or bytes that are not UTF-8 (replaced by U+FFFD); the rest of each value was kept.")));
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
	values[9] = Int64GetDatum(slot->bad_values + slot->skipped + slot->dropped_chars +
								slot->reference_skipped);
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
	char	   *names[1];
	SyncShared *shared;
	SyncSlot   *slot;
	TupleDesc	desc;

	names[0] = object_type_or_error(name);
	check_settings();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	shared = launch_and_wait(prepare_syncs(names, 1, full));
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
	char	  **names;
	int			n;
	SyncShared *shared;

	check_settings();
	InitMaterializedSRF(fcinfo, 0);
	names = hubspot_enabled_object_types(&n);
	shared = launch_and_wait(prepare_syncs(names, n, full));
	for (int i = 0; i < shared->nslots; i++)
	{
		report_warnings(&shared->slots[i]);
		tuplestore_puttuple(rsinfo->setResult,
							slot_tuple(&shared->slots[i], rsinfo->setDesc));
	}
	return (Datum) 0;
}

/* One line for a type's outcome, for NOTICEs and the scheduler's log. */
static char *
slot_summary(SyncSlot *slot)
{
	if (slot->status == SYNC_SUCCEEDED)
		return psprintf("%s: succeeded (%s), %lld records in %d pages",
						slot->object_type, slot->mode, (long long) slot->records, slot->pages);
	return psprintf("%s: %s: %s", slot->object_type, status_name(slot->status),
					slot_error_text(slot));
}

/*
 * CALL hubspot_run_sync(object_type text, full boolean): the syncs of
 * hubspot_sync() (one type) or hubspot_sync_all() (NULL), but the
 * procedure commits before it starts the workers and holds no snapshot
 * while it waits for them, so the session does not hold back VACUUM's
 * horizon for the length of a sync.  A NOTICE per type; an error naming
 * the types that failed, after every type has run.
 */
Datum
hubspot_run_sync(PG_FUNCTION_ARGS)
{
	bool		full = PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1);
	char	  **names;
	int			n = 1;
	bool		nonatomic = fcinfo->context != NULL && IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	SyncLaunch *launch;
	SyncShared *shared;
	StringInfoData failed;

	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("hubspot_run_sync() must be called with CALL outside a transaction block"),
				 errdetail("It commits before it waits for the sync workers."),
				 errhint("Use hubspot_sync() or hubspot_sync_all() inside a transaction or a function.")));
	if (PG_ARGISNULL(0))
		names = hubspot_enabled_object_types(&n);
	else
	{
		names = palloc(sizeof(char *));
		names[0] = object_type_or_error(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	}
	check_settings();

	launch = prepare_syncs(names, n, full);
	/* Commit: no snapshot, no lock and no xmin are held from here on. */
	SPI_connect_ext(SPI_OPT_NONATOMIC);
	SPI_commit();
	SPI_finish();
	shared = launch_and_wait(launch);

	initStringInfo(&failed);
	for (int i = 0; i < shared->nslots; i++)
	{
		SyncSlot   *slot = &shared->slots[i];

		report_warnings(slot);
		ereport(NOTICE, (errmsg_internal("%s", slot_summary(slot))));
		if (slot->status == SYNC_FAILED)
			appendStringInfo(&failed, "%s%s", failed.len ? ", " : "", slot->object_type);
	}
	if (failed.len > 0)
	{
		SyncSlot   *first = NULL;

		for (int i = 0; i < shared->nslots && first == NULL; i++)
			if (shared->slots[i].status == SYNC_FAILED)
				first = &shared->slots[i];
		ereport(ERROR,
				(errcode(first->sqlerrcode),
				 errmsg("hubspot_sync of %s failed", failed.data),
				 errdetail_internal("%s", slot_error_text(first)),
				 errhint("Each type's outcome is in hubspot_sync_runs; the types that succeeded are kept.")));
	}
	PG_RETURN_VOID();
}

/*
 * For the scheduler, outside any transaction's snapshot: sync the given
 * types (the enabled ones, read before), and log each type that failed.
 */
void
hubspot_sync_all_scheduled(char **names, int n)
{
	SyncShared *shared;

	if (hubspot_access_token == NULL || hubspot_access_token[0] == '\0')
	{
		ereport(LOG,
				(errmsg("scheduled sync skipped: hubspot_sync.access_token is not set")));
		return;
	}
	shared = launch_and_wait(prepare_syncs(names, n, false));
	for (int i = 0; i < shared->nslots; i++)
		if (shared->slots[i].status == SYNC_FAILED)
			ereport(LOG,
					(errmsg("scheduled sync of %s failed", shared->slots[i].object_type),
					 errdetail_internal("%s", slot_error_text(&shared->slots[i]))));
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

	/* The stock handlers: a terminate ends the transfer via the interrupt check. */
	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
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

	/* Mask the token this worker sends wherever an error or log line might show it. */
	hubspot_log_filter_add_secret(settings.token);

	BackgroundWorkerInitializeConnectionByOid(shared->database, shared->user, 0);
	pgstat_report_appname(psprintf("hubspot_sync %s%s", slot->object_type,
								   slot->search_slice ? " (search slice)" : ""));
	hubspot_pin_session_settings();

	if (slot->search_slice)
		hubspot_sync_search_slice(&settings, slot);
	else
		hubspot_sync_object(&settings, slot);

	explicit_bzero(settings.token, sizeof(settings.token));
	dsm_detach(seg);
}
