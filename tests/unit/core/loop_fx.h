/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What test_loop.c and test_loop_timer.c share: a loop on a virtual (or
 * real) clock, a trace of what handlers saw, timers that record their id,
 * and the end-of-test check that nothing is left armed or allocated. */
#ifndef STROWGER_TESTS_LOOP_FX_H
#define STROWGER_TESTS_LOOP_FX_H

#include <criterion/criterion.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"

static size_t live0;
static struct clk *clk;
static struct loop *loop;

/* What handlers saw, in order. */
static int trace[64];
static int ntrace;

static inline void record(int v)
{
	cr_assert_lt(ntrace, 64);
	trace[ntrace++] = v;
}

static inline void expect_trace(const int *want, int n)
{
	cr_assert_eq(ntrace, n, "%d calls, want %d", ntrace, n);
	for (int i = 0; i < n; i++)
		cr_expect_eq(trace[i], want[i], "call %d: %d, want %d", i, trace[i], want[i]);
}

static inline void setup_kind(enum clk_kind kind)
{
	live0 = mem_live();
	ntrace = 0;
	cr_assert_eq(clk_alloc(&clk, kind), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
}

static inline void setup(void)
{
	setup_kind(CLK_VIRTUAL);
}

static inline void setup_real(void)
{
	setup_kind(CLK_REAL);
}

/* Every test ends with finish(): no timer armed and every object freed.
 * The checks live in the test body because Criterion 2.4 does not count
 * an assertion that fails in a .fini hook. */
static inline void finish(void)
{
	cr_expect_eq(loop_timer_count(loop), 0, "timers left armed");
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	cr_expect_eq(mem_live(), live0, "leak: %zu mem objects left", mem_live() - live0);
}

/* Frees what a test that failed early left behind. */
static inline void teardown(void)
{
	loop = mem_deref(loop);
	clk = mem_deref(clk);
}

/* A timer that records its id when it fires. */
struct tm_rec {
	struct loop_timer t;
	int id;
};

static inline void on_record(void *arg)
{
	struct tm_rec *r = arg;

	record(r->id);
}

static inline void arm(struct tm_rec *r, int id, uint64_t delay)
{
	r->id = id;
	cr_assert_eq(loop_timer_start(loop, &r->t, delay, on_record, r), 0);
}

#endif
