/*-------------------------------------------------------------------------
 * log_filter.c
 *	  Keep the access token out of the server log.
 *
 * Postgres itself would log it: a reload that changes a setting from the
 * configuration file logs 'parameter "…" changed to "<value>"', and with
 * log_statement or log_min_error_statement a SET or ALTER SYSTEM naming
 * the token is logged as typed.  An emit_log_hook, installed in every
 * process (the postmaster too, when preloaded), rewrites such lines before
 * they are written, and masks the current token wherever it would appear.
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

static emit_log_hook_type prev_emit_log_hook = NULL;

/* Does s mention the token setting? */
static bool
mentions_token_setting(const char *s)
{
	return s != NULL && strstr(s, "access_token") != NULL;
}

/* s with every occurrence of the current token masked, or s itself. */
static char *
mask_token(char *s)
{
	const char *token = hubspot_access_token;
	size_t		toklen;
	StringInfoData buf;
	char	   *p;
	char	   *hit;

	if (s == NULL || token == NULL || (toklen = strlen(token)) < 4 ||
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

static void
filter_log_line(ErrorData *edata)
{
	static const char changed[] = "parameter \"" TOKEN_SETTING "\" changed to";

	if (edata->message != NULL &&
		strncmp(edata->message, changed, sizeof(changed) - 1) == 0)
		edata->message = pstrdup("parameter \"" TOKEN_SETTING "\" changed");
	else if (edata->message != NULL &&
			 strncmp(edata->message, "statement: ", 11) == 0 &&
			 mentions_token_setting(edata->message))
		edata->message = pstrdup("statement: (hidden by hubspot_sync: it names " TOKEN_SETTING ")");

	edata->message = mask_token(edata->message);
	edata->detail = mask_token(edata->detail);
	edata->detail_log = mask_token(edata->detail_log);
	edata->hint = mask_token(edata->hint);
	edata->context = mask_token(edata->context);

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
