/*-------------------------------------------------------------------------
 * settings.c
 *	  Module entry point and the hubspot_sync.* settings.
 *
 * The URL and the token are superuser-only: a non-superuser can neither set
 * nor read them.  The token is never shown, even to a superuser: SHOW and
 * current_setting() print a mask, so it cannot leak through pg_settings,
 * a view or a log line that echoes a setting.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "http_client.h"
#include "hubspot_sync.h"
#include "log_filter.h"
#include "rate_limit.h"
#include "scheduler.h"

PG_MODULE_MAGIC;

char	   *hubspot_api_url = NULL;
char	   *hubspot_access_token = NULL;
int			hubspot_request_timeout_ms = 30000;
int			hubspot_connect_timeout_ms = 10000;
int			hubspot_page_size = 100;
int			hubspot_max_retries = 5;
int			hubspot_retry_base_delay_ms = 500;
bool		hubspot_preloaded = false;
int			hubspot_full_sync_interval_s = 7 * 24 * 3600;
int			hubspot_incremental_overlap_ms = 10 * 60 * 1000;
int			hubspot_search_page_size = 200;
bool		hubspot_parallel_full_sync = true;
int			hubspot_max_parallel_syncs = 4;
char	   *hubspot_proxy = NULL;
int			hubspot_max_response_kb = 32 * 1024;

void		_PG_init(void);

/* An error unless a token is set: HubSpot answers nothing without one. */
void
hubspot_require_access_token(void)
{
	if (hubspot_access_token == NULL || hubspot_access_token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("hubspot_sync.access_token is not set"),
				 errdetail("HubSpot needs a private app access token to answer."),
				 errhint("As a superuser: ALTER SYSTEM SET hubspot_sync.access_token = 'pat-…'; SELECT pg_reload_conf();")));
}

/*
 * Whether host (as libcurl gives it) is this machine: only there may the
 * bearer token travel in clear.
 */
static bool
is_loopback_host(const char *host)
{
	return pg_strcasecmp(host, "localhost") == 0 ||
		strncmp(host, "127.", 4) == 0 ||
		strcmp(host, "[::1]") == 0;
}

static bool
check_api_url(char **newval, void **extra, GucSource source)
{
	const char *url = *newval;

	if (url == NULL)
		return true;
	if (strlen(url) >= HUBSPOT_URL_MAX)
	{
		GUC_check_errdetail("The URL is longer than %d bytes.", HUBSPOT_URL_MAX - 1);
		return false;
	}
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
	{
		GUC_check_errdetail("The URL must start with https:// or http://.");
		return false;
	}
	if (strncmp(url, "http://", 7) == 0 && !is_loopback_host(http_url_host(url)))
	{
		GUC_check_errdetail("Over http:// the access token would travel in clear; only a server on this machine (localhost, 127.0.0.0/8, [::1]) may be reached that way.");
		GUC_check_errhint("Use https://.");
		return false;
	}
	return true;
}

/*
 * The token is a secret: never stored where other roles can read it, and
 * never quoted in a message.  Every value seen here is remembered by the
 * log filter, so a token newly set (before a reload makes it current) is
 * masked too.
 */
static bool
check_access_token(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL)
		return true;
	hubspot_log_filter_add_secret(*newval);
	if (strlen(*newval) >= HUBSPOT_TOKEN_MAX)
	{
		GUC_check_errmsg("invalid value for parameter \"hubspot_sync.access_token\"");
		GUC_check_errdetail("The token is longer than %d bytes.", HUBSPOT_TOKEN_MAX - 1);
		return false;
	}
	/*
	 * ALTER ROLE/DATABASE ... SET is validated with PGC_S_TEST and applied
	 * at connection from the other sources below; its value sits in
	 * pg_db_role_setting, which every role can read.
	 */
	if ((*newval)[0] != '\0' &&
		(source == PGC_S_TEST || source == PGC_S_GLOBAL || source == PGC_S_DATABASE ||
		 source == PGC_S_USER || source == PGC_S_DATABASE_USER))
	{
		GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
		GUC_check_errmsg("hubspot_sync.access_token cannot be set per role, per database or per function");
		GUC_check_errdetail("Such settings are stored in pg_db_role_setting or pg_proc, which every role can read.");
		GUC_check_errhint("Set it with ALTER SYSTEM or in postgresql.conf, then reload.");
		return false;
	}
	return true;
}

/* Never print the token: say only whether one is set. */
static const char *
show_access_token(void)
{
	if (hubspot_access_token == NULL || hubspot_access_token[0] == '\0')
		return "";
	return "********";
}

/*
 * Settings of every process that runs SQL as a superuser on a sync's
 * behalf (sync workers, the scheduler), whatever the database or role
 * settings say, which a less privileged owner of the database controls:
 *
 * - search_path: only pg_catalog (and the process's own pg_temp), so no
 *	 unqualified operator or function in our SQL can resolve to an object
 *	 of theirs; our own objects are always named with their schema.
 * - READ COMMITTED, read-write: the metrics triggers rely on a new
 *	 snapshot per statement, and a sync must be able to write.
 */
void
hubspot_pin_session_settings(void)
{
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_SESSION);
	SetConfigOption("default_transaction_isolation", "read committed", PGC_SUSET, PGC_S_SESSION);
	SetConfigOption("default_transaction_read_only", "off", PGC_SUSET, PGC_S_SESSION);
	SetConfigOption("default_transaction_deferrable", "off", PGC_SUSET, PGC_S_SESSION);

	/*
	 * The statements of a page unnest jsonb, which the planner guesses at
	 * 100 rows a level: nested unnests pass jit_above_cost, and compiling
	 * costs far more than the work (reading the associations of 1,500
	 * contacts in 475 v4 answers took 21 s with JIT, 0.5 s without).
	 */
	SetConfigOption("jit", "off", PGC_USERSET, PGC_S_SESSION);
}

void
_PG_init(void)
{
	hubspot_preloaded = process_shared_preload_libraries_in_progress;

	DefineCustomStringVariable("hubspot_sync.api_url",
							   "Base URL of the HubSpot API.",
							   "Point it at another HubSpot-compatible server, e.g. https://api-eu1.hubapi.com.",
							   &hubspot_api_url,
							   "https://api.hubapi.com",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY,
							   check_api_url, NULL, NULL);

	DefineCustomStringVariable("hubspot_sync.access_token",
							   "HubSpot private app access token.",
							   "Set it in postgresql.conf or with ALTER SYSTEM; it is never shown.",
							   &hubspot_access_token,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   check_access_token, NULL, show_access_token);

	DefineCustomIntVariable("hubspot_sync.request_timeout",
							"Time limit of one HTTP request to HubSpot.",
							NULL,
							&hubspot_request_timeout_ms,
							30000, 100, 3600 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.connect_timeout",
							"Time limit to connect to HubSpot.",
							NULL,
							&hubspot_connect_timeout_ms,
							10000, 100, 600 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.page_size",
							"Records asked for per list request (HubSpot allows at most 100).",
							NULL,
							&hubspot_page_size,
							100, 1, 100,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.max_retries",
							"Retries of a request that got HTTP 429, 5xx, a timeout or a dropped connection.",
							NULL,
							&hubspot_max_retries,
							5, 0, 100,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.retry_base_delay",
							"First wait before a retry; each further retry waits about twice as long.",
							NULL,
							&hubspot_retry_base_delay_ms,
							500, 1, 600 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.full_sync_interval",
							"A sync is a full list sync when the last one is older than this; otherwise incremental.",
							"Full syncs catch what the search index missed, deletions and association changes.  0: every sync is full.",
							&hubspot_full_sync_interval_s,
							7 * 24 * 3600, 0, PG_INT32_MAX,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.incremental_overlap",
							"How far before its cursor an incremental sync re-reads, for HubSpot's search index lag.",
							NULL,
							&hubspot_incremental_overlap_ms,
							10 * 60 * 1000, 0, PG_INT32_MAX,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.search_page_size",
							"Records asked for per search request (HubSpot allows at most 200).",
							NULL,
							&hubspot_search_page_size,
							200, 1, 200,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("hubspot_sync.parallel_full_sync",
							 "Whether a full sync reads the list from the lowest id and a search slice from the highest at once.",
							 "The slice runs in one more background worker and meets the list in the middle; "
							 "off, a full sync follows the list alone.",
							 &hubspot_parallel_full_sync,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.max_parallel_syncs",
							"Object types one hubspot_sync_all() (or scheduled run) syncs at once.",
							"Each takes a background worker, and a full sync one more for its search slice: "
							"keep max_worker_processes above twice this, plus what else the server runs.",
							&hubspot_max_parallel_syncs,
							4, 1, 64,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("hubspot_sync.proxy",
							   "Proxy for the requests to HubSpot (curl's syntax, e.g. http://proxy:3128).",
							   "Empty: no proxy.  The http_proxy and https_proxy environment variables of the server are ignored.",
							   &hubspot_proxy,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("hubspot_sync.max_response_size",
							"Largest HubSpot answer read; a larger one fails the request.",
							"A page of 100 records with every property of a large portal stays far below the default.",
							&hubspot_max_response_kb,
							32 * 1024, 64, 1024 * 1024,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	hubspot_rate_limit_init();
	hubspot_scheduler_define_settings();
	hubspot_log_filter_init();

	MarkGUCPrefixReserved("hubspot_sync");

	/* The scheduler exists only when the library is preloaded. */
	if (process_shared_preload_libraries_in_progress)
		hubspot_scheduler_register();
}
