/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an INVITE says about the call's numbers, and where a destination URI
 * points (see leg_sip_int.h).  Wire text: every read is bounded by the
 * buffers it was copied into; nothing here trusts a header to be well formed.
 *
 *   called       Request-URI user part, else To's (RFC 3261 §8.1.1.1)
 *   calling      P-Asserted-Identity (RFC 3325 §9.1), else From
 *   presentation Privacy: id / user (RFC 3323 §4.2), or an anonymous From
 *                (RFC 3323 §4.1.1.3): restricted
 *   redirecting  Diversion (RFC 5806 §4), else History-Info (RFC 7044)
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call/leg_sip_int.h"
#include "call/number.h"

#define VAL_MAX 256 /* one header value we look into */
#define VALS	8   /* values of one header we look at */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Past a quoted string starting at p ('"'), honouring \-escapes. */
static const char *skip_quoted(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

static int copy_n(char *out, size_t sz, const char *p, size_t n)
{
	if (n >= sz)
		return ENOSPC;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int leg_sip_uri_of(const char *na, char *out, size_t sz)
{
	const char *p = skip_ws(na);
	if (*p == '"')
		p = skip_quoted(p);
	const char *lt = strchr(p, '<');
	if (lt) {
		const char *gt = strchr(lt, '>');
		if (!gt || gt == lt + 1)
			return ENOENT;
		return copy_n(out, sz, lt + 1, (size_t)(gt - lt - 1));
	}
	/* addr-spec: no URI parameters, so ';' starts the header's (§20.10). */
	p = skip_ws(na);
	size_t n = strcspn(p, "; \t,");
	return n ? copy_n(out, sz, p, n) : ENOENT;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* %XX escapes (RFC 3261 §25.1); a bad escape is kept as it is. */
static void pct_decode(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		int hi, lo;
		if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

int leg_sip_uri_user(const char *uri, char *out, size_t sz)
{
	const char *p;
	size_t n;
	if (!strncasecmp(uri, "tel:", 4)) {
		p = uri + 4; /* RFC 3966: the number, then ;parameters */
		n = strcspn(p, ";?");
	} else {
		if (!strncasecmp(uri, "sip:", 4))
			p = uri + 4;
		else if (!strncasecmp(uri, "sips:", 5))
			p = uri + 5;
		else
			return ENOENT;
		n = strcspn(p, "@?>"); /* an '@' in ?headers is not userinfo's */
		if (p[n] != '@')
			return ENOENT;
		size_t u = strcspn(p, ";:"); /* user params (RFC 4694), password */
		if (u < n)
			n = u;
	}
	if (!n)
		return ENOENT;
	int err = copy_n(out, sz, p, n);
	if (!err)
		pct_decode(out);
	return err;
}

bool leg_sip_uri_anonymous(const char *uri)
{
	char user[64];
	const char *at = strchr(uri, '@');
	if (at && !strncasecmp(at + 1, "anonymous.invalid", 17))
		return true;
	return !leg_sip_uri_user(uri, user, sizeof(user)) && !strcasecmp(user, "anonymous");
}

int leg_sip_party(struct call_party *p, const char *user)
{
	char d[ROUTE_NUM_MAX + 1];
	size_t n = 0;
	for (const char *c = user; *c; c++) {
		if (strchr("-.()", *c))
			continue; /* RFC 3966 §5.1.1 visual separators */
		if (n + 1 >= sizeof(d))
			return EINVAL;
		d[n++] = *c;
	}
	d[n] = '\0';
	if (!number_valid(d, ROUTE_NUM_MAX, 1))
		return EINVAL;
	memset(p, 0, sizeof(*p));
	memcpy(p->digits, d, n + 1);
	p->present = true;
	if (d[0] == '+') { /* E.164 (Q.931 §4.5.10) */
		p->ton = ROUTE_TON_INTERNATIONAL;
		p->npi = ROUTE_NPI_ISDN;
	}
	return 0;
}

bool leg_sip_privacy_hides(const char *value)
{
	const char *p = value;
	while (*p) {
		p = skip_ws(p);
		size_t n = strcspn(p, ";, \t");
		if ((n == 2 && !strncasecmp(p, "id", 2)) || (n == 4 && !strncasecmp(p, "user", 4)))
			return true;
		p += n;
		p += strspn(p, ";, \t");
	}
	return false;
}

/* The values of header `name` in order, a comma-separated list split
 * outside quotes and <> (RFC 3261 §7.3.1).  Returns how many. */
static unsigned hdr_values(const struct sip_msg *msg, const char *name, char v[][VAL_MAX])
{
	unsigned n = 0;
	const char *h;
	for (unsigned i = 0; n < VALS && (h = sip_msg_header(msg, name, i)); i++) {
		const char *p = h;
		while (*p && n < VALS) {
			p = skip_ws(p);
			const char *start = p;
			bool angle = false;
			for (; *p && (angle || *p != ','); p++) {
				if (*p == '"') {
					p = skip_quoted(p) - 1;
				} else if (*p == '<' || *p == '>') {
					angle = *p == '<';
				}
			}
			if (p > start && !copy_n(v[n], VAL_MAX, start, (size_t)(p - start)))
				n++;
			if (*p == ',')
				p++;
		}
	}
	return n;
}

/* The number in a name-addr's URI, or EINVAL. */
static int party_of(struct call_party *p, const char *na)
{
	char uri[VAL_MAX], user[VAL_MAX];
	if (leg_sip_uri_of(na, uri, sizeof(uri)) || leg_sip_uri_user(uri, user, sizeof(user)))
		return EINVAL;
	return leg_sip_party(p, user);
}

static void calling_read(const struct sip_msg *msg, struct call_setup *s)
{
	char v[VALS][VAL_MAX], from[VAL_MAX], uri[VAL_MAX];
	bool hide = false, anon = false, have_from = false;
	const char *h;
	for (unsigned i = 0; (h = sip_msg_header(msg, "Privacy", i)); i++)
		hide |= leg_sip_privacy_hides(h);
	if (sip_msg_from(msg, from, sizeof(from)) && !leg_sip_uri_of(from, uri, sizeof(uri))) {
		have_from = true;
		anon = leg_sip_uri_anonymous(uri); /* RFC 3323 §4.1.1.3: it asks for privacy */
	}
	/* RFC 3325 §9.1: up to one sip/sips and one tel URI; the first number. */
	unsigned n = hdr_values(msg, "P-Asserted-Identity", v);
	bool found = false;
	for (unsigned i = 0; i < n && !found; i++)
		found = !party_of(&s->calling, v[i]);
	if (found)
		s->calling.screen = 1; /* user-provided, verified and passed */
	else if (have_from && !anon)
		party_of(&s->calling, from); /* not screened */
	s->calling.pres = hide || anon ? ROUTE_PRES_RESTRICTED : ROUTE_PRES_ALLOWED;
}

/* Q.931 §4.5.14 (ETSI) reason for redirection from RFC 5806 §4's reason. */
static uint8_t diversion_reason(const char *v)
{
	static const struct {
		const char *name;
		uint8_t q931;
	} map[] = {
	    {"user-busy", 1},	   {"no-answer", 2},	  {"deflection", 4},
	    {"out-of-service", 9}, {"unconditional", 15},
	};
	const char *r = strcasestr(v, ";reason=");
	if (!r)
		return 0;
	r = skip_ws(r + 8);
	if (*r == '"')
		r++;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncasecmp(r, map[i].name, strlen(map[i].name)))
			return map[i].q931;
	return 0;
}

/* RFC 4458 cause= of a retargeted History-Info entry, as a Q.931 reason. */
static uint8_t hi_reason(const char *v)
{
	const char *c = strcasestr(v, "cause=");
	switch (c ? atoi(c + 6) : 0) {
	case 486:
		return 1; /* busy */
	case 408:
		return 2; /* no reply */
	case 480:
	case 487:
		return 4; /* deflection */
	case 302:
		return 15; /* unconditional */
	default:
		return 0;
	}
}

static void redirecting_read(const struct sip_msg *msg, struct call_setup *s)
{
	char v[VALS][VAL_MAX];
	/* RFC 5806 §4: the most recent diversion comes first. */
	unsigned n = hdr_values(msg, "Diversion", v);
	if (n && !party_of(&s->redirecting, v[0])) {
		s->redirect_reason = diversion_reason(v[0]);
		return;
	}
	/* RFC 7044: entries in order; the one before the last was retargeted
	 * away from (best effort: the index tree is not followed). */
	n = hdr_values(msg, "History-Info", v);
	if (n >= 2 && !party_of(&s->redirecting, v[n - 2]))
		s->redirect_reason = hi_reason(v[n - 1]);
}

int leg_sip_setup_read(const struct sip_msg *msg, struct call_setup *s)
{
	char buf[VAL_MAX], uri[VAL_MAX], user[VAL_MAX];
	const char *u = NULL;
	if (sip_msg_ruri(msg, buf, sizeof(buf)) && !leg_sip_uri_user(buf, user, sizeof(user)))
		u = user;
	else if (sip_msg_to(msg, buf, sizeof(buf)) && !leg_sip_uri_of(buf, uri, sizeof(uri)) &&
		 !leg_sip_uri_user(uri, user, sizeof(user)))
		u = user;
	if (!u || leg_sip_party(&s->called, u))
		return EINVAL;
	calling_read(msg, s);
	redirecting_read(msg, s);
	return 0;
}

/* RFC 3261 §25.1 hostname: labels of letters, digits and '-', the last
 * one starting with a letter (so a bad IPv4 literal is not a name). */
static bool is_hostname(const char *h)
{
	const char *last = strrchr(h, '.');
	last = last && last[1] ? last + 1 : h;
	if (!isalpha((unsigned char)*last))
		return false;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && *h != '-' && *h != '.')
			return false;
	return true;
}

/* host (IP literal, [v6], or a host name for RFC 3263) and :port of a sip:
 * URI's hostport.  A host name without a port keeps port 0: SRV decides. */
static int hostport(const char *p, struct leg_sip_target *t, const char **end)
{
	size_t n;
	char tmp[sizeof(t->ip)];
	struct in6_addr a;
	bool name = false;
	if (*p == '[') {
		n = strcspn(++p, "]");
		if (p[n] != ']' || copy_n(tmp, sizeof(tmp), p, n) ||
		    inet_pton(AF_INET6, tmp, &a) != 1)
			return EHOSTUNREACH;
		p += n + 1;
	} else {
		n = strcspn(p, ":;?");
		if (copy_n(tmp, sizeof(tmp), p, n))
			return EHOSTUNREACH;
		name = inet_pton(AF_INET, tmp, &a) != 1;
		if (name && !is_hostname(tmp))
			return EHOSTUNREACH;
		p += n;
	}
	memcpy(t->ip, tmp, sizeof(tmp));
	t->port = 0; /* the default depends on the transport, or on SRV */
	if (*p == ':') {
		char *e;
		unsigned long port = strtoul(p + 1, &e, 10);
		if (e == p + 1 || !port || port > 65535)
			return EHOSTUNREACH;
		t->port = (uint16_t)port;
		p = e;
	}
	*end = p;
	return 0;
}

static bool param_is(const char *v, const char *name)
{
	size_t n = strlen(name);
	return !strncasecmp(v, name, n) && !isalnum((unsigned char)v[n]);
}

int leg_sip_target_parse(const char *uri, struct leg_sip_target *t)
{
	memset(t, 0, sizeof(*t));
	/* sips: is TLS on every hop (RFC 5630 §4.1); tel: needs a gateway. */
	bool sips = !strncasecmp(uri, "sips:", 5);
	if (!sips && strncasecmp(uri, "sip:", 4))
		return EHOSTUNREACH;
	const char *p = uri + (sips ? 5 : 4), *at = strchr(p, '@');
	const char *end;
	if (at)
		p = at + 1;
	int err = hostport(p, t, &end);
	if (err || (*end && *end != ';' && *end != '?'))
		return EHOSTUNREACH;
	t->proto = sips ? SIP_PROTO_TLS : SIP_PROTO_UDP;
	const char *tp = strcasestr(end, ";transport=");
	if (tp) {
		tp += 11;
		if (param_is(tp, "tls") || (sips && param_is(tp, "tcp")))
			t->proto = SIP_PROTO_TLS;
		else if (param_is(tp, "tcp"))
			t->proto = SIP_PROTO_TCP;
		else if (!param_is(tp, "udp") || sips)
			return EHOSTUNREACH;
		t->tp_given = true;
	}
	struct in6_addr a;
	bool literal = inet_pton(AF_INET, t->ip, &a) == 1 || inet_pton(AF_INET6, t->ip, &a) == 1;
	if (!t->port && literal) /* RFC 3261 §19.1.2; a name: SRV decides (RFC 3263) */
		t->port = t->proto == SIP_PROTO_TLS ? 5061 : 5060;
	return 0;
}
