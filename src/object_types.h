/*-------------------------------------------------------------------------
 * object_types.h
 *	  What hubspot_sync knows of each HubSpot object type it mirrors.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_OBJECT_TYPES_H
#define HUBSPOT_OBJECT_TYPES_H

typedef enum ColumnType
{
	COLUMN_TEXT,
	COLUMN_INTEGER,
	COLUMN_NUMERIC,
	COLUMN_BOOLEAN,
	COLUMN_TIMESTAMP
} ColumnType;

/* A typed column filled from one HubSpot property. */
typedef struct ColumnMapping
{
	const char *column;
	const char *property;
	ColumnType	type;
} ColumnMapping;

typedef struct HubspotObjectType
{
	const char *name;			/* HubSpot's objectType: "contacts" */
	const char *table;			/* our table: "hubspot_contacts_raw" */
	const char *modified_property;	/* lastmodifieddate / hs_lastmodifieddate */
	const char *associations;	/* comma-separated types to ask for */
	const char *extra_properties;	/* asked for, kept only in raw_json */
	const char *pipelines;		/* whose pipelines each run reads, or NULL */
	bool		reads_owners;	/* each run reads the owners too */
	const ColumnMapping *columns;
	int			ncolumns;
} HubspotObjectType;

#define HUBSPOT_OBJECT_TYPE_COUNT 3

extern const HubspotObjectType hubspot_object_types[HUBSPOT_OBJECT_TYPE_COUNT];

extern const HubspotObjectType *hubspot_lookup_object_type(const char *name);
extern char *hubspot_object_properties(const HubspotObjectType *type);
extern char *hubspot_upsert_sql(const HubspotObjectType *type, const char *schema);

#endif							/* HUBSPOT_OBJECT_TYPES_H */
