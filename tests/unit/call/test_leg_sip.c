/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the SIP leg (src/call/leg_sip*.c) under the call FSM, against a
 * far-end SIP stack on loopback, on virtual time (fixture: leg_sip_fx.h).
 * Each test reads as an RFC 3666 flow: what the far end saw and what the
 * PSTN leg was told.  Basic calls each way here; calling identity in
 * test_leg_sip_id.c, trunks and limits in test_leg_sip_trunk.c, re-INVITE,
 * UPDATE and hold in test_leg_sip_reinvite.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "leg_sip_fx.h"

TestSuite(leg_sip, .init = leg_sip_fx_setup, .fini = leg_sip_fx_teardown);

/* ========================================================================== */
/* SIP → PSTN                                                                 */

/* RFC 3666 §2.1: INVITE, 100, ALERTING → 180, CONNECT → 200, ACK; the SIP
 * caller hangs up: BYE → the PSTN leg is released with 16. */
Test(leg_sip, sip_to_pstn_answered_then_the_caller_hangs_up)
{
	far_call("+44-20-7946-0123", "\"Ann\" <sip:+15551230000@127.0.0.1>", NULL,
		 far_offer("0 8 101"));
	cr_assert(has("pstn:setup(+442079460123) "), "%s", trail);
	cr_assert_str_eq(pstn_setup.calling.digits, "+15551230000");
	cr_assert_eq(pstn_setup.calling.pres, ROUTE_PRES_ALLOWED);
	cr_assert_str_eq(pstn_setup.trunk, "itsp");
	rtp_reaches_far_end(0); /* the offerer's first codec, PCMU */
	call_leg_alerting(&pstn->leg, false);
	run(5);
	cr_assert(has("far:PROGRESS(180) "), "%s", trail);
	cr_assert_str_eq(far_sdp, "", "180 without SDP");
	call_leg_answer(&pstn->leg);
	run(5);
	cr_assert(has("far:ANSWERED(200) "), "%s", trail);
	const char *fmts;
	cr_assert_eq(far_sdp_port(&fmts), gw_rtp_port());
	cr_assert_str_eq(fmts, "0 101", "one codec and the events (RFC 3264 §6.1)");
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	cr_assert_eq(sip_sess_bye(far_sess), 0);
	run(5);
	cr_assert(has("pstn:release(16,0) ended far:TERMINATED(200) "), "%s", trail);
	cr_assert_eq(n_ended, 1);
	cr_assert_eq(last_cdr.dir, CDR_TO_PSTN);
	cr_assert_str_eq(last_cdr.trunk, "itsp");
	cr_assert_neq(last_cdr.call_id[0], '\0', "the Call-ID goes in the CDR");
	cr_assert_eq(last_cdr.q850_cause, 16);
}

/* In-band progress (ISDN PROGRESS PI 8) is early media: 183 with the SDP
 * answer; the PSTN side clears after answer: BYE with Reason cause 16. */
Test(leg_sip, sip_to_pstn_early_media_then_the_pstn_hangs_up)
{
	far_call("0123", "<sip:100@127.0.0.1>", NULL, far_offer("8 0"));
	call_leg_progress(&pstn->leg);
	run(5);
	cr_assert(has("far:PROGRESS(183) "), "%s", trail);
	cr_assert_eq(far_sdp_port(NULL), gw_rtp_port(), "183 carries the answer");
	rtp_reaches_far_end(8);
	call_leg_answer(&pstn->leg);
	run(5);
	call_leg_released(&pstn->leg, 16, 0);
	run(5);
	cr_assert(has("far:ANSWERED(200) ended far:TERMINATED(200) "), "%s", trail);
	cr_assert_str_eq(far_reason, "Q.850;cause=16;text=\"Normal call clearing\"");
}

/* Busy: cause 17 → 486 with the cause in Reason (RFC 3398, RFC 6432). */
Test(leg_sip, sip_to_pstn_busy_is_486_with_reason)
{
	far_call("0123", "<sip:100@127.0.0.1>", NULL, far_offer("8"));
	call_leg_alerting(&pstn->leg, true); /* ALERTING PI 8: 183 with SDP */
	run(5);
	cr_assert(has("far:PROGRESS(183) "), "%s", trail);
	call_leg_released(&pstn->leg, 17, 0);
	run(5);
	cr_assert(has("ended far:TERMINATED(486) "), "%s", trail);
	cr_assert_str_eq(far_reason, "Q.850;cause=17;text=\"User busy\"");
	cr_assert_eq(last_cdr.sip_status, 486);
}

/* The caller gives up: CANCEL (with Reason, RFC 3326) → 487; the PSTN leg
 * is released with 16. */
Test(leg_sip, sip_to_pstn_caller_cancels)
{
	struct sip_sess *s = far_call("0123", "<sip:100@127.0.0.1>", NULL, far_offer("8"));
	call_leg_alerting(&pstn->leg, false);
	run(5);
	cr_assert_eq(sip_sess_set_reason(s, "Q.850;cause=31"), 0);
	cr_assert_eq(sip_sess_cancel(s), 0);
	run(5);
	cr_assert(has("far:PROGRESS(180) pstn:release(31,0) ended far:TERMINATED(487) "), "%s",
		  trail);
	cr_assert_eq(last_cdr.sip_status, 487);
}

Test(leg_sip, sip_to_pstn_cancel_without_reason_is_16)
{
	struct sip_sess *s = far_call("0123", "<sip:100@127.0.0.1>", NULL, far_offer("8"));
	call_leg_alerting(&pstn->leg, false);
	run(5);
	cr_assert_eq(sip_sess_cancel(s), 0);
	run(5);
	cr_assert(has("pstn:release(16,0) ended far:TERMINATED(487) "), "%s", trail);
}

/* RFC 3261 §13.3.1: no offer, or nothing we can carry: 488, no call. */
Test(leg_sip, sip_to_pstn_without_sdp_is_488)
{
	far_call("0123", "<sip:100@127.0.0.1>", NULL, NULL);
	cr_assert_str_eq(trail, "far:TERMINATED(488) ");
	cr_assert_str_eq(far_reason, "Q.850;cause=65;text=\"Bearer capability not implemented\"");
	cr_assert_eq(n_ended, 0);
}

Test(leg_sip, sip_to_pstn_no_common_codec_is_488)
{
	far_call("0123", "<sip:100@127.0.0.1>", NULL, far_offer("18 101"));
	cr_assert_str_eq(trail, "far:TERMINATED(488) ");
}

Test(leg_sip, sip_to_pstn_called_not_a_number_is_484)
{
	far_call("alice", "<sip:100@127.0.0.1>", NULL, far_offer("8"));
	cr_assert_str_eq(trail, "far:TERMINATED(484) ");
	cr_assert(strstr(far_reason, "cause=28"), "%s", far_reason);
}

/* No rule for the call: Q.850 3 → 404, with the cause in Reason. */
Test(leg_sip, sip_to_pstn_no_route_is_404)
{
	struct route_set *empty = NULL;
	struct route_diag d;
	route_diag_init(&d);
	cr_assert_eq(route_set_parse(&empty, "empty", "[group pstn]\n", NULL, &d), 0, "%s", d.text);
	route_diag_reset(&d);
	cenv.routes = empty;
	far_call("0123", "<sip:100@127.0.0.1>", NULL, far_offer("8"));
	cenv.routes = routes;
	mem_deref(empty);
	cr_assert_str_eq(trail, "ended far:TERMINATED(404) ");
	cr_assert(strstr(far_reason, "cause=3"), "%s", far_reason);
}

/* ========================================================================== */
/* PSTN → SIP                                                                 */

/* RFC 3666 §3 (ISDN → SIP): 180 → ALERTING (our ringback, PI 8), 200 →
 * CONNECT; the PSTN caller hangs up: BYE with Reason cause 16. */
Test(leg_sip, pstn_to_sip_ringing_answered_then_the_caller_hangs_up)
{
	struct call_leg *in = pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert(has("far:INVITE "), "%s", trail);
	char want[64];
	snprintf(want, sizeof(want), "sip:1234@127.0.0.1:%u", far_port);
	cr_assert_str_eq(far_ruri, want);
	cr_assert(strstr(far_from, "<sip:5551000@127.0.0.1:"), "%s", far_from);
	cr_assert_str_eq(far_privacy, "");
	cr_assert_eq(far_sdp_port(NULL), gw_rtp_port(), "the offer carries the stream's port");
	cr_assert_eq(sip_sess_answer(far_sess, 180, NULL, NULL, NULL), 0);
	run(5);
	cr_assert(has("media:ringback-on in:alerting(inband) "), "%s", trail);
	cr_assert_eq(
	    sip_sess_answer(far_sess, 200, NULL, "application/sdp", far_answer_sdp("8 101")), 0);
	run(5);
	cr_assert(has("in:answer "), "%s", trail);
	cr_assert(has("far:ESTABLISHED(200) "), "the ACK came: %s", trail);
	rtp_reaches_far_end(8);
	call_leg_released(in, 16, 0);
	run(5);
	cr_assert(has("ended far:TERMINATED(200) "), "%s", trail);
	cr_assert_str_eq(far_reason, "Q.850;cause=16;text=\"Normal call clearing\"");
	cr_assert_eq(last_cdr.dir, CDR_TO_SIP);
	cr_assert_neq(last_cdr.call_id[0], '\0');
}

/* 183 with SDP: in-band progress; the far end hangs up: BYE → 16. */
Test(leg_sip, pstn_to_sip_early_media_then_the_far_end_hangs_up)
{
	struct call_leg *in = pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	(void)in;
	cr_assert_eq(sip_sess_answer(far_sess, 183, NULL, "application/sdp", far_answer_sdp("8")),
		     0);
	run(5);
	cr_assert(has("in:progress "), "%s", trail);
	rtp_reaches_far_end(8);
	cr_assert_eq(sip_sess_answer(far_sess, 200, NULL, "application/sdp", far_answer_sdp("8")),
		     0);
	run(5);
	cr_assert(has("in:answer "), "%s", trail);
	cr_assert_eq(sip_sess_bye(far_sess), 0);
	run(5);
	cr_assert(has("in:release(16,0) ended "), "%s", trail);
}

/* 183 without SDP says nothing the PSTN can use. */
Test(leg_sip, pstn_to_sip_183_without_sdp_is_ignored)
{
	struct call_leg *in = pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert_eq(sip_sess_answer(far_sess, 183, NULL, NULL, NULL), 0);
	run(5);
	cr_assert_str_eq(call_state(in->call), "CALLING");
	call_leg_released(in, 16, 0);
	run(5);
	cr_assert(has("far:CANCELLED(487) "), "%s", trail);
}

/* The answer picks PCMU out of our offer (PCMA first: A-law TDM): the stream
 * is remade on the same port, and sends PCMU. */
Test(leg_sip, pstn_to_sip_answer_picks_the_other_codec)
{
	struct call_leg *in = pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	const char *fmts;
	unsigned port = far_sdp_port(&fmts);
	cr_assert_str_eq(fmts, "8 0 101");
	cr_assert_eq(sip_sess_answer(far_sess, 200, NULL, "application/sdp", far_answer_sdp("0")),
		     0);
	run(5);
	cr_assert(has("in:answer "), "%s", trail);
	cr_assert_eq(gw_rtp_port(), port, "same port as offered");
	rtp_reaches_far_end(0);
	call_leg_released(in, 16, 0);
	run(5);
	cr_assert(has("far:TERMINATED(200) "), "%s", trail);
}

/* The far end answers on hold (a=sendonly, RFC 3264 §6.1): our stream
 * only receives, so no RTP goes out; the call is answered all the same. */
Test(leg_sip, pstn_to_sip_answer_sendonly_stops_our_rtp)
{
	struct call_leg *in = pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	const char *fmts;
	far_sdp_port(&fmts);
	cr_assert_eq(sip_sess_answer(far_sess, 200, NULL, "application/sdp",
				     far_answer_sdp("8\r\na=sendonly")),
		     0);
	run(5);
	cr_assert(has("in:answer "), "%s", trail);
	struct media_stream *ms = leg_sip_stream(sip_leg());
	cr_assert_not_null(ms);
	cr_expect_eq(media_stream_dir(ms), MEDIA_DIR_RECVONLY);
	rtp_silent_at_far_end();
	call_leg_released(in, 16, 0);
	run(5);
	cr_assert(has("far:TERMINATED(200) "), "%s", trail);
}

/* Busy far end: 486 with Reason cause 17 → the PSTN caller gets 17. */
Test(leg_sip, pstn_to_sip_busy_with_reason)
{
	pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert_eq(sip_sess_set_reason(far_sess, "Q.850;cause=17;text=\"User busy\""), 0);
	cr_assert_eq(sip_sess_answer(far_sess, 486, NULL, NULL, NULL), 0);
	run(5);
	cr_assert(has("far:TERMINATED(486) in:release(17,486) ended "), "%s", trail);
}

/* The Reason's cause wins over the status's (RFC 6432 §3): 503 with
 * cause 1 is cause 1, not the table's 503 → 41 (and no failover). */
Test(leg_sip, pstn_to_sip_reason_wins_over_the_status)
{
	pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert_eq(sip_sess_set_reason(far_sess, "Q.850;cause=1"), 0);
	cr_assert_eq(sip_sess_answer(far_sess, 503, NULL, NULL, NULL), 0);
	run(5);
	cr_assert(has("in:release(1,503) "), "%s", trail);
}

/* No Reason: the cause table maps the status (RFC 3398 §8.2.6.1: 404 → 1). */
Test(leg_sip, pstn_to_sip_status_without_reason_uses_the_table)
{
	pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert_eq(sip_sess_answer(far_sess, 404, NULL, NULL, NULL), 0);
	run(5);
	cr_assert(has("in:release(1,404) "), "%s", trail);
}

/* Ringing and no answer: T_NA clears with 19; the far end gets CANCEL with
 * Reason cause 19 (RFC 3326). */
Test(leg_sip, pstn_to_sip_no_answer)
{
	pstn_call("1234", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert_eq(sip_sess_answer(far_sess, 180, NULL, NULL, NULL), 0);
	run(61 * 1000);
	cr_assert(has("in:release(19,480) ended far:CANCELLED(487) far:TERMINATED(487) "), "%s\n%s",
		  trail, log_capture_text());
	cr_assert(strstr(far_reason, "Q.850;cause=19"), "%s", far_reason);
}
