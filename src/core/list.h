/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intrusive doubly linked list: the node lives inside the owning object, so
 * linking never allocates and unlinking is O(1).
 */
#ifndef STROWGER_CORE_LIST_H
#define STROWGER_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct le {
	struct le *prev, *next;
};

/* A list head is a node whose prev/next point at itself when empty. */
#define LIST_INIT(h) { &(h), &(h) }

static inline void list_init(struct le *h) { h->prev = h->next = h; }
static inline bool list_empty(const struct le *h) { return h->next == h; }
/* A node that was never linked, or was unlinked with list_unlink(). */
static inline void le_init(struct le *e) { e->prev = e->next = NULL; }
static inline bool le_linked(const struct le *e) { return e->next != NULL; }

static inline void list_insert_before(struct le *pos, struct le *e)
{
	e->prev = pos->prev;
	e->next = pos;
	pos->prev->next = e;
	pos->prev = e;
}

static inline void list_append(struct le *h, struct le *e) { list_insert_before(h, e); }
static inline void list_prepend(struct le *h, struct le *e) { list_insert_before(h->next, e); }

static inline void list_unlink(struct le *e)
{
	if (!le_linked(e))
		return;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	le_init(e);
}

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Iterate safely against removal of the current node. */
#define list_for_each_safe(h, e, n) \
	for ((e) = (h)->next, (n) = (e)->next; (e) != (h); (e) = (n), (n) = (e)->next)

#define list_for_each(h, e) for ((e) = (h)->next; (e) != (h); (e) = (e)->next)

#endif
