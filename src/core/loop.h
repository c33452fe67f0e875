/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event loop: epoll for file descriptors, a binary heap of timers on
 * core/clock, deferred calls, and signals through a signalfd.
 *
 * One loop per thread; nothing here locks.  On a virtual clock the loop never
 * waits: when no descriptor is ready it jumps the clock to the next timer, so
 * tests run as fast as the CPU allows and in the same order every time.
 *
 * Timers are embedded in their owner (struct loop_timer), so arming one never
 * allocates; cancel is O(log n).
 */
#ifndef STROWGER_CORE_LOOP_H
#define STROWGER_CORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"

struct loop;

/* Events are EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP bits from <sys/epoll.h>. */
typedef void(loop_fd_h)(int fd, uint32_t events, void *arg);
typedef void(loop_timer_h)(void *arg);
typedef void(loop_defer_h)(void *arg);
/* sig is SIGTERM, SIGINT or SIGHUP. */
typedef void(loop_signal_h)(int sig, void *arg);

struct loop_timer {
	uint64_t expires;   /* absolute monotonic ns */
	uint64_t seq;       /* FIFO order among equal expiry times */
	unsigned heap_idx;  /* 0: not armed; else 1-based heap slot */
	loop_timer_h *h;
	void *arg;
};

/* A mem object; the loop takes a reference to `clk`. */
int loop_alloc(struct loop **loopp, struct clk *clk);
struct clk *loop_clock(const struct loop *loop);
uint64_t loop_now(const struct loop *loop);

/* Watch `fd` for `events`.  EEXIST if already watched. */
int loop_fd_add(struct loop *loop, int fd, uint32_t events, loop_fd_h *h, void *arg);
int loop_fd_mod(struct loop *loop, int fd, uint32_t events);
/* Stop watching; safe to call from within the fd's own handler. */
void loop_fd_del(struct loop *loop, int fd);

static inline void loop_timer_init(struct loop_timer *t)
{
	t->heap_idx = 0;
	t->h = 0;
	t->arg = 0;
}
static inline bool loop_timer_pending(const struct loop_timer *t) { return t->heap_idx != 0; }
/* (Re)arm `t` to fire once, `delay` ns from now.  Timers due at the same time
 * fire in the order they were armed. */
int loop_timer_start(struct loop *loop, struct loop_timer *t, uint64_t delay,
		     loop_timer_h *h, void *arg);
/* Disarm; a no-op for a timer that is not armed. */
void loop_timer_cancel(struct loop *loop, struct loop_timer *t);
/* Time until `t` fires (0 if due or not armed). */
uint64_t loop_timer_remaining(const struct loop *loop, const struct loop_timer *t);
/* When the earliest armed timer expires (absolute ns), or UINT64_MAX:
 * for a caller that sleeps on its own cadence (media/worker.c). */
uint64_t loop_next_expiry(const struct loop *loop);
/* Number of armed timers (for leak checks in tests). */
unsigned loop_timer_count(const struct loop *loop);

/* Run `h(arg)` once, after the events of the current iteration. */
int loop_defer(struct loop *loop, loop_defer_h *h, void *arg);
/* Drop deferred calls whose arg is `arg` (call before freeing arg). */
void loop_defer_cancel(struct loop *loop, void *arg);

/* Deliver SIGTERM, SIGINT and SIGHUP to `h` through the loop (blocks them
 * for the calling thread).  Without a handler SIGTERM/SIGINT stop the loop. */
int loop_signals(struct loop *loop, loop_signal_h *h, void *arg);

/* Run until loop_stop().  Returns 0, or an errno if epoll fails. */
int loop_run(struct loop *loop);
/* One iteration: wait at most `max_wait` ns (real clock) for events, run
 * ready handlers, due timers and deferred calls.  Returns 0 or errno. */
int loop_run_once(struct loop *loop, uint64_t max_wait);
/* Run until the clock reaches `abs` or loop_stop(); on a virtual clock
 * this jumps from timer to timer.  The clock ends at `abs` unless stopped. */
int loop_run_until(struct loop *loop, uint64_t abs);
/* Run for `ns` from now (loop_run_until(now + ns)). */
int loop_run_for(struct loop *loop, uint64_t ns);
void loop_stop(struct loop *loop);
bool loop_stopped(const struct loop *loop);

#endif
