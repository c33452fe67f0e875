/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for core/mem: reference counts, destructors, leak counter. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/mem.h"

static size_t live0;
static int destroyed;

static void setup(void)
{
	live0 = mem_live();
	destroyed = 0;
}

/* Called at the end of each test: Criterion 2.4 does not count an
 * assertion that fails in a .fini hook. */
static void check_live(void)
{
	cr_expect_eq(mem_live(), live0, "leak: %zu mem objects left", mem_live() - live0);
}

TestSuite(mem, .init = setup);

struct obj {
	int value;
	struct obj *child;
};

static void obj_destroy(void *data)
{
	struct obj *o = data;

	destroyed++;
	mem_deref(o->child);
}

Test(mem, zalloc_is_zeroed_with_one_ref)
{
	unsigned char *p = mem_zalloc(64, NULL);

	cr_assert_not_null(p);
	cr_expect_eq(mem_nrefs(p), 1);
	cr_expect_eq(mem_live(), live0 + 1);
	for (int i = 0; i < 64; i++)
		cr_expect_eq(p[i], 0);
	cr_expect_null(mem_deref(p));
	check_live();
}

Test(mem, refcount_and_destructor_runs_once_at_zero)
{
	struct obj *o = mem_zalloc(sizeof(*o), obj_destroy);

	cr_assert_not_null(o);
	cr_expect_eq(mem_ref(o), o);
	cr_expect_eq(mem_ref(o), o);
	cr_expect_eq(mem_nrefs(o), 3);
	mem_deref(o);
	mem_deref(o);
	cr_expect_eq(destroyed, 0, "destructor ran before the last deref");
	cr_expect_eq(mem_nrefs(o), 1);
	mem_deref(o);
	cr_expect_eq(destroyed, 1);
	check_live();
}

Test(mem, destructor_releases_children)
{
	struct obj *parent = mem_zalloc(sizeof(*parent), obj_destroy);
	cr_assert_not_null(parent);
	parent->child = mem_zalloc(sizeof(*parent->child), obj_destroy);
	cr_assert_not_null(parent->child);
	cr_expect_eq(mem_live(), live0 + 2);
	mem_deref(parent);
	cr_expect_eq(destroyed, 2);
	check_live();
}

Test(mem, null_is_accepted)
{
	cr_expect_null(mem_ref(NULL));
	cr_expect_null(mem_deref(NULL));
	cr_expect_eq(mem_nrefs(NULL), 0);
	check_live();
}

Test(mem, strdup_copies)
{
	const char *src = "isdn s1c7{PROCEEDING}";
	char *s = mem_strdup(src);

	cr_assert_not_null(s);
	cr_expect_str_eq(s, src);
	cr_expect_neq(s, src);
	cr_expect_eq(mem_nrefs(s), 1);
	mem_deref(s);

	char *e = mem_strdup("");
	cr_assert_not_null(e);
	cr_expect_str_eq(e, "");
	mem_deref(e);
	check_live();
}

Test(mem, live_returns_to_start)
{
	void *p[100];

	for (int i = 0; i < 100; i++) {
		p[i] = mem_zalloc((size_t)i + 1, NULL);
		cr_assert_not_null(p[i]);
	}
	cr_expect_eq(mem_live(), live0 + 100);
	for (int i = 0; i < 100; i++)
		mem_deref(p[i]);
	cr_expect_eq(mem_live(), live0);
	check_live();
}

Test(mem, alignment_is_max_align)
{
	void *p = mem_zalloc(3, NULL);

	cr_assert_not_null(p);
	cr_expect_eq((uintptr_t)p % _Alignof(max_align_t), 0);
	mem_deref(p);
	check_live();
}
