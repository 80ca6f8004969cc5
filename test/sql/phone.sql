--
-- hubspot_normalize_phone(): free-form phone text to E.164 digits.
--
-- Proves that every way of writing the same number that HubSpot users type
-- (separators, unicode spaces and dashes, "+" or "00", the "(0)" trunk
-- marker, "tel:", extensions) gives the same digits; that national numbers
-- keep their 0 unless a default country code is given; that garbage gives
-- NULL rather than an error; that only a bad default country code errors;
-- that a result normalised again gives itself, for every default country
-- code, save one documented exception; and that the function can back an
-- expression index.
--
-- Each row shows the input, the result, the expected result and whether
-- they agree: a wrong result shows as ok = f.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hubspot_sync;
RESET client_min_messages;

-- One argument: international, national and plain numbers, and garbage.
SELECT input, hubspot_normalize_phone(input) AS result, expected,
       hubspot_normalize_phone(input) IS NOT DISTINCT FROM expected AS ok
FROM (VALUES
    -- international form: "+" or "00", any separators
    ('+33 6 12 34 56 78',                  '33612345678'),
    ('0033612345678',                      '33612345678'),
    ('+33612345678',                       '33612345678'),
    ('00 33 6 12 34 56 78',                '33612345678'),
    ('+1 (555) 123-4567',                  '15551234567'),
    ('+1.555.123.4567',                    '15551234567'),
    ('+49 30/1234-5678',                   '493012345678'),
    ('(+44) 20 7946 0958',                 '442079460958'),
    -- "(0)" trunk marker after the country code is dropped
    ('+33 (0)6 12 34 56 78',               '33612345678'),
    ('+44 (0)20 7946 0958',                '442079460958'),
    ('0044 (0)20 7946 0958',               '442079460958'),
    ('+353(0)1 234 5678',                  '35312345678'),
    -- "(0)" elsewhere is an ordinary parenthesised digit
    ('+1 555 (0)12 3456',                  '15550123456'),
    -- tel: URIs
    ('tel:+1-201-555-0123',                '12015550123'),
    ('TEL:+33612345678',                   '33612345678'),
    -- white space: tab, newline, no-break spaces, unicode spaces
    (E'\t+33 6 12 34 56 78\n',             '33612345678'),
    (U&'+33\00A06\00A012\00A034\00A056\00A078', '33612345678'),
    (U&'+33\202F6\202F12\202F34\202F56\202F78', '33612345678'),
    (U&'+33\20096\200912\200934\200956\200978', '33612345678'),
    (U&'\200E+33 6 12 34 56 78\200E',      '33612345678'),
    (U&'\FEFF+33612345678',                '33612345678'),
    -- unicode dashes
    (U&'+33\20136\201312\201334\201356\201378', '33612345678'),
    (U&'+1 555\2010123\20114567',          '15551234567'),
    (U&'+1 555\2212123\20154567',          '15551234567'),
    -- extensions at the end are dropped
    ('+44 20 7946 0958 x123',              '442079460958'),
    ('+1 555-123-4567 ext. 89',            '15551234567'),
    ('+1 555-123-4567 ext 89',             '15551234567'),
    ('+1 555-123-4567 Ext.89',             '15551234567'),
    ('+1 555-123-4567 extension 89',       '15551234567'),
    ('+1 555-123-4567 #89',                '15551234567'),
    ('+1 555-123-4567X89 ',                '15551234567'),
    ('tel:+1-201-555-0123;ext=1234',       '12015550123'),
    -- national form: leading 0 kept, the country is unknown
    ('06 12 34 56 78',                     '0612345678'),
    ('06.12.34.56.78',                     '0612345678'),
    ('(0)6 12 34 56 78',                   '0612345678'),
    ('020 7946 0958',                      '02079460958'),
    -- neither "+", "00" nor 0: the digits as they are
    ('5551234567',                         '5551234567'),
    ('(555) 123-4567',                     '5551234567'),
    ('1 (555) 123-4567',                   '15551234567'),
    -- length: 5 to 15 digits
    ('12345',                              '12345'),
    ('+123456789012345',                   '123456789012345'),
    ('1234',                               NULL),
    ('+1234567890123456',                  NULL),
    ('00 1234567890123456',                NULL),
    ('1234567890123456789012345678901234567890', NULL),
    -- garbage gives NULL
    ('',                                   NULL),
    ('   ',                                NULL),
    (U&'\00A0\202F',                       NULL),
    ('n/a',                                NULL),
    ('call me later',                      NULL),
    ('1-800-FLOWERS',                      NULL),
    ('+33 6 12 34 56 7a',                  NULL),
    ('++33612345678',                      NULL),
    ('+33 6 12 +34 56 78',                 NULL),
    ('33+612345678',                       NULL),
    ('+1 (555 123-4567',                   NULL),
    ('+1 555) 123-4567',                   NULL),
    ('+1 555 123-4567 (',                  NULL),
    ('+0 123 456 789',                     NULL),
    ('000 123 456 789',                    NULL),
    ('+',                                  NULL),
    ('00',                                 NULL),
    ('+33 (0)',                            NULL),
    ('+1 555-123-4567, +1 555-765-4321',   NULL),
    ('+1 555-123-4567 x',                  NULL),
    ('+1 555-123-4567 x12 34',             NULL),
    ('+1 555-123-4567 x12-34',             NULL),
    ('x123 555-1234',                      NULL),
    ('+1 (555 x12) 123-4567',              NULL),
    ('+33 6 12 34 56 78 tel:',             NULL),
    ('+33 6 12 34 56 78;phone-context=fr', NULL),
    (U&'\FF0B33 6 12 34 56 78',            NULL),
    (U&'+33 \FF16 12 34 56 78',            NULL)
) AS t(input, expected);

-- Two arguments: a default country code for numbers in national form.
SELECT input, default_cc, hubspot_normalize_phone(input, default_cc) AS result,
       expected,
       hubspot_normalize_phone(input, default_cc) IS NOT DISTINCT FROM expected AS ok
FROM (VALUES
    -- the trunk 0 is replaced by the country code, with or without "+"
    ('06 12 34 56 78',      '33',  '33612345678'),
    ('06 12 34 56 78',      '+33', '33612345678'),
    ('(0)6 12 34 56 78',    '33',  '33612345678'),
    ('020 7946 0958',       '44',  '442079460958'),
    ('030 1234-5678',       '49',  '493012345678'),
    ('0 1 23 45 67 89',     '353', '353123456789'),
    -- Italian numbers keep their 0 after the country code
    ('06 1234 5678',        '39',  '390612345678'),
    -- international numbers ignore the default
    ('+44 20 7946 0958',    '33',  '442079460958'),
    ('0044 20 7946 0958',   '33',  '442079460958'),
    ('+33 (0)6 12 34 56 78', '1',  '33612345678'),
    -- North American numbers get the 1 with default code 1
    ('(555) 123-4567',      '1',   '15551234567'),
    ('555-123-4567',        '+1',  '15551234567'),
    ('1 (555) 123-4567',    '1',   '15551234567'),
    ('555-1234',            '1',   '5551234'),
    ('1555123456',          '1',   '1555123456'),
    ('2025550143',          '1',   '12025550143'),
    ('202.555.0143',        '1',   '12025550143'),
    -- ... but only if the first three digits can be an area code: N9X and
    -- N11 cannot, so these stay international, as "+49 89 123456" does
    ('+49 89 123456',       '1',   '4989123456'),
    ('4989123456',          '1',   '4989123456'),
    ('(498) 912-3456',      '1',   '4989123456'),
    ('3906123456',          '1',   '3906123456'),
    ('9115551234',          '1',   '9115551234'),
    -- digits that can be either are read as North American: see the
    -- exception to idempotence below
    ('4522551234',          '1',   '14522551234'),
    -- other numbers without a trunk prefix are left as they are
    ('612345678',           '33',  '612345678'),
    ('5551234567',          '44',  '5551234567'),
    -- garbage still gives NULL
    ('n/a',                 '33',  NULL),
    ('0',                   '33',  NULL),
    ('',                    '1',   NULL),
    ('0123456789012345',    '33',  NULL)
) AS t(input, default_cc, expected);

-- Idempotence: normalising a result again gives it back, with the same
-- default country code or with none.  Tried for every default the
-- function accepts (1 to 999, with and without "+"), on numbers written
-- in every form the rules know, and on pseudo-random digits after each
-- kind of prefix.
CREATE TEMP TABLE phone_forms (input text);
INSERT INTO phone_forms VALUES
    ('+33 6 12 34 56 78'), ('0033612345678'), ('+33 (0)6 12 34 56 78'),
    (U&'+33\00A06\00A012\00A034\00A056\00A078'), ('TEL:+33612345678'),
    ('+44 (0)20 7946 0958'), ('0044 20 7946 0958'), ('+44 20 7946 0958 x123'),
    ('+1 (555) 123-4567'), ('+1 555 (0)12 3456'), ('tel:+1-201-555-0123;ext=1234'),
    ('+49 30/1234-5678'), ('+49 89 123456'), ('0049 89 123456'),
    ('+39 06 1234 5678'), ('+39 3912 345678'), ('+7 495 123-45-67'),
    ('+86 10 1234 5678'), ('+91 98765 43210'), ('+353(0)1 234 5678'),
    ('+20 2 2555 0143'), ('+852 2123 4567'), ('+61 2 9876 5432'),
    ('+55 11 91234-5678'), ('+999 1234 5678'), ('+123456789012345'),
    ('+45 22 55 12 34'), ('+47 22 12 34 56'), ('+65 8823 4567'),
    ('+32 2 123 45 67'), ('+354 551 2345'),
    ('06 12 34 56 78'), ('06.12.34.56.78'), ('(0)6 12 34 56 78'),
    ('020 7946 0958'), ('0 1 23 45 67 89'), ('06 1234 5678'),
    ('030 1234-5678'), ('0 800 123 4567'), ('012345678901234'),
    ('5551234567'), ('(555) 123-4567'), ('555-123-4567'),
    ('1 (555) 123-4567'), ('1-800-555-0199'), ('800-555-0199'),
    ('2025550143'), ('(202) 555-0143'), ('4989123456'), ('(498) 912-3456'),
    ('9115551234'), ('4522551234'), ('555-1234'), ('1555123456'),
    ('12345'), ('612345678'), ('33612345678'), ('442079460958'),
    ('n/a'), ('1234'), ('+0 123 456 789');
CREATE TEMP TABLE phone_random (input text);
INSERT INTO phone_random
SELECT prefix || left(translate(md5(prefix || i), 'abcdef', '012345')
                      || translate(md5(i || prefix), 'abcdef', '678901'),
                      4 + i % 13)
FROM unnest(ARRAY['+', '00', '0', '', '(0)', '+1 ', '+44 (0)', 'tel:+', '1 ']) AS prefix,
     generate_series(1, 40) AS i;
CREATE TEMP TABLE phone_defaults AS
SELECT n::text AS cc FROM generate_series(1, 999) AS n
UNION ALL
SELECT '+' || n FROM generate_series(1, 999) AS n;

-- Without a default: no exception.
SELECT count(*) AS inputs,
       count(*) FILTER (WHERE hubspot_normalize_phone(hubspot_normalize_phone(input))
                        IS DISTINCT FROM hubspot_normalize_phone(input)) AS not_idempotent
FROM (SELECT input FROM phone_forms UNION ALL SELECT input FROM phone_random) AS t;

-- With a default, the listed forms: the only results that change are the
-- documented exception, with the default 1, of international numbers of
-- 10 digits that start with a possible area code.  Their digits are those
-- of a North American number typed without its 1; only the "+" told the
-- two apart.
WITH once AS (
    SELECT cc, input, hubspot_normalize_phone(input, cc) AS once
    FROM phone_defaults, phone_forms
)
SELECT input, once, hubspot_normalize_phone(once, cc) AS twice,
       string_agg(cc, ', ' ORDER BY cc) AS default_codes
FROM once
WHERE hubspot_normalize_phone(once, cc) IS DISTINCT FROM once
GROUP BY 1, 2, 3
ORDER BY 1;

-- With a default, the pseudo-random numbers: nothing changes outside the
-- documented exception.
WITH once AS (
    SELECT cc, input, hubspot_normalize_phone(input, cc) AS once
    FROM phone_defaults, phone_random
)
SELECT count(*) AS results,
       count(*) FILTER (WHERE once IS NOT NULL) AS numbers,
       count(*) FILTER (WHERE hubspot_normalize_phone(once, cc) IS DISTINCT FROM once
                        AND NOT (ltrim(cc, '+') = '1'
                                 AND once ~ '^[2-9][0-8][0-9]{8}$'
                                 AND once !~ '^[0-9]11')) AS unexplained,
       count(*) FILTER (WHERE hubspot_normalize_phone(once, cc) IS DISTINCT FROM once)
           AS not_idempotent
FROM once;

-- The French forms compare equal, as a join on the result needs.
SELECT count(DISTINCT n) AS distinct_results, min(n) AS result
FROM (VALUES
    (hubspot_normalize_phone('+33 6 12 34 56 78')),
    (hubspot_normalize_phone('0033612345678')),
    (hubspot_normalize_phone('+33612345678')),
    (hubspot_normalize_phone('+33 (0)6 12 34 56 78')),
    (hubspot_normalize_phone('06 12 34 56 78', '33'))
) AS t(n);

-- Both functions can be used in indexes and parallel queries.
SELECT pg_catalog.pg_get_function_identity_arguments(p.oid) AS arguments,
       p.provolatile AS volatile, p.proisstrict AS strict,
       p.proparallel AS parallel
FROM pg_catalog.pg_proc p
WHERE p.proname = 'hubspot_normalize_phone'
ORDER BY p.pronargs;

-- STRICT: a NULL argument gives NULL.
SELECT hubspot_normalize_phone(NULL) IS NULL AS null_phone,
       hubspot_normalize_phone('06 12 34 56 78', NULL) IS NULL AS null_default;

-- A bad default country code is an error, even for a number that would
-- not need it: it is a mistake in the query, not in the data.
SELECT hubspot_normalize_phone('06 12 34 56 78', '3333');
SELECT hubspot_normalize_phone('+33612345678', 'FR');
SELECT hubspot_normalize_phone('06 12 34 56 78', '');
SELECT hubspot_normalize_phone('06 12 34 56 78', '+');
SELECT hubspot_normalize_phone('06 12 34 56 78', '033');
SELECT hubspot_normalize_phone('06 12 34 56 78', ' 33');

-- An expression index on the normalised number serves equality lookups,
-- whichever way the number is written in the table or in the query.
CREATE TEMP TABLE phone_contacts (id int, phone text);
INSERT INTO phone_contacts VALUES
    (1, '+33 6 12 34 56 78'),
    (2, '0033 6 98 76 54 32'),
    (3, '+44 (0)20 7946 0958'),
    (4, 'n/a'),
    (5, NULL),
    (6, '+33 (0)6 12 34 56 78 ext. 2');
CREATE INDEX phone_contacts_phone_idx
    ON phone_contacts (hubspot_normalize_phone(phone));
ANALYZE phone_contacts;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM phone_contacts
WHERE hubspot_normalize_phone(phone) = hubspot_normalize_phone('06 12 34 56 78', '33');
SELECT id FROM phone_contacts
WHERE hubspot_normalize_phone(phone) = hubspot_normalize_phone('06 12 34 56 78', '33')
ORDER BY id;
RESET enable_seqscan;
DROP TABLE phone_contacts;
