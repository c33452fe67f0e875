/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: the dialog ID is the whole Call-ID plus the tags (RFC
 * 3261 §12, §20.8).  Two calls whose Call-IDs differ only after the '@'
 * get the same To tag from us (the tag generator is seeded twice with the
 * same value): each in-dialog request must still reach its own session.
 * The test is the far end on loopback, on a virtual clock (sip_fx.c).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "sip/msg.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

static struct sip_sess *sess[2], *ended[2];
static int n_new, n_ended;

static void d_invite(struct sip_sess *s, const struct sip_msg *m, void *arg)
{
	(void)m, (void)arg;
	if (n_new < 2)
		sess[n_new] = s;
	n_new++;
	sip_sess_answer(s, 200, NULL, "application/sdp", sdp);
}

static void d_sess(struct sip_sess *s, enum sip_sess_ev ev, uint16_t st, const struct sip_msg *m,
		   void *arg)
{
	(void)st, (void)m, (void)arg;
	if (ev == SIP_EV_TERMINATED && n_ended < 2)
		ended[n_ended++] = s;
}

static const struct sip_handlers handlers = {.invite_h = d_invite, .sess_h = d_sess};

static void dsetup(void)
{
	struct sip_conf c;

	setup();
	n_new = n_ended = 0;
	sess[0] = sess[1] = ended[0] = ended[1] = NULL;
	fx_conf_defaults(&c);
	restart_stack(&c, &handlers);
}

static void dteardown(void)
{
	sip_rand_seed(0); /* back to a random sequence */
	teardown();
}

TestSuite(dialog_id, .init = dsetup, .fini = dteardown);

static void send_req(const char *method, int cseq, const char *branch, const char *cid,
		     const char *totag, bool offer)
{
	psend("%s sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>%s%s\r\n"
	      "Call-ID: %s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\n%sContent-Length: %zu\r\n\r\n%s",
	      method, branch, totag ? ";tag=" : "", totag ? totag : "", cid, cseq, method,
	      offer ? "Content-Type: application/sdp\r\n" : "", offer ? strlen(sdp) : 0,
	      offer ? sdp : "");
}

/* A call from the peer with this Call-ID, answered 200 and ACKed; our tag
 * comes from a generator seeded with `seed`. */
static void call_in(const char *cid, const char *branch, char *tag, size_t tsz)
{
	const char *m;

	sip_rand_seed(0x5eed5eedull);
	send_req("INVITE", 1, branch, cid, NULL, true);
	while ((m = precv()) && strncmp(m, "SIP/2.0 200 ", 12))
		;
	cr_assert_not_null(m, "no 200 for %s", cid);
	snprintf(tag, tsz, "%s", to_tag());
	send_req("ACK", 1, "ack", cid, tag, false);
}

/* A BYE for the second call ends the second session, not the first with
 * the same Call-ID "number" and tag; then the first one's BYE ends it. */
Test(dialog_id, call_ids_differing_after_at_are_two_dialogs)
{
	char t1[64], t2[64];

	call_in("same-number@host-a", "d1", t1, sizeof(t1));
	call_in("same-number@host-b", "d2", t2, sizeof(t2));
	cr_assert_eq(n_new, 2);
	cr_assert_str_eq(t1, t2, "the test forces the same tag");
	cr_assert_eq(sip_sess_state(sess[0]), SIP_SESS_ESTABLISHED);
	cr_assert_eq(sip_sess_state(sess[1]), SIP_SESS_ESTABLISHED);

	send_req("BYE", 2, "b2", "same-number@host-b", t2, false);
	expect_status(200);
	cr_assert_eq(n_ended, 1);
	cr_assert_eq(ended[0], sess[1], "the BYE ended the other call");

	/* A Call-ID that only shares the number (no host) is no dialog. */
	send_req("BYE", 3, "b3", "same-number", t1, false);
	expect_status(481);
	cr_assert_eq(n_ended, 1);

	send_req("BYE", 2, "b1", "same-number@host-a", t1, false);
	expect_status(200);
	cr_assert_eq(n_ended, 2);
	cr_assert_eq(ended[1], sess[0]);
}
