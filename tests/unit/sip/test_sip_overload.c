/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: overload ceilings (503 + Retry-After, RFC 3261 §21.5.4)
 * and answers with extra headers.  The test is the far end on loopback, on
 * a virtual clock (fixture: sip_fx.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

TestSuite(overload, .init = setup, .fini = teardown);

/* An INVITE of its own call (Call-ID "<cid>@test"). */
static void invite_call(const char *cid, const char *branch)
{
	psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: %s@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\nContent-Type: application/sdp\r\n"
	      "Content-Length: %zu\r\n\r\n%s",
	      branch, cid, strlen(sdp), sdp);
}

static void with_ceilings(unsigned sessions, unsigned txns)
{
	struct sip_conf c;

	fx_conf_defaults(&c);
	c.max_sessions = sessions;
	c.max_txns = txns;
	c.retry_after = 7;
	restart_stack(&c, NULL);
}

/* CANCEL the call `cid` (INVITE on `branch`) and check its 200 and 487. */
static void cancel_call(const char *cid, const char *branch)
{
	psend("CANCEL sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: %s@test\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\n"
	      "Content-Length: 0\r\n\r\n",
	      branch, cid);
	expect_status(200);
	expect_status(487);
}

Test(overload, session_ceiling_gives_503_with_retry_after)
{
	struct sip_stats st;

	with_ceilings(1, 0);
	answer_mode = 1; /* ring only: the first call stays */
	invite_call("ov1", "ov1");
	expect_status(180);
	invite_call("ov2", "ov2");
	expect_status(503);
	cr_assert(strstr(rx, "\r\nRetry-After: 7\r\n"), "%s", rx);
	cr_assert(strstr(rx, "Call-ID: ov2@test"), "%s", rx);
	cr_assert_eq(n_invite, 1, "the call layer never saw the second");
	cr_assert_eq(sip_stack_txn_count(stack), 1, "no transaction for it");
	invite_call("ov2", "ov2"); /* its retransmission: answered again */
	expect_status(503);
	invite_call("ov1", "ov1"); /* the first call's: still its own 180 */
	expect_status(180);
	sip_stack_stats(stack, &st);
	cr_assert_eq(st.overload, 2);
	cancel_call("ov1", "ov1"); /* CANCEL passes the gate */
	invite_call("ov3", "ov3"); /* room again */
	expect_status(180);
	cr_assert_eq(n_invite, 2);
	cancel_call("ov3", "ov3");
}

Test(overload, transaction_ceiling_gives_503)
{
	with_ceilings(0, 1);
	answer_mode = 1;
	invite_call("ot1", "ot1");
	expect_status(180);
	invite_call("ot2", "ot2");
	expect_status(503);
	cr_assert(strstr(rx, "\r\nRetry-After: 7\r\n"), "%s", rx);
	cr_assert_eq(n_invite, 1);
	cancel_call("ot1", "ot1");
}

Test(overload, no_ceiling_by_default)
{
	answer_mode = 1;
	for (int i = 0; i < 20; i++) {
		char cid[16];

		snprintf(cid, sizeof(cid), "nc%d", i);
		invite_call(cid, cid);
		expect_status(180);
	}
	cr_assert_eq(n_invite, 20);
	for (int i = 0; i < 20; i++) {
		char cid[16];

		snprintf(cid, sizeof(cid), "nc%d", i);
		cancel_call(cid, cid);
	}
}

/* The call layer sends its own 503 with Retry-After; a bad line is
 * refused before anything goes out. */
Test(overload, answer_with_extra_headers)
{
	const char *const bad[] = {"Retry-After: 30\r\nX: 1", NULL};
	const char *const noname[] = {": 30", NULL};
	const char *const good[] = {"Retry-After: 30", "Warning: 399 gw \"full\"", NULL};

	answer_mode = 2; /* the handler does not answer */
	invite_call("ah1", "ah1");
	cr_assert_eq(n_invite, 1);
	cr_assert_not_null(last_sess);
	cr_assert_eq(sip_sess_answer_hdrs(last_sess, 503, NULL, NULL, NULL, bad), EINVAL);
	cr_assert_eq(sip_sess_answer_hdrs(last_sess, 503, NULL, NULL, NULL, noname), EINVAL);
	expect_nothing();
	cr_assert_eq(sip_sess_answer_hdrs(last_sess, 503, NULL, NULL, NULL, good), 0);
	expect_status(503);
	cr_assert(strstr(rx, "\r\nRetry-After: 30\r\n"), "%s", rx);
	cr_assert(strstr(rx, "\r\nWarning: 399 gw \"full\"\r\n"), "%s", rx);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 503);
}
