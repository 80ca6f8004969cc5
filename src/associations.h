/*-------------------------------------------------------------------------
 * associations.h
 *	  Whole association lists from HubSpot's v4 batch endpoint: for the
 *	  search slice (the search returns none) and for list records whose
 *	  embedded lists are cut short.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_SYNC_ASSOCIATIONS_H
#define HUBSPOT_SYNC_ASSOCIATIONS_H

#include "lib/stringinfo.h"

#include "sync_common.h"

extern void associations_add_answer(SyncContext *cxt, const char *kind, HubspotPage *answer,
									StringInfo read);
extern StringInfo associations_read_cut_short(SyncContext *cxt, HubspotPage *page);
extern Jsonb *associations_by_id(StringInfo read);

#endif							/* HUBSPOT_SYNC_ASSOCIATIONS_H */
