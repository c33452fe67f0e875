/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server side of digest authentication: nonces and verification
 * (RFC 7616 §3.3, §5.4-5.5 on replay).
 *
 * nonce = base64url( expiry[8] ‖ random[8] ‖ HMAC-SHA-256(key, expiry ‖
 *                    random ‖ algorithm ‖ realm)[0..15] )          43 chars
 *
 * The key is random per process.  The HMAC binds a nonce to its realm and
 * algorithm, so one issued for another realm, or replayed with a downgraded
 * algorithm, is refused as forged.  Replay state (the highest nonce-count)
 * is kept only for nonces that authenticated a request.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/list.h"
#include "core/mem.h"
#include "sip/auth.h"

#define RAW_LEN 32
#define NONCE_LEN 43 /* base64url of 32 bytes, no padding */

struct used {
	struct hash_le he;
	struct le le;          /* oldest first */
	char nonce[NONCE_LEN + 1];
	uint64_t expiry;
	uint32_t nc;           /* highest seen; qop-less nonces are spent */
};

struct sip_auth_srv {
	struct clk *clk;
	uint64_t ttl;
	unsigned max_used;
	unsigned char key[32];
	struct hash *used;
	struct le used_list;
};

static const char *const verdict_names[] = {
	[SIP_AUTH_OK] = "ok", [SIP_AUTH_STALE] = "stale", [SIP_AUTH_REPLAY] = "replay",
	[SIP_AUTH_FORGED] = "forged", [SIP_AUTH_DENIED] = "denied",
};

const char *sip_auth_verdict_name(enum sip_auth_verdict v)
{
	return (unsigned)v <= SIP_AUTH_DENIED ? verdict_names[v] : "?";
}

static void used_free(struct sip_auth_srv *s, struct used *u)
{
	hash_remove(s->used, &u->he);
	list_unlink(&u->le);
	free(u);
}

static void srv_destroy(void *data)
{
	struct sip_auth_srv *s = data;
	struct le *e, *n;
	list_for_each_safe(&s->used_list, e, n)
		used_free(s, container_of(e, struct used, le));
	mem_deref(s->used);
	mem_deref(s->clk);
	OPENSSL_cleanse(s->key, sizeof(s->key));
}

int sip_auth_srv_alloc(struct sip_auth_srv **sp, struct clk *clk, uint64_t ttl,
		       unsigned max_used)
{
	struct sip_auth_srv *s = mem_zalloc(sizeof(*s), srv_destroy);
	if (!s)
		return ENOMEM;
	list_init(&s->used_list);
	s->clk = mem_ref(clk);
	s->ttl = ttl;
	s->max_used = max_used;
	int rc = RAND_bytes(s->key, sizeof(s->key)) == 1 ? 0 : EIO;
	if (!rc)
		rc = hash_alloc(&s->used, max_used / 2);
	if (rc) {
		mem_deref(s);
		return rc;
	}
	*sp = s;
	return 0;
}

static void mac(const struct sip_auth_srv *s, const unsigned char *head, enum sip_auth_alg alg,
		const char *realm, unsigned char out[16])
{
	unsigned char buf[16 + 1 + SIP_AUTH_STR];
	size_t rlen = strnlen(realm, SIP_AUTH_STR - 1);
	memcpy(buf, head, 16);
	buf[16] = (unsigned char)alg;
	memcpy(buf + 17, realm, rlen);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	HMAC(EVP_sha256(), s->key, sizeof(s->key), buf, 17 + rlen, md, &n);
	memcpy(out, md, 16);
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void b64_encode(const unsigned char *in, size_t n, char *out)
{
	unsigned bits = 0, acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		for (bits += 8; bits >= 6; bits -= 6)
			*out++ = b64url[acc >> (bits - 6) & 63];
	}
	if (bits)
		*out++ = b64url[acc << (6 - bits) & 63];
	*out = '\0';
}

/* Exactly NONCE_LEN characters of the alphabet, or EINVAL. */
static int b64_decode(const char *in, unsigned char out[RAW_LEN])
{
	if (strlen(in) != NONCE_LEN)
		return EINVAL;
	unsigned bits = 0, acc = 0;
	size_t n = 0;
	for (size_t i = 0; i < NONCE_LEN; i++) {
		const char *p = strchr(b64url, in[i]);
		if (!p || !in[i])
			return EINVAL;
		acc = acc << 6 | (unsigned)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < RAW_LEN)
				out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* The 2 spare bits must be zero: otherwise one nonce would have four
	 * spellings, and each would get fresh replay state. */
	if (n != RAW_LEN || (acc & ((1u << bits) - 1)) != 0)
		return EINVAL;
	return 0;
}

int sip_auth_srv_challenge(struct sip_auth_srv *s, const char *realm, enum sip_auth_alg alg,
			   bool stale, struct sip_auth_chal *out)
{
	memset(out, 0, sizeof(*out));
	if (strlen(realm) >= sizeof(out->realm) || (unsigned)alg >= SIP_AUTH_ALG__COUNT)
		return EINVAL;
	unsigned char raw[RAW_LEN];
	uint64_t expiry = clk_now(s->clk) + s->ttl;
	for (int i = 0; i < 8; i++)
		raw[i] = (unsigned char)(expiry >> (56 - 8 * i));
	if (RAND_bytes(raw + 8, 8) != 1)
		return EIO;
	mac(s, raw, alg, realm, raw + 16);
	b64_encode(raw, RAW_LEN, out->nonce);
	strcpy(out->realm, realm);
	out->alg = alg;
	out->qop_auth = true;
	out->stale = stale;
	return 0;
}

/* Ours, for this realm and algorithm?  Then its expiry. */
static enum sip_auth_verdict nonce_check(const struct sip_auth_srv *s,
					 const struct sip_auth_cred *c, uint64_t *expiry)
{
	unsigned char raw[RAW_LEN], want[16];
	if (b64_decode(c->nonce, raw))
		return SIP_AUTH_FORGED;
	mac(s, raw, c->alg, c->realm, want);
	if (CRYPTO_memcmp(want, raw + 16, 16) != 0)
		return SIP_AUTH_FORGED;
	*expiry = 0;
	for (int i = 0; i < 8; i++)
		*expiry = *expiry << 8 | raw[i];
	return clk_now(s->clk) >= *expiry ? SIP_AUTH_STALE : SIP_AUTH_OK;
}

static struct used *used_find(const struct sip_auth_srv *s, const char *nonce, uint32_t key)
{
	struct le *e;
	list_for_each(hash_bucket(s->used, key), e) {
		struct used *u = container_of(e, struct used, he.le);
		if (u->he.key == key && strcmp(u->nonce, nonce) == 0)
			return u;
	}
	return NULL;
}

static void used_expire(struct sip_auth_srv *s)
{
	uint64_t now = clk_now(s->clk);
	struct le *e, *n;
	list_for_each_safe(&s->used_list, e, n) {
		struct used *u = container_of(e, struct used, le);
		if (u->expiry <= now)
			used_free(s, u);
	}
}

/* Record this use; REPLAY if the nonce-count does not increase. */
static enum sip_auth_verdict replay_check(struct sip_auth_srv *s, const struct sip_auth_cred *c,
					  uint64_t expiry)
{
	uint32_t key = hash_fnv(c->nonce, strlen(c->nonce), HASH_SEED);
	struct used *u = used_find(s, c->nonce, key);
	if (u) {
		if (!c->qop_auth || c->nc <= u->nc)
			return SIP_AUTH_REPLAY;
		u->nc = c->nc;
		return SIP_AUTH_OK;
	}
	if (hash_count(s->used) >= s->max_used)
		used_expire(s);
	if (hash_count(s->used) >= s->max_used)
		return SIP_AUTH_STALE; /* full of live nonces: ask for a new one */
	u = calloc(1, sizeof(*u));
	if (!u)
		return SIP_AUTH_STALE;
	strcpy(u->nonce, c->nonce);
	u->expiry = expiry;
	u->nc = c->nc;
	hash_insert(s->used, &u->he, key);
	list_append(&s->used_list, &u->le);
	return SIP_AUTH_OK;
}

enum sip_auth_verdict sip_auth_srv_verify(struct sip_auth_srv *s, const struct sip_auth_cred *cred,
					  const char *realm, const char *method,
					  const char *password)
{
	if (strcmp(cred->realm, realm) != 0)
		return SIP_AUTH_FORGED;
	uint64_t expiry = 0;
	enum sip_auth_verdict v = nonce_check(s, cred, &expiry);
	if (v != SIP_AUTH_OK)
		return v;
	struct sip_auth_input in = {
		.alg = cred->alg, .username = cred->username, .realm = cred->realm,
		/* An unknown user costs the same digest as a known one. */
		.password = password ? password : "\x01unknown-user\x01",
		.method = method, .uri = cred->uri, .nonce = cred->nonce,
		.cnonce = cred->cnonce, .nc = cred->nc, .qop_auth = cred->qop_auth,
	};
	char want[SIP_AUTH_HEX], got[SIP_AUTH_HEX];
	size_t n = strlen(cred->response);
	if (n >= sizeof(got) || sip_auth_digest(&in, want))
		return SIP_AUTH_DENIED;
	for (size_t i = 0; i <= n; i++) /* hex case does not matter */
		got[i] = (char)(cred->response[i] | (cred->response[i] >= 'A' ? 0x20 : 0));
	if (!password || strlen(want) != n || CRYPTO_memcmp(want, got, n) != 0)
		return SIP_AUTH_DENIED;
	return replay_check(s, cred, expiry);
}

unsigned sip_auth_srv_used_count(const struct sip_auth_srv *s)
{
	return hash_count(s->used);
}
