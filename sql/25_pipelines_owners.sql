-- Deal pipelines and their stages, and the portal's owners (sales reps), as
-- of the last sync.  Every run of a deals sync (full or incremental) reads
-- the pipelines; every run of any object type reads the owners it needs.

CREATE TABLE hubspot_pipelines (
	object_type text NOT NULL,
	pipeline_id text NOT NULL,
	label text,
	display_order integer,
	archived boolean NOT NULL DEFAULT false,
	created_at timestamptz,
	updated_at timestamptz,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (object_type, pipeline_id)
);
COMMENT ON TABLE hubspot_pipelines IS 'HubSpot pipelines (GET /crm/v3/pipelines/{objectType}), as of the last sync';
COMMENT ON COLUMN hubspot_pipelines.archived IS 'archived in HubSpot, or no longer listed by it';

CREATE TABLE hubspot_pipeline_stages (
	object_type text NOT NULL,
	pipeline_id text NOT NULL,
	stage_id text NOT NULL,
	label text,
	display_order integer,
	archived boolean NOT NULL DEFAULT false,
	is_closed boolean,
	probability numeric,
	created_at timestamptz,
	updated_at timestamptz,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (object_type, pipeline_id, stage_id)
);
COMMENT ON TABLE hubspot_pipeline_stages IS 'the stages of each HubSpot pipeline, with their metadata, as of the last sync';
COMMENT ON COLUMN hubspot_pipeline_stages.is_closed IS 'metadata.isClosed (or, for tickets, whose stages may say only metadata.ticketState, CLOSED): a record in this stage is closed (a deal won or lost)';
COMMENT ON COLUMN hubspot_pipeline_stages.probability IS 'metadata.probability: 1.0 for a won stage, 0.0 for a lost one';
CREATE INDEX hubspot_pipeline_stages_stage_idx ON hubspot_pipeline_stages (object_type, stage_id);

CREATE TABLE hubspot_owners (
	owner_id text PRIMARY KEY,
	email text,
	firstname text,
	lastname text,
	user_id bigint,
	teams jsonb,
	archived boolean NOT NULL DEFAULT false,
	created_at timestamptz,
	updated_at timestamptz,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE hubspot_owners IS 'HubSpot owners, the users records are assigned to (GET /crm/v3/owners, archived ones too), as of the last sync';
COMMENT ON COLUMN hubspot_owners.teams IS 'the owner''s teams as HubSpot lists them: [{"id", "name", "primary"}]';

SELECT pg_catalog.pg_extension_config_dump('hubspot_pipelines', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_pipeline_stages', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_owners', '');

-- The owner, pipeline and call outcome columns the 1.2 metrics group by.
COMMENT ON COLUMN hubspot_contacts_raw.hubspot_owner_id IS 'the contact''s owner (hubspot_owners.owner_id)';
COMMENT ON COLUMN hubspot_deals_raw.hubspot_owner_id IS 'the deal''s owner (hubspot_owners.owner_id)';
COMMENT ON COLUMN hubspot_calls_raw.hubspot_owner_id IS 'the call''s owner, usually the rep who made or took it (hubspot_owners.owner_id)';
COMMENT ON COLUMN hubspot_deals_raw.pipeline IS 'the deal''s pipeline (hubspot_pipelines.pipeline_id)';
COMMENT ON COLUMN hubspot_calls_raw.call_status IS 'hs_call_status: COMPLETED, BUSY, NO_ANSWER, FAILED, CANCELED, ...';
COMMENT ON COLUMN hubspot_calls_raw.call_disposition IS 'hs_call_disposition: the id of the call''s outcome (Connected, Busy, ...)';
CREATE INDEX hubspot_contacts_raw_owner_idx ON hubspot_contacts_raw (hubspot_owner_id);
CREATE INDEX hubspot_deals_raw_owner_idx ON hubspot_deals_raw (hubspot_owner_id);
CREATE INDEX hubspot_calls_raw_owner_idx ON hubspot_calls_raw (hubspot_owner_id);
CREATE INDEX hubspot_deals_raw_pipeline_idx ON hubspot_deals_raw (pipeline, dealstage);
