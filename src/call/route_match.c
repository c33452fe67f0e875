/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Matching and rewriting: one rule against one call context.
 *
 * A rule matches when every condition it has holds (conditions it does not
 * have match anything).  The first rule in file order that matches wins;
 * route_decide() asks only the rules the prefix index offers, in file
 * order, so it reaches the same rule as trying them all (route_explain).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "call/route_int.h"
#include "core/log.h"

static const char *const field_names[RF__COUNT] = {"called", "calling", "redirecting"};

static const struct route_number *ctx_num(const struct route_ctx *in, enum route_field f)
{
	return f == RF_CALLED ? &in->called : f == RF_CALLING ? &in->calling : &in->redirecting;
}

static struct route_number *res_num(struct route_result *out, enum route_field f)
{
	return f == RF_CALLED ? &out->called : f == RF_CALLING ? &out->calling : &out->redirecting;
}

void route_match_init(struct route_match *m, const struct route_set *set)
{
	m->md = NULL;
	m->mctx = set->mctx;
	memset(m->ncap, 0, sizeof(m->ncap));
}

void route_match_fini(struct route_match *m)
{
	pcre2_match_data_free(m->md);
	m->md = NULL;
}

#define WHY(...)                                                                                   \
	do {                                                                                       \
		if (why)                                                                           \
			snprintf(why, whylen, __VA_ARGS__);                                        \
		return false;                                                                      \
	} while (0)

static bool numcond_try(const struct route_numcond *c, enum route_field f,
			const struct route_number *n, struct route_match *m, char *why,
			size_t whylen)
{
	const char *fn = field_names[f];

	m->ncap[f] = 0;
	m->src[f] = n->digits;
	if (c->kind == RN_ANY && c->ton < 0 && c->npi < 0)
		return true;
	if (!n->present)
		WHY("no %s number", fn);
	if (c->ton >= 0 && n->ton != c->ton)
		WHY("%s type of number is %s, rule wants %s", fn, route_ton_name(n->ton),
		    route_ton_name((unsigned)c->ton));
	if (c->npi >= 0 && n->npi != c->npi)
		WHY("%s numbering plan is %s, rule wants %s", fn, route_npi_name(n->npi),
		    route_npi_name((unsigned)c->npi));
	size_t len = strlen(n->digits);
	if (c->kind == RN_PREFIX) {
		if (len < c->len || memcmp(n->digits, c->text, c->len))
			WHY("%s %s does not start with %s", fn, n->digits, c->text);
		/* $0 the whole number, $1 what follows the prefix. */
		m->ov[f][0] = 0;
		m->ov[f][1] = len;
		m->ov[f][2] = c->len;
		m->ov[f][3] = len;
		m->ncap[f] = 2;
	} else if (c->kind == RN_REGEX) {
		if (!m->md && !(m->md = pcre2_match_data_create(ROUTE_MAX_CAPS, NULL)))
			WHY("out of memory");
		int rc = pcre2_match(c->re, (PCRE2_SPTR)n->digits, len, 0, 0, m->md, m->mctx);
		if (rc < 0)
			WHY("%s %s does not match /%s/", fn, n->digits, c->text);
		if (rc == 0 || rc > ROUTE_MAX_CAPS)
			rc = ROUTE_MAX_CAPS;
		memcpy(m->ov[f], pcre2_get_ovector_pointer(m->md),
		       2 * (size_t)rc * sizeof(PCRE2_SIZE));
		m->ncap[f] = (unsigned)rc;
	}
	return true;
}

bool route_addr_in(const struct route_source *s, const struct route_ctx *in)
{
	if (s->family != in->addr_family)
		return false;
	unsigned full = s->plen / 8, rest = s->plen % 8;
	if (memcmp(s->addr, in->addr, full))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (s->addr[full] & mask) == (in->addr[full] & mask);
}

static bool source_try(const struct route_source *s, const struct route_ctx *in)
{
	switch (s->kind) {
	case RS_TRUNK:
		return in->trunk && !strcmp(in->trunk, s->name);
	case RS_GROUP:
		return in->group && !strcmp(in->group, s->name);
	case RS_SPAN:
		return in->span == s->span;
	case RS_NET:
		return route_addr_in(s, in);
	}
	return false;
}

static const char *ctx_source_name(const struct route_ctx *in, char *buf, size_t len)
{
	if (in->trunk)
		snprintf(buf, len, "trunk %s", in->trunk);
	else if (in->group)
		snprintf(buf, len, "group %s, span %u", in->group, in->span);
	else if (in->span)
		snprintf(buf, len, "span %u", in->span);
	else if (in->addr_family)
		snprintf(buf, len, "an address");
	else
		snprintf(buf, len, "nowhere");
	return buf;
}

static const char *dir_name(enum route_dir d)
{
	return d == ROUTE_DIR_TO_PSTN ? "to-pstn" : d == ROUTE_DIR_TO_SIP ? "to-sip" : "any";
}

bool route_rule_try(const struct route_rule *r, const struct route_ctx *in, struct route_match *m,
		    char *why, size_t whylen)
{
	if (r->dir != ROUTE_DIR_ANY && r->dir != in->dir)
		WHY("direction is %s, rule wants %s", dir_name(in->dir), dir_name(r->dir));
	if (r->n_src) {
		unsigned i = 0;
		while (i < r->n_src && !source_try(&r->src[i], in))
			i++;
		if (i == r->n_src) {
			char b[96];
			WHY("call comes from %s, not a source of the rule",
			    ctx_source_name(in, b, sizeof(b)));
		}
	}
	if (r->pres >= 0 && in->pres != r->pres)
		WHY("presentation is %s, rule wants %s", route_pres_name(in->pres),
		    route_pres_name((unsigned)r->pres));
	for (int f = 0; f < RF__COUNT; f++)
		if (!numcond_try(&r->num[f], (enum route_field)f, ctx_num(in, (enum route_field)f),
				 m, why, whylen))
			return false;
	return true;
}

/* --- templates ----------------------------------------------------------- */

/* `$N`, `${N}` (captures of the number being rewritten, or of the called
 * number in a URI), `${field.N}` (captures of another number) and
 * `${field}` (a number as it is now). */
static int tmpl_ref(const char **pp, int dflt, int *field, int *cap)
{
	const char *p = *pp + 1;
	*field = dflt;
	*cap = -1;
	if (*p >= '0' && *p <= '9') {
		*cap = *p - '0';
		*pp = p + 1;
		return 0;
	}
	if (*p != '{')
		return -1;
	const char *end = strchr(p, '}');
	if (!end)
		return -1;
	p++;
	size_t n = (size_t)(end - p);
	int f;
	for (f = 0; f < RF__COUNT; f++) {
		size_t fl = strlen(field_names[f]);
		if (n >= fl && !strncmp(p, field_names[f], fl) && (n == fl || p[fl] == '.'))
			break;
	}
	if (f < RF__COUNT) {
		*field = f;
		p += strlen(field_names[f]);
		if (p == end) {
			*pp = end + 1;
			return 0; /* the whole current number */
		}
		p++;
	}
	if (end - p != 1 || *p < '0' || *p > '9')
		return -1;
	*cap = *p - '0';
	*pp = end + 1;
	return 0;
}

int route_template_check(const char *t, bool uri, char *why, size_t whylen)
{
	for (const char *p = t; *p;) {
		int f, cap;
		if (*p == '$') {
			if (tmpl_ref(&p, RF_CALLED, &f, &cap) < 0) {
				snprintf(why, whylen,
					 "bad reference in template '%s' "
					 "(use $N, ${N}, ${called}, ${calling.N})",
					 t);
				return -1;
			}
			continue;
		}
		bool ok = uri ? (*p > ' ' && *p < 0x7f && *p != '"' && *p != '<' && *p != '>')
			      : ((*p >= '0' && *p <= '9') || *p == '*' || *p == '#' ||
				 (*p == '+' && p == t));
		if (!ok) {
			snprintf(why, whylen, "character '%c' not allowed in %s template '%s'", *p,
				 uri ? "URI" : "number", t);
			return -1;
		}
		p++;
	}
	return 0;
}

static unsigned numcond_caps(const struct route_numcond *c)
{
	uint32_t n = 0;

	if (c->kind == RN_PREFIX)
		return 2; /* $0 and $1 */
	if (c->kind == RN_REGEX)
		pcre2_pattern_info(c->re, PCRE2_INFO_CAPTURECOUNT, &n);
	return c->kind == RN_REGEX ? n + 1 : 0;
}

int route_template_caps(const struct route_rule *r, const char *t, int dflt, char *why,
			size_t whylen)
{
	for (const char *p = t; *p;) {
		int f, cap;
		if (*p != '$' || tmpl_ref(&p, dflt, &f, &cap) < 0) {
			p++;
			continue;
		}
		if (cap >= 0 && (unsigned)cap >= numcond_caps(&r->num[f])) {
			snprintf(why, whylen, "'%s': the %s number has no capture $%d (%s)", t,
				 route_field_name((enum route_field)f), cap,
				 r->num[f].kind == RN_ANY ? "no prefix or regex condition"
							  : "not enough groups");
			return EINVAL;
		}
	}
	return 0;
}

/* Expand into out; false if it does not fit. */
static bool tmpl_expand(const char *t, int dflt, const struct route_match *m,
			const struct route_result *res, char *out, size_t outsz)
{
	size_t n = 0;

	for (const char *p = t; *p;) {
		const char *s = p;
		size_t sl = 1;
		int f, cap;
		if (*p == '$' && tmpl_ref(&p, dflt, &f, &cap) == 0) {
			struct route_number *cur = res_num((struct route_result *)res, f);
			if (cap < 0) {
				s = cur->digits;
				sl = strlen(s);
			} else if ((unsigned)cap < m->ncap[f] && m->ov[f][2 * cap] != PCRE2_UNSET) {
				s = NULL; /* captures index the original number */
				sl = m->ov[f][2 * cap + 1] - m->ov[f][2 * cap];
			} else {
				sl = 0;
			}
			if (n + sl >= outsz)
				return false;
			if (!s)
				memcpy(out + n, m->src[f] + m->ov[f][2 * cap], sl);
			else
				memcpy(out + n, s, sl);
			n += sl;
			continue;
		}
		if (n + 1 >= outsz)
			return false;
		out[n++] = *p++;
	}
	out[n] = '\0';
	return true;
}

/* --- rewriting ----------------------------------------------------------- */

void route_result_init(struct route_result *out, const struct route_ctx *in)
{
	memset(out, 0, sizeof(*out));
	out->called = in->called;
	out->calling = in->calling;
	out->redirecting = in->redirecting;
	out->pres = in->pres;
}

static bool act_apply(const struct route_act *a, const struct route_match *m,
		      struct route_result *out)
{
	struct route_number *n = res_num(out, a->field);
	char buf[ROUTE_NUM_MAX + 1];
	size_t len = strlen(n->digits);

	switch (a->kind) {
	case RA_SET:
		if (!tmpl_expand(a->text, (int)a->field, m, out, buf, sizeof(buf)) ||
		    (buf[0] && !number_valid(buf, ROUTE_NUM_MAX, 1)))
			return false;
		strcpy(n->digits, buf);
		n->present = true;
		break;
	case RA_STRIP: {
		size_t k = (size_t)a->value < len ? (size_t)a->value : len;
		memmove(n->digits, n->digits + k, len + 1 - k);
		break;
	}
	case RA_PREFIX:
		if (len + strlen(a->text) > ROUTE_NUM_MAX)
			return false;
		if (n->digits[0] == '+')
			return false; /* "+" must stay in front */
		memmove(n->digits + strlen(a->text), n->digits, len + 1);
		memcpy(n->digits, a->text, strlen(a->text));
		break;
	case RA_TON:
		n->ton = (uint8_t)a->value;
		break;
	case RA_NPI:
		n->npi = (uint8_t)a->value;
		break;
	case RA_PRES:
		out->pres = (uint8_t)a->value;
		break;
	case RA_NORMALISE:
		/* A number that cannot be normalised (no known prefix) is left
		 * as it is: the next rule or the far end decides. */
		if (n->present && !number_to_e164(a->plan, n->digits, n->ton, buf, sizeof(buf))) {
			strcpy(n->digits, buf);
			n->ton = ROUTE_TON_INTERNATIONAL;
			n->npi = ROUTE_NPI_ISDN;
		}
		break;
	case RA_LOCALISE:
		if (n->present &&
		    !number_from_e164(a->plan, n->digits, (unsigned)a->value, buf, sizeof(buf))) {
			strcpy(n->digits, buf);
			n->ton = (uint8_t)a->value;
			n->npi = ROUTE_NPI_ISDN;
		}
		break;
	}
	return true;
}

void route_rule_apply(const struct route_rule *r, const struct route_ctx *in,
		      const struct route_match *m, struct route_result *out)
{
	(void)in;
	snprintf(out->rule, sizeof(out->rule), "%s", r->name);
	for (unsigned i = 0; i < r->n_act; i++) {
		if (!act_apply(&r->act[i], m, out)) {
			/* Q.850 cause 28 (invalid number format): the rewritten
			 * number would not fit, or is not a number. */
			LOGW(LC_ROUTE, r->name,
			     "rewritten number too long or malformed; rejecting");
			out->verdict = ROUTE_REJECT;
			out->cause = 28;
			return;
		}
	}
	if (r->reject) {
		out->verdict = ROUTE_REJECT;
		out->cause = r->cause;
		return;
	}
	out->verdict = ROUTE_ROUTE;
	for (unsigned i = 0; i < r->n_dest; i++) {
		struct route_dest *d = &out->dest[out->n_dest];
		const struct route_destspec *s = &r->dest[i];
		d->kind = s->kind;
		d->policy = s->policy;
		snprintf(d->name, sizeof(d->name), "%s", s->name);
		if (s->kind == ROUTE_DEST_URI &&
		    !tmpl_expand(s->uri, RF_CALLED, m, out, d->uri, sizeof(d->uri))) {
			LOGW(LC_ROUTE, r->name, "URI template too long; skipping it");
			continue;
		}
		out->n_dest++;
	}
	if (!out->n_dest) {
		out->verdict = ROUTE_REJECT;
		out->cause = 3; /* Q.850: no route to destination */
	}
}

/* --- deciding ------------------------------------------------------------ */

void route_ctx_sanitise(struct route_ctx *out, const struct route_ctx *in)
{
	*out = *in;
	out->called.digits[ROUTE_NUM_MAX] = '\0';
	out->calling.digits[ROUTE_NUM_MAX] = '\0';
	out->redirecting.digits[ROUTE_NUM_MAX] = '\0';
}

void route_decide(const struct route_set *set, const struct route_ctx *call,
		  struct route_result *out)
{
	struct route_cands c;
	struct route_match m;
	struct route_ctx ctx;
	const struct route_ctx *in = &ctx;
	unsigned pos[ROUTE_NUM_MAX + 2] = {0};

	route_ctx_sanitise(&ctx, call);
	route_result_init(out, in);
	route_match_init(&m, set);
	route_trie_lookup(set->trie, in->called.present ? in->called.digits : "", &c);
	c.list[c.n] = set->unindexed;
	c.len[c.n++] = set->n_unindexed;
	/* Merge the sorted id lists: rules are tried in file order. */
	for (;;) {
		unsigned best = UINT32_MAX, bl = 0;
		for (unsigned l = 0; l < c.n; l++) {
			if (pos[l] < c.len[l] && c.list[l][pos[l]] < best) {
				best = c.list[l][pos[l]];
				bl = l;
			}
		}
		if (best == UINT32_MAX)
			break;
		pos[bl]++;
		const struct route_rule *r = &set->rules[best];
		if (route_rule_try(r, in, &m, NULL, 0)) {
			route_rule_apply(r, in, &m, out);
			break;
		}
	}
	route_match_fini(&m);
}
