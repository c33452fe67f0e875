/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the call-layer fixtures (test_call.c, test_leg_isdn.c, leg_sip_fx.c)
 * share: their call environment's dial plan and the shipped RFC 3398 cause
 * table, loaded as the daemon loads them.  Header-only: a suite that
 * includes it links nothing more.
 */
#ifndef STROWGER_TESTS_CALL_FX_H
#define STROWGER_TESTS_CALL_FX_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "call/cause.h"
#include "call/route.h"

/* The plan `text` (named `name` in messages; it must parse) into *routes,
 * and mapping/causes-rfc3398.map from $top_srcdir into *causes. */
static inline void call_fx_load(struct route_set **routes, const char *name, const char *text,
				struct cause_map **causes)
{
	struct route_diag d;
	char path[512];
	const char *top = getenv("top_srcdir");

	route_diag_init(&d);
	cr_assert_eq(route_set_parse(routes, name, text, NULL, &d), 0, "%s", d.text);
	snprintf(path, sizeof(path), "%s/mapping/causes-rfc3398.map", top ? top : ".");
	cr_assert_eq(cause_map_load(causes, path, &d), 0, "%s", d.text ? d.text : path);
	route_diag_reset(&d);
}

#endif
