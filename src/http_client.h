/*-------------------------------------------------------------------------
 * http_client.h
 *	  Interruptible HTTP requests with libcurl, several in flight at once.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_HTTP_CLIENT_H
#define HUBSPOT_HTTP_CLIENT_H

#include "lib/stringinfo.h"

typedef struct HttpResponse
{
	long		status;			/* HTTP status, 0 when no response came */
	StringInfoData body;
	int			retry_after_ms; /* Retry-After header, -1 when absent */
	int			rate_limit_max; /* X-HubSpot-RateLimit-Max, -1 when absent */
	int			rate_limit_interval_ms; /* X-HubSpot-RateLimit-Interval-Milliseconds, -1 when absent */
	int			daily_remaining;	/* X-HubSpot-RateLimit-Daily-Remaining, -1 when absent */
	int			curl_code;		/* CURLcode; 0 when the transfer completed */
	char		curl_error[256];	/* curl's message when curl_code != 0 */
	bool		transient;		/* a failure worth retrying (timeout, drop) */
	bool		too_large;		/* the body passed max_body_bytes: not read */
} HttpResponse;

typedef struct HttpRequestOptions
{
	const char *token;			/* sent as a Bearer token, never logged */
	int			timeout_ms;
	int			connect_timeout_ms;
	const char *proxy;			/* "": none, whatever the environment says */
	size_t		max_body_bytes; /* a longer answer fails, too_large */
} HttpRequestOptions;

/* A request sent and not yet waited for (http_request_start). */
typedef struct HttpRequest HttpRequest;

extern HttpRequest *http_request_start(const char *method, const char *url,
									   const char *json_body,
									   const HttpRequestOptions *options);
extern bool http_request_done(HttpRequest *request);
extern void http_request_wait(HttpRequest *request, HttpResponse *response);
extern void http_request_cancel(HttpRequest *request);
extern void http_cancel_all(void);

extern char *http_url_host(const char *url);
extern char *http_escape(const char *s);
extern char *http_escape_opaque(const char *s);

#endif							/* HUBSPOT_HTTP_CLIENT_H */
