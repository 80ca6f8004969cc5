/*-------------------------------------------------------------------------
 * sync_object.h
 *	  Sync of one object type, run by a sync worker.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_SYNC_OBJECT_H
#define HUBSPOT_SYNC_OBJECT_H

#include "datatype/timestamp.h"

#include "hubspot_api.h"

typedef enum SyncStatus
{
	SYNC_PENDING = 0,			/* the worker has not reported (yet) */
	SYNC_SUCCEEDED,
	SYNC_FAILED,
	SYNC_SKIPPED				/* another sync of the type was running */
} SyncStatus;

/*
 * What one sync reports back, in shared memory: written by the worker,
 * read by the session that started it once the worker has exited.
 */
typedef struct SyncSlot
{
	char		object_type[HUBSPOT_OBJECT_TYPE_NAMELEN];
	bool		full;			/* asked for a full sync */
	bool		search_slice;	/* the search half of a parallel full sync */
	int64		parent_run_id;	/* the slice's full sync */
	volatile bool stop_slice;	/* set by the full sync: the list is done */
	char		started_by[128];	/* application_name (session user) */
	SyncStatus	status;
	int64		run_id;
	char		mode[64];
	int			pages;
	int			requests;
	int			retries;
	int			rate_limited;	/* 429s received */
	int64		records;
	int64		inserted;
	int64		updated;
	int64		unchanged;
	int64		skipped;		/* elements without an id */
	int64		bad_values;		/* values that did not convert */
	int64		dropped_chars;	/* characters jsonb cannot hold, removed */
	int64		archived;		/* rows marked archived or gone */
	int			daily_remaining;	/* HubSpot's count of the day's requests
									 * left, the lowest it said; -1: not said */
	char		examples[512];	/* the first bad values */
	int			reference_skipped;	/* pipelines or owners not read (no scope) */
	char		reference_note[512];	/* why, for the first one */
	TimestampTz started_at;
	TimestampTz finished_at;
	int			sqlerrcode;		/* when failed or skipped */
	char		message[1024];
	char		detail[2048];
	char		hint[512];
} SyncSlot;

extern void hubspot_sync_object(const HubspotSettings *settings, SyncSlot *slot);
extern void hubspot_sync_search_slice(const HubspotSettings *settings, SyncSlot *slot);

#endif							/* HUBSPOT_SYNC_OBJECT_H */
