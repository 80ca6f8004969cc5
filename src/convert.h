/*-------------------------------------------------------------------------
 * convert.h
 *	  Lenient conversion of HubSpot's string-encoded property values.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_CONVERT_H
#define HUBSPOT_CONVERT_H

#include "datatype/timestamp.h"

extern bool hubspot_parse_timestamp_cstring(const char *s, TimestampTz *result);

#endif							/* HUBSPOT_CONVERT_H */
