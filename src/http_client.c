/*-------------------------------------------------------------------------
 * http_client.c
 *	  Interruptible HTTP requests with libcurl, several in flight at once.
 *
 * Requests run in the calling process, which is always a sync worker,
 * through one curl multi handle: http_request_start sends a request and
 * returns at once, so the worker can write the previous page while HubSpot
 * prepares the next one; http_request_wait then drives every request in
 * flight until that one is done.  Connections stay open between requests
 * (the multi handle keeps them).
 *
 * Waits poll curl at most 100 ms at a time and a progress callback aborts
 * transfers as soon as a cancel or terminate request is pending, so a sync
 * stops within a fraction of a second even in the middle of a slow
 * response; CHECK_FOR_INTERRUPTS then raises the proper Postgres error.
 * Whoever catches that error calls http_cancel_all.
 *
 * curl is initialised lazily, in the process that uses it, never in the
 * postmaster.  The Authorization header is never logged: CURLOPT_VERBOSE
 * stays off.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/pmsignal.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http_client.h"

/* How long one wait for curl lasts before checking for interrupts again. */
#define HTTP_POLL_MS 100

struct HttpRequest
{
	CURL	   *easy;
	struct curl_slist *headers;
	char	   *auth;			/* the Authorization header line */
	char		errbuf[CURL_ERROR_SIZE];
	MemoryContext cxt;			/* of the start: the body grows there */
	char	   *body;			/* NUL-terminated; NULL until data comes */
	size_t		body_len;
	size_t		body_cap;
	size_t		max_body;
	bool		too_large;
	bool		out_of_memory;
	int			retry_after_ms;
	int			rate_limit_max;
	int			rate_limit_interval_ms;
	int			daily_remaining;
	bool		done;
	CURLcode	result;
};

static CURLM *multi = NULL;
/* Every request in flight, so an error can drop them all: no fixed limit. */
static HttpRequest **in_flight = NULL;
static int	in_flight_cap = 0;

static CURLM *
get_multi_handle(void)
{
	if (multi == NULL)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			ereport(ERROR,
					(errcode(ERRCODE_SYSTEM_ERROR),
					 errmsg("could not initialize libcurl")));
		multi = curl_multi_init();
		if (multi == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create a libcurl multi handle")));
	}
	return multi;
}

/*
 * curl hands the body over in pieces.  Nothing here may raise an error
 * (curl's state would be left half-way): past the cap, or out of memory,
 * refuse the piece and curl fails the transfer with CURLE_WRITE_ERROR; the
 * flag says why.
 */
static size_t
write_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	HttpRequest *request = (HttpRequest *) userdata;
	size_t		len = size * nmemb;

	if (request->body_len + len > request->max_body)
	{
		request->too_large = true;
		return 0;
	}
	if (request->body_len + len + 1 > request->body_cap)
	{
		size_t		cap = Max(request->body_cap * 2, request->body_len + len + 1);
		char	   *grown;

		cap = Max(cap, 8192);
		grown = MemoryContextAllocExtended(request->cxt, cap,
										   MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
		if (grown == NULL)
		{
			request->out_of_memory = true;
			return 0;
		}
		if (request->body != NULL)
		{
			memcpy(grown, request->body, request->body_len);
			pfree(request->body);
		}
		request->body = grown;
		request->body_cap = cap;
	}
	memcpy(request->body + request->body_len, data, len);
	request->body_len += len;
	request->body[request->body_len] = '\0';
	return len;
}

/*
 * If the header line is "name: <number>" (name in lower case), set *value
 * and return true.
 */
static bool
header_number(const char *data, size_t len, const char *name, double *value)
{
	size_t		nlen = strlen(name);
	char		text[32];
	size_t		vlen;
	char	   *end;

	if (len <= nlen + 1 || pg_strncasecmp(data, name, nlen) != 0 || data[nlen] != ':')
		return false;
	vlen = Min(len - nlen - 1, sizeof(text) - 1);
	memcpy(text, data + nlen + 1, vlen);
	text[vlen] = '\0';
	*value = strtod(text, &end);
	return end != text;
}

static size_t
read_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	HttpRequest *request = (HttpRequest *) userdata;
	size_t		len = size * nmemb;
	double		value;

	/* Only Retry-After's delay-seconds form; an HTTP date counts as absent. */
	if (header_number(data, len, "retry-after", &value))
	{
		if (value >= 0 && value < 3600)
			request->retry_after_ms = (int) (value * 1000);
	}
	else if (header_number(data, len, "x-hubspot-ratelimit-max", &value))
	{
		if (value >= 1 && value <= INT_MAX)
			request->rate_limit_max = (int) value;
	}
	else if (header_number(data, len, "x-hubspot-ratelimit-interval-milliseconds", &value))
	{
		if (value >= 1 && value <= INT_MAX)
			request->rate_limit_interval_ms = (int) value;
	}
	else if (header_number(data, len, "x-hubspot-ratelimit-daily-remaining", &value))
	{
		if (value >= 0 && value <= INT_MAX)
			request->daily_remaining = (int) value;
	}
	return len;
}

/*
 * Abort the transfer when Postgres wants to cancel or terminate, or the
 * postmaster is gone (poll_transfers then exits).
 */
static int
check_interrupts(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
				 curl_off_t ultotal, curl_off_t ulnow)
{
	return (QueryCancelPending || ProcDiePending || !PostmasterIsAlive()) ? 1 : 0;
}

/* Let curl do what it can without blocking, and note finished transfers. */
static void
drive_transfers(void)
{
	int			running;
	int			left;
	CURLMsg    *msg;
	CURLMcode	mc;

	mc = curl_multi_perform(multi, &running);
	if (mc != CURLM_OK)
		elog(ERROR, "curl_multi_perform failed: %s", curl_multi_strerror(mc));
	while ((msg = curl_multi_info_read(multi, &left)) != NULL)
	{
		HttpRequest *request = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &request);
		if (request != NULL)
		{
			request->done = true;
			request->result = msg->data.result;
		}
	}
}

/*
 * Wait up to timeout_ms for any socket, then drive; answers interrupts,
 * and exits at once when the postmaster has died (as WL_EXIT_ON_PM_DEATH
 * would).  pg_stat_activity shows the wait as Extension.
 */
static void
poll_transfers(int timeout_ms)
{
	CHECK_FOR_INTERRUPTS();
	pgstat_report_wait_start(PG_WAIT_EXTENSION);
	(void) curl_multi_poll(multi, NULL, 0, timeout_ms, NULL);
	pgstat_report_wait_end();
	if (!PostmasterIsAlive())
		proc_exit(1);
	CHECK_FOR_INTERRUPTS();
	drive_transfers();
}

/* Remember a request as in flight, growing the list as needed. */
static void
track_request(HttpRequest *request)
{
	int			i;

	for (i = 0; i < in_flight_cap && in_flight[i] != NULL; i++)
		;
	if (i == in_flight_cap)
	{
		int			cap = Max(16, in_flight_cap * 2);

		if (in_flight == NULL)
			in_flight = MemoryContextAllocZero(TopMemoryContext, sizeof(HttpRequest *) * cap);
		else
		{
			in_flight = repalloc(in_flight, sizeof(HttpRequest *) * cap);
			memset(in_flight + in_flight_cap, 0, sizeof(HttpRequest *) * (cap - in_flight_cap));
		}
		in_flight_cap = cap;
	}
	in_flight[i] = request;
}

static void
untrack_request(HttpRequest *request)
{
	for (int i = 0; i < in_flight_cap; i++)
		if (in_flight[i] == request)
			in_flight[i] = NULL;
}

/* Free what curl holds for the request, and wipe the token. */
static void
release_request(HttpRequest *request)
{
	curl_multi_remove_handle(multi, request->easy);
	curl_easy_cleanup(request->easy);
	curl_slist_free_all(request->headers);
	explicit_bzero(request->auth, strlen(request->auth));
	untrack_request(request);
}

/*
 * Send a request and return without waiting for the answer.  The request
 * and its answer's body live in the current memory context, which must
 * outlast http_request_wait or http_request_cancel.
 */
HttpRequest *
http_request_start(const char *method, const char *url, const char *json_body,
				   const HttpRequestOptions *options)
{
	HttpRequest *request;
	CURL	   *curl;
	curl_off_t	pretransfer = 0;

	get_multi_handle();
	request = palloc0(sizeof(HttpRequest));
	request->cxt = CurrentMemoryContext;
	request->max_body = options->max_body_bytes;
	request->retry_after_ms = -1;
	request->rate_limit_max = -1;
	request->rate_limit_interval_ms = -1;
	request->daily_remaining = -1;
	request->easy = curl = curl_easy_init();
	if (curl == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl handle")));

	request->auth = psprintf("Authorization: Bearer %s", options->token);
	request->headers = curl_slist_append(request->headers, request->auth);
	request->headers = curl_slist_append(request->headers, "Accept: application/json");
	if (json_body != NULL)
		request->headers = curl_slist_append(request->headers, "Content-Type: application/json");

	curl_easy_setopt(curl, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85.0 */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* "" turns off the proxy environment variables, which the server's owner set, not us. */
	curl_easy_setopt(curl, CURLOPT_PROXY, options->proxy ? options->proxy : "");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, request->headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "hubspot_sync/1.0 (PostgreSQL extension)");
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long) options->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long) options->connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, request->errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, request);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, request);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_interrupts);
	curl_easy_setopt(curl, CURLOPT_PRIVATE, (char *) request);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, json_body ? json_body : "");

	if (curl_multi_add_handle(multi, curl) != CURLM_OK)
	{
		curl_easy_cleanup(curl);
		curl_slist_free_all(request->headers);
		explicit_bzero(request->auth, strlen(request->auth));
		elog(ERROR, "could not add a request to the libcurl multi handle");
	}
	track_request(request);

	/*
	 * Drive it until the request has left (a reused connection: at once; a
	 * new one: once connected), so HubSpot works on it while we do not.
	 */
	drive_transfers();
	while (!request->done &&
		   curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK &&
		   pretransfer == 0)
		poll_transfers(10);
	return request;
}

/* Whether the answer is in (or the transfer failed); never waits. */
bool
http_request_done(HttpRequest *request)
{
	if (!request->done)
		drive_transfers();
	return request->done;
}

/*
 * Wait for the request's answer (driving the others in flight meanwhile)
 * and fill response; its body stays in the memory context of the start.
 * The request is gone afterwards.
 */
void
http_request_wait(HttpRequest *request, HttpResponse *response)
{
	CURLcode	rc;

	while (!request->done)
		poll_transfers(HTTP_POLL_MS);

	rc = request->result;
	if (request->body == NULL)
		initStringInfo(&response->body);
	else
	{
		/* The body becomes the response's: it lives in the start's context. */
		response->body.data = request->body;
		response->body.len = request->body_len;
		response->body.maxlen = request->body_cap;
		response->body.cursor = 0;
	}
	response->too_large = request->too_large;
	response->status = 0;
	response->retry_after_ms = request->retry_after_ms;
	response->rate_limit_max = request->rate_limit_max;
	response->rate_limit_interval_ms = request->rate_limit_interval_ms;
	response->daily_remaining = request->daily_remaining;
	response->curl_code = (int) rc;
	response->curl_error[0] = '\0';
	response->transient = false;
	if (request->out_of_memory)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory reading an answer of %zu bytes", request->body_len)));
	if (rc == CURLE_OK)
		curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &response->status);
	else
		strlcpy(response->curl_error,
				request->errbuf[0] ? request->errbuf : curl_easy_strerror(rc),
				sizeof(response->curl_error));
	release_request(request);
	pfree(request->auth);
	pfree(request);

	if (rc == CURLE_ABORTED_BY_CALLBACK)
	{
		CHECK_FOR_INTERRUPTS();
		/* Not reached unless the interrupt was already served. */
	}

	switch (rc)
	{
		case CURLE_COULDNT_CONNECT:
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE:
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_SSL_CONNECT_ERROR:
			response->transient = true;
			break;
		default:
			break;
	}
}

/* Drop a request whose answer is no longer wanted. */
void
http_request_cancel(HttpRequest *request)
{
	release_request(request);
	if (request->body != NULL)
		pfree(request->body);
	pfree(request->auth);
	pfree(request);
}

/*
 * Drop every request in flight, after an error.  Only curl's side is freed
 * (and the token wiped): call it before the memory contexts the requests
 * were started in go.
 */
void
http_cancel_all(void)
{
	for (int i = 0; i < in_flight_cap; i++)
		if (in_flight[i] != NULL)
			release_request(in_flight[i]);
}

/* The host part of a URL, for error messages. */
char *
http_url_host(const char *url)
{
	CURLU	   *h = curl_url();
	char	   *host = NULL;
	char	   *result;

	if (h != NULL && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK)
	{
		result = pstrdup(host);
		curl_free(host);
	}
	else
		result = pstrdup("(unparsable URL)");
	if (h != NULL)
		curl_url_cleanup(h);
	return result;
}

/*
 * s percent-encoded for a URL (palloc'd): every character but the
 * unreserved ones, and, with keep_escapes, but the %XX escapes s already
 * has.
 */
static char *
escape_for_url(const char *s, bool keep_escapes)
{
	StringInfoData buf;
	static const char hex[] = "0123456789ABCDEF";

	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
			(keep_escapes && *p == '%' && isxdigit(p[1]) && isxdigit(p[2])))
			appendStringInfoChar(&buf, *p);
		else
		{
			appendStringInfoChar(&buf, '%');
			appendStringInfoChar(&buf, hex[*p >> 4]);
			appendStringInfoChar(&buf, hex[*p & 15]);
		}
	}
	return buf.data;
}

/* URL-encode s (palloc'd). */
char *
http_escape(const char *s)
{
	return escape_for_url(s, false);
}

/*
 * An opaque value HubSpot handed us (a paging cursor) for a query string,
 * so that HubSpot reads back exactly what it sent: it may come
 * percent-encoded already (the spec's example is "NTI1Cg%3D%3D"), so its
 * %XX escapes pass as they are; every other character that is not
 * unreserved is escaped, a lone '%' included (palloc'd).
 */
char *
http_escape_opaque(const char *s)
{
	return escape_for_url(s, true);
}
