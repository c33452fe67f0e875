/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpri's clock.
 *
 * libpri 1.6 stamps every timer it schedules with gettimeofday() plus the
 * timer's length (prisched.c, pri_schedule_event) and fires those whose stamp
 * is not after the time handed to pri_schedule_run_tv().  Handing it the loop
 * clock's time alone would mix two time bases: on a virtual clock, timers
 * scheduled at real wall time would never be due; on a real clock, a wall
 * clock step would fire or stall them all.
 *
 * So the controller names the clock libpri must read (isdn_time_set) for
 * the duration of every call into libpri, and this gettimeofday() — which,
 * linked into the program, takes the place of the C library's for libpri's
 * calls — returns that clock's monotonic time.  Outside libpri (no clock
 * set) it is the ordinary wall clock.  isdn_ctrl_alloc() checks that the
 * substitution took effect and refuses to run otherwise.
 */
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "pstn/isdn_int.h"

static _Thread_local const struct clk *pri_clk;

void isdn_time_set(const struct clk *clk)
{
	pri_clk = clk;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	if (tz) /* obsolete, but filled as the C library does */
		memset(tz, 0, sizeof(struct timezone));
	if (pri_clk) {
		*tv = clk_now_tv(pri_clk);
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}
