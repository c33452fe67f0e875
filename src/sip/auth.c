/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Digest computation and header formatting (RFC 7616 §3.4, RFC 2617 §3.2.2).
 *
 *   HA1      = H(username ":" realm ":" password)
 *   HA2      = H(method ":" uri)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" "auth" ":" HA2)   qop=auth
 *   response = H(HA1 ":" nonce ":" HA2)                                no qop
 */
#include "sip/auth.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const alg_names[SIP_AUTH_ALG__COUNT] = {
	[SIP_AUTH_MD5] = "MD5",
	[SIP_AUTH_SHA256] = "SHA-256",
};

const char *sip_auth_alg_name(enum sip_auth_alg alg)
{
	return (unsigned)alg < SIP_AUTH_ALG__COUNT ? alg_names[alg] : "?";
}

/* H(text) in lower-case hex. */
static int hash_hex(enum sip_auth_alg alg, const char *text, size_t len, char out[SIP_AUTH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	const EVP_MD *type = alg == SIP_AUTH_SHA256 ? EVP_sha256() : EVP_md5();
	if (!EVP_Digest(text, len, md, &n, type, NULL) || 2 * n + 1 > SIP_AUTH_HEX)
		return EIO;
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* H of the ':'-joined formatted text; EINVAL if it would not fit. */
static int hash_fmt(enum sip_auth_alg alg, char out[SIP_AUTH_HEX], const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int hash_fmt(enum sip_auth_alg alg, char out[SIP_AUTH_HEX], const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return EINVAL;
	return hash_hex(alg, buf, (size_t)n, out);
}

int sip_auth_digest(const struct sip_auth_input *in, char out[SIP_AUTH_HEX])
{
	if ((unsigned)in->alg >= SIP_AUTH_ALG__COUNT || !in->username || !in->realm ||
	    !in->password || !in->method || !in->uri || !in->nonce ||
	    (in->qop_auth && !in->cnonce))
		return EINVAL;
	char ha1[SIP_AUTH_HEX], ha2[SIP_AUTH_HEX];
	int rc = hash_fmt(in->alg, ha1, "%s:%s:%s", in->username, in->realm, in->password);
	if (!rc)
		rc = hash_fmt(in->alg, ha2, "%s:%s", in->method, in->uri);
	if (rc)
		return rc;
	if (in->qop_auth)
		return hash_fmt(in->alg, out, "%s:%s:%08x:%s:auth:%s", ha1, in->nonce, in->nc,
				in->cnonce, ha2);
	return hash_fmt(in->alg, out, "%s:%s:%s", ha1, in->nonce, ha2);
}

int sip_auth_answer(const struct sip_auth_chal *chal, const char *username,
		    const char *password, const char *method, const char *uri, uint32_t nc,
		    const char *cnonce, struct sip_auth_cred *out)
{
	memset(out, 0, sizeof(*out));
	out->alg = chal->alg;
	out->qop_auth = chal->qop_auth;
	out->nc = nc;
	int w = 0;
	w |= snprintf(out->username, sizeof(out->username), "%s", username) >=
	     (int)sizeof(out->username);
	w |= snprintf(out->uri, sizeof(out->uri), "%s", uri) >= (int)sizeof(out->uri);
	w |= snprintf(out->cnonce, sizeof(out->cnonce), "%s", chal->qop_auth ? cnonce : "") >=
	     (int)sizeof(out->cnonce);
	if (w)
		return EINVAL;
	memcpy(out->realm, chal->realm, sizeof(out->realm));
	memcpy(out->nonce, chal->nonce, sizeof(out->nonce));
	memcpy(out->opaque, chal->opaque, sizeof(out->opaque));
	struct sip_auth_input in = {
		.alg = chal->alg, .username = username, .realm = chal->realm,
		.password = password, .method = method, .uri = uri, .nonce = chal->nonce,
		.cnonce = cnonce, .nc = nc, .qop_auth = chal->qop_auth,
	};
	return sip_auth_digest(&in, out->response);
}

/* --- Formatting -------------------------------------------------------- */

struct fmt {
	char *buf;
	size_t len, n;
	int err;
	bool more; /* a parameter was written: the next needs ", " */
};

static void put(struct fmt *f, const char *s)
{
	size_t k = strlen(s);
	if (f->n + k >= f->len) {
		f->err = ENOSPC;
		return;
	}
	memcpy(f->buf + f->n, s, k + 1);
	f->n += k;
}

/* name="value" with RFC 3261 §25.1 quoted-pair escapes; a CR or LF would
 * let a value forge a header, so it is refused. */
static void put_quoted(struct fmt *f, const char *name, const char *v)
{
	if (strpbrk(v, "\r\n")) {
		f->err = EINVAL;
		return;
	}
	put(f, f->more ? ", " : "");
	f->more = true;
	put(f, name);
	put(f, "=\"");
	for (; *v; v++) {
		char c[3] = { *v, 0, 0 };
		if (*v == '"' || *v == '\\') {
			c[0] = '\\';
			c[1] = *v;
		}
		put(f, c);
	}
	put(f, "\"");
}

static void put_token(struct fmt *f, const char *name, const char *v)
{
	put(f, f->more ? ", " : "");
	f->more = true;
	put(f, name);
	put(f, "=");
	put(f, v);
}

int sip_auth_chal_format(char *buf, size_t len, const struct sip_auth_chal *c)
{
	struct fmt f = { .buf = buf, .len = len };
	put(&f, "Digest ");
	put_quoted(&f, "realm", c->realm);
	put_quoted(&f, "nonce", c->nonce);
	if (c->opaque[0])
		put_quoted(&f, "opaque", c->opaque);
	put_token(&f, "algorithm", sip_auth_alg_name(c->alg));
	if (c->qop_auth)
		put_quoted(&f, "qop", "auth");
	if (c->stale)
		put_token(&f, "stale", "true");
	return f.err;
}

int sip_auth_cred_format(char *buf, size_t len, const struct sip_auth_cred *c)
{
	struct fmt f = { .buf = buf, .len = len };
	put(&f, "Digest ");
	put_quoted(&f, "username", c->username);
	put_quoted(&f, "realm", c->realm);
	put_quoted(&f, "nonce", c->nonce);
	put_quoted(&f, "uri", c->uri);
	put_quoted(&f, "response", c->response);
	put_token(&f, "algorithm", sip_auth_alg_name(c->alg));
	if (c->opaque[0])
		put_quoted(&f, "opaque", c->opaque);
	if (c->qop_auth) {
		char nc[9];
		snprintf(nc, sizeof(nc), "%08x", c->nc);
		put_quoted(&f, "cnonce", c->cnonce);
		put_token(&f, "qop", "auth");
		put_token(&f, "nc", nc);
	}
	return f.err;
}
