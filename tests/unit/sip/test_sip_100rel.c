/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: reliable provisional responses (RFC 3262), as UAS and as
 * UAC.  The test plays the far end over loopback UDP on a virtual clock
 * (fixture: sip_fx.c); named by use case.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

TestSuite(rel, .init = setup, .fini = teardown);

static char tag[64];

static unsigned rseq_of(const char *m)
{
	char v[32];

	cr_assert_not_null(hdr_of(m, "RSeq", v, sizeof(v)), "no RSeq in %.300s", m);
	return (unsigned)strtoul(v, NULL, 10);
}

/* The peer PRACKs RSeq `rseq` of INVITE CSeq 1 with PRACK CSeq `cseq`. */
static void prack(int cseq, const char *branch, unsigned rseq, bool answer)
{
	char rack[64];

	snprintf(rack, sizeof(rack), "RAck: %u 1 INVITE\r\n", rseq);
	send_req_x("PRACK", cseq, branch, tag, rack, answer);
}

/* A reliable provisional from us: status, Require: 100rel, RSeq. */
static unsigned expect_reliable(int status)
{
	expect_status(status);
	cr_assert(strstr(rx, "\r\nRequire: 100rel\r\n"), "not reliable: %.300s", rx);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	return rseq_of(rx);
}

static void ack_and_hang_up(int bye_cseq)
{
	send_in_dialog("ACK", 1, "ack1", tag);
	cr_assert_eq(n_established, 1);
	send_in_dialog("BYE", bye_cseq, "bye1", tag);
	expect_status(200);
	cr_assert_eq(n_terminated, 1);
}

/* The gateway's everyday case: 183 with the SDP answer (early media), sent
 * again at T1 doubling until the PRACK, then 200. */
Test(rel, uas_183_early_media_sent_until_prack)
{
	answer_mode = 2;
	send_invite_x("r1", "Supported: 100rel, timer\r\n", true);
	cr_assert_not_null(last_sess);
	cr_assert_eq(sip_sess_answer(last_sess, 183, NULL, "application/sdp", sdp), 0);
	unsigned rs = expect_reliable(183);

	cr_assert(strstr(rx, "\r\n\r\nv=0"), "183 carries the SDP");
	loop_run_for(loop, 500 * NS_PER_MS); /* T1 */
	expect_reliable(183);
	cr_assert_eq(rseq_of(rx), rs, "a retransmission keeps its RSeq");
	loop_run_for(loop, 1000 * NS_PER_MS); /* 2*T1 */
	expect_reliable(183);
	prack(2, "p1", rs, false);
	expect_status(200);
	cr_assert(strstr(rx, "CSeq: 2 PRACK"), "got %.200s", rx);
	loop_run_for(loop, 8 * NS_PER_S);
	expect_nothing(); /* PRACKed: no more */
	cr_assert_eq(sip_sess_answer(last_sess, 200, NULL, "application/sdp", sdp), 0);
	expect_status(200);
	cr_assert(strstr(rx, "CSeq: 1 INVITE"));
	ack_and_hang_up(3);
}

/* §3: one unacknowledged reliable provisional at a time. */
Test(rel, uas_second_provisional_waits_for_first_prack)
{
	answer_mode = 2;
	send_invite_x("r2", "Supported: 100rel\r\n", true);
	cr_assert_eq(sip_sess_answer(last_sess, 180, NULL, NULL, NULL), 0);
	cr_assert_eq(sip_sess_answer(last_sess, 183, NULL, "application/sdp", sdp), 0);
	unsigned rs = expect_reliable(180);

	expect_nothing();
	prack(2, "p2", rs, false);
	expect_status(200); /* the PRACK */
	cr_assert_eq(expect_reliable(183), rs + 1);
	prack(3, "p3", rs + 1, false);
	expect_status(200);
	cr_assert_eq(sip_sess_answer(last_sess, 200, NULL, "application/sdp", sdp), 0);
	expect_status(200);
	ack_and_hang_up(4);
}

/* §3: the INVITE had no offer, our 183 made one; the 200 must wait for the
 * PRACK that answers it. */
Test(rel, uas_2xx_waits_for_prack_of_an_offer)
{
	answer_mode = 2;
	send_invite_x("r3", "Supported: 100rel\r\n", false);
	cr_assert_eq(sip_sess_answer(last_sess, 183, NULL, "application/sdp", sdp), 0);
	unsigned rs = expect_reliable(183);

	cr_assert_eq(sip_sess_answer(last_sess, 200, NULL, "application/sdp", sdp), 0);
	expect_nothing();
	cr_assert_null(sip_sess_remote_sdp(last_sess));
	prack(2, "p4", rs, true); /* the answer */
	expect_status(200);
	cr_assert(strstr(rx, "CSeq: 2 PRACK"));
	expect_status(200);
	cr_assert(strstr(rx, "CSeq: 1 INVITE"), "then the held 200: %.200s", rx);
	cr_assert_not_null(sip_sess_remote_sdp(last_sess));
	ack_and_hang_up(3);
}

/* When the 183 answered the INVITE's offer, the 200 may go at once; the
 * 183 stops, and its late PRACK still matches. */
Test(rel, uas_2xx_overtakes_a_1xx_without_offer)
{
	answer_mode = 2;
	send_invite_x("r4", "Supported: 100rel\r\n", true);
	sip_sess_answer(last_sess, 183, NULL, "application/sdp", sdp);
	unsigned rs = expect_reliable(183);

	cr_assert_eq(sip_sess_answer(last_sess, 200, NULL, "application/sdp", sdp), 0);
	expect_status(200);
	send_in_dialog("ACK", 1, "ack4", tag);
	cr_assert_eq(n_established, 1);
	loop_run_for(loop, 4 * NS_PER_S);
	expect_nothing();
	prack(2, "p5", rs, false);
	expect_status(200);
	send_in_dialog("BYE", 3, "bye4", tag);
	expect_status(200);
}

/* §3: no PRACK for 64*T1: the INVITE is refused with a 5xx. */
Test(rel, uas_gives_up_without_prack)
{
	int rtx = 0;

	answer_mode = 2;
	send_invite_x("r5", "Require: 100rel\r\n", true);
	sip_sess_answer(last_sess, 180, NULL, NULL, NULL);
	expect_reliable(180);
	for (int i = 0; i < 320 && !n_terminated; i++) {
		loop_run_for(loop, 100 * NS_PER_MS);
		while (precv()) {
			if (!strncmp(rx, "SIP/2.0 180 ", 12))
				rtx++;
			else
				cr_assert(!strncmp(rx, "SIP/2.0 500 ", 12), "got %.60s", rx);
		}
	}
	cr_assert_eq(rtx, 6, "sent again at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s: %d", rtx);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 500);
}

/* A lost PRACK: the 183 keeps coming until the peer's PRACK gets through. */
Test(rel, uas_lost_prack_then_prack)
{
	answer_mode = 2;
	send_invite_x("r6", "Supported: 100rel\r\n", true);
	sip_sess_answer(last_sess, 183, NULL, "application/sdp", sdp);
	unsigned rs = expect_reliable(183);

	loop_run_for(loop, 1600 * NS_PER_MS); /* the first PRACK was "lost" */
	expect_reliable(183);
	expect_reliable(183);
	prack(2, "p6", rs, false);
	expect_status(200);
	prack(2, "p6", rs, false); /* its retransmission: the same 200 */
	expect_status(200);
	loop_run_for(loop, 4 * NS_PER_S);
	expect_nothing();
	sip_sess_answer(last_sess, 486, NULL, NULL, NULL);
	expect_status(486);
}

/* §3: a PRACK that matches no unacknowledged provisional gets 481. */
Test(rel, uas_prack_matching_nothing_gets_481)
{
	answer_mode = 2;
	send_invite_x("r7", "Supported: 100rel\r\n", true);
	sip_sess_answer(last_sess, 180, NULL, NULL, NULL);
	unsigned rs = expect_reliable(180);

	prack(2, "p7", rs + 1, false);
	expect_status(481);
	prack(3, "p8", rs, false);
	expect_status(200);
	prack(4, "p9", rs, false); /* acknowledged already */
	expect_status(481);
	sip_sess_answer(last_sess, 486, NULL, NULL, NULL);
	expect_status(486);
}

/* RFC 3261 §15.1.2: a BYE in the early dialog the reliable 180 made: 200
 * to it, 487 to the INVITE, and the session ends as a BYE would end it. */
Test(rel, uas_bye_in_early_dialog_ends_the_invite)
{
	answer_mode = 2;
	send_invite_x("r9", "Supported: 100rel\r\n", true);
	sip_sess_answer(last_sess, 180, NULL, NULL, NULL);
	unsigned rs = expect_reliable(180);

	prack(2, "p10", rs, false);
	expect_status(200);
	send_in_dialog("BYE", 3, "bye9", tag);
	expect_status(200);
	cr_assert(strstr(rx, "CSeq: 3 BYE"), "%.200s", rx);
	expect_status(487);
	cr_assert(strstr(rx, "CSeq: 1 INVITE"), "%.200s", rx);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 200);
	send_in_dialog("ACK", 1, "r9", tag); /* the 487's ACK */
	loop_run_for(loop, 2 * NS_PER_S);
	expect_nothing();
}

/* Without Supported/Require: 100rel in the INVITE, 1xx stay unreliable. */
Test(rel, uas_peer_without_100rel_gets_plain_1xx)
{
	answer_mode = 1;
	send_invite("r8");
	expect_status(180);
	cr_assert_null(strstr(rx, "RSeq"), "%.300s", rx);
	cr_assert(strstr(rx, "\r\nSupported: 100rel, timer\r\n"), "%.300s", rx);
	sip_sess_answer(last_sess, 486, NULL, NULL, NULL);
	expect_status(486);
}

static void conf_required(struct sip_conf *c)
{
	c->rel100 = SIP_100REL_REQUIRED;
}
static void setup_required(void)
{
	fx_conf = conf_required;
	setup();
}
TestSuite(rel_required, .init = setup_required, .fini = teardown);

/* RFC 3262 §3: with 100rel required, an INVITE without it gets 421. */
Test(rel_required, uas_refuses_invite_without_100rel)
{
	send_invite("q1");
	expect_status(421);
	cr_assert(strstr(rx, "\r\nRequire: 100rel\r\n"), "%.300s", rx);
	cr_assert_eq(n_invite, 0);
}

Test(rel_required, uac_invite_requires_100rel)
{
	call_peer();
	const char *m = keep(precv());

	cr_assert(m && strstr(m, "\r\nRequire: 100rel\r\n"), "%.400s", m);
	answer_request(486, "pt9", false);
	cr_assert_eq(n_terminated, 1);
}

static void conf_off(struct sip_conf *c)
{
	c->rel100 = SIP_100REL_OFF;
}
static void setup_off(void)
{
	fx_conf = conf_off;
	setup();
}
TestSuite(rel_off, .init = setup_off, .fini = teardown);

/* Off: never offered, and only used when the peer requires it. */
Test(rel_off, supported_only_stays_unreliable_required_is_honoured)
{
	answer_mode = 1;
	send_invite_x("o1", "Supported: 100rel\r\n", true);
	expect_status(180);
	cr_assert_null(strstr(rx, "RSeq"));
	cr_assert_null(strstr(rx, "100rel"), "not offered: %.300s", rx);
	sip_sess_answer(last_sess, 486, NULL, NULL, NULL);
	expect_status(486);
	send_in_dialog("ACK", 1, "o1", to_tag());
	/* The same Call-ID, From tag and CSeq again would be a merged request
	 * (482, RFC 3261 §8.2.2.2) while the first transaction lives: let it
	 * end (Timer I, T4) first. */
	loop_run_for(loop, 6 * NS_PER_S);
	answer_mode = 1;
	send_invite_x("o2", "Require: 100rel\r\n", true);
	expect_reliable(180);
	sip_sess_answer(last_sess, 486, NULL, NULL, NULL);
	expect_status(486);
}

/* --- UAC ---------------------------------------------------------------- */

static char inv[8192];

static void peer_1xx(int status, unsigned rseq, bool with_sdp)
{
	char extra[96];

	snprintf(req_copy, sizeof(req_copy), "%s", inv);
	snprintf(extra, sizeof(extra), "Require: 100rel\r\nRSeq: %u\r\n", rseq);
	answer_request_x(status, "pt1", extra, with_sdp);
}

static void expect_prack(unsigned rseq)
{
	char want[64], v[64];
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "PRACK sip:b@127.0.0.1", 21), "got %.60s", m);
	snprintf(want, sizeof(want), "%u 1 INVITE", rseq);
	cr_assert_str_eq(hdr_of(m, "RAck", v, sizeof(v)), want);
	cr_assert(strstr(m, ";tag=pt1"), "in the early dialog: %.300s", m);
}

/* §4: each reliable 1xx once, PRACKed once; out of order ones wait. */
Test(rel, uac_reliable_provisionals_reported_once_in_order)
{
	struct sip_sess *s = call_peer();
	const char *m = keep(precv());

	cr_assert(m && strstr(m, "\r\nSupported: 100rel, timer\r\n"), "%.400s", m);
	snprintf(inv, sizeof(inv), "%s", m);
	peer_1xx(180, 7, false);
	cr_assert_eq(n_progress, 1);
	expect_prack(7);
	cr_assert(strstr(rx, "CSeq: 2 PRACK"), "%.300s", rx);
	answer_request(200, NULL, false);
	peer_1xx(180, 7, false); /* retransmitted */
	cr_assert_eq(n_progress, 1, "reported once");
	expect_nothing();
	peer_1xx(183, 9, true); /* out of order */
	cr_assert_eq(n_progress, 1);
	expect_nothing();
	peer_1xx(183, 8, true);
	cr_assert_eq(n_progress, 2);
	expect_prack(8);
	answer_request(200, NULL, false);
	snprintf(req_copy, sizeof(req_copy), "%s", inv);
	answer_request(200, "pt1", true);
	cr_assert_eq(n_answered, 1);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "got %.40s", m);
	cr_assert_eq(sip_sess_bye(s), 0);
	keep(precv());
	answer_request(200, NULL, false);
	cr_assert_eq(n_terminated, 1);
}

/* A lost PRACK is sent again by its own transaction (Timer E). */
Test(rel, uac_prack_sent_again_until_answered)
{
	call_peer();
	snprintf(inv, sizeof(inv), "%s", precv());
	peer_1xx(183, 100, true);
	expect_prack(100);
	loop_run_for(loop, 500 * NS_PER_MS);
	expect_prack(100);
	answer_request(200, NULL, false);
	loop_run_for(loop, 2 * NS_PER_S);
	expect_nothing();
	snprintf(req_copy, sizeof(req_copy), "%s", inv);
	answer_request(486, "pt1", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 486);
}
