/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the ISDN call FSM over two controllers back to back (network
 * and CPE, PRI E1) on virtual time.  Named by use case; each walks the
 * Q.931 states on both ends.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "isdn_b2b.h"
#include "pstn/isdn_int.h"
#include "sg_test.h"

static struct b2b b;
#define NET (&b.side[0])
#define CPE (&b.side[1])
#define MS  NS_PER_MS

static void setup(void)
{
	b2b_test_begin(&b);
}

static void teardown(void)
{
	b2b_test_end(&b);
}

TestSuite(isdn_call, .init = setup, .fini = teardown);

#define cr_state(call, st) cr_assert_str_eq(isdn_call_state(call), st)

Test(isdn_call, fsm_definition_is_consistent)
{
	cr_assert_eq(fsm_def_check(&isdn_call_fsm), 0);
}

/* Walk one call from `from` to the other side: every state on the way. */
static void basic_call(unsigned from, bool caller_clears)
{
	struct b2b_side *a = &b.side[from], *z = &b.side[!from];
	z->mode = B2B_NOTHING;
	cr_assert_eq(b2b_call(&b, from, "200", "100", true), 0);
	struct isdn_call *out = a->call;
	cr_state(out, "CALL_INIT");
	b2b_run(&b, 50 * MS);
	cr_assert_eq(z->incomings, 1);
	struct isdn_call *in = z->call;
	cr_state(in, "CALL_PRESENT");
	cr_assert_str_eq(z->setup.called.digits, "200");
	cr_assert_eq(z->setup.called.ton, 2);
	cr_assert_eq(z->setup.called.npi, 1);
	cr_assert_str_eq(z->setup.calling.digits, "100");
	cr_assert_eq(z->setup.calling.screen, 3);
	if (z->conf.sw == ISDN_SW_EUROISDN_E1)
		cr_assert(z->setup.complete, "sending complete (not used in North America)");
	cr_assert_eq(z->setup.chan, 1);
	cr_assert_eq(isdn_call_proceeding(in, false), 0);
	cr_state(in, "IN_PROCEEDING");
	b2b_run(&b, 50 * MS);
	cr_state(out, "OUT_PROCEEDING");
	cr_assert_eq(isdn_call_alert(in, true), 0);
	cr_state(in, "CALL_RECEIVED");
	b2b_run(&b, 50 * MS);
	cr_state(out, "CALL_DELIVERED");
	cr_assert(b2b_has(a, "alerting c1 pi=8;"));
	cr_assert_eq(isdn_call_answer(in), 0);
	b2b_run(&b, 50 * MS);
	cr_state(out, "ACTIVE");
	cr_state(in, "ACTIVE");
	cr_assert_eq(a->answers, 1);
	/* 3 minutes of conversation cost nothing on virtual time */
	b2b_run(&b, 180 * NS_PER_S);
	cr_state(in, "ACTIVE");
	struct b2b_side *clr = caller_clears ? a : z, *oth = caller_clears ? z : a;
	cr_assert_eq(isdn_call_hangup(clr->call, 16), 0);
	clr->call = NULL;
	b2b_run(&b, 50 * MS);
	cr_assert_eq(oth->hangups, 1);
	cr_assert_eq(oth->last_cause, 16);
	cr_assert_eq(clr->hangups, 0, "the side that hung up hears nothing back");
	cr_assert_eq(isdn_ctrl_ncalls(a->ctrl), 0);
	cr_assert_eq(isdn_ctrl_ncalls(z->ctrl), 0);
}

Test(isdn_call, cpe_to_network_answered_caller_clears)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	basic_call(1, true);
}

Test(isdn_call, cpe_to_network_answered_callee_clears)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	basic_call(1, false);
}

Test(isdn_call, network_to_cpe_answered_caller_clears)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	basic_call(0, true);
}

Test(isdn_call, network_to_cpe_answered_callee_clears_t1_ni2)
{
	b2b_start(&b, ISDN_PRI_T1, ISDN_SW_NI2, 2);
	basic_call(0, false);
}

Test(isdn_call, every_switch_type_carries_a_call)
{
	static const enum isdn_switch sws[] = {
	    ISDN_SW_EUROISDN_E1, ISDN_SW_EUROISDN_T1, ISDN_SW_NI2, ISDN_SW_DMS100,
	    ISDN_SW_4ESS,	 ISDN_SW_5ESS,	      ISDN_SW_QSIG};
	for (size_t i = 0; i < sizeof(sws) / sizeof(sws[0]); i++) {
		bool t1 = sws[i] != ISDN_SW_EUROISDN_E1 && sws[i] != ISDN_SW_QSIG;
		b2b_start(&b, t1 ? ISDN_PRI_T1 : ISDN_PRI_E1, sws[i], 2);
		NET->mode = B2B_ANSWER;
		cr_assert_eq(b2b_call(&b, 1, "555", "100", true), 0, "%s",
			     isdn_switch_name(sws[i]));
		b2b_run(&b, 100 * MS);
		cr_assert_eq(CPE->answers, 1, "%s", isdn_switch_name(sws[i]));
		isdn_call_hangup(CPE->call, 16);
		b2b_run(&b, 100 * MS);
		cr_assert_eq(NET->hangups, 1, "%s", isdn_switch_name(sws[i]));
		b2b_stop(&b);
		memset(&b, 0, sizeof(b));
	}
}

/* Every cause a callee may reject with reaches the caller unchanged. */
static void reject_causes(unsigned from)
{
	static const unsigned causes[] = {1,  3,  17, 18, 19, 21, 22, 27, 28, 31, 34,  38,
					  41, 42, 44, 47, 50, 57, 58, 63, 65, 88, 111, 127};
	struct b2b_side *a = &b.side[from], *z = &b.side[!from];
	z->mode = B2B_REJECT;
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
		z->reject_cause = causes[i];
		a->hangups = 0;
		cr_assert_eq(b2b_call(&b, from, "200", "100", true), 0);
		b2b_run(&b, 100 * MS);
		cr_assert_eq(a->hangups, 1, "cause %u", causes[i]);
		cr_assert_eq(a->last_cause, causes[i]);
		cr_assert_eq(isdn_ctrl_ncalls(a->ctrl), 0);
		cr_assert_eq(isdn_ctrl_ncalls(z->ctrl), 0, "cause %u", causes[i]);
	}
}

Test(isdn_call, rejected_with_each_cause_network_to_cpe)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	reject_causes(0);
}

Test(isdn_call, rejected_with_each_cause_cpe_to_network)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	reject_causes(1);
}

Test(isdn_call, busy_after_proceeding_carries_location)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	NET->mode = B2B_PROCEED;
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 50 * MS);
	cr_state(CPE->call, "OUT_PROCEEDING");
	cr_assert_eq(isdn_call_hangup(NET->call, 17), 0);
	b2b_run(&b, 50 * MS);
	cr_assert_eq(CPE->last_cause, 17);
	/* libpri writes location 1 into every cause it sends */
	cr_assert_eq(CPE->last_loc, ISDN_LOC_PRIV_LOCAL);
}

Test(isdn_call, no_answer_while_ringing)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	CPE->mode = B2B_ALERT;
	cr_assert_eq(b2b_call(&b, 0, "200", "100", true), 0);
	b2b_run(&b, 30 * NS_PER_S);
	cr_state(NET->call, "CALL_DELIVERED");
	cr_assert_eq(isdn_call_hangup(CPE->call, 19), 0);
	b2b_run(&b, 50 * MS);
	cr_assert_eq(NET->last_cause, 19);
	cr_assert_eq(NET->last_loc, ISDN_LOC_PRIV_LOCAL);
}

Test(isdn_call, caller_abandons_while_ringing)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	NET->mode = B2B_ALERT;
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 50 * MS);
	cr_assert_eq(isdn_call_hangup(CPE->call, 16), 0);
	b2b_run(&b, 50 * MS);
	cr_assert_eq(NET->hangups, 1);
	cr_assert_eq(NET->last_cause, 16);
}

Test(isdn_call, caller_abandons_before_any_answer)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	cr_assert_eq(isdn_call_hangup(CPE->call, 16), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 0);
	cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 0);
}

Test(isdn_call, progress_with_inband_audio)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	CPE->mode = B2B_PROGRESS;
	cr_assert_eq(b2b_call(&b, 0, "200", "100", true), 0);
	b2b_run(&b, 50 * MS);
	cr_assert(b2b_has(NET, "progress c1 pi=8;"), "%s", NET->log);
	cr_state(NET->call, "OUT_PROCEEDING");
	cr_assert_eq(isdn_call_answer(CPE->call), 0);
	b2b_run(&b, 50 * MS);
	cr_state(NET->call, "ACTIVE");
	isdn_call_hangup(NET->call, 16);
	b2b_run(&b, 50 * MS);
}

Test(isdn_call, unanswered_setup_times_out)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	CPE->mode = B2B_NOTHING;
	cr_assert_eq(b2b_call(&b, 0, "200", "100", true), 0);
	b2b_run(&b, 20 * NS_PER_S); /* T303 twice */
	cr_assert_eq(NET->hangups, 1, "%s", NET->log);
	cr_assert(NET->last_cause == 102 || NET->last_cause == 18, "cause %u", NET->last_cause);
	isdn_call_hangup(CPE->call, 16);
	b2b_run(&b, 20 * NS_PER_S);
}

Test(isdn_call, requests_out_of_state_are_refused)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	cr_assert_eq(isdn_call_answer(CPE->call), EPERM, "an outgoing call cannot answer");
	cr_assert_eq(isdn_call_alert(CPE->call, false), EPERM);
	cr_assert_eq(isdn_call_info(CPE->call, "1"), EPERM, "no overlap sending in CALL_INIT");
	cr_assert_eq(isdn_call_hangup(CPE->call, 0), EINVAL);
	cr_assert_eq(isdn_call_hangup(CPE->call, 16), 0);
	b2b_run(&b, 100 * MS);
}

Test(isdn_call, no_call_without_d_channel_or_channel)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	for (int c = 1; c <= 31; c++)
		if (c != 16)
			isdn_ctrl_chan_maint(CPE->ctrl, c, true);
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), EBUSY);
	cr_assert_eq(isdn_ctrl_chan_maint(CPE->ctrl, 16, true), EINVAL, "16 is the D-channel");
	cr_assert(!isdn_ctrl_chan_exists(CPE->ctrl, 16) && !isdn_ctrl_chan_exists(CPE->ctrl, 0) &&
		  !isdn_ctrl_chan_exists(CPE->ctrl, 32));
	cr_assert(isdn_ctrl_chan_exists(CPE->ctrl, 31) && isdn_ctrl_chan_oos(CPE->ctrl, 31));
	cr_assert(!isdn_ctrl_chan_oos(NET->ctrl, 31), "no SERVICE on EuroISDN: ours alone");
	isdn_ctrl_link_down(CPE->ctrl);
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), ENOTCONN);
	isdn_ctrl_link_up(CPE->ctrl);
}

/* Q.931 §5.1.3 and §5.2.4: overlap sending and receiving. */
static void start_overlap(void)
{
	b2b_prepare(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	NET->conf.overlap = CPE->conf.overlap = true;
	b2b_start_conf(&b, 2);
}

Test(isdn_call, overlap_sending_and_receiving)
{
	start_overlap();
	cr_assert_eq(b2b_call(&b, 1, "12", "100", false), 0);
	b2b_run(&b, 50 * MS);
	cr_assert_eq(NET->incomings, 1);
	cr_assert(!NET->setup.complete);
	cr_state(NET->call, "OVERLAP_RECEIVING");
	cr_state(CPE->call, "OVERLAP_SENDING");
	cr_assert(b2b_has(CPE, "setup_ack c1"), "%s", CPE->log);
	cr_assert_eq(isdn_call_info(CPE->call, "34"), 0);
	b2b_run(&b, 10 * NS_PER_S); /* under T302 */
	cr_assert(b2b_has(NET, "digits '3';digits '4';"), "%s", NET->log);
	cr_state(NET->call, "OVERLAP_RECEIVING");
	cr_assert_eq(isdn_call_proceeding(NET->call, false), 0);
	b2b_run(&b, 50 * MS);
	cr_state(CPE->call, "OUT_PROCEEDING");
	cr_assert_eq(isdn_call_answer(NET->call), 0);
	b2b_run(&b, 50 * MS);
	cr_state(CPE->call, "ACTIVE");
	cr_assert_eq(isdn_call_hangup(CPE->call, 16), 0);
	b2b_run(&b, 50 * MS);
	cr_assert_eq(NET->last_cause, 16);
}

Test(isdn_call, overlap_t302_expiry_clears_with_cause_28)
{
	start_overlap();
	cr_assert_eq(b2b_call(&b, 1, "12", "100", false), 0);
	b2b_run(&b, 5 * NS_PER_S);
	cr_assert_eq(isdn_call_info(CPE->call, "3"), 0);
	b2b_run(&b, 14 * NS_PER_S); /* T302 restarted by the digit */
	cr_state(NET->call, "OVERLAP_RECEIVING");
	b2b_run(&b, 2 * NS_PER_S);
	cr_assert(b2b_has(NET, "digits '' timeout;"), "%s", NET->log);
	cr_assert_eq(NET->last_cause, 28);
	cr_assert_eq(CPE->last_cause, 28);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 0);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 0);
}

Test(isdn_call, overlap_digits_complete_the_number)
{
	start_overlap();
	NET->hangup_on_digits_timeout = true;
	cr_assert_eq(b2b_call(&b, 0, "5", "100", false), 0);
	b2b_run(&b, 50 * MS);
	cr_state(CPE->call, "OVERLAP_RECEIVING");
	cr_assert_eq(isdn_call_info(NET->call, "55"), 0);
	b2b_run(&b, 50 * MS);
	cr_assert_eq(isdn_call_alert(CPE->call, false), 0);
	b2b_run(&b, 50 * MS);
	cr_state(NET->call, "CALL_DELIVERED");
	isdn_call_hangup(NET->call, 16);
	b2b_run(&b, 50 * MS);
}

/* Q.931 §5.7.1: both ends pick channel 1 at once. */
static void glare(bool cpe_exclusive)
{
	b2b_prepare(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	CPE->conf.exclusive = cpe_exclusive;
	b2b_start_conf(&b, 2);
	NET->mode = CPE->mode = B2B_ANSWER;
	cr_assert_eq(b2b_call(&b, 0, "200", "100", true), 0);
	struct isdn_call *net_out = NET->call;
	cr_assert_eq(b2b_call(&b, 1, "300", "200", true), 0);
	struct isdn_call *cpe_out = CPE->call;
	cr_assert_eq(isdn_call_chan(net_out), 1);
	cr_assert_eq(isdn_call_chan(cpe_out), 1);
	b2b_run(&b, 100 * MS);
	struct isdn_call *cpe_in = isdn_ctrl_chan_call(CPE->ctrl, 1);
	cr_assert(cpe_in && !isdn_call_outgoing(cpe_in), "the network's call has channel 1");
	cr_state(net_out, "ACTIVE");
	if (cpe_exclusive) {
		cr_assert_eq(CPE->hangups, 1);
		cr_assert_eq(CPE->last_cause, 44);
		cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 1);
	} else {
		cr_state(cpe_out, "ACTIVE");
		cr_assert_eq(isdn_call_chan(cpe_out), 2, "moved to channel 2");
		cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 2);
		isdn_call_hangup(cpe_out, 16);
	}
	isdn_call_hangup(net_out, 16);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 0);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 0);
}

Test(isdn_call, glare_preferred_channel_is_moved)
{
	glare(false);
}

Test(isdn_call, glare_exclusive_channel_is_refused_with_44)
{
	glare(true);
}

static int call_chan_once(unsigned from)
{
	struct b2b_side *a = &b.side[from];
	cr_assert_eq(b2b_call(&b, from, "200", "100", true), 0);
	int c = isdn_call_chan(a->call);
	b2b_run(&b, 50 * MS);
	isdn_call_hangup(a->call, 16);
	b2b_run(&b, 50 * MS);
	return c;
}

Test(isdn_call, channel_selection_policies)
{
	b2b_prepare(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	NET->conf.chansel = ISDN_CHANSEL_DESC;
	CPE->conf.chansel = ISDN_CHANSEL_RR;
	b2b_start_conf(&b, 2);
	NET->mode = CPE->mode = B2B_ANSWER;
	cr_assert_eq(call_chan_once(0), 31);
	cr_assert_eq(call_chan_once(0), 31);
	cr_assert_eq(CPE->setup.chan, 31);
	cr_assert_eq(call_chan_once(1), 1);
	cr_assert_eq(call_chan_once(1), 2);
	isdn_ctrl_chan_maint(CPE->ctrl, 3, true);
	cr_assert_eq(call_chan_once(1), 4, "3 is out of service");
	isdn_ctrl_chan_maint(NET->ctrl, 31, true);
	cr_assert_eq(call_chan_once(0), 30);
}

Test(isdn_call, incoming_on_channel_out_of_service_is_refused)
{
	b2b_prepare(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	CPE->conf.exclusive = true;
	b2b_start_conf(&b, 2);
	NET->mode = B2B_ANSWER;
	isdn_ctrl_chan_maint(NET->ctrl, 1, true);
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(CPE->last_cause, 44);
	cr_assert_eq(NET->incomings, 0);
}

/* NI2: SERVICE messages take a channel out of service at both ends. */
Test(isdn_call, service_message_takes_channel_out_of_service_ni2)
{
	b2b_start(&b, ISDN_PRI_T1, ISDN_SW_NI2, 2);
	NET->mode = CPE->mode = B2B_ANSWER;
	cr_assert_eq(isdn_ctrl_chan_maint(NET->ctrl, 1, true), 0);
	b2b_run(&b, 100 * MS);
	cr_assert(isdn_ctrl_chan_oos(NET->ctrl, 1));
	cr_assert(isdn_ctrl_chan_oos(CPE->ctrl, 1), "the far end's SERVICE counts");
	cr_assert(!isdn_ctrl_chan_oos(CPE->ctrl, 2));
	cr_assert(isdn_ctrl_chan_exists(CPE->ctrl, 23));
	cr_assert(!isdn_ctrl_chan_exists(CPE->ctrl, 24), "T1: 24 is the D-channel");
	cr_assert(!isdn_ctrl_chan_oos(CPE->ctrl, 24));
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	cr_assert_eq(isdn_call_chan(CPE->call), 2, "the CPE heard SERVICE for channel 1");
	b2b_run(&b, 100 * MS);
	cr_assert_eq(CPE->answers, 1);
	cr_assert_eq(isdn_ctrl_chan_call(CPE->ctrl, 2), CPE->call);
	cr_assert_null(isdn_ctrl_chan_call(CPE->ctrl, 3));
	isdn_call_hangup(CPE->call, 16);
	cr_assert_eq(isdn_ctrl_chan_maint(NET->ctrl, 1, false), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	cr_assert_eq(isdn_call_chan(CPE->call), 1, "back in service");
	b2b_run(&b, 100 * MS);
	isdn_call_hangup(CPE->call, 16);
	b2b_run(&b, 100 * MS);
}

Test(isdn_call, redirecting_number_and_bearer_pass_through)
{
	b2b_start(&b, ISDN_PRI_T1, ISDN_SW_5ESS, 2);
	struct isdn_call_prm prm = {.complete = true, .redirect_reason = 1};
	snprintf(prm.called.digits, sizeof(prm.called.digits), "2125551212");
	prm.called.ton = 2;
	prm.called.npi = 1;
	snprintf(prm.calling.digits, sizeof(prm.calling.digits), "3035550000");
	prm.calling.pres = 1;
	snprintf(prm.redirecting.digits, sizeof(prm.redirecting.digits), "4155550000");
	prm.redirecting.ton = 2;
	prm.redirecting.npi = 1;
	cr_assert_eq(isdn_call_place(NET->ctrl, &NET->call, &prm, NULL), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(CPE->incomings, 1);
	cr_assert_str_eq(CPE->setup.redirecting.digits, "4155550000");
	cr_assert_eq(CPE->setup.redirect_reason, 1);
	cr_assert_eq(CPE->setup.calling.pres, 1);
	cr_assert_eq(CPE->setup.bearer_cap, 0, "speech");
	cr_assert_eq(CPE->setup.bearer_l1, 0x22, "mu-law on T1");
	isdn_call_hangup(CPE->call, 21);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(NET->last_cause, 21);
}
