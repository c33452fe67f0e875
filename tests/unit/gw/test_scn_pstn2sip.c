/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scenario tests, ISDN → SIP (RFC 3666 §3): the simulated PBX calls
 * through the whole gateway to a SIP phone (our own stack), on virtual
 * time.  Each checks what the phone saw (INVITE, CANCEL, BYE with its
 * Reason header), what the PBX heard (messages and Q.850 causes) and,
 * where it tells something, the CDR.
 */
#include "gw_fx.h"

#include <stdio.h>
#include <string.h>

#include "sip/sip.h"

TestSuite(scn_pstn2sip, .init = gw_fx_setup, .fini = gw_fx_teardown);

/* §3.1 successful call: SETUP → INVITE; 180 → ALERTING with PI 8 (our
 * local ringback); 200 → CONNECT; the PBX hangs up: DISCONNECT 16 → BYE
 * with Reason cause 16. */
Test(scn_pstn2sip, success_pstn_hangs_up)
{
	gw_start(&(struct gw_opt){
		.pbx1 = pbx_call_script("1001 from 5551234", "wait 2s hangup 16") });
	pbx_call_wait();
	cr_assert(has("far:INVITE "), "%s", trail);
	cr_assert(strstr(far_ruri, "sip:1001@127.0.0.1"), "%s", far_ruri);
	cr_assert(pbx_has(1, "rx proceeding"), "%s", pbx_log(1));
	phone_answer();
	cr_assert(pbx_has(1, "rx alerting pi 8"), "local ringback, PI 8: %s", pbx_log(1));
	cr_assert(pbx_has(1, "rx answer"), "%s", pbx_log(1));
	cr_assert(has("far:ESTABLISHED("), "the gateway ACKed: %s", trail);
	run(2500);
	cr_assert(has("far:TERMINATED("), "a BYE: %s", trail);
	cr_assert(strstr(far_reason, "Q.850;cause=16"), "Reason: %s", far_reason);
	cr_assert(strstr(cdrs(), ",to-sip,"), "%s", cdrs());
	cr_assert(strstr(cdrs(), ",5551234,1001,5551234,1001,"), "%s", cdrs());
}

/* The phone hangs up: BYE → DISCONNECT 16 to the PBX. */
Test(scn_pstn2sip, success_phone_hangs_up)
{
	gw_start(&(struct gw_opt){ .pbx1 = pbx_call_script("1001 from 5551234", NULL) });
	pbx_call_wait();
	phone_answer();
	cr_assert(pbx_has(1, "rx answer"), "%s", pbx_log(1));
	run(1000);
	cr_assert_not_null(far_uas);
	cr_assert_eq(sip_sess_bye(far_uas), 0);
	run(200);
	cr_assert(has("far:TERMINATED(200) "), "%s", trail);
	cr_assert(pbx_has(1, "rx hangup 16"), "%s", pbx_log(1));
}

/* The phone refuses with `status` (and `reason`, a Reason header, or
 * NULL): the PBX is cleared with `cause`. */
static void refused(uint16_t status, const char *reason, unsigned cause)
{
	char want[32];
	gw_start(&(struct gw_opt){ .pbx1 = pbx_call_script("1001 from 5551234", NULL) });
	pbx_call_wait();
	cr_assert_not_null(far_uas, "%s", trail);
	if (reason)
		cr_assert_eq(sip_sess_set_reason(far_uas, reason), 0);
	cr_assert_eq(sip_sess_answer(far_uas, status, NULL, NULL, NULL), 0);
	run(200);
	snprintf(want, sizeof(want), "rx hangup %u ", cause);
	cr_assert(pbx_has(1, want), "wanted cause %u: %s", cause, pbx_log(1));
	cr_assert(!pbx_has(1, "rx answer"), "%s", pbx_log(1));
}

Test(scn_pstn2sip, busy_486_is_17)
{
	refused(486, NULL, 17);
	cr_assert(strstr(cdrs(), ",17,486,"), "%s", cdrs());
}

Test(scn_pstn2sip, not_found_404_is_1)
{
	refused(404, NULL, 1);
}

/* RFC 3398 §8.2.6.1: 503 alone is 41; a Reason header's cause wins. */
Test(scn_pstn2sip, unavailable_503_is_41)
{
	refused(503, NULL, 41);
}

Test(scn_pstn2sip, unavailable_503_with_reason_34_is_34)
{
	refused(503, "Q.850;cause=34", 34);
}

/* The phone rings and never answers: after no_answer (3 s) the gateway
 * CANCELs (Reason cause 19) and clears the PBX with 19. */
Test(scn_pstn2sip, no_answer_cancels_with_19)
{
	gw_start(&(struct gw_opt){ .pbx1 = pbx_call_script("1001 from 5551234", NULL) });
	pbx_call_wait();
	cr_assert_eq(sip_sess_answer(far_uas, 180, NULL, NULL, NULL), 0);
	run(2000);
	cr_assert(!has("CANCELLED"), "not before 3 s: %s", trail);
	run(1500);
	cr_assert(has("far:CANCELLED(487) "), "%s", trail);
	cr_assert(strstr(far_reason, "Q.850;cause=19"), "Reason: %s", far_reason);
	cr_assert(pbx_has(1, "rx hangup 19"), "%s", pbx_log(1));
}

/* The PSTN caller gives up while the phone rings: DISCONNECT 16 → CANCEL,
 * and the phone answers the INVITE with 487. */
Test(scn_pstn2sip, caller_abandons_before_answer_is_cancel)
{
	gw_start(&(struct gw_opt){
		.pbx1 = pbx_call_script("1001 from 5551234 abandon 2s", NULL) });
	pbx_call_wait();
	cr_assert_eq(sip_sess_answer(far_uas, 180, NULL, NULL, NULL), 0);
	run(2000);
	cr_assert(pbx_has(1, "tx hangup 16 (abandoned)"), "%s", pbx_log(1));
	cr_assert(has("far:CANCELLED(487) "), "%s", trail);
	cr_assert(strstr(far_reason, "Q.850;cause=16"), "Reason: %s", far_reason);
	/* The call ends at the CANCEL, before the 487 arrives: no status. */
	cr_assert(strstr(cdrs(), ",1,1,16,0,to-phone"), "%s", cdrs());
}

/* The D-channel fails mid-call: the phone gets a BYE with cause 41. */
Test(scn_pstn2sip, red_alarm_mid_call_is_bye_with_cause_41)
{
	gw_start(&(struct gw_opt){ .pbx1 = pbx_call_script("1001 from 5551234", NULL) });
	pbx_call_wait();
	phone_answer();
	cr_assert(pbx_has(1, "rx answer"), "%s", pbx_log(1));
	fault(1, "red");
	run(200);
	cr_assert(has("far:TERMINATED(200) "), "a BYE: %s", trail);
	cr_assert(strstr(far_reason, "Q.850;cause=41"), "Reason: %s", far_reason);
	fault(1, "clear");
	run(5000);
}
