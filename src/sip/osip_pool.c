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
 *
 * Small blocks too: parsing, building and freeing the messages of one
 * gateway call makes ~600 allocations of a few dozen bytes.  Through glibc
 * they cost ~150 instructions a pair at low load, and far more at a high
 * call rate, when thousands of live calls fragment the heap (_int_malloc
 * and malloc_consolidate were 16% of the daemon's CPU at 2,000 calls/s).
 * Requests up to SMALL_MAX bytes come from per-size free lists carved from
 * 64 KiB slabs of one reserved region; a slab serves one size class, found
 * on free from the block's address.  Memory is kept for reuse, never
 * returned: the pool grows to the peak number of live blocks.  Under
 * valgrind or AddressSanitizer the small pool stays off so that they keep
 * checking libosip2's memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sip/msg.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SMALL_POOL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMALL_POOL_OFF 1
#endif
#endif
#ifndef SMALL_POOL_OFF
#define SMALL_POOL_OFF 0
#endif

#define SMALL_MAX     1024		     /* largest request served */
#define SMALL_QUANTUM 16		     /* class granularity, and alignment */
#define NCLASS	      (SMALL_MAX / SMALL_QUANTUM)
#define SLAB_SHIFT    16		     /* 64 KiB slabs */
#define SMALL_REGION  ((size_t)1 << 30) /* reserved, committed as used */
#define NSLAB	      (SMALL_REGION >> SLAB_SHIFT)

static struct {
	char *base, *brk;		/* the region, and its first unused slab */
	void *free[NCLASS];		/* per class: freed blocks, linked through */
	char *carve[NCLASS];		/* per class: the slab being cut up ... */
	char *carve_ends[NCLASS];	/* ... and its end */
	uint8_t slab_class[NSLAB];
} small;

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

static bool is_small(const void *p)
{
	return small.base && (const char *)p >= small.base && (const char *)p < small.brk;
}

static unsigned small_class(const void *p)
{
	return small.slab_class[((const char *)p - small.base) >> SLAB_SHIFT];
}

/* A block of class c (size (c + 1) * SMALL_QUANTUM), or NULL when the
 * region is used up (the caller then falls back to malloc). */
static void *small_alloc(unsigned c)
{
	size_t size = (size_t)(c + 1) * SMALL_QUANTUM;
	void *p = small.free[c];

	if (p) {
		small.free[c] = *(void **)p;
		return p;
	}
	if (!small.carve[c] || small.carve[c] + size > small.carve_ends[c]) {
		if (small.brk + ((size_t)1 << SLAB_SHIFT) > small.base + SMALL_REGION)
			return NULL;
		small.slab_class[(small.brk - small.base) >> SLAB_SHIFT] = (uint8_t)c;
		small.carve[c] = small.brk;
		small.carve_ends[c] = small.brk + ((size_t)1 << SLAB_SHIFT);
		small.brk = small.carve_ends[c];
	}
	p = small.carve[c];
	small.carve[c] += size;
	return p;
}

static void *pool_malloc(size_t n)
{
	if (n <= SMALL_MAX && small.base) {
		void *p = small_alloc(n ? (unsigned)((n - 1) / SMALL_QUANTUM) : 0);
		if (p)
			return p;
	}
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
	if (is_small(p)) {
		unsigned c = small_class(p);
		*(void **)p = small.free[c];
		small.free[c] = p;
		return;
	}
	struct pool *q = pool_of_ptr(p);

	if (q)
		q->freelist[q->n_free++] = p;
	else
		free(p);
}

static void *pool_realloc(void *p, size_t n)
{
	struct pool *q;
	void *r;

	if (p && is_small(p)) {
		size_t have = (size_t)(small_class(p) + 1) * SMALL_QUANTUM;
		if (n && n <= have)
			return p;
		r = pool_malloc(n);
		if (r) {
			memcpy(r, p, n < have ? n : have);
			pool_free(p);
		}
		return r;
	}
	q = pool_of_ptr(p);

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
	if (!SMALL_POOL_OFF && !RUNNING_ON_VALGRIND) {
		small.base = mmap(NULL, SMALL_REGION, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (small.base == MAP_FAILED)
			small.base = NULL; /* malloc serves them all */
		small.brk = small.base;
	}
	osip_set_allocators(pool_malloc, pool_realloc, pool_free);
}
