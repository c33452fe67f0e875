/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: our INVITE and BYE answering 401/407 (RFC 3261 §22.2,
 * §8.1.3.5; RFC 7616).  The test plays a peer that challenges with our own
 * nonce server (sip_auth_srv) and checks the credentials it gets back.
 */
#include <criterion/criterion.h>
#include <errno.h>
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

static struct sip_auth_srv *srv;

static void auth_setup(void)
{
	setup();
	cr_assert_eq(sip_auth_srv_alloc(&srv, clk, 30 * NS_PER_S, 16), 0);
}

static void auth_teardown(void)
{
	srv = mem_deref(srv);
	teardown();
}

TestSuite(sip_auth, .init = auth_setup, .fini = auth_teardown);

/* Answer the kept request with 401/407 and a fresh challenge. */
static void challenge(int status, const char *totag, bool stale)
{
	struct sip_auth_chal c;
	char hv[512];
	struct kept_lines k;

	cr_assert_eq(sip_auth_srv_challenge(srv, "test.example", SIP_AUTH_MD5, stale, &c), 0);
	cr_assert_eq(sip_auth_chal_format(hv, sizeof(hv), &c), 0);
	kept_lines(&k);
	psend("SIP/2.0 %d Unauthorized\r\n%s\r\n%s\r\n%s;tag=%s\r\n%s\r\n%s\r\n%s: %s\r\n"
	      "Content-Length: 0\r\n\r\n",
	      status, k.via, k.from, k.to, totag, k.cid, k.cseq,
	      status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate", hv);
}

/* The credentials in the kept request, checked as a server would. */
static enum sip_auth_verdict verify(const char *hname, const char *method, const char *password)
{
	struct sip_auth_cred cred;
	char val[1024];

	hdr_need(req_copy, hname, val, sizeof(val));
	cr_assert_eq(sip_auth_cred_parse(val, strlen(val), &cred), 0, "%s", val);
	cr_assert_str_eq(cred.username, "alice");
	return sip_auth_srv_verify(srv, &cred, "test.example", method, password);
}

Test(sip_auth, invite_challenged_is_sent_again_signed_and_answered)
{
	char cid1[128], cid2[128], from1[128], from2[128], via1[256], via2[256];
	struct sip_sess *s = call_peer_as("alice", "secret");
	const char *m = keep(precv());

	cr_assert(m && strstr(m, "CSeq: 1 INVITE") && !strstr(m, "Authorization"), "%s", m);
	hdr_need(m, "Call-ID", cid1, sizeof(cid1));
	hdr_need(m, "From", from1, sizeof(from1));
	hdr_need(m, "Via", via1, sizeof(via1));
	challenge(401, "ch1", false);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4) && strstr(m, "CSeq: 1 ACK"), "ACK for 401: %s", m);
	m = keep(precv());
	cr_assert(m && !strncmp(m, "INVITE ", 7) && strstr(m, "CSeq: 2 INVITE"), "%s", m);
	hdr_need(m, "Call-ID", cid2, sizeof(cid2));
	hdr_need(m, "From", from2, sizeof(from2));
	hdr_need(m, "Via", via2, sizeof(via2));
	cr_assert_str_eq(cid1, cid2, "same Call-ID");
	cr_assert_str_eq(from1, from2, "same From tag");
	cr_assert_str_neq(via1, via2, "new branch");
	cr_assert_eq(verify("Authorization", "INVITE", "secret"), SIP_AUTH_OK);
	answer_request(200, "pt1", true);
	cr_assert_eq(n_answered, 1);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4) && strstr(m, "CSeq: 2 ACK"), "%s", m);
	/* The BYE is challenged too: sent again, signed, with the next CSeq. */
	cr_assert_eq(sip_sess_bye(s), 0);
	m = keep(precv());
	cr_assert(m && strstr(m, "CSeq: 3 BYE"), "%s", m);
	challenge(407, "pt1", false);
	m = keep(precv());
	cr_assert(m && strstr(m, "CSeq: 4 BYE"), "%s", m);
	cr_assert_eq(verify("Proxy-Authorization", "BYE", "secret"), SIP_AUTH_OK);
	answer_request(200, "pt1", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 200);
}

/* A second challenge that is not stale: the password is wrong; give up. */
Test(sip_auth, second_challenge_ends_the_call_with_its_status)
{
	call_peer_as("alice", "wrong");
	cr_assert_not_null(keep(precv()));
	challenge(407, "ch1", false);
	cr_assert_not_null(precv()); /* ACK */
	const char *m = keep(precv());

	cr_assert(m && strstr(m, "\r\nProxy-Authorization: Digest "), "%s", m);
	cr_assert_eq(verify("Proxy-Authorization", "INVITE", "secret"), SIP_AUTH_DENIED);
	challenge(407, "ch2", false);
	cr_assert_not_null(precv()); /* ACK */
	expect_nothing();
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 407);
}

/* stale=true (RFC 7616 §3.3): the nonce expired, the password was right. */
Test(sip_auth, stale_nonce_is_answered_again)
{
	call_peer_as("alice", "secret");
	cr_assert_not_null(keep(precv()));
	challenge(401, "ch1", false);
	cr_assert_not_null(precv());
	cr_assert_not_null(keep(precv()));
	challenge(401, "ch2", true);
	cr_assert_not_null(precv());
	const char *m = keep(precv());

	cr_assert(m && strstr(m, "CSeq: 3 INVITE"), "%s", m);
	cr_assert_eq(verify("Authorization", "INVITE", "secret"), SIP_AUTH_OK);
	answer_request(486, "pt1", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 486);
}

Test(sip_auth, no_credentials_means_the_challenge_ends_the_call)
{
	call_peer();
	cr_assert_not_null(keep(precv()));
	challenge(401, "ch1", false);
	cr_assert_not_null(precv()); /* ACK */
	expect_nothing();
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 401);
}

/* CANCEL after the signed INVITE: same CSeq number and branch as it. */
Test(sip_auth, cancel_follows_the_signed_invite)
{
	struct sip_sess *s = call_peer_as("alice", "secret");

	cr_assert_not_null(keep(precv()));
	challenge(401, "ch1", false);
	cr_assert_not_null(precv());
	const char *m = keep(precv());
	char via[256], cvia[256];

	hdr_need(m, "Via", via, sizeof(via));
	answer_request(180, "pt1", false);
	cr_assert_eq(sip_sess_cancel(s), 0);
	m = precv();
	cr_assert(m && !strncmp(m, "CANCEL ", 7) && strstr(m, "CSeq: 2 CANCEL"), "%s", m);
	hdr_need(m, "Via", cvia, sizeof(cvia));
	cr_assert_str_eq(via, cvia);
	answer_request(487, "pt1", false);
	while (precv())
		;
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 487);
}

Test(sip_auth, bad_credentials_fail_before_anything_is_sent)
{
	struct sip_sess *s = NULL;
	struct sip_invite_prm p = {
	    .proto = SIP_PROTO_UDP,
	    .dst_ip = "127.0.0.1",
	    .dst_port = peer_port,
	    .req_uri = "sip:b@127.0.0.1",
	    .from = "<sip:gw@127.0.0.1>",
	    .to = "<sip:b@127.0.0.1>",
	    .username = "al\r\nice",
	    .password = "x",
	};

	cr_assert_eq(sip_sess_invite(&s, stack, &p), EINVAL);
	cr_assert_eq(sip_stack_sess_count(stack), 0);
	expect_nothing();
}

/* Credentials from the stack's callback, by realm, for a session that
 * has none of its own. */
static int n_cred_asks;

static bool creds(const char *realm, char *user, size_t usz, char *pass, size_t psz, void *arg)
{
	(void)arg;
	n_cred_asks++;
	if (strcmp(realm, "test.example"))
		return false;
	snprintf(user, usz, "alice");
	snprintf(pass, psz, "secret");
	return true;
}

Test(sip_auth, stack_credentials_callback_answers_by_realm)
{
	n_cred_asks = 0;
	sip_stack_set_credentials(stack, creds, NULL);
	call_peer();
	cr_assert_not_null(keep(precv()));
	challenge(401, "ch1", false);
	cr_assert_not_null(precv()); /* ACK */
	cr_assert_not_null(keep(precv()));
	cr_assert_eq(n_cred_asks, 1);
	cr_assert_eq(verify("Authorization", "INVITE", "secret"), SIP_AUTH_OK);
	answer_request(486, "pt1", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 486);
}
