-- Side tables for the metrics that link contacts to deals and calls.
--
-- Unnesting every deal's associations and matching every call's number to
-- the contacts' phones on each call of hubspot_metrics() is what made it
-- slow.  Derived tables, kept current by triggers on the synced tables,
-- hold the answers instead:
--
--   hubspot_deal_contacts    each (deal, contact id) pair of the
--                            non-archived deals' associations;
--   hubspot_contact_numbers  each non-archived contact's phone key;
--   hubspot_call_numbers     each non-archived call's phone key (of the
--                            contact's side) and whether it connected;
--   hubspot_contact_metrics  each non-archived contact with a createdate
--                            that has a deal or a call at or after its
--                            creation: its number of deals and its first
--                            such call, and first connected call.
--
-- A number shared by several contacts links to one of them, the oldest
-- (createdate, then hubspot_id; a contact without createdate last), in
-- hubspot_calls_with_contacts and in the metrics alike.  The keys are
-- stored rather than computed from an expression index because they depend
-- on hubspot_metrics_settings, which an index expression cannot read.
--
-- All are derived from the synced tables and the settings (which deal
-- stages are won is looked up when a metric is read), so they are not
-- dumped: a restore refills them through the triggers as the rows come
-- back, and hubspot_metrics_rebuild() recomputes them from scratch.
CREATE TABLE hubspot_deal_contacts (
	deal_id text NOT NULL,
	contact_id text NOT NULL,
	PRIMARY KEY (deal_id, contact_id)
);
COMMENT ON TABLE hubspot_deal_contacts IS
	'derived, kept by triggers: each contact id in the associations of each non-archived deal (hubspot_deals_raw.raw_json)';
CREATE INDEX hubspot_deal_contacts_contact_idx ON hubspot_deal_contacts (contact_id);

CREATE TABLE hubspot_contact_metrics (
	contact_id text PRIMARY KEY,
	createdate timestamptz NOT NULL,
	vsl_watched boolean,
	sales_script_version text,
	deals integer NOT NULL,
	first_call_at timestamptz,
	CHECK (deals OPERATOR(pg_catalog.>) 0 OR first_call_at IS NOT NULL),
	-- 1.2 (an update appends it)
	first_connected_at timestamptz
);
COMMENT ON TABLE hubspot_contact_metrics IS
	'derived, kept by triggers: each non-archived contact with a deal or a call at or after its creation';
COMMENT ON COLUMN hubspot_contact_metrics.deals IS 'number of non-archived deals associated with the contact';
COMMENT ON COLUMN hubspot_contact_metrics.first_call_at IS
	'the first non-archived call linked to the contact (hubspot_calls_with_contacts) at or after its createdate';
COMMENT ON COLUMN hubspot_contact_metrics.first_connected_at IS
	'the first such call that connected (hubspot_call_connected)';
CREATE INDEX hubspot_contact_metrics_createdate_idx ON hubspot_contact_metrics (createdate)
	INCLUDE (vsl_watched, sales_script_version, deals, first_call_at, contact_id, first_connected_at);

CREATE TABLE hubspot_contact_numbers (
	contact_id text PRIMARY KEY,
	number text NOT NULL,
	createdate timestamptz
);
COMMENT ON TABLE hubspot_contact_numbers IS
	'derived, kept by triggers: the phone key (hubspot_phone_key with the default country code) of each non-archived contact that has one';
-- The contact a number links to is the first of its rows in this order.
CREATE INDEX hubspot_contact_numbers_number_idx ON hubspot_contact_numbers (number, createdate, contact_id);

CREATE TABLE hubspot_call_numbers (
	call_id text PRIMARY KEY,
	number text NOT NULL,
	call_timestamp timestamptz,
	connected boolean NOT NULL
);
COMMENT ON TABLE hubspot_call_numbers IS
	'derived, kept by triggers: the phone key of the contact''s side of each non-archived call that has one, and whether the call connected';
CREATE INDEX hubspot_call_numbers_number_idx ON hubspot_call_numbers (number, call_timestamp) INCLUDE (connected);

-- Each call with the contact its number links to.
CREATE VIEW hubspot_calls_with_contacts AS
SELECT c.hubspot_id AS call_id,
	   c.call_timestamp,
	   c.call_direction,
	   c.call_duration,
	   c.call_to_number,
	   c.call_from_number,
	   k.hubspot_id AS contact_id,
	   k.email AS contact_email,
	   k.firstname AS contact_firstname,
	   k.lastname AS contact_lastname,
	   c.call_status,
	   c.call_disposition,
	   @extschema@.hubspot_call_connected(c.call_status, d.connected) AS connected,
	   c.hubspot_owner_id
FROM @extschema@.hubspot_calls_raw c
LEFT JOIN @extschema@.hubspot_call_dispositions d ON d.disposition OPERATOR(pg_catalog.=) c.call_disposition
LEFT JOIN @extschema@.hubspot_call_numbers n ON n.call_id OPERATOR(pg_catalog.=) c.hubspot_id
LEFT JOIN LATERAL (
	SELECT o.contact_id
	FROM @extschema@.hubspot_contact_numbers o
	WHERE o.number OPERATOR(pg_catalog.=) n.number
	ORDER BY o.createdate, o.contact_id
	LIMIT 1) o ON true
LEFT JOIN @extschema@.hubspot_contacts_raw k ON k.hubspot_id OPERATOR(pg_catalog.=) o.contact_id
WHERE NOT c.archived;
COMMENT ON VIEW hubspot_calls_with_contacts IS
	'each call with the contact whose phone number it dialled or came from (the oldest, if several share it)';

-- The distinct contact ids in a deal's associations (ids listed twice, under
-- two association types, once).
CREATE FUNCTION hubspot_deal_contact_ids(raw_json jsonb) RETURNS SETOF text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
SELECT DISTINCT e OPERATOR(pg_catalog.->>) 'id'
FROM pg_catalog.jsonb_array_elements(
	CASE WHEN pg_catalog.jsonb_typeof($1 OPERATOR(pg_catalog.->) 'associations' OPERATOR(pg_catalog.->) 'contacts'
										 OPERATOR(pg_catalog.->) 'results') OPERATOR(pg_catalog.=) 'array'
		 THEN $1 OPERATOR(pg_catalog.->) 'associations' OPERATOR(pg_catalog.->) 'contacts' OPERATOR(pg_catalog.->) 'results' END) e
WHERE (e OPERATOR(pg_catalog.->>) 'id') IS NOT NULL
$$;
COMMENT ON FUNCTION hubspot_deal_contact_ids(jsonb) IS
	'the distinct contact ids in a deal''s raw_json associations';

-- Recompute the hubspot_contact_metrics rows of the given contact ids from
-- the synced tables and the number side tables.  Each contact costs a few
-- index probes: its deal pairs, the contact its number links to, and its
-- first calls.
--
-- Refreshes are serialized by a transaction-level advisory lock: a refresh
-- waits for any other transaction that refreshed to commit, and then (read
-- committed: a new snapshot per statement) sees that transaction's rows.
-- Without it, a calls page and a deals page written at once could each
-- compute a contact without the other's rows.  The contacts and calls
-- triggers take it before they write the number tables, since which
-- contacts they refresh depends on the other's numbers.  The sync commits
-- every page, so the lock is held for one page's statement and commit.
CREATE FUNCTION hubspot_metrics_refresh_contacts(ids text[]) RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF ids IS NULL OR cardinality(ids) = 0 THEN
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(7395261804113);
	DELETE FROM @extschema@.hubspot_contact_metrics m USING unnest(ids) i(id) WHERE m.contact_id = i.id;
	INSERT INTO @extschema@.hubspot_contact_metrics (contact_id, createdate, vsl_watched, sales_script_version, deals,
													 first_call_at, first_connected_at)
	SELECT s.hubspot_id, s.createdate, s.vsl_watched, s.sales_script_version, s.deals, f.first_call_at, f.first_connected_at
	FROM (SELECT c.hubspot_id, c.createdate, c.vsl_watched, c.sales_script_version, n.number,
				 (SELECT count(*) FROM @extschema@.hubspot_deal_contacts dc
				   WHERE dc.contact_id = c.hubspot_id)::integer AS deals
		  FROM (SELECT DISTINCT i.id FROM unnest(ids) i(id)) i
		  JOIN @extschema@.hubspot_contacts_raw c ON c.hubspot_id = i.id
		  LEFT JOIN @extschema@.hubspot_contact_numbers n ON n.contact_id = c.hubspot_id
		  WHERE NOT c.archived AND c.createdate IS NOT NULL) s
	-- The number's calls, if the number links to this contact.
	CROSS JOIN LATERAL (
		SELECT min(l.call_timestamp) AS first_call_at,
			   min(l.call_timestamp) FILTER (WHERE l.connected) AS first_connected_at
		FROM @extschema@.hubspot_call_numbers l
		WHERE l.number = s.number AND l.call_timestamp >= s.createdate
		  AND s.hubspot_id = (SELECT o.contact_id FROM @extschema@.hubspot_contact_numbers o
							  WHERE o.number = s.number ORDER BY o.createdate, o.contact_id LIMIT 1)) f
	WHERE s.deals > 0 OR f.first_call_at IS NOT NULL;
END
$$;
COMMENT ON FUNCTION hubspot_metrics_refresh_contacts(text[]) IS
	'recompute the hubspot_contact_metrics rows of these contact ids (called by the triggers)';
REVOKE EXECUTE ON FUNCTION hubspot_metrics_refresh_contacts(text[]) FROM PUBLIC;

-- Recompute every side table from scratch, set-based (CREATE EXTENSION,
-- a change of hubspot_metrics_settings or hubspot_call_dispositions, or
-- after loading the synced tables with triggers disabled).
CREATE FUNCTION hubspot_metrics_rebuild() RETURNS void
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	cc text;
BEGIN
	PERFORM pg_advisory_xact_lock(7395261804113);
	cc := (SELECT s.default_country_code FROM @extschema@.hubspot_metrics_settings s);
	DELETE FROM @extschema@.hubspot_contact_metrics;
	DELETE FROM @extschema@.hubspot_deal_contacts;
	DELETE FROM @extschema@.hubspot_contact_numbers;
	DELETE FROM @extschema@.hubspot_call_numbers;
	INSERT INTO @extschema@.hubspot_deal_contacts (deal_id, contact_id)
	SELECT d.hubspot_id, a.id
	FROM @extschema@.hubspot_deals_raw d, @extschema@.hubspot_deal_contact_ids(d.raw_json) a(id)
	WHERE NOT d.archived;
	INSERT INTO @extschema@.hubspot_contact_numbers (contact_id, number, createdate)
	SELECT c.hubspot_id, k.number, c.createdate
	FROM @extschema@.hubspot_contacts_raw c, LATERAL (SELECT @extschema@.hubspot_phone_key(c.phone, cc)) k(number)
	WHERE NOT c.archived AND k.number IS NOT NULL;
	INSERT INTO @extschema@.hubspot_call_numbers (call_id, number, call_timestamp, connected)
	SELECT l.hubspot_id, k.number, l.call_timestamp, @extschema@.hubspot_call_connected(l.call_status, d.connected)
	FROM @extschema@.hubspot_calls_raw l
	LEFT JOIN @extschema@.hubspot_call_dispositions d ON d.disposition = l.call_disposition,
	LATERAL (SELECT @extschema@.hubspot_phone_key(@extschema@.hubspot_call_contact_number(
					l.call_direction, l.call_from_number, l.call_to_number), cc)) k(number)
	WHERE NOT l.archived AND k.number IS NOT NULL;
	INSERT INTO @extschema@.hubspot_contact_metrics (contact_id, createdate, vsl_watched, sales_script_version, deals,
													 first_call_at, first_connected_at)
	SELECT c.hubspot_id, c.createdate, c.vsl_watched, c.sales_script_version, coalesce(n.deals, 0),
		   f.first_call_at, f.first_connected_at
	FROM @extschema@.hubspot_contacts_raw c
	LEFT JOIN (SELECT dc.contact_id, count(*)::integer AS deals
			   FROM @extschema@.hubspot_deal_contacts dc GROUP BY dc.contact_id) n ON n.contact_id = c.hubspot_id
	LEFT JOIN (SELECT o.contact_id, min(l.call_timestamp) AS first_call_at,
					  min(l.call_timestamp) FILTER (WHERE l.connected) AS first_connected_at
			   FROM (SELECT DISTINCT ON (k.number) k.number, k.contact_id, k.createdate
					 FROM @extschema@.hubspot_contact_numbers k
					 ORDER BY k.number, k.createdate, k.contact_id) o
			   JOIN @extschema@.hubspot_call_numbers l ON l.number = o.number AND l.call_timestamp >= o.createdate
			   GROUP BY o.contact_id) f ON f.contact_id = c.hubspot_id
	WHERE NOT c.archived AND c.createdate IS NOT NULL
	  AND (n.deals IS NOT NULL OR f.first_call_at IS NOT NULL);
END
$$;
COMMENT ON FUNCTION hubspot_metrics_rebuild() IS
	'recompute the metrics side tables (deal contacts, phone keys, contact metrics) from the synced tables';
REVOKE EXECUTE ON FUNCTION hubspot_metrics_rebuild() FROM PUBLIC;

-- The triggers.  Statement-level, with transition tables, so a sync page
-- (one INSERT ... ON CONFLICT DO UPDATE of up to 100 rows) costs one
-- refresh of the contacts it touches; updated rows whose relevant columns
-- did not change are skipped.  SECURITY DEFINER: whoever may write the
-- synced tables keeps the side tables right without rights on them.  So
-- that nobody can make them rewrite the side tables from a table of their
-- own, only the extension's owner may attach them (EXECUTE is revoked from
-- PUBLIC) and each refuses to run for any table but its own.

-- Deals: their association pairs, then their contacts' deal counts.
CREATE FUNCTION hubspot_deals_raw_metrics_trigger() RETURNS trigger
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

-- Contacts: their phone keys, then their own rows and those of every
-- contact sharing an old or new number of theirs (which contact a number
-- links to may have changed), when a column they depend on changed.
CREATE FUNCTION hubspot_contacts_raw_metrics_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	ids text[];
	numbers text[];
	cc text;
BEGIN
	IF TG_RELID <> '@extschema@.hubspot_contacts_raw'::regclass THEN
		RAISE EXCEPTION 'hubspot_contacts_raw_metrics_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It keeps the metrics side tables current for @extschema@.hubspot_contacts_raw only.';
	END IF;
	PERFORM pg_advisory_xact_lock(7395261804113);
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM @extschema@.hubspot_contact_metrics;
		DELETE FROM @extschema@.hubspot_contact_numbers;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		ids := ARRAY(SELECT n.hubspot_id FROM new_table n WHERE NOT n.archived);
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
	IF cardinality(ids) = 0 THEN
		RETURN NULL;
	END IF;
	cc := (SELECT s.default_country_code FROM @extschema@.hubspot_metrics_settings s);
	WITH d AS (DELETE FROM @extschema@.hubspot_contact_numbers k USING unnest(ids) x(id) WHERE k.contact_id = x.id
			   RETURNING k.number),
		 i AS (INSERT INTO @extschema@.hubspot_contact_numbers (contact_id, number, createdate)
			   SELECT c.hubspot_id, k.number, c.createdate
			   FROM unnest(ids) x(id)
			   JOIN @extschema@.hubspot_contacts_raw c ON c.hubspot_id = x.id,
					LATERAL (SELECT @extschema@.hubspot_phone_key(c.phone, cc)) k(number)
			   WHERE NOT c.archived AND k.number IS NOT NULL
			   RETURNING number)
	SELECT ARRAY(SELECT d.number FROM d UNION SELECT i.number FROM i) INTO numbers;
	PERFORM @extschema@.hubspot_metrics_refresh_contacts(
		ids || ARRAY(SELECT k.contact_id FROM @extschema@.hubspot_contact_numbers k WHERE k.number = ANY (numbers)));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_contacts_raw_metrics_trigger() FROM PUBLIC;

-- Calls: their phone keys, then the contacts of every old or new number of
-- a call that came, went or changed.
CREATE FUNCTION hubspot_calls_raw_metrics_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	ids text[];
	numbers text[];
	cc text;
BEGIN
	IF TG_RELID <> '@extschema@.hubspot_calls_raw'::regclass THEN
		RAISE EXCEPTION 'hubspot_calls_raw_metrics_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It keeps the metrics side tables current for @extschema@.hubspot_calls_raw only.';
	END IF;
	PERFORM pg_advisory_xact_lock(7395261804113);
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM @extschema@.hubspot_call_numbers;
		DELETE FROM @extschema@.hubspot_contact_metrics WHERE deals = 0;
		UPDATE @extschema@.hubspot_contact_metrics SET first_call_at = NULL, first_connected_at = NULL
		WHERE first_call_at IS NOT NULL;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		ids := ARRAY(SELECT n.hubspot_id FROM new_table n WHERE NOT n.archived);
	ELSIF TG_OP = 'DELETE' THEN
		ids := ARRAY(SELECT o.hubspot_id FROM old_table o WHERE NOT o.archived);
	ELSE
		ids := ARRAY(SELECT DISTINCT x
					 FROM old_table o FULL JOIN new_table n ON n.hubspot_id = o.hubspot_id,
						  LATERAL (VALUES (o.hubspot_id), (n.hubspot_id)) v(x)
					 WHERE x IS NOT NULL
					   AND (o.archived, o.call_direction, o.call_from_number, o.call_to_number, o.call_timestamp,
							o.call_status, o.call_disposition)
						   IS DISTINCT FROM (n.archived, n.call_direction, n.call_from_number, n.call_to_number,
											 n.call_timestamp, n.call_status, n.call_disposition));
	END IF;
	IF cardinality(ids) = 0 THEN
		RETURN NULL;
	END IF;
	cc := (SELECT s.default_country_code FROM @extschema@.hubspot_metrics_settings s);
	WITH d AS (DELETE FROM @extschema@.hubspot_call_numbers k USING unnest(ids) x(id) WHERE k.call_id = x.id
			   RETURNING k.number),
		 i AS (INSERT INTO @extschema@.hubspot_call_numbers (call_id, number, call_timestamp, connected)
			   SELECT l.hubspot_id, k.number, l.call_timestamp,
					  @extschema@.hubspot_call_connected(l.call_status, p.connected)
			   FROM unnest(ids) x(id)
			   JOIN @extschema@.hubspot_calls_raw l ON l.hubspot_id = x.id
			   LEFT JOIN @extschema@.hubspot_call_dispositions p ON p.disposition = l.call_disposition,
					LATERAL (SELECT @extschema@.hubspot_phone_key(@extschema@.hubspot_call_contact_number(
									l.call_direction, l.call_from_number, l.call_to_number), cc)) k(number)
			   WHERE NOT l.archived AND k.number IS NOT NULL
			   RETURNING number)
	SELECT ARRAY(SELECT d.number FROM d UNION SELECT i.number FROM i) INTO numbers;
	PERFORM @extschema@.hubspot_metrics_refresh_contacts(
		ARRAY(SELECT k.contact_id FROM @extschema@.hubspot_contact_numbers k WHERE k.number = ANY (numbers)));
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_calls_raw_metrics_trigger() FROM PUBLIC;

-- The settings and the call outcomes: what the phone keys and the
-- connected flags were derived from changed, so everything is rebuilt
-- (rare: about a second at the design's size).
CREATE FUNCTION hubspot_metrics_settings_trigger() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF TG_RELID <> ALL (ARRAY['@extschema@.hubspot_metrics_settings'::regclass,
							  '@extschema@.hubspot_call_dispositions'::regclass]) THEN
		RAISE EXCEPTION 'hubspot_metrics_settings_trigger() fired for table %', TG_RELID::regclass
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'It rebuilds the metrics side tables when @extschema@.hubspot_metrics_settings or @extschema@.hubspot_call_dispositions change.';
	END IF;
	PERFORM @extschema@.hubspot_metrics_rebuild();
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION hubspot_metrics_settings_trigger() FROM PUBLIC;

CREATE TRIGGER hubspot_metrics_insert AFTER INSERT ON hubspot_deals_raw
	REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_deals_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_update AFTER UPDATE ON hubspot_deals_raw
	REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_deals_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_delete AFTER DELETE ON hubspot_deals_raw
	REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_deals_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_truncate AFTER TRUNCATE ON hubspot_deals_raw
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_deals_raw_metrics_trigger();

CREATE TRIGGER hubspot_metrics_insert AFTER INSERT ON hubspot_contacts_raw
	REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_update AFTER UPDATE ON hubspot_contacts_raw
	REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_delete AFTER DELETE ON hubspot_contacts_raw
	REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_truncate AFTER TRUNCATE ON hubspot_contacts_raw
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_contacts_raw_metrics_trigger();

CREATE TRIGGER hubspot_metrics_insert AFTER INSERT ON hubspot_calls_raw
	REFERENCING NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_calls_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_update AFTER UPDATE ON hubspot_calls_raw
	REFERENCING OLD TABLE AS old_table NEW TABLE AS new_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_calls_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_delete AFTER DELETE ON hubspot_calls_raw
	REFERENCING OLD TABLE AS old_table FOR EACH STATEMENT EXECUTE FUNCTION hubspot_calls_raw_metrics_trigger();
CREATE TRIGGER hubspot_metrics_truncate AFTER TRUNCATE ON hubspot_calls_raw
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_calls_raw_metrics_trigger();

CREATE TRIGGER hubspot_metrics_rebuild AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hubspot_metrics_settings
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_metrics_settings_trigger();
CREATE TRIGGER hubspot_metrics_rebuild AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hubspot_call_dispositions
	FOR EACH STATEMENT EXECUTE FUNCTION hubspot_metrics_settings_trigger();

-- Filled from whatever the synced tables hold (nothing on a fresh install).
SELECT @extschema@.hubspot_metrics_rebuild();

-- Each contact associated with at least one (non-archived) deal, by the
-- deals' associations, with how many deals and how many of them are won.
CREATE FUNCTION hubspot_contacts_with_deals(OUT contact_id text, OUT deals bigint, OUT won_deals bigint)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
SELECT dc.contact_id, count(*), count(*) FILTER (WHERE d.outcome = 'won')
FROM @extschema@.hubspot_deal_contacts dc
JOIN @extschema@.hubspot_deals d ON d.deal_id = dc.deal_id
GROUP BY dc.contact_id
$$;
COMMENT ON FUNCTION hubspot_contacts_with_deals() IS
	'each contact id associated with at least one deal (archived deals left out), with its number of deals and of won deals';

