/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Real or virtual time; see clock.h. */
#include "core/clock.h"

#include <errno.h>
#include <time.h>

#include "core/mem.h"

/* 2026-01-01T00:00:00Z: a fixed epoch makes virtual wall times (logs, CDRs)
 * the same on every test run. */
#define CLK_VIRTUAL_EPOCH_S 1767225600ull

struct clk {
	enum clk_kind kind;
	uint64_t vnow; /* virtual monotonic time, ns */
};

int clk_alloc(struct clk **clkp, enum clk_kind kind)
{
	if (!clkp || (kind != CLK_REAL && kind != CLK_VIRTUAL))
		return EINVAL;
	struct clk *clk = mem_zalloc(sizeof(*clk), NULL);
	if (!clk)
		return ENOMEM;
	clk->kind = kind;
	*clkp = clk;
	return 0;
}

bool clk_is_virtual(const struct clk *clk)
{
	return clk->kind == CLK_VIRTUAL;
}

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	/* Cannot fail for these clock ids on Linux. */
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t clk_now(const struct clk *clk)
{
	if (clk->kind == CLK_VIRTUAL)
		return clk->vnow;
	return read_clock(CLOCK_MONOTONIC);
}

uint64_t clk_wall(const struct clk *clk)
{
	if (clk->kind == CLK_VIRTUAL)
		return CLK_VIRTUAL_EPOCH_S * NS_PER_S + clk->vnow;
	return read_clock(CLOCK_REALTIME);
}

struct timeval clk_now_tv(const struct clk *clk)
{
	uint64_t now = clk_now(clk);
	struct timeval tv = {
	    .tv_sec = (time_t)(now / NS_PER_S),
	    .tv_usec = (suseconds_t)(now % NS_PER_S / NS_PER_US),
	};
	return tv;
}

int clk_advance(struct clk *clk, uint64_t ns)
{
	if (clk->kind != CLK_VIRTUAL)
		return EINVAL;
	/* Saturate rather than wrap: time must never go backwards. */
	if (ns > UINT64_MAX - clk->vnow)
		clk->vnow = UINT64_MAX;
	else
		clk->vnow += ns;
	return 0;
}

int clk_advance_to(struct clk *clk, uint64_t abs)
{
	if (clk->kind != CLK_VIRTUAL)
		return EINVAL;
	if (abs > clk->vnow)
		clk->vnow = abs;
	return 0;
}
