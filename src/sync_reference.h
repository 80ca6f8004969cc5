/*-------------------------------------------------------------------------
 * sync_reference.h
 *	  Pipelines and owners, read with the runs of the types that use them.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_SYNC_REFERENCE_H
#define HUBSPOT_SYNC_REFERENCE_H

#include "sync_common.h"

extern void sync_reference_data(SyncContext *cxt);

#endif							/* HUBSPOT_SYNC_REFERENCE_H */
