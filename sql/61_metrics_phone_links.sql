-- Calls and contacts.  Calls carry no association to contacts: the phone
-- number is the link.  A call's number is the contact's side of it (the
-- caller of an inbound call, the callee of any other), compared as
-- hubspot_normalize_phone() gives it, with the portal's default country
-- calling code for numbers written in national form.
--
-- The country code is a row of this table rather than a setting (GUC):
-- the links are derived data, kept in side tables by triggers (below) that
-- run in whichever session writes the synced tables, so every session and
-- every sync worker must use the same value, a change must re-derive the
-- links in the same transaction (a trigger on this table does), and
-- pg_dump must keep it.  A setting could differ per session or role and
-- change with no hook to rebuild.
CREATE TABLE hubspot_metrics_settings (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	default_country_code text
		CHECK (default_country_code OPERATOR(pg_catalog.~) '^[1-9][0-9]{0,2}$')
);
COMMENT ON TABLE hubspot_metrics_settings IS
	'the portal''s settings the metrics depend on (one row, or none for the defaults); a change rebuilds the metrics side tables';
COMMENT ON COLUMN hubspot_metrics_settings.default_country_code IS
	'country calling code of phone numbers written in national form (06 12 34 56 78 with 33 is +33 6 12 34 56 78); NULL: such numbers match only themselves';
-- Nothing is seeded, so the whole table is dumped.
SELECT pg_catalog.pg_extension_config_dump('hubspot_metrics_settings', '');

-- Set (or with NULL clear) the default country calling code: '33' or '+33'.
CREATE FUNCTION hubspot_set_default_country_code(code text) RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	-- hubspot_normalize_phone() rejects a bad code with its own message.
	PERFORM @extschema@.hubspot_normalize_phone('0', code) WHERE code IS NOT NULL;
	INSERT INTO @extschema@.hubspot_metrics_settings AS s (singleton, default_country_code)
	VALUES (true, pg_catalog.ltrim(code, '+'))
	ON CONFLICT (singleton) DO UPDATE SET default_country_code = EXCLUDED.default_country_code
	WHERE s.default_country_code IS DISTINCT FROM EXCLUDED.default_country_code;
END
$$;
COMMENT ON FUNCTION hubspot_set_default_country_code(text) IS
	'set the portal''s default country calling code for phone numbers (NULL: none), and rebuild the phone links';

-- The key a phone number is linked by.  Inlined into its callers.
CREATE FUNCTION hubspot_phone_key(phone text, default_country_code text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
SELECT CASE WHEN $2 IS NULL THEN @extschema@.hubspot_normalize_phone($1)
			ELSE @extschema@.hubspot_normalize_phone($1, $2) END
$$;
COMMENT ON FUNCTION hubspot_phone_key(text, text) IS
	'hubspot_normalize_phone(phone, default_country_code), or hubspot_normalize_phone(phone) when the code is NULL';

-- The contact's side of a call.  Directions are compared trimmed and
-- case-insensitively (a dialler's "inbound" is INBOUND).  Inlined.
CREATE FUNCTION hubspot_call_contact_number(call_direction text, call_from_number text, call_to_number text)
	RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
SELECT CASE WHEN pg_catalog.upper(pg_catalog.btrim($1)) OPERATOR(pg_catalog.=) 'INBOUND' THEN $2 ELSE $3 END
$$;
COMMENT ON FUNCTION hubspot_call_contact_number(text, text, text) IS
	'the contact''s number on a call: the caller (from) of an INBOUND call, the callee (to) of any other';

-- Which call outcomes (hs_call_disposition ids) mean the contact was
-- reached, as opposed to a mere attempt.  Seeded with HubSpot's default
-- outcomes; a portal's own outcomes are other ids: add them.
CREATE TABLE hubspot_call_dispositions (
	disposition text PRIMARY KEY,
	label text,
	connected boolean NOT NULL
);
COMMENT ON TABLE hubspot_call_dispositions IS
	'call outcomes (hubspot_calls_raw.call_disposition ids): whether a call with it connected; unlisted ids did not';
INSERT INTO hubspot_call_dispositions VALUES
	('f240bbac-87c9-4f6e-bf70-924b57d47db7', 'Connected', true),
	('9d9162e7-6cf3-4944-bf63-4dff82258764', 'Busy', false),
	('a4c4c377-d246-4b32-a13b-75a56a4cd0ff', 'Left live message', false),
	('b2cf5968-551e-4856-9783-52b3da59a7d0', 'Left voicemail', false),
	('73a0d17f-1163-4015-bdd5-ec830791da20', 'No answer', false),
	('17b47fee-58de-441e-a44c-c6300d46f273', 'Wrong number', false);
SELECT pg_catalog.pg_extension_config_dump('hubspot_call_dispositions',
	'WHERE disposition NOT IN (''f240bbac-87c9-4f6e-bf70-924b57d47db7'', ''9d9162e7-6cf3-4944-bf63-4dff82258764'','
	' ''a4c4c377-d246-4b32-a13b-75a56a4cd0ff'', ''b2cf5968-551e-4856-9783-52b3da59a7d0'','
	' ''73a0d17f-1163-4015-bdd5-ec830791da20'', ''17b47fee-58de-441e-a44c-c6300d46f273'')');

-- A call connected if its outcome says so and its status does not say it
-- never went through (BUSY, NO_ANSWER, FAILED, CANCELED...): COMPLETED, or
-- no status at all (calls logged by hand or by some diallers).  Takes the
-- outcome's hubspot_call_dispositions.connected.  Inlined.
CREATE FUNCTION hubspot_call_connected(call_status text, disposition_connected boolean) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
SELECT coalesce($2, false)
	   AND coalesce(pg_catalog.upper(pg_catalog.btrim($1)), '') OPERATOR(pg_catalog.=) ANY (ARRAY['COMPLETED', ''])
$$;
COMMENT ON FUNCTION hubspot_call_connected(text, boolean) IS
	'whether a call with this hs_call_status and an outcome with this hubspot_call_dispositions.connected connected';

