/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Media workers (see media.h, "Threads"): a thread with its own loop and
 * a mailbox, and the poll cadence its loop runs at.
 *
 * A worker carrying thousands of calls receives a packet every few
 * microseconds.  Woken by epoll for each, it would spend more on waking
 * up and context switches than on the packets.  So on a real clock the
 * worker polls on a fixed cadence instead: every tick it handles all that
 * queued (whole epoll batches while they keep coming full), then sleeps to
 * the next tick boundary.  A packet waits at most one tick more; with a
 * 0.25 ms tick that is well inside a 2 ms budget.  Timers still fire, late
 * by up to one tick, which no media timer (RTCP every ~5 s) minds.
 *
 * A timer due before the next tick wakes the loop on time, so a TDM
 * clock driven by a timer (the sim's) is not made late by the cadence.
 *
 * With no RTP for WORKER_IDLE passes the loop waits for its next event
 * instead (an idle gateway should not wake 4,000 times a second), and
 * goes back to polling with the first packet.  The daemon runs its one
 * loop this way too: signalling is then up to one tick late, nothing
 * next to SIP's timers.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "media/media.h"
#include "media/rtp.h"

/* The loop hands out at most 64 events a pass; this many packets in one
 * pass means more are probably waiting. */
#define WORKER_BUSY 48
/* Passes without a packet before the loop blocks (a few ms). */
#define WORKER_IDLE 20

static void sleep_until(uint64_t abs_ns)
{
	struct timespec ts = {(time_t)(abs_ns / NS_PER_S), (long)(abs_ns % NS_PER_S)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int media_worker_run(struct loop *loop, uint64_t tick_ns)
{
	struct clk *clk = loop_clock(loop);

	if (clk_is_virtual(clk) || tick_ns == 0)
		return loop_run(loop);
	uint64_t next = clk_now(clk) + tick_ns;
	unsigned idle = 0;
	while (!loop_stopped(loop)) {
		uint64_t c0 = rtp_sock_rx_total();
		int err = loop_run_once(loop, idle >= WORKER_IDLE ? UINT64_MAX : 0);
		if (err)
			return err;
		uint64_t got = rtp_sock_rx_total() - c0;
		if (got >= WORKER_BUSY)
			continue;
		idle = got ? 0 : idle + 1;
		uint64_t now = clk_now(clk);
		if (idle >= WORKER_IDLE) {
			next = now + tick_ns; /* the next pass waits for an event */
			continue;
		}
		/* A timer due before the tick (the sim's, pacing the
		 * B-channels) is not kept waiting: wake for it. */
		uint64_t due = loop_next_expiry(loop);
		bool on_tick = next <= due;
		if ((on_tick ? next : due) > now)
			sleep_until(on_tick ? next : due);
		if (!on_tick)
			continue;
		next += tick_ns;
		if (next <= now)
			next = now + tick_ns; /* overloaded: do not try to catch up */
	}
	return 0;
}

struct media_worker {
	struct clk *clk;
	struct loop *loop;
	struct media_mbox *mb;
	uint64_t tick_ns;
	int cpu;
	pthread_t th;
	bool started;
};

static void *worker_main(void *arg)
{
	struct media_worker *w = arg;

	if (w->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set); /* best effort */
	}
	media_worker_run(w->loop, w->tick_ns);
	return NULL;
}

static void worker_stop(void *arg)
{
	struct media_worker *w = arg;
	loop_stop(w->loop);
}

static void worker_destroy(void *data)
{
	struct media_worker *w = data;

	if (w->started && !media_mbox_post(w->mb, worker_stop, w))
		pthread_join(w->th, NULL);
	mem_deref(w->mb);
	mem_deref(w->loop);
	mem_deref(w->clk);
}

int media_worker_alloc(struct media_worker **wp, const struct media_worker_prm *prm)
{
	if (!wp)
		return EINVAL;
	struct media_worker *w = mem_zalloc(sizeof(*w), worker_destroy);
	if (!w)
		return ENOMEM;
	w->tick_ns = prm ? prm->tick_ns : MEDIA_WORKER_TICK_NS;
	w->cpu = prm ? prm->cpu : -1;
	int err = clk_alloc(&w->clk, CLK_REAL);
	if (!err)
		err = loop_alloc(&w->loop, w->clk);
	if (!err)
		err = media_mbox_alloc(&w->mb, w->loop);
	if (!err)
		err = pthread_create(&w->th, NULL, worker_main, w);
	if (err) {
		mem_deref(w);
		return err;
	}
	w->started = true;
	*wp = w;
	return 0;
}

struct loop *media_worker_loop(const struct media_worker *w)
{
	return w->loop;
}

int media_worker_post(struct media_worker *w, media_mbox_h *h, void *arg)
{
	return w ? media_mbox_post(w->mb, h, arg) : EINVAL;
}
