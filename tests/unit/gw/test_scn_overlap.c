/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scenario tests, overlap dialling from ISDN into SIP (Q.931 §5.2.4, sent
 * en bloc): the simulated PBX sends part of the number in the SETUP and
 * the rest digit by digit in INFORMATION.  Span 1 has overlap receiving
 * with the digit map `ext` (1 and three digits, 9 and two); span 2 has it
 * without a digit map.  T302 is 3 s on both.  The RFC 3578 tests run span
 * 2 with overlap_sip = rfc3578 (T302 2 s) against a phone that answers 484
 * to numbers of fewer than four digits.
 */
#include "gw_fx.h"

#include <stdio.h>
#include <string.h>

#include "call/call.h"
#include "sip/sip.h"

TestSuite(scn_overlap, .init = gw_fx_setup, .fini = gw_fx_teardown);

static const char span1[] = "overlap = yes\nt302 = 3s\ndigitmap = ext\n";
static const char span2[] = "overlap = yes\nt302 = 3s\n";

static void start(const char *pbx1, const char *pbx2)
{
	gw_start(&(struct gw_opt){ .pbx1 = pbx1, .pbx2 = pbx2, .span1 = span1, .span2 = span2 });
	pbx_call_wait();
}

/* The digit map completes the number: INVITE at once, CALL PROCEEDING to
 * the PBX; the CDR has the number as finally dialled. */
Test(scn_overlap, digit_map_completes_the_number)
{
	start(pbx_call_script("10 from 5551234 overlap 01", "wait 1s hangup 16"), NULL);
	cr_assert(pbx_has(1, "tx setup 10 from 5551234"), "%s", pbx_log(1));
	cr_assert(pbx_has(1, "rx setup_ack"), "SETUP ACKNOWLEDGE: %s", pbx_log(1));
	cr_assert(pbx_has(1, "rx proceeding"), "%s", pbx_log(1));
	cr_assert(has("far:INVITE "), "no T302 wait: %s", trail);
	cr_assert(strstr(far_ruri, "sip:1001@"), "%s", far_ruri);
	phone_answer();
	cr_assert(pbx_has(1, "rx answer"), "%s", pbx_log(1));
	run(1500);
	cr_assert(has("far:TERMINATED("), "%s", trail);
	cr_assert(strstr(cdrs(), ",5551234,1001,5551234,1001,"), "%s", cdrs());
}

/* No digit map: the number is taken as complete when T302 runs out after
 * the last digit, and routed with what was dialled. */
Test(scn_overlap, t302_expiry_routes_what_was_dialled)
{
	start(NULL, pbx_call_script("10 from 5551234 overlap 01", NULL));
	cr_assert(pbx_has(2, "rx setup_ack"), "%s", pbx_log(2));
	run(2000);
	cr_assert(!has("far:INVITE"), "not before T302: %s", trail);
	cr_assert(!pbx_has(2, "rx proceeding"), "%s", pbx_log(2));
	run(1500);
	cr_assert(has("far:INVITE "), "after T302: %s", trail);
	cr_assert(strstr(far_ruri, "sip:1001@"), "%s", far_ruri);
	cr_assert(pbx_has(2, "rx proceeding"), "%s", pbx_log(2));
	cr_assert_eq(sip_sess_answer(far_uas, 486, NULL, NULL, NULL), 0);
	run(200);
	cr_assert(pbx_has(2, "rx hangup 17"), "%s", pbx_log(2));
	cr_assert(strstr(cdrs(), ",5551234,1001,"), "%s", cdrs());
	/* The record starts at the SETUP (1 s), not when dialling ended. */
	cr_assert(strstr(cdrs(), ",to-sip,2026-01-01T00:00:01.0"), "%s", cdrs());
}

/* T302 runs out on a number no rule routes: cleared with 28 (invalid
 * number format), nothing reaches SIP. */
Test(scn_overlap, t302_expiry_with_nothing_routable_is_28)
{
	start(NULL, pbx_call_script("5 from 5551234 overlap 5", NULL));
	cr_assert(pbx_has(2, "rx setup_ack"), "%s", pbx_log(2));
	run(3500);
	cr_assert(pbx_has(2, "rx hangup 28"), "%s", pbx_log(2));
	cr_assert(!has("far:INVITE"), "%s", trail);
	cr_assert(strstr(cdrs(), ",5551234,55,"), "the record has what was dialled: %s", cdrs());
}

/* A number the digit map can never complete: 28 at once, no T302 wait. */
Test(scn_overlap, digit_map_invalid_number_is_28_at_once)
{
	start(pbx_call_script("5 from 5551234 overlap 55", NULL), NULL);
	cr_assert(pbx_has(1, "rx hangup 28"), "%s", pbx_log(1));
	cr_assert(!pbx_has(1, "rx setup_ack"), "%s", pbx_log(1));
	cr_assert(!has("far:INVITE"), "%s", trail);
	cr_assert_eq(call_count(), 0);
}

/* A SETUP that carries the whole number with Sending Complete is taken en
 * bloc at once, though the span does overlap receiving. */
Test(scn_overlap, sending_complete_in_the_setup_is_en_bloc)
{
	start(NULL, pbx_call_script("1001 from 5551234", NULL));
	cr_assert(has("far:INVITE "), "%s", trail);
	cr_assert(!pbx_has(2, "rx setup_ack"), "%s", pbx_log(2));
	cr_assert(pbx_has(2, "rx proceeding"), "%s", pbx_log(2));
	cr_assert_eq(sip_sess_answer(far_uas, 404, NULL, NULL, NULL), 0);
	run(200);
	cr_assert(pbx_has(2, "rx hangup 1 "), "%s", pbx_log(2));
}

/* The caller hangs up while still dialling: no call was made, none is
 * left, and nothing reaches SIP. */
Test(scn_overlap, caller_hangs_up_while_dialling)
{
	start(NULL, pbx_call_script("10 from 5551234 overlap 0 abandon 1s", NULL));
	cr_assert(pbx_has(2, "rx setup_ack"), "%s", pbx_log(2));
	run(1000);
	cr_assert(pbx_has(2, "tx hangup 16 (abandoned)"), "%s", pbx_log(2));
	run(5000);
	cr_assert(!has("far:INVITE"), "%s", trail);
	cr_assert_eq(call_count(), 0);
	cr_assert(!strstr(cdrs(), "5551234"), "no call, no record: %s", cdrs());
}

/* The gateway stops while a caller is still dialling: the half-dialled
 * call goes with its span and leaves nothing behind (valgrind checks the
 * leg's memory; mem_live the rest). */
Test(scn_overlap, gateway_stops_while_a_caller_dials)
{
	start(NULL, pbx_call_script("10 from 5551234 overlap 0", NULL));
	cr_assert(pbx_has(2, "rx setup_ack"), "%s", pbx_log(2));
	gw_stop();
	cr_assert_eq(call_count(), 0);
}

/* A graceful shutdown clears a caller still dialling with 42 (switching
 * equipment congestion) at once: no call would ever be made for him. */
Test(scn_overlap, shutdown_clears_a_caller_still_dialling_with_42)
{
	start(NULL, pbx_call_script("10 from 5551234 overlap 0", NULL));
	cr_assert(pbx_has(2, "rx setup_ack"), "%s", pbx_log(2));
	gw_shutdown();
	run(100);
	cr_assert(pbx_has(2, "rx hangup 42"), "%s", pbx_log(2));
	cr_assert(!has("far:INVITE"), "%s", trail);
}

/* --- RFC 3578: an INVITE at once, a new one per digit -------------------- */

static void start_rfc3578(const char *pbx2)
{
	far_min_digits = 4;
	gw_start(&(struct gw_opt){ .pbx2 = pbx2, .span1 = span1,
				   .span2 = "overlap = yes\nt302 = 2s\noverlap_sip = rfc3578\n" });
	pbx_call_wait();
}

/* Each digit brings a new INVITE with the number so far (484 or CANCEL for
 * the one before); the phone rings and answers the complete one. */
Test(scn_overlap, rfc3578_an_invite_per_digit_until_answered)
{
	start_rfc3578(pbx_call_script("10 from 5551234 overlap 01", "wait 1s hangup 16"));
	cr_assert_str_eq(far_users, "10 100 1001 ", "%s", trail);
	cr_assert(pbx_has(2, "rx setup_ack"), "%s", pbx_log(2));
	cr_assert(!pbx_has(2, "rx proceeding"), "T302 still runs: %s", pbx_log(2));
	phone_answer();
	cr_assert(pbx_has(2, "rx alerting pi 8"), "%s", pbx_log(2));
	cr_assert(pbx_has(2, "rx answer"), "%s", pbx_log(2));
	run(1500);
	cr_assert(has("far:TERMINATED("), "%s", trail);
	cr_assert_eq(call_count(), 0);
	cr_assert(strstr(cdrs(), ",5551234,1001,5551234,1001,"), "%s", cdrs());
}

/* 484 for every number so far, and T302 runs out: cleared with 28. */
Test(scn_overlap, rfc3578_484_until_t302_is_28)
{
	start_rfc3578(pbx_call_script("10 from 5551234 overlap 0", NULL));
	cr_assert_str_eq(far_users, "10 100 ", "%s", trail);
	cr_assert_eq(call_count(), 1, "waiting for digits after the 484");
	run(2500);
	cr_assert(pbx_has(2, "rx hangup 28"), "%s", pbx_log(2));
	cr_assert_eq(call_count(), 0);
	cr_assert(strstr(cdrs(), ",5551234,100,"), "%s", cdrs());
}

/* A phone that takes its time: the next digit cancels the pending INVITE
 * for a new one (RFC 3578 §2); T302 runs out while that one is pending:
 * CALL PROCEEDING tells the caller the number is complete, and the
 * phone's answer decides. */
Test(scn_overlap, rfc3578_t302_with_an_invite_pending)
{
	far_min_digits = 0;
	gw_start(&(struct gw_opt){ .pbx2 = pbx_call_script("10 from 5551234 overlap 0", NULL),
				   .span2 = "overlap = yes\nt302 = 2s\noverlap_sip = rfc3578\n" });
	pbx_call_wait();
	cr_assert_str_eq(far_users, "10 100 ", "%s", trail);
	/* The CANCEL waits for the phone's 100 Trying (RFC 3261 §9.1), which
	 * its stack sends after 200 ms (§17.2.1). */
	run(300);
	cr_assert(has("far:CANCELLED(487) "), "the INVITE for 10 gave way: %s", trail);
	cr_assert_eq(count("far:CANCELLED"), 1, "%s", trail);
	run(2200);
	cr_assert(pbx_has(2, "rx proceeding"), "%s", pbx_log(2));
	cr_assert(!pbx_has(2, "rx hangup"), "%s", pbx_log(2));
	cr_assert_eq(sip_sess_answer(far_uas, 486, NULL, NULL, NULL), 0);
	run(200);
	cr_assert(pbx_has(2, "rx hangup 17"), "%s", pbx_log(2));
}
