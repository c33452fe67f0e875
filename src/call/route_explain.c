/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Explaining a decision, and digit maps.
 *
 * route_explain() tries every rule in file order, the way the format is
 * defined, and says for each why it did or did not match; route_decide()
 * must reach the same rule through the prefix index (the vectors check it).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/route_int.h"
#include "core/mem.h"

int route_strcat(char **s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return EINVAL;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	size_t old = *s ? strlen(*s) : 0;
	char *t = mem_zalloc(old + (size_t)n + 1, NULL);
	if (!t)
		return ENOMEM;
	if (*s)
		memcpy(t, *s, old);
	memcpy(t + old, buf, (size_t)n);
	mem_deref(*s);
	*s = t;
	return 0;
}

static void num_line(char **s, const char *what, const struct route_number *n)
{
	if (n->present)
		route_strcat(s, "  %-12s %s (%s, %s)\n", what, n->digits, route_ton_name(n->ton),
			     route_npi_name(n->npi));
}

static void result_lines(char **s, const struct route_result *r)
{
	static const char *const pol[] = {"ascending", "descending", "round-robin", "least-used"};
	switch (r->verdict) {
	case ROUTE_NOMATCH:
		route_strcat(s, "result: no rule matched\n");
		return;
	case ROUTE_REJECT:
		route_strcat(s, "result: reject with Q.850 cause %u (rule %s)\n", r->cause,
			     r->rule);
		break;
	case ROUTE_ROUTE:
		route_strcat(s, "result: route (rule %s)\n", r->rule);
		for (unsigned i = 0; i < r->n_dest; i++) {
			const struct route_dest *d = &r->dest[i];
			const char *what = i ? "fallback" : "destination";
			if (d->kind == ROUTE_DEST_GROUP)
				route_strcat(s, "  %-12s group %s, policy %s\n", what, d->name,
					     pol[d->policy]);
			else if (d->kind == ROUTE_DEST_TRUNK)
				route_strcat(s, "  %-12s trunk %s\n", what, d->name);
			else
				route_strcat(s, "  %-12s %s\n", what, d->uri);
		}
		break;
	}
	num_line(s, "called", &r->called);
	num_line(s, "calling", &r->calling);
	num_line(s, "redirecting", &r->redirecting);
	route_strcat(s, "  %-12s %s\n", "presentation", route_pres_name(r->pres));
}

void route_result_format(const struct route_result *r, char *buf, size_t len)
{
	char *s = NULL;
	result_lines(&s, r);
	snprintf(buf, len, "%s", s ? s : "");
	mem_deref(s);
}

void route_explain(const struct route_set *set, const struct route_ctx *call,
		   struct route_result *out, char **trace)
{
	struct route_match m;
	struct route_ctx ctx;
	const struct route_ctx *in = &ctx;
	char why[512];

	route_ctx_sanitise(&ctx, call);
	route_result_init(out, in);
	route_match_init(&m, set);
	for (unsigned i = 0; i < set->n_rules; i++) {
		const struct route_rule *r = &set->rules[i];
		if (route_rule_try(r, in, &m, why, sizeof(why))) {
			route_strcat(trace, "rule %-24s %s:%u  MATCH\n", r->name, r->file, r->line);
			route_rule_apply(r, in, &m, out);
			break;
		}
		route_strcat(trace, "rule %-24s %s:%u  no: %s\n", r->name, r->file, r->line, why);
	}
	route_match_fini(&m);
	result_lines(trace, out);
}

/* A number is complete when some pattern matches all of it, and worth
 * waiting for while some pattern could still match it once more digits
 * come (PCRE2 hard partial matching). */
int route_digits_check(const struct route_set *set, const char *name, const char *digits,
		       enum route_digits *res)
{
	const struct route_digitmap *map = route_set_find_map(set, name);
	if (!map)
		return ENOENT;
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		return ENOMEM;
	size_t len = strnlen(digits, ROUTE_NUM_MAX + 1);
	bool partial = false;

	*res = ROUTE_DIGITS_INVALID;
	for (unsigned i = 0; i < map->n_re; i++) {
		int rc = pcre2_match(map->re[i], (PCRE2_SPTR)digits, len, 0, 0, md, set->mctx);
		if (rc >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			if (ov[0] == 0 && ov[1] == len) {
				*res = ROUTE_DIGITS_COMPLETE;
				break;
			}
		}
		rc = pcre2_match(map->re[i], (PCRE2_SPTR)digits, len, 0, PCRE2_PARTIAL_HARD, md,
				 set->mctx);
		if (rc == PCRE2_ERROR_PARTIAL)
			partial = true;
	}
	if (*res != ROUTE_DIGITS_COMPLETE && partial)
		*res = ROUTE_DIGITS_INCOMPLETE;
	pcre2_match_data_free(md);
	return 0;
}

/* "trunk:NAME", "group:NAME", "span:N", "addr:IP", or a bare trunk name. */
static int ctx_from(struct route_ctx *ctx, const char *s)
{
	const char *colon = strchr(s, ':');
	const char *v = colon ? colon + 1 : s;
	size_t k = colon ? (size_t)(colon - s) : 0;

	if (!colon || (k == 5 && !strncmp(s, "trunk", 5))) {
		ctx->trunk = v;
		return 0;
	}
	if (k == 5 && !strncmp(s, "group", 5)) {
		ctx->group = v;
		return 0;
	}
	if (k == 4 && !strncmp(s, "span", 4)) {
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		if (*end || !n || n > 65535)
			return EINVAL;
		ctx->span = (unsigned)n;
		return 0;
	}
	if (k == 4 && !strncmp(s, "addr", 4))
		return route_ctx_set_addr(ctx, v);
	return EINVAL;
}

static int ctx_ton(struct route_number *n, const char *value)
{
	int v = route_ton_parse(value);
	if (v < 0)
		return EINVAL;
	n->ton = (uint8_t)v;
	return 0;
}

int route_ctx_option(struct route_ctx *ctx, const char *name, const char *value)
{
	if (!strcmp(name, "called"))
		return route_number_set(&ctx->called, value);
	if (!strcmp(name, "calling"))
		return route_number_set(&ctx->calling, value);
	if (!strcmp(name, "redirecting"))
		return route_number_set(&ctx->redirecting, value);
	if (!strcmp(name, "called-ton"))
		return ctx_ton(&ctx->called, value);
	if (!strcmp(name, "calling-ton"))
		return ctx_ton(&ctx->calling, value);
	if (!strcmp(name, "from"))
		return ctx_from(ctx, value);
	if (!strcmp(name, "presentation")) {
		int v = route_pres_parse(value);
		if (v < 0)
			return EINVAL;
		ctx->pres = (uint8_t)v;
		return 0;
	}
	if (!strcmp(name, "dir")) {
		if (strcmp(value, "to-pstn") && strcmp(value, "to-sip"))
			return EINVAL;
		ctx->dir = value[3] == 'p' ? ROUTE_DIR_TO_PSTN : ROUTE_DIR_TO_SIP;
		return 0;
	}
	return ENOENT;
}
