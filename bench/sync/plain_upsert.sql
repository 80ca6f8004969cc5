-- The plain-SQL baseline for the ingest figure: the contacts pages a full
-- sync reads, already fetched (bench/sync/fetch_pages.py), written with a
-- plain INSERT ... SELECT ... FROM jsonb_array_elements(page) ON CONFLICT
-- (hubspot_id) DO UPDATE, with the same typed columns and conversions as the
-- sync.  No network, no JSON parsing of HTTP bodies (the pages are jsonb
-- already), no property merge, no run log, no warnings.
--   psql -f plain_upsert.sql < pages.ndjson     (the pages come on stdin)
\set ON_ERROR_STOP 1

DROP TABLE IF EXISTS bench_pages;
CREATE TABLE bench_pages (n serial PRIMARY KEY, page jsonb NOT NULL);
-- one JSON page a line; CSV with quote and delimiter bytes that JSON never holds raw
\copy bench_pages (page) FROM pstdin WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
SELECT count(*) AS pages, sum(jsonb_array_length(page->'results')) AS records,
       pg_size_pretty(sum(pg_column_size(page))) AS jsonb_size FROM bench_pages;

-- Upsert pages first..last into tbl: one statement; per_page: one statement
-- and one COMMIT per page, as the sync does.
CREATE OR REPLACE PROCEDURE bench_upsert(tbl regclass, per_page boolean)
LANGUAGE plpgsql AS $proc$
DECLARE
	stmt text := format($sql$
		INSERT INTO %s AS t (hubspot_id, email, phone, firstname, lastname, createdate,
		                     lifecyclestage, vsl_watched, sales_script_version,
		                     raw_json, synced_at, updated_at, archived, archived_at, archived_reason)
		SELECT r->>'id', r->'properties'->>'email', r->'properties'->>'phone',
		       r->'properties'->>'firstname', r->'properties'->>'lastname',
		       hubspot_parse_timestamp(r->'properties'->>'createdate'),
		       r->'properties'->>'lifecyclestage',
		       hubspot_parse_boolean(r->'properties'->>'vsl_watched'),
		       r->'properties'->>'sales_script_version',
		       r, now(), hubspot_parse_timestamp(r->>'updatedAt'),
		       COALESCE(r->>'archived' = 'true', false), hubspot_parse_timestamp(r->>'archivedAt'),
		       CASE WHEN r->>'archived' = 'true' THEN 'archived in HubSpot' END
		FROM bench_pages b, jsonb_array_elements(b.page->'results') AS r
		WHERE b.n BETWEEN $1 AND $2
		ORDER BY b.n
		ON CONFLICT (hubspot_id) DO UPDATE SET
		  email = EXCLUDED.email, phone = EXCLUDED.phone, firstname = EXCLUDED.firstname,
		  lastname = EXCLUDED.lastname, createdate = EXCLUDED.createdate,
		  lifecyclestage = EXCLUDED.lifecyclestage, vsl_watched = EXCLUDED.vsl_watched,
		  sales_script_version = EXCLUDED.sales_script_version, raw_json = EXCLUDED.raw_json,
		  synced_at = EXCLUDED.synced_at, updated_at = EXCLUDED.updated_at,
		  archived = EXCLUDED.archived, archived_at = EXCLUDED.archived_at,
		  archived_reason = EXCLUDED.archived_reason
		WHERE t.raw_json <> EXCLUDED.raw_json OR t.archived <> EXCLUDED.archived$sql$, tbl);
	p int;
BEGIN
	IF per_page THEN
		FOR p IN SELECT n FROM bench_pages ORDER BY n LOOP
			EXECUTE stmt USING p, p;
			COMMIT;
		END LOOP;
	ELSE
		EXECUTE stmt USING 1, (SELECT max(n) FROM bench_pages);
	END IF;
END
$proc$;

-- A copy of the contacts table with the same indexes, without the metrics
-- triggers.
DROP TABLE IF EXISTS bench_contacts_copy;
CREATE TABLE bench_contacts_copy (LIKE hubspot_contacts_raw INCLUDING ALL);
CHECKPOINT;

\echo '== plain upsert into hubspot_contacts_raw (empty), one statement, one transaction'
TRUNCATE hubspot_contacts_raw;
SELECT clock_timestamp() AS t0, pg_current_wal_lsn() AS w0 \gset
CALL bench_upsert('hubspot_contacts_raw', false);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS s,
       pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), :'w0')) AS wal \gset
SELECT count(*) AS n FROM hubspot_contacts_raw \gset
\echo RESULT plain_one_txn rows=:n seconds=:s wal=:wal
CHECKPOINT;

\echo '== plain upsert into hubspot_contacts_raw (empty), a statement and a commit per page'
TRUNCATE hubspot_contacts_raw;
SELECT clock_timestamp() AS t0, pg_current_wal_lsn() AS w0 \gset
CALL bench_upsert('hubspot_contacts_raw', true);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS s,
       pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), :'w0')) AS wal \gset
SELECT count(*) AS n FROM hubspot_contacts_raw \gset
\echo RESULT plain_per_page rows=:n seconds=:s wal=:wal
CHECKPOINT;

\echo '== plain upsert into a copy (same indexes, no metrics triggers), one statement'
SELECT clock_timestamp() AS t0, pg_current_wal_lsn() AS w0 \gset
CALL bench_upsert('bench_contacts_copy', false);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS s,
       pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), :'w0')) AS wal \gset
SELECT count(*) AS n FROM bench_contacts_copy \gset
\echo RESULT plain_copy_no_triggers rows=:n seconds=:s wal=:wal

\echo '== the same pages again over the loaded table (every record unchanged: no write)'
SELECT clock_timestamp() AS t0, pg_current_wal_lsn() AS w0 \gset
CALL bench_upsert('hubspot_contacts_raw', false);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS s,
       pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), :'w0')) AS wal \gset
\echo RESULT plain_unchanged seconds=:s wal=:wal

DROP TABLE bench_contacts_copy;
DROP TABLE bench_pages;
DROP PROCEDURE bench_upsert(regclass, boolean);
