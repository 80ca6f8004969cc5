/*-------------------------------------------------------------------------
 * sync_common.h
 *	  What the sync of an object type (sync_object.c) and its search slice
 *	  (sync_slice.c) share: their context, transactions, page writes and ids.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_SYNC_COMMON_H
#define HUBSPOT_SYNC_COMMON_H

#include "executor/spi.h"

#include "sync_object.h"

/* full_sync_list_high when the list is not in id order: it covers nothing early. */
#define LIST_NOT_IN_ID_ORDER PG_INT64_MAX

/* One worker's sync of one object type (the list's, or its search slice's). */
typedef struct SyncContext
{
	const HubspotObjectType *type;	/* read from the registry */
	char	   *schema;			/* quoted */
	char	   *unquoted_schema;
	SPIPlanPtr	upsert_plan;
	HubspotClient client;
	SyncSlot   *slot;
	List	   *properties;		/* every property name to ask for */
	bool		track_seen;		/* remember ids in hubspot_sync_seen: to
								 * count each record once, and for a full
								 * sync to mark the unseen gone */
	TimestampTz page_max_updated;	/* of the last page written */
	MemoryContext page_cxt;		/* reset after each page */
	List	   *association_types;	/* v4 typeId -> v3 name, per associated
									 * type, read once a sync (associations.c) */
} SyncContext;

/* The ids of a page's records, in the order HubSpot returned them. */
typedef struct PageIds
{
	List	   *texts;			/* char *, records without an id left out */
	int64		first;
	int64		last;
	bool		ascending;		/* every id a number above the one before */
	bool		descending;		/* every id a number below the one before */
} PageIds;

/* Transactions of their own, one per page, with SPI connected. */
extern void sync_begin_transaction(const char *activity);
extern void sync_commit_transaction(void);
extern int	sync_run_sql(const char *sql, int nargs, const char **args);
extern char *sync_first_value(void);
extern char *sync_int64_text(int64 v);

extern void sync_find_object_type(SyncContext *cxt);
extern void sync_prepare_upsert(SyncContext *cxt);
extern void sync_read_property_names(SyncContext *cxt);
extern void sync_upsert_page(SyncContext *cxt, HubspotPage *page, bool keep_associations,
							 Jsonb *associations);
extern ErrorData *sync_recover_from_error(SyncContext *cxt);

/* Ids: the two sides of a parallel full sync meet by them. */
extern bool sync_parse_id(const char *text, int64 *id);
extern void sync_read_page_ids(Jsonb *results, PageIds *ids);
extern int64 sync_state_id(int column);
extern void sync_drop_ids_from(HubspotPage *page, int64 bound, bool from_bound_up);

#endif							/* HUBSPOT_SYNC_COMMON_H */
