/*-------------------------------------------------------------------------
 * convert.c
 *	  Lenient conversion of HubSpot's string-encoded property values.
 *
 * HubSpot sends every property value as a string.  These functions turn
 * one into a typed value, or into NULL when it does not convert, so that a
 * record with one bad value still lands (the sync counts such values as
 * warnings; the original text stays in raw_json).  They never raise an
 * error on bad input, which a plain cast would.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "convert.h"

PG_FUNCTION_INFO_V1(hubspot_parse_timestamp);
PG_FUNCTION_INFO_V1(hubspot_parse_numeric);
PG_FUNCTION_INFO_V1(hubspot_parse_integer);
PG_FUNCTION_INFO_V1(hubspot_parse_boolean);

/* Copy s without leading and trailing white space into a palloc'd string. */
static char *
trimmed_copy(const char *s, int len)
{
	while (len > 0 && isspace((unsigned char) *s))
	{
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char) s[len - 1]))
		len--;
	return pnstrdup(s, len);
}

/* Read exactly n digits at *p into *value; advance *p. */
static bool
read_digits(const char **p, int n, int *value)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) (*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*value = v;
	return true;
}

static bool
is_leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return (m == 2 && is_leap_year(y)) ? 29 : days[m - 1];
}

/*
 * Epoch milliseconds as a timestamp.  They must fall in the years the ISO
 * form can write, 1 to 9999 (UTC): a count beyond is no date HubSpot sends,
 * and a value near the end of timestamptz's range would make later date
 * arithmetic fail.
 */
static bool
epoch_ms_to_timestamp(int64 ms, TimestampTz *result)
{
	/* Postgres counts from 2000-01-01, Unix from 1970-01-01 */
	const int64 epoch_shift =
		(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
	const TimestampTz lowest =
		(int64) (date2j(1, 1, 1) - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY;
	const TimestampTz end =
		(int64) (date2j(10000, 1, 1) - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY;
	int64		usecs;

	/* Sixteen digits of milliseconds can overflow in microseconds */
	if (pg_mul_s64_overflow(ms, 1000, &usecs) ||
		pg_sub_s64_overflow(usecs, epoch_shift, &usecs) ||
		usecs < lowest || usecs >= end)
		return false;
	*result = usecs;
	return true;
}

/*
 * Parse the three forms HubSpot uses for dates and datetimes:
 *	 - ISO 8601: 2024-03-01T12:34:56.789Z, with or without seconds, fraction
 *	   and zone (Z, +hh:mm, +hhmm, +hh; none means UTC);
 *	 - a date alone: 2024-03-01 (midnight UTC);
 *	 - epoch milliseconds: 1709296496789.
 * Years are 1 to 9999: as written in the ISO forms, in UTC for epoch
 * milliseconds.
 */
bool
hubspot_parse_timestamp_cstring(const char *s, TimestampTz *result)
{
	const char *p = s;
	struct pg_tm tm;
	fsec_t		fsec = 0;
	int			tzoffset = 0;	/* seconds west of UTC, as tm2timestamp wants */
	int			year;

	memset(&tm, 0, sizeof(tm));

	/* Epoch milliseconds: digits only (an optional minus sign). */
	if (strspn(p + (*p == '-'), "0123456789") == strlen(p + (*p == '-')) &&
		strlen(p + (*p == '-')) > 4 && strlen(p) <= 16)
		return epoch_ms_to_timestamp(strtoll(p, NULL, 10), result);

	if (!read_digits(&p, 4, &year) || *p++ != '-' ||
		!read_digits(&p, 2, &tm.tm_mon) || *p++ != '-' ||
		!read_digits(&p, 2, &tm.tm_mday))
		return false;
	tm.tm_year = year;
	if (year < 1 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
		tm.tm_mday < 1 || tm.tm_mday > days_in_month(year, tm.tm_mon))
		return false;

	if (*p == 'T' || *p == 't' || *p == ' ')
	{
		p++;
		if (!read_digits(&p, 2, &tm.tm_hour) || *p++ != ':' ||
			!read_digits(&p, 2, &tm.tm_min))
			return false;
		if (*p == ':')
		{
			p++;
			if (!read_digits(&p, 2, &tm.tm_sec))
				return false;
			if (*p == '.' || *p == ',')
			{
				int			scale = 100000;

				p++;
				if (!isdigit((unsigned char) *p))
					return false;
				while (isdigit((unsigned char) *p))
				{
					fsec += (*p - '0') * scale;
					scale /= 10;
					p++;
				}
			}
		}
		if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
			return false;

		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-')
		{
			int			sign = (*p == '+') ? 1 : -1;
			int			hh,
						mm = 0;

			p++;
			if (!read_digits(&p, 2, &hh))
				return false;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char) *p) && !read_digits(&p, 2, &mm))
				return false;
			if (hh > 15 || mm > 59)
				return false;
			tzoffset = -sign * (hh * SECS_PER_HOUR + mm * SECS_PER_MINUTE);
		}
	}
	if (*p != '\0')
		return false;

	return tm2timestamp(&tm, fsec, &tzoffset, result) == 0 &&
		IS_VALID_TIMESTAMP(*result);
}

/* hubspot_parse_timestamp(text) returns timestamptz */
Datum
hubspot_parse_timestamp(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *s = trimmed_copy(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	TimestampTz ts;

	if (!hubspot_parse_timestamp_cstring(s, &ts))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(ts);
}

/*
 * Bounds on the numbers hubspot_parse_numeric() accepts.  They keep every
 * value within some 2000 digits either side of the point, far inside
 * numeric's range (131072 digits before it, 16383 after), so numeric_in()
 * cannot fail on one; no HubSpot amount comes near them.
 */
#define NUMERIC_MAX_LENGTH		1000
#define NUMERIC_MAX_EXPONENT	1000

/*
 * Is s a plain decimal number, [+-]digits[.digits][e[+-]digits], within
 * the bounds above?  NaN and Infinity are refused: no HubSpot amount means
 * that.
 */
static bool
is_decimal_number(const char *s)
{
	const char *p = s;
	bool		digits = false;

	if (strlen(s) > NUMERIC_MAX_LENGTH)
		return false;
	if (*p == '+' || *p == '-')
		p++;
	while (isdigit((unsigned char) *p))
	{
		p++;
		digits = true;
	}
	if (*p == '.')
	{
		p++;
		while (isdigit((unsigned char) *p))
		{
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E')
	{
		int			exponent = 0;

		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char) *p))
			return false;
		/* Stop accumulating past the bound, so any length of digits is safe */
		while (isdigit((unsigned char) *p))
		{
			if (exponent <= NUMERIC_MAX_EXPONENT)
				exponent = exponent * 10 + (*p - '0');
			p++;
		}
		if (exponent > NUMERIC_MAX_EXPONENT)
			return false;
	}
	return *p == '\0';
}

/*
 * hubspot_parse_numeric(text) returns numeric
 *
 * A number beyond the bounds, 1e-99999999999999999999 say, is NULL rather
 * than 0 or an error: it is no amount HubSpot can sensibly hold, so it is
 * counted as a bad value instead of landing as a plausible one.
 */
Datum
hubspot_parse_numeric(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *s = trimmed_copy(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (!is_decimal_number(s))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
										ObjectIdGetDatum(InvalidOid),
										Int32GetDatum(-1)));
}

/*
 * hubspot_parse_integer(text) returns integer
 *
 * "3" and "3.0" are 3 (HubSpot's number properties print either); "3.5",
 * "abc" and values outside the integer range are NULL.
 */
Datum
hubspot_parse_integer(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *s = trimmed_copy(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	const char *p = s;
	bool		negative = false;
	int64		value = 0;
	bool		digits = false;

	if (*p == '+' || *p == '-')
		negative = (*p++ == '-');
	while (isdigit((unsigned char) *p))
	{
		value = value * 10 + (*p++ - '0');
		digits = true;
		if (value > (int64) PG_INT32_MAX + 1)
			PG_RETURN_NULL();
	}
	if (*p == '.')
	{
		p++;
		while (*p == '0')
		{
			p++;
			digits = true;
		}
	}
	if (!digits || *p != '\0')
		PG_RETURN_NULL();
	if (negative)
		value = -value;
	if (value < PG_INT32_MIN || value > PG_INT32_MAX)
		PG_RETURN_NULL();
	PG_RETURN_INT32((int32) value);
}

/* hubspot_parse_boolean(text) returns boolean: true/false, yes/no, on/off, 1/0 */
Datum
hubspot_parse_boolean(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *s = trimmed_copy(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	bool		result;

	if (!parse_bool(s, &result))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(result);
}
