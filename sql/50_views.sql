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

-- Calls carry no association to contacts: the phone number is the link.
-- An inbound call's contact is the caller (from), an outbound call's the
-- callee (to).  A number shared by several contacts links the oldest one.
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
	   k.lastname AS contact_lastname
FROM @extschema@.hubspot_calls_raw c
LEFT JOIN LATERAL (
	SELECT ct.hubspot_id, ct.email, ct.firstname, ct.lastname
	FROM @extschema@.hubspot_contacts_raw ct
	WHERE @extschema@.hubspot_normalize_phone(ct.phone) OPERATOR(pg_catalog.=)
		  @extschema@.hubspot_normalize_phone(CASE WHEN c.call_direction OPERATOR(pg_catalog.=) 'INBOUND'
												   THEN c.call_from_number ELSE c.call_to_number END)
	  AND NOT ct.archived
	ORDER BY ct.createdate, ct.hubspot_id
	LIMIT 1) k ON true
WHERE NOT c.archived;
COMMENT ON VIEW hubspot_calls_with_contacts IS 'each call with the contact whose phone number it dialled or came from';
