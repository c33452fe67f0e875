/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scenario tests, SIP → ISDN (RFC 3666 §2): a SIP phone calls through the
 * whole gateway (real SIP stack, call layer, ISDN leg, libpri on simulated
 * E1 spans) to the scripted simulated PBX, on virtual time.  Each test is
 * named by its flow; each checks the SIP side (statuses, Reason headers),
 * the ISDN side (what the PBX heard: messages and causes) and the CDR.
 */
#include "gw_fx.h"

#include <stdio.h>
#include <string.h>

#include "sip/sip.h"

TestSuite(scn_sip2pstn, .init = gw_fx_setup, .fini = gw_fx_teardown);

/* §2.1 successful call: SETUP; CALL PROCEEDING → 100, ALERTING with PI 8
 * → 183 with SDP, CONNECT → 200; the phone hangs up: BYE → DISCONNECT 16. */
Test(scn_sip2pstn, success_early_media_then_answer_phone_hangs_up)
{
	gw_start(NULL);
	phone_call("2001234");
	cr_assert(pbx_has(1, "rx setup 2001234 from 5550100"), "%s", pbx_log(1));
	cr_assert(has("far:PROGRESS(183) "), "in-band ringback is early media: %s", trail);
	run(1500);
	cr_assert(has("far:ANSWERED(200) "), "%s", trail);
	cr_assert_not_null(far_uac);
	run(2000); /* the call stays up */
	cr_assert(!has("TERMINATED"), "%s", trail);
	cr_assert_eq(sip_sess_bye(far_uac), 0);
	run(100);
	cr_assert(has("far:TERMINATED(200) "), "%s", trail);
	cr_assert(pbx_has(1, "rx hangup 16"), "the PBX hears cause 16: %s", pbx_log(1));
	cr_assert(strstr(cdrs(), ",5550100,2001234,phones,1,1,16,200,"), "%s", cdrs());
}

/* BYE from the PSTN side: DISCONNECT 16 → BYE with Reason cause 16. */
Test(scn_sip2pstn, success_pstn_hangs_up)
{
	gw_start(&(struct gw_opt){ .pbx1 = "on * proceeding alert answer wait 2s hangup 16\n" });
	phone_call("7000000");
	run(100);
	cr_assert(has("far:PROGRESS(180) far:ANSWERED(200) "), "%s", trail);
	run(2500);
	cr_assert(has("far:TERMINATED(200) "), "a BYE came: %s", trail);
	cr_assert(strstr(far_reason, "Q.850;cause=16"), "Reason: %s", far_reason);
}

/* Failures: the PBX's cause becomes the final status (RFC 3398) with the
 * cause in a Reason header (RFC 3326/6432). */
static void reject(const char *number, unsigned status, unsigned cause)
{
	char want[64], reason[64];
	gw_start(NULL);
	phone_call(number);
	run(100);
	snprintf(want, sizeof(want), "far:TERMINATED(%u) ", status);
	cr_assert(has(want), "wanted %u: %s", status, trail);
	snprintf(reason, sizeof(reason), "Q.850;cause=%u", cause);
	cr_assert(strstr(far_reason, reason), "wanted %s: %s", reason, far_reason);
	cr_assert(!has("ANSWERED"), "%s", trail);
}

Test(scn_sip2pstn, busy_17_is_486)
{
	reject("3000000", 486, 17);
	cr_assert(pbx_has(1, "tx reject 17"), "%s", pbx_log(1));
	cr_assert(strstr(cdrs(), ",17,486,"), "CDR: %s", cdrs());
}

Test(scn_sip2pstn, unallocated_1_is_404)
{
	reject("5000000", 404, 1);
}

/* 34 on both spans: the fallback is tried, and fails the same way. */
Test(scn_sip2pstn, congestion_34_is_503)
{
	reject("6000000", 503, 34);
	cr_assert(pbx_has(1, "rx setup 6000000"), "%s", pbx_log(1));
	cr_assert(pbx_has(2, "rx setup 6000000"), "the fallback span: %s", pbx_log(2));
}

/* Ringing with no answer: after no_answer (3 s) cause 19 → 480, and the
 * PBX is released with 19. */
Test(scn_sip2pstn, no_answer_is_480_after_the_timer)
{
	gw_start(NULL);
	phone_call("4000000");
	run(2500);
	cr_assert(has("far:PROGRESS(180) "), "%s", trail);
	cr_assert(!has("TERMINATED"), "not before 3 s: %s", trail);
	run(1000);
	cr_assert(has("far:TERMINATED(480) "), "%s", trail);
	cr_assert(strstr(far_reason, "Q.850;cause=19"), "%s", far_reason);
	cr_assert(pbx_has(1, "rx hangup 19"), "%s", pbx_log(1));
}

/* CANCEL before the answer: DISCONNECT 16 to the PBX, 487 to the INVITE. */
Test(scn_sip2pstn, cancel_before_answer)
{
	gw_start(NULL);
	phone_call("4000000");
	run(500);
	cr_assert(has("far:PROGRESS(180) "), "%s", trail);
	cr_assert_eq(sip_sess_cancel(far_uac), 0);
	run(200);
	cr_assert(has("far:TERMINATED(487) "), "%s", trail);
	cr_assert(pbx_has(1, "rx hangup 16"), "%s", pbx_log(1));
	cr_assert(strstr(cdrs(), ",16,487,"), "CDR: %s", cdrs());
}

/* The D-channel of the call's span fails mid-call: the call is cleared
 * with 41, and the phone gets a BYE with Reason: Q.850;cause=41.  `wait`:
 * how long the loss takes to notice (a red alarm at once; a silent
 * D-channel once Q.921's T203 and N200 retries of T200 run out). */
static void dchan_loss(const char *fault_on, const char *fault_off, unsigned wait)
{
	gw_start(NULL);
	phone_call("7000000");
	run(100);
	cr_assert(has("far:ANSWERED(200) "), "%s", trail);
	fault(1, fault_on);
	run(wait);
	cr_assert(has("far:TERMINATED(200) "), "a BYE: %s", trail);
	cr_assert(strstr(far_reason, "Q.850;cause=41"), "Reason: %s", far_reason);
	cr_assert(strstr(cdrs(), ",41,"), "CDR: %s", cdrs());
	fault(1, fault_off);
	run(5000);
	phone_call("7000000"); /* the span is back */
	run(100);
	cr_assert_eq(count("far:ANSWERED(200) "), 2, "%s", trail);
	cr_assert_eq(sip_sess_bye(far_uac), 0);
}

Test(scn_sip2pstn, red_alarm_mid_call_is_bye_with_cause_41)
{
	dchan_loss("red", "clear", 100);
}

Test(scn_sip2pstn, dchannel_silent_mid_call_is_bye_with_cause_41)
{
	dchan_loss("dchan-down", "dchan-up", 30000);
}

/* Failover across spans: span 1's PBX answers 34 (then 44), the call goes
 * out on span 2 and is answered there: the route's fallback group when the
 * spans are in two groups, the next span of the hunt group when both are
 * in one (its fallback group then has no span, so only hunting can work). */
static void failover(unsigned cause, const char *group2)
{
	char pbx1[64];
	snprintf(pbx1, sizeof(pbx1), "on * reject %u\n", cause);
	gw_start(&(struct gw_opt){ .pbx1 = pbx1, .pbx2 = "on * proceeding alert answer\n",
				   .group2 = group2 });
	phone_call("2001234");
	run(200);
	cr_assert(pbx_has(1, "rx setup 2001234"), "%s", pbx_log(1));
	cr_assert(pbx_has(2, "rx setup 2001234"), "%s", pbx_log(2));
	cr_assert(has("far:ANSWERED(200) "), "%s", trail);
	cr_assert_eq(sip_sess_bye(far_uac), 0);
	run(100);
	cr_assert(pbx_has(2, "rx hangup 16"), "%s", pbx_log(2));
	cr_assert(strstr(cdrs(), ",phones,2,"), "the CDR names span 2: %s", cdrs());
}

Test(scn_sip2pstn, failover_to_the_fallback_span_after_34)
{
	failover(34, NULL);
}

Test(scn_sip2pstn, failover_to_the_fallback_span_after_44)
{
	failover(44, NULL);
}

Test(scn_sip2pstn, hunt_group_takes_the_next_span_after_34)
{
	failover(34, "east");
}

Test(scn_sip2pstn, hunt_group_takes_the_next_span_after_44)
{
	failover(44, "east");
}

/* Busy is not congestion: no other span is tried. */
Test(scn_sip2pstn, hunt_group_does_not_hunt_on_busy)
{
	gw_start(&(struct gw_opt){ .group2 = "east" });
	phone_call("3000000");
	run(200);
	cr_assert(has("far:TERMINATED(486) "), "%s", trail);
	cr_assert(!pbx_has(2, "rx setup"), "%s", pbx_log(2));
}
