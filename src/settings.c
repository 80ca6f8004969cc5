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

void		_PG_init(void);

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
	return true;
}

static bool
check_access_token(char **newval, void **extra, GucSource source)
{
	if (*newval != NULL && strlen(*newval) >= HUBSPOT_TOKEN_MAX)
	{
		GUC_check_errdetail("The token is longer than %d bytes.", HUBSPOT_TOKEN_MAX - 1);
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

	hubspot_rate_limit_init();
	hubspot_scheduler_define_settings();
	hubspot_log_filter_init();

	MarkGUCPrefixReserved("hubspot_sync");

	/* The scheduler exists only when the library is preloaded. */
	if (process_shared_preload_libraries_in_progress)
		hubspot_scheduler_register();
}
