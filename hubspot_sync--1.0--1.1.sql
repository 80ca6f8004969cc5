/* hubspot_sync--1.0--1.1.sql */

\echo Use "ALTER EXTENSION hubspot_sync UPDATE TO '1.1'" to load this file. \quit

-- 1.1: the metrics triggers refuse to run for another table and only the
-- extension's owner may attach them; hubspot_run_sync(), a procedure that
-- syncs without holding a snapshot while it waits; the value parsers never
-- raise an error (their comments say what they accept); with default
-- country 1, hubspot_normalize_phone(text, text) leaves ten digits that
-- cannot be a North American number as they are (an index on it with '1'
-- needs a REINDEX).

COMMENT ON FUNCTION hubspot_parse_timestamp(text) IS
	'ISO 8601 (UTC unless a zone is given), a date alone (midnight UTC) or epoch milliseconds, in years 1 to 9999; NULL when none of these';
COMMENT ON FUNCTION hubspot_parse_numeric(text) IS
	'a plain decimal number ([+-]digits[.digits][e[+-]digits], at most 1000 characters, exponent within +-1000); NULL otherwise, NaN and Infinity included';
COMMENT ON FUNCTION hubspot_normalize_phone(text, text) IS
	'like hubspot_normalize_phone(text), with national forms (06 12 34 56 78) put in the given country (33 -> 33612345678); with 1, ten digits whose first three can be an area code (not N9X or N11) get the 1; a result normalised again is unchanged, except with 1 for a 10-digit international number whose first three digits can be an area code';

CREATE OR REPLACE FUNCTION hubspot_deals_raw_metrics_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	deal_ids text[];
	gone text[];
	added text[];
BEGIN
	IF TG_RELID <> '@extschema@.hubspot_deals_raw'::regclass THEN
		RAISE EXCEPTION 'hubspot_deals_raw_metrics_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It keeps the metrics side tables current for @extschema@.hubspot_deals_raw only.';
	END IF;
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM pg_advisory_xact_lock(7395261804113);
		DELETE FROM @extschema@.hubspot_deal_contacts;
		DELETE FROM @extschema@.hubspot_contact_metrics WHERE first_call_at IS NULL;
		UPDATE @extschema@.hubspot_contact_metrics SET deals = 0 WHERE deals <> 0;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		SELECT array_agg(n.hubspot_id) INTO deal_ids FROM new_table n WHERE NOT n.archived;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(o.hubspot_id) INTO deal_ids FROM old_table o WHERE NOT o.archived;
	ELSE
		SELECT array_agg(coalesce(n.hubspot_id, o.hubspot_id)) INTO deal_ids
		FROM old_table o FULL JOIN new_table n ON n.hubspot_id = o.hubspot_id
		WHERE (o.archived, o.raw_json -> 'associations' -> 'contacts')
			  IS DISTINCT FROM (n.archived, n.raw_json -> 'associations' -> 'contacts');
	END IF;
	IF deal_ids IS NULL THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		WITH d AS (DELETE FROM @extschema@.hubspot_deal_contacts dc USING unnest(deal_ids) x(id) WHERE dc.deal_id = x.id
				   RETURNING dc.contact_id)
		SELECT array_agg(d.contact_id) INTO gone FROM d;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		WITH i AS (INSERT INTO @extschema@.hubspot_deal_contacts (deal_id, contact_id)
				   SELECT n.hubspot_id, a.id
				   FROM new_table n
				   JOIN unnest(deal_ids) x(id) ON x.id = n.hubspot_id,
						@extschema@.hubspot_deal_contact_ids(n.raw_json) a(id)
				   WHERE NOT n.archived
				   ON CONFLICT DO NOTHING
				   RETURNING contact_id)
		SELECT array_agg(i.contact_id) INTO added FROM i;
	END IF;
	PERFORM @extschema@.hubspot_metrics_refresh_contacts(
		ARRAY(SELECT DISTINCT x FROM unnest(coalesce(gone, '{}') || coalesce(added, '{}')) x));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_deals_raw_metrics_trigger() FROM PUBLIC;

CREATE OR REPLACE FUNCTION hubspot_contacts_raw_metrics_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	ids text[];
BEGIN
	IF TG_RELID <> '@extschema@.hubspot_contacts_raw'::regclass THEN
		RAISE EXCEPTION 'hubspot_contacts_raw_metrics_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It keeps the metrics side tables current for @extschema@.hubspot_contacts_raw only.';
	END IF;
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM pg_advisory_xact_lock(7395261804113);
		DELETE FROM @extschema@.hubspot_contact_metrics;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		ids := ARRAY(SELECT n.hubspot_id FROM new_table n WHERE NOT n.archived AND n.createdate IS NOT NULL);
	ELSIF TG_OP = 'DELETE' THEN
		ids := ARRAY(SELECT o.hubspot_id FROM old_table o);
	ELSE
		ids := ARRAY(SELECT DISTINCT x
					 FROM old_table o FULL JOIN new_table n ON n.hubspot_id = o.hubspot_id,
						  LATERAL (VALUES (o.hubspot_id), (n.hubspot_id)) v(x)
					 WHERE x IS NOT NULL
					   AND (o.archived, o.createdate, o.phone, o.vsl_watched, o.sales_script_version)
						   IS DISTINCT FROM (n.archived, n.createdate, n.phone, n.vsl_watched, n.sales_script_version));
	END IF;
	PERFORM @extschema@.hubspot_metrics_refresh_contacts(ids);
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_contacts_raw_metrics_trigger() FROM PUBLIC;

CREATE OR REPLACE FUNCTION hubspot_calls_raw_metrics_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	numbers text[];
BEGIN
	IF TG_RELID <> '@extschema@.hubspot_calls_raw'::regclass THEN
		RAISE EXCEPTION 'hubspot_calls_raw_metrics_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It keeps the metrics side tables current for @extschema@.hubspot_calls_raw only.';
	END IF;
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM pg_advisory_xact_lock(7395261804113);
		DELETE FROM @extschema@.hubspot_contact_metrics WHERE deals = 0;
		UPDATE @extschema@.hubspot_contact_metrics SET first_call_at = NULL WHERE first_call_at IS NOT NULL;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		numbers := ARRAY(SELECT DISTINCT @extschema@.hubspot_normalize_phone(CASE WHEN n.call_direction = 'INBOUND'
																				 THEN n.call_from_number ELSE n.call_to_number END)
						 FROM new_table n WHERE NOT n.archived);
	ELSIF TG_OP = 'DELETE' THEN
		numbers := ARRAY(SELECT DISTINCT @extschema@.hubspot_normalize_phone(CASE WHEN o.call_direction = 'INBOUND'
																				 THEN o.call_from_number ELSE o.call_to_number END)
						 FROM old_table o WHERE NOT o.archived);
	ELSE
		numbers := ARRAY(SELECT DISTINCT @extschema@.hubspot_normalize_phone(CASE WHEN v.call_direction = 'INBOUND'
																				 THEN v.call_from_number ELSE v.call_to_number END)
						 FROM old_table o FULL JOIN new_table n ON n.hubspot_id = o.hubspot_id,
							  LATERAL (VALUES (o.call_direction, o.call_from_number, o.call_to_number),
											  (n.call_direction, n.call_from_number, n.call_to_number))
								v(call_direction, call_from_number, call_to_number)
						 WHERE (o.archived, o.call_direction, o.call_from_number, o.call_to_number, o.call_timestamp)
							   IS DISTINCT FROM (n.archived, n.call_direction, n.call_from_number, n.call_to_number, n.call_timestamp));
	END IF;
	PERFORM @extschema@.hubspot_metrics_refresh_contacts(
		ARRAY(SELECT c.hubspot_id
			  FROM unnest(numbers) x(number)
			  JOIN @extschema@.hubspot_contacts_raw c ON @extschema@.hubspot_normalize_phone(c.phone) = x.number));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_calls_raw_metrics_trigger() FROM PUBLIC;

-- The same syncs, as a procedure that commits before it waits: the caller
-- then holds no snapshot while the workers run, so VACUUM is not held
-- back for the length of a sync.  NULL: every object type.
CREATE PROCEDURE hubspot_run_sync(object_type text DEFAULT NULL, full boolean DEFAULT false)
	AS 'MODULE_PATHNAME', 'hubspot_run_sync'
	LANGUAGE C;
COMMENT ON PROCEDURE hubspot_run_sync(text, boolean) IS
	'CALL it outside a transaction block: syncs one object type (NULL: all) without holding a snapshot while it waits; a NOTICE per type, an error if any failed';
REVOKE EXECUTE ON PROCEDURE hubspot_run_sync(text, boolean) FROM PUBLIC;
