/*-------------------------------------------------------------------------
 * hubspot_sync.h
 *	  Settings and small shared declarations of the hubspot_sync extension.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_SYNC_H
#define HUBSPOT_SYNC_H

/* Settings (GUCs), defined in settings.c */
extern char *hubspot_api_url;
extern char *hubspot_access_token;
extern int	hubspot_request_timeout_ms;
extern int	hubspot_connect_timeout_ms;
extern int	hubspot_page_size;
extern int	hubspot_max_retries;
extern int	hubspot_retry_base_delay_ms;
extern bool hubspot_preloaded;
extern int	hubspot_full_sync_interval_s;
extern int	hubspot_incremental_overlap_ms;
extern int	hubspot_search_page_size;
extern bool hubspot_parallel_full_sync;
extern int	hubspot_max_parallel_syncs;
extern char *hubspot_proxy;
extern int	hubspot_max_response_kb;

extern void hubspot_pin_session_settings(void);
extern void hubspot_require_access_token(void);

#define HUBSPOT_URL_MAX		1024
#define HUBSPOT_TOKEN_MAX	1024

#endif							/* HUBSPOT_SYNC_H */
