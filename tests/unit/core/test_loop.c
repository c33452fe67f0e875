/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for core/loop and core/clock: the clocks, running on virtual
 * time, file descriptors, deferred calls and signals, all on a virtual
 * clock.  The timers are in test_loop_timer.c.  Fixture: loop_fx.h.
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

#include "loop_fx.h"

TestSuite(clock, .init = setup, .fini = teardown);
TestSuite(fd, .init = setup, .fini = teardown);
TestSuite(defer, .init = setup, .fini = teardown);
TestSuite(run, .init = setup, .fini = teardown);

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
