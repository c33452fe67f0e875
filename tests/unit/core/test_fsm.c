/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: core/fsm.  A toy call half: NULL → CALLING (T303) →
 * ACTIVE → NULL, plus an all-state DCHAN_DOWN event.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "core/clock.h"
#include "core/fsm.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sg_test.h"

enum { S_NULL, S_CALLING, S_ACTIVE };
enum { E_SETUP, E_CONNECT, E_RELEASE, E_DCHAN_DOWN };
enum { T303, T_IDLE };

struct toy {
	unsigned actions, enters, leaves, expiries;
	int last_timer;
};

static void toy_action(struct fsm_inst *fi, unsigned event, void *data)
{
	struct toy *t = fi->priv;
	(void)data;
	t->actions++;
	switch (event) {
	case E_SETUP:
		fsm_state_chg(fi, S_CALLING, T303);
		break;
	case E_CONNECT:
		fsm_state_chg(fi, S_ACTIVE, FSM_NO_TIMER);
		break;
	case E_RELEASE:
		fsm_state_chg(fi, S_NULL, FSM_NO_TIMER);
		break;
	}
}

static void toy_allstate(struct fsm_inst *fi, unsigned event, void *data)
{
	(void)event;
	(void)data;
	if (fi->state != S_NULL)
		fsm_state_chg(fi, S_NULL, FSM_NO_TIMER);
}

static void toy_enter(struct fsm_inst *fi, unsigned prev)
{
	(void)prev;
	((struct toy *)fi->priv)->enters++;
}

static void toy_leave(struct fsm_inst *fi, unsigned next)
{
	(void)next;
	((struct toy *)fi->priv)->leaves++;
}

static void toy_timer(struct fsm_inst *fi, unsigned timer)
{
	struct toy *t = fi->priv;
	t->expiries++;
	t->last_timer = (int)timer;
	if (timer == T303)
		fsm_state_chg(fi, S_NULL, FSM_NO_TIMER);
}

static const struct fsm_state toy_states[] = {
	[S_NULL] = { "NULL", FSM_BIT(E_SETUP), FSM_BIT(S_CALLING), toy_action, toy_enter,
		     toy_leave },
	[S_CALLING] = { "CALLING", FSM_BIT(E_CONNECT) | FSM_BIT(E_RELEASE),
			FSM_BIT(S_ACTIVE) | FSM_BIT(S_NULL) | FSM_BIT(S_CALLING), toy_action,
			toy_enter, toy_leave },
	[S_ACTIVE] = { "ACTIVE", FSM_BIT(E_RELEASE), FSM_BIT(S_NULL), toy_action, toy_enter,
		       toy_leave },
};
static const char *const toy_events[] = { "SETUP", "CONNECT", "RELEASE", "DCHAN_DOWN" };
static const struct fsm_timer_def toy_timers[] = {
	[T303] = { "T303", 4 * NS_PER_S, "SETUP sent, no response yet" },
	[T_IDLE] = { "Tidle", 60 * NS_PER_S, "unused in these tests" },
};
static const struct fsm_def toy_def = {
	.name = "toy",
	.cat = LC_FSM,
	.states = toy_states,
	.n_states = 3,
	.events = toy_events,
	.n_events = 4,
	.timers = toy_timers,
	.n_timers = 2,
	.allstate_events = FSM_BIT(E_DCHAN_DOWN),
	.allstate_action = toy_allstate,
	.timer_cb = toy_timer,
};

static struct loop *loop;
static struct fsm_inst fi;
static struct toy toy;

static void setup(void)
{
	sg_test_begin();
	struct clk *clk;
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	mem_deref(clk);
	toy = (struct toy){ .last_timer = -1 };
	fsm_inst_init(&fi, &toy_def, loop, "toy1", &toy);
	log_set_level(LC_FSM, LL_DEBUG);
	log_capture_start();
}

static void teardown(void)
{
	log_capture_stop();
	log_set_level_all(LL_NOTICE);
	fsm_inst_term(&fi);
	sg_loop_check(loop);
	mem_deref(loop);
	sg_test_end();
}

TestSuite(fsm, .init = setup, .fini = teardown);

Test(fsm, definition_is_consistent)
{
	cr_assert_eq(fsm_def_check(&toy_def), 0);
}

Test(fsm, definition_check_finds_faults)
{
	struct fsm_state bad[] = {
		{ "A", FSM_BIT(0), FSM_BIT(5), NULL, NULL, NULL }, /* no action, bad target */
		{ NULL, 0, 0, NULL, NULL, NULL },                 /* no name */
	};
	struct fsm_def d = { .name = "bad", .states = bad, .n_states = 2,
			     .events = toy_events, .n_events = 1 };
	cr_assert_eq(fsm_def_check(&d), EINVAL);
	cr_assert(log_capture_has("state A may go to a state that does not exist"));
	cr_assert(log_capture_has("state A accepts events but has no action"));
	cr_assert(log_capture_has("state 1 has no name"));
	struct fsm_def t = toy_def;
	t.timer_cb = NULL;
	cr_assert_eq(fsm_def_check(&t), EINVAL);
	cr_assert(log_capture_has("timers without a timer callback"));
}

Test(fsm, accepted_events_move_and_log_like_a_ladder)
{
	cr_assert_str_eq(fsm_obj(&fi), "toy1{NULL}");
	cr_assert_eq(fsm_event(&fi, E_SETUP, NULL), 0);
	cr_assert_eq(fsm_event(&fi, E_CONNECT, NULL), 0);
	cr_assert_eq(fsm_event(&fi, E_RELEASE, NULL), 0);
	cr_assert_str_eq(log_capture_text(),
			 "debug  fsm    toy1{NULL}: event SETUP\n"
			 "debug  fsm    toy1{NULL}: state_chg to CALLING\n"
			 "debug  fsm    toy1{CALLING}: event CONNECT\n"
			 "debug  fsm    toy1{CALLING}: state_chg to ACTIVE\n"
			 "debug  fsm    toy1{ACTIVE}: event RELEASE\n"
			 "debug  fsm    toy1{ACTIVE}: state_chg to NULL\n");
	cr_assert_eq(toy.actions, 3);
	cr_assert_eq(toy.enters, 3);
	cr_assert_eq(toy.leaves, 3);
}

Test(fsm, rejected_event_is_logged_and_changes_nothing)
{
	cr_assert_eq(fsm_event(&fi, E_CONNECT, NULL), EPERM);
	cr_assert_eq(fi.state, S_NULL);
	cr_assert_eq(toy.actions, 0);
	cr_assert(log_capture_has("warn   fsm    toy1{NULL}: event CONNECT not permitted"));
	cr_assert_eq(fsm_event(&fi, 17, NULL), EINVAL);
	cr_assert(log_capture_has("event 17 does not exist"));
}

Test(fsm, forbidden_transition_is_refused)
{
	/* NULL may only go to CALLING. */
	cr_assert_eq(fsm_state_chg(&fi, S_ACTIVE, FSM_NO_TIMER), EPERM);
	cr_assert_eq(fi.state, S_NULL);
	cr_assert(log_capture_has("toy1{NULL}: transition to ACTIVE not permitted"));
	cr_assert_eq(fsm_state_chg(&fi, 9, FSM_NO_TIMER), EINVAL);
	cr_assert_eq(toy.leaves, 0);
}

Test(fsm, state_timer_expires_on_virtual_time)
{
	fsm_event(&fi, E_SETUP, NULL);
	cr_assert_eq(fi.timer, T303);
	cr_assert_eq(loop_timer_remaining(loop, &fi.tmr), 4 * NS_PER_S);
	loop_run_for(loop, 3999 * NS_PER_MS);
	cr_assert_eq(toy.expiries, 0);
	loop_run_for(loop, 1 * NS_PER_MS);
	cr_assert_eq(toy.expiries, 1);
	cr_assert_eq(toy.last_timer, T303);
	cr_assert_eq(fi.state, S_NULL);
	cr_assert_eq(fi.timer, FSM_NO_TIMER);
	cr_assert(log_capture_has("toy1{CALLING}: timer T303 expired"));
}

Test(fsm, state_change_stops_the_timer)
{
	fsm_event(&fi, E_SETUP, NULL);
	fsm_event(&fi, E_CONNECT, NULL);
	cr_assert_eq(fi.timer, FSM_NO_TIMER);
	loop_run_for(loop, 10 * NS_PER_S);
	cr_assert_eq(toy.expiries, 0);
	cr_assert_eq(fi.state, S_ACTIVE);
}

Test(fsm, per_instance_timer_values_override_defaults)
{
	static const uint64_t mine[] = { 1 * NS_PER_S, 0 };
	fi.timer_ns = mine;
	cr_assert_eq(fsm_timer_value(&fi, T303), 1 * NS_PER_S);
	cr_assert_eq(fsm_timer_value(&fi, T_IDLE), 60 * NS_PER_S, "0 keeps the default");
	fsm_event(&fi, E_SETUP, NULL);
	loop_run_for(loop, 1 * NS_PER_S);
	cr_assert_eq(toy.expiries, 1);
}

Test(fsm, allstate_event_is_accepted_everywhere)
{
	cr_assert_eq(fsm_event(&fi, E_DCHAN_DOWN, NULL), 0);
	cr_assert_eq(fi.state, S_NULL);
	fsm_event(&fi, E_SETUP, NULL);
	cr_assert_eq(fsm_event(&fi, E_DCHAN_DOWN, NULL), 0);
	cr_assert_eq(fi.state, S_NULL);
	cr_assert_eq(fi.timer, FSM_NO_TIMER);
}

Test(fsm, reentering_a_state_restarts_its_timer)
{
	fsm_event(&fi, E_SETUP, NULL);
	loop_run_for(loop, 3 * NS_PER_S);
	cr_assert_eq(fsm_state_chg(&fi, S_CALLING, T303), 0);
	loop_run_for(loop, 3 * NS_PER_S);
	cr_assert_eq(toy.expiries, 0);
	loop_run_for(loop, 1 * NS_PER_S);
	cr_assert_eq(toy.expiries, 1);
}
