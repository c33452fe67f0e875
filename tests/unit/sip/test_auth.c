/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: SIP digest authentication (src/sip/auth*). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "sg_test.h"
#include "sip/auth.h"

static struct clk *clk;
static struct sip_auth_srv *srv;

static void setup(void)
{
	sg_test_begin();
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(sip_auth_srv_alloc(&srv, clk, 30 * NS_PER_S, 4), 0);
}

static void teardown(void)
{
	mem_deref(srv);
	mem_deref(clk);
	sg_test_end();
}

TestSuite(auth, .init = setup, .fini = teardown);

static void digest_is(enum sip_auth_alg alg, const char *user, const char *realm,
		      const char *pw, const char *uri, const char *nonce, const char *cnonce,
		      bool qop, const char *want)
{
	struct sip_auth_input in = {
		.alg = alg, .username = user, .realm = realm, .password = pw,
		.method = "GET", .uri = uri, .nonce = nonce, .cnonce = cnonce, .nc = 1,
		.qop_auth = qop,
	};
	char out[SIP_AUTH_HEX];
	cr_assert_eq(sip_auth_digest(&in, out), 0);
	cr_assert_str_eq(out, want);
}

/* RFC 2617 §3.5 (note "Circle Of Life" with a capital O there). */
Test(auth, rfc2617_md5_vector)
{
	digest_is(SIP_AUTH_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life",
		  "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "0a4f113b", true,
		  "6629fae49393a05397450978507c4ef1");
}

/* RFC 7616 §3.9.1, both algorithms. */
Test(auth, rfc7616_md5_and_sha256_vectors)
{
	const char *nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
	const char *cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
	digest_is(SIP_AUTH_MD5, "Mufasa", "http-auth@example.org", "Circle of Life",
		  "/dir/index.html", nonce, cnonce, true, "8ca523f5e9506fed4657c9700eebdbec");
	digest_is(SIP_AUTH_SHA256, "Mufasa", "http-auth@example.org", "Circle of Life",
		  "/dir/index.html", nonce, cnonce, true,
		  "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

/* Without qop (RFC 2069 form), SHA-256. */
Test(auth, sha256_without_qop)
{
	digest_is(SIP_AUTH_SHA256, "testuser", "testrealm", "testpass", "/2061", "1053604145",
		  NULL, false, "9dc55255f1a2537b838311674b621d45346b862a81631bb20e4ce356ef25062d");
}

Test(auth, challenge_parse_of_a_real_header)
{
	const char *h = "Digest realm=\"sip.example.net\", qop=\"auth,auth-int\",\r\n"
			" nonce=\"ab\\\"c\", opaque=\"xyz\", algorithm=SHA-256, stale=TRUE,"
			" domain=\"sip:example.net\", charset=UTF-8";
	struct sip_auth_chal c;
	cr_assert_eq(sip_auth_chal_parse(h, strlen(h), &c), 0);
	cr_assert_str_eq(c.realm, "sip.example.net");
	cr_assert_str_eq(c.nonce, "ab\"c");
	cr_assert_str_eq(c.opaque, "xyz");
	cr_assert_eq(c.alg, SIP_AUTH_SHA256);
	cr_assert(c.qop_auth);
	cr_assert(c.stale);
}

Test(auth, challenge_defaults_to_md5_without_qop)
{
	const char *h = "digest realm=r,nonce=n";
	struct sip_auth_chal c;
	cr_assert_eq(sip_auth_chal_parse(h, strlen(h), &c), 0);
	cr_assert_eq(c.alg, SIP_AUTH_MD5);
	cr_assert_not(c.qop_auth);
}

Test(auth, malformed_headers_are_refused)
{
	static const struct {
		const char *h;
		int rc;
	} cases[] = {
		{ "Basic realm=\"r\"", EINVAL },
		{ "Digest", EINVAL },
		{ "Digest realm=\"r\"", EINVAL },                   /* no nonce */
		{ "Digest realm=\"r\", nonce=\"n", EINVAL },        /* unterminated */
		{ "Digest realm=\"r\" nonce=\"n\"", EINVAL },       /* no comma */
		{ "Digest realm=\"r\", realm=\"s\", nonce=n", EINVAL }, /* twice */
		{ "Digest realm=\"r\", nonce=\"n\",", EINVAL },     /* dangling comma */
		{ "Digest realm=, nonce=n", EINVAL },               /* empty token */
		{ "Digest =r, nonce=n", EINVAL },
		{ "Digest realm=\"a\nb\", nonce=n", EINVAL },       /* LF inside */
		{ "Digest realm=r, nonce=n, algorithm=MD5-sess", ENOTSUP },
		{ "Digest realm=r, nonce=n, qop=\"auth-int\"", ENOTSUP },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_auth_chal c;
		cr_assert_eq(sip_auth_chal_parse(cases[i].h, strlen(cases[i].h), &c), cases[i].rc,
			     "case %zu: %s", i, cases[i].h);
	}
}

Test(auth, length_bounds_every_read)
{
	const char *h = "Digest realm=\"r\", nonce=\"n\"GARBAGE";
	struct sip_auth_chal c;
	cr_assert_eq(sip_auth_chal_parse(h, strlen(h) - 7, &c), 0);
	cr_assert_eq(sip_auth_chal_parse(h, 20, &c), EINVAL, "cut inside a quoted string");
	char big[600] = "Digest realm=\"";
	memset(big + strlen(big), 'x', 300);
	strcpy(big + 314, "\", nonce=n");
	cr_assert_eq(sip_auth_chal_parse(big, strlen(big), &c), EINVAL, "realm too long");
}

Test(auth, credentials_round_trip_through_format_and_parse)
{
	struct sip_auth_chal ch = { .alg = SIP_AUTH_SHA256, .qop_auth = true };
	strcpy(ch.realm, "example.net");
	strcpy(ch.nonce, "n0nce");
	strcpy(ch.opaque, "op\"aque");
	struct sip_auth_cred cr, back;
	cr_assert_eq(sip_auth_answer(&ch, "alice", "secret", "INVITE", "sip:bob@example.net",
				     7, "c1", &cr), 0);
	char buf[1024];
	cr_assert_eq(sip_auth_cred_format(buf, sizeof(buf), &cr), 0);
	cr_assert(strstr(buf, "Digest username=\"alice\", realm=\"example.net\""), "%s", buf);
	cr_assert(strstr(buf, "opaque=\"op\\\"aque\""), "%s", buf);
	cr_assert(strstr(buf, "qop=auth, nc=00000007"), "%s", buf);
	cr_assert_eq(sip_auth_cred_parse(buf, strlen(buf), &back), 0);
	cr_assert_str_eq(back.response, cr.response);
	cr_assert_str_eq(back.opaque, "op\"aque");
	cr_assert_eq(back.nc, 7);
	cr_assert_eq(back.alg, SIP_AUTH_SHA256);
	cr_assert_eq(sip_auth_cred_format(buf, 40, &cr), ENOSPC);
}

Test(auth, credentials_need_cnonce_and_nc_with_qop_and_a_hex_response)
{
	const char *no_nc = "Digest username=u, realm=r, nonce=n, uri=\"sip:x\", qop=auth,"
			    " cnonce=c, response=\"0123456789abcdef0123456789abcdef\"";
	const char *bad_hex = "Digest username=u, realm=r, nonce=n, uri=\"sip:x\","
			      " response=\"0123456789abcdef0123456789abcdeg\"";
	const char *bad_nc = "Digest username=u, realm=r, nonce=n, uri=\"sip:x\", qop=auth,"
			     " cnonce=c, nc=1, response=\"0123456789abcdef0123456789abcdef\"";
	struct sip_auth_cred c;
	cr_assert_eq(sip_auth_cred_parse(no_nc, strlen(no_nc), &c), EINVAL);
	cr_assert_eq(sip_auth_cred_parse(bad_hex, strlen(bad_hex), &c), EINVAL);
	cr_assert_eq(sip_auth_cred_parse(bad_nc, strlen(bad_nc), &c), EINVAL);
}

Test(auth, format_refuses_header_injection)
{
	struct sip_auth_chal ch = { .alg = SIP_AUTH_MD5 };
	strcpy(ch.realm, "evil\r\nContact: <sip:x>");
	strcpy(ch.nonce, "n");
	char buf[256];
	cr_assert_eq(sip_auth_chal_format(buf, sizeof(buf), &ch), EINVAL);
}

/* The server: challenge, answer, verify. */
static enum sip_auth_verdict roundtrip(const char *pw_client, const char *pw_server,
				       uint32_t nc, struct sip_auth_chal *ch)
{
	struct sip_auth_cred cr;
	cr_assert_eq(sip_auth_answer(ch, "alice", pw_client, "INVITE", "sip:1234@gw", nc, "cn",
				     &cr), 0);
	return sip_auth_srv_verify(srv, &cr, ch->realm, "INVITE", pw_server);
}

Test(auth, server_accepts_good_credentials_and_counts)
{
	struct sip_auth_chal ch;
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_SHA256, false, &ch), 0);
	cr_assert_eq(strlen(ch.nonce), 43);
	cr_assert_eq(roundtrip("pw", "pw", 1, &ch), SIP_AUTH_OK);
	cr_assert_eq(roundtrip("pw", "pw", 2, &ch), SIP_AUTH_OK);
	cr_assert_eq(roundtrip("pw", "pw", 2, &ch), SIP_AUTH_REPLAY, "same nc again");
	cr_assert_eq(roundtrip("pw", "pw", 1, &ch), SIP_AUTH_REPLAY, "nc going back");
	cr_assert_eq(sip_auth_srv_used_count(srv), 1);
}

Test(auth, server_denies_wrong_password_and_unknown_user)
{
	struct sip_auth_chal ch;
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_MD5, false, &ch), 0);
	cr_assert_eq(roundtrip("nope", "pw", 1, &ch), SIP_AUTH_DENIED);
	cr_assert_eq(roundtrip("pw", NULL, 1, &ch), SIP_AUTH_DENIED);
	cr_assert_eq(sip_auth_srv_used_count(srv), 0, "failed attempts keep no state");
}

Test(auth, nonces_expire_as_stale)
{
	struct sip_auth_chal ch;
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_MD5, false, &ch), 0);
	clk_advance(clk, 30 * NS_PER_S);
	cr_assert_eq(roundtrip("pw", "pw", 1, &ch), SIP_AUTH_STALE);
}

Test(auth, forged_or_rebound_nonces_are_refused)
{
	struct sip_auth_chal ch;
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_SHA256, false, &ch), 0);
	struct sip_auth_chal tampered = ch;
	tampered.nonce[5] = tampered.nonce[5] == 'A' ? 'B' : 'A';
	cr_assert_eq(roundtrip("pw", "pw", 1, &tampered), SIP_AUTH_FORGED);
	struct sip_auth_chal downgraded = ch;
	downgraded.alg = SIP_AUTH_MD5;
	cr_assert_eq(roundtrip("pw", "pw", 1, &downgraded), SIP_AUTH_FORGED);
	struct sip_auth_chal other = ch;
	strcpy(other.realm, "other");
	struct sip_auth_cred cr;
	sip_auth_answer(&other, "alice", "pw", "INVITE", "sip:1@gw", 1, "cn", &cr);
	cr_assert_eq(sip_auth_srv_verify(srv, &cr, "other", "INVITE", "pw"), SIP_AUTH_FORGED);
	cr_assert_eq(sip_auth_srv_verify(srv, &cr, "gw", "INVITE", "pw"), SIP_AUTH_FORGED);
	struct sip_auth_chal garbage = ch;
	strcpy(garbage.nonce, "not-base64!");
	cr_assert_eq(roundtrip("pw", "pw", 1, &garbage), SIP_AUTH_FORGED);
}

/* The last character carries 2 spare bits: another spelling of the same
 * bytes must not be a new nonce with fresh replay state. */
Test(auth, a_nonce_has_exactly_one_spelling)
{
	struct sip_auth_chal ch;
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_MD5, false, &ch), 0);
	cr_assert_eq(roundtrip("pw", "pw", 1, &ch), SIP_AUTH_OK);
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = strchr(b64, ch.nonce[42]);
	struct sip_auth_chal alias = ch;
	alias.nonce[42] = b64[(p - b64) | 1];
	cr_assert_eq(roundtrip("pw", "pw", 1, &alias), SIP_AUTH_FORGED);
}

Test(auth, qopless_nonce_is_good_once)
{
	struct sip_auth_chal ch;
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_MD5, false, &ch), 0);
	ch.qop_auth = false;
	cr_assert_eq(roundtrip("pw", "pw", 0, &ch), SIP_AUTH_OK);
	cr_assert_eq(roundtrip("pw", "pw", 0, &ch), SIP_AUTH_REPLAY);
}

Test(auth, replay_table_is_bounded_and_expires)
{
	struct sip_auth_chal ch[5];
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_MD5, false, &ch[i]), 0);
		cr_assert_eq(roundtrip("pw", "pw", 1, &ch[i]), SIP_AUTH_OK);
	}
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_MD5, false, &ch[4]), 0);
	cr_assert_eq(roundtrip("pw", "pw", 1, &ch[4]), SIP_AUTH_STALE, "table full");
	clk_advance(clk, 31 * NS_PER_S);
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw", SIP_AUTH_MD5, false, &ch[4]), 0);
	cr_assert_eq(roundtrip("pw", "pw", 1, &ch[4]), SIP_AUTH_OK, "expired entries evicted");
	cr_assert_eq(sip_auth_srv_used_count(srv), 1);
}

Test(auth, challenge_format_reads_back)
{
	struct sip_auth_chal ch, back;
	cr_assert_eq(sip_auth_srv_challenge(srv, "gw.example", SIP_AUTH_SHA256, true, &ch), 0);
	char buf[512];
	cr_assert_eq(sip_auth_chal_format(buf, sizeof(buf), &ch), 0);
	cr_assert(strncmp(buf, "Digest realm=\"gw.example\", nonce=\"", 34) == 0, "%s", buf);
	cr_assert(strstr(buf, ", algorithm=SHA-256, qop=\"auth\", stale=true"), "%s", buf);
	cr_assert_eq(sip_auth_chal_parse(buf, strlen(buf), &back), 0);
	cr_assert_str_eq(back.nonce, ch.nonce);
	cr_assert(back.stale && back.qop_auth);
}
