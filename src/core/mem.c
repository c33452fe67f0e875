/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reference-counted allocations; see mem.h. */
#include "core/mem.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MEM_MAGIC 0x6d656d31u /* "mem1": catches mem_deref of a foreign pointer */

/* The header sits before the user block, padded so the block keeps the
 * strictest alignment malloc gives. */
struct mem_hdr {
	alignas(max_align_t) atomic_uint nrefs;
	unsigned magic;
	mem_destroy_h *dh;
};

static atomic_size_t live;

static struct mem_hdr *hdr_of(const void *data)
{
	return (struct mem_hdr *)((char *)data - sizeof(struct mem_hdr));
}

void *mem_zalloc(size_t size, mem_destroy_h *dh)
{
	if (size > SIZE_MAX - sizeof(struct mem_hdr))
		return NULL;
	struct mem_hdr *h = calloc(1, sizeof(*h) + size);
	if (!h)
		return NULL;
	atomic_init(&h->nrefs, 1);
	h->magic = MEM_MAGIC;
	h->dh = dh;
	atomic_fetch_add(&live, 1);
	return h + 1;
}

void *mem_ref(void *data)
{
	if (data)
		atomic_fetch_add(&hdr_of(data)->nrefs, 1);
	return data;
}

void *mem_deref(void *data)
{
	if (!data)
		return NULL;
	struct mem_hdr *h = hdr_of(data);
	if (h->magic != MEM_MAGIC)
		abort(); /* programmer error: not a mem object, or freed twice */
	if (atomic_fetch_sub(&h->nrefs, 1) != 1)
		return NULL;
	if (h->dh)
		h->dh(data);
	h->magic = 0;
	free(h);
	atomic_fetch_sub(&live, 1);
	return NULL;
}

unsigned mem_nrefs(const void *data)
{
	return data ? atomic_load(&hdr_of(data)->nrefs) : 0;
}

char *mem_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = mem_zalloc(n, NULL);
	if (d)
		memcpy(d, s, n);
	return d;
}

size_t mem_live(void)
{
	return atomic_load(&live);
}
