/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the SIP leg (src/call/leg_sip*.c) under the call FSM, against a
 * far-end SIP stack on loopback, on virtual time (fixture: leg_sip_fx.h).
 * Each test reads as an RFC 3666 flow: what the far end saw and what the
 * PSTN leg was told.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "call/limit.h"
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

/* RFC 3325 §9.1 and RFC 3323: the asserted identity is the calling number,
 * Privacy: id restricts it; Diversion gives the redirecting number. */
Test(leg_sip, sip_to_pstn_asserted_private_diverted)
{
	const char *const extra[] = {
	    "P-Asserted-Identity: \"Bob\" <sip:+1-555-123-4567@carrier.example.net;user=phone>",
	    "Privacy: id;critical",
	    "Diversion: <sip:+15559990000@carrier.example.net>;reason=user-busy;counter=1",
	    NULL,
	};
	far_call("tel-0123", "\"Anonymous\" <sip:anonymous@anonymous.invalid>", extra,
		 far_offer("8"));
	cr_assert_str_eq(trail, "far:TERMINATED(484) ", "tel-0123 is not a number");
	trail[0] = '\0';
	far_call("0123", "\"Anonymous\" <sip:anonymous@anonymous.invalid>", extra, far_offer("8"));
	cr_assert_str_eq(pstn_setup.calling.digits, "+15551234567");
	cr_assert_eq(pstn_setup.calling.ton, ROUTE_TON_INTERNATIONAL);
	cr_assert_eq(pstn_setup.calling.pres, ROUTE_PRES_RESTRICTED);
	cr_assert_str_eq(pstn_setup.redirecting.digits, "+15559990000");
	cr_assert_eq(pstn_setup.redirect_reason, 1, "call forwarding busy");
	call_leg_released(&pstn->leg, 16, 0);
	run(5);
	cr_assert(has("far:TERMINATED(500) "), "16 before answer: 500 with Reason: %s", trail);
}

/* RFC 7044 (no Diversion): the entry before the last was retargeted away
 * from; RFC 4458 cause=486 in the last one: forwarding on busy. */
Test(leg_sip, sip_to_pstn_history_info_gives_the_redirecting_number)
{
	const char *const extra[] = {
	    "History-Info: <sip:+15550001111@carrier.example.net>;index=1,"
	    " <sip:0123@gw.example.net;cause=486>;index=1.1",
	    NULL,
	};
	far_call("0123", "<sip:100@127.0.0.1>", extra, far_offer("8"));
	cr_assert_str_eq(pstn_setup.redirecting.digits, "+15550001111");
	cr_assert_eq(pstn_setup.redirect_reason, 1);
	cr_assert_str_eq(pstn_setup.calling.digits, "100");
	cr_assert_eq(pstn_setup.calling.screen, 0, "From: user-provided, not screened");
	/* The caller hangs up with a cause of its own (RFC 3326 in a BYE). */
	call_leg_answer(&pstn->leg);
	run(5);
	cr_assert_eq(sip_sess_set_reason(far_sess, "Q.850;cause=31"), 0);
	cr_assert_eq(sip_sess_bye(far_sess), 0);
	run(5);
	cr_assert(has("pstn:release(31,0) ended "), "%s", trail);
}

/* An anonymous From asks for privacy even without a Privacy header; the
 * asserted identity still gives the number (RFC 3323 §4.1.1.3, RFC 3325). */
Test(leg_sip, sip_to_pstn_anonymous_from_with_asserted_identity)
{
	const char *const extra[] = {"P-Asserted-Identity: <tel:+15551234567>", NULL};
	far_call("0123", "<sip:anonymous@anonymous.invalid>", extra, far_offer("8"));
	cr_assert_str_eq(pstn_setup.calling.digits, "+15551234567");
	cr_assert_eq(pstn_setup.calling.pres, ROUTE_PRES_RESTRICTED);
	cr_assert_eq(pstn_setup.calling.screen, 1);
	call_leg_released(&pstn->leg, 17, 0);
	run(5);
}

Test(leg_sip, sip_to_pstn_anonymous_from_is_restricted)
{
	far_call("0123", "\"Anonymous\" <sip:anonymous@anonymous.invalid>", NULL, far_offer("8"));
	cr_assert_eq(pstn_setup.calling.present, false);
	cr_assert_eq(pstn_setup.calling.pres, ROUTE_PRES_RESTRICTED);
	call_leg_released(&pstn->leg, 21, 0);
	run(5);
	cr_assert(has("far:TERMINATED(403) "), "21 call rejected → 403: %s", trail);
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

/* Presentation restricted: anonymous From, the number in
 * P-Asserted-Identity, Privacy: id (RFC 3323 §4.1.1.3, RFC 3325 §9.1). */
Test(leg_sip, pstn_to_sip_restricted_number)
{
	pstn_calling_ton = ROUTE_TON_INTERNATIONAL; /* ISDN: no '+', the TON says it */
	struct call_leg *in = pstn_call("1234", "442079460000", ROUTE_PRES_RESTRICTED);
	cr_assert(strstr(far_from, "<sip:anonymous@anonymous.invalid>"), "%s", far_from);
	cr_assert(strstr(far_pai, "<sip:+442079460000@127.0.0.1:"), "%s", far_pai);
	cr_assert_str_eq(far_privacy, "id");
	call_leg_released(in, 16, 0);
	run(5);
}

/* A trunk destination: the target comes from the gateway's trunk table;
 * the Request-URI names the trunk's domain. */
Test(leg_sip, pstn_to_sip_through_a_trunk)
{
	struct call_leg *in = pstn_call("2345#", NULL, ROUTE_PRES_ALLOWED);
	cr_assert_str_eq(far_ruri, "sip:2345%23@carrier.example.net");
	cr_assert(strstr(far_from, "anonymous.invalid"), "no calling number: %s", far_from);
	cr_assert_str_eq(far_privacy, "");
	call_leg_released(in, 16, 0);
	run(5);
	cr_assert_str_eq(last_cdr.trunk, "far");
}

/* RFC 3261 §22.2: the carrier challenges; the trunk's credentials answer. */
Test(leg_sip, pstn_to_sip_trunk_challenge_is_answered)
{
	far_requires_digest("s3cret", "s3cret");
	struct call_leg *in = pstn_call("2345", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert_str_eq(far_ruri, "sip:2345@carrier.example.net");
	cr_assert_not_null(far_sess, "the signed INVITE reached the far end");
	call_leg_released(in, 16, 0);
	run(5);
	cr_assert_str_eq(last_cdr.trunk, "far");
}

Test(leg_sip, pstn_to_sip_trunk_wrong_password_fails_the_call)
{
	far_requires_digest("s3cret", "guess");
	pstn_call("2345", "5551000", ROUTE_PRES_ALLOWED);
	run(5);
	cr_assert_null(far_sess, "nothing reached the far end");
	cr_assert(has("403"), "%s", trail);
}

/* `route uri sip:${called}@far.example.net`: the stack locates the host
 * (RFC 3263: no NAPTR, SRV, A) and the far end gets the call. */
Test(leg_sip, pstn_to_sip_host_name_is_located)
{
	pstn_call("8123", "5551000", ROUTE_PRES_ALLOWED);
	run(5);
	cr_assert(has("far:INVITE "), "%s", trail);
	cr_assert_str_eq(far_ruri, "sip:8123@far.example.net");
	cr_assert(strstr(far_from, "<sip:5551000@far.example.net>"), "%s", far_from);
	cr_assert_eq(sip_sess_answer(far_sess, 486, NULL, NULL, NULL), 0);
	run(5);
	cr_assert(has("in:release(17,486) ended "), "%s", trail);
}

/* A name that does not exist: the call fails as a congested route
 * (503 → cause 41, RFC 3398), later, from the loop. */
Test(leg_sip, pstn_to_sip_unknown_host_name_fails)
{
	pstn_call("9123", "5551000", ROUTE_PRES_ALLOWED);
	run(5);
	cr_assert(has("in:release(41,503) ended "), "%s", trail);
}

/* ========================================================================== */
/* Trunks: failover and limits (issue 7)                                      */

/* The first trunk answers 503 (RFC 3398: cause 41, congestion): the call
 * moves on to the fallback trunk, which answers; the caller never hears of
 * the first. */
Test(leg_sip, trunk_503_fails_over_to_the_fallback_trunk)
{
	struct call_leg *in = pstn_call("3456", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert_str_eq(far_ruri, "sip:3456@carrier.example.net");
	cr_assert_eq(sip_sess_answer(far_sess, 503, NULL, NULL, NULL), 0);
	run(5);
	cr_assert(has("far:TERMINATED(503) failover(far,41) far:INVITE "), "%s", trail);
	cr_assert_str_eq(far_ruri, "sip:3456@backup.example.net");
	cr_assert(!has("in:release"), "%s", trail);
	cr_assert_eq(sip_sess_answer(far_sess, 200, NULL, "application/sdp", far_answer_sdp("8")),
		     0);
	run(5);
	cr_assert(has("in:answer "), "%s", trail);
	call_leg_released(in, 16, 0);
	run(5);
	cr_assert_str_eq(last_cdr.trunk, "far2");
	cr_assert_eq(n_failovers, 1);
}

/* A trunk that never answers: Timer B (64*T1, RFC 3261 §17.1.1.2) makes it
 * unreachable and the fallback is tried, though 408 maps to 102. */
Test(leg_sip, trunk_timeout_fails_over)
{
	pstn_call("4567", "5551000", ROUTE_PRES_ALLOWED);
	run(31 * 1000);
	cr_assert(!has("far:INVITE"), "%s", trail);
	run(2 * 1000);
	cr_assert(has("failover(dead,102) far:INVITE "), "%s\n%s", trail, log_capture_text());
	cr_assert_eq(sip_sess_answer(far_sess, 486, NULL, NULL, NULL), 0);
	run(5);
	cr_assert(has("in:release(17,486) ended "), "%s", trail);
}

/* max_calls = 1 on the caller's trunk: the second INVITE gets 503 with
 * Retry-After (RFC 3261 §21.5.4) and Reason cause 34; no call is made, so
 * the PSTN side never hears of it.  Once the first call ends, the trunk
 * takes calls again. */
Test(leg_sip, incoming_over_max_calls_gets_503_with_retry_after)
{
	cr_assert_eq(call_limit_alloc(&itsp_limit), 0);
	call_limit_set(itsp_limit, 1, 0);
	far_call("123", "<sip:1@127.0.0.1>", NULL, far_offer("8"));
	cr_assert(has("pstn:setup(123) "), "%s", trail);
	struct fake *first = pstn;
	trail[0] = '\0';
	far_call("124", "<sip:1@127.0.0.1>", NULL, far_offer("8"));
	cr_assert(has("far:TERMINATED(503) "), "%s", trail);
	cr_assert(!has("pstn:setup"), "%s", trail);
	cr_assert_str_eq(far_retry_after, "5");
	cr_assert(strstr(far_reason, "Q.850;cause=34"), "%s", far_reason);
	cr_assert_eq(itsp_limit->refused[0], 1);
	cr_assert_eq(itsp_limit->calls[0], 1);
	call_leg_released(&first->leg, 16, 0);
	run(5);
	cr_assert_eq(itsp_limit->calls[0], 0);
	trail[0] = '\0';
	far_call("125", "<sip:1@127.0.0.1>", NULL, far_offer("8"));
	cr_assert(has("pstn:setup(125) "), "%s", trail);
	call_leg_released(&pstn->leg, 16, 0);
	run(5);
}

/* max_cps = 1: two INVITEs in the same instant, the second gets 503 with
 * Retry-After 1 and cause 42; a second later the bucket has a token. */
Test(leg_sip, incoming_over_max_cps_gets_503)
{
	cr_assert_eq(call_limit_alloc(&itsp_limit), 0);
	call_limit_set(itsp_limit, 0, 1);
	far_call("123", "<sip:1@127.0.0.1>", NULL, far_offer("8"));
	struct fake *first = pstn;
	far_call("124", "<sip:1@127.0.0.1>", NULL, far_offer("8"));
	cr_assert(has("far:TERMINATED(503) "), "%s", trail);
	cr_assert_str_eq(far_retry_after, "1");
	cr_assert(strstr(far_reason, "Q.850;cause=42"), "%s", far_reason);
	call_leg_released(&first->leg, 16, 0);
	run(1000);
	trail[0] = '\0';
	far_call("125", "<sip:1@127.0.0.1>", NULL, far_offer("8"));
	cr_assert(has("pstn:setup(125) "), "%s", trail);
	call_leg_released(&pstn->leg, 16, 0);
	run(5);
}

/* ========================================================================== */
/* Reading headers                                                            */

Test(leg_sip, uri_and_number_parsing)
{
	char b[64];
	struct call_party p;
	cr_assert_eq(leg_sip_uri_of("\"A <x>\" <sip:1@h>;tag=x", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "sip:1@h");
	cr_assert_eq(leg_sip_uri_of("sip:2@h;tag=y", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "sip:2@h");
	cr_assert_eq(leg_sip_uri_user("sip:+1%2d55;npdi@h", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "+1-55");
	cr_assert_eq(leg_sip_uri_user("tel:+1-555;phone-context=x", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "+1-555");
	cr_assert_eq(leg_sip_uri_user("sip:h.example.net", b, sizeof(b)), ENOENT);
	cr_assert_eq(leg_sip_uri_user("sip:h.example.net?X=a@b", b, sizeof(b)), ENOENT);
	cr_assert_eq(leg_sip_uri_user("sip:u:pw@h", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "u");
	cr_assert_eq(leg_sip_uri_user("mailto:a@b", b, sizeof(b)), ENOENT);
	cr_assert_eq(leg_sip_party(&p, "(020) 7946"), EINVAL, "a space is no separator");
	cr_assert_eq(leg_sip_party(&p, "(020).7946-01*#"), 0);
	cr_assert_str_eq(p.digits, "020794601*#");
	cr_assert_eq(p.ton, ROUTE_TON_UNKNOWN);
	cr_assert_eq(leg_sip_party(&p, "+"), EINVAL);
	cr_assert_eq(leg_sip_party(&p, "1+2"), EINVAL);
	cr_assert(leg_sip_privacy_hides("header; id"));
	cr_assert(leg_sip_privacy_hides("user"));
	cr_assert(!leg_sip_privacy_hides("none"));
	cr_assert(!leg_sip_privacy_hides("identity"));
	cr_assert(leg_sip_uri_anonymous("sip:anonymous@example.net"));
	cr_assert(leg_sip_uri_anonymous("sip:x@anonymous.invalid"));
	cr_assert(!leg_sip_uri_anonymous("sip:100@example.net"));
}

Test(leg_sip, destination_uri_parsing)
{
	struct leg_sip_target t;
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1", &t), 0);
	cr_assert_str_eq(t.ip, "192.0.2.1");
	cr_assert_eq(t.port, 5060);
	cr_assert_eq(t.proto, SIP_PROTO_UDP);
	cr_assert_eq(leg_sip_target_parse("sip:1@[2001:db8::1]:5070;transport=TCP", &t), 0);
	cr_assert_str_eq(t.ip, "2001:db8::1");
	cr_assert_eq(t.port, 5070);
	cr_assert_eq(t.proto, SIP_PROTO_TCP);
	cr_assert_eq(leg_sip_target_parse("sip:192.0.2.1:5080;lr", &t), 0);
	cr_assert_eq(t.port, 5080);
	cr_assert_eq(leg_sip_target_parse("sip:1@gw.example.net", &t), 0);
	cr_assert_str_eq(t.ip, "gw.example.net");
	cr_assert_eq(t.port, 0, "no port: SRV decides (RFC 3263 §4.2)");
	cr_assert(!t.tp_given);
	cr_assert_eq(leg_sip_target_parse("sip:1@gw-2.example.net:5070;transport=tcp", &t), 0);
	cr_assert_eq(t.port, 5070);
	cr_assert(t.tp_given);
	cr_assert_eq(leg_sip_target_parse("sip:1@999.0.2.1", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sip:1@gw_x.example.net", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sips:1@192.0.2.1", &t), 0);
	cr_assert_eq(t.proto, SIP_PROTO_TLS);
	cr_assert_eq(t.port, 5061);
	cr_assert_eq(leg_sip_target_parse("sips:1@gw.example.net", &t), 0);
	cr_assert_eq(t.port, 0, "a name: SRV decides");
	cr_assert_eq(leg_sip_target_parse("sip:1@[::1];transport=tls", &t), 0);
	cr_assert_eq(t.proto, SIP_PROTO_TLS);
	cr_assert_eq(t.port, 5061);
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1:5071;transport=TLS", &t), 0);
	cr_assert_eq(t.port, 5071);
	cr_assert_eq(leg_sip_target_parse("sips:1@192.0.2.1;transport=udp", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("tel:+15551234", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1;transport=sctp", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1:0", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1:99999", &t), EHOSTUNREACH);
}

/* ========================================================================== */
/* re-INVITE (RFC 3261 §14, RFC 3264 §8): the test plays the SIP phone on a  */
/* raw UDP socket, since the stack has no re-INVITE of its own to send.      */

static int phone = -1; /* the phone's SIP socket */
static const char *phone_c = "127.0.0.1"; /* the c= of its offers */
static uint16_t phone_port;
static char phone_rx[4096];

static int udp_bind(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A request of the phone's dialog (Call-ID re-1, From tag ph1) with an SDP
 * offer on `rtp` of `fmts` and a direction line, or no body. */
static void phone_send(const char *method, unsigned cseq, const char *totag, unsigned rtp,
		       const char *fmts, const char *dir)
{
	char sdp[512] = "", msg[2048], branch[32];
	if (rtp)
		snprintf(sdp, sizeof(sdp),
			 "v=0\r\no=- 7 %u IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 %s\r\n"
			 "t=0 0\r\nm=audio %u RTP/AVP %s\r\na=rtpmap:101 telephone-event/8000\r\n"
			 "a=%s\r\n",
			 cseq, phone_c, rtp, fmts, dir);
	/* An ACK for an error response shares its INVITE's branch (§17.1.1.3). */
	snprintf(branch, sizeof(branch), "z9hG4bKre%u%s", cseq,
		 strcmp(method, "ACK") || strcmp(dir, "488") ? method : "INVITE");
	int n = snprintf(msg, sizeof(msg),
			 "%s sip:7000000@127.0.0.1:%u SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=%s\r\n"
			 "From: <sip:1001@127.0.0.1>;tag=ph1\r\nTo: <sip:7000000@127.0.0.1>%s%s\r\n"
			 "Call-ID: re-1@test\r\nCSeq: %u %s\r\nMax-Forwards: 70\r\n"
			 "Contact: <sip:1001@127.0.0.1:%u>\r\n%s%sContent-Length: %zu\r\n\r\n%s",
			 method, gw_port, phone_port, branch, totag ? ";tag=" : "",
			 totag ? totag : "", cseq, method, phone_port,
			 strcmp(method, "REFER") ? "" : "Refer-To: <sip:2000@192.0.2.7>\r\n",
			 sdp[0] ? "Content-Type: application/sdp\r\n" : "", strlen(sdp), sdp);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(gw_port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(sendto(phone, msg, (size_t)n, 0, (struct sockaddr *)&a, sizeof(a)), n);
	run(5);
}

/* The next final response to the phone (100 Trying skipped). */
static const char *phone_expect(unsigned status)
{
	char want[32];
	snprintf(want, sizeof(want), "SIP/2.0 %u ", status);
	for (;;) {
		run(5);
		ssize_t n = recv(phone, phone_rx, sizeof(phone_rx) - 1, MSG_DONTWAIT);
		cr_assert_gt(n, 0, "no response, wanted %u", status);
		phone_rx[n] = '\0';
		if (strncmp(phone_rx, "SIP/2.0 100 ", 12))
			break;
	}
	cr_assert(!strncmp(phone_rx, want, strlen(want)), "wanted %u: %s", status, phone_rx);
	return phone_rx;
}

/* The o= line's version and the direction of the SDP just received. */
static unsigned long long sdp_version(unsigned long long *id)
{
	unsigned long long sid = 0, ver = 0;
	const char *o = strstr(phone_rx, "\r\no=strowger ");
	cr_assert(o && sscanf(o, "\r\no=strowger %llu %llu ", &sid, &ver) == 2, "%s", phone_rx);
	*id = sid;
	return ver;
}

static void rtp_reaches(int fd, uint8_t pt)
{
	uint8_t blk[MEDIA_FRAME_SAMPLES], buf[512];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	memset(blk, 0xd5, sizeof(blk));
	media_stream_tdm_put(blk, sizeof(blk), leg_sip_stream(sip_leg()));
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	cr_assert_eq(n, 12 + MEDIA_FRAME_SAMPLES, "RTP at the port of the last offer (%zd)", n);
	cr_assert_eq(buf[1] & 0x7f, pt);
}

/* No RTP reaches `fd` while the channel ticks (a hold). */
static void rtp_silent(int fd)
{
	uint8_t blk[MEDIA_FRAME_SAMPLES], buf[512];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	memset(blk, 0xd5, sizeof(blk));
	for (int i = 0; i < 5; i++)
		media_stream_tdm_put(blk, sizeof(blk), leg_sip_stream(sip_leg()));
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	cr_assert_lt(n, 0, "no RTP while held (got %zd bytes)", n);
}

/* A SIP phone holds the call (sendonly: we answer recvonly and stop our
 * RTP, §8.4), resumes it on another port (the stream follows), offers the
 * same again (the version stays), switches to PCMU only (the stream
 * switches in place), holds in RFC 2543's way (c=0.0.0.0: recvonly, no
 * RTP), then offers only a codec we do not carry (488; the call and its
 * media go on as they were).  The PSTN leg hears of none of it. */
Test(leg_sip, sip_to_pstn_hold_resume_and_a_new_port_keep_the_call)
{
	uint16_t rtp_a, rtp_b;
	int a = udp_bind(&rtp_a), b = udp_bind(&rtp_b);
	unsigned long long id0, id;
	char tag[64];
	phone = udp_bind(&phone_port);
	phone_send("INVITE", 1, NULL, rtp_a, "8 0 101", "sendrecv");
	cr_assert(has("pstn:setup(7000000) "), "%s", trail);
	call_leg_answer(&pstn->leg);
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=sendrecv\r\n"), "%s", phone_rx);
	cr_assert_eq(sdp_version(&id0), 1);
	cr_assert(sscanf(strstr(phone_rx, "\r\nTo: ") + 6, "%*[^;];tag=%63[^\r\n;]", tag) == 1);
	phone_send("ACK", 1, tag, 0, NULL, "");
	rtp_reaches(a, 8);

	phone_send("INVITE", 2, tag, rtp_a, "8 0 101", "sendonly");
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=recvonly\r\n"), "hold is answered recvonly: %s", phone_rx);
	cr_assert(strstr(phone_rx, " RTP/AVP 8 101\r\n"), "the codec stays: %s", phone_rx);
	cr_assert_eq(sdp_version(&id), 2, "a changed SDP has the next version");
	cr_assert_eq(id, id0, "the same session");
	phone_send("ACK", 2, tag, 0, NULL, "");
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	rtp_silent(a);

	phone_send("INVITE", 3, tag, rtp_b, "0 8 101", "sendrecv");
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=sendrecv\r\n"), "%s", phone_rx);
	cr_assert(strstr(phone_rx, " RTP/AVP 8 101\r\n"), "PCMA kept though PCMU comes first");
	cr_assert_eq(sdp_version(&id), 3);
	phone_send("ACK", 3, tag, 0, NULL, "");
	rtp_reaches(b, 8);

	phone_send("INVITE", 4, tag, rtp_b, "0 8 101", "sendrecv");
	phone_expect(200);
	cr_assert_eq(sdp_version(&id), 3, "the same answer keeps its version (§8)");
	phone_send("ACK", 4, tag, 0, NULL, "");

	phone_send("INVITE", 5, tag, rtp_a, "0", "sendrecv");
	phone_expect(200);
	cr_assert(strstr(phone_rx, " RTP/AVP 0\r\n"), "PCMU now: %s", phone_rx);
	cr_assert_eq(sdp_version(&id), 4);
	phone_send("ACK", 5, tag, 0, NULL, "");
	rtp_reaches(a, 0);

	phone_c = "0.0.0.0";
	phone_send("INVITE", 6, tag, rtp_a, "0", "sendrecv");
	phone_c = "127.0.0.1";
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=recvonly\r\n"), "c=0.0.0.0 is a hold: %s", phone_rx);
	phone_send("ACK", 6, tag, 0, NULL, "");
	rtp_silent(a);

	phone_send("INVITE", 7, tag, rtp_a, "18", "sendrecv");
	phone_expect(488);
	phone_send("ACK", 7, tag, 0, NULL, "488");
	rtp_silent(a); /* still held: a refused offer changes nothing */
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	cr_assert(!has("pstn:release"), "%s", trail);

	phone_send("INVITE", 8, tag, rtp_a, "8 0", "sendrecv");
	phone_expect(200);
	cr_assert(strstr(phone_rx, " RTP/AVP 0\r\n"), "PCMU kept: %s", phone_rx);
	phone_send("ACK", 8, tag, 0, NULL, "");
	rtp_reaches(a, 0);

	phone_send("BYE", 9, tag, 0, NULL, "");
	phone_expect(200);
	cr_assert(has("pstn:release(16,0) ended "), "%s", trail);
	close(a);
	close(b);
	close(phone);
	phone = -1;
}

/* RFC 3311: an UPDATE offer is handled as a re-INVITE's: hold is answered
 * recvonly, a new port moves the stream, an offer we cannot take gets 488
 * and the call goes on.  No ACK: UPDATE is a plain request. */
Test(leg_sip, sip_to_pstn_update_holds_moves_and_keeps_the_call)
{
	uint16_t rtp_a, rtp_b;
	int a = udp_bind(&rtp_a), b = udp_bind(&rtp_b);
	unsigned long long id0, id;
	char tag[64];
	phone = udp_bind(&phone_port);
	phone_send("INVITE", 1, NULL, rtp_a, "8 0 101", "sendrecv");
	call_leg_answer(&pstn->leg);
	phone_expect(200);
	cr_assert_eq(sdp_version(&id0), 1);
	cr_assert(sscanf(strstr(phone_rx, "\r\nTo: ") + 6, "%*[^;];tag=%63[^\r\n;]", tag) == 1);
	phone_send("ACK", 1, tag, 0, NULL, "");
	rtp_reaches(a, 8);

	phone_send("UPDATE", 2, tag, rtp_a, "8 0 101", "sendonly");
	phone_expect(200);
	cr_assert(strstr(phone_rx, "CSeq: 2 UPDATE"), "%s", phone_rx);
	cr_assert(strstr(phone_rx, "a=recvonly\r\n"), "hold is answered recvonly: %s", phone_rx);
	cr_assert_eq(sdp_version(&id), 2);
	cr_assert_eq(id, id0);

	phone_send("UPDATE", 3, tag, rtp_b, "8 101", "sendrecv");
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=sendrecv\r\n"), "%s", phone_rx);
	rtp_reaches(b, 8);

	phone_send("UPDATE", 4, tag, rtp_a, "18", "sendrecv");
	phone_expect(488); /* nothing offered is usable */
	rtp_reaches(b, 8);
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	cr_assert(!has("pstn:release"), "%s", trail);

	phone_send("BYE", 5, tag, 0, NULL, "");
	phone_expect(200);
	cr_assert(has("pstn:release(16,0) ended "), "%s", trail);
	close(a);
	close(b);
}
