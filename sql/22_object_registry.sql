-- The object types a sync covers: one row each, read by the sync workers.
-- contacts, deals and calls are three rows of it (their tables are the
-- extension's own); hubspot_add_object() adds others, each with a table of
-- the same hybrid shape.  The names here end up in URLs and SQL: the checks
-- keep them to what HubSpot's names are made of, and the code quotes them.

CREATE TABLE hubspot_object_types (
	object_type text PRIMARY KEY
		CHECK (object_type OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,39}$'),
	api_name text NOT NULL
		CHECK (api_name OPERATOR(pg_catalog.~) '^([a-z][a-z0-9_]{0,99}|[0-9]{1,9}-[0-9]{1,20})$'),
	object_type_id text
		CHECK (object_type_id OPERATOR(pg_catalog.~) '^[0-9]{1,9}-[0-9]{1,20}$'),
	table_name name NOT NULL UNIQUE,
	modified_property text NOT NULL
		CHECK (modified_property OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,99}$'),
	associations text[] NOT NULL DEFAULT '{}'
		CHECK (pg_catalog.array_to_string(associations, ',') OPERATOR(pg_catalog.~)
			   '^(([a-z][a-z0-9_]{0,99}|[0-9]{1,9}-[0-9]{1,20})(,|$))*$'),
	extra_properties text[] NOT NULL DEFAULT '{}'
		CHECK (pg_catalog.array_to_string(extra_properties, ',') OPERATOR(pg_catalog.~)
			   '^([a-z0-9_]{1,100}(,|$))*$'),
	reads_pipelines boolean NOT NULL DEFAULT false,
	reads_owners boolean NOT NULL DEFAULT false,
	enabled boolean NOT NULL DEFAULT true,
	builtin boolean NOT NULL DEFAULT false,
	lock_key integer NOT NULL UNIQUE CHECK (lock_key > 0),
	scopes text[] NOT NULL DEFAULT '{}',
	added_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE hubspot_object_types IS 'the HubSpot object types hubspot_sync mirrors: one row each, read by every sync (change it with hubspot_add_object and its siblings)';
COMMENT ON COLUMN hubspot_object_types.object_type IS 'our name for the type: hubspot_sync(''companies''), the run log, the sync state';
COMMENT ON COLUMN hubspot_object_types.api_name IS 'the type in HubSpot''s URLs: contacts, or a custom object''s objectTypeId (2-1234567)';
COMMENT ON COLUMN hubspot_object_types.table_name IS 'the table in the extension''s schema the records go to';
COMMENT ON COLUMN hubspot_object_types.modified_property IS 'the property incremental syncs search by (lastmodifieddate for contacts, hs_lastmodifieddate for the others)';
COMMENT ON COLUMN hubspot_object_types.associations IS 'the object types whose associated ids each record carries in raw_json';
COMMENT ON COLUMN hubspot_object_types.extra_properties IS 'properties asked for even when the portal''s definitions cannot be read';
COMMENT ON COLUMN hubspot_object_types.reads_pipelines IS 'each run reads the type''s pipelines and stages into hubspot_pipelines';
COMMENT ON COLUMN hubspot_object_types.reads_owners IS 'each run reads the portal''s owners into hubspot_owners';
COMMENT ON COLUMN hubspot_object_types.enabled IS 'hubspot_sync_all() and the schedule sync it; a disabled type keeps its table and rows';
COMMENT ON COLUMN hubspot_object_types.builtin IS 'contacts, deals and calls: tables of the extension itself, which the metrics read';
COMMENT ON COLUMN hubspot_object_types.lock_key IS 'the advisory lock (class 0x48534E43) that keeps two syncs of the type apart';
COMMENT ON COLUMN hubspot_object_types.scopes IS 'the private app scopes the type needs, as HubSpot''s docs list them';

CREATE TABLE hubspot_object_columns (
	object_type text NOT NULL
		REFERENCES hubspot_object_types ON DELETE CASCADE,
	column_name name NOT NULL,
	property text NOT NULL
		CHECK (property OPERATOR(pg_catalog.~) '^[a-z0-9_]{1,100}$'),
	sql_type text NOT NULL
		CHECK (sql_type IN ('text', 'integer', 'numeric', 'boolean', 'timestamptz', 'date')),
	position integer NOT NULL,
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (object_type, column_name)
);
COMMENT ON TABLE hubspot_object_columns IS 'the typed columns of each object type''s table, and the property each is filled from';
COMMENT ON COLUMN hubspot_object_columns.sql_type IS 'text, integer, numeric, boolean, timestamptz or date: how the property''s string is converted (a value that does not convert is NULL and counted)';

INSERT INTO hubspot_object_types (object_type, api_name, object_type_id, table_name, modified_property,
								  associations, extra_properties, reads_pipelines, reads_owners,
								  builtin, lock_key, scopes) VALUES
	('contacts', 'contacts', '0-1', 'hubspot_contacts_raw', 'lastmodifieddate', '{deals,calls}',
	 '{lastmodifieddate,hs_object_id,mobilephone,hs_lead_status,hs_merged_object_ids}', false, false,
	 true, 1, '{crm.objects.contacts.read}'),
	('deals', 'deals', '0-3', 'hubspot_deals_raw', 'hs_lastmodifieddate', '{contacts}',
	 '{hs_lastmodifieddate,hs_object_id,dealname,payment_method,phone_number}', true, true,
	 true, 2, '{crm.objects.deals.read,crm.objects.owners.read}'),
	('calls', 'calls', '0-48', 'hubspot_calls_raw', 'hs_lastmodifieddate', '{}',
	 '{hs_lastmodifieddate,hs_createdate,hs_object_id,hs_call_title,hs_call_body}', false, false,
	 true, 3, '{crm.objects.contacts.read}');

INSERT INTO hubspot_object_columns (object_type, column_name, property, sql_type, position, builtin)
SELECT t, c, p, s, o, true
FROM (VALUES
	('contacts', 'email', 'email', 'text', 1),
	('contacts', 'phone', 'phone', 'text', 2),
	('contacts', 'firstname', 'firstname', 'text', 3),
	('contacts', 'lastname', 'lastname', 'text', 4),
	('contacts', 'createdate', 'createdate', 'timestamptz', 5),
	('contacts', 'lifecyclestage', 'lifecyclestage', 'text', 6),
	('contacts', 'vsl_watched', 'vsl_watched', 'boolean', 7),
	('contacts', 'sales_script_version', 'sales_script_version', 'text', 8),
	('contacts', 'hubspot_owner_id', 'hubspot_owner_id', 'text', 9),
	('deals', 'amount', 'amount', 'numeric', 1),
	('deals', 'dealstage', 'dealstage', 'text', 2),
	('deals', 'createdate', 'createdate', 'timestamptz', 3),
	('deals', 'closedate', 'closedate', 'timestamptz', 4),
	('deals', 'qualified_status', 'qualified_status', 'text', 5),
	('deals', 'trial_status', 'trial_status', 'text', 6),
	('deals', 'payment_status', 'payment_status', 'text', 7),
	('deals', 'number_of_installments__months', 'number_of_installments__months', 'integer', 8),
	('deals', 'hubspot_owner_id', 'hubspot_owner_id', 'text', 9),
	('deals', 'pipeline', 'pipeline', 'text', 10),
	('calls', 'call_duration', 'hs_call_duration', 'integer', 1),
	('calls', 'call_direction', 'hs_call_direction', 'text', 2),
	('calls', 'call_to_number', 'hs_call_to_number', 'text', 3),
	('calls', 'call_from_number', 'hs_call_from_number', 'text', 4),
	('calls', 'call_timestamp', 'hs_timestamp', 'timestamptz', 5),
	('calls', 'hubspot_owner_id', 'hubspot_owner_id', 'text', 6),
	('calls', 'call_status', 'hs_call_status', 'text', 7),
	('calls', 'call_disposition', 'hs_call_disposition', 'text', 8)) AS v(t, c, p, s, o);

-- pg_dump keeps the types and columns users add.  The three built-in rows
-- come back with CREATE EXTENSION and are not dumped (a change to one of
-- them, such as disabling calls, does not survive a dump and restore).
SELECT pg_catalog.pg_extension_config_dump('hubspot_object_types', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('hubspot_object_columns', 'WHERE NOT builtin');

-- Not secret, and every role that may sync reads it.
GRANT SELECT ON hubspot_object_types, hubspot_object_columns TO PUBLIC;

-- Ready-made definitions: what hubspot_add_object('companies') creates.
-- Shipped with the extension (an update may add rows); not dumped.
CREATE TABLE hubspot_object_catalog (
	object_type text PRIMARY KEY,
	object_type_id text NOT NULL,
	modified_property text NOT NULL DEFAULT 'hs_lastmodifieddate',
	associations text[] NOT NULL,
	extra_properties text[] NOT NULL,
	reads_pipelines boolean NOT NULL DEFAULT false,
	columns jsonb NOT NULL,
	scopes text[] NOT NULL,
	description text NOT NULL
);
COMMENT ON TABLE hubspot_object_catalog IS 'HubSpot''s standard object types hubspot_add_object() knows: their typed columns, associations and scopes';
COMMENT ON COLUMN hubspot_object_catalog.columns IS 'the typed columns: [[column, property, sql_type], ...]';
GRANT SELECT ON hubspot_object_catalog TO PUBLIC;

INSERT INTO hubspot_object_catalog (object_type, object_type_id, associations, extra_properties,
									reads_pipelines, columns, scopes, description) VALUES
	('companies', '0-2', '{contacts,deals}', '{hs_lastmodifieddate,hs_object_id,hs_merged_object_ids}', false,
	 '[["name", "name", "text"], ["domain", "domain", "text"], ["industry", "industry", "text"],
	   ["city", "city", "text"], ["country", "country", "text"],
	   ["numberofemployees", "numberofemployees", "integer"], ["annualrevenue", "annualrevenue", "numeric"],
	   ["lifecyclestage", "lifecyclestage", "text"], ["createdate", "createdate", "timestamptz"],
	   ["hubspot_owner_id", "hubspot_owner_id", "text"]]',
	 '{crm.objects.companies.read}', 'companies (accounts) and the contacts and deals they hold'),
	('tickets', '0-5', '{contacts,deals,companies}', '{hs_lastmodifieddate,hs_object_id,hs_merged_object_ids}', true,
	 '[["subject", "subject", "text"], ["hs_pipeline", "hs_pipeline", "text"],
	   ["hs_pipeline_stage", "hs_pipeline_stage", "text"], ["hs_ticket_priority", "hs_ticket_priority", "text"],
	   ["createdate", "createdate", "timestamptz"], ["closed_date", "closed_date", "timestamptz"],
	   ["hubspot_owner_id", "hubspot_owner_id", "text"]]',
	 '{tickets}', 'support tickets, with their pipelines and stages'),
	('meetings', '0-47', '{contacts,deals,companies}', '{hs_lastmodifieddate,hs_object_id}', false,
	 '[["hs_meeting_title", "hs_meeting_title", "text"], ["hs_meeting_outcome", "hs_meeting_outcome", "text"],
	   ["hs_meeting_start_time", "hs_meeting_start_time", "timestamptz"],
	   ["hs_meeting_end_time", "hs_meeting_end_time", "timestamptz"],
	   ["hs_timestamp", "hs_timestamp", "timestamptz"], ["hubspot_owner_id", "hubspot_owner_id", "text"]]',
	 '{crm.objects.contacts.read}', 'meetings booked or logged'),
	('emails', '0-49', '{contacts,deals,companies}', '{hs_lastmodifieddate,hs_object_id}', false,
	 '[["hs_email_subject", "hs_email_subject", "text"], ["hs_email_direction", "hs_email_direction", "text"],
	   ["hs_email_status", "hs_email_status", "text"], ["hs_timestamp", "hs_timestamp", "timestamptz"],
	   ["hubspot_owner_id", "hubspot_owner_id", "text"]]',
	 '{crm.objects.contacts.read,sales-email-read}', 'logged and tracked emails (their text needs sales-email-read)'),
	('notes', '0-46', '{contacts,deals,companies}', '{hs_lastmodifieddate,hs_object_id,hs_note_body}', false,
	 '[["hs_timestamp", "hs_timestamp", "timestamptz"], ["hubspot_owner_id", "hubspot_owner_id", "text"]]',
	 '{crm.objects.contacts.read}', 'notes on records (the text stays in raw_json)'),
	('tasks', '0-27', '{contacts,deals,companies}', '{hs_lastmodifieddate,hs_object_id}', false,
	 '[["hs_task_subject", "hs_task_subject", "text"], ["hs_task_status", "hs_task_status", "text"],
	   ["hs_task_priority", "hs_task_priority", "text"], ["hs_task_type", "hs_task_type", "text"],
	   ["hs_timestamp", "hs_timestamp", "timestamptz"], ["hubspot_owner_id", "hubspot_owner_id", "text"]]',
	 '{crm.objects.contacts.read}', 'tasks, due at hs_timestamp'),
	('line_items', '0-8', '{deals}', '{hs_lastmodifieddate,hs_object_id}', false,
	 '[["name", "name", "text"], ["hs_product_id", "hs_product_id", "text"], ["quantity", "quantity", "numeric"],
	   ["price", "price", "numeric"], ["amount", "amount", "numeric"], ["createdate", "createdate", "timestamptz"]]',
	 '{crm.objects.line_items.read}', 'the products sold on each deal, with quantity and price'),
	('products', '0-7', '{}', '{hs_lastmodifieddate,hs_object_id}', false,
	 '[["name", "name", "text"], ["hs_sku", "hs_sku", "text"], ["price", "price", "numeric"],
	   ["createdate", "createdate", "timestamptz"]]',
	 '{e-commerce}', 'the product library');
