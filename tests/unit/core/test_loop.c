/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for core/loop and core/clock.  Everything runs on a virtual
 * clock except "real.timer_not_early", the one test that waits on wall time.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"

static size_t live0;
static struct clk *clk;
static struct loop *loop;

/* What handlers saw, in order. */
static int trace[64];
static int ntrace;

static void record(int v)
{
	cr_assert_lt(ntrace, 64);
	trace[ntrace++] = v;
}

static void expect_trace(const int *want, int n)
{
	cr_assert_eq(ntrace, n, "%d calls, want %d", ntrace, n);
	for (int i = 0; i < n; i++)
		cr_expect_eq(trace[i], want[i], "call %d: %d, want %d", i, trace[i], want[i]);
}

static void setup_kind(enum clk_kind kind)
{
	live0 = mem_live();
	ntrace = 0;
	cr_assert_eq(clk_alloc(&clk, kind), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
}

static void setup(void)
{
	setup_kind(CLK_VIRTUAL);
}

static void setup_real(void)
{
	setup_kind(CLK_REAL);
}

/* Every test ends with finish(): no timer armed and every object freed.
 * The checks live in the test body because Criterion 2.4 does not count
 * an assertion that fails in a .fini hook. */
static void finish(void)
{
	cr_expect_eq(loop_timer_count(loop), 0, "timers left armed");
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	cr_expect_eq(mem_live(), live0, "leak: %zu mem objects left", mem_live() - live0);
}

/* Frees what a test that failed early left behind. */
static void teardown(void)
{
	loop = mem_deref(loop);
	clk = mem_deref(clk);
}

TestSuite(clock, .init = setup, .fini = teardown);
TestSuite(timer, .init = setup, .fini = teardown);
TestSuite(fd, .init = setup, .fini = teardown);
TestSuite(defer, .init = setup, .fini = teardown);
TestSuite(run, .init = setup, .fini = teardown);
TestSuite(real, .init = setup_real, .fini = teardown);

/* ---- clock ---- */

Test(clock, virtual_starts_at_zero_and_wall_is_2026)
{
	cr_expect(clk_is_virtual(clk));
	cr_expect_eq(clk_now(clk), 0);
	cr_expect_eq(clk_wall(clk), 1767225600ull * NS_PER_S);
	cr_expect_eq(clk_advance(clk, 1500 * NS_PER_MS), 0);
	cr_expect_eq(clk_now(clk), 1500 * NS_PER_MS);
	cr_expect_eq(clk_wall(clk), 1767225601500ull * NS_PER_MS);
	struct timeval tv = clk_now_tv(clk);
	cr_expect_eq(tv.tv_sec, 1);
	cr_expect_eq(tv.tv_usec, 500000);
	finish();
}

Test(clock, virtual_never_goes_backwards)
{
	cr_expect_eq(clk_advance_to(clk, 10 * NS_PER_S), 0);
	cr_expect_eq(clk_advance_to(clk, 5 * NS_PER_S), 0);
	cr_expect_eq(clk_now(clk), 10 * NS_PER_S);
	cr_expect_eq(clk_advance(clk, UINT64_MAX), 0);
	cr_expect_eq(clk_now(clk), UINT64_MAX, "advance must saturate, not wrap");
	finish();
}

Test(clock, real_clock_moves_and_refuses_advance)
{
	struct clk *real;

	cr_assert_eq(clk_alloc(&real, CLK_REAL), 0);
	cr_expect_not(clk_is_virtual(real));
	cr_expect_eq(clk_advance(real, 1), EINVAL);
	cr_expect_eq(clk_advance_to(real, 1), EINVAL);
	uint64_t a = clk_now(real), b = clk_now(real);
	cr_expect_leq(a, b);
	/* Wall time on a real clock is after the virtual epoch. */
	cr_expect_gt(clk_wall(real), 1767225600ull * NS_PER_S / 2);
	mem_deref(real);
	finish();
}

Test(clock, loop_holds_a_reference)
{
	cr_expect_eq(mem_nrefs(clk), 2);
	cr_expect_eq(loop_clock(loop), clk);
	clk_advance(clk, 42);
	cr_expect_eq(loop_now(loop), 42);
	finish();
}

/* ---- timers ---- */

struct tm_rec {
	struct loop_timer t;
	int id;
};

static void on_record(void *arg)
{
	struct tm_rec *r = arg;

	record(r->id);
}

static void arm(struct tm_rec *r, int id, uint64_t delay)
{
	r->id = id;
	cr_assert_eq(loop_timer_start(loop, &r->t, delay, on_record, r), 0);
}

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

/* ---- running on virtual time ---- */

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

Test(run, three_minute_timer_fires_at_once_in_wall_time)
{
	struct tm_rec r;
	uint64_t t0 = wall_ms();

	loop_timer_init(&r.t);
	arm(&r, 1, 180 * NS_PER_S);
	cr_assert_eq(loop_run(loop), 0);
	expect_trace((int[]){1}, 1);
	cr_expect_eq(clk_now(clk), 180 * NS_PER_S);
	cr_expect_lt(wall_ms() - t0, 1000, "virtual time must not wait");
	finish();
}

Test(run, idle_virtual_loop_returns)
{
	cr_expect_eq(loop_run(loop), 0);
	cr_expect_eq(loop_now(loop), 0);
	cr_expect_not(loop_stopped(loop));
	finish();
}

Test(run, until_ends_at_bound)
{
	struct tm_rec a, b, c;

	loop_timer_init(&a.t);
	loop_timer_init(&b.t);
	loop_timer_init(&c.t);
	arm(&a, 1, 1 * NS_PER_S);
	arm(&b, 2, 5 * NS_PER_S); /* exactly at the bound: fires */
	arm(&c, 3, 9 * NS_PER_S); /* beyond: stays armed */
	cr_assert_eq(loop_run_until(loop, 5 * NS_PER_S), 0);
	expect_trace((int[]){1, 2}, 2);
	cr_expect_eq(clk_now(clk), 5 * NS_PER_S);
	cr_expect(loop_timer_pending(&c.t));
	cr_expect_eq(loop_timer_remaining(loop, &c.t), 4 * NS_PER_S);

	cr_assert_eq(loop_run_for(loop, 3 * NS_PER_S), 0);
	cr_expect_eq(clk_now(clk), 8 * NS_PER_S, "no timer due: still ends at the bound");
	expect_trace((int[]){1, 2}, 2);
	loop_timer_cancel(loop, &c.t);
	cr_assert_eq(loop_run_until(loop, 20 * NS_PER_S), 0);
	cr_expect_eq(clk_now(clk), 20 * NS_PER_S, "no timers at all");
	finish();
}

Test(run, once_waits_at_most_max_wait)
{
	struct tm_rec r;

	loop_timer_init(&r.t);
	arm(&r, 1, 5 * NS_PER_S);
	cr_assert_eq(loop_run_once(loop, NS_PER_S), 0);
	cr_expect_eq(loop_now(loop), NS_PER_S);
	cr_expect_eq(ntrace, 0);
	cr_assert_eq(loop_run_once(loop, UINT64_MAX), 0);
	cr_expect_eq(loop_now(loop), 5 * NS_PER_S);
	expect_trace((int[]){1}, 1);
	finish();
}

static void on_stop(void *arg)
{
	on_record(arg);
	loop_stop(loop);
}

Test(run, stop_from_a_handler)
{
	struct tm_rec a, b, c;

	loop_timer_init(&a.t);
	loop_timer_init(&b.t);
	loop_timer_init(&c.t);
	arm(&a, 1, 1 * NS_PER_S);
	b.id = 2;
	cr_assert_eq(loop_timer_start(loop, &b.t, 2 * NS_PER_S, on_stop, &b), 0);
	arm(&c, 3, 3 * NS_PER_S);
	cr_assert_eq(loop_run(loop), 0);
	cr_expect(loop_stopped(loop));
	expect_trace((int[]){1, 2}, 2);
	cr_expect_eq(loop_now(loop), 2 * NS_PER_S);

	/* run_until stopped early leaves the clock where it stopped. */
	cr_assert_eq(loop_timer_start(loop, &b.t, 500 * NS_PER_MS, on_stop, &b), 0);
	cr_assert_eq(loop_run_until(loop, 10 * NS_PER_S), 0);
	cr_expect_eq(loop_now(loop), 2500 * NS_PER_MS);
	expect_trace((int[]){1, 2, 2}, 3);
	loop_timer_cancel(loop, &c.t);
	finish();
}

/* ---- file descriptors ---- */

struct fdt {
	int sv[2];
	int calls;
	uint32_t events;
};

static void fdt_open(struct fdt *f)
{
	memset(f, 0, sizeof(*f));
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->sv), 0);
}

static void fdt_close(struct fdt *f)
{
	loop_fd_del(loop, f->sv[0]);
	close(f->sv[0]);
	close(f->sv[1]);
}

static void on_fd(int fd, uint32_t events, void *arg)
{
	struct fdt *f = arg;
	char buf[16];

	cr_expect_eq(fd, f->sv[0]);
	f->calls++;
	f->events = events;
	if (events & EPOLLIN)
		cr_expect_gt(read(fd, buf, sizeof(buf)), 0);
}

Test(fd, read_readiness)
{
	struct fdt f;

	fdt_open(&f);
	cr_assert_eq(loop_fd_add(loop, f.sv[0], EPOLLIN, on_fd, &f), 0);
	cr_expect_eq(loop_fd_add(loop, f.sv[0], EPOLLIN, on_fd, &f), EEXIST);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(f.calls, 0, "nothing to read yet");
	cr_assert_eq(write(f.sv[1], "ab", 2), 2);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(f.calls, 1);
	cr_expect(f.events & EPOLLIN);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(f.calls, 1, "drained: no second call");
	fdt_close(&f);
	finish();
}

Test(fd, mod_and_errors)
{
	struct fdt f;

	fdt_open(&f);
	cr_expect_eq(loop_fd_mod(loop, f.sv[0], EPOLLOUT), ENOENT);
	cr_expect_eq(loop_fd_add(loop, -1, EPOLLIN, on_fd, &f), EBADF);
	cr_assert_eq(loop_fd_add(loop, f.sv[0], 0, on_fd, &f), 0);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(f.calls, 0);
	cr_assert_eq(loop_fd_mod(loop, f.sv[0], EPOLLOUT), 0);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(f.calls, 1);
	cr_expect(f.events & EPOLLOUT);
	loop_fd_del(loop, f.sv[0]);
	loop_fd_del(loop, f.sv[0]); /* twice: no-op */
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(f.calls, 1);
	fdt_close(&f);
	finish();
}

static void on_fd_del_self(int fd, uint32_t events, void *arg)
{
	on_fd(fd, events, arg);
	loop_fd_del(loop, fd);
}

Test(fd, delete_inside_own_handler)
{
	struct fdt f;

	fdt_open(&f);
	cr_assert_eq(loop_fd_add(loop, f.sv[0], EPOLLIN | EPOLLOUT, on_fd_del_self, &f), 0);
	cr_assert_eq(write(f.sv[1], "x", 1), 1);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(f.calls, 1);
	/* Deleted, so it can be added again. */
	cr_expect_eq(loop_fd_add(loop, f.sv[0], EPOLLOUT, on_fd, &f), 0);
	fdt_close(&f);
	finish();
}

/* Two readable fds: whichever handler runs first deletes the other, closes
 * it and reuses its number for a new watch that is not ready.  The stale
 * event fetched for the old watch must reach neither handler. */
static struct fdt pair[2];
static int reused = -1;
static int stale_calls;

static void on_stale(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	stale_calls++;
}

static void on_fd_del_other(int fd, uint32_t events, void *arg)
{
	struct fdt *f = arg;
	struct fdt *other = f == &pair[0] ? &pair[1] : &pair[0];

	on_fd(fd, events, arg);
	if (reused >= 0)
		return;
	int old = other->sv[0];
	loop_fd_del(loop, old);
	close(old);
	reused = dup3(f->sv[1], old, O_CLOEXEC); /* same number, new file */
	cr_assert_eq(reused, old);
	cr_assert_eq(loop_fd_add(loop, reused, EPOLLIN, on_stale, NULL), 0);
}

Test(fd, delete_another_fd_inside_handler)
{
	reused = -1;
	stale_calls = 0;
	fdt_open(&pair[0]);
	fdt_open(&pair[1]);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(loop_fd_add(loop, pair[i].sv[0], EPOLLIN, on_fd_del_other, &pair[i]),
			     0);
		cr_assert_eq(write(pair[i].sv[1], "x", 1), 1);
	}
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(pair[0].calls + pair[1].calls, 1, "the deleted fd was called");
	cr_expect_eq(stale_calls, 0, "a stale event reached the new watch");
	int victim = pair[0].calls ? 1 : 0;
	loop_fd_del(loop, reused);
	close(reused);
	close(pair[victim].sv[1]);
	fdt_close(&pair[1 - victim]);
	finish();
}

/* ---- deferred calls ---- */

static void on_defer(void *arg)
{
	record((int)(intptr_t)arg);
}

static void on_defer_again(void *arg)
{
	record((int)(intptr_t)arg);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)99), 0);
}

static void on_timer_defer(void *arg)
{
	(void)arg;
	record(10);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)11), 0);
}

Test(defer, fifo_after_timers_and_nested_next_iteration)
{
	struct loop_timer t;

	loop_timer_init(&t);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)1), 0);
	cr_assert_eq(loop_defer(loop, on_defer_again, (void *)(intptr_t)2), 0);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)3), 0);
	cr_assert_eq(loop_timer_start(loop, &t, 0, on_timer_defer, NULL), 0);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	/* The due timer first, then the queue in order, including the call
	 * the timer deferred; the call deferred by a deferred call waits. */
	expect_trace((int[]){10, 1, 2, 3, 11}, 5);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	expect_trace((int[]){10, 1, 2, 3, 11, 99}, 6);
	finish();
}

static void on_defer_cancel(void *arg)
{
	record((int)(intptr_t)arg);
	loop_defer_cancel(loop, (void *)(intptr_t)3);
}

Test(defer, cancel_by_arg)
{
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)1), 0);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)2), 0);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)1), 0);
	loop_defer_cancel(loop, (void *)(intptr_t)1);
	cr_assert_eq(loop_defer(loop, on_defer_cancel, (void *)(intptr_t)4), 0);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)3), 0);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)5), 0);
	cr_assert_eq(loop_run(loop), 0);
	expect_trace((int[]){2, 4, 5}, 3);
	finish();
}

Test(defer, deferred_call_keeps_virtual_clock_still)
{
	struct tm_rec r;

	loop_timer_init(&r.t);
	arm(&r, 1, NS_PER_S);
	cr_assert_eq(loop_defer(loop, on_defer, (void *)(intptr_t)7), 0);
	cr_assert_eq(loop_run_once(loop, UINT64_MAX), 0);
	expect_trace((int[]){7}, 1);
	cr_expect_eq(loop_now(loop), 0, "time moved while work was queued");
	cr_assert_eq(loop_run(loop), 0);
	expect_trace((int[]){7, 1}, 2);
	finish();
}

/* ---- signals ---- */

static int got_sig;

static void on_signal(int sig, void *arg)
{
	cr_expect_eq(arg, &got_sig);
	got_sig = sig;
}

Test(run, signal_handler_gets_sighup)
{
	got_sig = 0;
	cr_assert_eq(loop_signals(loop, on_signal, &got_sig), 0);
	cr_assert_eq(raise(SIGHUP), 0);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(got_sig, SIGHUP);
	finish();
}

Test(run, sigterm_without_handler_stops)
{
	struct tm_rec r;

	loop_timer_init(&r.t);
	arm(&r, 1, 60 * NS_PER_S);
	cr_assert_eq(loop_signals(loop, NULL, NULL), 0);
	cr_assert_eq(raise(SIGTERM), 0);
	cr_assert_eq(loop_run(loop), 0);
	cr_expect(loop_stopped(loop));
	cr_expect_eq(ntrace, 0, "stopped before the timer");
	loop_timer_cancel(loop, &r.t);
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
