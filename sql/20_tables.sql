-- The mirrored objects: typed columns for what the metrics need, the whole
-- object as HubSpot returned it in raw_json.

CREATE TABLE hubspot_contacts_raw (
	hubspot_id text PRIMARY KEY,
	email text,
	phone text,
	firstname text,
	lastname text,
	createdate timestamptz,
	lifecyclestage text,
	vsl_watched boolean,
	sales_script_version text,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz,
	archived boolean NOT NULL DEFAULT false,
	archived_at timestamptz,
	archived_reason text,
	-- 1.2 (an update appends them: keep them last, in this order)
	hubspot_owner_id text
);
COMMENT ON COLUMN hubspot_contacts_raw.archived IS 'deleted in HubSpot (archived, merged away or gone): kept here, left out of views and metrics';
COMMENT ON TABLE hubspot_contacts_raw IS 'HubSpot contacts, as of the last sync';
COMMENT ON COLUMN hubspot_contacts_raw.synced_at IS 'when a sync last wrote this row (inserted it or changed it)';
COMMENT ON COLUMN hubspot_contacts_raw.updated_at IS 'HubSpot''s updatedAt: when the record last changed in HubSpot';
CREATE INDEX hubspot_contacts_raw_phone_idx ON hubspot_contacts_raw (phone);
CREATE INDEX hubspot_contacts_raw_email_idx ON hubspot_contacts_raw (email);
CREATE INDEX hubspot_contacts_raw_createdate_idx ON hubspot_contacts_raw (createdate);
CREATE INDEX hubspot_contacts_raw_phone_normalized_idx
	ON hubspot_contacts_raw (@extschema@.hubspot_normalize_phone(phone));
CREATE INDEX hubspot_contacts_raw_raw_json_idx ON hubspot_contacts_raw USING gin (raw_json);

CREATE TABLE hubspot_deals_raw (
	hubspot_id text PRIMARY KEY,
	amount numeric,
	dealstage text,
	createdate timestamptz,
	closedate timestamptz,
	qualified_status text,
	trial_status text,
	payment_status text,
	number_of_installments__months integer,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz,
	archived boolean NOT NULL DEFAULT false,
	archived_at timestamptz,
	archived_reason text,
	-- 1.2 (an update appends them: keep them last, in this order)
	hubspot_owner_id text,
	pipeline text
);
COMMENT ON COLUMN hubspot_deals_raw.archived IS 'deleted in HubSpot (archived, merged away or gone): kept here, left out of views and metrics';
COMMENT ON TABLE hubspot_deals_raw IS 'HubSpot deals, as of the last sync';
COMMENT ON COLUMN hubspot_deals_raw.synced_at IS 'when a sync last wrote this row (inserted it or changed it)';
COMMENT ON COLUMN hubspot_deals_raw.updated_at IS 'HubSpot''s updatedAt: when the record last changed in HubSpot';
CREATE INDEX hubspot_deals_raw_dealstage_idx ON hubspot_deals_raw (dealstage);
CREATE INDEX hubspot_deals_raw_amount_idx ON hubspot_deals_raw (amount);
CREATE INDEX hubspot_deals_raw_closedate_idx ON hubspot_deals_raw (closedate);
CREATE INDEX hubspot_deals_raw_payment_status_idx ON hubspot_deals_raw (payment_status);
CREATE INDEX hubspot_deals_raw_raw_json_idx ON hubspot_deals_raw USING gin (raw_json);

CREATE TABLE hubspot_calls_raw (
	hubspot_id text PRIMARY KEY,
	call_duration integer,
	call_direction text,
	call_to_number text,
	call_from_number text,
	call_timestamp timestamptz,
	raw_json jsonb NOT NULL,
	synced_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz,
	archived boolean NOT NULL DEFAULT false,
	archived_at timestamptz,
	archived_reason text,
	-- 1.2 (an update appends them: keep them last, in this order)
	hubspot_owner_id text,
	call_status text,
	call_disposition text
);
COMMENT ON COLUMN hubspot_calls_raw.archived IS 'deleted in HubSpot (archived, merged away or gone): kept here, left out of views and metrics';
COMMENT ON TABLE hubspot_calls_raw IS 'HubSpot calls, as of the last sync';
COMMENT ON COLUMN hubspot_calls_raw.call_duration IS 'milliseconds, as HubSpot''s hs_call_duration';
COMMENT ON COLUMN hubspot_calls_raw.synced_at IS 'when a sync last wrote this row (inserted it or changed it)';
COMMENT ON COLUMN hubspot_calls_raw.updated_at IS 'HubSpot''s updatedAt: when the record last changed in HubSpot';
CREATE INDEX hubspot_calls_raw_call_to_number_idx ON hubspot_calls_raw (call_to_number);
CREATE INDEX hubspot_calls_raw_call_timestamp_idx ON hubspot_calls_raw (call_timestamp);
CREATE INDEX hubspot_calls_raw_call_duration_idx ON hubspot_calls_raw (call_duration);
CREATE INDEX hubspot_calls_raw_raw_json_idx ON hubspot_calls_raw USING gin (raw_json);

-- pg_dump keeps the synced data and the run log with the extension.
SELECT pg_catalog.pg_extension_config_dump('hubspot_contacts_raw', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_deals_raw', '');
SELECT pg_catalog.pg_extension_config_dump('hubspot_calls_raw', '');
