/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mailboxes and media workers (src/media/mbox.c, worker.c): calls posted
 * from other threads run on the owning loop's thread, in order; a stream
 * lives on a worker thread and reports back through a mailbox on the
 * test's loop, as a call layer would.  The worker test runs on real time
 * for a few milliseconds.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "media/media.h"
#include "sg_test.h"

static struct clk *clk;
static struct loop *loop;
static struct media_mbox *mb;

static void setup_kind(enum clk_kind kind)
{
	sg_test_begin();
	cr_assert_eq(clk_alloc(&clk, kind), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	cr_assert_eq(media_mbox_alloc(&mb, loop), 0);
}

static void setup_virtual(void)
{
	setup_kind(CLK_VIRTUAL);
}

static void setup_real(void)
{
	setup_kind(CLK_REAL);
}

static void teardown(void)
{
	mb = mem_deref(mb);
	sg_loop_check(loop);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	sg_test_end();
}

/* --- mailbox ------------------------------------------------------------- */

static int order[2100];
static int norder;
static pthread_t loop_thread;
static bool wrong_thread;

static void note(void *arg)
{
	if (!pthread_equal(pthread_self(), loop_thread))
		wrong_thread = true;
	if (norder < 2100)
		order[norder++] = (int)(intptr_t)arg;
}

static void *poster(void *arg)
{
	intptr_t base = (intptr_t)arg;
	for (intptr_t i = 0; i < 1000; i++)
		media_mbox_post(mb, note, (void *)(base + i));
	return NULL;
}

Test(mbox, runs_in_order_on_the_loop_thread, .init = setup_virtual, .fini = teardown)
{
	pthread_t a, b;

	norder = 0;
	wrong_thread = false;
	loop_thread = pthread_self();
	media_mbox_post(mb, note, (void *)1);
	media_mbox_post(mb, note, (void *)2);
	loop_run_for(loop, NS_PER_MS);
	cr_assert_eq(norder, 2);
	cr_expect_eq(order[0], 1);
	cr_expect_eq(order[1], 2);
	pthread_create(&a, NULL, poster, (void *)10000);
	pthread_create(&b, NULL, poster, (void *)20000);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	loop_run_for(loop, NS_PER_MS);
	cr_assert_eq(norder, 2002);
	/* Each poster's calls keep their order. */
	int last_a = 9999, last_b = 19999;
	for (int i = 2; i < norder; i++) {
		int *last = order[i] >= 20000 ? &last_b : &last_a;
		cr_assert_eq(order[i], *last + 1);
		*last = order[i];
	}
	cr_expect_not(wrong_thread);
}

Test(mbox, queued_calls_dropped_when_freed, .init = setup_virtual, .fini = teardown)
{
	norder = 0;
	loop_thread = pthread_self();
	media_mbox_post(mb, note, (void *)1);
	mb = mem_deref(mb);
	loop_run_for(loop, NS_PER_MS);
	cr_expect_eq(norder, 0);
}

/* --- a stream on a worker thread ------------------------------------------ */

struct call {
	struct media_worker *w;
	struct media_stream *s; /* touched on the worker thread only */
	uint16_t port;		/* set on the worker, read after "ready" */
	int latched;		/* on the test's loop */
	bool ready, freed;
	pthread_t worker_thread;
};

static struct call C;

static void on_ready(void *arg)
{
	(void)arg;
	C.ready = true;
	loop_stop(loop);
}

static void on_latched(void *arg)
{
	(void)arg;
	C.latched++;
	loop_stop(loop);
}

static void on_freed(void *arg)
{
	(void)arg;
	C.freed = true;
	loop_stop(loop);
}

/* Runs on the worker: hand the event to the signalling side. */
static void stream_event(const struct media_event_info *info, void *arg)
{
	(void)arg;
	if (info->ev == MEDIA_EV_LATCHED)
		media_mbox_post(mb, on_latched, NULL);
}

static void w_create(void *arg)
{
	(void)arg;
	struct sockaddr_in local = {.sin_family = AF_INET};
	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct media_stream_prm prm = {
	    .local = (struct sockaddr *)&local,
	    .local_len = sizeof(local),
	    .pt = MEDIA_PT_PCMA,
	    .tdm_law = MEDIA_LAW_ALAW,
	    .te_pt = -1,
	    .latch = MEDIA_LATCH_ONCE,
	    .seed = 9,
	    .eh = stream_event,
	};
	C.worker_thread = pthread_self();
	if (!media_stream_alloc(&C.s, media_worker_loop(C.w), &prm))
		C.port = ntohs(((const struct sockaddr_in *)media_stream_local(C.s))->sin_port);
	media_mbox_post(mb, on_ready, NULL);
}

static void w_free(void *arg)
{
	(void)arg;
	C.s = mem_deref(C.s);
	media_mbox_post(mb, on_freed, NULL);
}

Test(worker, stream_on_a_worker_thread, .init = setup_real, .fini = teardown)
{
	struct media_worker_prm wp = {.tick_ns = 500 * NS_PER_US, .cpu = -1};

	memset(&C, 0, sizeof(C));
	cr_assert_eq(media_worker_alloc(&C.w, &wp), 0);
	cr_assert_eq(media_worker_post(C.w, w_create, NULL), 0);
	loop_run_for(loop, 2 * NS_PER_S);
	cr_assert(C.ready);
	cr_assert_neq(C.port, 0);
	cr_expect_not(pthread_equal(C.worker_thread, pthread_self()));

	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(C.port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint8_t pkt[12 + 160] = {0x80, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
	cr_assert_eq(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)),
		     (ssize_t)sizeof(pkt));
	loop_run_for(loop, 2 * NS_PER_S);
	cr_expect_eq(C.latched, 1);

	cr_assert_eq(media_worker_post(C.w, w_free, NULL), 0);
	loop_run_for(loop, 2 * NS_PER_S);
	cr_expect(C.freed);
	C.w = mem_deref(C.w); /* stops and joins the thread */
	close(fd);
}

/* --- the polled cadence (media_worker_run) ------------------------------ */

static uint64_t fired_at;

static void timer_fired(void *arg)
{
	fired_at = clk_now(clk);
	loop_stop(arg);
}

/* A timer due before the next tick is not held back to it: the TDM clock
 * of the sim is a timer, and every packet the gateway sends waits on it.
 * A 200 ms tick against a 5 ms timer: the margin is wide enough for a busy
 * machine, and the old behaviour (wait for the tick) could not pass. */
Test(worker, a_timer_is_not_kept_waiting_by_the_tick, .init = setup_real, .fini = teardown)
{
	struct loop_timer t;
	loop_timer_init(&t);
	uint64_t t0 = clk_now(clk);
	cr_assert_eq(loop_timer_start(loop, &t, 5 * NS_PER_MS, timer_fired, loop), 0);
	cr_assert_eq(media_worker_run(loop, 200 * NS_PER_MS), 0);
	cr_assert_gt(fired_at, 0);
	cr_expect_geq(fired_at - t0, 5 * NS_PER_MS);
	cr_expect_lt(fired_at - t0, 150 * NS_PER_MS, "fired after %llu us",
		     (unsigned long long)((fired_at - t0) / 1000));
}
