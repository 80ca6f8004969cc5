-- Value conversion: HubSpot sends every property as a string.  These turn
-- one into a typed value, or NULL when it does not convert (never an error).

CREATE FUNCTION hubspot_parse_timestamp(value text) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'hubspot_parse_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_parse_timestamp(text) IS
	'ISO 8601 (UTC unless a zone is given), a date alone (midnight UTC) or epoch milliseconds, in years 1 to 9999; NULL when none of these';

CREATE FUNCTION hubspot_parse_numeric(value text) RETURNS numeric
	AS 'MODULE_PATHNAME', 'hubspot_parse_numeric'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_parse_numeric(text) IS
	'a plain decimal number ([+-]digits[.digits][e[+-]digits], at most 1000 characters, exponent within +-1000); NULL otherwise, NaN and Infinity included';

CREATE FUNCTION hubspot_parse_integer(value text) RETURNS integer
	AS 'MODULE_PATHNAME', 'hubspot_parse_integer'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_parse_integer(text) IS
	'"3" and "3.0" give 3; fractions, text and out-of-range values give NULL';

CREATE FUNCTION hubspot_parse_boolean(value text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'hubspot_parse_boolean'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Phone numbers: one comparable form, for the calls <-> contacts link.

CREATE FUNCTION hubspot_normalize_phone(phone text) RETURNS text
	AS 'MODULE_PATHNAME', 'hubspot_normalize_phone'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_normalize_phone(text) IS
	'digits of an international number without + or 00 (+33 6 12 34 56 78 -> 33612345678); national forms keep their trunk 0; NULL for garbage';

CREATE FUNCTION hubspot_normalize_phone(phone text, default_country_code text) RETURNS text
	AS 'MODULE_PATHNAME', 'hubspot_normalize_phone_cc'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hubspot_normalize_phone(text, text) IS
	'like hubspot_normalize_phone(text), with national forms (06 12 34 56 78) put in the given country (33 -> 33612345678); with 1, ten digits whose first three can be an area code (not N9X or N11) get the 1; a result normalised again is unchanged, except with 1 for a 10-digit international number whose first three digits can be an area code';
