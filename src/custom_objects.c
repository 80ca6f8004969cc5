/*-------------------------------------------------------------------------
 * custom_objects.c
 *	  hubspot_custom_objects(): the portal's custom object types, from
 *	  GET /crm/v3/schemas, so hubspot_add_object() can register one by the
 *	  name people know it by.
 *
 * One request, in the calling session (no worker: the answer is small and
 * the caller waits for it anyway).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "hubspot_api.h"

PG_FUNCTION_INFO_V1(hubspot_custom_objects);

/* Each schema's fields, one row per schema. */
static const char *const split_schemas_sql =
"SELECT s OPERATOR(pg_catalog.->>) 'name',\n"
"       s OPERATOR(pg_catalog.->>) 'objectTypeId',\n"
"       s OPERATOR(pg_catalog.->>) 'fullyQualifiedName',\n"
"       s OPERATOR(pg_catalog.#>>) '{labels,singular}',\n"
"       s OPERATOR(pg_catalog.->>) 'primaryDisplayProperty',\n"
"       s OPERATOR(pg_catalog.->) 'properties',\n"
"       s OPERATOR(pg_catalog.->) 'associations',\n"
"       COALESCE(s OPERATOR(pg_catalog.->>) 'archived' OPERATOR(pg_catalog.=) 'true', false),\n"
"       s\n"
"FROM pg_catalog.jsonb_array_elements($1) AS s\n"
"WHERE pg_catalog.jsonb_typeof(s) OPERATOR(pg_catalog.=) 'object'\n"
"ORDER BY 1";

Datum
hubspot_custom_objects(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HubspotSettings settings;
	HubspotClient client;
	Jsonb	   *schemas;
	Oid			argtypes[1] = {JSONBOID};
	Datum		args[1];

	InitMaterializedSRF(fcinfo, 0);
	hubspot_require_access_token();
	hubspot_settings_from_gucs(&settings);
	hubspot_client_init(&client, &settings);
	schemas = hubspot_custom_object_schemas(&client);
	explicit_bzero(settings.token, sizeof(settings.token));

	args[0] = JsonbPGetDatum(schemas);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(split_schemas_sql, 1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read HubSpot's custom object schemas");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum		values[9];
		bool		nulls[9];

		for (int c = 0; c < 9; c++)
			values[c] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, c + 1, &nulls[c]);
		/* The tuplestore copies the values, out of SPI's memory. */
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
