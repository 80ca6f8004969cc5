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

-- Fuzzing: no text at all makes a parse function raise an error, however
-- long, odd or out of range.  The inputs are pseudo-random but
-- deterministic (md5 of a counter), so the output is stable.
CREATE TEMP TABLE fuzz (class text, input text);

-- Random text, mostly of what numbers and dates are made of, with letters,
-- control characters, unicode digits, spaces and signs among it.
INSERT INTO fuzz
SELECT 'random text',
       string_agg(substr(a, get_byte(decode(md5(i || '/' || j), 'hex'), 0)
                            % length(a) + 1, 1), '' ORDER BY j)
FROM (SELECT '0123456789012345678901234567890123456789+-.eE:TZ, '
             || 'aINfntrue' || E'\t\n\x01\x1f\x7f'
             || U&'\0661\0662\06F3\0967\FF11\FF12\00B2\00BD\00A0\2212\200B') AS alphabet(a),
     generate_series(1, 3000) AS i,
     LATERAL generate_series(0, get_byte(decode(md5(i::text), 'hex'), 0) % 40) AS j
GROUP BY i;

-- Exponents of every size, with and without signs and leading zeros.
INSERT INTO fuzz
SELECT 'exponents', m || e || x
FROM unnest(ARRAY['1', '-1', '+0', '.5', '9.99', '0.0', repeat('9', 500)]) AS m,
     unnest(ARRAY['e', 'E', 'e+', 'e-', 'E-']) AS e,
     unnest(ARRAY['0', '999', '1000', '1001', '16383', '16384', '131072',
                  '2147483647', '2147483648', '4294967296',
                  '9223372036854775807', '9223372036854775808',
                  '99999999999999999999', repeat('9', 5000),
                  repeat('0', 30) || '1000', repeat('0', 30) || '1001']) AS x;

-- Long digit strings, up to past numeric's 131072 digits.
INSERT INTO fuzz
SELECT 'long digits', s
FROM unnest(ARRAY[1000, 1001, 16383, 16384, 131072, 131073, 200000]) AS n,
     LATERAL unnest(ARRAY[repeat('9', n), '-' || repeat('9', n),
                          '0.' || repeat('0', n) || '1',
                          repeat('1', n) || '.' || repeat('1', n),
                          repeat('0', n) || '7', '3.' || repeat('0', n),
                          '1' || repeat('0', n) || 'e-1000']) AS s;

-- Unicode digits, signs and spaces: Arabic-Indic, extended Arabic-Indic,
-- Devanagari, full-width, superscripts, fractions, minus sign, no-break space.
INSERT INTO fuzz
SELECT 'unicode', s
FROM unnest(ARRAY[U&'\0661\0662\0663', U&'\06F1\06F2\06F3', U&'\0967\0968\0969',
                  U&'\FF11\FF12\FF13', U&'\0661\0662\0663.\0664',
                  U&'\FF12\FF10\FF12\FF14-\FF10\FF13-\FF10\FF11',
                  U&'\0662\0660\0662\0664-03-01', U&'\00B9\00B2\00B3', U&'\00BD',
                  U&'\2212\0031', U&'\00A0\0031\00A0', U&'\FEFF\0031', U&'\0031\200B',
                  U&'\0031\0301', U&'\FF54\FF52\FF55\FF45']) AS s;

-- Words that mean something to Postgres' own input functions, and to
-- nobody else.
INSERT INTO fuzz
SELECT 'special words', s
FROM unnest(ARRAY['NaN', 'nan', '-NaN', 'Infinity', '-Infinity', '+Infinity',
                  'inf', '-inf', 'infinity', '-infinity', 'epoch', 'now',
                  'today', 'tomorrow', 'allballs', 'NULL', 'null',
                  'undefined', 'none', 'TRUE ', 't', 'of', 'n']) AS s;

-- Dates: huge, negative and zero years, the edges of the range, long
-- fractions, leap seconds, bad zones, and epoch counts of every length.
INSERT INTO fuzz
SELECT 'dates', s
FROM unnest(ARRAY['99999-01-01', '294277-01-01T00:00:00Z', '10000-01-01',
                  '0000-01-01', '-0001-01-01', '9999-12-31T23:59:59.999999-15:59',
                  '0001-01-01T00:00:00+15:59', '2024-03-01T12:34:56.' || repeat('9', 100000) || 'Z',
                  '2024-03-01T23:59:60Z', '2024-03-01T12:34:56+99:99', '2024-02-30',
                  '2024-03-01T12:34:56+16', '2024-03-01T', '2024-03-01T12',
                  '253402300799999', '253402300800000', '-62135596800000', '-62135596800001',
                  '9223372036854775', '9223372036854776', '9999999999999999',
                  '-999999999999999', '9223372036854775807', '-9223372036854775808',
                  '18446744073709551616']) AS s;

-- Integers at and past the edges, and what other languages write.
INSERT INTO fuzz
SELECT 'integers', s
FROM unnest(ARRAY['2147483647', '2147483648', '-2147483648', '-2147483649',
                  '99999999999999999999', '-0', '+0', '0x10', '0b1', '1_000',
                  '1e3', '3.0000000001', '3.', '.0', '+-1', '--1', '1-']) AS s;

-- White space and control characters around and inside.
INSERT INTO fuzz
SELECT 'white space', s
FROM unnest(ARRAY[' 1 ', E'\t1\n', E'\x0b1\x0c', E'\r\n', E'1\x01', E'\x7f',
                  E'1 2', E'\x01\x02\x03', ' ', E'\t', '+ 1', '1 e3']) AS s;

-- Each function on each input in its own subtransaction: any error is
-- listed here, so the expected output is no rows.
CREATE FUNCTION pg_temp.fuzz_errors()
RETURNS TABLE (function_name text, class text, input_start text, state text)
LANGUAGE plpgsql AS $$
DECLARE
    f record;
    r record;
BEGIN
    FOR r IN SELECT * FROM fuzz LOOP
        FOR f IN SELECT unnest(ARRAY['hubspot_parse_numeric', 'hubspot_parse_integer',
                                     'hubspot_parse_timestamp', 'hubspot_parse_boolean']) AS name
        LOOP
            BEGIN
                EXECUTE format('SELECT %I($1)', f.name) USING r.input;
            EXCEPTION WHEN OTHERS THEN
                function_name := f.name;
                class := r.class;
                input_start := left(r.input, 40);
                state := SQLSTATE;
                RETURN NEXT;
            END;
        END LOOP;
    END LOOP;
END $$;
SELECT * FROM pg_temp.fuzz_errors() ORDER BY 1, 2, 3;

-- How many inputs of each class convert; the rest are NULL.
SELECT class, count(*) AS inputs,
       count(hubspot_parse_numeric(input)) AS numeric,
       count(hubspot_parse_integer(input)) AS integer,
       count(hubspot_parse_timestamp(input)) AS timestamp,
       count(hubspot_parse_boolean(input)) AS boolean
FROM fuzz
GROUP BY class
ORDER BY class;

-- The notable cases.  Numbers past the bounds (1000 characters, exponents
-- beyond +-1000) are NULL, not 0 and not an error; so are unicode digits,
-- NaN and Infinity, and dates outside years 1 to 9999.
SELECT label,
       CASE WHEN length(hubspot_parse_numeric(v)::text) > 24
            THEN left(hubspot_parse_numeric(v)::text, 20) || '...'
            ELSE hubspot_parse_numeric(v)::text END AS numeric,
       hubspot_parse_integer(v) AS integer,
       hubspot_parse_timestamp(v) AS timestamp,
       hubspot_parse_boolean(v) AS boolean
FROM (VALUES ('1e-99999999999999999999',         '1e-99999999999999999999'),
             ('1e99999999999999999999',          '1e99999999999999999999'),
             ('1e-9223372036854775808',          '1e-9223372036854775808'),
             ('1e1000',                          '1e1000'),
             ('1e1001',                          '1e1001'),
             ('1e-1000',                         '1e-1000'),
             ('1e-1001',                         '1e-1001'),
             ('1e+(30 zeros)1000',               '1e+' || repeat('0', 30) || '1000'),
             ('-1E+3',                           '-1E+3'),
             ('1000 nines',                      repeat('9', 1000)),
             ('1001 nines',                      repeat('9', 1001)),
             ('200000 nines',                    repeat('9', 200000)),
             ('0.(20000 zeros)1',                '0.' || repeat('0', 20000) || '1'),
             (U&'\0661\0662\0663 (Arabic-Indic)', U&'\0661\0662\0663'),
             (U&'\FF11\FF12\FF13 (full-width)',   U&'\FF11\FF12\FF13'),
             (U&'\2212\0031 (minus sign)',        U&'\2212\0031'),
             ('NaN',                             'NaN'),
             ('-Infinity',                       '-Infinity'),
             ('infinity',                        'infinity'),
             ('2147483648',                      '2147483648'),
             ('-2147483649',                     '-2147483649'),
             ('99999999999999999999',            '99999999999999999999'),
             ('294277-01-01T00:00:00Z',          '294277-01-01T00:00:00Z'),
             ('10000-01-01',                     '10000-01-01'),
             ('0000-01-01',                      '0000-01-01'),
             ('9999-12-31T23:59:59Z',            '9999-12-31T23:59:59Z'),
             ('253402300799999 (last ms of 9999)', '253402300799999'),
             ('253402300800000 (year 10000)',    '253402300800000'),
             ('-62135596800000 (year 1)',        '-62135596800000'),
             ('-62135596800001',                 '-62135596800001'),
             ('9223372036854775 (year 294247)',  '9223372036854775'),
             ('9223372036854776 (overflows)',    '9223372036854776'),
             ('2024-03-01T23:59:60Z',            '2024-03-01T23:59:60Z'),
             ('vertical tab, 1, form feed',      E'\x0b1\x0c'),
             ('1, control-A',                    E'1\x01')) AS t(label, v);
