/*-------------------------------------------------------------------------
 * object_types.h
 *	  What hubspot_sync knows of each HubSpot object type it mirrors, read
 *	  from the registry table hubspot_object_types.
 *-------------------------------------------------------------------------
 */
#ifndef HUBSPOT_OBJECT_TYPES_H
#define HUBSPOT_OBJECT_TYPES_H

/* A typed column filled from one HubSpot property. */
typedef struct ColumnMapping
{
	const char *column;
	const char *property;
	bool		converted;		/* not text: a value may fail to convert */
	const char *expression;		/* SQL of its value, from p, the properties */
} ColumnMapping;

typedef struct HubspotObjectType
{
	const char *name;			/* ours: "contacts", "cars" */
	const char *api_name;		/* in HubSpot's URLs: "contacts", "2-7654321" */
	const char *table;			/* our table: "hubspot_contacts_raw" */
	const char *modified_property;	/* lastmodifieddate / hs_lastmodifieddate */
	const char *associations;	/* comma-separated types to ask for, or NULL */
	const char *extra_properties;	/* asked for, kept only in raw_json */
	const char *pipelines;		/* whose pipelines each run reads, or NULL */
	bool		reads_owners;	/* each run reads the owners too */
	int			lock_key;		/* keeps two syncs of the type apart */
	const ColumnMapping *columns;
	int			ncolumns;
} HubspotObjectType;

/* Longest object type name the registry allows, with its terminator. */
#define HUBSPOT_OBJECT_TYPE_NAMELEN 64

extern char *hubspot_extension_schema(void);
extern HubspotObjectType *hubspot_load_object_type(const char *name, const char *schema);
extern char **hubspot_enabled_object_types(int *n);
extern bool hubspot_object_type_registered(const char *name);
extern char *hubspot_object_properties(const HubspotObjectType *type);
extern char *hubspot_upsert_sql(const HubspotObjectType *type, const char *schema);

#endif							/* HUBSPOT_OBJECT_TYPES_H */
