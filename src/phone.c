/*-------------------------------------------------------------------------
 * phone.c
 *	  Normalisation of free-form phone numbers to E.164 digits.
 *
 * HubSpot keeps phone properties (contacts' phone and mobilephone, calls'
 * hs_call_to_number and hs_call_from_number, portal-defined deal fields) as
 * whatever text the user typed.  hubspot_normalize_phone() turns such text
 * into the digits of the international number without the "+", so that
 * "+33 6 12 34 56 78", "0033612345678" and "+33 (0)6 12 34 56 78" all give
 * "33612345678" and can be compared, joined and indexed.
 *
 * The rules:
 *
 * - White space (ASCII blanks, U+00A0 no-break space, U+2000..U+200A,
 *   U+202F narrow no-break space, U+205F, U+3000), invisible formatting
 *   characters that come with copy and paste (U+200B..U+200F,
 *   U+202A..U+202E, U+2060, U+FEFF), dots, dashes ("-", U+2010..U+2015,
 *   U+2212), slashes and balanced parentheses are separators and dropped.
 * - A "tel:" prefix (any case) is accepted.
 * - A "+" before the first digit, or "00" as the first two digits, marks
 *   the international form and is dropped.  The country code then follows
 *   and cannot begin with 0.  A "(0)" trunk marker right after the country
 *   code (after 1 to 3 digits) is dropped: "+44 (0)20 7946 0958" gives
 *   "442079460958".
 * - An extension at the end ("x123", "ext123", "ext. 123", "extension 123",
 *   "#123", and the tel: URI's ";ext=123") is dropped.  It must be the last
 *   thing in the text, and it must have digits.
 * - A number starting with a single 0 is in national form.  Without a
 *   default country code it is returned as its digits, leading 0 kept,
 *   since its country is unknown.  With one, the trunk 0 is replaced by the
 *   country code ("06 12 34 56 78", '33' gives "33612345678"); for Italy
 *   ('39'), where the leading 0 is part of the number, the code is
 *   prepended and the 0 kept.
 * - Any other number (no "+", "00" or leading 0) is returned as its digits.
 *   With the default country code '1', 10 digits that start with a
 *   possible North American area code ([2-9][0-8][0-9] other than N11)
 *   get the 1 prepended.  No number has an N9X area code (kept for the
 *   plan's expansion) or an N11 one (service codes such as 911), so 10
 *   digits starting so are left as the international number they read as:
 *   "4989123456" is +49 89 123456.  Numbers of other countries written
 *   without their trunk prefix cannot be told apart from international
 *   numbers written without "+" and are left as they are.
 * - Everything else gives NULL, never an error: empty or blank text, a
 *   letter other than in the markers above, any other character, a second
 *   "+" or one after a digit, unbalanced parentheses, or a result of fewer
 *   than 5 or more than 15 digits (E.164's maximum).
 *
 * A bad default country code is the one error, since it is a mistake in
 * the query rather than in the data.
 *
 * Normalising a result again, with the same default country code or with
 * none, gives it back.  A result is digits only, never starts with "00",
 * and starts with 0 only in national form without a default, so it is
 * taken as it is, save in one case inherent in dropping the "+": with the
 * default '1', the result of an international number of 10 digits that
 * start with a possible area code ("+45 22 55 12 34" gives "4522551234")
 * is exactly the North American number "452 255 1234" typed without its
 * 1, which gets the 1.  Only the "+" told the two apart.
 *
 * The functions are IMMUTABLE, for expression indexes and joins, and are
 * written for that use: one pass over the bytes, no regular expression, no
 * allocation but the result's.  The Unicode separators are recognised in
 * UTF-8 (and SQL_ASCII) databases; in a database of another encoding any
 * non-ASCII byte gives NULL.  The encoding of a database never changes, so
 * the result of a given text in a given database does not either.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubspot_normalize_phone);
PG_FUNCTION_INFO_V1(hubspot_normalize_phone_cc);

/* E.164 allows at most 15 digits, country code included. */
#define PHONE_MIN_DIGITS	5
#define PHONE_MAX_DIGITS	15

/*
 * Digits kept while scanning: at most "00" and 15 digits can make a valid
 * result, so the scan gives up on the first digit beyond these.
 */
#define PHONE_MAX_SCANNED	(PHONE_MAX_DIGITS + 2)

/* A default country calling code has 1 to 3 digits. */
#define PHONE_MAX_CC		3

/* The digits of a phone number found by phone_scan(). */
typedef struct PhoneDigits
{
	int			ndigits;
	bool		plus;			/* written with a leading "+" */
	char		digits[PHONE_MAX_SCANNED];
} PhoneDigits;

/*
 * Byte length of the white space or invisible formatting character at p,
 * or 0 if there is none.  Multibyte characters are recognised only when
 * the text is UTF-8.
 */
static inline int
phone_space_length(const unsigned char *p, const unsigned char *end,
				   bool utf8)
{
	if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		return 1;
	if (!utf8 || *p < 0x80)
		return 0;

	if (p[0] == 0xC2 && end - p >= 2 && p[1] == 0xA0)
		return 2;				/* U+00A0 no-break space */
	if (end - p < 3)
		return 0;
	if (p[0] == 0xE2 && p[1] == 0x80 &&
		((p[2] >= 0x80 && p[2] <= 0x8F) ||	/* U+2000..U+200F */
		 (p[2] >= 0xAA && p[2] <= 0xAF)))	/* U+202A..U+202F */
		return 3;
	if (p[0] == 0xE2 && p[1] == 0x81 && (p[2] == 0x9F || p[2] == 0xA0))
		return 3;				/* U+205F, U+2060 */
	if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;				/* U+3000 ideographic space */
	if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return 3;				/* U+FEFF byte order mark */
	return 0;
}

/*
 * Byte length of the dot, slash or dash at p, or 0 if there is none.
 */
static inline int
phone_punct_length(const unsigned char *p, const unsigned char *end,
				   bool utf8)
{
	if (*p == '.' || *p == '/' || *p == '-')
		return 1;
	if (!utf8 || *p < 0x80 || end - p < 3)
		return 0;
	if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x95)
		return 3;				/* U+2010..U+2015 dashes */
	if (p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92)
		return 3;				/* U+2212 minus sign */
	return 0;
}

/*
 * If the text at p starts with word (ASCII, lower case), ignoring case,
 * return its length, else 0.
 */
static inline int
phone_match(const unsigned char *p, const unsigned char *end,
			const char *word)
{
	int			len = strlen(word);

	if (end - p < len || pg_strncasecmp((const char *) p, word, len) != 0)
		return 0;
	return len;
}

/*
 * Byte length of the extension marker at p, or 0 if there is none.
 * Longer markers are tried first.
 */
static int
phone_extension_length(const unsigned char *p, const unsigned char *end)
{
	static const char *const markers[] = {
		"extension", "ext.", "ext", "x", "#", ";ext="
	};
	int			i;

	for (i = 0; i < (int) lengthof(markers); i++)
	{
		int			len = phone_match(p, end, markers[i]);

		if (len > 0)
			return len;
	}
	return 0;
}

/* Whether the digits so far begin an international number. */
static inline bool
phone_is_international(const PhoneDigits *pd)
{
	return pd->plus ||
		(pd->ndigits >= 2 && pd->digits[0] == '0' && pd->digits[1] == '0');
}

/*
 * Whether the three digits at p can be a North American area code (see the
 * rules at the top of the file).
 */
static inline bool
phone_is_area_code(const char *p)
{
	return p[0] >= '2' && p[1] != '9' && !(p[1] == '1' && p[2] == '1');
}

/*
 * Collect the digits of the phone number in the len bytes at s into *pd.
 * Returns false if the text is not a phone number (see the rules at the
 * top of the file), or has more digits than any valid result can.
 */
static bool
phone_scan(const char *s, int len, PhoneDigits *pd)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;
	int			encoding = GetDatabaseEncoding();
	bool		utf8 = (encoding == PG_UTF8 || encoding == PG_SQL_ASCII);
	int			depth = 0;		/* open parentheses */
	bool		trunk_dropped = false;	/* saw "(0)" after country code */
	bool		in_extension = false;	/* after an extension marker */
	int			extension_digits = 0;
	bool		extension_ended = false;	/* white space after them */
	int			n;

	pd->ndigits = 0;
	pd->plus = false;

	/* Leading white space, then an optional "tel:" */
	while (p < end && (n = phone_space_length(p, end, utf8)) > 0)
		p += n;
	p += phone_match(p, end, "tel:");

	while (p < end)
	{
		unsigned char c = *p;

		if (c >= '0' && c <= '9')
		{
			if (in_extension)
			{
				if (extension_ended)
					return false;
				extension_digits++;
			}
			else
			{
				if (pd->ndigits >= PHONE_MAX_SCANNED)
					return false;
				pd->digits[pd->ndigits++] = (char) c;
			}
			p++;
			continue;
		}

		if ((n = phone_space_length(p, end, utf8)) > 0)
		{
			if (extension_digits > 0)
				extension_ended = true;
			p += n;
			continue;
		}

		/* After an extension marker, only digits and white space */
		if (in_extension)
			return false;

		if ((n = phone_punct_length(p, end, utf8)) > 0)
		{
			p += n;
			continue;
		}

		if (c == '+')
		{
			if (pd->plus || pd->ndigits > 0)
				return false;
			pd->plus = true;
			p++;
		}
		else if (c == '(')
		{
			int			cc_digits = pd->ndigits - (pd->plus ? 0 : 2);

			/* "(0)" right after the country code of an international number */
			if (!trunk_dropped && phone_is_international(pd) &&
				cc_digits >= 1 && cc_digits <= PHONE_MAX_CC &&
				end - p >= 3 && p[1] == '0' && p[2] == ')')
			{
				trunk_dropped = true;
				p += 3;
			}
			else
			{
				depth++;
				p++;
			}
		}
		else if (c == ')')
		{
			if (depth == 0)
				return false;
			depth--;
			p++;
		}
		else if ((n = phone_extension_length(p, end)) > 0)
		{
			if (pd->ndigits == 0 || depth > 0)
				return false;
			in_extension = true;
			p += n;
		}
		else
			return false;
	}

	if (depth > 0)
		return false;
	if (in_extension && extension_digits == 0)
		return false;
	return true;
}

/*
 * Build the result from the digits and an optional default country code
 * (cc_len digits at cc, cc_len 0 for none).  Returns NULL if the result is
 * not a phone number.
 */
static text *
phone_result(const PhoneDigits *pd, const char *cc, int cc_len)
{
	char		buf[PHONE_MAX_SCANNED + PHONE_MAX_CC];
	const char *digits = pd->digits;
	int			ndigits = pd->ndigits;
	int			len = 0;

	if (ndigits == 0)
		return NULL;

	if (phone_is_international(pd))
	{
		/* Drop the "00"; the "+" was never kept */
		if (!pd->plus)
		{
			digits += 2;
			ndigits -= 2;
		}
		/* Country codes begin with 1-9 */
		if (ndigits == 0 || digits[0] == '0')
			return NULL;
	}
	else if (digits[0] == '0')
	{
		/* National form: replace the trunk 0 by the country code, if any */
		if (cc_len > 0)
		{
			memcpy(buf, cc, cc_len);
			len = cc_len;
			/* Italian numbers keep their leading 0 after +39 */
			if (!(cc_len == 2 && cc[0] == '3' && cc[1] == '9'))
			{
				digits++;
				ndigits--;
			}
		}
	}
	else if (cc_len == 1 && cc[0] == '1' && ndigits == 10 &&
			 phone_is_area_code(digits))
	{
		/* A North American number without its country code */
		buf[len++] = '1';
	}

	/*
	 * Other numbers without a trunk prefix are left as they are: they cannot
	 * be told apart from international numbers written without "+".
	 */

	if (len + ndigits < PHONE_MIN_DIGITS || len + ndigits > PHONE_MAX_DIGITS)
		return NULL;
	memcpy(buf + len, digits, ndigits);
	len += ndigits;

	return cstring_to_text_with_len(buf, len);
}

/*
 * hubspot_normalize_phone(phone text) returns text
 */
Datum
hubspot_normalize_phone(PG_FUNCTION_ARGS)
{
	text	   *phone = PG_GETARG_TEXT_PP(0);
	PhoneDigits pd;
	text	   *result = NULL;

	if (phone_scan(VARDATA_ANY(phone), VARSIZE_ANY_EXHDR(phone), &pd))
		result = phone_result(&pd, NULL, 0);

	PG_FREE_IF_COPY(phone, 0);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}

/*
 * hubspot_normalize_phone(phone text, default_country_code text) returns text
 *
 * default_country_code is the country calling code of numbers written in
 * national form, as 1 to 3 digits, optionally preceded by "+".
 */
Datum
hubspot_normalize_phone_cc(PG_FUNCTION_ARGS)
{
	text	   *phone = PG_GETARG_TEXT_PP(0);
	text	   *cc_text = PG_GETARG_TEXT_PP(1);
	const char *cc = VARDATA_ANY(cc_text);
	int			cc_len = VARSIZE_ANY_EXHDR(cc_text);
	PhoneDigits pd;
	text	   *result = NULL;
	int			i;

	/* Check the country code even when this number does not need it */
	if (cc_len > 0 && cc[0] == '+')
	{
		cc++;
		cc_len--;
	}
	for (i = 0; i < cc_len; i++)
	{
		if (cc[i] < '0' || cc[i] > '9')
			break;
	}
	if (cc_len < 1 || cc_len > PHONE_MAX_CC || i < cc_len || cc[0] == '0')
		ereport(ERROR,
				errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("invalid default country calling code: \"%s\"",
					   text_to_cstring(cc_text)),
				errhint("Give the country calling code as 1 to 3 digits, optionally preceded by \"+\", for example '33' or '+33'."));

	if (phone_scan(VARDATA_ANY(phone), VARSIZE_ANY_EXHDR(phone), &pd))
		result = phone_result(&pd, cc, cc_len);

	PG_FREE_IF_COPY(phone, 0);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}
