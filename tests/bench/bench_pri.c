/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark: complete PRI call cycles (SETUP to RELEASE COMPLETE) per
 * CPU-second, both ends in one process, all measured in the same run:
 *
 *   bare:     two libpri instances over an AF_UNIX SOCK_SEQPACKET socketpair,
 *             driven by poll() and pri_check_event(), reading the socket dry
 *             on each wakeup (the reference);
 *   span:     two pstn/isdn controllers (network and CPE) on TDM spans
 *             (isdn_tdm.c) through drivers/dahdi on the simulated DAHDI, two
 *             E1 spans crossed back to back: the headline;
 *   socket:   the controllers joined by a socketpair watched by the loop;
 *   inmemory: the controllers joined by isdn_pipe (no system calls).
 * The controllers run on a core/loop with a virtual clock, with the call
 * FSM, the handlers and the frame decoder in the path.
 *
 * Each cycle: SETUP, CALL PROCEEDING, ALERTING, CONNECT, CONNECT ACK,
 * DISCONNECT, RELEASE, RELEASE COMPLETE, with up to 16 calls in flight.
 * Prints `RESULT pri_call_cycles_per_cpu_second <n> calls/s` (span) and
 * `RESULT pri_ratio_to_bare_libpri <r> ratio`, and the others as RESULT
 * lines of their own.  Usage: bench_pri [cycles] (default 100000).
 */
#include <errno.h>
#include <fcntl.h>
#include <libpri.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "drivers/tdm.h"
#include "pstn/isdn.h"
#include "pstn/isdn_pipe.h"
#include "sim/sim.h"

#define INFLIGHT 16

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- bare libpri ------------------------------------------------------ */

struct bare {
	struct pri *net, *cpe;
	unsigned placed, done, inflight;
	unsigned next_chan;
	bool empty;
};

static void bare_place(struct bare *b)
{
	q931_call *c = pri_new_call(b->cpe);
	struct pri_sr *sr = pri_sr_new();
	b->next_chan = b->next_chan % 30 + 1;
	pri_sr_set_channel(sr, b->next_chan < 16 ? b->next_chan : b->next_chan + 1, 0, 0);
	pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
	pri_sr_set_called(sr, "200", PRI_NATIONAL_ISDN, 1);
	pri_sr_set_caller(sr, "100", NULL, PRI_NATIONAL_ISDN,
			  PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
	pri_setup(b->cpe, c, sr);
	pri_sr_free(sr);
	b->placed++;
	b->inflight++;
}

static void bare_event(struct bare *b, struct pri *p, pri_event *e)
{
	switch (e->e) {
	case PRI_EVENT_RING:
		pri_proceeding(p, e->ring.call, e->ring.channel, 0);
		pri_acknowledge(p, e->ring.call, e->ring.channel, 1);
		pri_answer(p, e->ring.call, e->ring.channel, 0);
		break;
	case PRI_EVENT_ANSWER:
		pri_hangup(p, e->answer.call, PRI_CAUSE_NORMAL_CLEARING);
		break;
	case PRI_EVENT_HANGUP_REQ:
		pri_hangup(p, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP: /* the side that hung up first must still free */
		pri_hangup(p, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP_ACK:
		b->done++;
		b->inflight--;
		break;
	default:
		break;
	}
}

/* libpri's own read on a non-blocking socket cannot tell "nothing to read"
 * from "a frame without an event"; this one can, so each wakeup drains the
 * socket (one read per frame, as libpri does). */
static int bare_read(struct pri *p, void *buf, int buflen)
{
	struct bare *b = pri_get_userdata(p);
	ssize_t n = read(pri_fd(p), buf, (size_t)buflen);
	if (n <= 0) {
		b->empty = true;
		return 0;
	}
	return (int)n;
}

static int bare_write(struct pri *p, void *buf, int buflen)
{
	return (int)write(pri_fd(p), buf, (size_t)buflen);
}

static void bare_poll(struct bare *b, int timeout_ms)
{
	struct pollfd pfd[2] = {{pri_fd(b->net), POLLIN, 0}, {pri_fd(b->cpe), POLLIN, 0}};
	struct pri *pris[2] = {b->net, b->cpe};
	if (poll(pfd, 2, timeout_ms) <= 0)
		return;
	for (int i = 0; i < 2; i++) {
		if (!(pfd[i].revents & POLLIN))
			continue;
		for (b->empty = false; !b->empty;) {
			pri_event *e = pri_check_event(pris[i]);
			if (e)
				bare_event(b, pris[i], e);
		}
	}
}

static double bench_bare(unsigned cycles)
{
	struct bare b = {0};
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return 0;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	b.net = pri_new_cb(sv[0], PRI_NETWORK, PRI_SWITCH_EUROISDN_E1, bare_read, bare_write, &b);
	b.cpe = pri_new_cb(sv[1], PRI_CPE, PRI_SWITCH_EUROISDN_E1, bare_read, bare_write, &b);
	for (int i = 0; i < 200; i++) /* SABME/UA */
		bare_poll(&b, 5);
	double t0 = cpu_now();
	while (b.done < cycles) {
		while (b.inflight < INFLIGHT && b.placed < cycles)
			bare_place(&b);
		bare_poll(&b, 100);
	}
	double t = cpu_now() - t0;
	/* struct pri has no destructor: the two instances stay allocated. */
	close(sv[0]);
	close(sv[1]);
	return cycles / t;
}

/* --- through the controllers ------------------------------------------- */

struct ours {
	struct isdn_ctrl *net, *cpe;
	unsigned placed;
};

static void o_incoming(struct isdn_call *call, const struct isdn_setup *s, void *arg)
{
	(void)s;
	(void)arg;
	isdn_call_proceeding(call, false);
	isdn_call_alert(call, true);
	isdn_call_answer(call);
}

static void o_answer(struct isdn_call *call, void *arg)
{
	(void)arg;
	isdn_call_hangup(call, 16);
}

static const struct isdn_handlers o_handlers = {.incoming = o_incoming, .answer = o_answer};

/* The D-channel over a socketpair end, as a TDM driver's HDLC fd would be. */
struct sock_end {
	int fd;
	struct isdn_ctrl *ctrl;
};

static int sock_write(void *arg, const uint8_t *frame, size_t len)
{
	struct sock_end *se = arg;
	return write(se->fd, frame, len) == (ssize_t)len ? 0 : errno;
}

static void sock_readable(int fd, uint32_t events, void *arg)
{
	struct sock_end *se = arg;
	uint8_t buf[512];
	ssize_t n;
	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		isdn_ctrl_input(se->ctrl, buf, (size_t)n);
}

static const struct isdn_dchan_ops sock_ops = {.write = sock_write};

struct rig {
	struct clk *clk;
	struct loop *loop;
	struct isdn_pipe *pipe;
	struct sock_end se[2];
	struct ours o;
};

static int rig_start(struct rig *r, bool socket)
{
	struct isdn_conf c;
	int sv[2];

	memset(r, 0, sizeof(*r));
	r->se[0].fd = r->se[1].fd = -1;
	clk_alloc(&r->clk, CLK_VIRTUAL);
	loop_alloc(&r->loop, r->clk);
	if (socket) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv))
			return errno;
		r->se[0].fd = sv[0];
		r->se[1].fd = sv[1];
	} else {
		isdn_pipe_alloc(&r->pipe, r->loop, 2);
	}
	const struct isdn_dchan_ops *ops = socket ? &sock_ops : &isdn_pipe_ops;
	struct isdn_ctrl **ctrls[2] = {&r->o.net, &r->o.cpe};
	isdn_conf_init(&c);
	for (unsigned i = 0; i < 2; i++) {
		snprintf(c.name, sizeof(c.name), "%s", i ? "cpe" : "net");
		c.role = i ? ISDN_ROLE_CPE : ISDN_ROLE_NETWORK;
		c.chansel = i ? ISDN_CHANSEL_RR : ISDN_CHANSEL_ASC;
		void *arg = socket ? (void *)&r->se[i] : (void *)isdn_pipe_end(r->pipe, i);
		if (isdn_ctrl_alloc(ctrls[i], r->loop, &c, ops, arg, &o_handlers, &r->o))
			return EIO;
		r->se[i].ctrl = *ctrls[i];
		if (socket)
			loop_fd_add(r->loop, r->se[i].fd, EPOLLIN, sock_readable, &r->se[i]);
		else
			isdn_pipe_attach(r->pipe, i, *ctrls[i]);
	}
	loop_run_for(r->loop, 2 * NS_PER_S);
	return 0;
}

static void rig_stop(struct rig *r)
{
	for (unsigned i = 0; i < 2; i++) {
		if (r->se[i].fd >= 0) {
			loop_fd_del(r->loop, r->se[i].fd);
			close(r->se[i].fd);
		}
		if (r->pipe)
			isdn_pipe_attach(r->pipe, i, NULL);
	}
	mem_deref(r->o.net);
	mem_deref(r->o.cpe);
	mem_deref(r->pipe);
	mem_deref(r->loop);
	mem_deref(r->clk);
}

static double bench_ours(unsigned cycles, bool socket)
{
	static struct rig r;
	struct isdn_call_prm prm = {.complete = true};
	struct isdn_call *call;

	if (rig_start(&r, socket))
		return 0;
	snprintf(prm.called.digits, sizeof(prm.called.digits), "200");
	snprintf(prm.calling.digits, sizeof(prm.calling.digits), "100");
	double t0 = cpu_now();
	while (r.o.placed < cycles || isdn_ctrl_ncalls(r.o.cpe) || isdn_ctrl_ncalls(r.o.net)) {
		while (r.o.placed < cycles && isdn_ctrl_ncalls(r.o.cpe) < INFLIGHT &&
		       isdn_call_place(r.o.cpe, &call, &prm, NULL) == 0)
			r.o.placed++;
		loop_run_for(r.loop, NS_PER_MS);
	}
	double t = cpu_now() - t0;
	rig_stop(&r);
	return cycles / t;
}

/* --- through drivers/dahdi and the simulated DAHDI ------------------------ */

static const char span_conf[] = "span=1,1,0,ccs,hdb3,crc4\nspan=2,0,0,ccs,hdb3,crc4\n"
				"bchan=1-15,17-31\ndchan=16\nbchan=32-46,48-62\ndchan=47\n";

static double bench_span(unsigned cycles)
{
	struct sim_prm sp = {.text = span_conf, .name = "bench.conf"};
	struct clk *clk;
	struct loop *loop;
	struct sim *sim = NULL;
	struct tdm *tdm = NULL;
	struct isdn_tdm *spans[2] = {NULL, NULL};
	struct ours o = {0};
	struct conf_diag diag;
	struct isdn_call_prm prm = {.complete = true};
	struct isdn_call *call;
	double rate = 0;

	clk_alloc(&clk, CLK_VIRTUAL);
	loop_alloc(&loop, clk);
	conf_diag_init(&diag);
	if (sim_alloc(&sim, loop, &sp, &diag) || tdm_alloc(&tdm, loop, sim_sys(sim)) ||
	    sim_span_cross(sim_span_find(sim, 1), sim_span_find(sim, 2)))
		goto out;
	for (unsigned i = 0; i < 2; i++) {
		struct isdn_conf c;
		isdn_conf_init(&c);
		c.role = i ? ISDN_ROLE_CPE : ISDN_ROLE_NETWORK;
		c.chansel = i ? ISDN_CHANSEL_RR : ISDN_CHANSEL_ASC;
		if (isdn_tdm_open(&spans[i], tdm, i + 1, &c, &o_handlers, &o))
			goto out;
	}
	o.net = isdn_tdm_ctrl(spans[0]);
	o.cpe = isdn_tdm_ctrl(spans[1]);
	loop_run_for(loop, 3 * NS_PER_S);
	snprintf(prm.called.digits, sizeof(prm.called.digits), "200");
	double t0 = cpu_now();
	while (o.placed < cycles || isdn_ctrl_ncalls(o.cpe) || isdn_ctrl_ncalls(o.net)) {
		while (o.placed < cycles && isdn_ctrl_ncalls(o.cpe) < INFLIGHT &&
		       isdn_call_place(o.cpe, &call, &prm, NULL) == 0)
			o.placed++;
		loop_run_for(loop, NS_PER_MS);
	}
	rate = cycles / (cpu_now() - t0);
out:
	conf_diag_reset(&diag);
	mem_deref(spans[0]);
	mem_deref(spans[1]);
	mem_deref(tdm);
	mem_deref(sim);
	mem_deref(loop);
	mem_deref(clk);
	return rate;
}

int main(int argc, char **argv)
{
	unsigned cycles = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
	log_set_level_all(LL_WARN);
	if (!cycles)
		cycles = 1;

	double bare = bench_bare(cycles);
	double ours = bench_ours(cycles, false);
	double sock = bench_ours(cycles, true);
	double span = bench_span(cycles);
	printf("# %u call cycles each, %d in flight, PRI E1 (EuroISDN), both ends in one process\n",
	       cycles, INFLIGHT);
	printf("# bare libpri over a SOCK_SEQPACKET socketpair:           %8.0f calls/s\n", bare);
	printf("# controllers over drivers/dahdi on the simulated DAHDI: %8.0f calls/s (%.2f)\n",
	       span, bare > 0 ? span / bare : 0.0);
	printf("# controllers on core/loop over a socketpair:            %8.0f calls/s (%.2f)\n",
	       sock, bare > 0 ? sock / bare : 0.0);
	printf("# controllers over the in-memory D-channel:              %8.0f calls/s (%.2f)\n",
	       ours, bare > 0 ? ours / bare : 0.0);
	printf("# The headline is through the driver and the sim (two E1 spans crossed).\n"
	       "# The sim is young: rerun when it settles.\n");
	printf("RESULT pri_bare_libpri_cycles_per_cpu_second %.0f calls/s\n", bare);
	printf("RESULT pri_socketpair_cycles_per_cpu_second %.0f calls/s\n", sock);
	printf("RESULT pri_inmemory_cycles_per_cpu_second %.0f calls/s\n", ours);
	printf("RESULT pri_call_cycles_per_cpu_second %.0f calls/s\n", span);
	printf("RESULT pri_ratio_to_bare_libpri %.2f ratio\n", bare > 0 ? span / bare : 0.0);
	return 0;
}
