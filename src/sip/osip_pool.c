/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/osip_pool: recycle libosip2's two large allocations.
 *
 * An osip_transaction_t is about 13 KB (room for DNS records we never use)
 * and osip_message_to_str() starts from an 8000-byte buffer.  glibc serves
 * requests that large from its large bins and first merges every free small
 * chunk (malloc_consolidate); with the thousands of small blocks libosip2's
 * parser frees per call, that was 10-16% of the CPU of a call cycle.
 * Blocks of exactly those sizes come from fixed arenas with free lists;
 * everything else goes to malloc unchanged.  A block is recognised on free
 * by its address, so memory allocated before the hook was installed is
 * freed correctly too.  One thread (the signalling loop) uses libosip2.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sip/msg.h"

struct pool {
	size_t size;  /* the request size served */
	size_t bsize; /* rounded block size */
	size_t nblocks;
	char *arena;
	void **freelist;
	size_t n_free, n_used;
};

static struct pool pools[2] = {
    {.size = sizeof(osip_transaction_t), .nblocks = 4096}, /* alive at once */
    {.size = SIP_MESSAGE_MAX_LENGTH, .nblocks = 256},	   /* transient */
};

static struct pool *pool_of_ptr(const void *p)
{
	for (unsigned i = 0; i < 2; i++) {
		const struct pool *q = &pools[i];

		if (q->arena && (const char *)p >= q->arena &&
		    (const char *)p < q->arena + q->nblocks * q->bsize)
			return &pools[i];
	}
	return NULL;
}

static void *pool_malloc(size_t n)
{
	for (unsigned i = 0; i < 2; i++) {
		struct pool *q = &pools[i];

		if (n != q->size || !q->arena)
			continue;
		if (q->n_free)
			return q->freelist[--q->n_free];
		if (q->n_used < q->nblocks)
			return q->arena + q->bsize * q->n_used++;
	}
	return malloc(n);
}

static void pool_free(void *p)
{
	struct pool *q = pool_of_ptr(p);

	if (q)
		q->freelist[q->n_free++] = p;
	else
		free(p);
}

static void *pool_realloc(void *p, size_t n)
{
	struct pool *q = pool_of_ptr(p);
	void *r;

	if (!q)
		return realloc(p, n);
	r = malloc(n);
	if (r)
		memcpy(r, p, n < q->size ? n : q->size);
	pool_free(p);
	return r;
}

void sip_osip_pool_init(void)
{
	for (unsigned i = 0; i < 2; i++) {
		struct pool *q = &pools[i];

		q->bsize = (q->size + 63) & ~(size_t)63;
		/* Reserved, not committed: pages appear as blocks are first used. */
		q->arena = mmap(NULL, q->nblocks * q->bsize, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		q->freelist = malloc(q->nblocks * sizeof(*q->freelist));
		if (q->arena == MAP_FAILED || !q->freelist) {
			q->arena = NULL; /* no pool: plain malloc, slower, correct */
			free(q->freelist);
			q->freelist = NULL;
		}
	}
	osip_set_allocators(pool_malloc, pool_realloc, pool_free);
}
