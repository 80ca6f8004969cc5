/*-------------------------------------------------------------------------
 * associations.h
 *	  Whole association lists from HubSpot's v4 batch endpoint, in the v3
 *	  list's shape: for the search slice (the search returns none) and for
 *	  list records whose embedded lists are cut short.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_SYNC_ASSOCIATIONS_H
#define HUBSPOT_SYNC_ASSOCIATIONS_H

#include "lib/stringinfo.h"

#include "sync_common.h"

/* One v4 batch read of one associated type, asked for and not yet read. */
typedef struct AssociationRead
{
	const char *kind;			/* the associated type ("deals") */
	List	   *ids;			/* char *: the records asked for */
	List	   *afters;			/* char * (NULL: from the start), one per id;
								 * or NIL */
	HubspotPendingPage *request;	/* NULL once read */
} AssociationRead;

extern AssociationRead *associations_start(SyncContext *cxt, const char *kind, List *ids,
										   List *afters);
extern bool associations_ready(AssociationRead *read);
extern void associations_finish(SyncContext *cxt, AssociationRead *read, StringInfo into);
extern void associations_cancel(AssociationRead *read);
extern StringInfo associations_read_cut_short(SyncContext *cxt, HubspotPage *page);
extern Jsonb *associations_by_id(StringInfo read);

#endif							/* HUBSPOT_SYNC_ASSOCIATIONS_H */
