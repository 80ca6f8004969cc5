/*-------------------------------------------------------------------------
 * hubspot_api.c
 *	  HubSpot's REST API: requests with retries, error reports, pages.
 *
 * A request is started (paced by the shared budget, then sent) and
 * finished later, so a sync can write one page while HubSpot prepares the
 * next; hubspot_request_json does both at once.  A request and what it
 * needs to be sent again live in a memory context of their own, which
 * outlives the page it was sent from; hubspot_cancel_requests drops them
 * all after an error.
 *
 * Responses are parsed with the server's own JSON code: validated first
 * (so a malformed body gets a clear error, not a raw "invalid input
 * syntax"), then turned into jsonb.
 *
 * Retries: HTTP 429 waits as HubSpot's Retry-After says (or, when it is
 * absent, waits out the window of the limit the body names); a 429 for
 * the daily limit fails at once, as waiting would take hours.  5xx,
 * time-outs and dropped connections back off exponentially with jitter;
 * every other 4xx fails at once.  All waits answer a cancel at once.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "common/pg_prng.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http_client.h"
#include "hubspot_api.h"
#include "rate_limit.h"

#define MAX_BACKOFF_MS 60000
/* HubSpot's rate-limit windows (X-HubSpot-RateLimit-Interval-Milliseconds). */
#define ROLLING_WINDOW_MS 10000
#define SECONDLY_WINDOW_MS 1000
#define MAX_DETAIL_TEXT 500

void
hubspot_settings_from_gucs(HubspotSettings *settings)
{
	size_t		len;

	memset(settings, 0, sizeof(*settings));
	strlcpy(settings->api_url, hubspot_api_url ? hubspot_api_url : "", HUBSPOT_URL_MAX);
	/* A trailing slash would double the one every path starts with. */
	len = strlen(settings->api_url);
	while (len > 0 && settings->api_url[len - 1] == '/')
		settings->api_url[--len] = '\0';
	strlcpy(settings->token, hubspot_access_token ? hubspot_access_token : "", HUBSPOT_TOKEN_MAX);
	settings->request_timeout_ms = hubspot_request_timeout_ms;
	settings->connect_timeout_ms = hubspot_connect_timeout_ms;
	settings->page_size = hubspot_page_size;
	settings->max_retries = hubspot_max_retries;
	settings->retry_base_delay_ms = hubspot_retry_base_delay_ms;
	settings->full_sync_interval_s = hubspot_full_sync_interval_s;
	settings->incremental_overlap_ms = hubspot_incremental_overlap_ms;
	settings->search_page_size = hubspot_search_page_size;
	settings->parallel_full_sync = hubspot_parallel_full_sync;
	strlcpy(settings->proxy, hubspot_proxy ? hubspot_proxy : "", HUBSPOT_URL_MAX);
	settings->max_response_bytes = (size_t) hubspot_max_response_kb * 1024;
}

/* Sleep ms milliseconds, answering a cancel or terminate at once. */
static void
interruptible_sleep(int ms)
{
	TimestampTz end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	for (;;)
	{
		long		left;

		CHECK_FOR_INTERRUPTS();
		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), end);
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* The value of key in an object container (NULL: not an object, no key). */
static JsonbValue *
value_at(JsonbContainer *container, const char *key)
{
	if (container == NULL || !JsonContainerIsObject(container))
		return NULL;
	return getKeyJsonValueFromContainer(container, key, strlen(key), NULL);
}

/* The string value of key in an object, or NULL. */
char *
hubspot_jsonb_string(JsonbContainer *container, const char *key)
{
	JsonbValue *v = value_at(container, key);

	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* The object under key in an object container, or NULL. */
JsonbContainer *
hubspot_jsonb_object(JsonbContainer *container, const char *key)
{
	JsonbValue *v = value_at(container, key);

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		return NULL;
	return v->val.binary.data;
}

/* The array under key in an object container, or NULL. */
JsonbContainer *
hubspot_jsonb_array(JsonbContainer *container, const char *key)
{
	JsonbValue *v = value_at(container, key);

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		return NULL;
	return v->val.binary.data;
}

/* The code unit of the 4 hex digits at s (valid JSON guarantees them). */
static int
hex4(const char *s)
{
	int			code = 0;

	for (int i = 0; i < 4; i++)
		code = code * 16 + (isdigit((unsigned char) s[i]) ? s[i] - '0' :
							pg_ascii_tolower((unsigned char) s[i]) - 'a' + 10);
	return code;
}

/*
 * Remove, in place, the escapes of characters jsonb cannot hold: \u0000
 * and a \uD800-\uDFFF that is not half of a surrogate pair.  JSON allows
 * both (JavaScript strings hold them, and HubSpot returns text as it was
 * stored), but jsonb_in rejects the whole document for one of them, which
 * would fail every sync at that record.  body must be valid JSON, so each
 * backslash starts an escape.  Returns how many were removed.
 */
static int
drop_unstorable_escapes(StringInfo body)
{
	char	   *end = body->data + body->len;
	char	   *src = body->data;
	char	   *dst = body->data;
	int			dropped = 0;

	for (;;)
	{
		char	   *slash = memchr(src, '\\', end - src);
		char	   *next = slash ? slash : end;
		int			len = 2;
		bool		keep = true;

		if (dst != src)
			memmove(dst, src, next - src);
		dst += next - src;
		src = next;
		if (slash == NULL)
			break;
		if (src[1] == 'u')
		{
			int			code = hex4(src + 2);

			len = 6;
			if (code >= 0xD800 && code <= 0xDBFF && end - src >= 12 &&
				src[6] == '\\' && src[7] == 'u' &&
				hex4(src + 8) >= 0xDC00 && hex4(src + 8) <= 0xDFFF)
				len = 12;		/* a pair: one character */
			else if (code == 0 || (code >= 0xD800 && code <= 0xDFFF))
				keep = false;
		}
		if (keep)
		{
			if (dst != src)
				memmove(dst, src, len);
			dst += len;
		}
		else
			dropped++;
		src += len;
	}
	*dst = '\0';
	body->len = dst - body->data;
	return dropped;
}

/*
 * Replace, in body, each invalid UTF-8 sequence (a byte that cannot start
 * a character, or a start byte not followed by a whole legal character;
 * with the continuation bytes right after it) by U+FFFD.  Stored as is,
 * such bytes make a table that pg_dump writes and cannot restore.  Returns
 * how many were replaced.
 */
static int
replace_invalid_utf8(StringInfo body)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	const unsigned char *p = (const unsigned char *) body->data;
	const unsigned char *end = p + body->len;
	StringInfoData fixed;
	int			replaced = 0;

	/* Almost always valid: check without copying first. */
	if (pg_verify_mbstr(PG_UTF8, body->data, body->len, true))
		return 0;

	initStringInfo(&fixed);
	while (p < end)
	{
		int			len = *p < 0x80 ? 1 : pg_utf_mblen(p);

		if (*p >= 0x80 && (len > end - p || !pg_utf8_islegal(p, len)))
		{
			appendBinaryStringInfo(&fixed, replacement, 3);
			replaced++;
			p++;
			while (p < end && (*p & 0xC0) == 0x80)
				p++;
			continue;
		}
		appendBinaryStringInfo(&fixed, (const char *) p, len);
		p += len;
	}
	pfree(body->data);
	*body = fixed;
	return replaced;
}

/*
 * Parse body as JSON into jsonb, or return NULL and set *why when it is not
 * valid JSON.  *dropped (if not NULL) counts the characters jsonb cannot
 * hold, removed first, and the invalid UTF-8 sequences, replaced.
 */
static Jsonb *
parse_json(StringInfo body, char **why, int *dropped)
{
	JsonLexContext *lex;
	JsonParseErrorType rc;
	int			removed;
	int			replaced = replace_invalid_utf8(body);

	/* Syntax only: escapes are not decoded (jsonb_in checks them below). */
	lex = makeJsonLexContextCstringLen(body->data, body->len, GetDatabaseEncoding(), false);
	rc = pg_parse_json(lex, &nullSemAction);
	if (rc != JSON_SUCCESS)
	{
		*why = json_errdetail(rc, lex);
		return NULL;
	}
	removed = drop_unstorable_escapes(body);
	if (dropped != NULL)
		*dropped = removed + replaced;
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(body->data)));
}

static char *
clip(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strlen(s) <= MAX_DETAIL_TEXT)
		return pstrdup(s);
	return psprintf("%.*s…", pg_mbcliplen(s, strlen(s), MAX_DETAIL_TEXT), s);
}

static bool
is_policy(const char *policy, const char *name)
{
	return policy != NULL && strcmp(policy, name) == 0;
}

/* Append the strings of context's array key to named, comma-separated. */
static void
append_scopes(StringInfo named, JsonbContainer *context, const char *key)
{
	JsonbContainer *scopes = hubspot_jsonb_array(context, key);

	for (int i = 0; scopes != NULL && i < JsonContainerSize(scopes) && named->len < 400; i++)
	{
		JsonbValue *scope = getIthJsonbValueFromContainer(scopes, i);

		if (scope->type == jbvString)
			appendStringInfo(named, "%s%.*s", named->len > 0 ? ", " : "",
							 Min(scope->val.string.len, 100), scope->val.string.val);
	}
}

/*
 * The scopes a 403 asks for: those HubSpot names in the body
 * (errors[].context.requiredScopes or requiredGranularScopes), else the
 * ones our requests to that path need.
 */
static char *
scopes_needed(const char *path, Jsonb *error)
{
	StringInfoData named;
	JsonbContainer *errors = error ? hubspot_jsonb_array(&error->root, "errors") : NULL;

	initStringInfo(&named);
	for (int i = 0; errors != NULL && i < JsonContainerSize(errors); i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(errors, i);
		JsonbContainer *context;

		if (e->type != jbvBinary)
			continue;
		context = hubspot_jsonb_object(e->val.binary.data, "context");
		append_scopes(&named, context, "requiredScopes");
		append_scopes(&named, context, "requiredGranularScopes");
	}
	if (named.len > 0)
		return psprintf("the scopes HubSpot names (%s)", named.data);
	if (strncmp(path, "/crm/v3/owners", 14) == 0)
		return pstrdup("the scope crm.objects.owners.read");
	return pstrdup("the scopes crm.objects.contacts.read and crm.objects.deals.read (calls are read with the contacts scope)");
}

/*
 * Report an HTTP error answer, with HubSpot's message and correlationId;
 * policy is a 429's policyName (or NULL).
 */
static void
report_http_error(const char *method, const char *path, HttpResponse *response,
				  const char *policy)
{
	char	   *why = NULL;
	Jsonb	   *error = parse_json(&response->body, &why, NULL);
	char	   *message = NULL;
	char	   *category = NULL;
	char	   *correlation = NULL;
	char	   *said;

	if (error != NULL)
	{
		message = clip(hubspot_jsonb_string(&error->root, "message"));
		category = hubspot_jsonb_string(&error->root, "category");
		if (category == NULL)
			category = hubspot_jsonb_string(&error->root, "policyName");
		correlation = hubspot_jsonb_string(&error->root, "correlationId");
	}
	if (message != NULL)
		said = psprintf("HubSpot said: %s (category %s, correlationId %s).",
						message, category ? category : "none",
						correlation ? correlation : "none");
	else
		said = psprintf("The response body is not a HubSpot error object (%d bytes).",
						response->body.len);

	if (response->status == 401)
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_TOKEN_REFUSED),
				 errmsg("HubSpot refused the access token"),
				 errdetail("%s %s answered HTTP 401. %s", method, path, said),
				 errhint("Set hubspot_sync.access_token to a valid private app access token.")));
	if (is_policy(policy, "DAILY"))
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_DAILY_LIMIT),
				 errmsg("HubSpot's daily API limit for this portal is used up"),
				 errdetail("%s %s answered HTTP 429. %s", method, path, said),
				 errhint("HubSpot resets it at midnight in the portal's time zone; the next sync after that goes on. Other integrations of the portal use the same daily limit.")));
	if (response->status == 403)
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_MISSING_SCOPES),
				 errmsg("HubSpot refused the access token for %s", path),
				 errdetail("%s %s answered HTTP 403. %s", method, path, said),
				 errhint("Grant the private app %s.", scopes_needed(path, error))));
	ereport(ERROR,
			(errcode(ERRCODE_HUBSPOT_HTTP_ERROR),
			 errmsg("HubSpot API request failed with HTTP status %ld", response->status),
			 errdetail("%s %s answered HTTP %ld. %s", method, path, response->status, said)));
}

/* The policyName of a 429's body (TEN_SECONDLY_ROLLING, SECONDLY, DAILY), or NULL. */
static char *
rate_limit_policy(StringInfo body)
{
	char	   *why = NULL;
	Jsonb	   *error = parse_json(body, &why, NULL);

	return error ? hubspot_jsonb_string(&error->root, "policyName") : NULL;
}

/*
 * How long a 429 asks us to wait: its Retry-After, or else the window of
 * the limit it names (a shorter wait would only meet another 429).
 */
static int
rate_limit_wait_ms(const HttpResponse *response, const char *policy)
{
	if (response->retry_after_ms >= 0)
		return response->retry_after_ms;
	if (is_policy(policy, "SECONDLY"))
		return SECONDLY_WINDOW_MS;
	return ROLLING_WINDOW_MS;
}

/* How long to wait before retry number attempt (0-based). */
static int
backoff_ms(const HubspotSettings *settings, int attempt)
{
	double		delay = settings->retry_base_delay_ms;

	for (int i = 0; i < attempt && delay < MAX_BACKOFF_MS; i++)
		delay *= 2;
	delay = Min(delay, MAX_BACKOFF_MS);
	/* Jitter of -25%..+25% keeps parallel workers from retrying in step. */
	return (int) (delay * (0.75 + 0.5 * pg_prng_double(&pg_global_prng_state)));
}

/* A request to HubSpot in flight, with what it takes to send it again. */
struct HubspotRequest
{
	MemoryContext cxt;			/* the request's own; gone when it is */
	HubspotClient *client;
	char	   *method;
	char	   *path;
	char	   *url;
	char	   *body;
	bool		is_search;
	int			attempt;
	HttpRequest *http;
};

/* A page asked for: one request, or one per chunk of the property list. */
struct HubspotPendingPage
{
	const char *method;
	char	   *path;
	List	   *requests;		/* HubspotRequest * */
};

/* Requests outlive the page they were sent from, so they live here. */
static MemoryContext requests_cxt = NULL;

static MemoryContext
get_requests_context(void)
{
	if (requests_cxt == NULL)
		requests_cxt = AllocSetContextCreate(TopMemoryContext, "hubspot_sync requests",
											 ALLOCSET_SMALL_SIZES);
	return requests_cxt;
}

/* Wait for a token of the budget, count the attempt and send it. */
static void
send_attempt(HubspotRequest *request)
{
	const HubspotSettings *settings = request->client->settings;
	HttpRequestOptions options;
	MemoryContext oldcxt;

	CHECK_FOR_INTERRUPTS();
	hubspot_rate_limit_acquire(request->is_search);
	request->client->requests++;
	if (request->attempt > 0)
		request->client->retries++;
	options.token = settings->token;
	options.timeout_ms = settings->request_timeout_ms;
	options.connect_timeout_ms = settings->connect_timeout_ms;
	options.proxy = settings->proxy;
	options.max_body_bytes = settings->max_response_bytes;
	oldcxt = MemoryContextSwitchTo(request->cxt);
	request->http = http_request_start(request->method, request->url, request->body, &options);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Send one request (path begins with '/', query without '?', body NULL for
 * GET) and return without waiting for its answer: see
 * hubspot_request_finish.
 */
HubspotRequest *
hubspot_request_start(HubspotClient *client, const char *method,
					  const char *path, const char *query, const char *body)
{
	MemoryContext cxt = AllocSetContextCreate(get_requests_context(), "hubspot_sync request",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	HubspotRequest *request = palloc0(sizeof(HubspotRequest));

	request->cxt = cxt;
	request->client = client;
	request->method = pstrdup(method);
	request->path = pstrdup(path);
	request->url = psprintf("%s%s%s%s", client->settings->api_url, path,
							query ? "?" : "", query ? query : "");
	request->body = body ? pstrdup(body) : NULL;
	request->is_search = strstr(path, "/search") != NULL;
	MemoryContextSwitchTo(oldcxt);

	send_attempt(request);
	return request;
}

/*
 * The JSON answer of a request (in the current memory context), retrying as
 * the file header says; raises an error when HubSpot refuses or the retries
 * run out.  The request is gone afterwards.
 */
Jsonb *
hubspot_request_finish(HubspotRequest *request)
{
	const HubspotSettings *settings = request->client->settings;
	HubspotClient *client = request->client;
	const char *method = request->method;
	const char *path = request->path;

	for (;;)
	{
		HttpResponse response;
		bool		retryable;
		int			delay;
		int			attempt = request->attempt;
		char	   *policy;

		http_request_wait(request->http, &response);
		request->http = NULL;

		/* Searches may answer with their own limits: learn from the rest. */
		if (response.curl_code == 0 && !request->is_search)
			hubspot_rate_limit_learn(response.rate_limit_max, response.rate_limit_interval_ms);
		hubspot_client_note_daily_remaining(client, response.daily_remaining);

		if (response.curl_code == 0 && response.status >= 200 && response.status < 300)
		{
			char	   *why = NULL;
			int			dropped = 0;
			Jsonb	   *result = parse_json(&response.body, &why, &dropped);

			if (result == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
						 errmsg("HubSpot returned a malformed response"),
						 errdetail("%s %s answered HTTP %ld with a body that is not valid JSON: %s",
								   method, path, response.status, why)));
			client->dropped_chars += dropped;
			MemoryContextDelete(request->cxt);
			return result;
		}

		policy = response.status == 429 ? rate_limit_policy(&response.body) : NULL;
		if (response.curl_code != 0)
			retryable = response.transient;
		else if (response.status == 429)
			retryable = !is_policy(policy, "DAILY");
		else
			retryable = response.status >= 500;

		if (response.too_large)
			ereport(ERROR,
					(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
					 errmsg("HubSpot's response is too large"),
					 errdetail("The answer to %s %s passed hubspot_sync.max_response_size (%zu kB).",
							   method, path, settings->max_response_bytes / 1024),
					 errhint("Raise hubspot_sync.max_response_size, or lower hubspot_sync.page_size.")));
		if (!retryable || attempt >= settings->max_retries)
		{
			client->last_error_status = response.status;
			if (response.curl_code != 0)
				ereport(ERROR,
						(errcode(ERRCODE_HUBSPOT_UNREACHABLE),
						 errmsg("could not reach HubSpot at \"%s\": %s",
								http_url_host(request->url), response.curl_error),
						 errdetail("%s %s failed after %d attempt(s).", method, path, attempt + 1),
						 errhint("Check hubspot_sync.api_url and the network; hubspot_sync.request_timeout sets the time limit.")));
			report_http_error(method, path, &response, policy);
		}

		if (response.status == 429)
		{
			client->rate_limited++;
			delay = rate_limit_wait_ms(&response, policy);
			/* The budget is shared: everyone holds back (searches only, for theirs). */
			hubspot_rate_limit_block(delay, request->is_search &&
									 is_policy(policy, "SECONDLY"));
		}
		else
			delay = backoff_ms(settings, attempt);

		ereport(LOG,
				(errmsg("hubspot_sync: %s %s got %s, retrying in %d ms (retry %d of %d)",
						method, path,
						response.curl_code ? response.curl_error : psprintf("HTTP %ld", response.status),
						delay, attempt + 1, settings->max_retries)));
		pfree(response.body.data);
		interruptible_sleep(delay);
		request->attempt++;
		send_attempt(request);
	}
}

void
hubspot_client_init(HubspotClient *client, const HubspotSettings *settings)
{
	memset(client, 0, sizeof(*client));
	client->settings = settings;
	client->daily_remaining = -1;
}

/* HubSpot said (or, with -1, did not say) how many requests are left today. */
void
hubspot_client_note_daily_remaining(HubspotClient *client, int remaining)
{
	if (remaining >= 0 &&
		(client->daily_remaining < 0 || remaining < client->daily_remaining))
		client->daily_remaining = remaining;
}

/* Send one request and wait for its JSON answer. */
Jsonb *
hubspot_request_json(HubspotClient *client, const char *method,
					 const char *path, const char *query, const char *body)
{
	return hubspot_request_finish(hubspot_request_start(client, method, path, query, body));
}

/* Drop a request whose answer is no longer wanted. */
static void
cancel_request(HubspotRequest *request)
{
	if (request->http != NULL)
		http_request_cancel(request->http);
	MemoryContextDelete(request->cxt);
}

/*
 * After an error: drop every request still in flight and free what they
 * held.
 */
void
hubspot_cancel_requests(void)
{
	http_cancel_all();
	if (requests_cxt != NULL)
		MemoryContextReset(requests_cxt);
}

/* The "results" array and the paging cursor of a list or search answer. */
static void
read_results(Jsonb *response, const char *method, const char *path, HubspotPage *page)
{
	JsonbValue *results;
	JsonbContainer *next;
	JsonbValue *total;
	JsonbValue *errors;

	results = JsonContainerIsObject(&response->root) ?
		getKeyJsonValueFromContainer(&response->root, "results", 7, NULL) : NULL;
	if (results == NULL || results->type != jbvBinary ||
		!JsonContainerIsArray(results->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
				 errmsg("HubSpot returned a malformed response"),
				 errdetail("%s %s answered without a \"results\" array.", method, path)));
	page->results = JsonbValueToJsonb(results);
	page->nresults = JsonContainerSize(results->val.binary.data);

	page->total = -1;
	total = getKeyJsonValueFromContainer(&response->root, "total", 5, NULL);
	if (total != NULL && total->type == jbvNumeric)
		page->total = DatumGetInt64(DirectFunctionCall1(numeric_int8,
														NumericGetDatum(total->val.numeric)));

	/* A batch read's partial failure (HTTP 207): the ids it could not read. */
	page->errors = NULL;
	errors = getKeyJsonValueFromContainer(&response->root, "errors", 6, NULL);
	if (errors != NULL && errors->type == jbvBinary &&
		JsonContainerIsArray(errors->val.binary.data) &&
		JsonContainerSize(errors->val.binary.data) > 0)
		page->errors = JsonbValueToJsonb(errors);

	page->next_after = NULL;
	next = hubspot_jsonb_object(hubspot_jsonb_object(&response->root, "paging"), "next");
	if (next != NULL)
	{
		page->next_after = hubspot_jsonb_string(next, "after");
		if (page->next_after == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_HUBSPOT_BAD_RESPONSE),
					 errmsg("HubSpot returned a malformed response"),
					 errdetail("%s %s answered with paging.next but no paging.next.after string.",
							   method, path)));
	}
}

/*
 * Split the property names into comma-separated, URL-escaped lists short
 * enough for a URL: HubSpot answers 414 past roughly 8,000 characters.
 */
static List *
property_chunks(List *properties)
{
	List	   *chunks = NIL;
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, properties)
	{
		char	   *escaped = http_escape((char *) lfirst(lc));

		if (buf.len > 0 && buf.len + 3 + strlen(escaped) > HUBSPOT_MAX_PROPERTIES_QUERY)
		{
			chunks = lappend(chunks, pstrdup(buf.data));
			resetStringInfo(&buf);
		}
		if (buf.len > 0)
			appendStringInfoString(&buf, "%2C");
		appendStringInfoString(&buf, escaped);
	}
	if (buf.len > 0 || chunks == NIL)
		chunks = lappend(chunks, buf.data);
	return chunks;
}

/* A pending page of one request, or of one per property chunk. */
static HubspotPendingPage *
pending_page(const char *method, const char *path)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(get_requests_context());
	HubspotPendingPage *pending = palloc0(sizeof(HubspotPendingPage));

	pending->method = method;
	pending->path = pstrdup(path);
	MemoryContextSwitchTo(oldcxt);
	return pending;
}

static void
add_request(HubspotPendingPage *pending, HubspotRequest *request)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(get_requests_context());

	pending->requests = lappend(pending->requests, request);
	MemoryContextSwitchTo(oldcxt);
}

static void
free_pending_page(HubspotPendingPage *pending)
{
	list_free(pending->requests);
	pfree(pending->path);
	pfree(pending);
}

/*
 * Ask for one page of GET /crm/v3/objects/{type}: the given properties (in
 * several requests for the same page, all in flight at once, when the list
 * is too long for one URL), the type's associations unless archived, the
 * page after the cursor after.  hubspot_page_finish waits for it.
 */
HubspotPendingPage *
hubspot_list_page_start(HubspotClient *client, const HubspotObjectType *type,
						List *properties, bool archived, const char *after)
{
	char	   *path = psprintf("/crm/v3/objects/%s", type->api_name);
	HubspotPendingPage *pending = pending_page("GET", path);
	List	   *chunks = property_chunks(properties);
	ListCell   *lc;

	foreach(lc, chunks)
	{
		StringInfoData query;

		initStringInfo(&query);
		appendStringInfo(&query, "limit=%d&archived=%s&properties=%s",
						 client->settings->page_size, archived ? "true" : "false",
						 (char *) lfirst(lc));
		if (type->associations && !archived && foreach_current_index(lc) == 0)
			appendStringInfo(&query, "&associations=%s", http_escape(type->associations));
		if (after)
			appendStringInfo(&query, "&after=%s", http_escape_opaque(after));
		add_request(pending, hubspot_request_start(client, "GET", path, query.data, NULL));
	}
	return pending;
}

/* Whether every answer of the page is in; never waits. */
bool
hubspot_page_ready(HubspotPendingPage *pending)
{
	ListCell   *lc;

	foreach(lc, pending->requests)
	{
		HubspotRequest *request = lfirst(lc);

		if (!http_request_done(request->http))
			return false;
	}
	return true;
}

/*
 * Wait for a page asked for and read it into page (in the current memory
 * context).  When the page took several requests, page->extra holds the
 * further requests' results, to merge by id.  The pending page is gone
 * afterwards.
 */
void
hubspot_page_finish(HubspotPendingPage *pending, HubspotPage *page)
{
	StringInfoData extra;
	ListCell   *lc;

	initStringInfo(&extra);
	foreach(lc, pending->requests)
	{
		Jsonb	   *response = hubspot_request_finish(lfirst(lc));

		/* Finished: an error from here on must not cancel it again. */
		lfirst(lc) = NULL;
		if (foreach_current_index(lc) == 0)
			read_results(response, pending->method, pending->path, page);
		else
		{
			HubspotPage more;

			read_results(response, pending->method, pending->path, &more);
			appendStringInfo(&extra, "%s%s", extra.len ? "," : "[",
							 JsonbToCString(NULL, &more.results->root, VARSIZE(more.results)));
		}
	}
	page->extra = NULL;
	if (extra.len > 0)
	{
		appendStringInfoChar(&extra, ']');
		page->extra = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(extra.data)));
	}
	free_pending_page(pending);
}

/* Drop a page asked for whose answers are no longer wanted. */
void
hubspot_page_cancel(HubspotPendingPage *pending)
{
	ListCell   *lc;

	foreach(lc, pending->requests)
		if (lfirst(lc) != NULL)
			cancel_request(lfirst(lc));
	free_pending_page(pending);
}

/*
 * Ask for POST /crm/v3/objects/{type}/search with the given filters (a
 * JSON array, ANDed) and sort, limit records from offset on, with every
 * given property (in the body: no URL limit).
 */
static HubspotPendingPage *
search_page_start(HubspotClient *client, const HubspotObjectType *type, List *properties,
				  const char *filters, const char *sort_property, bool descending,
				  int offset, int limit)
{
	char	   *path = psprintf("/crm/v3/objects/%s/search", type->api_name);
	HubspotPendingPage *pending = pending_page("POST", path);
	StringInfoData body;
	ListCell   *lc;

	initStringInfo(&body);
	appendStringInfo(&body,
					 "{\"filterGroups\":[{\"filters\":%s}],"
					 "\"sorts\":[{\"propertyName\":\"%s\",\"direction\":\"%s\"}],"
					 "\"limit\":%d,\"after\":\"%d\",\"properties\":[",
					 filters, sort_property, descending ? "DESCENDING" : "ASCENDING",
					 limit, offset);
	foreach(lc, properties)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&body, ',');
		escape_json(&body, (char *) lfirst(lc));
	}
	appendStringInfoString(&body, "]}");

	add_request(pending, hubspot_request_start(client, "POST", path, NULL, body.data));
	return pending;
}

/*
 * One page of the records modified at or after since_ms, oldest first.
 * Always the first page of its query: the caller pages by keyset (see
 * sync_incremental), never by offset, which over a result set that
 * changes while it is read can skip a record.
 */
void
hubspot_search_modified_since(HubspotClient *client, const HubspotObjectType *type,
							  List *properties, int64 since_ms, int limit, HubspotPage *page)
{
	char	   *filters = psprintf("[{\"propertyName\":\"%s\",\"operator\":\"GTE\","
								   "\"value\":\"" INT64_FORMAT "\"}]",
								   type->modified_property, since_ms);

	hubspot_page_finish(search_page_start(client, type, properties, filters,
										  type->modified_property, false, 0, limit),
						page);
}

/*
 * One page of the records modified exactly at at_ms whose id is above
 * after_id (NULL: any), by id: how a keyset read goes on through more
 * records of one modification time than a page holds.
 */
void
hubspot_search_modified_at(HubspotClient *client, const HubspotObjectType *type,
						   List *properties, int64 at_ms, const char *after_id, int limit,
						   HubspotPage *page)
{
	StringInfoData filters;

	initStringInfo(&filters);
	appendStringInfo(&filters, "[{\"propertyName\":\"%s\",\"operator\":\"EQ\","
					 "\"value\":\"" INT64_FORMAT "\"}",
					 type->modified_property, at_ms);
	if (after_id != NULL)
	{
		appendStringInfoString(&filters, ",{\"propertyName\":\"hs_object_id\",\"operator\":\"GT\",\"value\":");
		escape_json(&filters, after_id);
		appendStringInfoChar(&filters, '}');
	}
	appendStringInfoChar(&filters, ']');
	hubspot_page_finish(search_page_start(client, type, properties, filters.data,
										  "hs_object_id", false, 0, limit),
						page);
}

/*
 * Ask for one page of the records whose id is below below_id (NULL: any),
 * highest id first.  Each query starts afresh from the last id seen, so
 * the search endpoint's 10,000-result cap never applies.
 */
HubspotPendingPage *
hubspot_search_ids_below_start(HubspotClient *client, const HubspotObjectType *type,
							   List *properties, const char *below_id, int limit)
{
	StringInfoData filters;

	initStringInfo(&filters);
	appendStringInfoChar(&filters, '[');
	if (below_id != NULL)
	{
		appendStringInfoString(&filters, "{\"propertyName\":\"hs_object_id\",\"operator\":\"LT\",\"value\":");
		escape_json(&filters, below_id);
		appendStringInfoChar(&filters, '}');
	}
	appendStringInfoChar(&filters, ']');
	return search_page_start(client, type, properties, filters.data, "hs_object_id", true, 0, limit);
}

/*
 * Ask for POST /crm/v4/associations/{from}/{to}/batch/read for the given
 * ids (at most 1,000); the page's results are the answer's "results".
 * afters, NIL or one per id (NULL for none), continues each id's list
 * where an earlier answer's paging.next.after left it.
 */
HubspotPendingPage *
hubspot_association_batch_start(HubspotClient *client, const char *from_type,
								const char *to_type, List *ids, List *afters)
{
	char	   *path = psprintf("/crm/v4/associations/%s/%s/batch/read", from_type, to_type);
	HubspotPendingPage *pending = pending_page("POST", path);
	StringInfoData body;
	ListCell   *lc;

	Assert(list_length(ids) <= HUBSPOT_MAX_ASSOCIATION_BATCH);
	Assert(afters == NIL || list_length(afters) == list_length(ids));
	initStringInfo(&body);
	appendStringInfoString(&body, "{\"inputs\":[");
	foreach(lc, ids)
	{
		const char *after = afters ? list_nth(afters, foreach_current_index(lc)) : NULL;

		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&body, ',');
		appendStringInfoString(&body, "{\"id\":");
		escape_json(&body, (char *) lfirst(lc));
		if (after != NULL)
		{
			appendStringInfoString(&body, ",\"after\":");
			escape_json(&body, after);
		}
		appendStringInfoChar(&body, '}');
	}
	appendStringInfoString(&body, "]}");
	add_request(pending, hubspot_request_start(client, "POST", path, NULL, body.data));
	return pending;
}

/*
 * GET /crm/v3/associations/{from}/{to}/types: the "results" array, each
 * {"id", "name"}: a v4 association typeId and the name v3 lists give it.
 */
Jsonb *
hubspot_association_types(HubspotClient *client, const char *from_type, const char *to_type)
{
	char	   *path = psprintf("/crm/v3/associations/%s/%s/types", from_type, to_type);
	HubspotPage page;

	read_results(hubspot_request_json(client, "GET", path, NULL, NULL), "GET", path, &page);
	return page.results;
}

/* GET /crm/v3/properties/{type}: the "results" array of definitions. */
Jsonb *
hubspot_property_definitions(HubspotClient *client, const HubspotObjectType *type)
{
	char	   *path = psprintf("/crm/v3/properties/%s", type->api_name);
	HubspotPage page;

	read_results(hubspot_request_json(client, "GET", path, NULL, NULL), "GET", path, &page);
	return page.results;
}

/*
 * GET /crm/v3/pipelines/{type}: the "results" array of pipelines, each with
 * its stages.  One answer, no paging.
 */
Jsonb *
hubspot_pipelines(HubspotClient *client, const char *object_type)
{
	char	   *path = psprintf("/crm/v3/pipelines/%s", object_type);
	HubspotPage page;

	read_results(hubspot_request_json(client, "GET", path, NULL, NULL), "GET", path, &page);
	return page.results;
}

/* GET /crm/v3/schemas: the "results" array, one schema per custom object type. */
Jsonb *
hubspot_custom_object_schemas(HubspotClient *client)
{
	const char *path = "/crm/v3/schemas";
	HubspotPage page;

	read_results(hubspot_request_json(client, "GET", path, NULL, NULL), "GET", path, &page);
	return page.results;
}

/* One page of GET /crm/v3/owners, the deactivated owners' list if archived. */
void
hubspot_owners_page(HubspotClient *client, bool archived, const char *after, HubspotPage *page)
{
	const char *path = "/crm/v3/owners";
	char	   *query = psprintf("limit=%d&archived=%s%s%s", HUBSPOT_OWNERS_PAGE_SIZE,
								 archived ? "true" : "false",
								 after ? "&after=" : "", after ? http_escape_opaque(after) : "");

	read_results(hubspot_request_json(client, "GET", path, query, NULL), "GET", path, page);
	page->extra = NULL;
}
