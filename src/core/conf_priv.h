/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private helpers shared by conf.c (the reader) and conf_bind.c (binding and
 * dispatch).  Not for use outside src/core/conf*.c.
 */
#ifndef STROWGER_CORE_CONF_PRIV_H
#define STROWGER_CORE_CONF_PRIV_H

#include <stddef.h>

#include "core/conf.h"

/* Room for a snippet of untrusted text, quoted back in a message. */
#define CONF_SNIP_SIZE 64

/* Copy at most a short prefix of s[0..n) into buf (size >= CONF_SNIP_SIZE),
 * cut on a UTF-8 boundary, control bytes shown as '?', "..." when cut, so
 * that a message never carries a whole 4 KiB line or terminal escapes.
 * Returns buf. */
const char *conf_snip(char *buf, const char *s, size_t n);

/* "[kind]" or "[kind name]" into buf; returns buf. */
const char *conf_sec_label(char *buf, size_t size, const struct conf_section *sec);

#endif
