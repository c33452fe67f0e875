/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One line of a [rule NAME] section: a condition, an action, a destination
 * or a rejection (mapping/README.md lists them all).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/route_int.h"
#include "core/mem.h"

#define ERR(...)                                                                                   \
	do {                                                                                       \
		route_diag_err(diag, r->file, line, __VA_ARGS__);                                  \
		return EINVAL;                                                                     \
	} while (0)

void route_rule_free(struct route_rule *r)
{
	for (int f = 0; f < RF__COUNT; f++) {
		pcre2_code_free(r->num[f].re);
		mem_deref(r->num[f].text);
	}
	for (unsigned i = 0; i < r->n_act; i++)
		mem_deref(r->act[i].text);
	for (unsigned i = 0; i < r->n_dest; i++)
		mem_deref(r->dest[i].uri);
}

static int numcond_regex(struct route_numcond *c, const char *src, char *why, size_t wl)
{
	int ec;
	PCRE2_SIZE off;
	uint32_t ncap = 0;

	c->re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
	if (!c->re) {
		PCRE2_UCHAR msg[128];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(why, wl, "bad regex '%s': %s at offset %zu", src, (char *)msg,
			 (size_t)off);
		return EINVAL;
	}
	pcre2_pattern_info(c->re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	if (ncap >= ROUTE_MAX_CAPS) {
		snprintf(why, wl, "regex '%s' has %u capture groups; at most %d", src, ncap,
			 ROUTE_MAX_CAPS - 1);
		return EINVAL;
	}
	/* JIT is an optimisation: where it is unavailable the interpreter runs. */
	pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
	c->kind = RN_REGEX;
	return 0;
}

/* called|calling|redirecting  prefix DIGITS | regex RE | ton TON | npi NPI */
static int numcond_line(struct route_rule *r, enum route_field f, char **w, unsigned n,
			unsigned line, struct route_diag *diag)
{
	struct route_numcond *c = &r->num[f];
	const char *fn = route_field_name(f);
	char why[256];

	if (n != 3)
		ERR("'%s' takes two words: prefix DIGITS, regex RE, ton TON or npi NPI", fn);
	if (!strcmp(w[1], "ton") || !strcmp(w[1], "npi")) {
		bool ton = w[1][0] == 't';
		int v = ton ? route_ton_parse(w[2]) : route_npi_parse(w[2]);
		if (v < 0)
			ERR("unknown %s '%s'", ton ? "type of number" : "numbering plan", w[2]);
		*(ton ? &c->ton : &c->npi) = v;
		return 0;
	}
	if (c->kind != RN_ANY)
		ERR("%s number already has a %s condition", fn,
		    c->kind == RN_PREFIX ? "prefix" : "regex");
	if (!strcmp(w[1], "prefix")) {
		if (strcmp(w[2], "+") && !number_valid(w[2], ROUTE_NUM_MAX, 1))
			ERR("prefix '%s' is not 1-%d of 0-9 * # (and a leading +)", w[2],
			    ROUTE_NUM_MAX);
		c->kind = RN_PREFIX;
	} else if (!strcmp(w[1], "regex")) {
		if (numcond_regex(c, w[2], why, sizeof(why)))
			ERR("%s", why);
	} else {
		ERR("'%s %s': expected prefix, regex, ton or npi", fn, w[1]);
	}
	c->text = mem_strdup(w[2]);
	if (!c->text)
		return ENOMEM;
	c->len = strlen(w[2]);
	return 0;
}

static int net_parse(struct route_source *s, const char *arg, char *why, size_t wl)
{
	char buf[64];
	unsigned plen;

	snprintf(buf, sizeof(buf), "%s", arg);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, s->addr) == 1)
		s->family = 4;
	else if (inet_pton(AF_INET6, buf, s->addr) == 1)
		s->family = 6;
	else {
		snprintf(why, wl, "'%s' is not an IPv4 or IPv6 address", buf);
		return EINVAL;
	}
	unsigned max = s->family == 4 ? 32 : 128;
	plen = max;
	if (slash && route_uint_parse(slash + 1, max, &plen)) {
		snprintf(why, wl, "prefix length '/%s' is not 0-%u", slash + 1, max);
		return EINVAL;
	}
	s->plen = (uint8_t)plen;
	return 0;
}

int route_source_parse(struct route_source *s, char **w, unsigned n, char *why, size_t wl)
{
	memset(s, 0, sizeof(*s));
	if (n != 2) {
		snprintf(why, wl, "'from' takes: trunk NAME, group NAME, span N or net ADDR[/LEN]");
		return EINVAL;
	}
	if (!strcmp(w[0], "trunk") || !strcmp(w[0], "group")) {
		s->kind = w[0][0] == 't' ? RS_TRUNK : RS_GROUP;
		if (strlen(w[1]) >= sizeof(s->name)) {
			snprintf(why, wl, "name '%s' too long", w[1]);
			return EINVAL;
		}
		strcpy(s->name, w[1]);
		return 0;
	}
	if (!strcmp(w[0], "span")) {
		s->kind = RS_SPAN;
		if (route_uint_parse(w[1], 65535, &s->span) || !s->span) {
			snprintf(why, wl, "span '%s' is not 1-65535", w[1]);
			return EINVAL;
		}
		return 0;
	}
	if (!strcmp(w[0], "net")) {
		s->kind = RS_NET;
		return net_parse(s, w[1], why, wl);
	}
	snprintf(why, wl, "unknown source '%s' (trunk, group, span, net)", w[0]);
	return EINVAL;
}

static int policy_parse(const char *s)
{
	static const char *const names[] = {"ascending", "descending", "round-robin", "least-used"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* group NAME [policy P] | trunk NAME | uri TEMPLATE */
int route_dest_parse(struct route_destspec *d, char **w, unsigned n, char *why, size_t wl)
{
	memset(d, 0, sizeof(*d));
	if (n >= 2 && !strcmp(w[0], "group") && (n == 2 || n == 4)) {
		d->kind = ROUTE_DEST_GROUP;
		if (n == 4) {
			int p = strcmp(w[2], "policy") ? -1 : policy_parse(w[3]);
			if (p < 0) {
				snprintf(why, wl,
					 "expected 'policy ascending|descending|"
					 "round-robin|least-used' after the group");
				return EINVAL;
			}
			d->policy = (enum route_policy)p;
		}
	} else if (n == 2 && !strcmp(w[0], "trunk")) {
		d->kind = ROUTE_DEST_TRUNK;
	} else if (n == 2 && !strcmp(w[0], "uri")) {
		d->kind = ROUTE_DEST_URI;
		if (strncmp(w[1], "sip:", 4) && strncmp(w[1], "sips:", 5) &&
		    strncmp(w[1], "tel:", 4)) {
			snprintf(why, wl,
				 "URI template '%s' must start with sip:, sips: or tel:", w[1]);
			return EINVAL;
		}
		if (route_template_check(w[1], true, why, wl))
			return EINVAL;
		d->uri = mem_strdup(w[1]);
		return d->uri ? 0 : ENOMEM;
	} else {
		snprintf(why, wl,
			 "expected 'group NAME [policy P]', 'trunk NAME' or "
			 "'uri TEMPLATE'");
		return EINVAL;
	}
	if (strlen(w[1]) >= sizeof(d->name)) {
		snprintf(why, wl, "name '%s' too long", w[1]);
		return EINVAL;
	}
	strcpy(d->name, w[1]);
	return 0;
}

static int act_add(struct route_rule *r, enum route_actkind k, enum route_field f, int value,
		   const char *text, unsigned line, struct route_diag *diag)
{
	if (r->n_act == ROUTE_MAX_ACTS)
		ERR("more than %d actions in one rule", ROUTE_MAX_ACTS);
	struct route_act *a = &r->act[r->n_act];
	a->kind = k;
	a->field = f;
	a->value = value;
	a->line = line;
	if (text && !(a->text = mem_strdup(text)))
		return ENOMEM;
	r->n_act++;
	return 0;
}

/* rewrite|strip|prepend|set-ton|set-npi|normalise|localise FIELD ARG [ARG] */
static int act_line(struct route_rule *r, char **w, unsigned n, unsigned line,
		    struct route_diag *diag)
{
	enum route_field f;
	char why[256];
	unsigned v;
	int iv;
	static const char *const known[] = {"rewrite", "strip",	    "prepend", "set-ton",
					    "set-npi", "normalise", "localise"};
	unsigned k = 0;

	while (k < 7 && strcmp(w[0], known[k]))
		k++;
	if (k == 7)
		ERR("unknown rule line '%s'", w[0]);
	if (n < 3 || route_field_parse(w[1], &f))
		ERR("'%s' needs a number (called, calling, redirecting) and a value", w[0]);
	if (!strcmp(w[0], "rewrite") && n == 3) {
		if (route_template_check(w[2], false, why, sizeof(why)))
			ERR("%s", why);
		return act_add(r, RA_SET, f, 0, w[2], line, diag);
	}
	if (!strcmp(w[0], "strip") && n == 3) {
		if (route_uint_parse(w[2], ROUTE_NUM_MAX, &v))
			ERR("strip count '%s' is not 0-%d", w[2], ROUTE_NUM_MAX);
		return act_add(r, RA_STRIP, f, (int)v, NULL, line, diag);
	}
	if (!strcmp(w[0], "prepend") && n == 3) {
		if (strcmp(w[2], "+") && !number_valid(w[2], ROUTE_NUM_MAX, 1))
			ERR("prepend '%s' is not digits", w[2]);
		return act_add(r, RA_PREFIX, f, 0, w[2], line, diag);
	}
	if (!strcmp(w[0], "set-ton") && n == 3) {
		if ((iv = route_ton_parse(w[2])) < 0)
			ERR("unknown type of number '%s'", w[2]);
		return act_add(r, RA_TON, f, iv, NULL, line, diag);
	}
	if (!strcmp(w[0], "set-npi") && n == 3) {
		if ((iv = route_npi_parse(w[2])) < 0)
			ERR("unknown numbering plan '%s'", w[2]);
		return act_add(r, RA_NPI, f, iv, NULL, line, diag);
	}
	if (!strcmp(w[0], "normalise") && n == 3)
		return act_add(r, RA_NORMALISE, f, 0, w[2], line, diag);
	if (!strcmp(w[0], "localise") && n == 4) {
		if ((iv = route_ton_parse(w[3])) < 0)
			ERR("unknown type of number '%s'", w[3]);
		return act_add(r, RA_LOCALISE, f, iv, w[2], line, diag);
	}
	ERR("wrong number of words for '%s'", w[0]);
}

static int dest_line(struct route_rule *r, char **w, unsigned n, unsigned line,
		     struct route_diag *diag)
{
	char why[256];
	bool fallback = !strcmp(w[0], "fallback");

	if (r->reject)
		ERR("rule '%s' rejects; it cannot also route", r->name);
	if (!fallback && r->n_dest)
		ERR("rule '%s' has a route already; add 'fallback' lines for more", r->name);
	if (fallback && !r->n_dest)
		ERR("'fallback' before 'route' in rule '%s'", r->name);
	if (r->n_dest == ROUTE_DEST_MAX)
		ERR("more than %d fallbacks", ROUTE_DEST_MAX - 1);
	int err = route_dest_parse(&r->dest[r->n_dest], w + 1, n - 1, why, sizeof(why));
	if (err == EINVAL)
		ERR("%s", why);
	if (!err)
		r->dest[r->n_dest++].line = line;
	return err;
}

int route_rule_line(struct route_set *set, struct route_rule *r, char **w, unsigned n,
		    unsigned line, struct route_diag *diag)
{
	enum route_field f;
	char why[256];
	unsigned v;

	(void)set;
	if (!route_field_parse(w[0], &f))
		return numcond_line(r, f, w, n, line, diag);
	if (!strcmp(w[0], "from")) {
		if (r->n_src == ROUTE_MAX_SOURCES)
			ERR("more than %d 'from' lines", ROUTE_MAX_SOURCES);
		if (route_source_parse(&r->src[r->n_src], w + 1, n - 1, why, sizeof(why)))
			ERR("%s", why);
		r->src[r->n_src++].line = line;
		return 0;
	}
	if (!strcmp(w[0], "dir")) {
		if (n != 2 || (strcmp(w[1], "to-pstn") && strcmp(w[1], "to-sip")))
			ERR("'dir' takes to-pstn or to-sip");
		r->dir = w[1][3] == 'p' ? ROUTE_DIR_TO_PSTN : ROUTE_DIR_TO_SIP;
		return 0;
	}
	if (!strcmp(w[0], "presentation")) {
		if (n != 2 || (r->pres = route_pres_parse(w[1])) < 0)
			ERR("'presentation' takes allowed, restricted or unavailable");
		return 0;
	}
	if (!strcmp(w[0], "set-presentation")) {
		int p = n == 2 ? route_pres_parse(w[1]) : -1;
		if (p < 0)
			ERR("'set-presentation' takes allowed, restricted or unavailable");
		return act_add(r, RA_PRES, RF_CALLING, p, NULL, line, diag);
	}
	if (!strcmp(w[0], "route") || !strcmp(w[0], "fallback"))
		return dest_line(r, w, n, line, diag);
	if (!strcmp(w[0], "reject")) {
		if (n != 2 || route_uint_parse(w[1], 127, &v) || !v)
			ERR("'reject' takes a Q.850 cause 1-127");
		if (r->n_dest)
			ERR("rule '%s' routes; it cannot also reject", r->name);
		r->reject = true;
		r->cause = v;
		return 0;
	}
	if (!strcmp(w[0], "description"))
		return 0;
	return act_line(r, w, n, line, diag);
}
