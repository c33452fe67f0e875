/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one source of time.  Real: CLOCK_MONOTONIC and CLOCK_REALTIME.
 * Virtual: time stands still until the loop (or a test) advances it, so a
 * three-minute call test runs in milliseconds and always the same way.
 *
 * Times are nanoseconds in a uint64_t; monotonic time starts near zero on a
 * virtual clock and wall time is a fixed epoch plus the monotonic offset, so
 * logs and CDRs from tests are reproducible.
 */
#ifndef STROWGER_CORE_CLOCK_H
#define STROWGER_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

enum clk_kind { CLK_REAL, CLK_VIRTUAL };

struct clk;

/* A mem object; free with mem_deref(). */
int clk_alloc(struct clk **clkp, enum clk_kind kind);
bool clk_is_virtual(const struct clk *clk);
/* Monotonic time in ns. */
uint64_t clk_now(const struct clk *clk);
/* Wall-clock time in ns since the Unix epoch (virtual: 2026-01-01 plus now). */
uint64_t clk_wall(const struct clk *clk);
/* Monotonic time as a timeval, for libraries such as libpri that take one. */
struct timeval clk_now_tv(const struct clk *clk);
/* Virtual clocks only: move time forward by `ns`, or to `abs` if it is later
 * (never backwards).  Returns EINVAL on a real clock. */
int clk_advance(struct clk *clk, uint64_t ns);
int clk_advance_to(struct clk *clk, uint64_t abs);

#endif
