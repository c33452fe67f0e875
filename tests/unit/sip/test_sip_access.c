/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: access control of new requests (sip.h, stack_access.c).
 * The test plays a peer that is accepted, refused (403) or made to prove a
 * password with digest (401, RFC 3261 §22; RFC 7616), on a virtual clock.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/auth.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

static enum sip_access_kind verdict;
static const int trunk_a = 1, trunk_b = 2; /* what requests are accepted as */
static int n_checked;
static const char *digest_uri; /* NULL: the Request-URI */

static void check(const struct sip_msg *msg, const struct sockaddr *src, struct sip_access *v,
		  void *arg)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)src;
	(void)arg;

	cr_assert_eq(src->sa_family, AF_INET);
	cr_assert_eq(ntohs(in->sin_port), peer_port, "the source address is the peer's");
	cr_assert_not_null(sip_msg_method(msg));
	n_checked++;
	v->kind = verdict;
	v->who = &trunk_a;
	snprintf(v->realm, sizeof(v->realm), "gw.test");
}

static const char *password(const struct sip_msg *msg, const struct sockaddr *src,
			    const char *realm, const char *user, const void **who, void *arg)
{
	(void)msg, (void)src, (void)arg;
	cr_assert_str_eq(realm, "gw.test");
	if (strcmp(user, "alice"))
		return NULL;
	*who = &trunk_b;
	return "secret";
}

static void access_setup(void)
{
	setup();
	n_checked = 0;
	digest_uri = NULL;
	verdict = SIP_ACCESS_REJECT;
	cr_assert_eq(sip_stack_set_access(stack, check, password, NULL), 0);
}

TestSuite(sip_access, .init = access_setup, .fini = teardown);

/* An INVITE with its own Call-ID/branch/CSeq and an optional header. */
static void invite(const char *cid, const char *branch, int cseq, const char *extra)
{
	psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: %s\r\nCSeq: %d INVITE\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\n%s%sContent-Type: application/sdp\r\n"
	      "Content-Length: %zu\r\n\r\n%s",
	      branch, cid, cseq, extra ? extra : "", extra ? "\r\n" : "", strlen(sdp), sdp);
}

static void ack(const char *cid, const char *branch, int cseq, const char *totag)
{
	psend("ACK sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: %s\r\nCSeq: %d ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
	      branch, totag, cid, cseq);
}

/* The challenge in the last 401 received. */
static void read_challenge(struct sip_auth_chal *c)
{
	char val[512];
	const char *h = strstr(rx, "\r\nWWW-Authenticate: ");

	cr_assert_not_null(h, "no challenge in %s", rx);
	sscanf(h + 20, "%511[^\r]", val);
	cr_assert_eq(sip_auth_chal_parse(val, strlen(val), c), 0, "%s", val);
	cr_assert_str_eq(c->realm, "gw.test");
}

static void authorization(const struct sip_auth_chal *c, const char *user, const char *pass,
			  uint32_t nc, char *out, size_t sz)
{
	struct sip_auth_cred cred;
	char uri[64];
	int n;

	snprintf(uri, sizeof(uri), "%s", digest_uri ? digest_uri : "");
	if (!digest_uri)
		snprintf(uri, sizeof(uri), "sip:b@127.0.0.1:%u", port);
	cr_assert_eq(sip_auth_answer(c, user, pass, "INVITE", uri, nc, "0a4f113b", &cred), 0);
	n = snprintf(out, sz, "Authorization: ");
	cr_assert_eq(sip_auth_cred_format(out + n, sz - (size_t)n, &cred), 0);
}

/* Challenged, proven, then the call goes through to the handlers. */
static void challenged_invite(struct sip_auth_chal *c)
{
	invite("c1@test", "a1", 1, NULL);
	expect_status(401);
	read_challenge(c);
	ack("c1@test", "a1", 1, to_tag());
	cr_assert_eq(n_invite, 0, "nothing reached the call layer");
}

Test(sip_access, unknown_source_gets_403_and_never_reaches_the_handlers)
{
	invite("c1@test", "r1", 1, NULL);
	expect_status(403);
	ack("c1@test", "r1", 1, to_tag());
	psend("OPTIONS sip:b@127.0.0.1:$S SIP/2.0\r\n" HDRS("OPTIONS", "1", "o1",
							    "") "Content-Length: 0\r\n\r\n",
	      "", "");
	expect_status(403);
	cr_assert_eq(n_invite, 0);
	cr_assert_eq(n_checked, 2);
	uint64_t rej, chal;
	sip_stack_access_stats(stack, &rej, &chal);
	cr_assert_eq(rej, 2);
}

Test(sip_access, accepted_source_carries_who_to_the_call_layer)
{
	verdict = SIP_ACCESS_ACCEPT;
	send_invite("k1");
	expect_status(180);
	expect_status(200);
	cr_assert_eq(n_invite, 1);
	cr_assert_eq(last_who, &trunk_a);
	send_in_dialog("ACK", 1, "k2", to_tag());
	send_in_dialog("BYE", 2, "k3", to_tag());
	expect_status(200);
	cr_assert_eq(n_terminated, 1);
}

Test(sip_access, digest_challenge_then_good_credentials_are_accepted)
{
	struct sip_auth_chal c;
	char au[1024];

	verdict = SIP_ACCESS_DIGEST;
	challenged_invite(&c);
	cr_assert(c.qop_auth);
	authorization(&c, "alice", "secret", 1, au, sizeof(au));
	invite("c1@test", "a2", 2, au);
	expect_status(180);
	expect_status(200);
	cr_assert_eq(n_invite, 1);
	cr_assert_eq(last_who, &trunk_b, "who comes from the password lookup");
	send_in_dialog("ACK", 2, "a3", to_tag());
	cr_assert_eq(sip_sess_bye(last_sess), 0);
	cr_assert_not_null(keep(precv()));
	answer_request(200, NULL, false);
	cr_assert_eq(n_terminated, 1);
}

Test(sip_access, wrong_password_or_unknown_user_gets_403)
{
	struct sip_auth_chal c;
	char au[1024];

	verdict = SIP_ACCESS_DIGEST;
	challenged_invite(&c);
	authorization(&c, "alice", "guess", 1, au, sizeof(au));
	invite("c1@test", "w2", 2, au);
	expect_status(403);
	ack("c1@test", "w2", 2, to_tag());
	authorization(&c, "mallory", "secret", 2, au, sizeof(au));
	invite("c1@test", "w3", 3, au);
	expect_status(403);
	ack("c1@test", "w3", 3, to_tag());
	cr_assert_eq(n_invite, 0);
}

/* The same credentials again (same nonce-count): a replay; challenged. */
Test(sip_access, replayed_credentials_are_challenged_again)
{
	struct sip_auth_chal c;
	char au[1024];

	verdict = SIP_ACCESS_DIGEST;
	challenged_invite(&c);
	authorization(&c, "alice", "secret", 1, au, sizeof(au));
	invite("c1@test", "p2", 2, au);
	expect_status(180);
	expect_status(200);
	send_in_dialog("ACK", 2, "p3", to_tag());
	cr_assert_eq(n_invite, 1);
	cr_assert_eq(sip_sess_bye(last_sess), 0);
	cr_assert_not_null(keep(precv()));
	answer_request(200, NULL, false);
	invite("c2@test", "p4", 1, au);
	expect_status(401);
	ack("c2@test", "p4", 1, to_tag());
	cr_assert_eq(n_invite, 1, "the replay got no call");
}

/* An expired nonce: 401 with stale=true (RFC 7616 §3.3). */
Test(sip_access, expired_nonce_is_challenged_as_stale)
{
	struct sip_auth_chal c, c2;
	char au[1024];

	verdict = SIP_ACCESS_DIGEST;
	challenged_invite(&c);
	loop_run_for(loop, 61 * NS_PER_S);
	while (precv())
		;
	authorization(&c, "alice", "secret", 1, au, sizeof(au));
	invite("c1@test", "s2", 2, au);
	expect_status(401);
	read_challenge(&c2);
	cr_assert(c2.stale);
	cr_assert_str_neq(c2.nonce, c.nonce);
	ack("c1@test", "s2", 2, to_tag());
	cr_assert_eq(n_invite, 0);
}

/* Credentials made for another Request-URI: 400 (RFC 7616 §3.4.6). */
Test(sip_access, credentials_for_another_uri_get_400)
{
	struct sip_auth_chal c;
	char au[1024];

	verdict = SIP_ACCESS_DIGEST;
	challenged_invite(&c);
	digest_uri = "sip:b@192.0.2.9";
	authorization(&c, "alice", "secret", 1, au, sizeof(au));
	invite("c1@test", "u2", 2, au);
	expect_status(400);
	ack("c1@test", "u2", 2, to_tag());
	cr_assert_eq(n_invite, 0);
}
