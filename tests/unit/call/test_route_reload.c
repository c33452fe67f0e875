/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic reload: a new set replaces the old only when the whole file is
 * valid; calls holding the old set keep deciding with it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call/route.h"
#include "core/mem.h"
#include "../sg_test.h"

static char path[64];

static void setup(void)
{
	sg_test_begin();
	snprintf(path, sizeof(path), "/tmp/sg-reload-%d.map", (int)getpid());
}

static void teardown(void)
{
	unlink(path);
	sg_test_end();
}

TestSuite(route_reload, .init = setup, .fini = teardown);

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

static const char *route_of(const struct route_set *set, const char *called)
{
	static struct route_result r;
	struct route_ctx ctx;
	route_ctx_init(&ctx);
	route_number_set(&ctx.called, called);
	route_decide(set, &ctx, &r);
	return r.verdict == ROUTE_ROUTE ? r.dest[0].name : "-";
}

Test(route_reload, bad_file_keeps_old_rules_and_calls_keep_theirs)
{
	struct route_holder *h;
	struct route_diag d;

	route_diag_init(&d);
	cr_assert(route_holder_alloc(&h) == 0);
	cr_expect(route_holder_get(h) == NULL);

	write_file("[trunk old]\n[rule r]\nroute trunk old\n");
	cr_assert(route_holder_reload(h, path, &d) == 0, "%s", d.text);
	struct route_set *call1 = route_holder_get(h); /* a call starts */
	cr_expect_str_eq(route_of(call1, "1"), "old");

	/* Half-edited file: one good rule, one bad.  Nothing changes. */
	write_file("[trunk new]\n[rule r]\nroute trunk new\n[rule s]\nroute trunk missing\n");
	cr_expect(route_holder_reload(h, path, &d) == EINVAL);
	cr_expect(route_diag_has(&d, "unknown destination trunk 'missing'"), "%s", d.text);
	struct route_set *cur = route_holder_get(h);
	cr_expect(cur == call1);
	mem_deref(cur);
	route_diag_reset(&d);

	/* A good file: new calls get it, the call in progress keeps the old. */
	write_file("[trunk new]\n[rule r]\nroute trunk new\n");
	cr_assert(route_holder_reload(h, path, &d) == 0, "%s", d.text);
	struct route_set *call2 = route_holder_get(h);
	cr_expect(call2 != call1);
	cr_expect_str_eq(route_of(call2, "1"), "new");
	cr_expect_str_eq(route_of(call1, "1"), "old");
	cr_expect(mem_nrefs(call1) == 1); /* only the call holds it now */

	/* A missing file also leaves the rules alone. */
	unlink(path);
	cr_expect(route_holder_reload(h, path, &d) == ENOENT);
	cur = route_holder_get(h);
	cr_expect(cur == call2);
	mem_deref(cur);

	mem_deref(call1);
	mem_deref(call2);
	mem_deref(h);
	route_diag_reset(&d);
}
