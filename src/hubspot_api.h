/*-------------------------------------------------------------------------
 * hubspot_api.h
 *	  HubSpot's REST API: requests with retries, error reports, pages.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_API_H
#define HUBSPOT_API_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "hubspot_sync.h"
#include "object_types.h"

/*
 * Every failure on HubSpot's side (unreachable, refused, limited, answers
 * that cannot be used) is in one class: 38, external routine exception,
 * with the implementation-defined subclass S.  Not class 08 or 28, which
 * connection pools read as "this database connection is broken".
 */
#define ERRCODE_HUBSPOT_HTTP_ERROR		MAKE_SQLSTATE('3','8','S','0','0')
#define ERRCODE_HUBSPOT_UNREACHABLE		MAKE_SQLSTATE('3','8','S','0','1')
#define ERRCODE_HUBSPOT_TOKEN_REFUSED	MAKE_SQLSTATE('3','8','S','0','2')
#define ERRCODE_HUBSPOT_MISSING_SCOPES	MAKE_SQLSTATE('3','8','S','0','3')
#define ERRCODE_HUBSPOT_DAILY_LIMIT		MAKE_SQLSTATE('3','8','S','0','4')
#define ERRCODE_HUBSPOT_BAD_RESPONSE	MAKE_SQLSTATE('3','8','S','0','5')
#define ERRCODE_HUBSPOT_PAGING_LOOP		MAKE_SQLSTATE('3','8','S','0','6')

/* The settings a sync runs with, copied from the session that started it. */
typedef struct HubspotSettings
{
	char		api_url[HUBSPOT_URL_MAX];
	char		token[HUBSPOT_TOKEN_MAX];
	int			request_timeout_ms;
	int			connect_timeout_ms;
	int			page_size;
	int			max_retries;
	int			retry_base_delay_ms;
	int			full_sync_interval_s;	/* a full sync at least this often */
	int			incremental_overlap_ms; /* re-read this far before the cursor */
	int			search_page_size;
	bool		parallel_full_sync; /* a search slice alongside the list */
	char		proxy[HUBSPOT_URL_MAX];	/* "": none, whatever the environment says */
	size_t		max_response_bytes;
} HubspotSettings;

typedef struct HubspotClient
{
	const HubspotSettings *settings;
	int			requests;		/* HTTP requests sent */
	int			retries;		/* of which retries */
	int			rate_limited;	/* 429s received */
	int64		dropped_chars;	/* \u0000 and lone surrogates removed */
	int			daily_remaining;	/* the fewest requests HubSpot said the
									 * portal has left today; -1: not said */
	long		last_error_status;	/* HTTP status of the last error raised */
} HubspotClient;

extern void hubspot_client_init(HubspotClient *client, const HubspotSettings *settings);
extern void hubspot_client_note_daily_remaining(HubspotClient *client, int remaining);

typedef struct HubspotPage
{
	Jsonb	   *results;		/* the "results" array */
	int			nresults;
	char	   *next_after;		/* paging.next.after, NULL on the last page */
	Jsonb	   *extra;			/* further property requests' results, or NULL */
	int64		total;			/* search: matches in all, else -1 */
	Jsonb	   *errors;			/* a batch answer's per-id "errors", or NULL */
} HubspotPage;

/* Longest escaped property list put in one URL (HubSpot: 414 past ~8,000). */
#define HUBSPOT_MAX_PROPERTIES_QUERY 6000

/* Owners per page (HubSpot allows up to 500). */
#define HUBSPOT_OWNERS_PAGE_SIZE 100

/* Ids per v4 association batch read. */
#define HUBSPOT_MAX_ASSOCIATION_BATCH 1000

extern void hubspot_settings_from_gucs(HubspotSettings *settings);
/* A request, or a page of requests, sent and not yet waited for. */
typedef struct HubspotRequest HubspotRequest;
typedef struct HubspotPendingPage HubspotPendingPage;

extern HubspotRequest *hubspot_request_start(HubspotClient *client, const char *method,
											 const char *path, const char *query,
											 const char *body);
extern Jsonb *hubspot_request_finish(HubspotRequest *request);
extern Jsonb *hubspot_request_json(HubspotClient *client, const char *method,
								   const char *path, const char *query,
								   const char *body);
extern void hubspot_cancel_requests(void);

extern HubspotPendingPage *hubspot_list_page_start(HubspotClient *client,
												   const HubspotObjectType *type,
												   List *properties, bool archived,
												   const char *after);
extern HubspotPendingPage *hubspot_search_ids_below_start(HubspotClient *client,
														  const HubspotObjectType *type,
														  List *properties,
														  const char *below_id, int limit);
extern HubspotPendingPage *hubspot_association_batch_start(HubspotClient *client,
														   const char *from_type,
														   const char *to_type, List *ids,
														   List *afters);
extern bool hubspot_page_ready(HubspotPendingPage *pending);
extern void hubspot_page_finish(HubspotPendingPage *pending, HubspotPage *page);
extern void hubspot_page_cancel(HubspotPendingPage *pending);
extern void hubspot_search_modified_since(HubspotClient *client, const HubspotObjectType *type,
										  List *properties, int64 since_ms, int limit,
										  HubspotPage *page);
extern void hubspot_search_modified_at(HubspotClient *client, const HubspotObjectType *type,
									   List *properties, int64 at_ms, const char *after_id,
									   int limit, HubspotPage *page);
extern Jsonb *hubspot_property_definitions(HubspotClient *client,
										   const HubspotObjectType *type);
extern Jsonb *hubspot_pipelines(HubspotClient *client, const char *object_type);
extern Jsonb *hubspot_custom_object_schemas(HubspotClient *client);
extern void hubspot_owners_page(HubspotClient *client, bool archived, const char *after,
								HubspotPage *page);
extern Jsonb *hubspot_association_types(HubspotClient *client, const char *from_type,
										const char *to_type);
extern char *hubspot_jsonb_string(JsonbContainer *container, const char *key);
extern JsonbContainer *hubspot_jsonb_object(JsonbContainer *container, const char *key);
extern JsonbContainer *hubspot_jsonb_array(JsonbContainer *container, const char *key);

#endif							/* HUBSPOT_API_H */
