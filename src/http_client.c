/*-------------------------------------------------------------------------
 * http_client.c
 *	  One interruptible HTTP request with libcurl.
 *
 * A request runs synchronously in the calling process, which is always a
 * sync worker.  A progress callback aborts the transfer as soon as a cancel
 * or terminate request is pending, so a sync stops within about a second
 * even in the middle of a slow response; CHECK_FOR_INTERRUPTS then raises
 * the proper Postgres error.
 *
 * curl is initialised lazily, in the process that uses it, never in the
 * postmaster.  The Authorization header is never logged: CURLOPT_VERBOSE
 * stays off.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "miscadmin.h"

#include "http_client.h"

/* Stop reading a response past this size: no HubSpot page comes close. */
#define HTTP_MAX_BODY (256 * 1024 * 1024)

static CURL *curl_handle = NULL;

static CURL *
get_curl_handle(void)
{
	if (curl_handle == NULL)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			ereport(ERROR,
					(errcode(ERRCODE_SYSTEM_ERROR),
					 errmsg("could not initialize libcurl")));
		curl_handle = curl_easy_init();
		if (curl_handle == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create a libcurl handle")));
	}
	else
		curl_easy_reset(curl_handle);	/* keeps the connection cache */
	return curl_handle;
}

static size_t
write_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	HttpResponse *response = (HttpResponse *) userdata;
	size_t		len = size * nmemb;

	/* Never ereport from inside curl: refuse instead, curl then fails. */
	if (response->body.len + len > HTTP_MAX_BODY)
		return 0;
	appendBinaryStringInfo(&response->body, data, len);
	return len;
}

static size_t
read_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	HttpResponse *response = (HttpResponse *) userdata;
	size_t		len = size * nmemb;
	static const char name[] = "retry-after:";

	if (len > sizeof(name) - 1 && pg_strncasecmp(data, name, sizeof(name) - 1) == 0)
	{
		char		value[32];
		size_t		vlen = Min(len - (sizeof(name) - 1), sizeof(value) - 1);
		double		seconds;
		char	   *end;

		memcpy(value, data + sizeof(name) - 1, vlen);
		value[vlen] = '\0';
		seconds = strtod(value, &end);
		/* Only the delay-seconds form; an HTTP date counts as absent. */
		if (end != value && seconds >= 0 && seconds < 3600)
			response->retry_after_ms = (int) (seconds * 1000);
	}
	return len;
}

/* Abort the transfer when Postgres wants to cancel or terminate. */
static int
check_interrupts(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
				 curl_off_t ultotal, curl_off_t ulnow)
{
	return (QueryCancelPending || ProcDiePending) ? 1 : 0;
}

void
http_request(const char *method, const char *url, const char *json_body,
			 const HttpRequestOptions *options, HttpResponse *response)
{
	CURL	   *curl = get_curl_handle();
	struct curl_slist *headers = NULL;
	char	   *auth;
	char		errbuf[CURL_ERROR_SIZE];
	CURLcode	rc;

	initStringInfo(&response->body);
	response->status = 0;
	response->retry_after_ms = -1;
	response->curl_code = 0;
	response->curl_error[0] = '\0';
	response->transient = false;
	errbuf[0] = '\0';

	auth = psprintf("Authorization: Bearer %s", options->token);
	headers = curl_slist_append(headers, auth);
	headers = curl_slist_append(headers, "Accept: application/json");
	if (json_body != NULL)
		headers = curl_slist_append(headers, "Content-Type: application/json");

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "hubspot_sync/1.0 (PostgreSQL extension)");
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long) options->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long) options->connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, response);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_interrupts);
	if (strcmp(method, "POST") == 0)
	{
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body ? json_body : "");
	}

	rc = curl_easy_perform(curl);

	/* Drop the token from memory curl no longer needs. */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	explicit_bzero(auth, strlen(auth));
	pfree(auth);

	if (rc == CURLE_ABORTED_BY_CALLBACK)
	{
		CHECK_FOR_INTERRUPTS();
		/* Not reached unless the interrupt was already served. */
	}

	response->curl_code = (int) rc;
	if (rc != CURLE_OK)
	{
		strlcpy(response->curl_error, errbuf[0] ? errbuf : curl_easy_strerror(rc),
				sizeof(response->curl_error));
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
		return;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
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

/* URL-encode s (palloc'd). */
char *
http_escape(const char *s)
{
	StringInfoData buf;
	static const char hex[] = "0123456789ABCDEF";

	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~')
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
