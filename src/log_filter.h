/*-------------------------------------------------------------------------
 * log_filter.h
 *	  Keep the access token out of the server log.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_LOG_FILTER_H
#define HUBSPOT_LOG_FILTER_H

extern void hubspot_log_filter_init(void);

#endif							/* HUBSPOT_LOG_FILTER_H */
