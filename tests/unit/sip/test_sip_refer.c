/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: REFER inside a dialog (RFC 3515), the stack as referee.
 * The test is the far end (the referrer) on loopback, on a virtual clock
 * (fixture: sip_fx.c); its own handlers decide what to do with a REFER.
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

static int refer_mode; /* 0: no answer, 1: accept, 2: refuse 403 */
static int n_refer, n_ended;
static uint16_t refer_answer; /* SIP_EV_REFER_ANSWER's status, 0: none yet */
static char refer_to[128];
static struct sip_sess *sess;

static void r_invite(struct sip_sess *s, const struct sip_msg *m, void *arg)
{
	(void)m, (void)arg;
	sess = s;
	sip_sess_answer(s, 200, NULL, "application/sdp", sdp);
}

static void r_sess(struct sip_sess *s, enum sip_sess_ev ev, uint16_t st, const struct sip_msg *m,
		   void *arg)
{
	(void)st, (void)arg;
	if (ev == SIP_EV_TERMINATED) {
		n_ended++;
		sess = NULL;
	}
	if (ev == SIP_EV_REFER_ANSWER)
		refer_answer = st;
	if (ev != SIP_EV_REFER)
		return;
	n_refer++;
	snprintf(refer_to, sizeof(refer_to), "%s", sip_msg_header(m, "Refer-To", 0));
	cr_assert_eq(sip_sess_refer_notify(s, 180, NULL), EPROTO, "not accepted yet");
	if (refer_mode == 1)
		cr_assert_eq(sip_sess_refer_answer(s, 202), 0);
	else if (refer_mode == 2)
		cr_assert_eq(sip_sess_refer_answer(s, 403), 0);
	if (refer_mode)
		cr_assert_eq(sip_sess_refer_answer(s, 202), EPROTO, "answered once");
}

static const struct sip_handlers handlers = {.invite_h = r_invite, .sess_h = r_sess};
static char tag[64];

/* A call from the peer, answered and ACKed: the dialog a REFER goes in. */
static void rsetup(void)
{
	setup();
	refer_mode = n_refer = n_ended = 0;
	refer_answer = 0;
	refer_to[0] = 0;
	sess = NULL;
	fx_peer_call(&handlers, "rf1", tag, sizeof(tag));
	cr_assert_not_null(sess);
}

/* Hang up from the peer, so the fixture finds nothing left. */
static void rteardown(void)
{
	if (sess)
		fx_peer_bye("rf9", tag);
	teardown();
}

TestSuite(refer, .init = rsetup, .fini = rteardown);

static void send_refer(int cseq, const char *branch, const char *refer_to_hdrs)
{
	psend("REFER sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: call-1@test\r\nCSeq: %d REFER\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\n%sContent-Length: 0\r\n\r\n",
	      branch, tag, cseq, refer_to_hdrs);
}

/* The next NOTIFY: check its event, state and sipfrag, and answer 200. */
static void expect_notify(int id, const char *state, const char *frag)
{
	char want[64];
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "NOTIFY sip:a@127.0.0.1:", 23), "got %.60s", m);
	snprintf(want, sizeof(want), "\r\nEvent: refer;id=%d\r\n", id);
	cr_assert(strstr(m, want), "%s", m);
	cr_assert(strstr(m, "\r\nSubscription-State: ") &&
		      !strncmp(strstr(m, "\r\nSubscription-State: ") + 22, state, strlen(state)),
		  "wanted %s: %s", state, m);
	cr_assert(strstr(m, "\r\nContent-Type: message/sipfrag"), "%s", m);
	cr_assert(strstr(m, "\r\n\r\n") && !strcmp(strstr(m, "\r\n\r\n") + 4, frag), "%s", m);
	answer_request(200, NULL, false);
}

/* Accepted: 202, then NOTIFY 100 Trying (active), progress, and the final
 * status ends the subscription; the call goes on. */
Test(refer, accepted_then_progress_by_notify)
{
	refer_mode = 1;
	send_refer(2, "rf2", "Refer-To: <sip:carol@192.0.2.9>\r\n");
	expect_status(202);
	cr_assert_eq(n_refer, 1);
	cr_assert_str_eq(refer_to, "<sip:carol@192.0.2.9>");
	expect_notify(2, "active", "SIP/2.0 100 Trying\r\n");
	cr_assert_eq(sip_sess_refer_notify(sess, 180, NULL), 0);
	expect_notify(2, "active", "SIP/2.0 180 Ringing\r\n");
	cr_assert_eq(sip_sess_refer_notify(sess, 200, "OK"), 0);
	expect_notify(2, "terminated", "SIP/2.0 200 OK\r\n");
	cr_assert_eq(sip_sess_refer_notify(sess, 200, NULL), EPROTO, "subscription over");
	cr_assert_eq(sip_sess_state(sess), SIP_SESS_ESTABLISHED);
	/* A second REFER in the same dialog: its own id. */
	send_refer(3, "rf3", "Refer-To: <sip:dave@192.0.2.9>\r\n");
	expect_status(202);
	expect_notify(3, "active", "SIP/2.0 100 Trying\r\n");
	cr_assert_eq(sip_sess_refer_notify(sess, 486, "Busy Here"), 0);
	expect_notify(3, "terminated", "SIP/2.0 486 Busy Here\r\n");
}

/* Nobody takes it: 603 (RFC 3515 §2.4.2, RFC 3261 §21.6.2), not 501 (REFER
 * is in our Allow).  The call is not touched. */
Test(refer, not_taken_is_declined)
{
	send_refer(2, "rf4", "Refer-To: <sip:carol@192.0.2.9>\r\n");
	expect_status(603);
	cr_assert_eq(n_refer, 1);
	expect_nothing();
	cr_assert_eq(sip_sess_refer_answer(sess, 202), EPROTO, "too late");
	cr_assert_eq(sip_sess_state(sess), SIP_SESS_ESTABLISHED);
}

Test(refer, refused_by_the_handler)
{
	refer_mode = 2;
	send_refer(2, "rf5", "Refer-To: <sip:carol@192.0.2.9>\r\n");
	expect_status(403);
	expect_nothing();
}

/* §2.4.2: zero or two Refer-To values: 400, the handler never asked. */
Test(refer, needs_exactly_one_refer_to)
{
	refer_mode = 1;
	send_refer(2, "rf6", "");
	expect_status(400);
	send_refer(3, "rf7", "Refer-To: <sip:c@192.0.2.9>\r\nRefer-To: <sip:d@192.0.2.9>\r\n");
	expect_status(400);
	cr_assert_eq(n_refer, 0);
}

/* One reference at a time: a REFER while one is followed gets 491. */
Test(refer, second_refer_while_active_gets_491)
{
	refer_mode = 1;
	send_refer(2, "rf8", "Refer-To: <sip:c@192.0.2.9>\r\n");
	expect_status(202);
	expect_notify(2, "active", "SIP/2.0 100 Trying\r\n");
	send_refer(3, "rf9x", "Refer-To: <sip:d@192.0.2.9>\r\n");
	expect_status(491);
	cr_assert_eq(n_refer, 1);
	cr_assert_eq(sip_sess_refer_notify(sess, 503, NULL), 0);
	expect_notify(2, "terminated", "SIP/2.0 503 Service Unavailable\r\n");
}

/* Outside any dialog a REFER is the out-of-dialog handler's (none: 405). */
Test(refer, out_of_dialog_refer_is_not_a_session_event)
{
	psend("REFER sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKrfo\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft7\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: other@test\r\nCSeq: 1 REFER\r\nMax-Forwards: 70\r\n"
	      "Refer-To: <sip:c@192.0.2.9>\r\nContact: <sip:a@127.0.0.1:$P>\r\n"
	      "Content-Length: 0\r\n\r\n");
	expect_status(405);
	cr_assert_eq(n_refer, 0);
}

/* --- the stack as the referrer (RFC 3515 §2.4.1) --------------------------- */

/* Turn the loop until our REFER's answer is reported (bounded). */
static void await_refer_answer(void)
{
	for (int i = 0; i < 2000 && !refer_answer; i++)
		loop_run_once(loop, 0);
}

/* Our REFER goes in the dialog with Refer-To and Contact; its final
 * response is reported once; one at a time; bad values never go out. */
Test(refer, we_refer_and_hear_the_answer)
{
	cr_assert_eq(sip_sess_refer(sess, "sip:carol@192.0.2.9\r\nX: 1"), EINVAL);
	cr_assert_eq(sip_sess_refer(sess, ""), EINVAL);
	cr_assert_eq(sip_sess_refer(sess, "sip:carol@192.0.2.9"), 0);
	cr_assert_eq(sip_sess_refer(sess, "sip:dave@192.0.2.9"), EBUSY, "one at a time");
	const char *m = keep(precv());
	cr_assert(m && !strncmp(m, "REFER sip:a@127.0.0.1:", 22), "got %.60s", m);
	cr_assert(strstr(m, "\r\nRefer-To: <sip:carol@192.0.2.9>\r\n"), "%s", m);
	cr_assert(strstr(m, "\r\nContact: "), "%s", m);
	answer_request(202, "ft1", false);
	await_refer_answer();
	cr_assert_eq(refer_answer, 202);
	/* Refused: reported too, and the next may go. */
	refer_answer = 0;
	cr_assert_eq(sip_sess_refer(sess, "<sip:dave@192.0.2.9>"), 0);
	m = keep(precv());
	cr_assert(strstr(m, "\r\nRefer-To: <sip:dave@192.0.2.9>\r\n"), "%s", m);
	answer_request(603, "ft1", false);
	await_refer_answer();
	cr_assert_eq(refer_answer, 603);
	cr_assert_eq(n_ended, 0, "the call goes on");
}
