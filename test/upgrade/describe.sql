-- Everything the extension owns, described by name and definition (never
-- by OID), one line per fact: two databases whose lines are equal have the
-- same extension schema.
WITH ext AS (
	SELECT e.oid, e.extconfig, e.extcondition FROM pg_catalog.pg_extension e
	WHERE e.extname = 'hubspot_sync'),
member AS (
	SELECT d.classid, d.objid FROM pg_catalog.pg_depend d, ext
	WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rel AS (
	SELECT c.* FROM pg_catalog.pg_class c JOIN member m ON m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid),
fn AS (
	SELECT p.* FROM pg_catalog.pg_proc p JOIN member m ON m.classid = 'pg_catalog.pg_proc'::regclass AND m.objid = p.oid)
SELECT line FROM (
	SELECT 'member ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0) AS line FROM member m
	UNION ALL
	SELECT 'function ' || p.oid::regprocedure || ' acl ' || coalesce(p.proacl::text, 'default')
		|| ' comment ' || coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '-') || E'\n'
		|| pg_catalog.pg_get_functiondef(p.oid) FROM fn p
	UNION ALL
	SELECT 'relation ' || c.relname || ' kind ' || c.relkind::text || ' persistence ' || c.relpersistence::text
		|| ' acl ' || coalesce(c.relacl::text, 'default') || ' options ' || coalesce(c.reloptions::text, '-')
		|| ' comment ' || coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '-') FROM rel c
	UNION ALL
	SELECT 'column ' || c.relname || '.' || a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
		|| CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
		|| coalesce(' default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')
		|| ' at ' || a.attnum::text
		|| ' comment ' || coalesce(pg_catalog.col_description(c.oid, a.attnum), '-')
	FROM rel c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	WHERE c.relkind IN ('r', 'v', 'p')
	UNION ALL
	SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_catalog.pg_get_constraintdef(k.oid)
	FROM rel c JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid
	UNION ALL
	SELECT 'index ' || pg_catalog.pg_get_indexdef(i.indexrelid)
	FROM rel c JOIN pg_catalog.pg_index i ON i.indrelid = c.oid
	UNION ALL
	SELECT 'trigger ' || pg_catalog.pg_get_triggerdef(t.oid)
	FROM rel c JOIN pg_catalog.pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT 'view ' || c.relname || E'\n' || pg_catalog.pg_get_viewdef(c.oid)
	FROM rel c WHERE c.relkind = 'v'
	UNION ALL
	SELECT 'sequence ' || c.relname || ' ' || s.seqtypid::regtype || ' ' || s.seqstart || ' ' || s.seqincrement
		|| ' ' || s.seqmax || ' ' || s.seqmin || ' ' || s.seqcache || ' ' || s.seqcycle
	FROM rel c JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
	UNION ALL
	SELECT 'dumped ' || x.cfg::regclass || ' ' || coalesce(x.cond, '')
	FROM ext, LATERAL ROWS FROM (pg_catalog.unnest(ext.extconfig), pg_catalog.unnest(ext.extcondition)) x(cfg, cond)
) described
ORDER BY line;
