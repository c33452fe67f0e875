/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for core/loop's timers, on a virtual clock: expiry order,
 * cancelling and re-arming (also from inside a handler), fairness toward
 * file descriptors, and ten thousand random timers.  Everything runs on a
 * virtual clock except "real.timer_of_5ms_fires_not_early", the one test
 * that waits on wall time.  Fixture: loop_fx.h.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop_fx.h"

TestSuite(timer, .init = setup, .fini = teardown);
TestSuite(real, .init = setup_real, .fini = teardown);

Test(timer, fire_in_expiry_order_and_equal_expiry_fifo)
{
	struct tm_rec r[7];
	const uint64_t ms = NS_PER_MS;

	for (int i = 0; i < 7; i++)
		loop_timer_init(&r[i].t);
	arm(&r[0], 0, 30 * ms);
	arm(&r[1], 1, 10 * ms);
	arm(&r[2], 2, 20 * ms);
	arm(&r[3], 3, 10 * ms);
	arm(&r[4], 4, 0);
	arm(&r[5], 5, 10 * ms);
	arm(&r[6], 6, 20 * ms);
	cr_expect_eq(loop_timer_count(loop), 7);
	cr_expect(loop_timer_pending(&r[0].t));
	cr_assert_eq(loop_run(loop), 0);
	expect_trace((int[]){4, 1, 3, 5, 2, 6, 0}, 7);
	cr_expect_eq(loop_now(loop), 30 * ms);
	cr_expect_not(loop_timer_pending(&r[0].t));
	finish();
}

Test(timer, cancel_root_middle_and_unarmed)
{
	struct tm_rec r[7];

	for (int i = 0; i < 7; i++) {
		loop_timer_init(&r[i].t);
		arm(&r[i], i, (uint64_t)(i + 1) * NS_PER_S);
	}
	loop_timer_cancel(loop, &r[0].t); /* the root */
	loop_timer_cancel(loop, &r[3].t); /* somewhere in the middle */
	loop_timer_cancel(loop, &r[6].t); /* the last slot */
	loop_timer_cancel(loop, &r[3].t); /* already disarmed: no-op */
	cr_expect_not(loop_timer_pending(&r[0].t));
	cr_expect_eq(loop_timer_count(loop), 4);
	cr_assert_eq(loop_run(loop), 0);
	expect_trace((int[]){1, 2, 4, 5}, 4);
	finish();
}

static struct tm_rec victims[2];

static void on_cancel_others(void *arg)
{
	on_record(arg);
	loop_timer_cancel(loop, &victims[0].t);
	loop_timer_cancel(loop, &victims[1].t);
}

Test(timer, cancel_inside_another_handler)
{
	struct tm_rec killer, after;

	loop_timer_init(&killer.t);
	loop_timer_init(&after.t);
	loop_timer_init(&victims[0].t);
	loop_timer_init(&victims[1].t);
	killer.id = 1;
	cr_assert_eq(loop_timer_start(loop, &killer.t, NS_PER_S, on_cancel_others, &killer), 0);
	arm(&victims[0], 2, NS_PER_S);	   /* same expiry, due in the same pass */
	arm(&victims[1], 3, 2 * NS_PER_S); /* later */
	arm(&after, 4, 3 * NS_PER_S);
	cr_assert_eq(loop_run(loop), 0);
	expect_trace((int[]){1, 4}, 2);
	finish();
}

struct rearm {
	struct loop_timer t;
	int left;
	uint64_t delay;
	uint64_t fired_at[8];
	int nfired;
};

static void on_rearm(void *arg)
{
	struct rearm *r = arg;

	r->fired_at[r->nfired++] = loop_now(loop);
	if (--r->left > 0)
		cr_assert_eq(loop_timer_start(loop, &r->t, r->delay, on_rearm, r), 0);
}

Test(timer, rearm_inside_handler)
{
	struct rearm r = {.left = 4, .delay = 250 * NS_PER_MS};

	loop_timer_init(&r.t);
	cr_assert_eq(loop_timer_start(loop, &r.t, r.delay, on_rearm, &r), 0);
	cr_assert_eq(loop_run(loop), 0);
	cr_assert_eq(r.nfired, 4);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(r.fired_at[i], (uint64_t)(i + 1) * 250 * NS_PER_MS);
	finish();
}

Test(timer, restart_pending_timer_moves_it)
{
	struct tm_rec a, b;

	loop_timer_init(&a.t);
	loop_timer_init(&b.t);
	arm(&a, 1, NS_PER_S);
	arm(&b, 2, 2 * NS_PER_S);
	arm(&a, 1, 3 * NS_PER_S); /* re-arm while pending: moves, no duplicate */
	cr_expect_eq(loop_timer_count(loop), 2);
	cr_assert_eq(loop_run(loop), 0);
	expect_trace((int[]){2, 1}, 2);
	cr_expect_eq(loop_now(loop), 3 * NS_PER_S);
	finish();
}

static int zero_fires;

static void on_zero_rearm(void *arg)
{
	zero_fires++;
	cr_assert_eq(loop_timer_start(loop, arg, 0, on_zero_rearm, arg), 0);
}

static void on_readable_count(int fd, uint32_t events, void *arg)
{
	char c;

	(void)events;
	cr_expect_eq(read(fd, &c, 1), 1);
	(*(int *)arg)++;
}

Test(timer, zero_delay_rearm_does_not_starve)
{
	struct loop_timer t;
	int sv[2], reads = 0;

	zero_fires = 0;
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cr_assert_eq(loop_fd_add(loop, sv[0], EPOLLIN, on_readable_count, &reads), 0);
	loop_timer_init(&t);
	cr_assert_eq(loop_timer_start(loop, &t, 0, on_zero_rearm, &t), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(write(sv[1], "x", 1), 1);
		cr_assert_eq(loop_run_once(loop, 0), 0);
		cr_expect_eq(zero_fires, i + 1, "one fire per iteration");
		cr_expect_eq(reads, i + 1, "the fd still gets served");
	}
	loop_timer_cancel(loop, &t);
	loop_fd_del(loop, sv[0]);
	close(sv[0]);
	close(sv[1]);
	finish();
}

Test(timer, remaining)
{
	struct tm_rec r;

	loop_timer_init(&r.t);
	cr_expect_eq(loop_timer_remaining(loop, &r.t), 0, "not armed");
	arm(&r, 1, 5 * NS_PER_S);
	cr_expect_eq(loop_timer_remaining(loop, &r.t), 5 * NS_PER_S);
	clk_advance(clk, 2 * NS_PER_S);
	cr_expect_eq(loop_timer_remaining(loop, &r.t), 3 * NS_PER_S);
	clk_advance(clk, 4 * NS_PER_S);
	cr_expect_eq(loop_timer_remaining(loop, &r.t), 0, "overdue");
	cr_expect(loop_timer_pending(&r.t));
	cr_assert_eq(loop_run_once(loop, 0), 0);
	expect_trace((int[]){1}, 1);
	cr_expect_eq(loop_timer_remaining(loop, &r.t), 0, "fired");
	finish();
}

/* The earliest expiry, for loops that sleep on their own cadence. */
Test(timer, next_expiry)
{
	struct tm_rec a, b;

	loop_timer_init(&a.t);
	loop_timer_init(&b.t);
	cr_expect_eq(loop_next_expiry(loop), UINT64_MAX, "nothing armed");
	uint64_t t0 = clk_now(clk);
	arm(&a, 1, 5 * NS_PER_S);
	arm(&b, 2, 2 * NS_PER_S);
	cr_expect_eq(loop_next_expiry(loop), t0 + 2 * NS_PER_S);
	loop_timer_cancel(loop, &b.t);
	cr_expect_eq(loop_next_expiry(loop), t0 + 5 * NS_PER_S);
	loop_timer_cancel(loop, &a.t);
	cr_expect_eq(loop_next_expiry(loop), UINT64_MAX);
	finish();
}

#define NRANDOM 10000

struct rnd {
	struct loop_timer t;
	bool cancelled;
	bool fired;
};

static struct rnd rnd[NRANDOM];
static uint64_t last_expires, last_seq;
static int nrnd_fired;

/* A fixed LCG rather than rand(), so the sequence is the same everywhere. */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void on_random(void *arg)
{
	struct rnd *r = arg;

	cr_assert_not(r->cancelled, "a cancelled timer fired");
	cr_assert_not(r->fired, "fired twice");
	cr_assert_eq(r->t.expires, loop_now(loop), "fired at the wrong time");
	bool in_order =
	    r->t.expires > last_expires || (r->t.expires == last_expires && r->t.seq > last_seq);
	cr_assert(nrnd_fired == 0 || in_order, "timer %td out of order", r - rnd);
	last_expires = r->t.expires;
	last_seq = r->t.seq;
	r->fired = true;
	nrnd_fired++;
}

Test(timer, ten_thousand_random_timers_fire_in_order)
{
	uint32_t seed = 20260101;
	int ncancel = 0;

	nrnd_fired = 0;
	for (int i = 0; i < NRANDOM; i++) {
		loop_timer_init(&rnd[i].t);
		/* A small range, so many expiry times are equal. */
		uint64_t delay = (lcg(&seed) % 5000) * NS_PER_MS;
		cr_assert_eq(loop_timer_start(loop, &rnd[i].t, delay, on_random, &rnd[i]), 0);
	}
	for (int i = 0; i < NRANDOM; i += 1 + (int)(lcg(&seed) % 7)) {
		loop_timer_cancel(loop, &rnd[i].t);
		rnd[i].cancelled = true;
		ncancel++;
	}
	cr_assert_eq(loop_timer_count(loop), NRANDOM - ncancel);
	cr_assert_eq(loop_run(loop), 0);
	cr_expect_eq(nrnd_fired, NRANDOM - ncancel);
	for (int i = 0; i < NRANDOM; i++)
		cr_expect_neq(rnd[i].fired, rnd[i].cancelled, "timer %d", i);
	finish();
}

/* ---- the one test on wall time ---- */

Test(real, timer_of_5ms_fires_not_early)
{
	struct rearm r = {.left = 1};
	uint64_t t0 = loop_now(loop);

	cr_expect_not(clk_is_virtual(clk));
	loop_timer_init(&r.t);
	cr_assert_eq(loop_timer_start(loop, &r.t, 5 * NS_PER_MS, on_rearm, &r), 0);
	while (r.nfired == 0)
		cr_assert_eq(loop_run_once(loop, NS_PER_S), 0);
	cr_expect_geq(r.fired_at[0], t0 + 5 * NS_PER_MS, "fired %llu ns early",
		      (unsigned long long)(t0 + 5 * NS_PER_MS - r.fired_at[0]));
	cr_expect_lt(r.fired_at[0], t0 + 500 * NS_PER_MS, "fired very late");
	finish();
}
