/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TON/NPI ⇄ E.164 normalisation (ITU-T E.164 §6, Q.931 §4.5.10).
 *
 * A numbering plan says how a network writes numbers: its country code,
 * the national (trunk) prefix dialled before a national significant number
 * ("0" in the UK, "1" in the NANP) and the international prefix ("00",
 * "011").  With it a number as received (digits + type of number) becomes
 * "+<cc><nsn>", and back.  Plans are per trunk: declared in mapping files
 * as [plan NAME] sections and named by the rules that use them.
 */
#ifndef STROWGER_CALL_NUMBER_H
#define STROWGER_CALL_NUMBER_H

#include <stddef.h>

#define NUMBER_PREFIX_MAX 8

struct number_plan {
	char country[4];		       /* "44", "1": E.164 country code */
	char national[NUMBER_PREFIX_MAX];      /* trunk prefix, may be "" */
	char international[NUMBER_PREFIX_MAX]; /* e.g. "00", "011" */
	char area[NUMBER_PREFIX_MAX];	       /* for subscriber numbers, may be "" */
};

/* True if `s` is 1..max characters of [0-9*#] (and a leading '+' if plus). */
int number_valid(const char *s, size_t max, int plus);

/* Digits as received, with their Q.931 type of number, to "+E.164".
 * International: "<digits>"; national: "<cc><digits>"; subscriber:
 * "<cc><area><digits>"; unknown: decided by the prefixes the number starts
 * with (international prefix, then national prefix), else left alone.
 * EINVAL for bad digits, ENOSPC if `out` is too small, ENOENT if the number
 * cannot be normalised (unknown TON without a known prefix, abbreviated). */
int number_to_e164(const struct number_plan *plan, const char *digits, unsigned ton, char *out,
		   size_t outsz);

/* "+E.164" to the digits to send with type of number `ton`:
 * international: "<cc><nsn>" (no prefix, TON says it);
 * national: "<nsn>" if the country matches, else ENOENT;
 * unknown: dialled form, "<national><nsn>" or "<international><cc><nsn>". */
int number_from_e164(const struct number_plan *plan, const char *e164, unsigned ton, char *out,
		     size_t outsz);

#endif
