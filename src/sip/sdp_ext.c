/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/sdp_ext: the media attributes the SDP layer reads for the media
 * layer but does not answer itself: SDES keys (a=crypto, RFC 4568 §9.1)
 * and T.38 fax over UDPTL (ITU-T T.38 Annex D; the SDP form is RFC 4612's
 * registration of image/t38).  Each is parsed strictly into structures
 * (sdp.h); a malformed one marks its stream unusable with a reason in
 * sip_sdp_media.bad rather than failing the whole SDP, so the other
 * streams are still answered and the offending one gets port 0.
 *
 *   a=crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<mki>:<len>]
 *            [;inline:...] [<session params>]
 *   a=T38FaxVersion:<n>  a=T38MaxBitRate:<bit/s>  a=T38FaxRateManagement:
 *   localTCF|transferredTCF  a=T38FaxMaxBuffer:<n>  a=T38FaxMaxDatagram:<n>
 *   a=T38FaxUdpEC:t38UDPNoEC|t38UDPRedundancy|t38UDPFEC
 *   a=T38FaxFillBitRemoval  a=T38FaxTranscodingMMR  a=T38FaxTranscodingJBIG
 *
 * a=crypto is read on any stream (some peers offer "best effort" keys on
 * RTP/AVP), but its errors only count on a secure profile (RTP/SAVP,
 * RTP/SAVPF): such a stream is unusable when none of its a=crypto lines
 * is (RFC 4568 §7.1.2: the answerer picks one it can use).  T.38 attributes are
 * read on image streams only; their names are compared without case, as
 * fax equipment spells them variously (T38FaxUdpEC, T38FaxUDPEC).
 * Attributes this file does not know are ignored (RFC 4566 §5.13).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip/sdp_int.h"

/* --- helpers ---------------------------------------------------------------- */

static void bad(struct sip_sdp_media *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct sip_sdp_media *m, const char *fmt, ...)
{
	va_list ap;
	if (m->bad[0])
		return; /* the first reason is the one worth reading */
	va_start(ap, fmt);
	vsnprintf(m->bad, sizeof(m->bad), fmt, ap);
	va_end(ap);
}

/* All of s[0..n) digits, 1..max_digits of them, value ≤ max: *out. */
static bool num_parse(const char *s, size_t n, unsigned max_digits, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > max_digits)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool is_secure(const struct sip_sdp_media *m)
{
	return !strcmp(m->proto, "RTP/SAVP") || !strcmp(m->proto, "RTP/SAVPF");
}

/* --- a=crypto (RFC 4568 §9.1, §6.1 for SRTP) --------------------------------- */

/* Master key||salt lengths in bytes of the suites we know (RFC 4568 §6.2,
 * RFC 6188 for AES-192/256, RFC 7714 §12 for AEAD); 0: unknown suite,
 * whose key is checked for base64 only. */
static unsigned suite_key_len(const char *suite)
{
	static const struct {
		const char *name;
		unsigned len;
	} suites[] = {
		{"AES_CM_128_HMAC_SHA1_80", 30}, {"AES_CM_128_HMAC_SHA1_32", 30},
		{"F8_128_HMAC_SHA1_80", 30},	 {"AES_192_CM_HMAC_SHA1_80", 38},
		{"AES_192_CM_HMAC_SHA1_32", 38}, {"AES_256_CM_HMAC_SHA1_80", 46},
		{"AES_256_CM_HMAC_SHA1_32", 46}, {"AEAD_AES_128_GCM", 28},
		{"AEAD_AES_256_GCM", 44},
	};
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (!strcmp(suite, suites[i].name))
			return suites[i].len;
	return 0;
}

/* Bytes a base64 text (RFC 4648 §4, padding optional) decodes to, or -1. */
static int base64_len(const char *s, size_t n)
{
	size_t pad = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (c == '=' && i + 2 >= n && n % 4 == 0)
			pad++;
		else if (pad || !(alnum || c == '+' || c == '/'))
			return -1;
	}
	size_t data = n - pad;
	if (data % 4 == 1)
		return -1;
	return (int)(data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0));
}

/* One key-param "inline:<key>[|lifetime][|mki:len]" into c (the first
 * only; later ones are checked too, RFC 4568 §6.1 allows several). */
static const char *key_param(struct sip_sdp_crypto *c, const char *kp, size_t n, bool first)
{
	if (n < 7 || strncmp(kp, "inline:", 7))
		return "key method is not inline";
	kp += 7;
	n -= 7;
	const char *bar = memchr(kp, '|', n);
	size_t klen = bar ? (size_t)(bar - kp) : n;
	int bytes = base64_len(kp, klen);
	unsigned want = suite_key_len(c->suite);
	if (bytes <= 0)
		return "key is not base64";
	if (want && (unsigned)bytes != want)
		return "key length does not fit the suite";
	if (klen >= sizeof(c->key))
		return "key too long";
	uint64_t life = 0, mki = 0, mki_len = 0;
	while (bar) {
		const char *f = bar + 1;
		size_t left = n - (size_t)(f - kp);
		bar = memchr(f, '|', left);
		size_t fl = bar ? (size_t)(bar - f) : left;
		const char *colon = memchr(f, ':', fl);
		if (colon) { /* MKI:length, length 1..128 bytes (§6.1) */
			size_t ml = (size_t)(colon - f);
			if (mki_len || !num_parse(f, ml, 10, UINT32_MAX, &mki) ||
			    !num_parse(colon + 1, fl - ml - 1, 3, 128, &mki_len) || !mki_len)
				return "bad MKI";
		} else { /* lifetime: 2^n or a number (§6.1), once, before the MKI */
			bool pow = fl > 2 && !strncmp(f, "2^", 2);
			uint64_t v;
			if (life || mki_len ||
			    !num_parse(f + (pow ? 2 : 0), fl - (pow ? 2 : 0), 19,
				       pow ? 63 : UINT64_MAX / 2, &v) ||
			    (v == 0 && !pow))
				return "bad lifetime";
			life = pow ? (uint64_t)1 << v : v;
		}
	}
	if (first) {
		memcpy(c->key, kp, klen);
		c->key[klen] = '\0';
		c->lifetime = life;
		c->mki = (uint32_t)mki;
		c->mki_len = (unsigned)mki_len;
	}
	return NULL;
}

/* Session parameters (RFC 4568 §6.3): the known ones checked; an unknown
 * one makes the line unusable (§6.3: it cannot be ignored safely). */
static const char *session_param(const char *p, size_t n)
{
	static const char *const flags[] = {"UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP",
					    "UNAUTHENTICATED_SRTP"};
	uint64_t v;
	for (size_t i = 0; i < 3; i++)
		if (n == strlen(flags[i]) && !strncmp(p, flags[i], n))
			return NULL;
	if (n > 4 && !strncmp(p, "KDR=", 4))
		return num_parse(p + 4, n - 4, 2, 24, &v) ? NULL : "bad KDR"; /* §6.3.1 */
	if (n > 4 && !strncmp(p, "WSH=", 4))
		return num_parse(p + 4, n - 4, 10, UINT32_MAX, &v) && v >= 64 ? NULL : "bad WSH";
	if ((n == 18 && !strncmp(p, "FEC_ORDER=FEC_SRTP", 18)) ||
	    (n == 18 && !strncmp(p, "FEC_ORDER=SRTP_FEC", 18)))
		return NULL;
	if (n > 8 && !strncmp(p, "FEC_KEY=", 8))
		return NULL; /* key params of their own; not used by us */
	return "unknown session parameter";
}

static const char *crypto_parse(struct sip_sdp_crypto *c, const char *v)
{
	uint64_t tag;
	size_t n = strcspn(v, " ");
	memset(c, 0, sizeof(*c));
	if (!num_parse(v, n, 9, 999999999, &tag)) /* tag: 1*9DIGIT */
		return "bad tag";
	c->tag = (uint32_t)tag;
	v += n;
	if (*v++ != ' ')
		return "no crypto-suite";
	n = strcspn(v, " ");
	if (!n || n >= sizeof(c->suite) || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						 "abcdefghijklmnopqrstuvwxyz0123456789_") < n)
		return "bad crypto-suite";
	memcpy(c->suite, v, n);
	c->suite[n] = '\0';
	c->known = suite_key_len(c->suite) != 0;
	v += n;
	if (*v++ != ' ')
		return "no key-params";
	n = strcspn(v, " ");
	for (const char *kp = v, *end = v + n; kp < end;) {
		const char *semi = memchr(kp, ';', (size_t)(end - kp));
		size_t kl = semi ? (size_t)(semi - kp) : (size_t)(end - kp);
		const char *why = key_param(c, kp, kl, kp == v);
		if (why)
			return why;
		kp += kl + 1;
		c->n_keys++;
	}
	v += n;
	while (*v == ' ') {
		v++;
		n = strcspn(v, " ");
		const char *why = n ? session_param(v, n) : "empty session parameter";
		if (why)
			return why;
		size_t have = strlen(c->params);
		if (have + n + 2 > sizeof(c->params))
			return "session parameters too long";
		snprintf(c->params + have, sizeof(c->params) - have, "%s%.*s", have ? " " : "",
			 (int)n, v);
		v += n;
	}
	return *v ? "trailing text" : NULL;
}

static void crypto_attr(struct sip_sdp_media *m, const char *v)
{
	struct sip_sdp_crypto c;
	const char *why = v ? crypto_parse(&c, v) : "no value";
	for (unsigned i = 0; !why && i < m->n_crypto; i++)
		if (m->crypto[i].tag == c.tag)
			why = "tag used twice"; /* §9.1: unique per media */
	if (why) {
		m->crypto_errors++;
		if (!m->crypto_why[0])
			snprintf(m->crypto_why, sizeof(m->crypto_why), "a=crypto: %s", why);
		return;
	}
	if (m->n_crypto < SDP_MAX_CRYPTO)
		m->crypto[m->n_crypto++] = c;
}

/* --- T.38 (ITU-T T.38 Annex D.2.3, RFC 4612) --------------------------------- */

static bool t38_num(struct sip_sdp_media *m, const char *name, const char *v, uint64_t lo,
		    uint64_t hi, unsigned *out)
{
	uint64_t x;
	if (!v || !num_parse(v, strlen(v), 10, hi, &x) || x < lo) {
		bad(m, "a=%s: not a number in %llu..%llu", name, (unsigned long long)lo,
		    (unsigned long long)hi);
		return false;
	}
	*out = (unsigned)x;
	return true;
}

/* A flag attribute: no value, or 0/1 (both spellings are met). */
static void t38_flag(struct sip_sdp_media *m, const char *name, const char *v, bool *out)
{
	if (v && strcmp(v, "0") && strcmp(v, "1")) {
		bad(m, "a=%s: flag with value '%s'", name, v);
		return;
	}
	*out = !v || !strcmp(v, "1");
}

static bool t38_attr(struct sip_sdp_media *m, const char *f, const char *v)
{
	struct sip_sdp_t38 *t = &m->t38;
	static const char *const names[] = {
		"T38FaxVersion",	"T38MaxBitRate",	 "T38FaxRateManagement",
		"T38FaxMaxBuffer",	"T38FaxMaxDatagram",	 "T38FaxUdpEC",
		"T38FaxFillBitRemoval", "T38FaxTranscodingMMR", "T38FaxTranscodingJBIG",
	};
	unsigned i;
	for (i = 0; i < 9 && strcasecmp(f, names[i]); i++)
		;
	if (i == 9)
		return strncasecmp(f, "T38", 3) == 0; /* other T38* (vendor info): ignored */
	if (t->seen & (1u << i)) {
		bad(m, "a=%s given twice", names[i]);
		return true;
	}
	t->seen |= 1u << i;
	switch (i) {
	case 0:
		t38_num(m, names[i], v, 0, 3, &t->version); /* T.38 (2010): versions 0-3 */
		break;
	case 1: /* V.17 to V.34 rates: multiples of 2400 up to 33600 */
		if (t38_num(m, names[i], v, 2400, 33600, &t->max_bitrate) && t->max_bitrate % 2400) {
			bad(m, "a=T38MaxBitRate: %u is not a fax rate", t->max_bitrate);
			t->max_bitrate = 0; /* the structure holds only valid values */
		}
		break;
	case 2:
		if (v && !strcasecmp(v, "localTCF"))
			t->rate_mgmt = SIP_T38_LOCAL_TCF;
		else if (v && !strcasecmp(v, "transferredTCF"))
			t->rate_mgmt = SIP_T38_TRANSFERRED_TCF;
		else
			bad(m, "a=T38FaxRateManagement: not localTCF or transferredTCF");
		break;
	case 3:
		t38_num(m, names[i], v, 1, INT32_MAX, &t->max_buffer);
		break;
	case 4: /* a UDP payload: at most 65507 bytes over IPv4 */
		t38_num(m, names[i], v, 1, 65507, &t->max_datagram);
		break;
	case 5:
		if (v && !strcasecmp(v, "t38UDPNoEC"))
			t->udp_ec = SIP_T38_EC_NONE;
		else if (v && !strcasecmp(v, "t38UDPRedundancy"))
			t->udp_ec = SIP_T38_EC_REDUNDANCY;
		else if (v && !strcasecmp(v, "t38UDPFEC"))
			t->udp_ec = SIP_T38_EC_FEC;
		else
			bad(m, "a=T38FaxUdpEC: not t38UDPNoEC, t38UDPRedundancy or t38UDPFEC");
		break;
	case 6:
		t38_flag(m, names[i], v, &t->fill_bit_removal);
		break;
	case 7:
		t38_flag(m, names[i], v, &t->transcoding_mmr);
		break;
	default:
		t38_flag(m, names[i], v, &t->transcoding_jbig);
		break;
	}
	return true;
}

/* --- entry points (sdp_int.h) --------------------------------------------------- */

bool sip_sdp_ext_attr(struct sip_sdp_media *m, const char *f, const char *v)
{
	if (!strcmp(f, "crypto")) {
		crypto_attr(m, v);
		return true;
	}
	if (!strcmp(m->type, "image"))
		return t38_attr(m, f, v);
	return false;
}

void sip_sdp_ext_finish(struct sip_sdp_media *m)
{
	if (!strcmp(m->type, "image")) {
		/* m=image <port> udptl t38 (T.38 Annex D.2.2; proto case as met) */
		m->t38.present = !strcasecmp(m->proto, "udptl") && !strcmp(m->fmt_text, "t38");
		if (!m->t38.present && m->t38.seen)
			bad(m, "T.38 attributes on an image stream that is not udptl t38");
	}
	if (!is_secure(m))
		return; /* keys on plain RTP are advisory: their errors do not count */
	if (m->crypto_errors && !m->n_crypto)
		bad(m, "%s", m->crypto_why);
	else if (!m->n_crypto)
		bad(m, "%s without a=crypto (RFC 4568 §5)", m->proto);
}
