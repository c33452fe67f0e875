/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: ISDN controllers on TDM spans (isdn_tdm.c) through
 * drivers/dahdi on the simulated DAHDI (sim/): two E1 spans crossed back to
 * back, network on span 1, CPE on span 2.  Calls both ways, a span alarm
 * mid-call and a D-channel failure mid-call (cause 41, then recovery).
 */
#include "tests/unit/sim/simtest.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"
#include "isdn_b2b.h"

static struct simtest t;
static struct isdn_tdm *span[2];
static struct b2b_side side[2];
#define NET (&side[0])
#define CPE (&side[1])

static void setup(void)
{
	b2b_log_levels();
	simtest_init(&t, SIMTEST_CONF, 0);
	simtest_cross12(&t);
	memset(side, 0, sizeof(side));
	for (unsigned i = 0; i < 2; i++) {
		struct isdn_conf c;
		isdn_conf_init(&c);
		snprintf(c.name, sizeof(c.name), "s%u", i + 1);
		c.role = i ? ISDN_ROLE_CPE : ISDN_ROLE_NETWORK;
		cr_assert_eq(isdn_tdm_open(&span[i], t.tdm, i + 1, &c, &b2b_handlers, &side[i]), 0);
		side[i].ctrl = isdn_tdm_ctrl(span[i]);
	}
	simtest_run_ms(&t, 3000);
	cr_assert(isdn_ctrl_is_up(NET->ctrl) && isdn_ctrl_is_up(CPE->ctrl), "D-channel up");
}

static void teardown(void)
{
	span[0] = mem_deref(span[0]);
	span[1] = mem_deref(span[1]);
	simtest_fini(&t);
}

TestSuite(isdn_tdm, .init = setup, .fini = teardown);

static int place(struct b2b_side *s, const char *called)
{
	struct isdn_call_prm prm = {.complete = true};
	snprintf(prm.called.digits, sizeof(prm.called.digits), "%s", called);
	snprintf(prm.calling.digits, sizeof(prm.calling.digits), "100");
	return isdn_call_place(s->ctrl, &s->call, &prm, s);
}

static void answered_call(struct b2b_side *from, struct b2b_side *to)
{
	to->mode = B2B_ANSWER;
	from->answers = 0;
	cr_assert_eq(place(from, "200"), 0);
	simtest_run_ms(&t, 200);
	cr_assert_eq(from->answers, 1, "%s", from->log);
}

Test(isdn_tdm, calls_both_ways_over_crossed_spans)
{
	answered_call(CPE, NET);
	struct isdn_call *first = CPE->call;
	cr_assert_str_eq(NET->setup.called.digits, "200");
	cr_assert_eq(isdn_call_chan(NET->call), 1);
	answered_call(NET, CPE);
	cr_assert_eq(isdn_call_chan(CPE->call), 2, "channel 1 is busy");
	isdn_call_hangup(first, 16);	 /* the CPE clears the first */
	isdn_call_hangup(NET->call, 16); /* the network the second */
	simtest_run_ms(&t, 200);
	cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 0);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 0);
}

Test(isdn_tdm, span_alarm_mid_call_clears_with_41)
{
	answered_call(CPE, NET);
	cr_assert_eq(sim_span_alarm(sim_span_find(t.sim, 2), DAHDI_ALARM_RED), 0);
	simtest_run_ms(&t, 100);
	cr_assert_eq(CPE->last_cause, 41, "%s", CPE->log);
	cr_assert_eq(NET->last_cause, 41, "the far end sees YELLOW: %s", NET->log);
	cr_assert_eq(sim_span_alarm(sim_span_find(t.sim, 2), 0), 0);
	simtest_run_ms(&t, 30000);
	cr_assert(isdn_ctrl_is_up(NET->ctrl) && isdn_ctrl_is_up(CPE->ctrl));
	answered_call(NET, CPE);
	isdn_call_hangup(NET->call, 16);
	simtest_run_ms(&t, 200);
}

Test(isdn_tdm, d_channel_failure_mid_call_clears_with_41)
{
	answered_call(NET, CPE);
	cr_assert_eq(sim_span_dchan(sim_span_find(t.sim, 1), false), 0);
	simtest_run_ms(&t, 60000);
	cr_assert_eq(CPE->last_cause, 41, "%s", CPE->log);
	cr_assert_eq(NET->last_cause, 41, "%s", NET->log);
	cr_assert_geq(NET->link_downs, 1);
	cr_assert_eq(sim_span_dchan(sim_span_find(t.sim, 1), true), 0);
	simtest_run_ms(&t, 30000);
	cr_assert(isdn_ctrl_is_up(NET->ctrl) && isdn_ctrl_is_up(CPE->ctrl));
	answered_call(CPE, NET);
	isdn_call_hangup(CPE->call, 16);
	simtest_run_ms(&t, 200);
}
