/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP digest authentication (RFC 3261 §22, RFC 7616, RFC 8760).
 *
 * Pure functions and one small server object; no I/O.  The SIP layers call
 * it to challenge requests (401/407), to check credentials, and to answer a
 * peer's challenge.
 *
 * Server nonces are self-validating: base64url(expiry ‖ random ‖ HMAC) under
 * a per-process key, so a forged or altered nonce is refused without any
 * lookup and expired ones are reported stale (the client retries with a new
 * nonce, RFC 7616 §3.3).  Replay protection keeps state only for nonces that
 * already authenticated a request: with qop=auth each nonce-count must be
 * higher than the last; without qop a nonce is good once.  An
 * unauthenticated flood can therefore not fill the table.
 */
#ifndef STROWGER_SIP_AUTH_H
#define STROWGER_SIP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct clk;

enum sip_auth_alg { SIP_AUTH_MD5, SIP_AUTH_SHA256, SIP_AUTH_ALG__COUNT };

#define SIP_AUTH_STR 128
#define SIP_AUTH_URI 256
#define SIP_AUTH_HEX 65 /* SHA-256 in hex, NUL */

/* A challenge: WWW-Authenticate / Proxy-Authenticate. */
struct sip_auth_chal {
	enum sip_auth_alg alg;
	char realm[SIP_AUTH_STR];
	char nonce[SIP_AUTH_STR];
	char opaque[SIP_AUTH_STR];
	bool qop_auth;   /* qop list offers "auth" */
	bool stale;
};

/* Credentials: Authorization / Proxy-Authorization. */
struct sip_auth_cred {
	enum sip_auth_alg alg;
	char username[SIP_AUTH_STR];
	char realm[SIP_AUTH_STR];
	char nonce[SIP_AUTH_STR];
	char uri[SIP_AUTH_URI];
	char response[SIP_AUTH_HEX];
	char cnonce[SIP_AUTH_STR];
	char opaque[SIP_AUTH_STR];
	bool qop_auth;
	uint32_t nc;     /* nonce-count, with qop */
};

const char *sip_auth_alg_name(enum sip_auth_alg alg);   /* "MD5", "SHA-256" */

/* Parse a header value ("Digest realm=..., nonce=..."), bounded by len.
 * EINVAL for anything malformed (unknown scheme, bad syntax, a parameter
 * twice, a value too long, a missing mandatory parameter); ENOTSUP for an
 * algorithm other than MD5 and SHA-256 or a qop without "auth". */
int sip_auth_chal_parse(const char *hdr, size_t len, struct sip_auth_chal *c);
int sip_auth_cred_parse(const char *hdr, size_t len, struct sip_auth_cred *c);
/* Format a header value.  ENOSPC if it does not fit. */
int sip_auth_chal_format(char *buf, size_t len, const struct sip_auth_chal *c);
int sip_auth_cred_format(char *buf, size_t len, const struct sip_auth_cred *c);

/* The request-digest of RFC 7616 §3.4.1 (RFC 2617 §3.2.2 without qop), in
 * lower-case hex.  `cnonce`/`nc` are used only with qop_auth. */
struct sip_auth_input {
	enum sip_auth_alg alg;
	const char *username, *realm, *password;
	const char *method, *uri;
	const char *nonce, *cnonce;
	uint32_t nc;
	bool qop_auth;
};
int sip_auth_digest(const struct sip_auth_input *in, char out[SIP_AUTH_HEX]);

/* Client: credentials answering `chal` for a request.  `cnonce` is the
 * client's nonce (made fresh by the caller for each new server nonce). */
int sip_auth_answer(const struct sip_auth_chal *chal, const char *username,
		    const char *password, const char *method, const char *uri, uint32_t nc,
		    const char *cnonce, struct sip_auth_cred *out);

/* --- Server side --------------------------------------------------------- */

struct sip_auth_srv;

enum sip_auth_verdict {
	SIP_AUTH_OK,
	SIP_AUTH_STALE,     /* expired or forgotten nonce: challenge again, stale=true */
	SIP_AUTH_REPLAY,    /* nonce-count not increasing, or a qop-less nonce reused */
	SIP_AUTH_FORGED,    /* nonce not ours, or realm/opaque/algorithm mismatch */
	SIP_AUTH_DENIED,    /* wrong password or unknown user */
};

const char *sip_auth_verdict_name(enum sip_auth_verdict v);

/* A mem object.  Nonces live `ttl` ns on `clk`; at most `max_used` nonces
 * keep replay state at once (then new ones are refused as stale until old
 * ones expire). */
int sip_auth_srv_alloc(struct sip_auth_srv **sp, struct clk *clk, uint64_t ttl,
		       unsigned max_used);
/* A fresh challenge for `realm`, with qop=auth. */
int sip_auth_srv_challenge(struct sip_auth_srv *s, const char *realm, enum sip_auth_alg alg,
			   bool stale, struct sip_auth_chal *out);
/* Check credentials for a request with `method` against `password` (NULL
 * for an unknown user: DENIED, after the same work so timing does not tell
 * which users exist).  `realm` is the realm this request must be in. */
enum sip_auth_verdict sip_auth_srv_verify(struct sip_auth_srv *s, const struct sip_auth_cred *cred,
					  const char *realm, const char *method,
					  const char *password);
unsigned sip_auth_srv_used_count(const struct sip_auth_srv *s);

#endif
