-- The views that join the synced objects.
SET hubspot_sync.api_url = 'http://127.0.0.1:18765';
SET hubspot_sync.access_token = 'pat-na1-test-token';
SET timezone = 'UTC';
SELECT object_type, status FROM hubspot_sync_all() ORDER BY 1;

-- Calls reach their contact through the phone number, written differently
-- on each side.
SELECT count(*) AS calls,
       count(contact_id) AS calls_with_contact,
       count(*) FILTER (WHERE contact_id IS NOT NULL AND
                        coalesce(CASE WHEN call_direction = 'INBOUND' THEN call_from_number ELSE call_to_number END, '')
                        <> coalesce(k.phone, '')) AS linked_across_formats
FROM hubspot_calls_with_contacts v LEFT JOIN hubspot_contacts_raw k ON k.hubspot_id = v.contact_id;
SELECT v.call_id, v.call_direction, v.call_to_number, v.call_from_number, k.phone AS contact_phone
FROM hubspot_calls_with_contacts v JOIN hubspot_contacts_raw k ON k.hubspot_id = v.contact_id
ORDER BY v.call_id::numeric LIMIT 6;
-- Every linked pair has the same normalised number; no call links twice.
SELECT count(*) FILTER (WHERE hubspot_normalize_phone(k.phone) IS DISTINCT FROM
         hubspot_normalize_phone(CASE WHEN v.call_direction = 'INBOUND' THEN v.call_from_number ELSE v.call_to_number END)) AS mismatched,
       count(*) - count(DISTINCT v.call_id) AS duplicated_calls
FROM hubspot_calls_with_contacts v JOIN hubspot_contacts_raw k ON k.hubspot_id = v.contact_id;

-- The link looks contacts up by their phone key (a side table kept by
-- triggers, indexed), not by normalising every contact's phone.
CREATE FUNCTION pg_temp.plan_lines(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END $$;
SET enable_seqscan = off;
SELECT bool_or(line ~ 'Index (Only )?Scan using hubspot_contact_numbers_number_idx') AS contacts_by_index,
       bool_or(line ~ 'Index Cond: \(number = n\.number\)') AS on_phone_key
FROM pg_temp.plan_lines('SELECT * FROM hubspot_calls_with_contacts') AS line;
RESET enable_seqscan;

-- deals_with_contacts: a row per deal and associated contact.
SELECT count(*) AS rows, count(DISTINCT deal_id) AS deals, count(contact_id) AS with_contact
FROM deals_with_contacts;
SELECT deal_id, amount, dealstage, closedate, contact_id, dealname
FROM deals_with_contacts ORDER BY deal_id::numeric, contact_id LIMIT 5;
-- Each contact id points to a synced contact.
SELECT count(*) AS dangling_contacts
FROM deals_with_contacts d
WHERE d.contact_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM hubspot_contacts_raw c WHERE c.hubspot_id = d.contact_id);
