/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: call limits (src/call/limit.c): concurrent calls, the token
 * bucket on loop time (times are given, so no clock is needed), and legs
 * holding and giving back places.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "call/call.h"
#include "call/limit.h"
#include "core/clock.h"
#include "core/mem.h"
#include "sg_test.h"

static struct call_limit *lim;

static void setup(void)
{
	sg_test_begin();
	cr_assert_eq(call_limit_alloc(&lim), 0);
}

static void teardown(void)
{
	lim = mem_deref(lim);
	sg_test_end();
}

TestSuite(limit, .init = setup, .fini = teardown);

Test(limit, no_limits_admit_everything)
{
	for (unsigned i = 0; i < 1000; i++)
		cr_assert_eq(call_limit_admit(lim, i & 1, 0, NULL), 0);
	cr_assert_eq(lim->calls[0] + lim->calls[1], 1000);
	cr_assert_eq(lim->refused[0] + lim->refused[1], 0);
}

/* max_calls counts both directions; a call that ends frees its place. */
Test(limit, max_calls_counts_in_and_out)
{
	unsigned retry = 0;
	call_limit_set(lim, 2, 0);
	cr_assert_eq(call_limit_admit(lim, false, 0, NULL), 0);
	cr_assert_eq(call_limit_admit(lim, true, 0, NULL), 0);
	cr_assert_eq(call_limit_admit(lim, false, 0, &retry), EBUSY);
	cr_assert_geq(retry, 1, "a Retry-After worth sending");
	cr_assert_eq(call_limit_admit(lim, true, 0, NULL), EBUSY);
	cr_assert_eq(lim->refused[0], 1);
	cr_assert_eq(lim->refused[1], 1);
	call_limit_done(lim, true);
	cr_assert_eq(call_limit_admit(lim, false, 0, NULL), 0);
	cr_assert_eq(lim->calls[0], 2);
	cr_assert_eq(lim->total[0], 2);
	cr_assert_eq(call_limit_cause(EBUSY), 34);
	cr_assert_eq(call_limit_cause(EAGAIN), 42);
}

/* 10 calls/s: a burst of 10 from a full bucket, then one per 100 ms. */
Test(limit, token_bucket_on_loop_time)
{
	unsigned retry = 0;
	uint64_t t = 5 * NS_PER_S;
	call_limit_set(lim, 0, 10);
	for (unsigned i = 0; i < 10; i++)
		cr_assert_eq(call_limit_admit(lim, false, t, NULL), 0, "burst call %u", i);
	cr_assert_eq(call_limit_admit(lim, false, t, &retry), EAGAIN);
	cr_assert_eq(retry, 1);
	cr_assert_eq(call_limit_admit(lim, false, t + 99 * NS_PER_MS, NULL), EAGAIN);
	cr_assert_eq(call_limit_admit(lim, false, t + 100 * NS_PER_MS, NULL), 0);
	cr_assert_eq(call_limit_admit(lim, false, t + 100 * NS_PER_MS, NULL), EAGAIN);
	/* A long pause fills the bucket, never past max_cps tokens. */
	t += 3600 * NS_PER_S;
	for (unsigned i = 0; i < 10; i++)
		cr_assert_eq(call_limit_admit(lim, true, t, NULL), 0);
	cr_assert_eq(call_limit_admit(lim, true, t, NULL), EAGAIN);
	cr_assert_eq(lim->refused[0], 3);
	cr_assert_eq(lim->refused[1], 1);
	/* Over a long steady run, at most max_cps per second get through. */
	unsigned ok = 0;
	for (uint64_t ms = 0; ms < 60000; ms++)
		ok += call_limit_admit(lim, false, t + ms * NS_PER_MS, NULL) == 0;
	cr_assert(ok >= 599 && ok <= 600, "%u calls in 60 s at 10/s", ok);
}

/* Rate and count together: a refusal by count spends no token. */
Test(limit, both_limits)
{
	call_limit_set(lim, 1, 2);
	cr_assert_eq(call_limit_admit(lim, false, 0, NULL), 0);
	cr_assert_eq(call_limit_admit(lim, false, 0, NULL), EBUSY);
	call_limit_done(lim, false);
	cr_assert_eq(call_limit_admit(lim, false, 0, NULL), 0, "the second token is still there");
	call_limit_done(lim, false);
	cr_assert_eq(call_limit_admit(lim, false, 0, NULL), EAGAIN);
	call_limit_done(lim, false); /* more done than admitted: harmless */
	cr_assert_eq(lim->calls[0], 0);
}

/* A leg holds a reference and a place; dropping gives both back once. */
Test(limit, legs_hold_places)
{
	struct call_leg a = {0}, b = {0};
	call_limit_set(lim, 1, 0);
	cr_assert_eq(call_leg_limit_take(&a, lim, true, 0, NULL), 0);
	cr_assert_eq(a.limit, lim);
	cr_assert(a.limit_out);
	cr_assert_eq(call_leg_limit_take(&b, lim, false, 0, NULL), EBUSY);
	cr_assert_null(b.limit);
	call_leg_limit_drop(&a);
	call_leg_limit_drop(&a);
	cr_assert_null(a.limit);
	cr_assert_eq(lim->calls[1], 0);
	cr_assert_eq(call_leg_limit_take(&b, NULL, false, 0, NULL), 0, "no limit: admitted");
	cr_assert_eq(call_leg_limit_take(&b, lim, false, 0, NULL), 0);
	struct call_limit *keep = lim;
	lim = mem_deref(lim); /* a reload dropped the table: the leg keeps it */
	cr_assert_eq(keep->calls[0], 1);
	call_leg_limit_drop(&b);
}
