/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routing engine internals, shared by src/call/route_*.c only.
 */
#ifndef STROWGER_CALL_ROUTE_INT_H
#define STROWGER_CALL_ROUTE_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>

#include "call/number.h"
#include "call/route.h"

#define ROUTE_MAX_SOURCES   8
#define ROUTE_MAX_ACTS	    16
#define ROUTE_MAX_CAPS	    10 /* $0..$9 */
#define ROUTE_INCLUDE_DEPTH 8

/* The three numbers a rule can look at, in this order everywhere. */
enum route_field { RF_CALLED, RF_CALLING, RF_REDIR, RF__COUNT };

enum route_numkind { RN_ANY = 0, RN_PREFIX, RN_REGEX };

struct route_numcond {
	enum route_numkind kind;
	char *text; /* the prefix or the regex source (mem string) */
	size_t len; /* strlen(text) */
	pcre2_code *re;
	int ton, npi; /* -1: any */
};

enum route_srckind { RS_TRUNK = 1, RS_GROUP, RS_SPAN, RS_NET };

struct route_source {
	enum route_srckind kind;
	char name[ROUTE_NAME_MAX];
	unsigned span;
	uint8_t addr[16];
	uint8_t family; /* 4 or 6 */
	uint8_t plen;	/* prefix length in bits */
	unsigned line;	/* where it was written, for messages */
};

enum route_actkind {
	RA_SET,	      /* set FIELD TEMPLATE */
	RA_STRIP,     /* strip FIELD N */
	RA_PREFIX,    /* prefix FIELD DIGITS */
	RA_TON,	      /* ton FIELD TON */
	RA_NPI,	      /* npi FIELD NPI */
	RA_PRES,      /* presentation PRES */
	RA_NORMALISE, /* normalise FIELD PLAN: to E.164 */
	RA_LOCALISE,  /* localise FIELD PLAN TON: from E.164 */
};

struct route_act {
	enum route_actkind kind;
	enum route_field field;
	int value;  /* N, TON, NPI, PRES */
	char *text; /* template or digits (mem string) */
	const struct number_plan *plan;
	unsigned line;
};

struct route_destspec {
	enum route_dest_kind kind;
	enum route_policy policy;
	char name[ROUTE_NAME_MAX];
	char *uri; /* template (mem string) */
	unsigned line;
};

struct route_rule {
	char name[ROUTE_NAME_MAX];
	const char *file; /* interned in the set */
	unsigned line;
	unsigned id; /* position in file order */
	struct route_numcond num[RF__COUNT];
	int pres; /* -1: any */
	enum route_dir dir;
	struct route_source src[ROUTE_MAX_SOURCES];
	unsigned n_src;
	struct route_act act[ROUTE_MAX_ACTS];
	unsigned n_act;
	struct route_destspec dest[ROUTE_DEST_MAX];
	unsigned n_dest;
	unsigned cause; /* reject: 1..127 */
	bool reject;
	bool indexed; /* reachable through the trie */
};

struct route_named {
	char name[ROUTE_NAME_MAX];
	const char *file;
	unsigned line;
};

struct route_plan_decl {
	struct route_named n;
	struct number_plan plan;
};

struct route_digitmap {
	struct route_named n;
	pcre2_code **re;
	char **src;
	unsigned n_re;
};

enum route_expect { RE_ROUTE, RE_REJECT, RE_NOMATCH, RE_DIGITS };

struct route_vector {
	struct route_named n;
	struct route_ctx ctx;
	char trunk[ROUTE_NAME_MAX], group[ROUTE_NAME_MAX];
	/* expectations: what is set is checked */
	enum route_expect expect;
	bool expect_set;  /* something is expected */
	bool outcome_set; /* route, reject, nomatch or digits */
	char rule[ROUTE_NAME_MAX];
	struct route_dest dest[ROUTE_DEST_MAX];
	unsigned n_dest;
	unsigned cause;
	struct route_number num[RF__COUNT];
	bool num_set[RF__COUNT];
	int pres; /* -1: not checked */
	char digitmap[ROUTE_NAME_MAX];
	char digits[ROUTE_NUM_MAX + 1];
	enum route_digits digits_res;
};

struct route_trie;

struct route_set {
	struct route_rule *rules;
	unsigned n_rules, cap_rules;
	struct route_named *trunks, *groups;
	unsigned n_trunks, n_groups;
	struct route_plan_decl *plans;
	unsigned n_plans;
	struct route_digitmap *maps;
	unsigned n_maps;
	struct route_vector *vectors;
	unsigned n_vectors;
	char **files; /* interned file names */
	unsigned n_files;
	struct route_trie *trie;
	unsigned *unindexed; /* ids of rules the trie cannot hold */
	unsigned n_unindexed;
	pcre2_match_context *mctx; /* bounds backtracking in every match */
};

/* Which rule ids the trie offers for a called number, each list sorted. */
struct route_cands {
	const unsigned *list[ROUTE_NUM_MAX + 2];
	unsigned len[ROUTE_NUM_MAX + 2];
	unsigned n;
};

/* route_set.c */
void route_diag_verr(struct route_diag *d, bool warn, const char *file, unsigned line,
		     const char *fmt, va_list ap);
void route_diag_err(struct route_diag *d, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void route_diag_warn(struct route_diag *d, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int route_set_alloc(struct route_set **setp);
int route_set_resolve(struct route_set *set, struct route_diag *diag);
int route_set_finish(struct route_set *set, struct route_diag *diag);
const struct route_named *route_set_find_trunk(const struct route_set *set, const char *n);
const struct route_named *route_set_find_group(const struct route_set *set, const char *n);
const struct route_plan_decl *route_set_find_plan(const struct route_set *set, const char *n);
const struct route_digitmap *route_set_find_map(const struct route_set *set, const char *n);
const struct route_rule *route_set_find_rule(const struct route_set *set, const char *n);
void *route_grow(void *arr, unsigned n, unsigned *cap, size_t elem);

/* route_parse.c */
int route_parse_text(struct route_set *set, const char *name, const char *text, const char *basedir,
		     unsigned depth, struct route_diag *diag);
/* Split `line` in place into at most `max` whitespace-separated words. */
unsigned route_split(char *line, char **words, unsigned max);
int route_field_parse(const char *s, enum route_field *f);
const char *route_field_name(enum route_field f);
int route_uint_parse(const char *s, unsigned max, unsigned *out);
/* The whole file as a NUL-terminated malloc'd string ("" if empty). */
int route_read_file(const char *path, char **textp);

/* route_rule.c: one line of a [rule] section */
int route_rule_line(struct route_set *set, struct route_rule *r, char **w, unsigned n,
		    unsigned line, struct route_diag *diag);
int route_source_parse(struct route_source *src, char **w, unsigned n, char *why, size_t whylen);
int route_dest_parse(struct route_destspec *d, char **w, unsigned n, char *why, size_t whylen);
void route_rule_free(struct route_rule *r);

/* route_vectors.c */
int route_vector_line(struct route_set *set, struct route_vector *v, char **w, unsigned n,
		      unsigned line, struct route_diag *diag);

/* route_trie.c */
int route_trie_build(struct route_set *set);
void route_trie_free(struct route_trie *t);
void route_trie_lookup(const struct route_trie *t, const char *digits, struct route_cands *c);
/* Literal digits an anchored regex must start with ("^0044(\d+)" → "0044"). */
size_t route_regex_literal(const char *re, char *out, size_t outsz);

/* route_match.c */
/* Captures of the last rule tried; match data is made on first use so
 * prefix-only decisions never allocate. */
struct route_match {
	pcre2_match_data *md;
	PCRE2_SIZE ov[RF__COUNT][2 * ROUTE_MAX_CAPS];
	unsigned ncap[RF__COUNT];
	const char *src[RF__COUNT]; /* the subject the captures index */
	pcre2_match_context *mctx;
};

void route_match_init(struct route_match *m, const struct route_set *set);
/* A copy of `in` whose digit strings are surely terminated: callers may
 * have filled them from the wire without route_number_set(). */
void route_ctx_sanitise(struct route_ctx *out, const struct route_ctx *in);
void route_match_fini(struct route_match *m);
/* True if `r` matches `in`.  Otherwise, if `why` is not NULL, says why. */
bool route_rule_try(const struct route_rule *r, const struct route_ctx *in, struct route_match *m,
		    char *why, size_t whylen);
void route_rule_apply(const struct route_rule *r, const struct route_ctx *in,
		      const struct route_match *m, struct route_result *out);
void route_result_init(struct route_result *out, const struct route_ctx *in);
bool route_addr_in(const struct route_source *s, const struct route_ctx *in);
/* Check a template at load time: EINVAL with a reason for bad syntax. */
int route_template_check(const char *t, bool uri, char *why, size_t whylen);
/* Every capture the template names exists in the rule's conditions. */
int route_template_caps(const struct route_rule *r, const char *t, int dflt, char *why,
			size_t whylen);

/* route_explain.c */
/* One line per destination and number, for explain and vector diffs. */
void route_result_format(const struct route_result *r, char *buf, size_t len);
int route_strcat(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
