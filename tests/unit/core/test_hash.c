/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: core/hash (intrusive chained hash table). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "core/mem.h"
#include "sg_test.h"

struct item {
	struct hash_le he;
	char key[16];
};

static struct hash *h;

static void setup(void)
{
	sg_test_begin();
	cr_assert_eq(hash_alloc(&h, 4), 0);
}

static void teardown(void)
{
	mem_deref(h);
	sg_test_end();
}

TestSuite(hash, .init = setup, .fini = teardown);

static uint32_t key_of(const char *s)
{
	return hash_fnv(s, strlen(s), HASH_SEED);
}

static struct item *find(const char *k)
{
	uint32_t key = key_of(k);
	struct le *e;
	list_for_each(hash_bucket(h, key), e) {
		struct item *it = container_of(e, struct item, he.le);
		if (it->he.key == key && strcmp(it->key, k) == 0)
			return it;
	}
	return NULL;
}

Test(hash, insert_find_remove_through_growth)
{
	static struct item items[5000];
	for (int i = 0; i < 5000; i++) {
		snprintf(items[i].key, sizeof(items[i].key), "k%d", i);
		hash_le_init(&items[i].he);
		hash_insert(h, &items[i].he, key_of(items[i].key));
	}
	cr_assert_eq(hash_count(h), 5000);
	for (int i = 0; i < 5000; i++)
		cr_assert_eq(find(items[i].key), &items[i], "k%d", i);
	for (int i = 0; i < 5000; i += 2)
		hash_remove(h, &items[i].he);
	cr_assert_eq(hash_count(h), 2500);
	for (int i = 0; i < 5000; i++)
		cr_assert_eq(find(items[i].key) != NULL, i % 2 == 1, "k%d", i);
	hash_remove(h, &items[0].he); /* not linked any more: a no-op */
	cr_assert_eq(hash_count(h), 2500);
}

Test(hash, fnv_known_values_and_case_folding)
{
	/* FNV-1a 32-bit of "" is the offset basis; of "a" is 0xe40c292c. */
	cr_assert_eq(hash_fnv("", 0, HASH_SEED), 2166136261u);
	cr_assert_eq(hash_fnv("a", 1, HASH_SEED), 0xe40c292cu);
	cr_assert_eq(hash_fnv_ci("Call-ID", 7, HASH_SEED), hash_fnv("call-id", 7, HASH_SEED));
	cr_assert_neq(hash_fnv("Call-ID", 7, HASH_SEED), hash_fnv("call-id", 7, HASH_SEED));
}
