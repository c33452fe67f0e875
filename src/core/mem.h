/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reference-counted allocations with destructors (the libre habit).
 *
 * Every long-lived object is a mem object: mem_zalloc() gives it a count of
 * one and an optional destructor that undoes every link the object made;
 * mem_deref() drops a reference and runs the destructor at zero.  A global
 * count of live objects lets every test check that it freed what it made.
 */
#ifndef STROWGER_CORE_MEM_H
#define STROWGER_CORE_MEM_H

#include <stddef.h>

typedef void(mem_destroy_h)(void *data);

/* Zeroed block of `size` bytes, or NULL when out of memory. */
void *mem_zalloc(size_t size, mem_destroy_h *dh);
/* Take one more reference; returns `data` (NULL passes through). */
void *mem_ref(void *data);
/* Drop one reference; runs the destructor and frees at zero.  Returns NULL
 * so that callers write `p = mem_deref(p);`.  NULL is accepted. */
void *mem_deref(void *data);
/* Current reference count of `data` (0 for NULL). */
unsigned mem_nrefs(const void *data);
/* A mem object holding a copy of `s` (NULL on allocation failure). */
char *mem_strdup(const char *s);
/* Number of mem objects alive in the whole process; tests assert it
 * returns to what it was before the test. */
size_t mem_live(void);

#endif
