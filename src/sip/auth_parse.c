/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsing WWW-Authenticate / Authorization values (RFC 3261 §25.1,
 * RFC 7616 §3.3-3.4):
 *
 *   challenge   = "Digest" LWS digest-param *(COMMA digest-param)
 *   digest-param = token EQUAL ( token / quoted-string )
 *
 * Wire data: every read is bounded by the caller's length, values must fit
 * their fields, and a parameter given twice is an error (which of two
 * realms would we believe?).  Unknown parameters are skipped, as the RFC
 * asks, after their syntax is checked.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "sip/auth.h"

struct cursor {
	const char *p, *end;
};

static void skip_lws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

/* RFC 3261 token characters. */
static bool is_token_char(char ch)
{
	return isalnum((unsigned char)ch) || strchr("-.!%*_+`'~", ch) != NULL;
}

static size_t token_len(const struct cursor *c)
{
	size_t n = 0;
	while (c->p + n < c->end && c->p[n] && is_token_char(c->p[n]))
		n++;
	return n;
}

/* A quoted-string into out (unescaped); EINVAL if unterminated or too long. */
static int quoted_take(struct cursor *c, char *out, size_t size)
{
	size_t n = 0;
	c->p++; /* opening quote */
	while (c->p < c->end && *c->p != '"') {
		char ch = *c->p++;
		if (ch == '\\') {
			if (c->p == c->end)
				return EINVAL;
			ch = *c->p++;
		}
		if (ch == '\0' || ch == '\r' || ch == '\n' || n + 1 >= size)
			return EINVAL;
		out[n++] = ch;
	}
	if (c->p == c->end)
		return EINVAL;
	c->p++; /* closing quote */
	out[n] = '\0';
	return 0;
}

/* One name=value; the value unquoted into `val`. */
static int param_take(struct cursor *c, char *name, size_t nsize, char *val, size_t vsize)
{
	size_t n = token_len(c);
	if (n == 0 || n >= nsize)
		return EINVAL;
	memcpy(name, c->p, n);
	name[n] = '\0';
	c->p += n;
	skip_lws(c);
	if (c->p == c->end || *c->p != '=')
		return EINVAL;
	c->p++;
	skip_lws(c);
	if (c->p < c->end && *c->p == '"')
		return quoted_take(c, val, vsize);
	n = token_len(c);
	if (n == 0 || n >= vsize)
		return EINVAL;
	memcpy(val, c->p, n);
	val[n] = '\0';
	c->p += n;
	return 0;
}

typedef int(param_h)(const char *name, const char *val, void *obj, unsigned *seen);

/* "Digest" then comma-separated params, each handed to `h`. */
static int params_walk(const char *hdr, size_t len, param_h *h, void *obj, unsigned *seen)
{
	struct cursor c = { hdr, hdr + len };
	skip_lws(&c);
	size_t n = token_len(&c);
	if (n != 6 || strncasecmp(c.p, "Digest", 6) != 0)
		return EINVAL;
	c.p += n;
	for (bool first = true;; first = false) {
		skip_lws(&c);
		if (c.p == c.end)
			return first ? EINVAL : 0;
		if (!first) {
			if (*c.p != ',')
				return EINVAL;
			c.p++;
			skip_lws(&c);
		}
		char name[32], val[SIP_AUTH_URI];
		int rc = param_take(&c, name, sizeof(name), val, sizeof(val));
		if (!rc)
			rc = h(name, val, obj, seen);
		if (rc)
			return rc;
	}
}

/* Each known parameter has a bit, so repeats are caught. */
enum {
	P_REALM = 1 << 0, P_NONCE = 1 << 1, P_OPAQUE = 1 << 2, P_ALG = 1 << 3,
	P_QOP = 1 << 4, P_STALE = 1 << 5, P_USER = 1 << 6, P_URI = 1 << 7,
	P_RESP = 1 << 8, P_CNONCE = 1 << 9, P_NC = 1 << 10,
};

static int once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return EINVAL;
	*seen |= bit;
	return 0;
}

static int copy(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);
	if (n >= size)
		return EINVAL;
	memcpy(dst, v, n + 1);
	return 0;
}

static int alg_parse(const char *v, enum sip_auth_alg *alg)
{
	if (strcasecmp(v, "MD5") == 0)
		*alg = SIP_AUTH_MD5;
	else if (strcasecmp(v, "SHA-256") == 0)
		*alg = SIP_AUTH_SHA256;
	else
		return ENOTSUP; /* -sess variants, SHA-512-256: not offered */
	return 0;
}

/* A qop list ("auth,auth-int") offers auth if one element is "auth". */
static bool qop_has_auth(const char *v)
{
	for (const char *p = v; *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		size_t n = strcspn(p, ", \t");
		if (n == 4 && strncasecmp(p, "auth", 4) == 0)
			return true;
		p += n;
	}
	return false;
}

/* String parameters, by name: where each goes and its bit. */
struct str_param {
	const char *name;
	unsigned bit;
	size_t off, size;
};

#define CHAL_STR(n, b) { #n, b, offsetof(struct sip_auth_chal, n), \
			 sizeof(((struct sip_auth_chal *)0)->n) }
#define CRED_STR(n, b) { #n, b, offsetof(struct sip_auth_cred, n), \
			 sizeof(((struct sip_auth_cred *)0)->n) }

static const struct str_param chal_strs[] = {
	CHAL_STR(realm, P_REALM), CHAL_STR(nonce, P_NONCE), CHAL_STR(opaque, P_OPAQUE),
	{ NULL, 0, 0, 0 },
};

static const struct str_param cred_strs[] = {
	CRED_STR(username, P_USER), CRED_STR(realm, P_REALM), CRED_STR(nonce, P_NONCE),
	CRED_STR(uri, P_URI), CRED_STR(response, P_RESP), CRED_STR(cnonce, P_CNONCE),
	CRED_STR(opaque, P_OPAQUE), { NULL, 0, 0, 0 },
};

/* 1 if `name` is a string parameter (stored, or *rc set), 0 if not. */
static int str_param_take(const struct str_param *t, const char *name, const char *v, void *obj,
			  unsigned *seen, int *rc)
{
	for (; t->name; t++) {
		if (strcasecmp(name, t->name) != 0)
			continue;
		*rc = once(seen, t->bit);
		if (!*rc)
			*rc = copy((char *)obj + t->off, t->size, v);
		return 1;
	}
	return 0;
}

static int chal_param(const char *name, const char *v, void *obj, unsigned *seen)
{
	struct sip_auth_chal *c = obj;
	int rc = 0;
	if (str_param_take(chal_strs, name, v, obj, seen, &rc))
		return rc;
	if (!strcasecmp(name, "algorithm"))
		rc = once(seen, P_ALG) ? EINVAL : alg_parse(v, &c->alg);
	else if (!strcasecmp(name, "qop")) {
		c->qop_auth = qop_has_auth(v);
		rc = once(seen, P_QOP) ? EINVAL : c->qop_auth ? 0 : ENOTSUP;
	} else if (!strcasecmp(name, "stale")) {
		c->stale = strcasecmp(v, "true") == 0;
		rc = once(seen, P_STALE);
	}
	return rc; /* domain, charset, userhash, extensions: ignored */
}

int sip_auth_chal_parse(const char *hdr, size_t len, struct sip_auth_chal *c)
{
	memset(c, 0, sizeof(*c));
	unsigned seen = 0;
	int rc = params_walk(hdr, len, chal_param, c, &seen);
	if (!rc && (seen & (P_REALM | P_NONCE)) != (P_REALM | P_NONCE))
		rc = EINVAL;
	return rc;
}

static int nc_parse(const char *v, uint32_t *nc)
{
	if (strlen(v) != 8 || strspn(v, "0123456789abcdefABCDEF") != 8)
		return EINVAL;
	*nc = 0;
	for (int i = 0; i < 8; i++)
		*nc = *nc << 4 | (uint32_t)(isdigit((unsigned char)v[i]) ? v[i] - '0'
								  : (tolower(v[i]) - 'a' + 10));
	return 0;
}

static int cred_param(const char *name, const char *v, void *obj, unsigned *seen)
{
	struct sip_auth_cred *c = obj;
	int rc = 0;
	if (str_param_take(cred_strs, name, v, obj, seen, &rc))
		return rc;
	if (!strcasecmp(name, "algorithm"))
		rc = once(seen, P_ALG) ? EINVAL : alg_parse(v, &c->alg);
	else if (!strcasecmp(name, "nc"))
		rc = once(seen, P_NC) ? EINVAL : nc_parse(v, &c->nc);
	else if (!strcasecmp(name, "qop")) {
		c->qop_auth = true;
		rc = once(seen, P_QOP) ? EINVAL : strcasecmp(v, "auth") ? ENOTSUP : 0;
	}
	return rc;
}

/* The response must be hex of the algorithm's length. */
static bool response_ok(const struct sip_auth_cred *c)
{
	size_t want = c->alg == SIP_AUTH_SHA256 ? 64 : 32;
	return strlen(c->response) == want && strspn(c->response, "0123456789abcdefABCDEF") == want;
}

int sip_auth_cred_parse(const char *hdr, size_t len, struct sip_auth_cred *c)
{
	memset(c, 0, sizeof(*c));
	unsigned seen = 0;
	int rc = params_walk(hdr, len, cred_param, c, &seen);
	if (rc)
		return rc;
	unsigned need = P_USER | P_REALM | P_NONCE | P_URI | P_RESP;
	if (c->qop_auth)
		need |= P_CNONCE | P_NC; /* RFC 7616 §3.4: both go with qop */
	if ((seen & need) != need || !response_ok(c))
		return EINVAL;
	return 0;
}
