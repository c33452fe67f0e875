/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway call FSM: progress of the outgoing leg mapped onto the
 * incoming one (RFC 3666 §2-3 for SIP ⇄ ISDN; RFC 3398 for the causes).
 *
 *   NULL ──routed, outgoing leg set up──► CALLING ──ALERTING──► ALERTING
 *     │                                    │  │ ▲                 │
 *     │ no route / reject                  │  │ └ congestion:     │ PROGRESS
 *     ▼                                    │  │   next dest       ▼
 *   RELEASED ◄── either leg released ──────┤  └──PROGRESS────► EARLY
 *     ▲          hangup, no answer (T_NA)  │                     │
 *     └──────────────────────── ACTIVE ◄───┴──────ANSWER─────────┘
 *
 * Incoming leg, for each outgoing event (RFC 3666):
 *   ALERTING, no in-band   → SIP: 180.  ISDN: ALERTING with PI 8 and a
 *                            local ringback tone (the caller must hear one).
 *   ALERTING, in-band      → SIP: 183 with SDP.  ISDN: ALERTING with PI 8.
 *   PROGRESS (in-band)     → SIP: 183 with SDP.  ISDN: PROGRESS with PI 8.
 *   ANSWER                 → SIP: 200.  ISDN: CONNECT.
 *   released (cause/status)→ the other leg, with the other half of the
 *                            pair from the cause table.
 * Congestion (34 38 41 42 44 47) before alerting tries the next destination;
 * so does an unreachable SIP destination (timeout, transport error).
 * Overlap dialling into SIP (RFC 3578): while the incoming number may still
 * grow, a 484 (28) leaves the call in CALLING without an outgoing leg until
 * call_leg_digits() brings more digits (call.c).
 * No answer within T_NA: cause 19 after alerting (→ 480), else 18 (→ 408).
 */
#include <errno.h>

#include "call/call_int.h"
#include "core/log.h"

static struct call *call_of(struct fsm_inst *fi)
{
	return fi->priv;
}

/* The outgoing leg is gone: try the next destination, or clear. */
static void out_released(struct call *call, const struct call_evd *d)
{
	unsigned cause = d->cause, status = d->status;
	call_cause_complete(call, &cause, &status);
	if (call->fi.state == CS_CALLING && call->in_open && (status == 484 || cause == 28)) {
		/* RFC 3578: address incomplete; the next digits try again. */
		LOGN(LC_CALL, fsm_obj(&call->fi), "address incomplete: waiting for digits");
		call_out_retire(call);
		return;
	}
	if (call->fi.state == CS_CALLING && (call_cause_is_congestion(cause) || d->unreachable) &&
	    call->next_dest < call->route.n_dest) {
		LOGN(LC_CALL, fsm_obj(&call->fi), "cause %u%s: trying the next destination", cause,
		     d->unreachable ? " (unreachable)" : "");
		call_out_next(call, cause);
		return;
	}
	call_clear(call, cause, status);
}

static void out_alerting(struct call *call, bool inband)
{
	struct call_leg *in = call->in;
	if (in->side == CALL_SIDE_PSTN && !inband) {
		/* The SIP side rings without early media: the PSTN caller hears
		 * our own ringback, so the ALERTING says in-band (PI 8). */
		call_media(call, CALL_MEDIA_RINGBACK_ON);
		inband = true;
	} else if (inband) {
		call_media(call, CALL_MEDIA_CONNECT);
	}
	in->ops->alerting(in, inband);
}

static void out_progress(struct call *call)
{
	call_media(call, CALL_MEDIA_RINGBACK_OFF);
	call_media(call, CALL_MEDIA_CONNECT);
	call->in->ops->progress(call->in);
}

static void out_answer(struct call *call)
{
	call_media(call, CALL_MEDIA_RINGBACK_OFF);
	call_media(call, CALL_MEDIA_CONNECT);
	call->t_answer = clk_wall(loop_clock(call->env->loop));
	/* Before telling the caller: answering may run its handlers. */
	fsm_state_chg(&call->fi, CS_ACTIVE, FSM_NO_TIMER);
	if (call->in->ops->answer(call->in))
		call_clear(call, 41, 0);
}

/* Events any live state handles alike. */
static bool common(struct call *call, unsigned ev, const struct call_evd *d)
{
	switch (ev) {
	case CE_IN_RELEASED: {
		unsigned cause = d->cause ? d->cause : 16, status = d->status;
		call_cause_complete(call, &cause, &status);
		call->cause = cause;
		call->status = status;
		call_leg_release(call->out, cause, 0);
		fsm_state_chg(&call->fi, CS_RELEASED, FSM_NO_TIMER);
		return true;
	}
	case CE_OUT_RELEASED:
		out_released(call, d);
		return true;
	case CE_HANGUP:
		call_clear(call, d->cause, 0);
		return true;
	case CE_OUT_ANSWER:
		out_answer(call);
		return true;
	default:
		return false;
	}
}

static void calling_action(struct fsm_inst *fi, unsigned ev, void *data)
{
	struct call *call = call_of(fi);
	const struct call_evd *d = data;
	if (common(call, ev, d))
		return;
	if (ev == CE_OUT_ALERTING) {
		fsm_state_chg(fi, CS_ALERTING, CT_NOANSWER);
		out_alerting(call, d->inband);
	} else if (ev == CE_OUT_PROGRESS) {
		fsm_state_chg(fi, CS_EARLY, CT_NOANSWER);
		out_progress(call);
	}
	/* CE_OUT_PROCEEDING: the caller was told at once (call_incoming). */
}

static void alerting_action(struct fsm_inst *fi, unsigned ev, void *data)
{
	struct call *call = call_of(fi);
	const struct call_evd *d = data;
	if (common(call, ev, d))
		return;
	if (ev == CE_OUT_PROGRESS) {
		fsm_state_chg(fi, CS_EARLY, CT_NOANSWER);
		out_progress(call);
	} else if (ev == CE_OUT_ALERTING && d->inband) {
		/* A second ALERTING/180 now with in-band information. */
		fsm_state_chg(fi, CS_EARLY, CT_NOANSWER);
		out_progress(call);
	}
}

static void early_action(struct fsm_inst *fi, unsigned ev, void *data)
{
	struct call *call = call_of(fi);
	const struct call_evd *d = data;
	if (common(call, ev, d))
		return;
	if (ev == CE_OUT_ALERTING && !call->ringback)
		call->in->ops->alerting(call->in, true); /* media already flows */
}

static void active_action(struct fsm_inst *fi, unsigned ev, void *data)
{
	common(call_of(fi), ev, data);
}

static void released_enter(struct fsm_inst *fi, unsigned prev)
{
	(void)prev;
	call_end(call_of(fi));
}

static void timer_cb(struct fsm_inst *fi, unsigned timer)
{
	struct call *call = call_of(fi);
	(void)timer;
	/* Q.850: 19 no answer from user (user alerted); 18 no user responding. */
	unsigned cause = fi->state == CS_CALLING ? 18 : 19;
	LOGN(LC_CALL, fsm_obj(fi), "no answer: cause %u", cause);
	call_clear(call, cause, 0);
}

#define LIVE (FSM_BIT(CE_IN_RELEASED) | FSM_BIT(CE_OUT_RELEASED) | FSM_BIT(CE_HANGUP))
#define PROGRESSING (FSM_BIT(CE_OUT_PROCEEDING) | FSM_BIT(CE_OUT_ALERTING) | \
		     FSM_BIT(CE_OUT_PROGRESS) | FSM_BIT(CE_OUT_ANSWER))

static const struct fsm_state states[] = {
	[CS_NULL] = { "NULL", 0, FSM_BIT(CS_CALLING) | FSM_BIT(CS_RELEASED), NULL, NULL, NULL },
	[CS_CALLING] = { "CALLING", LIVE | PROGRESSING,
			 FSM_BIT(CS_CALLING) | FSM_BIT(CS_ALERTING) | FSM_BIT(CS_EARLY) |
				 FSM_BIT(CS_ACTIVE) | FSM_BIT(CS_RELEASED),
			 calling_action, NULL, NULL },
	[CS_ALERTING] = { "ALERTING", LIVE | PROGRESSING,
			  FSM_BIT(CS_EARLY) | FSM_BIT(CS_ACTIVE) | FSM_BIT(CS_RELEASED),
			  alerting_action, NULL, NULL },
	[CS_EARLY] = { "EARLY", LIVE | PROGRESSING, FSM_BIT(CS_ACTIVE) | FSM_BIT(CS_RELEASED),
		       early_action, NULL, NULL },
	[CS_ACTIVE] = { "ACTIVE", LIVE, FSM_BIT(CS_RELEASED), active_action, NULL, NULL },
	[CS_RELEASED] = { "RELEASED", 0, 0, NULL, released_enter, NULL },
};

static const char *const events[] = {
	[CE_IN_RELEASED] = "IN_RELEASED",   [CE_OUT_PROCEEDING] = "OUT_PROCEEDING",
	[CE_OUT_ALERTING] = "OUT_ALERTING", [CE_OUT_PROGRESS] = "OUT_PROGRESS",
	[CE_OUT_ANSWER] = "OUT_ANSWER",     [CE_OUT_RELEASED] = "OUT_RELEASED",
	[CE_HANGUP] = "HANGUP",
};

static const struct fsm_timer_def timers[] = {
	[CT_NOANSWER] = { "T_NA", 180 * NS_PER_S, "no answer from the called party" },
};

const struct fsm_def call_fsm_def = {
	.name = "call",
	.cat = LC_CALL,
	.states = states,
	.n_states = sizeof(states) / sizeof(states[0]),
	.events = events,
	.n_events = sizeof(events) / sizeof(events[0]),
	.timers = timers,
	.n_timers = 1,
	.timer_cb = timer_cb,
};
