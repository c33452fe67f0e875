/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ISDN leg (see leg_isdn.h): Q.931 events in, call_leg operations out.
 *
 *   SETUP                  → call_incoming()
 *   CALL PROCEEDING        → call_leg_proceeding()
 *   ALERTING [PI 1/8]      → call_leg_alerting(inband)
 *   PROGRESS PI 1/8        → call_leg_progress()      (Q.931 §4.5.23)
 *   CONNECT                → call_leg_answer()
 *   DISCONNECT/RELEASE     → call_leg_released(cause)
 *
 * Overlap receiving (Q.931 §5.2.4), on a span with `overlap` on: a SETUP
 * without Sending Complete makes no call yet.  The leg collects the called
 * number from INFORMATION messages (the controller answers the SETUP with
 * SETUP ACKNOWLEDGE and runs T302) and makes the call en bloc when
 *   - Sending Complete arrives, or
 *   - the span's digit map ([digits NAME] of the dial plan) says the number
 *     is complete, or
 *   - T302 runs out: the call is routed with what was dialled, and a number
 *     no rule routes is cleared with 28 (invalid number format, Q.850).
 * A number the digit map can never complete is cleared with 28 at once.
 * Making the call sends CALL PROCEEDING (§5.2.5.2), which stops T302.
 * With `rfc3578` on the span, the call is made at the SETUP instead (an
 * INVITE with the digits so far) and each later digit goes to the call
 * (call_leg_digits: a new INVITE, RFC 3578); CALL PROCEEDING waits until
 * the number is final (Sending Complete, digit map, T302) or the far end
 * rings.
 *
 * Hunting (outgoing): the spans of the group are tried in the policy's
 * order.  A span that is down or full is skipped at once; a span whose far
 * end clears the call with a congestion cause (34, 38, 41, 42, 44, 47)
 * before ALERTING, PROGRESS or CONNECT hands the call to the next span, so
 * the call layer sees a failure only when every span of the group failed.
 *
 * Numbers: ISDN carries no '+'; an E.164 number in international form is
 * digits with TON international and NPI ISDN (Q.931 §4.5.10).
 */
#include "call/leg_isdn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call/limit.h"
#include "core/log.h"
#include "core/loop.h"

struct leg_isdn {
	struct call_leg leg;
	struct leg_isdn_span *span;     /* the span the call is on (none before setup) */
	struct leg_isdn_group *group;   /* outgoing: where to hunt */
	enum route_policy policy;
	struct isdn_call *ic;       /* NULL once the call is gone */
	int chan;
	bool collecting;            /* overlap receiving: no call made yet */
	bool more;                  /* RFC 3578: the call is made, digits still come */
	bool proceeding_due;        /* RFC 3578: CALL PROCEEDING once the number is final */
	bool reached;               /* outgoing: ALERTING, PROGRESS or CONNECT came */
	struct isdn_call_prm prm;   /* outgoing: the SETUP, for the next span */
	struct leg_isdn_span *order[LEG_ISDN_GROUP_SPANS]; /* hunt order */
	unsigned n_order, next;     /* spans in it; the next to try */
	struct le le;               /* in span->collecting while collecting */
	struct call_setup in;       /* incoming: the numbers, as collected so far */
};

static struct leg_isdn *leg_of(struct call_leg *leg)
{
	return (struct leg_isdn *)leg;
}

static void party_from_isdn(struct call_party *p, const struct isdn_number *n)
{
	memset(p, 0, sizeof(*p));
	if (!n->digits[0])
		return;
	p->present = true;
	p->ton = n->ton;
	p->npi = n->npi;
	p->pres = n->pres;
	p->screen = n->screen;
	memcpy(p->digits, n->digits, sizeof(p->digits));
}

static void number_to_isdn(struct isdn_number *n, const struct call_party *p)
{
	memset(n, 0, sizeof(*n));
	if (!p->present)
		return;
	const char *d = p->digits;
	n->ton = p->ton;
	n->npi = p->npi;
	if (d[0] == '+') {
		d++;
		n->ton = 1; /* international */
		n->npi = 1; /* ISDN/telephony, E.164 */
	}
	memcpy(n->digits, d, strnlen(d, ISDN_NUM_MAX));
	n->pres = p->pres;
	n->screen = p->screen;
}

/* --- operations the call asks of the leg -------------------------------- */

/* The spans of the group in hunt order. */
static unsigned hunt_order(struct leg_isdn *l, struct leg_isdn_span **out)
{
	struct leg_isdn_group *g = l->group;
	unsigned n = g->n, start = 0;
	if (l->policy == ROUTE_POLICY_ROUND_ROBIN && n)
		start = g->rr++ % n;
	for (unsigned i = 0; i < n; i++) {
		unsigned k = l->policy == ROUTE_POLICY_DESCENDING ? n - 1 - i : (start + i) % n;
		out[i] = g->span[k];
	}
	if (l->policy == ROUTE_POLICY_LEAST_USED) /* insertion sort by load */
		for (unsigned i = 1; i < n; i++)
			for (unsigned j = i; j > 0 && isdn_ctrl_ncalls(out[j]->ctrl) <
						       isdn_ctrl_ncalls(out[j - 1]->ctrl); j--) {
				struct leg_isdn_span *t = out[j];
				out[j] = out[j - 1];
				out[j - 1] = t;
			}
	return n;
}

/* Place the call on the next span of the hunt order that takes it.  A
 * span that is down or full: the next one may carry it. */
static int hunt_next(struct leg_isdn *l)
{
	int rc = EBUSY;
	while (l->next < l->n_order) {
		struct leg_isdn_span *sp = l->order[l->next++];
		/* A span that is down, full or at its limit: the next one may
		 * carry it. */
		if (call_leg_limit_take(&l->leg, sp->limit, true, loop_now(sp->env->loop), NULL)) {
			rc = EBUSY;
			continue;
		}
		rc = isdn_call_place(sp->ctrl, &l->ic, &l->prm, l);
		if (!rc) {
			l->span = sp;
			l->chan = isdn_call_chan(l->ic);
			return 0;
		}
		call_leg_limit_drop(&l->leg);
		if (rc != EBUSY && rc != ENOTCONN)
			break;
	}
	return rc;
}

static int l_setup(struct call_leg *leg, const struct call_setup *s)
{
	struct leg_isdn *l = leg_of(leg);
	l->prm = (struct isdn_call_prm){ .complete = true };
	number_to_isdn(&l->prm.called, &s->called);
	number_to_isdn(&l->prm.calling, &s->calling);
	number_to_isdn(&l->prm.redirecting, &s->redirecting);
	l->prm.redirect_reason = s->redirect_reason;
	l->n_order = hunt_order(l, l->order);
	l->next = 0;
	int rc = hunt_next(l);
	return rc == ENOTCONN ? EAGAIN : rc; /* every span down: cause 41 */
}

static int l_proceeding(struct call_leg *leg)
{
	struct leg_isdn *l = leg_of(leg);
	if (l->more) { /* still in overlap receiving: T302 runs on */
		l->proceeding_due = true;
		return 0;
	}
	return l->ic ? isdn_call_proceeding(l->ic, false) : ENOTCONN;
}

/* The far end rings or answers: the number was evidently complete. */
static int l_alerting(struct call_leg *leg, bool inband)
{
	struct leg_isdn *l = leg_of(leg);
	l->more = l->proceeding_due = false;
	return l->ic ? isdn_call_alert(l->ic, inband) : ENOTCONN;
}

static int l_progress(struct call_leg *leg)
{
	struct leg_isdn *l = leg_of(leg);
	l->more = l->proceeding_due = false;
	return l->ic ? isdn_call_progress(l->ic, true) : ENOTCONN;
}

static int l_answer(struct call_leg *leg)
{
	struct leg_isdn *l = leg_of(leg);
	l->more = l->proceeding_due = false;
	return l->ic ? isdn_call_answer(l->ic) : ENOTCONN;
}

static void l_release(struct call_leg *leg, unsigned cause, unsigned status)
{
	struct leg_isdn *l = leg_of(leg);
	(void)status;
	if (!l->ic)
		return;
	isdn_call_set_priv(l->ic, NULL);
	isdn_call_hangup(l->ic, cause); /* the handle is invalid from here */
	l->ic = NULL;
}

static void l_describe(const struct call_leg *leg, struct cdr *rec)
{
	const struct leg_isdn *l = (const struct leg_isdn *)leg;
	if (!l->span)
		return;
	rec->span = (int)l->span->number;
	rec->channel = l->chan;
}

static void l_destroy(struct call_leg *leg)
{
	struct leg_isdn *l = leg_of(leg);
	call_leg_limit_drop(leg); /* a leg that never joined a call */
	if (l->ic) /* never released: a call that could not be made */
		l_release(leg, 41, 0);
	free(l);
}

static const struct call_leg_ops isdn_leg_ops = {
	.kind = "isdn",
	.setup = l_setup,
	.proceeding = l_proceeding,
	.alerting = l_alerting,
	.progress = l_progress,
	.answer = l_answer,
	.release = l_release,
	.describe = l_describe,
	.destroy = l_destroy,
};

bool leg_isdn_where(const struct call_leg *leg, unsigned *span, int *chan)
{
	if (!leg || leg->ops != &isdn_leg_ops)
		return false;
	const struct leg_isdn *l = (const struct leg_isdn *)leg;
	*span = l->span ? l->span->number : 0;
	*chan = l->chan;
	return true;
}

static struct leg_isdn *leg_new(void)
{
	struct leg_isdn *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->leg.ops = &isdn_leg_ops;
	l->leg.side = CALL_SIDE_PSTN;
	l->leg.priv = l;
	return l;
}

int leg_isdn_create(struct leg_isdn_group *g, enum route_policy policy, struct call_leg **legp)
{
	if (!g || !g->n)
		return ENOENT;
	struct leg_isdn *l = leg_new();
	if (!l)
		return ENOMEM;
	l->group = g;
	l->policy = policy;
	*legp = &l->leg;
	return 0;
}

/* --- Q.931 events from the controller ----------------------------------- */

static void collect_stop(struct leg_isdn *l)
{
	l->collecting = false;
	list_unlink(&l->le);
}

/* Make the call for an incoming leg (its numbers are complete, or as
 * complete as they will get). */
static void incoming_start(struct leg_isdn *l)
{
	collect_stop(l);
	if (call_incoming(l->span->env, &l->leg, &l->in)) {
		call_leg_limit_drop(&l->leg);
		l_release(&l->leg, 47, 0); /* resource unavailable */
		free(l);
	}
}

/* Overlap receiving ends without a call: clear the ISDN call and forget. */
static void collect_fail(struct leg_isdn *l, unsigned cause)
{
	LOGN(LC_CALL, isdn_ctrl_name(l->span->ctrl), "overlap: called %s refused, cause %u",
	     l->in.called.digits, cause);
	collect_stop(l);
	call_leg_limit_drop(&l->leg);
	l_release(&l->leg, cause, 0);
	free(l);
}

/* What the span's digit map says of the number so far (incomplete when
 * there is no map). */
static enum route_digits digits_check(const struct leg_isdn *l)
{
	const struct leg_isdn_span *sp = l->span;
	enum route_digits res = ROUTE_DIGITS_INCOMPLETE;
	if (sp->digitmap[0] && sp->env->routes &&
	    route_digits_check(sp->env->routes, sp->digitmap, l->in.called.digits, &res))
		res = ROUTE_DIGITS_INCOMPLETE; /* no such map (checked at load): wait */
	return res;
}

/* More digits arrived (or none: the SETUP itself): dial now, wait, or give
 * up.  `complete`: Sending Complete; `timeout`: T302 ran out. */
static void collect_decide(struct leg_isdn *l, bool complete, bool timeout)
{
	enum route_digits res = complete || timeout ? ROUTE_DIGITS_COMPLETE : digits_check(l);
	if (res == ROUTE_DIGITS_INVALID) {
		collect_fail(l, 28);
		return;
	}
	if (res == ROUTE_DIGITS_COMPLETE) {
		/* After T302 the number may be short: no route means 28. */
		l->in.overlap_timeout = timeout;
		incoming_start(l);
	}
}

/* RFC 3578: make the call now with the digits so far. */
static void overlap_start(struct leg_isdn *l)
{
	enum route_digits res = digits_check(l);
	if (res == ROUTE_DIGITS_INVALID) {
		collect_fail(l, 28);
		return;
	}
	l->more = res != ROUTE_DIGITS_COMPLETE;
	l->in.overlap_open = l->more;
	incoming_start(l);
}

/* RFC 3578: digits for a call already made. */
static void overlap_more(struct leg_isdn *l, const char *digits, bool complete, bool timeout)
{
	struct call *call = l->leg.call;
	enum route_digits res = complete || timeout ? ROUTE_DIGITS_COMPLETE : digits_check(l);
	if (res == ROUTE_DIGITS_INVALID) {
		call_hangup(call, 28);
		return;
	}
	bool final = res == ROUTE_DIGITS_COMPLETE;
	if (final)
		l->more = false;
	call_leg_digits(&l->leg, digits, final);
	/* Still up and still waiting for the far end: the caller is told the
	 * number is complete (Q.931 §5.2.4), which also stops T302. */
	if (final && l->ic && l->proceeding_due) {
		l->proceeding_due = false;
		isdn_call_proceeding(l->ic, false);
	}
}

static void on_incoming(struct isdn_call *ic, const struct isdn_setup *su, void *arg)
{
	struct leg_isdn_span *sp = arg;
	struct leg_isdn *l = sp->accepting ? leg_new() : NULL;
	if (!l) {
		/* Q.850 42: switching equipment congestion (shutting down). */
		isdn_call_hangup(ic, sp->accepting ? 47 : 42);
		return;
	}
	unsigned retry;
	int err = call_leg_limit_take(&l->leg, sp->limit, false, loop_now(sp->env->loop), &retry);
	if (err) {
		LOGN(LC_CALL, isdn_ctrl_name(sp->ctrl), "span %u at its max_%s: SETUP refused",
		     sp->number, err == EBUSY ? "calls" : "cps");
		isdn_call_hangup(ic, call_limit_cause(err));
		free(l);
		return;
	}
	l->ic = ic;
	l->span = sp;
	l->chan = isdn_call_chan(ic);
	isdn_call_set_priv(ic, l);
	struct call_setup *s = &l->in;
	*s = (struct call_setup){ .span = sp->number, .redirect_reason = su->redirect_reason,
				  .t_begin = clk_wall(loop_clock(sp->env->loop)) };
	party_from_isdn(&s->called, &su->called);
	party_from_isdn(&s->calling, &su->calling);
	party_from_isdn(&s->redirecting, &su->redirecting);
	memcpy(s->group, sp->group, sizeof(s->group));
	if (sp->overlap && !su->complete && sp->rfc3578) {
		overlap_start(l);
		return;
	}
	if (sp->overlap && !su->complete) {
		/* Returning without an answer: the controller sends SETUP ACK. */
		l->collecting = true;
		if (!sp->collecting.next)
			list_init(&sp->collecting);
		list_append(&sp->collecting, &l->le);
		collect_decide(l, false, false);
		return;
	}
	incoming_start(l);
}

static void on_digits(struct isdn_call *ic, const char *digits, bool complete, bool timeout,
		      void *arg)
{
	struct leg_isdn *l = isdn_call_priv(ic);
	(void)arg;
	if (!l || (!l->collecting && !l->more))
		return; /* INFORMATION after the number was complete: nothing to add */
	struct call_party *called = &l->in.called;
	size_t have = strlen(called->digits), more = strlen(digits);
	if (have + more > ROUTE_NUM_MAX) {
		if (l->more)
			call_hangup(l->leg.call, 28);
		else
			collect_fail(l, 28);
		return;
	}
	memcpy(called->digits + have, digits, more + 1);
	called->present = called->digits[0] != '\0';
	if (l->more)
		overlap_more(l, digits, complete, timeout);
	else
		collect_decide(l, complete, timeout);
}

static void on_progress(struct isdn_call *ic, enum isdn_prog_kind kind, uint8_t pi, void *arg)
{
	struct leg_isdn *l = isdn_call_priv(ic);
	(void)arg;
	if (!l)
		return;
	/* Q.931 §4.5.23: 1 not end-to-end ISDN, 8 in-band information. */
	bool inband = pi == 1 || pi == 8;
	switch (kind) {
	case ISDN_PROG_PROCEEDING:
		call_leg_proceeding(&l->leg);
		break;
	case ISDN_PROG_ALERTING:
		l->reached = true;
		call_leg_alerting(&l->leg, inband);
		break;
	case ISDN_PROG_PROGRESS:
		l->reached = l->reached || inband;
		if (inband)
			call_leg_progress(&l->leg);
		break;
	case ISDN_PROG_SETUP_ACK:
		break; /* we send en bloc (sending complete): nothing to add */
	}
}

static void on_answer(struct isdn_call *ic, void *arg)
{
	struct leg_isdn *l = isdn_call_priv(ic);
	(void)arg;
	if (!l)
		return;
	l->reached = true;
	call_leg_answer(&l->leg);
}

static void on_hangup(struct isdn_call *ic, unsigned cause, unsigned location, void *arg)
{
	struct leg_isdn *l = isdn_call_priv(ic);
	(void)arg;
	(void)location;
	if (!l)
		return;
	l->ic = NULL; /* libpri frees it once this returns */
	if (l->collecting) { /* the caller gave up while dialling: no call yet */
		collect_stop(l);
		call_leg_limit_drop(&l->leg);
		free(l);
		return;
	}
	if (l->group && !l->reached && call_cause_is_congestion(cause) && l->next < l->n_order) {
		unsigned from = l->span->number;
		if (!hunt_next(l)) {
			LOGN(LC_CALL, isdn_ctrl_name(l->span->ctrl),
			     "span %u: cause %u, the call goes on span %u", from, cause,
			     l->span->number);
			return;
		}
	}
	call_leg_released(&l->leg, cause, 0);
}

void leg_isdn_span_drop(struct leg_isdn_span *sp, unsigned cause)
{
	struct le *e, *n;
	if (!sp->collecting.next)
		return;
	list_for_each_safe(&sp->collecting, e, n) {
		struct leg_isdn *l = container_of(e, struct leg_isdn, le);
		if (cause) {
			collect_fail(l, cause);
			continue;
		}
		collect_stop(l);
		call_leg_limit_drop(&l->leg);
		isdn_call_set_priv(l->ic, NULL);
		free(l);
	}
}

static void on_link(struct isdn_ctrl *ctrl, bool up, void *arg)
{
	struct leg_isdn_span *sp = arg;
	/* The controller clears the span's calls itself (cause 41). */
	LOGN(LC_CALL, isdn_ctrl_name(ctrl), "span %u D-channel %s", sp->number, up ? "up" : "down");
}

const struct isdn_handlers leg_isdn_handlers = {
	.incoming = on_incoming,
	.digits = on_digits,
	.progress = on_progress,
	.answer = on_answer,
	.hangup = on_hangup,
	.link = on_link,
};
