/*-------------------------------------------------------------------------
 * scheduler.c
 *	  The built-in scheduler: a background worker that runs
 *	  hubspot_sync_all() every hubspot_sync.sync_interval.
 *
 * Registered when the library is in shared_preload_libraries.  It connects
 * to hubspot_sync.database (waiting for a reload to set it, and restarting
 * when a reload changes it), reloads its settings on SIGHUP, stops promptly
 * on SIGTERM (the stock die handler, as pg_cron learned), survives a failed
 * run (hubspot_sync_all() reports failures in its rows; anything else is
 * logged and the next run comes one interval later), and the postmaster
 * restarts it after a crash.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "hubspot_sync.h"
#include "scheduler.h"
#include "sync_launcher.h"

char	   *hubspot_scheduler_database = NULL;
int			hubspot_sync_interval_s = 3600;

/* How often to look again while there is nothing to do. */
#define IDLE_CHECK_MS 60000

PGDLLEXPORT void hubspot_scheduler_main(Datum main_arg);

void
hubspot_scheduler_define_settings(void)
{
	DefineCustomStringVariable("hubspot_sync.database",
							   "Database in which the scheduler runs hubspot_sync_all().",
							   "Empty: no scheduler.  The extension must be installed there.",
							   &hubspot_scheduler_database,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.sync_interval",
							"Time between two scheduled runs of hubspot_sync_all().",
							"0 turns the scheduler off.",
							&hubspot_sync_interval_s,
							3600, 0, 7 * 24 * 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
}

void
hubspot_scheduler_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "hubspot_sync");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "hubspot_scheduler_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "hubspot_sync scheduler");
	snprintf(worker.bgw_type, BGW_MAXLEN, "hubspot_sync scheduler");
	RegisterBackgroundWorker(&worker);
}

/*
 * One scheduled run.  Returns false when the extension is not installed in
 * the database (nothing was run).
 *
 * Whether it is installed is read in a short transaction of its own; the
 * sync itself is then started and waited for in a transaction that takes
 * no snapshot, so the scheduler never holds back the cluster's xmin
 * horizon (and VACUUM) for the length of a sync.  The workers do the
 * writing, each page in a transaction of its own.
 */
static bool
run_sync_all(void)
{
	volatile bool installed = true;
	MemoryContext oldcxt = CurrentMemoryContext;
	char	  **volatile names = NULL;
	volatile int n = 0;

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		SPI_execute("SELECT 1 FROM pg_catalog.pg_extension e"
					" WHERE e.extname OPERATOR(pg_catalog.=) 'hubspot_sync'", true, 1);
		installed = SPI_processed == 1;
		SPI_finish();
		if (installed)
		{
			/* The enabled types, kept past the transaction. */
			int			count;

			MemoryContextSwitchTo(oldcxt);
			names = hubspot_enabled_object_types(&count);
			n = count;
		}
		PopActiveSnapshot();
		CommitTransactionCommand();

		if (installed)
		{
			pgstat_report_activity(STATE_RUNNING, "hubspot_sync scheduler: syncing every object type");
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			hubspot_sync_all_scheduled(names, n);
			CommitTransactionCommand();
		}
	}
	PG_CATCH();
	{
		/* Log it and carry on: the next run comes one interval later. */
		MemoryContextSwitchTo(oldcxt);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
	}
	PG_END_TRY();

	MemoryContextSwitchTo(oldcxt);
	if (names != NULL)
	{
		for (int i = 0; i < n; i++)
			pfree(names[i]);
		pfree(names);
	}
	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);
	return installed;
}

/*
 * Until hubspot_sync.database names a database, wait for a reload that
 * sets it (or for the end).
 */
static void
wait_for_database_setting(void)
{
	bool		said = false;

	while (hubspot_scheduler_database == NULL || hubspot_scheduler_database[0] == '\0')
	{
		if (!said)
			ereport(LOG,
					(errmsg("hubspot_sync scheduler: hubspot_sync.database is not set, waiting for it to be set"),
					 errhint("ALTER SYSTEM SET hubspot_sync.database = '...'; SELECT pg_reload_conf();")));
		said = true;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	}
}

void
hubspot_scheduler_main(Datum main_arg)
{
	TimestampTz next_run = GetCurrentTimestamp();
	bool		warned_missing = false;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	wait_for_database_setting();
	BackgroundWorkerInitializeConnection(hubspot_scheduler_database, NULL, 0);
	pgstat_report_appname("hubspot_sync scheduler");
	SetConfigOption("application_name", "hubspot_sync scheduler", PGC_USERSET, PGC_S_SESSION);
	hubspot_pin_session_settings();
	ereport(LOG,
			(errmsg("hubspot_sync scheduler started in database \"%s\", interval %d s",
					hubspot_scheduler_database, hubspot_sync_interval_s)));

	for (;;)
	{
		long		wait_ms;
		TimestampTz now;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			int			old_interval = hubspot_sync_interval_s;
			char	   *old_database = pstrdup(hubspot_scheduler_database);

			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (strcmp(old_database, hubspot_scheduler_database) != 0)
			{
				/* Exit code 1: the postmaster restarts us, connected anew. */
				ereport(LOG,
						(errmsg("hubspot_sync scheduler: hubspot_sync.database changed, restarting")));
				proc_exit(1);
			}
			pfree(old_database);
			if (hubspot_sync_interval_s != old_interval)
			{
				ereport(LOG,
						(errmsg("hubspot_sync scheduler: interval is now %d s", hubspot_sync_interval_s)));
				/* A new interval counts from now. */
				next_run = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   (int64) hubspot_sync_interval_s * 1000);
				if (old_interval == 0)
					next_run = GetCurrentTimestamp();
			}
		}

		now = GetCurrentTimestamp();
		if (hubspot_sync_interval_s > 0 && now >= next_run)
		{
			if (run_sync_all())
				warned_missing = false;
			else if (!warned_missing)
			{
				ereport(LOG,
						(errmsg("hubspot_sync scheduler: extension \"hubspot_sync\" is not installed in database \"%s\"",
								hubspot_scheduler_database),
						 errhint("CREATE EXTENSION hubspot_sync there, or change hubspot_sync.database.")));
				warned_missing = true;
			}
			next_run = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												   (int64) hubspot_sync_interval_s * 1000);
			continue;
		}

		wait_ms = hubspot_sync_interval_s > 0 ?
			Min(TimestampDifferenceMilliseconds(now, next_run), IDLE_CHECK_MS) : IDLE_CHECK_MS;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(wait_ms, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
