/*-------------------------------------------------------------------------
 * scheduler.h
 *	  The built-in scheduler worker.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_SCHEDULER_H
#define HUBSPOT_SCHEDULER_H

extern char *hubspot_scheduler_database;
extern int	hubspot_sync_interval_s;

extern void hubspot_scheduler_define_settings(void);
extern void hubspot_scheduler_register(void);

#endif							/* HUBSPOT_SCHEDULER_H */
