/*-------------------------------------------------------------------------
 * sync_reference.c
 *	  The portal's reference data a run of an object type reads beside its
 *	  records: the type's pipelines and their stages (deals: won and lost
 *	  come from the stages' metadata), and the owners records are assigned
 *	  to.  Both are small, so each run reads them whole, full or
 *	  incremental, and writes them in one transaction: the tables never hold
 *	  half of a read.
 *
 * A token without the scope for one of them (HTTP 403) costs a warning,
 * not the run: a private app made for 1.1 has no owners scope, and its
 * records still sync.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "sync_common.h"
#include "sync_reference.h"

/* Owners pages read before we call the list endless. */
#define MAX_OWNER_PAGES 1000

/*
 * Upsert the pipelines ($2, the "results" array) of object type $1 and
 * their stages; mark archived those HubSpot no longer lists (unless it
 * listed none at all: every type has a pipeline, so an empty answer is not
 * taken as "all gone").
 */
static const char *const pipelines_sql =
"WITH p AS (\n"
"  SELECT DISTINCT ON (e->>'id') e->>'id' AS id, e\n"
"  FROM pg_catalog.jsonb_array_elements($2) e\n"
"  WHERE pg_catalog.jsonb_typeof(e) = 'object' AND COALESCE(e->>'id', '') <> ''\n"
"  ORDER BY e->>'id'\n"
"), st AS (\n"
"  SELECT DISTINCT ON (p.id, s->>'id') p.id AS pipeline_id, s->>'id' AS stage_id, s\n"
"  FROM p, pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(p.e->'stages') = 'array'\n"
"                                               THEN p.e->'stages' ELSE '[]' END) s\n"
"  WHERE pg_catalog.jsonb_typeof(s) = 'object' AND COALESCE(s->>'id', '') <> ''\n"
"  ORDER BY 1, 2\n"
"), up_p AS (\n"
"  INSERT INTO %1$s.hubspot_pipelines AS t (object_type, pipeline_id, label, display_order, archived,\n"
"    created_at, updated_at, raw_json)\n"
"  SELECT $1, id, e->>'label', %1$s.hubspot_parse_integer(e->>'displayOrder'),\n"
"    COALESCE(%1$s.hubspot_parse_boolean(e->>'archived'), false),\n"
"    %1$s.hubspot_parse_timestamp(e->>'createdAt'), %1$s.hubspot_parse_timestamp(e->>'updatedAt'), e\n"
"  FROM p\n"
"  ON CONFLICT (object_type, pipeline_id) DO UPDATE SET label = EXCLUDED.label,\n"
"    display_order = EXCLUDED.display_order, archived = EXCLUDED.archived,\n"
"    created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,\n"
"    raw_json = EXCLUDED.raw_json, synced_at = pg_catalog.now()\n"
"  WHERE t.raw_json <> EXCLUDED.raw_json OR t.archived <> EXCLUDED.archived\n"
"  RETURNING 1\n"
"), gone_p AS (\n"
"  UPDATE %1$s.hubspot_pipelines t SET archived = true, synced_at = pg_catalog.now()\n"
"  WHERE t.object_type = $1 AND NOT t.archived AND EXISTS (SELECT 1 FROM p)\n"
"    AND NOT EXISTS (SELECT 1 FROM p WHERE p.id = t.pipeline_id)\n"
"  RETURNING 1\n"
"), up_s AS (\n"
"  INSERT INTO %1$s.hubspot_pipeline_stages AS t (object_type, pipeline_id, stage_id, label,\n"
"    display_order, archived, is_closed, probability, created_at, updated_at, raw_json)\n"
"  SELECT $1, pipeline_id, stage_id, s->>'label', %1$s.hubspot_parse_integer(s->>'displayOrder'),\n"
"    COALESCE(%1$s.hubspot_parse_boolean(s->>'archived'), false),\n"
"    COALESCE(%1$s.hubspot_parse_boolean(s->'metadata'->>'isClosed'),\n"
"             CASE s->'metadata'->>'ticketState' WHEN 'CLOSED' THEN true WHEN 'OPEN' THEN false END),\n"
"    %1$s.hubspot_parse_numeric(s->'metadata'->>'probability'),\n"
"    %1$s.hubspot_parse_timestamp(s->>'createdAt'), %1$s.hubspot_parse_timestamp(s->>'updatedAt'), s\n"
"  FROM st\n"
"  ON CONFLICT (object_type, pipeline_id, stage_id) DO UPDATE SET label = EXCLUDED.label,\n"
"    display_order = EXCLUDED.display_order, archived = EXCLUDED.archived,\n"
"    is_closed = EXCLUDED.is_closed, probability = EXCLUDED.probability,\n"
"    created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,\n"
"    raw_json = EXCLUDED.raw_json, synced_at = pg_catalog.now()\n"
"  WHERE t.raw_json <> EXCLUDED.raw_json OR t.archived <> EXCLUDED.archived\n"
"  RETURNING 1\n"
"), gone_s AS (\n"
"  UPDATE %1$s.hubspot_pipeline_stages t SET archived = true, synced_at = pg_catalog.now()\n"
"  WHERE t.object_type = $1 AND NOT t.archived AND EXISTS (SELECT 1 FROM p)\n"
"    AND NOT EXISTS (SELECT 1 FROM st WHERE st.pipeline_id = t.pipeline_id AND st.stage_id = t.stage_id)\n"
"  RETURNING 1\n"
")\n"
"SELECT (SELECT pg_catalog.count(*) FROM p), (SELECT pg_catalog.count(*) FROM st),\n"
"       (SELECT pg_catalog.count(*) FROM up_p) + (SELECT pg_catalog.count(*) FROM up_s),\n"
"       (SELECT pg_catalog.count(*) FROM gone_p) + (SELECT pg_catalog.count(*) FROM gone_s)";

/*
 * Upsert the owners of every page ($1, one "results" array each; the live
 * list first, then the archived one); an owner in both counts as live.
 * Owners in neither list are marked archived (unless both were empty: a
 * portal has at least the user who made the private app).
 */
static const char *const owners_sql =
"WITH o AS (\n"
"  SELECT DISTINCT ON (e->>'id') e->>'id' AS id, e,\n"
"         COALESCE(%1$s.hubspot_parse_boolean(e->>'archived'), false) AS archived\n"
"  FROM pg_catalog.unnest($1::pg_catalog.jsonb[]) AS page, pg_catalog.jsonb_array_elements(page) AS e\n"
"  WHERE pg_catalog.jsonb_typeof(e) = 'object' AND COALESCE(e->>'id', '') ~ '^[0-9]{1,20}$'\n"
"  ORDER BY e->>'id', 3\n"
"), up AS (\n"
"  INSERT INTO %1$s.hubspot_owners AS t (owner_id, email, firstname, lastname, user_id, teams,\n"
"    archived, created_at, updated_at, raw_json)\n"
"  SELECT id, e->>'email', e->>'firstName', e->>'lastName',\n"
"    CASE WHEN e->>'userId' ~ '^[0-9]{1,18}$' THEN (e->>'userId')::pg_catalog.int8 END,\n"
"    e->'teams', archived,\n"
"    %1$s.hubspot_parse_timestamp(e->>'createdAt'), %1$s.hubspot_parse_timestamp(e->>'updatedAt'), e\n"
"  FROM o\n"
"  ON CONFLICT (owner_id) DO UPDATE SET email = EXCLUDED.email, firstname = EXCLUDED.firstname,\n"
"    lastname = EXCLUDED.lastname, user_id = EXCLUDED.user_id, teams = EXCLUDED.teams,\n"
"    archived = EXCLUDED.archived, created_at = EXCLUDED.created_at,\n"
"    updated_at = EXCLUDED.updated_at, raw_json = EXCLUDED.raw_json, synced_at = pg_catalog.now()\n"
"  WHERE t.raw_json <> EXCLUDED.raw_json OR t.archived <> EXCLUDED.archived\n"
"  RETURNING 1\n"
"), gone AS (\n"
"  UPDATE %1$s.hubspot_owners t SET archived = true, synced_at = pg_catalog.now()\n"
"  WHERE NOT t.archived AND EXISTS (SELECT 1 FROM o)\n"
"    AND NOT EXISTS (SELECT 1 FROM o WHERE o.id = t.owner_id)\n"
"  RETURNING 1\n"
")\n"
"SELECT (SELECT pg_catalog.count(*) FROM o), (SELECT pg_catalog.count(*) FROM up),\n"
"       (SELECT pg_catalog.count(*) FROM gone)";

static void
sync_pipelines(SyncContext *cxt)
{
	Jsonb	   *pipelines = hubspot_pipelines(&cxt->client, cxt->type->pipelines);
	Oid			types[2] = {TEXTOID, JSONBOID};
	Datum		values[2];

	sync_begin_transaction(psprintf("hubspot_sync: storing %s pipelines", cxt->type->name));
	values[0] = CStringGetTextDatum(cxt->type->name);
	values[1] = JsonbPGetDatum(pipelines);
	if (SPI_execute_with_args(psprintf(pipelines_sql, cxt->schema), 2, types, values,
							  NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not store the %s pipelines", cxt->type->pipelines);
	ereport(DEBUG1,
			(errmsg("hubspot_sync: %s pipelines: %s pipelines, %s stages, %s written, %s archived",
					cxt->type->pipelines,
					SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
					SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
					SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3),
					SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4))));
	sync_commit_transaction();
}

/* Every page of the owners list (archived or live), their results arrays appended. */
static List *
read_owner_pages(SyncContext *cxt, bool archived, List *pages)
{
	char	   *after = NULL;

	for (int n = 0;; n++)
	{
		HubspotPage page;

		if (n >= MAX_OWNER_PAGES)
			ereport(ERROR,
					(errcode(ERRCODE_HUBSPOT_PAGING_LOOP),
					 errmsg("HubSpot's owners list did not end after %d pages", MAX_OWNER_PAGES)));
		hubspot_owners_page(&cxt->client, archived, after, &page);
		pages = lappend(pages, page.results);
		if (page.next_after == NULL)
			return pages;
		if (after != NULL && strcmp(after, page.next_after) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_HUBSPOT_PAGING_LOOP),
					 errmsg("HubSpot's owners list returned the same paging cursor twice"),
					 errdetail("GET /crm/v3/owners answered the cursor it was asked for as the next one.")));
		after = page.next_after;
	}
}

static void
sync_owners(SyncContext *cxt)
{
	List	   *pages = NIL;
	Datum	   *datums;
	ArrayType  *array;
	Oid			types[1];
	Datum		values[1];
	ListCell   *lc;

	pages = read_owner_pages(cxt, false, pages);
	pages = read_owner_pages(cxt, true, pages);

	datums = palloc(sizeof(Datum) * list_length(pages));
	foreach(lc, pages)
		datums[foreach_current_index(lc)] = JsonbPGetDatum(lfirst(lc));
	array = construct_array(datums, list_length(pages), JSONBOID, -1, false, TYPALIGN_INT);

	sync_begin_transaction("hubspot_sync: storing owners");
	types[0] = JSONBARRAYOID;
	values[0] = PointerGetDatum(array);
	if (SPI_execute_with_args(psprintf(owners_sql, cxt->schema), 1, types, values,
							  NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not store the owners");
	sync_commit_transaction();
}

/*
 * Run one part; a 403 (the token lacks its scope) becomes a warning in the
 * slot.  The part reads outside any transaction and writes in one of its
 * own, so there is no transaction to abort here.
 */
static void
run_part(SyncContext *cxt, void (*part) (SyncContext *), const char *what)
{
	MemoryContext oldcxt = CurrentMemoryContext;

	PG_TRY();
	{
		part(cxt);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_HUBSPOT_MISSING_SCOPES || IsTransactionState())
		{
			FreeErrorData(edata);
			PG_RE_THROW();
		}
		FlushErrorState();
		hubspot_cancel_requests();
		ereport(WARNING,
				(errcode(ERRCODE_HUBSPOT_MISSING_SCOPES),
				 errmsg("hubspot_sync: %s not read: %s", what, edata->message),
				 edata->hint ? errhint("%s", edata->hint) : 0));
		cxt->slot->reference_skipped++;
		if (cxt->slot->reference_note[0] == '\0')
			snprintf(cxt->slot->reference_note, sizeof(cxt->slot->reference_note),
					 "%s not read: %s%s%s", what, edata->message,
					 edata->hint ? ". " : "", edata->hint ? edata->hint : "");
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

void
sync_reference_data(SyncContext *cxt)
{
	if (cxt->type->pipelines != NULL)
		run_part(cxt, sync_pipelines, "pipelines");
	if (cxt->type->reads_owners)
		run_part(cxt, sync_owners, "owners");
}
