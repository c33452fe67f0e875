/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: UPDATE (RFC 3311) received and sent, in early and
 * confirmed dialogs: offers answered by the user or by default, refreshes
 * without a body, glare (491) and an offer while one is unanswered (500
 * with Retry-After).  The test plays the far end over loopback UDP on a
 * virtual clock (fixture: sip_fx.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

TestSuite(update, .init = setup, .fini = teardown);

static char tag[64];

static void answered_call(void)
{
	answer_mode = 0;
	send_invite("u0");
	expect_status(180);
	expect_status(200);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "u0", tag);
	cr_assert_eq(n_established, 1);
}

static void hang_up(int cseq)
{
	send_in_dialog("BYE", cseq, "ubye", tag);
	expect_status(200);
	cr_assert_eq(n_terminated, 1);
}

/* Nobody answers the offer in the handler: 200 with our last SDP. */
Test(update, offer_answered_with_our_last_sdp)
{
	answered_call();
	send_req_x("UPDATE", 2, "u1", tag, "", true);
	expect_status(200);
	cr_assert(strstr(rx, "CSeq: 2 UPDATE"), "%.300s", rx);
	cr_assert(strstr(rx, "\r\n\r\nv=0"), "an answer: %.500s", rx);
	cr_assert(strstr(rx, "\r\nContact: "), "target refresh: %.500s", rx);
	cr_assert_eq(n_update, 1);
	hang_up(3);
}

static void refuse_update(struct sip_sess *s, enum sip_sess_ev ev, const struct sip_msg *m)
{
	(void)m;
	if (ev == SIP_EV_UPDATE)
		cr_assert_eq(sip_sess_answer(s, 488, NULL, NULL, NULL), 0);
}

/* The call layer may refuse an offer it cannot take: 488, call goes on. */
Test(update, offer_refused_by_the_user)
{
	fx_sess = refuse_update;
	answered_call();
	send_req_x("UPDATE", 2, "u2", tag, "", true);
	expect_status(488);
	cr_assert_eq(n_update, 1);
	cr_assert_eq(n_terminated, 0);
	hang_up(3);
}

/* Without a body it is a session refresh: 200, no event for the user. */
Test(update, without_body_gets_200)
{
	answered_call();
	send_req_x("UPDATE", 2, "u3", tag, "", false);
	expect_status(200);
	cr_assert_eq(n_update, 0);
	hang_up(3);
}

/* §5.2: our UPDATE offer is out; the peer's crosses it: 491.  Ours is then
 * answered and the SDP it brings becomes the remote one. */
Test(update, glare_with_our_offer_gets_491)
{
	answered_call();
	cr_assert_eq(sip_sess_update(last_sess, "application/sdp", sdp), 0);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "UPDATE sip:a@127.0.0.1", 22), "got %.60s", m);
	cr_assert(strstr(m, "\r\n\r\nv=0"), "with the offer: %.400s", m);
	cr_assert_eq(sip_sess_update(last_sess, NULL, NULL), EBUSY, "one at a time");
	send_req_x("UPDATE", 2, "u4", tag, "", true);
	expect_status(491);
	send_reinvite(3, "u5", tag); /* a re-INVITE too (RFC 3261 §14.2) */
	expect_status(491);
	answer_request(200, NULL, true);
	cr_assert_not_null(sip_sess_remote_sdp(last_sess));
	send_req_x("UPDATE", 4, "u6", tag, "", true); /* no glare now */
	expect_status(200);
	hang_up(5);
}

/* §5.2: the INVITE's offer is not answered yet (the reliable 180 had no
 * SDP): an UPDATE offer in the early dialog gets 500 with Retry-After.
 * Once a reliable 183 answered it, the UPDATE goes through. */
Test(update, early_offer_before_ours_is_answered_gets_500)
{
	char rack[48], v[16];

	answer_mode = 2;
	send_invite_x("e1", "Supported: 100rel\r\n", true);
	sip_sess_answer(last_sess, 180, NULL, NULL, NULL);
	expect_status(180);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	unsigned rs = (unsigned)strtoul(hdr_of(rx, "RSeq", v, sizeof(v)), NULL, 10);

	snprintf(rack, sizeof(rack), "RAck: %u 1 INVITE\r\n", rs);
	send_req_x("PRACK", 2, "e2", tag, rack, false);
	expect_status(200);
	send_req_x("UPDATE", 3, "e3", tag, "", true);
	expect_status(500);
	cr_assert_not_null(hdr_of(rx, "Retry-After", v, sizeof(v)), "%.400s", rx);
	cr_assert_leq(strtoul(v, NULL, 10), 10);
	sip_sess_answer(last_sess, 183, NULL, "application/sdp", sdp);
	expect_status(183);
	snprintf(rack, sizeof(rack), "RAck: %u 1 INVITE\r\n", rs + 1);
	send_req_x("PRACK", 4, "e4", tag, rack, false);
	expect_status(200);
	send_req_x("UPDATE", 5, "e5", tag, "", true);
	expect_status(200);
	cr_assert_eq(n_update, 1);
	sip_sess_answer(last_sess, 486, NULL, NULL, NULL);
	expect_status(486);
}

/* UPDATE with no dialog behind it: 481. */
Test(update, unknown_dialog_gets_481)
{
	send_req_x("UPDATE", 2, "u7", "nosuchtag", "", true);
	expect_status(481);
}
