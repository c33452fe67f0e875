/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test vectors: [test NAME] sections give a call and what must come of it.
 *
 *   [test uk-mobile]
 *   called 07700900123 national
 *   from trunk carrier-a
 *   expect route group pri-1
 *   expect called +447700900123 international isdn
 *
 * route_vectors_run() decides each vector, compares what the vector
 * expects (only that) and writes a readable diff for each mismatch.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "call/route_int.h"
#include "core/mem.h"

#define ERR(...)                                                                                   \
	do {                                                                                       \
		route_diag_err(diag, v->n.file, line, __VA_ARGS__);                                \
		return EINVAL;                                                                     \
	} while (0)

/* DIGITS [TON] [NPI] */
static int number_words(struct route_number *num, char **w, unsigned n, char *why, size_t wl)
{
	if (n < 1 || n > 3 || route_number_set(num, w[0])) {
		snprintf(why, wl,
			 "expected DIGITS [TON] [NPI] with 1-%d of 0-9 * # (and a "
			 "leading +)",
			 ROUTE_NUM_MAX);
		return EINVAL;
	}
	int t = n > 1 ? route_ton_parse(w[1]) : 0;
	int p = n > 2 ? route_npi_parse(w[2]) : (n > 1 && t == ROUTE_TON_INTERNATIONAL) ? 1 : 0;
	if (t < 0 || p < 0) {
		snprintf(why, wl, "unknown %s '%s'", t < 0 ? "type of number" : "numbering plan",
			 t < 0 ? w[1] : w[2]);
		return EINVAL;
	}
	num->ton = (uint8_t)t;
	num->npi = (uint8_t)p;
	return 0;
}

static int digits_expect(struct route_vector *v, const char *s)
{
	static const char *const names[] = {"incomplete", "complete", "invalid"};
	for (int i = 0; i < 3; i++) {
		if (!strcmp(s, names[i])) {
			v->digits_res = (enum route_digits)i;
			return 0;
		}
	}
	return EINVAL;
}

/* expect route|fallback DEST */
static int expect_dest(struct route_vector *v, char **w, unsigned n, unsigned line,
		       struct route_diag *diag)
{
	struct route_destspec ds;
	char why[256];
	bool fb = w[1][0] == 'f';

	if (fb != (v->n_dest > 0) || v->n_dest == ROUTE_DEST_MAX)
		ERR("'expect fallback' comes after one 'expect route' (at most %d)",
		    ROUTE_DEST_MAX - 1);
	if (route_dest_parse(&ds, w + 2, n - 2, why, sizeof(why)))
		ERR("%s", why);
	struct route_dest *d = &v->dest[v->n_dest++];
	d->kind = ds.kind;
	d->policy = ds.policy;
	snprintf(d->name, sizeof(d->name), "%s", ds.name);
	if (ds.uri)
		snprintf(d->uri, sizeof(d->uri), "%s", ds.uri);
	mem_deref(ds.uri);
	v->expect = RE_ROUTE;
	return 0;
}

static int expect_line(struct route_vector *v, char **w, unsigned n, unsigned line,
		       struct route_diag *diag)
{
	enum route_field f;
	char why[256];
	unsigned c;

	if (n < 2)
		ERR("'expect' needs what to expect");
	if (!route_field_parse(w[1], &f)) {
		if (number_words(&v->num[f], w + 2, n - 2, why, sizeof(why)))
			ERR("%s", why);
		v->num_set[f] = true;
		v->expect_set = true;
		return 0;
	}
	if (!strcmp(w[1], "rule") && n == 3) {
		snprintf(v->rule, sizeof(v->rule), "%s", w[2]);
		v->expect_set = true;
		return 0;
	}
	if (!strcmp(w[1], "presentation") && n == 3) {
		if ((v->pres = route_pres_parse(w[2])) < 0)
			ERR("unknown presentation '%s'", w[2]);
		v->expect_set = true;
		return 0;
	}
	if (v->outcome_set && (v->expect != RE_ROUTE || strcmp(w[1], "fallback")))
		ERR("test '%s' already has an outcome", v->n.name);
	v->expect_set = v->outcome_set = true;
	if (!strcmp(w[1], "nomatch") && n == 2) {
		v->expect = RE_NOMATCH;
	} else if (!strcmp(w[1], "reject") && n == 3) {
		if (route_uint_parse(w[2], 127, &c) || !c)
			ERR("'expect reject' takes a Q.850 cause 1-127");
		v->expect = RE_REJECT;
		v->cause = c;
	} else if (!strcmp(w[1], "digits") && n == 3) {
		if (digits_expect(v, w[2]))
			ERR("'expect digits' takes complete, incomplete or invalid");
		v->expect = RE_DIGITS;
	} else if (!strcmp(w[1], "route") || !strcmp(w[1], "fallback")) {
		return expect_dest(v, w, n, line, diag);
	} else {
		ERR("unknown expectation '%s' (route, fallback, reject, nomatch, rule, "
		    "called, calling, redirecting, presentation, digits)",
		    w[1]);
	}
	return 0;
}

static int from_line(struct route_vector *v, char **w, unsigned n, unsigned line,
		     struct route_diag *diag)
{
	struct route_source s;
	char why[256];

	if (route_source_parse(&s, w + 1, n - 1, why, sizeof(why)))
		ERR("%s", why);
	switch (s.kind) {
	case RS_TRUNK:
		snprintf(v->trunk, sizeof(v->trunk), "%s", s.name);
		break;
	case RS_GROUP:
		snprintf(v->group, sizeof(v->group), "%s", s.name);
		break;
	case RS_SPAN:
		v->ctx.span = s.span;
		break;
	case RS_NET:
		memcpy(v->ctx.addr, s.addr, sizeof(s.addr));
		v->ctx.addr_family = s.family;
		break;
	}
	return 0;
}

int route_vector_line(struct route_set *set, struct route_vector *v, char **w, unsigned n,
		      unsigned line, struct route_diag *diag)
{
	enum route_field f;
	char why[256];
	int p;

	(void)set;
	if (!route_field_parse(w[0], &f)) {
		struct route_number *num = f == RF_CALLED    ? &v->ctx.called
					   : f == RF_CALLING ? &v->ctx.calling
							     : &v->ctx.redirecting;
		if (number_words(num, w + 1, n - 1, why, sizeof(why)))
			ERR("%s", why);
		return 0;
	}
	if (!strcmp(w[0], "expect"))
		return expect_line(v, w, n, line, diag);
	if (!strcmp(w[0], "from"))
		return from_line(v, w, n, line, diag);
	if (!strcmp(w[0], "dir") && n == 2 &&
	    (!strcmp(w[1], "to-pstn") || !strcmp(w[1], "to-sip"))) {
		v->ctx.dir = w[1][3] == 'p' ? ROUTE_DIR_TO_PSTN : ROUTE_DIR_TO_SIP;
		return 0;
	}
	if (!strcmp(w[0], "presentation") && n == 2 && (p = route_pres_parse(w[1])) >= 0) {
		v->ctx.pres = (uint8_t)p;
		return 0;
	}
	if (!strcmp(w[0], "digits") && n == 3) {
		if (!number_valid(w[2], ROUTE_NUM_MAX, 1) || strlen(w[1]) >= ROUTE_NAME_MAX)
			ERR("'digits MAP NUMBER': bad map name or number");
		snprintf(v->digitmap, sizeof(v->digitmap), "%s", w[1]);
		strcpy(v->digits, w[2]);
		return 0;
	}
	if (!strcmp(w[0], "description"))
		return 0;
	ERR("unknown or malformed test line '%s' (called, calling, redirecting, from, dir, "
	    "presentation, digits, expect)",
	    w[0]);
}

/* --- running ------------------------------------------------------------- */

static void num_fmt(const struct route_number *n, char *buf, size_t len)
{
	if (!n->present)
		snprintf(buf, len, "(none)");
	else
		snprintf(buf, len, "%s %s %s", n->digits, route_ton_name(n->ton),
			 route_npi_name(n->npi));
}

static const char *verdict_fmt(const struct route_result *r, unsigned i, char *buf, size_t len)
{
	if (r->verdict == ROUTE_NOMATCH)
		return "nomatch";
	if (r->verdict == ROUTE_REJECT) {
		snprintf(buf, len, "reject %u", r->cause);
		return buf;
	}
	if (i >= r->n_dest)
		return "(nothing)";
	const struct route_dest *d = &r->dest[i];
	static const char *const pol[] = {"ascending", "descending", "round-robin", "least-used"};
	if (d->kind == ROUTE_DEST_GROUP)
		snprintf(buf, len, "group %s policy %s", d->name, pol[d->policy]);
	else if (d->kind == ROUTE_DEST_TRUNK)
		snprintf(buf, len, "trunk %s", d->name);
	else
		snprintf(buf, len, "uri %s", d->uri);
	return buf;
}

static void diff(char **rep, bool *failed, const struct route_vector *v, const char *what,
		 const char *want, const char *got)
{
	if (!strcmp(want, got))
		return;
	if (!*failed)
		route_strcat(rep, "FAIL %s:%u: test '%s'\n", v->n.file, v->n.line, v->n.name);
	*failed = true;
	route_strcat(rep, "  %-12s - expected: %s\n  %-12s + got:      %s\n", what, want, "", got);
}

static void vector_check(const struct route_vector *v, const struct route_result *r, char **rep,
			 bool *failed)
{
	char a[ROUTE_URI_MAX + 64], b[ROUTE_URI_MAX + 64];

	if (v->outcome_set && v->expect != RE_ROUTE) {
		struct route_result want = {.verdict = v->expect == RE_REJECT ? ROUTE_REJECT
									      : ROUTE_NOMATCH,
					    .cause = v->cause};
		diff(rep, failed, v, "outcome", verdict_fmt(&want, 0, a, sizeof(a)),
		     verdict_fmt(r, 0, b, sizeof(b)));
	}
	for (unsigned i = 0; i < v->n_dest || (v->n_dest && i < r->n_dest); i++) {
		struct route_result want = {.verdict = ROUTE_ROUTE, .n_dest = v->n_dest};
		memcpy(want.dest, v->dest, sizeof(want.dest));
		diff(rep, failed, v, i ? "fallback" : "route", verdict_fmt(&want, i, a, sizeof(a)),
		     verdict_fmt(r, i, b, sizeof(b)));
		if (r->verdict != ROUTE_ROUTE)
			break;
	}
	if (v->rule[0])
		diff(rep, failed, v, "rule", v->rule, r->verdict ? r->rule : "(none)");
	const struct route_number *got[RF__COUNT] = {&r->called, &r->calling, &r->redirecting};
	for (int f = 0; f < RF__COUNT; f++) {
		if (!v->num_set[f])
			continue;
		num_fmt(&v->num[f], a, sizeof(a));
		num_fmt(got[f], b, sizeof(b));
		diff(rep, failed, v, route_field_name((enum route_field)f), a, b);
	}
	if (v->pres >= 0)
		diff(rep, failed, v, "presentation", route_pres_name((unsigned)v->pres),
		     route_pres_name(r->pres));
}

static bool vector_run(const struct route_set *set, const struct route_vector *v, char **rep)
{
	static const char *const dn[] = {"incomplete", "complete", "invalid"};
	struct route_result r, lin;
	bool failed = false;
	char *trace = NULL;

	if (v->expect == RE_DIGITS) {
		enum route_digits res = ROUTE_DIGITS_INVALID;
		route_digits_check(set, v->digitmap, v->digits, &res);
		diff(rep, &failed, v, "digits", dn[v->digits_res], dn[res]);
		return !failed;
	}
	route_decide(set, &v->ctx, &r);
	vector_check(v, &r, rep, &failed);
	/* The index must reach the rule a plain scan reaches; a difference
	 * is a bug in the engine, not in the file. */
	route_explain(set, &v->ctx, &lin, &trace);
	mem_deref(trace);
	diff(rep, &failed, v, "index/scan", lin.verdict ? lin.rule : "(none)",
	     r.verdict ? r.rule : "(none)");
	return !failed;
}

unsigned route_vectors_run(const struct route_set *set, char **report, unsigned *total)
{
	unsigned failed = 0;

	*total = set->n_vectors;
	for (unsigned i = 0; i < set->n_vectors; i++)
		if (!vector_run(set, &set->vectors[i], report))
			failed++;
	return failed;
}
