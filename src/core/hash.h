/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intrusive chained hash table.  The owner embeds a struct hash_le (a list
 * node plus the 32-bit key hash) and compares its own keys while walking a
 * bucket, so inserting never allocates and removing is O(1).  The table
 * doubles its bucket array when it holds more than two entries per bucket.
 */
#ifndef STROWGER_CORE_HASH_H
#define STROWGER_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "core/list.h"

struct hash_le {
	struct le le;
	uint32_t key;
};

struct hash;

/* A mem object with at least `nbuckets` buckets (rounded up to a power of 2). */
int hash_alloc(struct hash **hp, unsigned nbuckets);
void hash_insert(struct hash *h, struct hash_le *e, uint32_t key);
/* Safe on an entry that is not linked. */
void hash_remove(struct hash *h, struct hash_le *e);
/* The bucket list where entries with `key` live; walk it with
 * list_for_each and compare e->key first. */
struct le *hash_bucket(const struct hash *h, uint32_t key);
unsigned hash_count(const struct hash *h);

/* FNV-1a over bytes; the _ci variant folds ASCII case. */
uint32_t hash_fnv(const void *p, size_t n, uint32_t seed);
uint32_t hash_fnv_ci(const void *p, size_t n, uint32_t seed);
#define HASH_SEED 2166136261u

static inline void hash_le_init(struct hash_le *e) { le_init(&e->le); }

#endif
