/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * isdn_trace_call PCAP: two controllers back to back (network and CPE, PRI
 * E1) on virtual time; the CPE places a call that the network answers and
 * the CPE clears, then one that the network refuses (busy).  The network's
 * D-channel is written to PCAP (LINUX_LAPD) for tests/interop/isdn_tshark.sh.
 * Exits 0 when both calls went as expected.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "pstn/isdn.h"
#include "pstn/isdn_pipe.h"

struct side {
	struct isdn_call *call;
	unsigned answers, hangups, last_cause;
	bool reject;
};

static void h_incoming(struct isdn_call *call, const struct isdn_setup *s, void *arg)
{
	struct side *sd = arg;
	(void)s;
	if (sd->reject) {
		isdn_call_hangup(call, 17);
		return;
	}
	sd->call = call;
	isdn_call_proceeding(call, false);
	isdn_call_alert(call, true);
	isdn_call_answer(call);
}

static void h_answer(struct isdn_call *call, void *arg)
{
	struct side *sd = arg;
	(void)call;
	sd->answers++;
}

static void h_hangup(struct isdn_call *call, unsigned cause, unsigned loc, void *arg)
{
	struct side *sd = arg;
	(void)loc;
	sd->hangups++;
	sd->last_cause = cause;
	if (sd->call == call)
		sd->call = NULL;
}

static const struct isdn_handlers handlers = {
    .incoming = h_incoming,
    .answer = h_answer,
    .hangup = h_hangup,
};

struct pair {
	struct clk *clk;
	struct loop *loop;
	struct isdn_pipe *pipe;
	struct isdn_ctrl *net, *cpe;
	struct isdn_pcap *pc;
	struct side sn, sc;
};

static int pair_start(struct pair *p, const char *path)
{
	struct isdn_conf cn, cc;
	memset(p, 0, sizeof(*p));
	clk_alloc(&p->clk, CLK_VIRTUAL);
	loop_alloc(&p->loop, p->clk);
	isdn_pipe_alloc(&p->pipe, p->loop, 2);
	isdn_conf_init(&cn);
	isdn_conf_init(&cc);
	snprintf(cn.name, sizeof(cn.name), "net");
	snprintf(cc.name, sizeof(cc.name), "cpe");
	cn.role = ISDN_ROLE_NETWORK;
	if (isdn_pcap_open(&p->pc, path, p->clk)) {
		perror(path);
		return 2;
	}
	if (isdn_ctrl_alloc(&p->net, p->loop, &cn, &isdn_pipe_ops, isdn_pipe_end(p->pipe, 0),
			    &handlers, &p->sn) ||
	    isdn_ctrl_alloc(&p->cpe, p->loop, &cc, &isdn_pipe_ops, isdn_pipe_end(p->pipe, 1),
			    &handlers, &p->sc))
		return 2;
	isdn_ctrl_trace(p->net, p->pc);
	isdn_pipe_attach(p->pipe, 0, p->net);
	isdn_pipe_attach(p->pipe, 1, p->cpe);
	loop_run_for(p->loop, 2 * NS_PER_S);
	return 0;
}

static void pair_stop(struct pair *p)
{
	if (p->pipe) {
		isdn_pipe_attach(p->pipe, 0, NULL);
		isdn_pipe_attach(p->pipe, 1, NULL);
	}
	mem_deref(p->net);
	mem_deref(p->cpe);
	mem_deref(p->pc);
	mem_deref(p->pipe);
	mem_deref(p->loop);
	mem_deref(p->clk);
}

static int run(const char *path)
{
	static struct pair p;
	struct isdn_call_prm prm = {.complete = true};
	int rc = pair_start(&p, path);
	if (rc) {
		pair_stop(&p);
		return rc;
	}
	snprintf(prm.called.digits, sizeof(prm.called.digits), "4930123456");
	prm.called.ton = 2;
	prm.called.npi = 1;
	snprintf(prm.calling.digits, sizeof(prm.calling.digits), "8912345");
	prm.calling.ton = 4;
	prm.calling.npi = 1;
	prm.calling.screen = 1;
	if (isdn_call_place(p.cpe, &p.sc.call, &prm, NULL) == 0) {
		loop_run_for(p.loop, 5 * NS_PER_S);
		if (p.sc.answers == 1)
			isdn_call_hangup(p.sc.call, 16);
		loop_run_for(p.loop, NS_PER_S);
	}
	p.sn.reject = true;
	if (isdn_call_place(p.cpe, &p.sc.call, &prm, NULL) == 0)
		loop_run_for(p.loop, NS_PER_S);
	rc = 1;
	if (p.sc.answers == 1 && p.sn.hangups == 1 && p.sn.last_cause == 16 && p.sc.hangups == 1 &&
	    p.sc.last_cause == 17)
		rc = 0;
	else
		fprintf(stderr, "unexpected: answers %u hangups %u/%u causes %u/%u\n", p.sc.answers,
			p.sn.hangups, p.sc.hangups, p.sn.last_cause, p.sc.last_cause);
	pair_stop(&p);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
		return 2;
	}
	log_set_level_all(LL_WARN);
	return run(argv[1]);
}
