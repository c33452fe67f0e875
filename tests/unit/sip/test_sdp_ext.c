/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/sdp_ext: a=crypto (RFC 4568) and T.38 (T.38 Annex D) read into
 * structures, strictly: what is read, and what makes a stream unusable.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/sdp.h"

static const struct sip_sdp_caps caps = {
    .addr = "192.0.2.10",
    .port = 30000,
    .ptime = 20,
    .dtmf_pt = 101,
    .dir = SIP_SDP_SENDRECV,
    .session_id = 7,
    .version = 1,
};
static char out[2048];
static struct sip_sdp o;

#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
/* 30 bytes of key||salt (AES_CM_128): 40 base64 characters */
#define KEY30 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
/* 46 bytes (AES_256_CM): 64 characters, the last two padding */
#define KEY46 "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZA=="

static const struct sip_sdp_media *parse1(const char *media)
{
	char text[1024];
	snprintf(text, sizeof(text), HEAD "%s", media);
	cr_assert_eq(sip_sdp_parse(&o, text), 0, "%s", text);
	return &o.m[0];
}

/* The reason a SAVP stream with this one a=crypto value is unusable. */
static const char *crypto_bad(const char *value)
{
	char m[512];
	snprintf(m, sizeof(m), "m=audio 4000 RTP/SAVP 8\r\na=crypto:%s\r\n", value);
	return parse1(m)->bad;
}

Test(sdp_ext, crypto_fields)
{
	const struct sip_sdp_media *m = parse1(
	    "m=audio 4000 RTP/SAVP 8\r\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "|2^20|1:4;inline:" KEY30
	    " KDR=1 UNENCRYPTED_SRTCP\r\n"
	    "a=crypto:2 AES_256_CM_HMAC_SHA1_32 inline:" KEY46 "|1048576\r\n"
	    "a=crypto:3 FANCY_NEW_SUITE inline:QUJD\r\n");
	cr_assert_str_eq(m->bad, "");
	cr_assert_eq(m->n_crypto, 3, "%u errors: %s", m->crypto_errors, m->crypto_why);
	const struct sip_sdp_crypto *c = &m->crypto[0];
	cr_assert_eq(c->tag, 1);
	cr_assert_str_eq(c->suite, "AES_CM_128_HMAC_SHA1_80");
	cr_assert(c->known);
	cr_assert_str_eq(c->key, KEY30);
	cr_assert_eq(c->lifetime, 1u << 20);
	cr_assert_eq(c->mki, 1);
	cr_assert_eq(c->mki_len, 4);
	cr_assert_eq(c->n_keys, 2);
	cr_assert_str_eq(c->params, "KDR=1 UNENCRYPTED_SRTCP");
	cr_assert_eq(m->crypto[1].lifetime, 1048576);
	cr_assert_eq(m->crypto[1].mki_len, 0);
	cr_assert(!m->crypto[2].known, "an unknown suite is kept, flagged");
}

Test(sdp_ext, crypto_errors)
{
	cr_assert_str_eq(crypto_bad("x AES_CM_128_HMAC_SHA1_80 inline:" KEY30), "a=crypto: bad tag");
	cr_assert_str_eq(crypto_bad("1234567890 AES_CM_128_HMAC_SHA1_80 inline:" KEY30),
			 "a=crypto: bad tag");
	cr_assert_str_eq(crypto_bad("1"), "a=crypto: no crypto-suite");
	cr_assert_str_eq(crypto_bad("1 AES-CM inline:" KEY30), "a=crypto: bad crypto-suite");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80"), "a=crypto: no key-params");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 uri:http://k"),
			 "a=crypto: key method is not inline");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:QUJD"),
			 "a=crypto: key length does not fit the suite");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "*"),
			 "a=crypto: key is not base64");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "|0"),
			 "a=crypto: bad lifetime");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "|2^64"),
			 "a=crypto: bad lifetime");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "|1:129"),
			 "a=crypto: bad MKI");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "|1:4|2^20"),
			 "a=crypto: bad lifetime", "lifetime after MKI");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 " KDR=25"),
			 "a=crypto: bad KDR");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 " WSH=8"),
			 "a=crypto: bad WSH");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 " FOO"),
			 "a=crypto: unknown session parameter");
	cr_assert_str_eq(crypto_bad("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 ";inline:QQ"),
			 "a=crypto: key length does not fit the suite", "every key is checked");
}

/* One good line is enough (the answerer picks one, RFC 4568 §7.1.2); a
 * duplicate tag is an error; no a=crypto at all on SAVP is unusable; on
 * RTP/AVP a=crypto errors do not count. */
Test(sdp_ext, crypto_stream_usability)
{
	const struct sip_sdp_media *m =
	    parse1("m=audio 4000 RTP/SAVP 8\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:QUJD\r\n"
		   "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "\r\n"
		   "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" KEY30 "\r\n");
	cr_assert_str_eq(m->bad, "");
	cr_assert_eq(m->n_crypto, 1);
	cr_assert_eq(m->crypto_errors, 2);
	cr_assert_eq(m->crypto[0].tag, 2);
	m = parse1("m=audio 4000 RTP/SAVP 8\r\n");
	cr_assert_str_eq(m->bad, "RTP/SAVP without a=crypto (RFC 4568 §5)");
	m = parse1("m=audio 4000 RTP/AVP 8\r\na=crypto:1 junk\r\n");
	cr_assert_str_eq(m->bad, "");
	cr_assert_eq(sip_sdp_answer(&o, &caps, out, sizeof(out), NULL), 0);
}

Test(sdp_ext, t38_fields)
{
	const struct sip_sdp_media *m = parse1(
	    "m=image 5000 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n"
	    "a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:262\r\n"
	    "a=T38FaxMaxDatagram:176\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n"
	    "a=T38FaxFillBitRemoval\r\na=T38FaxTranscodingMMR:0\r\na=T38VendorInfo:0 0 0\r\n");
	cr_assert_str_eq(m->bad, "");
	cr_assert(m->t38.present);
	cr_assert_eq(m->t38.version, 0);
	cr_assert_eq(m->t38.max_bitrate, 14400);
	cr_assert_eq(m->t38.rate_mgmt, SIP_T38_TRANSFERRED_TCF);
	cr_assert_eq(m->t38.max_buffer, 262);
	cr_assert_eq(m->t38.max_datagram, 176);
	cr_assert_eq(m->t38.udp_ec, SIP_T38_EC_REDUNDANCY);
	cr_assert(m->t38.fill_bit_removal);
	cr_assert(!m->t38.transcoding_mmr);
	cr_assert(!m->t38.transcoding_jbig);
	/* spelled otherwise by some gear */
	m = parse1("m=image 5000 UDPTL t38\r\na=t38faxudpec:T38UDPFEC\r\n"
		   "a=T38FaxRateManagement:localTCF\r\n");
	cr_assert_str_eq(m->bad, "");
	cr_assert(m->t38.present);
	cr_assert_eq(m->t38.udp_ec, SIP_T38_EC_FEC);
	cr_assert_eq(m->t38.rate_mgmt, SIP_T38_LOCAL_TCF);
}

static const char *t38_bad(const char *attr)
{
	char m[256];
	snprintf(m, sizeof(m), "m=image 5000 udptl t38\r\n%s\r\n", attr);
	return parse1(m)->bad;
}

Test(sdp_ext, t38_errors)
{
	cr_assert_str_eq(t38_bad("a=T38FaxVersion:4"), "a=T38FaxVersion: not a number in 0..3");
	cr_assert_str_eq(t38_bad("a=T38FaxVersion:-1"), "a=T38FaxVersion: not a number in 0..3");
	cr_assert_str_eq(t38_bad("a=T38FaxVersion"), "a=T38FaxVersion: not a number in 0..3");
	cr_assert_str_eq(t38_bad("a=T38MaxBitRate:14401"), "a=T38MaxBitRate: 14401 is not a fax rate");
	cr_assert_str_eq(t38_bad("a=T38MaxBitRate:99999999999"),
			 "a=T38MaxBitRate: not a number in 2400..33600");
	cr_assert_str_eq(t38_bad("a=T38FaxRateManagement:sometimes"),
			 "a=T38FaxRateManagement: not localTCF or transferredTCF");
	cr_assert_str_eq(t38_bad("a=T38FaxMaxDatagram:0"),
			 "a=T38FaxMaxDatagram: not a number in 1..65507");
	cr_assert_str_eq(t38_bad("a=T38FaxUdpEC:lots"),
			 "a=T38FaxUdpEC: not t38UDPNoEC, t38UDPRedundancy or t38UDPFEC");
	cr_assert_str_eq(t38_bad("a=T38FaxFillBitRemoval:yes"),
			 "a=T38FaxFillBitRemoval: flag with value 'yes'");
	cr_assert_str_eq(t38_bad("a=T38FaxVersion:0\r\na=T38FaxVersion:1"),
			 "a=T38FaxVersion given twice");
	cr_assert_str_eq(parse1("m=image 5000 udptl t4\r\na=T38FaxVersion:0\r\n")->bad,
			 "T.38 attributes on an image stream that is not udptl t38");
	cr_assert(!o.m[0].t38.present);
}

/* The answer: audio kept, the image stream port 0; an SRTP-only or a
 * T.38-only offer has nothing we answer (488 upstairs); a malformed
 * stream is never accepted. */
Test(sdp_ext, answers)
{
	struct sip_sdp r;
	parse1("m=audio 4000 RTP/AVP 8\r\nm=image 5000 udptl t38\r\na=T38FaxVersion:0\r\n");
	cr_assert_eq(sip_sdp_answer(&o, &caps, out, sizeof(out), &r), 0);
	cr_assert(strstr(out, "m=audio 30000 RTP/AVP 8\r\n"), "%s", out);
	cr_assert(strstr(out, "m=image 0 udptl t38\r\n"), "%s", out);
	cr_assert_eq(r.m[1].port, 0);
	parse1("m=audio 4000 RTP/SAVP 8\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY30 "\r\n");
	cr_assert_eq(sip_sdp_answer(&o, &caps, out, sizeof(out), NULL), EPROTO);
	cr_assert(strstr(out, "m=audio 0 RTP/SAVP 8\r\n"), "%s", out);
	parse1("m=image 5000 udptl t38\r\n");
	cr_assert_eq(sip_sdp_answer(&o, &caps, out, sizeof(out), NULL), EPROTO);
}
