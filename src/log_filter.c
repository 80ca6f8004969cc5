/*-------------------------------------------------------------------------
 * log_filter.c
 *	  Keep the access token out of the server log and of error texts.
 *
 * Postgres itself would log it: a reload that changes a setting from the
 * configuration file logs 'parameter "…" changed to "<value>"'; with
 * log_statement, log_min_duration_statement or log_min_error_statement a
 * statement naming the token is logged as typed ("statement: …",
 * "duration: … statement: …", and for the extended protocol "execute
 * <unnamed>: …" with the bound values in a "parameters: …" detail); a
 * value refused by a check hook is quoted in "invalid value for
 * parameter".  An emit_log_hook, installed in every process (the
 * postmaster too, when preloaded), rewrites such lines before they are
 * written.
 *
 * Beyond those, every line is searched for the tokens this process knows:
 * the current setting, every value the setting's check hook has seen here
 * (a token newly set by ALTER SYSTEM or SET, before a reload makes it
 * current), and the token a sync worker was handed by its caller.
 * hubspot_mask_secrets does the same for the error texts a sync stores.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/elog.h"

#include "hubspot_sync.h"
#include "log_filter.h"

#define TOKEN_SETTING "hubspot_sync.access_token"
#define MASK "********"
/* Shorter strings are not masked: they would mask ordinary words. */
#define MIN_SECRET_LEN 8
/* Tokens remembered besides the current one; the oldest is forgotten. */
#define MAX_SECRETS 4

static emit_log_hook_type prev_emit_log_hook = NULL;
static char secrets[MAX_SECRETS][HUBSPOT_TOKEN_MAX];
static int	next_secret = 0;

/* Remember one more token to mask (the check hook's, a worker's). */
void
hubspot_log_filter_add_secret(const char *secret)
{
	if (secret == NULL || strlen(secret) < MIN_SECRET_LEN)
		return;
	for (int i = 0; i < MAX_SECRETS; i++)
		if (strcmp(secrets[i], secret) == 0)
			return;
	strlcpy(secrets[next_secret], secret, HUBSPOT_TOKEN_MAX);
	next_secret = (next_secret + 1) % MAX_SECRETS;
}

/* Does s mention the token setting? */
static bool
mentions_token_setting(const char *s)
{
	return s != NULL && strstr(s, "access_token") != NULL;
}

/* s with every occurrence of token masked, or s itself. */
static char *
mask_one(char *s, const char *token)
{
	size_t		toklen;
	StringInfoData buf;
	char	   *p;
	char	   *hit;

	if (s == NULL || token == NULL || (toklen = strlen(token)) < MIN_SECRET_LEN ||
		strstr(s, token) == NULL)
		return s;
	initStringInfo(&buf);
	for (p = s; (hit = strstr(p, token)) != NULL; p = hit + toklen)
	{
		appendBinaryStringInfo(&buf, p, hit - p);
		appendStringInfoString(&buf, MASK);
	}
	appendStringInfoString(&buf, p);
	return buf.data;
}

/* s with every token this process knows masked (palloc'd when changed). */
char *
hubspot_mask_secrets(char *s)
{
	s = mask_one(s, hubspot_access_token);
	for (int i = 0; i < MAX_SECRETS; i++)
		s = mask_one(s, secrets[i]);
	return s;
}

/* Lines that quote the statement being run, as Postgres words them. */
static bool
quotes_statement(const char *message)
{
	static const char *const prefixes[] = {"statement: ", "duration: ", "execute ", "parse ", "bind "};

	for (int i = 0; i < lengthof(prefixes); i++)
		if (strncmp(message, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static void
filter_log_line(ErrorData *edata)
{
	static const char changed[] = "parameter \"" TOKEN_SETTING "\" changed to";
	static const char invalid[] = "invalid value for parameter \"" TOKEN_SETTING "\"";
	const char *message = edata->message;

	if (message != NULL)
	{
		if (strncmp(message, changed, sizeof(changed) - 1) == 0)
			edata->message = pstrdup("parameter \"" TOKEN_SETTING "\" changed");
		else if (strncmp(message, invalid, sizeof(invalid) - 1) == 0)
			edata->message = pstrdup(invalid);
		else if (quotes_statement(message) &&
				 (mentions_token_setting(message) || mentions_token_setting(edata->detail)))
		{
			/* Keep what the line is (its first word), hide what it quotes. */
			edata->message = psprintf("%.*s(hidden by hubspot_sync: it names " TOKEN_SETTING ")",
									  (int) strcspn(message, ":") + 2, message);
			edata->detail = NULL;
			edata->detail_log = NULL;
		}
	}

	/* The values bound to a statement that names the setting. */
	if (edata->detail != NULL && strncmp(edata->detail, "parameters: ", 12) == 0 &&
		(mentions_token_setting(edata->detail) || mentions_token_setting(debug_query_string)))
		edata->detail = pstrdup("parameters: (hidden by hubspot_sync)");

	edata->message = hubspot_mask_secrets(edata->message);
	edata->detail = hubspot_mask_secrets(edata->detail);
	edata->detail_log = hubspot_mask_secrets(edata->detail_log);
	edata->hint = hubspot_mask_secrets(edata->hint);
	edata->context = hubspot_mask_secrets(edata->context);
	edata->internalquery = hubspot_mask_secrets(edata->internalquery);

	/* A STATEMENT: line would print the query as typed. */
	if (mentions_token_setting(debug_query_string))
		edata->hide_stmt = true;

	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

void
hubspot_log_filter_init(void)
{
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = filter_log_line;
}
