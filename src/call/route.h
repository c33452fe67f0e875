/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routing engine: dial-plan mapping files (mapping/README.md) → decisions.
 *
 *   route_set_load(file) ──► struct route_set (immutable, refcounted)
 *                                │  calls take a reference when they start
 *   route_decide(set, ctx) ──────┘► route_result: destination(s) + rewritten
 *                                   numbers, or reject with a Q.850 cause
 *
 * A set is never changed once loaded.  Reloading builds a new set and swaps
 * it into a struct route_holder only if the whole file is valid; calls in
 * progress keep the set they started with until they drop their reference.
 *
 * Rules are tried in file order and the first that matches wins.  Plain
 * called-number prefixes (and literal heads of anchored regexes) are indexed
 * in a trie, so a decision costs about the length of the number plus the
 * few rules whose prefix fits, not the position of the rule in the file.
 */
#ifndef STROWGER_CALL_ROUTE_H
#define STROWGER_CALL_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROUTE_NUM_MAX  32  /* digits of a number (E.164 allows 15; ISUP 16+) */
#define ROUTE_NAME_MAX 64  /* trunk, group, rule names */
#define ROUTE_URI_MAX  256 /* an expanded SIP URI template */
#define ROUTE_DEST_MAX 4   /* one destination and up to three fallbacks */

/* Q.931 §4.5.10 / Q.763 §3.9 type of number (the Q.931 code points). */
enum route_ton {
	ROUTE_TON_UNKNOWN = 0,
	ROUTE_TON_INTERNATIONAL = 1,
	ROUTE_TON_NATIONAL = 2,
	ROUTE_TON_NETWORK = 3,
	ROUTE_TON_SUBSCRIBER = 4,
	ROUTE_TON_ABBREVIATED = 6,
};

/* Q.931 §4.5.10 numbering plan identification. */
enum route_npi {
	ROUTE_NPI_UNKNOWN = 0,
	ROUTE_NPI_ISDN = 1,  /* E.164 */
	ROUTE_NPI_DATA = 3,  /* X.121 */
	ROUTE_NPI_TELEX = 4, /* F.69 */
	ROUTE_NPI_NATIONAL = 8,
	ROUTE_NPI_PRIVATE = 9,
};

/* Q.931 §4.5.9 presentation indicator. */
enum route_pres {
	ROUTE_PRES_ALLOWED = 0,
	ROUTE_PRES_RESTRICTED = 1,
	ROUTE_PRES_UNAVAILABLE = 2,
};

enum route_dir {
	ROUTE_DIR_ANY = 0, /* only in rules: either direction */
	ROUTE_DIR_TO_PSTN,
	ROUTE_DIR_TO_SIP,
};

/* A number: digits 0-9 * # and an optional leading '+'. */
struct route_number {
	char digits[ROUTE_NUM_MAX + 1];
	uint8_t ton; /* enum route_ton */
	uint8_t npi; /* enum route_npi */
	bool present;
};

/* What a call looks like when it asks for a route. */
struct route_ctx {
	struct route_number called, calling, redirecting;
	uint8_t pres; /* enum route_pres of the calling number */
	enum route_dir dir;
	const char *trunk;   /* SIP trunk it came from, or NULL */
	const char *group;   /* span group it came from, or NULL */
	unsigned span;	     /* span it came from, 0: none */
	uint8_t addr[16];    /* source address (IPv4 in the first 4 bytes) */
	uint8_t addr_family; /* 0: none, 4 or 6 */
};

enum route_dest_kind { ROUTE_DEST_GROUP = 1, ROUTE_DEST_TRUNK, ROUTE_DEST_URI };

/* How a span group picks a free channel. */
enum route_policy {
	ROUTE_POLICY_ASCENDING = 0,
	ROUTE_POLICY_DESCENDING,
	ROUTE_POLICY_ROUND_ROBIN,
	ROUTE_POLICY_LEAST_USED,
};

struct route_dest {
	enum route_dest_kind kind;
	enum route_policy policy;  /* groups */
	char name[ROUTE_NAME_MAX]; /* group or trunk */
	char uri[ROUTE_URI_MAX];   /* ROUTE_DEST_URI: the expanded template */
};

enum route_verdict {
	ROUTE_NOMATCH = 0, /* no rule matched */
	ROUTE_ROUTE,	   /* dest[0..n_dest-1], in order of preference */
	ROUTE_REJECT,	   /* cause */
};

struct route_result {
	enum route_verdict verdict;
	char rule[ROUTE_NAME_MAX]; /* the rule that matched */
	unsigned cause;		   /* Q.850 cause for ROUTE_REJECT */
	struct route_dest dest[ROUTE_DEST_MAX];
	unsigned n_dest;
	/* The numbers after rewriting (copies of the input if untouched). */
	struct route_number called, calling, redirecting;
	uint8_t pres;
};

struct route_set;

/* Diagnostics: every message names file:line, then "error" or "warning".
 * `text` is a mem string, one message per line, kept by core's
 * conf_diag_text_vadd() (core/conf.h) as a conf_diag's is. */
struct route_diag {
	unsigned errors, warnings;
	char *text;
	size_t len;
};

void route_diag_init(struct route_diag *d);
void route_diag_reset(struct route_diag *d);
bool route_diag_has(const struct route_diag *d, const char *needle);

/* Load a mapping file (and its includes).  On any error returns EINVAL
 * (or the errno of an unreadable file), writes messages to `diag` and
 * leaves *setp NULL: a set is only ever made from a fully valid file. */
int route_set_load(struct route_set **setp, const char *path, struct route_diag *diag);
/* The same from text; `name` stands for the file in messages and includes
 * are relative to `basedir` (NULL: the cwd). */
int route_set_parse(struct route_set **setp, const char *name, const char *text,
		    const char *basedir, struct route_diag *diag);
unsigned route_set_rule_count(const struct route_set *set);
/* Visit every destination every rule names (route and fallback lines), in
 * file order, with where it is written: for checks against the daemon's
 * configuration (a trunk it does not define).  A non-zero return stops. */
typedef int(route_dest_visit_h)(const char *rule, enum route_dest_kind kind, const char *name,
				const char *file, unsigned line, void *arg);
int route_set_dests(const struct route_set *set, route_dest_visit_h *h, void *arg);
unsigned route_set_vector_count(const struct route_set *set);

/* Decide.  Never fails: a context that cannot match anything yields
 * ROUTE_NOMATCH.  Thread-safe on a shared set. */
void route_decide(const struct route_set *set, const struct route_ctx *in,
		  struct route_result *out);

/* The same decision, trying every rule in file order and writing why each
 * did or did not match to `trace` (a mem string, one line per rule). */
void route_explain(const struct route_set *set, const struct route_ctx *in,
		   struct route_result *out, char **trace);

/* Run the test vectors of the set; a readable diff per mismatch goes to
 * `report` (mem string).  Returns the number of failed vectors. */
unsigned route_vectors_run(const struct route_set *set, char **report, unsigned *total);

/* Digit maps ([digits NAME] sections): is a dialled number complete? */
enum route_digits {
	ROUTE_DIGITS_INCOMPLETE = 0, /* a prefix of some pattern: wait */
	ROUTE_DIGITS_COMPLETE,	     /* matches a pattern: dial now */
	ROUTE_DIGITS_INVALID,	     /* can never match: reject (cause 28) */
};
/* ENOENT if the set has no digit map `name`. */
int route_digits_check(const struct route_set *set, const char *name, const char *digits,
		       enum route_digits *res);

/* Helpers for building contexts (tests, the tool, signalling adapters). */
void route_ctx_init(struct route_ctx *ctx);
/* Copy a digit string; EINVAL if it holds anything but digits * # and a
 * leading '+', or is longer than ROUTE_NUM_MAX. */
int route_number_set(struct route_number *num, const char *digits);
/* "10.0.0.1" or "2001:db8::1" into ctx->addr. */
int route_ctx_set_addr(struct route_ctx *ctx, const char *addr);
/* Set one part of a context by name, as strowger-map explain and
 * strowger-ctl explain take them: called, calling, redirecting (numbers),
 * called-ton, calling-ton, presentation, dir (to-pstn|to-sip), from
 * (trunk:NAME, group:NAME, span:N, addr:IP, or a bare trunk name).  `value`
 * must outlive ctx (trunk and group names are not copied).  ENOENT for an
 * unknown name, EINVAL for a bad value. */
int route_ctx_option(struct route_ctx *ctx, const char *name, const char *value);
int route_ton_parse(const char *s);
int route_npi_parse(const char *s);
int route_pres_parse(const char *s);
const char *route_ton_name(unsigned ton);
const char *route_npi_name(unsigned npi);
const char *route_pres_name(unsigned pres);

/* A slot holding the current set, for the daemon and the reload test. */
struct route_holder;
int route_holder_alloc(struct route_holder **hp);
/* Load `path`; on success the new set replaces the old (which lives on in
 * whatever calls still hold it).  On failure the old set stays. */
int route_holder_reload(struct route_holder *h, const char *path, struct route_diag *diag);
/* A new reference to the current set (NULL if none); mem_deref() it. */
struct route_set *route_holder_get(struct route_holder *h);

#endif
