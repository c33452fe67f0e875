/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Blind transfer of a gateway call (RFC 3515 REFER, RFC 5589 §6 "basic
 * transfer"): the SIP party of an answered call (the transferor) asks us,
 * the transferee acting for the PSTN party, to call a target instead.
 *
 *   ACTIVE (transferor ⇄ PSTN party)
 *     │ call_leg_transfer(): route the target, report 202 (then NOTIFY 100)
 *     ▼
 *   PENDING: new outgoing leg to the target; the PSTN party stays
 *     │      connected to the transferor's stream (usually on hold)
 *     ├── target rings ──► report 180/183
 *     ├── target answers ─► swap: the target takes the transferor's place,
 *     │                     media re-bridged, report 200, a record for the
 *     │                     first part; the transferor should BYE now,
 *     │                     else we BYE it after T_XFER_BYE
 *     └── target fails ──► report its status; transferor still there: the
 *                          call goes on as before (RFC 5589 §6: the
 *                          transferor may take the call back); transferor
 *                          gone: the PSTN party is cleared with the cause
 *
 * The transferor may leave at any time after the 202 (RFC 5589 §6 lets it
 * hang up before the outcome): the transfer goes on without it.  A target
 * that does not answer within the call's no-answer time (T_NA) fails with
 * 19 (it rang) or 18.
 *
 * Routing: the dial plan decides, as for a `dir to-sip` call whose called
 * number is the Refer-To user part and whose calling number is the PSTN
 * party's number as the PSTN side knows it (the caller's as received for
 * PSTN → SIP calls; the called number as sent to the PSTN for SIP → PSTN
 * calls), with the span and group of a PSTN caller.  Only SIP destinations
 * are tried: the media bridge joins one B-channel to one RTP stream, so a
 * transfer back into the PSTN is refused (403).
 *
 * Records: when the target answers, the call so far is written as a record
 * of its own (q850_cause 16, sip_status 202: ended by a transfer); the call
 * goes on under a second record from the REFER to the end, direction
 * to-sip, numbers as routed for the target, Call-ID the new INVITE's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "call/call_int.h"
#include "call/cause.h"
#include "call/limit.h"
#include "core/log.h"
#include "core/mem.h"

/* After the final NOTIFY the transferor normally sends BYE (RFC 5589 §6);
 * 64*T1, the time RFC 3261 gives a peer to finish a transaction. */
#define T_XFER_BYE (32 * NS_PER_S)

struct call_xfer {
	struct call *call;
	struct call_leg *transferor; /* NULL once it has left */
	struct call_leg *target;     /* while pending */
	bool pending, rang, transferor_in;
	struct call_setup s_in, s_out; /* the target's call, before/after routing */
	struct route_result route;
	unsigned next_dest;
	uint64_t t_accept; /* wall ns */
	struct loop_timer tmr; /* no answer (pending), else the transferor's BYE */
};

static void xfer_destroy(void *data)
{
	struct call_xfer *x = data;
	loop_timer_cancel(x->call->env->loop, &x->tmr);
}

static const char *xname(const struct call_xfer *x)
{
	return call_name(x->call);
}

static void report(struct call_xfer *x, unsigned status)
{
	if (x->transferor && !x->transferor->gone && x->transferor->ops->transfer_report)
		x->transferor->ops->transfer_report(x->transferor, status);
}

/* --- routing the target --------------------------------------------------- */

static void party_to_route(const struct call_party *p, struct route_number *rn)
{
	if (!p->present || route_number_set(rn, p->digits))
		return; /* absent or not a number: routes as absent */
	rn->ton = p->ton;
	rn->npi = p->npi;
}

/* The call the dial plan sees (see the top of the file). */
static void target_setup(struct call_xfer *x, const struct call_party *target)
{
	const struct call *call = x->call;
	struct call_setup *s = &x->s_in;
	memset(s, 0, sizeof(*s));
	s->called = *target;
	if (call->in->side == CALL_SIDE_PSTN) {
		s->calling = call->s_in.calling;
		snprintf(s->group, sizeof(s->group), "%s", call->s_in.group);
		s->span = call->s_in.span;
	} else {
		s->calling = call->s_out.called;
		s->calling.pres = call->s_in.calling.pres;
	}
	s->t_begin = x->t_accept;
}

static bool route_has_sip(const struct route_result *r)
{
	for (unsigned i = 0; i < r->n_dest; i++)
		if (r->dest[i].kind != ROUTE_DEST_GROUP)
			return true;
	return false;
}

/* 0, or the SIP status refusing the REFER. */
static unsigned target_route(struct call_xfer *x)
{
	struct route_ctx ctx;
	const struct call_setup *s = &x->s_in;
	route_ctx_init(&ctx);
	party_to_route(&s->called, &ctx.called);
	party_to_route(&s->calling, &ctx.calling);
	ctx.pres = s->calling.pres;
	ctx.dir = ROUTE_DIR_TO_SIP;
	ctx.group = s->group[0] ? s->group : NULL;
	ctx.span = s->span;
	memset(&x->route, 0, sizeof(x->route));
	if (x->call->routes)
		route_decide(x->call->routes, &ctx, &x->route);
	x->next_dest = 0;
	if (x->route.verdict == ROUTE_REJECT) {
		unsigned cause = x->route.cause, status = 0;
		call_cause_complete(x->call, &cause, &status);
		return status;
	}
	if (x->route.verdict != ROUTE_ROUTE)
		return 404;
	if (!route_has_sip(&x->route))
		return 403;
	call_setup_routed(&x->route, &x->s_in, &x->s_out);
	return 0;
}

/* --- the target leg -------------------------------------------------------- */

static void failed(struct call_xfer *x, unsigned cause, unsigned status);
static void timer_cb(void *arg);

/* Set up the next SIP destination; `cause`: how the last one ended. */
static void target_next(struct call_xfer *x, unsigned cause)
{
	struct call *call = x->call;
	while (x->next_dest < x->route.n_dest) {
		const struct route_dest *dest = &x->route.dest[x->next_dest++];
		if (dest->kind == ROUTE_DEST_GROUP)
			continue; /* no PSTN ⇄ PSTN bridge (see the top) */
		struct call_leg *leg = NULL;
		int rc = call->env->ops->leg_create(call, dest, &leg, call->env->arg);
		if (!rc) {
			leg->call = call;
			x->target = leg;
			rc = leg->ops->setup(leg, &x->s_out);
			if (!rc || x->target != leg)
				return; /* under way, or it ended inside setup */
			x->target = NULL;
			call_leg_retire(call, leg);
		}
		cause = rc == EBUSY ? 34 : 41;
		LOGN(LC_CALL, xname(x), "transfer to %s: %s (cause %u)", dest->name, strerror(rc),
		     cause);
	}
	failed(x, cause, 0);
}

/* The target failed for good: tell the transferor; the call goes on if it
 * is still there, else the PSTN party is cleared with the cause. */
static void failed(struct call_xfer *x, unsigned cause, unsigned status)
{
	struct call *call = x->call;
	call_cause_complete(call, &cause, &status);
	x->pending = false;
	loop_timer_cancel(call->env->loop, &x->tmr);
	if (x->transferor) {
		LOGN(LC_CALL, xname(x), "transfer to %s failed: %u (cause %u); call goes on",
		     x->s_in.called.digits, status, cause);
		report(x, status);
		x->transferor = NULL; /* its subscription ended with that report */
		return;
	}
	LOGN(LC_CALL, xname(x), "transfer to %s failed: %u (cause %u); transferor gone",
	     x->s_in.called.digits, status, cause);
	call_clear(call, cause, 0);
}

/* The target answered: it takes the transferor's place. */
static void completed(struct call_xfer *x)
{
	struct call *call = x->call;
	struct cdr rec;
	call_cdr_fill(call, &rec);
	rec.q850_cause = 16;
	rec.sip_status = 202; /* ended by a transfer */
	if (call->env->ops->record)
		call->env->ops->record(call, &rec, call->env->arg);

	struct call_leg **pos = x->transferor_in ? &call->in : &call->out;
	struct call_leg *old = *pos;
	*pos = x->target;
	x->target = NULL;
	x->pending = false;
	old->next_retired = call->retired; /* kept, not released: see below */
	call->retired = old;
	call_leg_limit_drop(old);

	call->transferred = true;
	call->s_in = x->s_in;
	call->s_out = x->s_out;
	call->route = x->route;
	call->t_start = x->t_accept;
	call->t_answer = clk_wall(loop_clock(call->env->loop));
	/* Re-bridge: the gateway joins the PSTN party to the new stream. */
	call->media = false;
	call_media(call, CALL_MEDIA_CONNECT);
	LOGI(LC_CALL, xname(x), "transferred to %s by rule %s", x->s_in.called.digits,
	     x->route.rule);
	loop_timer_cancel(call->env->loop, &x->tmr);
	report(x, 200);
	if (x->transferor)
		loop_timer_start(call->env->loop, &x->tmr, T_XFER_BYE, timer_cb, x);
}

static void target_event(struct call_xfer *x, unsigned ev, const struct call_evd *d)
{
	switch (ev) {
	case CE_OUT_ALERTING:
	case CE_OUT_PROGRESS:
		if (!x->rang)
			report(x, ev == CE_OUT_ALERTING ? 180 : 183);
		x->rang = true;
		break;
	case CE_OUT_ANSWER:
		completed(x);
		break;
	case CE_IN_RELEASED:
	case CE_OUT_RELEASED: {
		unsigned cause = d->cause, status = d->status;
		call_cause_complete(x->call, &cause, &status);
		call_leg_retire(x->call, x->target);
		x->target = NULL;
		if (!x->rang && (call_cause_is_congestion(cause) || d->unreachable) &&
		    x->next_dest < x->route.n_dest) {
			target_next(x, cause);
			return;
		}
		failed(x, cause, status);
		break;
	}
	default:
		break;
	}
}

static void timer_cb(void *arg)
{
	struct call_xfer *x = arg;
	if (x->pending) {
		unsigned cause = x->rang ? 19 : 18; /* Q.850: no answer / no user responding */
		LOGN(LC_CALL, xname(x), "transfer target does not answer: cause %u", cause);
		struct call_leg *t = x->target;
		x->target = NULL;
		call_leg_release(t, cause, 0);
		call_leg_retire(x->call, t);
		failed(x, cause, 0);
		return;
	}
	LOGN(LC_CALL, xname(x), "transferor did not hang up: BYE");
	call_leg_release(x->transferor, 16, 0);
	x->transferor = NULL;
}

/* --- entry points ------------------------------------------------------------ */

bool call_xfer_leg_event(struct call *call, struct call_leg *leg, unsigned ev,
			 const struct call_evd *d)
{
	struct call_xfer *x = call->xfer;
	if (x->target && leg == x->target) {
		target_event(x, ev, d);
		return true;
	}
	if (!x->transferor || leg != x->transferor ||
	    (ev != CE_IN_RELEASED && ev != CE_OUT_RELEASED))
		return false;
	/* The transferor left: after a completed transfer that is the BYE we
	 * waited for; while pending, the transfer goes on without it. */
	LOGI(LC_CALL, xname(x), "transferor left%s", x->pending ? "; transfer goes on" : "");
	x->transferor = NULL;
	if (!x->pending)
		loop_timer_cancel(call->env->loop, &x->tmr);
	return true;
}

void call_xfer_stop(struct call *call)
{
	struct call_xfer *x = call->xfer;
	if (!x)
		return;
	loop_timer_cancel(call->env->loop, &x->tmr);
	if (x->target) {
		call_leg_release(x->target, call->cause, 0);
		call_leg_retire(call, x->target);
		x->target = NULL;
	}
	if (x->transferor && !x->pending) /* retired, waiting for its BYE */
		call_leg_release(x->transferor, 16, 0);
	x->transferor = NULL;
	x->pending = false;
}

static struct call_xfer *xfer_get(struct call *call)
{
	struct call_xfer *x = call->xfer;
	if (x) {
		loop_timer_cancel(call->env->loop, &x->tmr);
		if (x->transferor) /* an earlier transferor still waited for */
			call_leg_release(x->transferor, 16, 0);
	} else {
		x = call->xfer = mem_zalloc(sizeof(*x), xfer_destroy);
		if (!x)
			return NULL;
		x->call = call;
		loop_timer_init(&x->tmr);
	}
	x->transferor = x->target = NULL;
	x->rang = x->pending = false;
	return x;
}

/* Why the call cannot be transferred now, as a SIP status; 0: it can. */
static unsigned refusal(const struct call *call, const struct call_leg *leg)
{
	if (leg != call->in && leg != call->out)
		return 403;
	if (call->xfer && call->xfer->pending)
		return 491;
	const struct call_leg *other = leg == call->in ? call->out : call->in;
	if (call->fi.state != CS_ACTIVE || leg->side != CALL_SIDE_SIP || !other || other->gone ||
	    other->side != CALL_SIDE_PSTN || !leg->ops->transfer_report)
		return 403;
	return 0;
}

int call_leg_transfer(struct call_leg *leg, const struct call_party *target, unsigned *status)
{
	struct call *call = leg->call;
	*status = call && !leg->gone ? refusal(call, leg) : 403;
	if (*status) {
		LOGN(LC_CALL, call ? call_name(call) : "-", "transfer to %s refused: %u",
		     target->digits, *status);
		return *status == 491 ? EBUSY : EPERM;
	}
	struct call_xfer *x = xfer_get(call);
	if (!x) {
		*status = 500;
		return ENOMEM;
	}
	x->t_accept = clk_wall(loop_clock(call->env->loop));
	target_setup(x, target);
	*status = target_route(x);
	if (*status) {
		LOGN(LC_CALL, call_name(call), "transfer to %s: %s, refused with %u",
		     target->digits,
		     x->route.verdict == ROUTE_ROUTE ? "routes only to the PSTN" : "no route",
		     *status);
		return ENOENT;
	}
	const struct route_dest *d0 = &x->route.dest[0];
	LOGI(LC_CALL, call_name(call), "transfer to %s → %s by rule %s", target->digits,
	     d0->kind == ROUTE_DEST_URI ? d0->uri : d0->name, x->route.rule);
	x->transferor = leg;
	x->transferor_in = leg == call->in;
	x->pending = true;
	report(x, 202);
	uint64_t t_na = call->t_noanswer ? call->t_noanswer : 180 * NS_PER_S;
	loop_timer_start(call->env->loop, &x->tmr, t_na, timer_cb, x);
	target_next(x, 41);
	return 0;
}
