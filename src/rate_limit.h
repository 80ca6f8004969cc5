/*-------------------------------------------------------------------------
 * rate_limit.h
 *	  HubSpot's request budget, shared by every sync process.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_RATE_LIMIT_H
#define HUBSPOT_RATE_LIMIT_H

extern int	hubspot_rate_limit;
extern int	hubspot_search_rate_limit;

extern void hubspot_rate_limit_init(void);
extern void hubspot_rate_limit_acquire(bool search);
extern void hubspot_rate_limit_block(int ms, bool search_only);
extern void hubspot_rate_limit_learn(int max, int interval_ms);
extern bool hubspot_rate_limit_is_shared(void);

#endif							/* HUBSPOT_RATE_LIMIT_H */
