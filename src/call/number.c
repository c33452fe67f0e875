/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TON/NPI ⇄ E.164 normalisation; see number.h.
 *
 * E.164 §6: an international number is CC + NSN, at most 15 digits.
 * Q.931 §4.5.10 type of number: 1 international (CC+NSN, no prefix),
 * 2 national (NSN, no trunk prefix), 4 subscriber (SN without area code),
 * 0 unknown (the digits as dialled, prefixes included).
 */
#include "call/number.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "call/route.h"

int number_valid(const char *s, size_t max, int plus)
{
	size_t i = 0, n = strlen(s);

	if (plus && s[0] == '+')
		i = 1;
	if (n == i || n > max)
		return 0;
	for (; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || c == '*' || c == '#'))
			return 0;
	}
	return 1;
}

static bool starts(const char *s, const char *p)
{
	return *p && strncmp(s, p, strlen(p)) == 0;
}

static int join(char *out, size_t outsz, const char *a, const char *b, const char *c)
{
	int n = snprintf(out, outsz, "+%s%s%s", a, b, c);
	return (n < 0 || (size_t)n >= outsz) ? ENOSPC : 0;
}

int number_to_e164(const struct number_plan *plan, const char *digits, unsigned ton, char *out,
		   size_t outsz)
{
	if (!number_valid(digits, ROUTE_NUM_MAX, 1))
		return EINVAL;
	if (digits[0] == '+')
		return join(out, outsz, digits + 1, "", "");
	switch (ton) {
	case ROUTE_TON_INTERNATIONAL:
		return join(out, outsz, digits, "", "");
	case ROUTE_TON_NATIONAL:
		return join(out, outsz, plan->country, digits, "");
	case ROUTE_TON_SUBSCRIBER:
		return join(out, outsz, plan->country, plan->area, digits);
	case ROUTE_TON_UNKNOWN:
		/* The dialled form: the international prefix is tried first
		 * because it usually begins with the national one ("00" vs "0"). */
		if (starts(digits, plan->international))
			return join(out, outsz, digits + strlen(plan->international), "", "");
		if (starts(digits, plan->national))
			return join(out, outsz, plan->country, digits + strlen(plan->national), "");
		return ENOENT;
	default:
		return ENOENT;
	}
}

static int copy(char *out, size_t outsz, const char *a, const char *b, const char *c)
{
	int n = snprintf(out, outsz, "%s%s%s", a, b, c);
	return (n < 0 || (size_t)n >= outsz) ? ENOSPC : 0;
}

int number_from_e164(const struct number_plan *plan, const char *e164, unsigned ton, char *out,
		     size_t outsz)
{
	if (e164[0] != '+' || !number_valid(e164, ROUTE_NUM_MAX, 1))
		return EINVAL;
	const char *d = e164 + 1;
	bool home = starts(d, plan->country);
	const char *nsn = home ? d + strlen(plan->country) : NULL;

	switch (ton) {
	case ROUTE_TON_INTERNATIONAL:
		return copy(out, outsz, d, "", "");
	case ROUTE_TON_NATIONAL:
		return home ? copy(out, outsz, nsn, "", "") : ENOENT;
	case ROUTE_TON_SUBSCRIBER:
		if (!home || !starts(nsn, plan->area))
			return ENOENT;
		return copy(out, outsz, nsn + strlen(plan->area), "", "");
	case ROUTE_TON_UNKNOWN:
		if (home)
			return copy(out, outsz, plan->national, nsn, "");
		return copy(out, outsz, plan->international, d, "");
	default:
		return ENOENT;
	}
}
