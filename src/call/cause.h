/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cause interworking: Q.850 cause ⇄ SIP status, from tables kept as data
 * (mapping/causes-*.map), and the Reason header that carries the real
 * cause across (RFC 3326, RFC 6432).
 *
 * The shipped tables are RFC 3398 §7.2.4.1 (ISUP cause → SIP status) and
 * §8.2.6.1 (SIP status → ISUP cause), and a Q.1912.5 variant; which one a
 * gateway uses is which file it loads.  A file may override rows per SIP
 * trunk ([trunk NAME] sections), and carries test vectors.
 */
#ifndef STROWGER_CALL_CAUSE_H
#define STROWGER_CALL_CAUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "call/route.h"

#define CAUSE_NONE 0 /* the table maps this to nothing (e.g. 16 → BYE) */

struct cause_map;

/* Load a cause table file; EINVAL with file:line messages in diag if any
 * line is wrong (then *mp is NULL).  A mem object. */
int cause_map_load(struct cause_map **mp, const char *path, struct route_diag *diag);
int cause_map_parse(struct cause_map **mp, const char *name, const char *text,
		    struct route_diag *diag);
/* The `variant` line of the file ("rfc3398", "q1912.5"). */
const char *cause_map_variant(const struct cause_map *m);

/* SIP status for a Q.850 cause (1..127), with `trunk`'s overrides if it has
 * any (trunk may be NULL).  CAUSE_NONE if the table says no response
 * applies (16: the call is cleared with BYE/CANCEL instead). */
unsigned cause_to_sip(const struct cause_map *m, const char *trunk, unsigned cause);
/* Q.850 cause for a SIP final status (300..699).  An unlisted status is
 * treated as the x00 of its class (RFC 3261 §21), then the default.
 * CAUSE_NONE if the table says no mapping applies (487: cancelled). */
unsigned cause_from_sip(const struct cause_map *m, const char *trunk, unsigned status);
/* As cause_from_sip, but a Reason header with protocol Q.850 in the
 * response wins (RFC 6432 §3): it is the cause the PSTN really gave. */
unsigned cause_from_sip_reason(const struct cause_map *m, const char *trunk, unsigned status,
			       const char *reason, size_t len);
/* Q.850 name of a cause from the table ("User busy"), or "". */
const char *cause_text(const struct cause_map *m, unsigned cause);

/* `Q.850;cause=17;text="User busy"` (RFC 3326 §2).  ENOSPC if too small,
 * EINVAL for a cause outside 1..127.  `text` may be NULL; quotes and
 * backslashes in it are escaped. */
int cause_reason_format(char *buf, size_t len, unsigned cause, const char *text);
/* Parse one Reason header value (one or more comma-separated reasons) and
 * return the Q.850 cause, or ENOENT if none is there, EINVAL if malformed.
 * Wire data: `len` bounds every read; no NUL is needed. */
int cause_reason_parse(const char *hdr, size_t len, unsigned *cause);

/* Run the file's test vectors; diffs go to `report`.  Returns failures. */
unsigned cause_vectors_run(const struct cause_map *m, char **report, unsigned *total);

/* True if the text looks like a cause table (has [q850-to-sip] or
 * [sip-to-q850]); strowger-map uses it to pick the loader. */
bool cause_text_is_table(const char *text);

#endif
