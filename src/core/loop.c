/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event loop; see loop.h.
 *
 * One iteration:
 *   1. epoll_wait (virtual clock: never blocks) and run ready fd handlers;
 *   2. virtual clock only: if nothing was ready, nothing is due and nothing
 *      is deferred, jump the clock to the next timer (or the run's bound);
 *   3. fire the timers that were due when this pass began, in (expires, seq)
 *      order;
 *   4. run the calls that were deferred before this pass began.
 * Steps 3 and 4 ignore work added during themselves (a timer re-armed for
 * delay 0, a defer that defers again) until the next iteration, so such
 * chains cannot starve file descriptors.
 *
 * No logging here: everything else logs through the loop, so the loop must
 * not depend on the log.
 */
#include "core/loop.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/mem.h"

#define LOOP_MAX_EVENTS 64
#define NO_BOUND	UINT64_MAX

/* A watched fd.  `gen` is also stored in the epoll event, so an event
 * fetched for a watch that was deleted (and perhaps re-added under the same
 * number) during this iteration is recognised as stale and dropped. */
struct fdw {
	loop_fd_h *h; /* NULL: not watched */
	void *arg;
	uint32_t gen;
};

struct defer {
	loop_defer_h *h; /* NULL: cancelled during a defer pass */
	void *arg;
};

struct loop {
	struct clk *clk;
	int epfd;
	int sigfd;
	bool stop;
	struct loop_timer **heap; /* heap[i] has heap_idx i + 1 */
	size_t heap_cap;
	unsigned nheap;
	uint64_t seq;
	struct fdw *fds; /* indexed by fd */
	size_t nfds;
	uint32_t fd_gen;
	struct defer *defers;
	size_t ndefer, defer_cap;
	bool in_defer_pass;
	loop_signal_h *sigh;
	void *sigarg;
};

static void loop_destroy(void *data)
{
	struct loop *loop = data;

	/* Timers still armed are only forgotten: their owners may already be
	 * gone, so writing to them here could corrupt freed memory. */
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	free(loop->heap);
	free(loop->fds);
	free(loop->defers);
	mem_deref(loop->clk);
}

int loop_alloc(struct loop **loopp, struct clk *clk)
{
	if (!loopp || !clk)
		return EINVAL;
	struct loop *loop = mem_zalloc(sizeof(*loop), loop_destroy);
	if (!loop)
		return ENOMEM;
	loop->sigfd = -1;
	loop->clk = mem_ref(clk);
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int err = errno;
		mem_deref(loop);
		return err;
	}
	*loopp = loop;
	return 0;
}

struct clk *loop_clock(const struct loop *loop)
{
	return loop->clk;
}

uint64_t loop_now(const struct loop *loop)
{
	return clk_now(loop->clk);
}

/* The array `arr` of `*cap` elements, grown by doubling (from 16) so that
 * index `need` fits, new slots zeroed; NULL when out of memory (`arr` is
 * then left as it was). */
static void *grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (need < *cap)
		return arr;
	while (n <= need) {
		if (n > SIZE_MAX / 2 / size)
			return NULL;
		n *= 2;
	}
	char *p = realloc(arr, n * size);
	if (!p)
		return NULL;
	memset(p + *cap * size, 0, (n - *cap) * size);
	*cap = n;
	return p;
}

/* a + b without wrapping: "never" stays at the end of time. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	if (a->expires != b->expires)
		return a->expires < b->expires;
	return a->seq < b->seq;
}

static void heap_set(struct loop *loop, unsigned i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->heap_idx = i + 1;
}

static void heap_up(struct loop *loop, unsigned i)
{
	struct loop_timer *t = loop->heap[i];

	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (!timer_before(t, loop->heap[parent]))
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct loop *loop, unsigned i)
{
	struct loop_timer *t = loop->heap[i];

	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap && timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_before(loop->heap[c], t))
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

/* Restore heap order at `i` after its key changed either way. */
static void heap_fix(struct loop *loop, unsigned i)
{
	if (i > 0 && timer_before(loop->heap[i], loop->heap[(i - 1) / 2]))
		heap_up(loop, i);
	else
		heap_down(loop, i);
}

static void heap_remove(struct loop *loop, struct loop_timer *t)
{
	unsigned i = t->heap_idx - 1;

	assert(i < loop->nheap && loop->heap[i] == t);
	t->heap_idx = 0;
	loop->nheap--;
	if (i == loop->nheap)
		return;
	heap_set(loop, i, loop->heap[loop->nheap]);
	heap_fix(loop, i);
}

int loop_timer_start(struct loop *loop, struct loop_timer *t, uint64_t delay, loop_timer_h *h,
		     void *arg)
{
	if (!loop || !t || !h)
		return EINVAL;
	/* Grow first, so a failure leaves an armed timer armed as it was. */
	if (!t->heap_idx) {
		void *p = grow(loop->heap, &loop->heap_cap, loop->nheap, sizeof(*loop->heap));
		if (!p)
			return ENOMEM;
		loop->heap = p;
	}
	t->expires = sat_add(clk_now(loop->clk), delay);
	t->seq = loop->seq++;
	t->h = h;
	t->arg = arg;
	if (t->heap_idx) {
		heap_fix(loop, t->heap_idx - 1);
	} else {
		loop->nheap++;
		heap_set(loop, loop->nheap - 1, t);
		heap_up(loop, loop->nheap - 1);
	}
	return 0;
}

void loop_timer_cancel(struct loop *loop, struct loop_timer *t)
{
	if (t && t->heap_idx)
		heap_remove(loop, t);
}

uint64_t loop_timer_remaining(const struct loop *loop, const struct loop_timer *t)
{
	if (!t->heap_idx)
		return 0;
	uint64_t now = clk_now(loop->clk);
	return t->expires > now ? t->expires - now : 0;
}

uint64_t loop_next_expiry(const struct loop *loop)
{
	return loop->nheap ? loop->heap[0]->expires : UINT64_MAX;
}

unsigned loop_timer_count(const struct loop *loop)
{
	return loop->nheap;
}

/* Fire timers due at the start of the pass.  Timers armed during the pass
 * get seq >= seq0 and an expiry >= now0, so they sort after every timer
 * this pass may fire, and stopping at the first one is exact. */
static unsigned run_timers(struct loop *loop)
{
	uint64_t now0 = clk_now(loop->clk);
	uint64_t seq0 = loop->seq;
	unsigned fired = 0;

	while (loop->nheap) {
		struct loop_timer *t = loop->heap[0];
		if (t->expires > now0 || t->seq >= seq0)
			break;
		heap_remove(loop, t);
		fired++;
		t->h(t->arg); /* may free t: do not touch it afterwards */
	}
	return fired;
}

static bool fd_watched(const struct loop *loop, int fd)
{
	return fd >= 0 && (size_t)fd < loop->nfds && loop->fds[fd].h;
}

static int fd_ctl(struct loop *loop, int op, int fd, uint32_t events)
{
	struct epoll_event ev = {
	    .events = events,
	    .data.u64 = (uint64_t)loop->fds[fd].gen << 32 | (uint32_t)fd,
	};
	return epoll_ctl(loop->epfd, op, fd, &ev) ? errno : 0;
}

int loop_fd_add(struct loop *loop, int fd, uint32_t events, loop_fd_h *h, void *arg)
{
	if (!loop || !h)
		return EINVAL;
	if (fd < 0)
		return EBADF;
	if (fd_watched(loop, fd))
		return EEXIST;
	void *p = grow(loop->fds, &loop->nfds, (size_t)fd, sizeof(*loop->fds));
	if (!p)
		return ENOMEM;
	loop->fds = p;
	loop->fds[fd].gen = ++loop->fd_gen;
	int err = fd_ctl(loop, EPOLL_CTL_ADD, fd, events);
	if (err)
		return err;
	loop->fds[fd].h = h;
	loop->fds[fd].arg = arg;
	return 0;
}

int loop_fd_mod(struct loop *loop, int fd, uint32_t events)
{
	if (!fd_watched(loop, fd))
		return ENOENT;
	return fd_ctl(loop, EPOLL_CTL_MOD, fd, events);
}

void loop_fd_del(struct loop *loop, int fd)
{
	if (!fd_watched(loop, fd))
		return;
	/* Fails harmlessly if the caller closed fd first (epoll dropped it). */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd] = (struct fdw){0};
}

static void dispatch_fd(struct loop *loop, const struct epoll_event *ev)
{
	int fd = (int)(uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);

	if (!fd_watched(loop, fd) || loop->fds[fd].gen != gen)
		return; /* deleted earlier in this iteration */
	struct fdw w = loop->fds[fd];
	w.h(fd, ev->events, w.arg);
}

int loop_defer(struct loop *loop, loop_defer_h *h, void *arg)
{
	if (!loop || !h)
		return EINVAL;
	void *p = grow(loop->defers, &loop->defer_cap, loop->ndefer, sizeof(*loop->defers));
	if (!p)
		return ENOMEM;
	loop->defers = p;
	loop->defers[loop->ndefer++] = (struct defer){h, arg};
	return 0;
}

/* Drop cancelled entries, keeping the order of the rest. */
static void defer_compact(struct loop *loop)
{
	size_t j = 0;

	for (size_t i = 0; i < loop->ndefer; i++) {
		if (loop->defers[i].h)
			loop->defers[j++] = loop->defers[i];
	}
	loop->ndefer = j;
}

void loop_defer_cancel(struct loop *loop, void *arg)
{
	for (size_t i = 0; i < loop->ndefer; i++) {
		if (loop->defers[i].arg == arg)
			loop->defers[i].h = NULL;
	}
	/* During a pass the array is being walked: leave the holes to the
	 * compaction at its end. */
	if (!loop->in_defer_pass)
		defer_compact(loop);
}

/* Run the calls queued before the pass began; calls deferred by them wait
 * for the next iteration.  Entries are copied out before the call because
 * the array may move when a handler defers again. */
static size_t run_defers(struct loop *loop)
{
	size_t n = loop->ndefer, ran = 0;

	loop->in_defer_pass = true;
	for (size_t i = 0; i < n; i++) {
		struct defer d = loop->defers[i];
		if (!d.h)
			continue;
		loop->defers[i].h = NULL;
		ran++;
		d.h(d.arg);
	}
	loop->in_defer_pass = false;
	defer_compact(loop);
	return ran;
}

static void signal_readable(int fd, uint32_t events, void *arg)
{
	struct loop *loop = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;
		if (loop->sigh)
			loop->sigh(sig, loop->sigarg);
		else if (sig == SIGTERM || sig == SIGINT)
			loop_stop(loop);
		/* SIGHUP without a handler: nothing to reload, ignore. */
	}
}

/* The signals stay blocked after the loop is freed: unblocking them then
 * would let a pending SIGTERM kill the process by its default action. */
int loop_signals(struct loop *loop, loop_signal_h *h, void *arg)
{
	if (!loop)
		return EINVAL;
	loop->sigh = h;
	loop->sigarg = arg;
	if (loop->sigfd >= 0)
		return 0;

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	int err = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (err)
		return err;
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return errno;
	err = loop_fd_add(loop, fd, EPOLLIN, signal_readable, loop);
	if (err) {
		close(fd);
		return err;
	}
	loop->sigfd = fd;
	return 0;
}

/* When the loop next has to act: the next timer, but not after `bound`. */
static uint64_t next_deadline(const struct loop *loop, uint64_t bound)
{
	if (loop->nheap && loop->heap[0]->expires < bound)
		return loop->heap[0]->expires;
	return bound;
}

/* epoll timeout in ms for a real clock: up to the next deadline, rounded
 * up so that a timer is never found not yet due on wake-up. */
static int wait_ms(const struct loop *loop, uint64_t bound)
{
	if (loop->ndefer)
		return 0;
	uint64_t target = next_deadline(loop, bound);
	if (target == NO_BOUND)
		return -1;
	uint64_t now = clk_now(loop->clk);
	if (target <= now)
		return 0;
	uint64_t ms = (target - now + NS_PER_MS - 1) / NS_PER_MS;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Virtual clock with nothing to do now: jump to the next timer, but not
 * past `bound`.  Returns whether time moved. */
static bool virtual_jump(struct loop *loop, uint64_t bound)
{
	uint64_t now = clk_now(loop->clk);
	uint64_t target = next_deadline(loop, bound);

	/* A due timer or a deferred call is work to do now, not a wait. */
	if (loop->ndefer || target == NO_BOUND || target <= now)
		return false;
	clk_advance_to(loop->clk, target);
	return true;
}

/* One iteration bounded by the absolute time `bound` (NO_BOUND: none).
 * *busy tells whether anything happened, so that loop_run on a virtual
 * clock can tell an idle loop from a working one. */
static int iterate(struct loop *loop, uint64_t bound, bool *busy)
{
	struct epoll_event ev[LOOP_MAX_EVENTS];
	bool virt = clk_is_virtual(loop->clk);
	int n = epoll_wait(loop->epfd, ev, LOOP_MAX_EVENTS, virt ? 0 : wait_ms(loop, bound));

	if (n < 0) {
		if (errno != EINTR)
			return errno;
		n = 0;
	}
	for (int i = 0; i < n; i++)
		dispatch_fd(loop, &ev[i]);
	bool jumped = virt && n == 0 && virtual_jump(loop, bound);
	unsigned fired = run_timers(loop);
	size_t ran = run_defers(loop);
	*busy = n > 0 || jumped || fired > 0 || ran > 0;
	return 0;
}

int loop_run_once(struct loop *loop, uint64_t max_wait)
{
	bool busy;

	return iterate(loop, sat_add(clk_now(loop->clk), max_wait), &busy);
}

/* Always runs at least one iteration, so timers already due fire even when
 * `abs` has passed.  An idle virtual loop can only fail to reach `abs` when
 * it is "never" (UINT64_MAX); it returns then, as loop_run does. */
int loop_run_until(struct loop *loop, uint64_t abs)
{
	bool busy;

	loop->stop = false;
	do {
		int err = iterate(loop, abs, &busy);
		if (err)
			return err;
		if (!busy && clk_is_virtual(loop->clk))
			break;
	} while (!loop->stop && clk_now(loop->clk) < abs);
	return 0;
}

/* On a virtual clock, an idle loop (no timer, nothing ready, nothing
 * deferred) returns 0 instead of spinning: no virtual time could ever make
 * anything happen.  A real clock blocks until an fd or signal wakes it. */
int loop_run(struct loop *loop)
{
	return loop_run_until(loop, NO_BOUND);
}

int loop_run_for(struct loop *loop, uint64_t ns)
{
	return loop_run_until(loop, sat_add(clk_now(loop->clk), ns));
}

void loop_stop(struct loop *loop)
{
	loop->stop = true;
}

bool loop_stopped(const struct loop *loop)
{
	return loop->stop;
}
