/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the SIP leg (src/call/leg_sip*.c) toward trunks and host
 * names: the trunk table, digest challenges (RFC 3261 §22.2), RFC 3263
 * location, failover to a fallback trunk, and the call limits on incoming
 * calls (issue 7).  Shared fixture: leg_sip_fx.h, on virtual time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "call/limit.h"
#include "core/log.h"
#include "leg_sip_fx.h"

TestSuite(leg_sip_trunk, .init = leg_sip_fx_setup, .fini = leg_sip_fx_teardown);

/* ========================================================================== */
/* PSTN → SIP: trunks and host names                                          */

/* A trunk destination: the target comes from the gateway's trunk table;
 * the Request-URI names the trunk's domain. */
Test(leg_sip_trunk, pstn_to_sip_through_a_trunk)
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
Test(leg_sip_trunk, pstn_to_sip_trunk_challenge_is_answered)
{
	far_requires_digest("s3cret", "s3cret");
	struct call_leg *in = pstn_call("2345", "5551000", ROUTE_PRES_ALLOWED);
	cr_assert_str_eq(far_ruri, "sip:2345@carrier.example.net");
	cr_assert_not_null(far_sess, "the signed INVITE reached the far end");
	call_leg_released(in, 16, 0);
	run(5);
	cr_assert_str_eq(last_cdr.trunk, "far");
}

Test(leg_sip_trunk, pstn_to_sip_trunk_wrong_password_fails_the_call)
{
	far_requires_digest("s3cret", "guess");
	pstn_call("2345", "5551000", ROUTE_PRES_ALLOWED);
	run(5);
	cr_assert_null(far_sess, "nothing reached the far end");
	cr_assert(has("403"), "%s", trail);
}

/* `route uri sip:${called}@far.example.net`: the stack locates the host
 * (RFC 3263: no NAPTR, SRV, A) and the far end gets the call. */
Test(leg_sip_trunk, pstn_to_sip_host_name_is_located)
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
Test(leg_sip_trunk, pstn_to_sip_unknown_host_name_fails)
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
Test(leg_sip_trunk, trunk_503_fails_over_to_the_fallback_trunk)
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
Test(leg_sip_trunk, trunk_timeout_fails_over)
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
Test(leg_sip_trunk, incoming_over_max_calls_gets_503_with_retry_after)
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
Test(leg_sip_trunk, incoming_over_max_cps_gets_503)
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
