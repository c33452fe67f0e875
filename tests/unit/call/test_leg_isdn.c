/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the ISDN leg (src/call/leg_isdn.c) under the call FSM, with
 * real libpri controllers on both sides.  Simulated switches (network side)
 * face the gateway's CPE controllers on in-memory D-channels:
 *
 *   switch A ══ span 1 (group in) ══ gateway ══ span 2, 3 (group out) ══ switches B, C
 *
 * A call from A is routed by a one-rule plan to group "out" and hunts
 * spans 2 then 3.  Virtual time throughout.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "call/call.h"
#include "call/cause.h"
#include "call/leg_isdn.h"
#include "call/limit.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "pstn/isdn_pipe.h"
#include "pstn/isdn_switch.h"
#include "call_fx.h"
#include "sg_test.h"

#define NSPANS 3

static const char plan[] = "[group in]\n[group out]\n"
			   "[rule in-to-out]\nfrom group in\nroute group out policy ascending\n";

static struct clk *clk;
static struct loop *loop;
static struct route_set *routes;
static struct cause_map *causes;
static struct call_env env;
static struct isdn_pipe *pipe_[NSPANS];
static struct isdn_simsw *sw[NSPANS];
static struct leg_isdn_span span[NSPANS];
static struct leg_isdn_group group_out;
static char media[512];
static unsigned n_ended;
static struct cdr last;

static int e_leg_create(struct call *call, const struct route_dest *dest, struct call_leg **legp,
			void *arg)
{
	(void)call;
	(void)arg;
	cr_assert_str_eq(dest->name, "out");
	return leg_isdn_create(&group_out, dest->policy, legp);
}

static void e_media(struct call *call, enum call_media what, void *arg)
{
	static const char *const names[] = { "connect", "ringback-on", "ringback-off", "stop" };
	(void)call;
	(void)arg;
	strcat(media, names[what]);
	strcat(media, " ");
}

static void e_ended(struct call *call, const struct cdr *rec, void *arg)
{
	(void)call;
	(void)arg;
	last = *rec;
	n_ended++;
}

static const struct call_env_ops env_ops = { .leg_create = e_leg_create, .media = e_media,
					      .ended = e_ended };

static void span_start(unsigned i, const char *script)
{
	struct isdn_conf net, cpe;
	isdn_conf_init(&net);
	net.role = ISDN_ROLE_NETWORK;
	snprintf(net.name, sizeof(net.name), "sw%u", i + 1);
	isdn_conf_init(&cpe);
	snprintf(cpe.name, sizeof(cpe.name), "s%u", i + 1);
	cr_assert_eq(isdn_pipe_alloc(&pipe_[i], loop, 2), 0);
	cr_assert_eq(isdn_simsw_alloc(&sw[i], loop, &net, &isdn_pipe_ops,
				      isdn_pipe_end(pipe_[i], 0)), 0);
	isdn_pipe_attach(pipe_[i], 0, isdn_simsw_ctrl(sw[i]));
	span[i] = (struct leg_isdn_span){ .env = &env, .number = i + 1, .accepting = true };
	strcpy(span[i].group, i == 0 ? "in" : "out");
	cr_assert_eq(isdn_ctrl_alloc(&span[i].ctrl, loop, &cpe, &isdn_pipe_ops,
				     isdn_pipe_end(pipe_[i], 1), &leg_isdn_handlers, &span[i]), 0);
	isdn_pipe_attach(pipe_[i], 1, span[i].ctrl);
	char err[160];
	cr_assert_eq(isdn_simsw_load(sw[i], "test.sw", script, err, sizeof(err)), 0, "%s", err);
}

static void start(const char *a, const char *b, const char *c)
{
	const char *scripts[NSPANS] = { a, b, c };
	for (unsigned i = 0; i < NSPANS; i++)
		span_start(i, scripts[i]);
	strcpy(group_out.name, "out");
	group_out.span[0] = &span[1];
	group_out.span[1] = &span[2];
	group_out.n = 2;
	loop_run_for(loop, 500 * NS_PER_MS); /* D-channels up */
	for (unsigned i = 0; i < NSPANS; i++)
		cr_assert(isdn_ctrl_is_up(span[i].ctrl), "span %u up", i + 1);
}

static void setup(void)
{
	sg_test_begin();
	log_capture_start();
	media[0] = '\0';
	n_ended = 0;
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	call_fx_load(&routes, "plan", plan, &causes);
	env = (struct call_env){ .loop = loop, .ops = &env_ops, .routes = routes,
				 .causes = causes, .t_noanswer = 30 * NS_PER_S, .node = "gw" };
}

static void teardown(void)
{
	loop_run_for(loop, 10 * NS_PER_MS);
	if (call_count() != 0) /* in .fini: Criterion would ignore an assertion */
		sg_fail_hard("calls left");
	for (unsigned i = 0; i < NSPANS; i++) {
		if (!pipe_[i])
			continue;
		isdn_pipe_attach(pipe_[i], 0, NULL);
		isdn_pipe_attach(pipe_[i], 1, NULL);
		span[i].ctrl = mem_deref(span[i].ctrl);
		sw[i] = mem_deref(sw[i]);
		pipe_[i] = mem_deref(pipe_[i]);
	}
	mem_deref(routes);
	mem_deref(causes);
	sg_loop_check(loop);
	mem_deref(loop);
	mem_deref(clk);
	log_capture_stop();
	sg_test_end();
}

TestSuite(leg_isdn, .init = setup, .fini = teardown);

static bool sw_has(unsigned i, const char *needle)
{
	return strstr(isdn_simsw_log(sw[i]), needle) != NULL;
}

Test(leg_isdn, call_through_the_gateway_and_the_caller_hangs_up)
{
	start("call 2001234 from 100 at 1s then wait 5s hangup 16\n", "on * proceeding alert inband wait 2s answer never\n", "");
	loop_run_for(loop, 10 * NS_PER_S);
	cr_assert(sw_has(1, "rx setup 2001234 from 100"), "%s", isdn_simsw_log(sw[1]));
	cr_assert(sw_has(0, "rx alerting pi 8"), "%s", isdn_simsw_log(sw[0]));
	cr_assert(sw_has(0, "rx answer"), "%s", isdn_simsw_log(sw[0]));
	cr_assert(sw_has(1, "rx hangup 16"), "%s", isdn_simsw_log(sw[1]));
	cr_assert_str_eq(media, "connect stop ");
	cr_assert_eq(n_ended, 1);
	cr_assert_eq(last.q850_cause, 16);
	cr_assert_eq(last.span, 2, "the outgoing leg's span");
	cr_assert_eq(last.end - last.answer, 5 * NS_PER_S);
	cr_assert_str_eq(last.rule, "in-to-out");
}

Test(leg_isdn, busy_far_end_reaches_the_caller_as_17)
{
	start("call 2001234 from 100 at 1s\n", "on * proceeding reject 17\n", "");
	loop_run_for(loop, 5 * NS_PER_S);
	cr_assert(sw_has(0, "rx hangup 17"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_eq(n_ended, 1);
	cr_assert_eq(last.sip_status, 486, "the table's status goes in the CDR");
}

/* Alerting without in-band information: the gateway's own ringback, and
 * ALERTING with PI 8 toward the caller. */
Test(leg_isdn, ringback_is_local_when_the_far_end_gives_none)
{
	start("call 2001234 from 100 at 1s\n", "on * proceeding alert never\n", "");
	loop_run_for(loop, 3 * NS_PER_S);
	cr_assert(sw_has(0, "rx alerting pi 8"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_str_eq(media, "ringback-on ");
	loop_run_for(loop, 30 * NS_PER_S); /* T_NA */
	cr_assert(sw_has(0, "rx hangup 19"), "%s", isdn_simsw_log(sw[0]));
	cr_assert(sw_has(1, "rx hangup 19"), "%s", isdn_simsw_log(sw[1]));
}

/* The first span of the group is down: the call hunts to the second. */
Test(leg_isdn, hunting_skips_a_span_that_is_down)
{
	start("call 2001234 from 100 at 1s then wait 1s hangup 16\n", "on * answer never\n",
	      "on * proceeding answer never\n");
	isdn_pipe_set_up(pipe_[1], false);
	isdn_ctrl_link_down(span[1].ctrl);
	loop_run_for(loop, 5 * NS_PER_S);
	cr_assert_not(sw_has(1, "rx setup"), "%s", isdn_simsw_log(sw[1]));
	cr_assert(sw_has(2, "rx setup 2001234"), "%s", isdn_simsw_log(sw[2]));
	cr_assert(sw_has(0, "rx answer"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_eq(last.span, 3);
}

/* The outgoing span loses its D-channel mid-call: the caller gets 41. */
Test(leg_isdn, dchannel_loss_mid_call_clears_with_41)
{
	start("call 2001234 from 100 at 1s\n", "on * proceeding answer never\n", "");
	loop_run_for(loop, 2 * NS_PER_S);
	cr_assert(sw_has(0, "rx answer"), "%s", isdn_simsw_log(sw[0]));
	isdn_ctrl_link_down(span[1].ctrl);
	loop_run_for(loop, 2 * NS_PER_S);
	cr_assert(sw_has(0, "rx hangup 41"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_eq(last.q850_cause, 41);
	isdn_ctrl_link_up(span[1].ctrl);
}

/* The first span of the group is at its max_calls: the call hunts on to
 * the second, as for a full span, and that span's count holds it. */
Test(leg_isdn, hunting_skips_a_span_at_its_limit)
{
	struct call_limit *l2, *l3;
	cr_assert_eq(call_limit_alloc(&l2), 0);
	cr_assert_eq(call_limit_alloc(&l3), 0);
	call_limit_set(l2, 1, 0);
	cr_assert_eq(call_limit_admit(l2, false, 0, NULL), 0); /* a call already on it */
	start("call 2001234 from 100 at 1s then wait 1s hangup 16\n", "on * answer never\n",
	      "on * proceeding answer never\n");
	span[1].limit = l2;
	span[2].limit = l3;
	loop_run_for(loop, 1500 * NS_PER_MS);
	cr_assert_not(sw_has(1, "rx setup"), "%s", isdn_simsw_log(sw[1]));
	cr_assert(sw_has(2, "rx setup 2001234"), "%s", isdn_simsw_log(sw[2]));
	cr_assert_eq(l2->refused[1], 1);
	cr_assert_eq(l3->total[1], 1);
	loop_run_for(loop, 3 * NS_PER_S);
	cr_assert_eq(l3->calls[1], 0, "given back when the call ended");
	cr_assert_eq(last.span, 3);
	span[1].limit = span[2].limit = NULL;
	mem_deref(l2);
	mem_deref(l3);
}

/* The first span's far end releases with congestion (34) before it rings:
 * the call hunts on to the group's next span and the caller never hears
 * of it.  After ringing, a release is the caller's business. */
Test(leg_isdn, congestion_before_ringing_hunts_to_the_next_span)
{
	start("call 2001234 from 100 at 1s then wait 1s hangup 16\n",
	      "on * proceeding reject 34\n", "on * proceeding answer never\n");
	loop_run_for(loop, 1500 * NS_PER_MS);
	cr_assert(sw_has(1, "rx setup 2001234"), "%s", isdn_simsw_log(sw[1]));
	cr_assert(sw_has(2, "rx setup 2001234"), "%s", isdn_simsw_log(sw[2]));
	cr_assert(sw_has(0, "rx answer"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_not(sw_has(0, "rx hangup 34"), "%s", isdn_simsw_log(sw[0]));
	cr_assert(log_capture_has("span 2: cause 34, the call goes on span 3"), "%s", log_capture_text());
	loop_run_for(loop, 3 * NS_PER_S);
	cr_assert_eq(last.span, 3);
	cr_assert_eq(last.q850_cause, 16);
}

Test(leg_isdn, congestion_after_ringing_reaches_the_caller)
{
	start("call 2001234 from 100 at 1s\n", "on * proceeding alert wait 1s hangup 34\n",
	      "on * proceeding answer never\n");
	loop_run_for(loop, 4 * NS_PER_S);
	cr_assert(sw_has(0, "rx hangup 34"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_not(sw_has(2, "rx setup"), "%s", isdn_simsw_log(sw[2]));
	cr_assert_eq(n_ended, 1);
}

/* Every span of the group at its limit: congestion (34) for the caller. */
Test(leg_isdn, a_group_at_its_limits_is_congestion)
{
	struct call_limit *l;
	cr_assert_eq(call_limit_alloc(&l), 0);
	call_limit_set(l, 1, 0);
	cr_assert_eq(call_limit_admit(l, true, 0, NULL), 0); /* both spans share it: full */
	start("call 2001234 from 100 at 1s\n", "on * answer never\n", "on * answer never\n");
	span[1].limit = span[2].limit = l;
	loop_run_for(loop, 1200 * NS_PER_MS);
	cr_assert(sw_has(0, "rx hangup 34"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_eq(l->refused[1], 2, "both spans refused it");
	span[1].limit = span[2].limit = NULL;
	mem_deref(l);
}

/* An incoming SETUP over its span's limits is refused at once: 34 over
 * max_calls, 42 over max_cps (Q.850 §2.2.7.1); no call is made. */
Test(leg_isdn, incoming_over_the_span_limit_is_refused)
{
	struct call_limit *l;
	cr_assert_eq(call_limit_alloc(&l), 0);
	call_limit_set(l, 1, 0);
	cr_assert_eq(call_limit_admit(l, true, 0, NULL), 0);
	start("call 2001234 from 100 at 1s\n", "on * answer never\n", "");
	span[0].limit = l;
	loop_run_for(loop, 3 * NS_PER_S);
	cr_assert(sw_has(0, "rx hangup 34"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_not(sw_has(1, "rx setup"), "the refusal never reaches the far side");
	cr_assert_eq(n_ended, 0, "no call was made");
	cr_assert_eq(l->refused[0], 1);
	span[0].limit = NULL;
	mem_deref(l);
}

/* Shutting down: new calls are refused with 42. */
Test(leg_isdn, a_span_not_accepting_refuses_with_42)
{
	start("call 2001234 from 100 at 1s\n", "on * answer never\n", "");
	span[0].accepting = false;
	loop_run_for(loop, 3 * NS_PER_S);
	cr_assert(sw_has(0, "rx hangup 42"), "%s", isdn_simsw_log(sw[0]));
	cr_assert_eq(n_ended, 0, "no call was made");
}

static struct call *seen;

static void where(const struct call *call, void *arg)
{
	unsigned *got = arg;
	seen = (struct call *)(uintptr_t)call;
	int chan = 0;
	cr_assert(leg_isdn_where(call_leg_in(call), &got[0], &chan));
	got[1] = (unsigned)chan;
	cr_assert(leg_isdn_where(call_leg_out(call), &got[2], &chan));
	got[3] = (unsigned)chan;
}

Test(leg_isdn, where_the_b_channels_are)
{
	start("call 2001234 from 100 at 1s\n", "on * proceeding answer never\n", "");
	loop_run_for(loop, 2 * NS_PER_S);
	cr_assert_eq(call_count(), 1);
	unsigned got[4] = { 0 };
	call_foreach(where, got);
	cr_assert_eq(got[0], 1, "incoming on span 1");
	cr_assert_eq(got[2], 2, "outgoing on span 2");
	cr_assert(got[1] >= 1 && got[1] <= 31 && got[1] != 16, "a B-channel: %u", got[1]);
	cr_assert(got[3] >= 1 && got[3] <= 31 && got[3] != 16, "a B-channel: %u", got[3]);
	struct call_leg fake = { 0 };
	unsigned s;
	int c;
	cr_assert_not(leg_isdn_where(&fake, &s, &c), "not an ISDN leg");
	cr_assert_eq(call_find(call_id(seen)), seen);
	call_hangup(seen, 16);
	loop_run_for(loop, 1 * NS_PER_S);
	cr_assert(sw_has(0, "rx hangup 16") && sw_has(1, "rx hangup 16"));
}
