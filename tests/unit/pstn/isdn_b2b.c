/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Back-to-back ISDN test bench; see isdn_b2b.h. */
#include "isdn_b2b.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sg_test.h"

__attribute__((format(printf, 2, 3))) static void note(struct b2b_side *s, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(s->log);
	if (n + 1 >= sizeof(s->log))
		return;
	va_start(ap, fmt);
	vsnprintf(s->log + n, sizeof(s->log) - n, fmt, ap);
	va_end(ap);
}

bool b2b_has(const struct b2b_side *s, const char *needle)
{
	return strstr(s->log, needle) != NULL;
}

static void h_incoming(struct isdn_call *call, const struct isdn_setup *st, void *arg)
{
	struct b2b_side *s = arg;
	s->call = call;
	s->setup = *st;
	s->incomings++;
	note(s, "incoming c%d called=%s calling=%s pres=%u complete=%d;", st->chan,
	     st->called.digits, st->calling.digits, st->calling.pres, st->complete);
	switch (s->mode) {
	case B2B_NOTHING:
		break;
	case B2B_REJECT:
		isdn_call_hangup(call, s->reject_cause);
		s->call = NULL;
		break;
	case B2B_PROGRESS:
		isdn_call_proceeding(call, false);
		isdn_call_progress(call, true);
		break;
	default:
		isdn_call_proceeding(call, false);
		if (s->mode >= B2B_ALERT)
			isdn_call_alert(call, true);
		if (s->mode == B2B_ANSWER)
			isdn_call_answer(call);
		break;
	}
}

static void h_digits(struct isdn_call *call, const char *digits, bool complete, bool timeout,
		     void *arg)
{
	struct b2b_side *s = arg;
	note(s, "digits '%s'%s%s;", digits, complete ? " complete" : "", timeout ? " timeout" : "");
	if (timeout && s->hangup_on_digits_timeout) {
		isdn_call_hangup(call, 28);
		s->call = NULL;
	}
}

static void h_progress(struct isdn_call *call, enum isdn_prog_kind kind, uint8_t pi, void *arg)
{
	static const char *names[] = {"setup_ack", "proceeding", "alerting", "progress"};
	struct b2b_side *s = arg;
	note(s, "%s c%d pi=%u;", names[kind], isdn_call_chan(call), pi);
}

static void h_answer(struct isdn_call *call, void *arg)
{
	struct b2b_side *s = arg;
	s->answers++;
	note(s, "answer c%d;", isdn_call_chan(call));
}

static void h_hangup(struct isdn_call *call, unsigned cause, unsigned loc, void *arg)
{
	struct b2b_side *s = arg;
	s->hangups++;
	s->last_cause = cause;
	s->last_loc = loc;
	note(s, "hangup c%d cause=%u loc=%u;", isdn_call_chan(call), cause, loc);
	if (s->call == call)
		s->call = NULL;
}

static void h_link(struct isdn_ctrl *ctrl, bool up, void *arg)
{
	struct b2b_side *s = arg;
	(void)ctrl;
	if (up)
		s->link_ups++;
	else
		s->link_downs++;
	note(s, "link %s;", up ? "up" : "down");
}

const struct isdn_handlers b2b_handlers = {
    .incoming = h_incoming,
    .digits = h_digits,
    .progress = h_progress,
    .answer = h_answer,
    .hangup = h_hangup,
    .link = h_link,
};

void b2b_start_conf(struct b2b *b, unsigned nsides)
{
	cr_assert(nsides >= 2 && nsides <= B2B_MAX_SIDES);
	b->nsides = nsides;
	cr_assert_eq(clk_alloc(&b->clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&b->loop, b->clk), 0);
	cr_assert_eq(isdn_pipe_alloc(&b->pipe, b->loop, nsides), 0);
	for (unsigned i = 0; i < nsides; i++) {
		struct b2b_side *s = &b->side[i];
		cr_assert_eq(isdn_ctrl_alloc(&s->ctrl, b->loop, &s->conf, &isdn_pipe_ops,
					     isdn_pipe_end(b->pipe, i), &b2b_handlers, s),
			     0, "controller %u", i);
		isdn_pipe_attach(b->pipe, i, s->ctrl);
	}
	b2b_run(b, 5 * NS_PER_S);
	for (unsigned i = 0; i < nsides; i++)
		cr_assert(isdn_ctrl_is_up(b->side[i].ctrl), "side %u: D-channel not up", i);
}

void b2b_prepare(struct b2b *b, enum isdn_iface iface, enum isdn_switch sw, unsigned nsides)
{
	for (unsigned i = 0; i < nsides; i++) {
		struct b2b_side *s = &b->side[i];
		isdn_conf_init(&s->conf);
		snprintf(s->conf.name, sizeof(s->conf.name), "%s%u", i ? "cpe" : "net", i);
		s->conf.role = i ? ISDN_ROLE_CPE : ISDN_ROLE_NETWORK;
		s->conf.iface = iface;
		s->conf.sw = sw;
		if (getenv("ISDN_TEST_PRI_DEBUG"))
			s->conf.debug = (unsigned)strtoul(getenv("ISDN_TEST_PRI_DEBUG"), NULL, 0);
	}
}

void b2b_start(struct b2b *b, enum isdn_iface iface, enum isdn_switch sw, unsigned nsides)
{
	b2b_prepare(b, iface, sw, nsides);
	b2b_start_conf(b, nsides);
}

void b2b_start_switch(struct b2b *b, const char *script)
{
	char err[160];
	b2b_prepare(b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	b->nsides = 2;
	cr_assert_eq(clk_alloc(&b->clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&b->loop, b->clk), 0);
	cr_assert_eq(isdn_pipe_alloc(&b->pipe, b->loop, 2), 0);
	cr_assert_eq(isdn_simsw_alloc(&b->simsw, b->loop, &b->side[0].conf, &isdn_pipe_ops,
				      isdn_pipe_end(b->pipe, 0)),
		     0);
	isdn_pipe_attach(b->pipe, 0, isdn_simsw_ctrl(b->simsw));
	struct b2b_side *s = &b->side[1];
	cr_assert_eq(isdn_ctrl_alloc(&s->ctrl, b->loop, &s->conf, &isdn_pipe_ops,
				     isdn_pipe_end(b->pipe, 1), &b2b_handlers, s),
		     0);
	isdn_pipe_attach(b->pipe, 1, s->ctrl);
	cr_assert_eq(isdn_simsw_load(b->simsw, "test.sw", script, err, sizeof(err)), 0, "%s", err);
	b2b_run(b, 500 * NS_PER_MS);
	cr_assert(isdn_ctrl_is_up(s->ctrl));
}

void b2b_run(struct b2b *b, uint64_t ns)
{
	loop_run_for(b->loop, ns);
}

void b2b_stop(struct b2b *b)
{
	for (unsigned i = 0; i < b->nsides; i++) {
		isdn_pipe_attach(b->pipe, i, NULL);
		b->side[i].ctrl = mem_deref(b->side[i].ctrl);
	}
	b->simsw = mem_deref(b->simsw);
	b->pipe = mem_deref(b->pipe);
	sg_loop_check(b->loop);
	b->loop = mem_deref(b->loop);
	b->clk = mem_deref(b->clk);
}

int b2b_call(struct b2b *b, unsigned from, const char *called, const char *calling, bool complete)
{
	struct isdn_call_prm prm = {.complete = complete};
	struct b2b_side *s = &b->side[from];
	snprintf(prm.called.digits, sizeof(prm.called.digits), "%s", called);
	prm.called.ton = 2; /* national */
	prm.called.npi = 1; /* E.164 */
	snprintf(prm.calling.digits, sizeof(prm.calling.digits), "%s", calling);
	prm.calling.ton = 2;
	prm.calling.npi = 1;
	prm.calling.screen = 3;
	return isdn_call_place(s->ctrl, &s->call, &prm, s);
}

void b2b_log_levels(void)
{
	bool dbg = getenv("ISDN_TEST_DEBUG") != NULL;
	log_set_level(LC_ISDN, dbg ? LL_DEBUG : LL_ERROR);
	log_set_level(LC_FSM, dbg ? LL_DEBUG : LL_ERROR);
	log_set_level(LC_SIM, dbg ? LL_DEBUG : LL_ERROR);
	log_set_level(LC_TDM, dbg ? LL_DEBUG : LL_ERROR);
}

void b2b_test_begin(struct b2b *b)
{
	sg_test_begin();
	memset(b, 0, sizeof(*b));
	b2b_log_levels();
}

void b2b_test_end(struct b2b *b)
{
	if (b->loop)
		b2b_stop(b);
	sg_test_end();
}
