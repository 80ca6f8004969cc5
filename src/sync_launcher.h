/*-------------------------------------------------------------------------
 * sync_launcher.h
 *	  Background workers that run syncs.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_SYNC_LAUNCHER_H
#define HUBSPOT_SYNC_LAUNCHER_H

#include "postmaster/bgworker.h"
#include "storage/dsm.h"

#include "sync_object.h"

/* A full sync's search slice, running in a worker of its own. */
typedef struct SliceWorker
{
	dsm_segment *seg;
	BackgroundWorkerHandle *handle;
} SliceWorker;

extern bool hubspot_start_search_slice(const HubspotSettings *settings,
									   const SyncSlot *parent, SliceWorker *worker);
extern void hubspot_sync_all_scheduled(char **names, int n);
extern void hubspot_finish_search_slice(SliceWorker *worker, bool terminate,
										SyncSlot *result);

#endif							/* HUBSPOT_SYNC_LAUNCHER_H */
