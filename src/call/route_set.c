/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route sets: the immutable result of loading a mapping file, its
 * diagnostics, the checks that need the whole file (shadowed rules), and
 * the holder that swaps sets atomically on reload.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/route_int.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"

/* --- diagnostics --------------------------------------------------------- */

/* The messages are kept as core's configuration messages are (conf.h),
 * but each says "error" or "warning" after its file:line, since a mapping
 * file's diagnostics reach people (strowger-map, the daemon's start-up and
 * reload) as one list of both. */

void route_diag_init(struct route_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void route_diag_reset(struct route_diag *d)
{
	mem_deref(d->text);
	route_diag_init(d);
}

bool route_diag_has(const struct route_diag *d, const char *needle)
{
	return conf_diag_text_has(d->text, needle);
}

void route_diag_verr(struct route_diag *d, bool warn, const char *file, unsigned line,
		     const char *fmt, va_list ap)
{
	if (!d)
		return;
	if (warn)
		d->warnings++;
	else
		d->errors++;
	conf_diag_text_vadd(&d->text, &d->len, warn ? "warning" : "error", file, line, fmt, ap);
}

void route_diag_err(struct route_diag *d, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	route_diag_verr(d, false, file, line, fmt, ap);
	va_end(ap);
}

void route_diag_warn(struct route_diag *d, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	route_diag_verr(d, true, file, line, fmt, ap);
	va_end(ap);
}

/* --- the set object ------------------------------------------------------ */

void *route_grow(void *arr, unsigned n, unsigned *cap, size_t elem)
{
	if (n < *cap)
		return arr;
	unsigned nc = *cap ? *cap * 2 : 16;
	void *p = realloc(arr, (size_t)nc * elem);
	if (!p)
		return NULL;
	memset((char *)p + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
	*cap = nc;
	return p;
}

static void set_destroy(void *data)
{
	struct route_set *set = data;

	for (unsigned i = 0; i < set->n_rules; i++)
		route_rule_free(&set->rules[i]);
	free(set->rules);
	for (unsigned i = 0; i < set->n_maps; i++) {
		for (unsigned j = 0; j < set->maps[i].n_re; j++) {
			pcre2_code_free(set->maps[i].re[j]);
			mem_deref(set->maps[i].src[j]);
		}
		free(set->maps[i].re);
		free(set->maps[i].src);
	}
	free(set->maps);
	free(set->trunks);
	free(set->groups);
	free(set->plans);
	free(set->vectors);
	for (unsigned i = 0; i < set->n_files; i++)
		mem_deref(set->files[i]);
	free(set->files);
	route_trie_free(set->trie);
	free(set->unindexed);
	pcre2_match_context_free(set->mctx);
}

int route_set_alloc(struct route_set **setp)
{
	struct route_set *set = mem_zalloc(sizeof(*set), set_destroy);
	if (!set)
		return ENOMEM;
	/* Numbers are at most 32 digits: a regex that needs more than this
	 * many backtracking steps is pathological, and fails instead of
	 * stalling the signalling thread. */
	set->mctx = pcre2_match_context_create(NULL);
	if (!set->mctx) {
		mem_deref(set);
		return ENOMEM;
	}
	pcre2_set_match_limit(set->mctx, 100000);
	*setp = set;
	return 0;
}

unsigned route_set_rule_count(const struct route_set *set)
{
	return set->n_rules;
}

unsigned route_set_vector_count(const struct route_set *set)
{
	return set->n_vectors;
}

int route_set_dests(const struct route_set *set, route_dest_visit_h *h, void *arg)
{
	for (unsigned r = 0; r < set->n_rules; r++) {
		const struct route_rule *rule = &set->rules[r];
		for (unsigned i = 0; i < rule->n_dest; i++) {
			const struct route_destspec *d = &rule->dest[i];
			int rc = h(rule->name, d->kind, d->name, rule->file, d->line, arg);
			if (rc)
				return rc;
		}
	}
	return 0;
}

#define FIND(arr, n, name, field)                                                                  \
	do {                                                                                       \
		for (unsigned i_ = 0; i_ < (n); i_++)                                              \
			if (!strcmp((arr)[i_] field, (name)))                                      \
				return &(arr)[i_];                                                 \
		return NULL;                                                                       \
	} while (0)

const struct route_named *route_set_find_trunk(const struct route_set *set, const char *n)
{
	FIND(set->trunks, set->n_trunks, n, .name);
}

const struct route_named *route_set_find_group(const struct route_set *set, const char *n)
{
	FIND(set->groups, set->n_groups, n, .name);
}

const struct route_plan_decl *route_set_find_plan(const struct route_set *set, const char *n)
{
	FIND(set->plans, set->n_plans, n, .n.name);
}

const struct route_digitmap *route_set_find_map(const struct route_set *set, const char *n)
{
	FIND(set->maps, set->n_maps, n, .n.name);
}

const struct route_rule *route_set_find_rule(const struct route_set *set, const char *n)
{
	FIND(set->rules, set->n_rules, n, .name);
}

/* --- whole-file checks --------------------------------------------------- */

static bool numcond_covers(const struct route_numcond *a, const struct route_numcond *b)
{
	if (a->ton >= 0 && a->ton != b->ton)
		return false;
	if (a->npi >= 0 && a->npi != b->npi)
		return false;
	switch (a->kind) {
	case RN_ANY:
		return true;
	case RN_PREFIX:
		return b->kind == RN_PREFIX && !strncmp(b->text, a->text, a->len);
	case RN_REGEX:
		return b->kind == RN_REGEX && !strcmp(a->text, b->text);
	}
	return false;
}

static bool source_eq(const struct route_source *a, const struct route_source *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case RS_TRUNK:
	case RS_GROUP:
		return !strcmp(a->name, b->name);
	case RS_SPAN:
		return a->span == b->span;
	case RS_NET:
		return a->family == b->family && a->plen == b->plen &&
		       !memcmp(a->addr, b->addr, sizeof(a->addr));
	}
	return false;
}

static bool source_in(const struct route_source *s, const struct route_rule *b)
{
	for (unsigned i = 0; i < b->n_src; i++)
		if (source_eq(s, &b->src[i]))
			return true;
	return false;
}

/* Every call `b` accepts, `a` accepts too (a sound, incomplete test). */
static bool rule_covers(const struct route_rule *a, const struct route_rule *b)
{
	for (int f = 0; f < RF__COUNT; f++)
		if (!numcond_covers(&a->num[f], &b->num[f]))
			return false;
	if (a->pres >= 0 && a->pres != b->pres)
		return false;
	if (a->dir != ROUTE_DIR_ANY && a->dir != b->dir)
		return false;
	if (a->n_src) {
		if (!b->n_src)
			return false;
		for (unsigned i = 0; i < b->n_src; i++)
			if (!source_in(&b->src[i], a))
				return false;
	}
	return true;
}

/* An unreachable rule is a warning, not an error: files are often written
 * with a catch-all in front while being edited.  Only rules the trie offers
 * for b's prefix, or that have no called condition, can cover b. */
static void set_check_shadowed(const struct route_set *set, struct route_diag *diag)
{
	for (unsigned i = 0; i < set->n_rules; i++) {
		const struct route_rule *b = &set->rules[i];
		struct route_cands c;
		char key[ROUTE_NUM_MAX + 1] = "";
		if (b->num[RF_CALLED].kind == RN_PREFIX)
			strcpy(key, b->num[RF_CALLED].text);
		else if (b->num[RF_CALLED].kind == RN_REGEX)
			route_regex_literal(b->num[RF_CALLED].text, key, sizeof(key));
		route_trie_lookup(set->trie, key, &c);
		c.list[c.n] = set->unindexed;
		c.len[c.n++] = set->n_unindexed;
		for (unsigned l = 0; l < c.n; l++) {
			for (unsigned k = 0; k < c.len[l] && c.list[l][k] < i; k++) {
				const struct route_rule *a = &set->rules[c.list[l][k]];
				if (!rule_covers(a, b))
					continue;
				route_diag_warn(diag, b->file, b->line,
						"rule '%s' is unreachable: rule '%s' (%s:%u) "
						"matches everything it matches",
						b->name, a->name, a->file, a->line);
				goto next;
			}
		}
	next:;
	}
}

/* --- whole file: names used anywhere must be declared somewhere --------- */

static void resolve_rule(struct route_set *set, struct route_rule *r, struct route_diag *d)
{
	char why[160];

	if (!r->reject && !r->n_dest)
		route_diag_err(d, r->file, r->line, "rule '%s' has neither 'route' nor 'reject'",
			       r->name);
	for (unsigned i = 0; i < r->n_dest; i++) {
		const struct route_destspec *s = &r->dest[i];
		if (s->kind == ROUTE_DEST_TRUNK && !route_set_find_trunk(set, s->name))
			route_diag_err(d, r->file, s->line,
				       "rule '%s': unknown destination trunk '%s' "
				       "(declare it with [trunk %s])",
				       r->name, s->name, s->name);
		if (s->kind == ROUTE_DEST_GROUP && !route_set_find_group(set, s->name))
			route_diag_err(d, r->file, s->line,
				       "rule '%s': unknown destination group '%s' "
				       "(declare it with [group %s])",
				       r->name, s->name, s->name);
	}
	for (unsigned i = 0; i < r->n_src; i++) {
		const struct route_source *s = &r->src[i];
		if ((s->kind == RS_TRUNK && !route_set_find_trunk(set, s->name)) ||
		    (s->kind == RS_GROUP && !route_set_find_group(set, s->name)))
			route_diag_err(d, r->file, s->line, "rule '%s': unknown source %s '%s'",
				       r->name, s->kind == RS_TRUNK ? "trunk" : "group", s->name);
	}
	for (unsigned i = 0; i < r->n_dest; i++)
		if (r->dest[i].uri &&
		    route_template_caps(r, r->dest[i].uri, RF_CALLED, why, sizeof(why)))
			route_diag_err(d, r->file, r->dest[i].line, "rule '%s': %s", r->name, why);
	for (unsigned i = 0; i < r->n_act; i++) {
		struct route_act *a = &r->act[i];
		if (a->kind == RA_SET &&
		    route_template_caps(r, a->text, (int)a->field, why, sizeof(why)))
			route_diag_err(d, r->file, a->line, "rule '%s': %s", r->name, why);
		if (a->kind != RA_NORMALISE && a->kind != RA_LOCALISE)
			continue;
		const struct route_plan_decl *p = route_set_find_plan(set, a->text);
		if (!p)
			route_diag_err(d, r->file, a->line, "rule '%s': unknown plan '%s'", r->name,
				       a->text);
		else if (!p->plan.country[0])
			route_diag_err(d, p->n.file, p->n.line, "plan '%s' has no country",
				       p->n.name);
		else
			a->plan = &p->plan;
	}
}

static void resolve_vector(struct route_set *set, struct route_vector *v, struct route_diag *d)
{
	if (!v->expect_set)
		route_diag_err(d, v->n.file, v->n.line, "test '%s' expects nothing", v->n.name);
	if (v->rule[0] && !route_set_find_rule(set, v->rule))
		route_diag_err(d, v->n.file, v->n.line, "test '%s': unknown rule '%s'", v->n.name,
			       v->rule);
	if (v->expect == RE_DIGITS && !route_set_find_map(set, v->digitmap))
		route_diag_err(d, v->n.file, v->n.line, "test '%s': unknown digit map '%s'",
			       v->n.name, v->digitmap);
	v->ctx.trunk = v->trunk[0] ? v->trunk : NULL;
	v->ctx.group = v->group[0] ? v->group : NULL;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct route_rule *x = *(const struct route_rule *const *)a;
	const struct route_rule *y = *(const struct route_rule *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int dup_rules(struct route_set *set, struct route_diag *d)
{
	const struct route_rule **v = malloc((set->n_rules + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	for (unsigned i = 0; i < set->n_rules; i++)
		v[i] = &set->rules[i];
	qsort(v, set->n_rules, sizeof(*v), rule_cmp);
	for (unsigned i = 1; i < set->n_rules; i++) {
		if (strcmp(v[i]->name, v[i - 1]->name))
			continue;
		unsigned k = i - 1;
		while (k > 0 && !strcmp(v[k - 1]->name, v[i]->name))
			k--;
		route_diag_err(d, v[i]->file, v[i]->line, "rule '%s' already defined at %s:%u",
			       v[i]->name, v[k]->file, v[k]->line);
	}
	free(v);
	return 0;
}

/* Names used anywhere must be declared somewhere; rule names are unique. */
int route_set_resolve(struct route_set *set, struct route_diag *diag)
{
	int err = dup_rules(set, diag);
	for (unsigned i = 0; !err && i < set->n_rules; i++)
		resolve_rule(set, &set->rules[i], diag);
	for (unsigned i = 0; !err && i < set->n_vectors; i++)
		resolve_vector(set, &set->vectors[i], diag);
	return err;
}

int route_set_finish(struct route_set *set, struct route_diag *diag)
{
	int err = route_trie_build(set);
	if (err) {
		route_diag_err(diag, NULL, 0, "out of memory building the prefix index");
		return err;
	}
	set_check_shadowed(set, diag);
	return 0;
}

/* --- context helpers ----------------------------------------------------- */

void route_ctx_init(struct route_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->dir = ROUTE_DIR_TO_PSTN;
}

int route_number_set(struct route_number *num, const char *digits)
{
	if (!number_valid(digits, ROUTE_NUM_MAX, 1))
		return EINVAL;
	strcpy(num->digits, digits);
	num->present = true;
	return 0;
}

int route_ctx_set_addr(struct route_ctx *ctx, const char *addr)
{
	if (inet_pton(AF_INET, addr, ctx->addr) == 1) {
		ctx->addr_family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, ctx->addr) == 1) {
		ctx->addr_family = 6;
		return 0;
	}
	return EINVAL;
}

static const char *const ton_names[] = {
    "unknown", "international", "national", "network", "subscriber", NULL, "abbreviated"};
static const char *const npi_names[] = {"unknown", "isdn", NULL, "data",     "telex",
					NULL,	   NULL,   NULL, "national", "private"};
static const char *const pres_names[] = {"allowed", "restricted", "unavailable"};

static int name_find(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

int route_ton_parse(const char *s)
{
	return name_find(ton_names, 7, s);
}

int route_npi_parse(const char *s)
{
	if (!strcmp(s, "e164"))
		return ROUTE_NPI_ISDN;
	return name_find(npi_names, 10, s);
}

int route_pres_parse(const char *s)
{
	return name_find(pres_names, 3, s);
}

const char *route_ton_name(unsigned ton)
{
	return ton < 7 && ton_names[ton] ? ton_names[ton] : "?";
}

const char *route_npi_name(unsigned npi)
{
	return npi < 10 && npi_names[npi] ? npi_names[npi] : "?";
}

const char *route_pres_name(unsigned pres)
{
	return pres < 3 ? pres_names[pres] : "?";
}

/* --- holder -------------------------------------------------------------- */

struct route_holder {
	struct route_set *cur;
};

static void holder_destroy(void *data)
{
	struct route_holder *h = data;
	mem_deref(h->cur);
}

int route_holder_alloc(struct route_holder **hp)
{
	*hp = mem_zalloc(sizeof(**hp), holder_destroy);
	return *hp ? 0 : ENOMEM;
}

int route_holder_reload(struct route_holder *h, const char *path, struct route_diag *diag)
{
	struct route_set *set = NULL;
	int err = route_set_load(&set, path, diag);

	if (err) {
		LOGE(LC_ROUTE, path, "reload refused (%u errors); keeping the %s rules",
		     diag->errors, h->cur ? "current" : "empty");
		return err;
	}
	/* Signalling runs on one thread (DESIGN §4): a plain swap is enough.
	 * Calls that took a reference keep the old set alive. */
	struct route_set *old = h->cur;
	h->cur = set;
	mem_deref(old);
	LOGN(LC_ROUTE, path, "loaded %u rules, %u warnings", set->n_rules, diag->warnings);
	return 0;
}

struct route_set *route_holder_get(struct route_holder *h)
{
	return mem_ref(h->cur);
}
