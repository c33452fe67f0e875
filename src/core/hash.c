/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>

#include "core/hash.h"
#include "core/mem.h"

struct hash {
	struct le *buckets;
	unsigned mask;
	unsigned count;
};

static void hash_destroy(void *data)
{
	struct hash *h = data;

	free(h->buckets);
}

static struct le *buckets_new(unsigned n)
{
	struct le *b = malloc(n * sizeof(*b));

	if (!b)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		list_init(&b[i]);
	return b;
}

int hash_alloc(struct hash **hp, unsigned nbuckets)
{
	struct hash *h;
	unsigned n = 16;

	while (n < nbuckets && n < (1u << 30))
		n <<= 1;
	h = mem_zalloc(sizeof(*h), hash_destroy);
	if (!h)
		return ENOMEM;
	h->buckets = buckets_new(n);
	if (!h->buckets) {
		mem_deref(h);
		return ENOMEM;
	}
	h->mask = n - 1;
	*hp = h;
	return 0;
}

/* Doubling keeps chains short; on allocation failure the table just stays
 * denser, which is slower but still correct. */
static void hash_grow(struct hash *h)
{
	unsigned n = (h->mask + 1) * 2;
	struct le *nb = buckets_new(n);

	if (!nb)
		return;
	for (unsigned i = 0; i <= h->mask; i++) {
		struct le *e, *nx;

		list_for_each_safe(&h->buckets[i], e, nx) {
			struct hash_le *he = container_of(e, struct hash_le, le);

			list_append(&nb[he->key & (n - 1)], e);
		}
	}
	free(h->buckets);
	h->buckets = nb;
	h->mask = n - 1;
}

void hash_insert(struct hash *h, struct hash_le *e, uint32_t key)
{
	if (h->count >= 2 * (h->mask + 1) && h->mask < (1u << 29))
		hash_grow(h);
	e->key = key;
	list_append(&h->buckets[key & h->mask], &e->le);
	h->count++;
}

void hash_remove(struct hash *h, struct hash_le *e)
{
	if (!le_linked(&e->le))
		return;
	list_unlink(&e->le);
	h->count--;
}

struct le *hash_bucket(const struct hash *h, uint32_t key)
{
	return &h->buckets[key & h->mask];
}

unsigned hash_count(const struct hash *h) { return h->count; }

uint32_t hash_fnv(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *s = p;
	uint32_t x = seed;

	for (size_t i = 0; i < n; i++) {
		x ^= s[i];
		x *= 16777619u;
	}
	return x;
}

uint32_t hash_fnv_ci(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *s = p;
	uint32_t x = seed;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		x ^= c;
		x *= 16777619u;
	}
	return x;
}
