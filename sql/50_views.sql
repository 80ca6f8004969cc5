-- Views.  Archived (deleted) records are left out.

CREATE VIEW deals_with_contacts AS
SELECT d.hubspot_id AS deal_id,
	   d.amount,
	   d.dealstage,
	   d.closedate,
	   a.contact_id,
	   d.raw_json OPERATOR(pg_catalog.->) 'properties' OPERATOR(pg_catalog.->>) 'dealname' AS dealname
FROM @extschema@.hubspot_deals_raw d
LEFT JOIN LATERAL (
	SELECT DISTINCT e OPERATOR(pg_catalog.->>) 'id' AS contact_id
	FROM pg_catalog.jsonb_array_elements(
		d.raw_json OPERATOR(pg_catalog.->) 'associations' OPERATOR(pg_catalog.->) 'contacts'
		OPERATOR(pg_catalog.->) 'results') AS e) a ON true
WHERE NOT d.archived;
COMMENT ON VIEW deals_with_contacts IS 'each deal with each associated contact (a deal without contacts once, with contact_id NULL)';
