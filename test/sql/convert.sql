-- HubSpot sends every property value as a string.  The parse functions turn
-- one into the column's type, or into NULL (never an error) when it does
-- not convert, so a record with one bad value still lands.
SET timezone = 'UTC';

-- Datetimes: ISO 8601 with milliseconds (the usual form), epoch
-- milliseconds (older properties), and a date alone (date properties).
SELECT v AS input, hubspot_parse_timestamp(v) AS parsed
FROM (VALUES ('2024-03-01T12:34:56.789Z'),
             ('2024-03-01T12:34:56Z'),
             ('2024-03-01T12:34Z'),
             ('2024-03-01T12:34:56.789+02:00'),
             ('2024-03-01T12:34:56.789-0530'),
             ('2024-03-01 12:34:56'),
             ('1709296496789'),
             ('0'),
             ('1709296496'),
             ('2024-03-01'),
             ('2024-02-29'),
             ('  2024-03-01T00:00:00.000Z  '),
             (''),
             ('abc'),
             ('2023-02-29'),
             ('2024-13-01'),
             ('2024-03-01T25:00:00Z'),
             ('2024-03-01T12:34:56.789Zjunk'),
             ('2024'),
             ('99999999999999999')) AS t(v);

-- Numbers: amounts read "1500.5", "3000" or "3.0".
SELECT v AS input, hubspot_parse_numeric(v) AS parsed
FROM (VALUES ('1500.5'), ('3000'), ('3.0'), ('-12.25'), ('1e3'), ('.5'),
             (''), ('abc'), ('NaN'), ('Infinity'), ('1,500'), ('12.3.4'), ('1e99999')) AS t(v);

-- Integers: "3" and "3.0" are 3; a fraction or text is NULL.
SELECT v AS input, hubspot_parse_integer(v) AS parsed
FROM (VALUES ('3'), ('3.0'), ('3.000'), (' 12 '), ('-7'), ('2147483647'),
             ('2147483648'), ('-2147483648'), ('3.5'), ('abc'), (''), ('.'), ('1e3')) AS t(v);

-- Booleans: HubSpot writes "true" / "false".
SELECT v AS input, hubspot_parse_boolean(v) AS parsed
FROM (VALUES ('true'), ('false'), ('TRUE'), ('yes'), ('0'), (''), ('maybe')) AS t(v);

-- NULL in, NULL out.
SELECT hubspot_parse_timestamp(NULL) IS NULL AS ts_null,
       hubspot_parse_integer(NULL) IS NULL AS int_null;
