/*-------------------------------------------------------------------------
 * log_filter.h
 *	  Keep the access token out of the server log and of error texts.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_LOG_FILTER_H
#define HUBSPOT_LOG_FILTER_H

extern void hubspot_log_filter_init(void);
extern void hubspot_log_filter_add_secret(const char *secret);
extern char *hubspot_mask_secrets(char *s);

#endif							/* HUBSPOT_LOG_FILTER_H */
