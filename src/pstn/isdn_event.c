/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpri events to call FSM events, the link and the channels.
 *
 * Incoming SETUP and the channel (Q.931 §5.2.3.1): a free channel the far
 * end asked for is taken; a busy one is replaced by another when the
 * request was "preferred" and refused with cause 44 when "exclusive"; a
 * channel that does not exist is cause 82; no channel at all is cause 34.
 * Call collision (Q.931 §5.7.1): when the network offers a channel that our
 * own SETUP, still unanswered, asked for, the network's call wins; our call
 * waits for the network to give it another channel (or clear it with 44).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "pstn/isdn_int.h"

static int ev_chan(int encoded)
{
	if (encoded < 0)
		return 0;
	int c = encoded & 0xff;
	return c == 0xff ? 0 : c;
}

void isdn_ctrl_clear_calls(struct isdn_ctrl *ctrl, int chan, unsigned cause)
{
	struct le *le;
	bool more = true;
	/* Mark first: a handler may hang up other calls, or place new ones,
	 * which must survive this clearing. */
	list_for_each(&ctrl->calls, le)
	{
		struct isdn_call *call = container_of(le, struct isdn_call, le);
		call->clearing = !chan || call->chan == chan;
	}
	mem_ref(ctrl);
	while (more) {
		more = false;
		list_for_each(&ctrl->calls, le)
		{
			struct isdn_call *call = container_of(le, struct isdn_call, le);
			if (!call->clearing)
				continue;
			struct isdn_ev ev = {.cause = cause, .location = isdn_ctrl_local_loc(ctrl)};
			call->clearing = false;
			fsm_event(&call->fi, ISDN_EV_CLEAR, &ev); /* unlinks the call */
			more = true;
			break;
		}
	}
	mem_deref(ctrl);
}

/* The link is lost: clear every call with cause 41 and remember their
 * channels, to RESTART them when the link is back (Q.931 §5.5). */
void isdn_ctrl_lose_calls(struct isdn_ctrl *ctrl)
{
	struct le *le;
	list_for_each(&ctrl->calls, le)
	{
		struct isdn_call *call = container_of(le, struct isdn_call, le);
		if (call->chan > 0)
			ctrl->restart_mask |= 1u << call->chan;
	}
	isdn_ctrl_clear_calls(ctrl, 0, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE);
}

void isdn_ctrl_connect_ack(struct isdn_ctrl *ctrl, unsigned cref, bool flag)
{
	struct le *le;
	list_for_each(&ctrl->calls, le)
	{
		struct isdn_call *call = container_of(le, struct isdn_call, le);
		if (call->fi.state == ISDN_ST_CONNECT_REQUEST &&
		    isdn_cref_match(call->cref, cref, flag)) {
			struct isdn_ev ev = {0};
			fsm_event(&call->fi, ISDN_EV_RX_CONNECT_ACK, &ev);
			return;
		}
	}
}

void isdn_ctrl_reap(struct isdn_ctrl *ctrl)
{
	struct le *le;
	if (!ctrl->tx_rc.valid)
		return;
	ctrl->tx_rc.valid = false;
	list_for_each(&ctrl->calls, le)
	{
		struct isdn_call *call = container_of(le, struct isdn_call, le);
		/* our RELEASE COMPLETE carries the flag for calls the far end made */
		if (!isdn_cref_match(call->cref, ctrl->tx_rc.cref, !ctrl->tx_rc.flag))
			continue;
		struct isdn_ev ev = {.cause = PRI_CAUSE_RECOVERY_ON_TIMER_EXPIRE,
				     .location = isdn_ctrl_local_loc(ctrl)};
		if (ctrl->last_cause.valid) {
			ev.cause = ctrl->last_cause.cause;
			ev.location = ctrl->last_cause.location;
		}
		LOGD(LC_ISDN, fsm_obj(&call->fi), "released by libpri without an event");
		call->pc = NULL;
		fsm_event(&call->fi, ISDN_EV_CLEAR, &ev);
		return;
	}
}

static void on_link(struct isdn_ctrl *ctrl, bool up)
{
	if (ctrl->dchan_up == up)
		return;
	ctrl->dchan_up = up;
	LOGN(LC_ISDN, ctrl->obj, "D-channel %s", up ? "up" : "down");
	if (!up)
		isdn_ctrl_lose_calls(ctrl);
	if (ctrl->h.link)
		ctrl->h.link(ctrl, up, ctrl->arg);
	if (!up || !ctrl->restart_mask || !isdn_ctrl_is_up(ctrl))
		return;
	for (int c = 1; c <= ISDN_MAX_CHAN; c++) {
		if (!(ctrl->restart_mask & (1u << c)) || ctrl->chans[c].call)
			continue;
		isdn_ctrl_enter(ctrl);
		pri_reset(ctrl->pri, c);
		isdn_ctrl_leave(ctrl);
		LOGI(LC_ISDN, ctrl->obj, "RESTART channel %d after link loss", c);
	}
	ctrl->restart_mask = 0;
}

/* The B-channel for an incoming SETUP, or minus a Q.850 cause. */
static int chan_for_setup(struct isdn_ctrl *ctrl, int want, bool exclusive)
{
	if (want > 0 && want <= ISDN_MAX_CHAN && ctrl->chans[want].exists) {
		struct isdn_call *mine = ctrl->chans[want].call;
		if (isdn_chan_usable(ctrl, want))
			return want;
		if (mine && ctrl->conf.role == ISDN_ROLE_CPE && mine->outgoing &&
		    mine->fi.state == ISDN_ST_CALL_INIT) {
			LOGN(LC_ISDN, ctrl->obj,
			     "call collision on channel %d: the network's "
			     "call wins",
			     want);
			isdn_chan_unbind(ctrl, mine);
			return want;
		}
		if (exclusive)
			return -PRI_CAUSE_REQUESTED_CHAN_UNAVAIL;
	} else if (want > 0 && exclusive) {
		return -PRI_CAUSE_IDENTIFIED_CHANNEL_NOTEXIST;
	}
	int c = isdn_chan_pick(ctrl);
	return c ? c : -PRI_CAUSE_NORMAL_CIRCUIT_CONGESTION;
}

static void number_from(struct isdn_number *n, const char *digits, int plan, int pres)
{
	snprintf(n->digits, sizeof(n->digits), "%.*s", ISDN_NUM_MAX, digits);
	n->ton = (uint8_t)((plan >> 4) & 7);
	n->npi = (uint8_t)(plan & 0x0f);
	n->pres = (uint8_t)((pres >> 5) & 3);
	n->screen = (uint8_t)(pres & 3);
}

static void setup_from(struct isdn_setup *s, const pri_event_ring *r, int chan)
{
	memset(s, 0, sizeof(*s));
	number_from(&s->called, r->callednum, r->calledplan, 0);
	number_from(&s->calling, r->callingnum, r->callingplan, r->callingpres);
	number_from(&s->redirecting, r->redirectingnum, r->callingplanrdnis, 0);
	s->redirect_reason = (uint8_t)(r->redirectingreason < 0 ? 0 : r->redirectingreason);
	s->bearer_cap = (uint8_t)r->ctype;
	s->bearer_l1 = (uint8_t)r->layer1;
	s->chan = chan;
	s->exclusive = !r->flexible;
	s->progress = (uint8_t)(r->progress < 0 ? 0 : r->progress);
	s->complete = r->complete;
}

static void on_ring(struct isdn_ctrl *ctrl, pri_event_ring *r)
{
	struct isdn_setup s;
	struct isdn_call *call;
	int chan = chan_for_setup(ctrl, ev_chan(r->channel), !r->flexible);

	if (chan < 0 || isdn_call_alloc(ctrl, &call, r->call, false, chan)) {
		unsigned cause = chan < 0 ? (unsigned)-chan : PRI_CAUSE_SWITCH_CONGESTION;
		LOGN(LC_ISDN, ctrl->obj, "SETUP for channel %d refused: cause %u",
		     ev_chan(r->channel), cause);
		isdn_ctrl_enter(ctrl);
		pri_hangup(ctrl->pri, r->call, (int)cause);
		isdn_ctrl_leave(ctrl);
		return;
	}
	setup_from(&s, r, chan);
	call->cref = r->cref;
	snprintf(call->digits, sizeof(call->digits), "%.*s", ISDN_NUM_MAX, r->callednum);
	struct isdn_ev ev = {.setup = &s};
	fsm_event(&call->fi, ISDN_EV_RX_SETUP, &ev);
	mem_ref(call);
	if (ctrl->h.incoming)
		ctrl->h.incoming(call, &s, ctrl->arg);
	else
		isdn_call_hangup(call, PRI_CAUSE_INCOMING_CALL_BARRED);
	/* Q.931 §5.2.4: a SETUP without "sending complete" is acknowledged
	 * when overlap receiving is on and the call layer did not answer. */
	if (call->fi.state == ISDN_ST_CALL_PRESENT && !call->user_gone && ctrl->conf.overlap &&
	    !s.complete)
		isdn_call_setup_ack(call, false);
	mem_deref(call);
}

static void on_restart(struct isdn_ctrl *ctrl, int encoded)
{
	int chan = ev_chan(encoded);
	LOGN(LC_ISDN, ctrl->obj, "RESTART received for %s%.0d", chan ? "channel " : "interface",
	     chan);
	isdn_ctrl_clear_calls(ctrl, chan, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE);
}

/* Which call FSM event a libpri call event is, and its call. */
static int call_event(const pri_event *e, q931_call **pc, struct isdn_ev *ev)
{
	switch (e->e) {
	case PRI_EVENT_SETUP_ACK:
		*pc = e->setup_ack.call;
		ev->chan = ev_chan(e->setup_ack.channel);
		return ISDN_EV_RX_SETUP_ACK;
	case PRI_EVENT_PROCEEDING:
	case PRI_EVENT_PROGRESS:
		*pc = e->proceeding.call;
		ev->chan = ev_chan(e->proceeding.channel);
		ev->progress = (uint8_t)(e->proceeding.progress < 0 ? 0 : e->proceeding.progress);
		return e->e == PRI_EVENT_PROGRESS ? ISDN_EV_RX_PROGRESS : ISDN_EV_RX_PROCEEDING;
	case PRI_EVENT_RINGING:
		*pc = e->ringing.call;
		ev->chan = ev_chan(e->ringing.channel);
		ev->progress = (uint8_t)(e->ringing.progress < 0 ? 0 : e->ringing.progress);
		return ISDN_EV_RX_ALERTING;
	case PRI_EVENT_ANSWER:
		*pc = e->answer.call;
		ev->chan = ev_chan(e->answer.channel);
		return ISDN_EV_RX_CONNECT;
	case PRI_EVENT_CONNECT_ACK:
		*pc = e->connect_ack.call;
		return ISDN_EV_RX_CONNECT_ACK;
	case PRI_EVENT_INFO_RECEIVED:
		*pc = e->ring.call;
		ev->digits = e->ring.callednum;
		ev->complete = e->ring.complete;
		return ISDN_EV_RX_INFO;
	case PRI_EVENT_HANGUP_REQ:
	case PRI_EVENT_HANGUP:
	case PRI_EVENT_HANGUP_ACK:
		*pc = e->hangup.call;
		ev->cause = (unsigned)e->hangup.cause & 0x7f;
		return e->e == PRI_EVENT_HANGUP_REQ ? ISDN_EV_RX_DISCONNECT
		       : e->e == PRI_EVENT_HANGUP   ? ISDN_EV_RX_RELEASE
						    : ISDN_EV_RX_RELEASE_ACK;
	default:
		return -1;
	}
}

static void on_call_event(struct isdn_ctrl *ctrl, const pri_event *e)
{
	struct isdn_ev ev = {0};
	q931_call *pc = NULL;
	int event = call_event(e, &pc, &ev);

	if (event < 0) {
		LOGD(LC_ISDN, ctrl->obj, "libpri event %s ignored", pri_event2str(e->e));
		return;
	}
	if (event == ISDN_EV_RX_DISCONNECT || event == ISDN_EV_RX_RELEASE) {
		ev.location = ISDN_LOC_USER;
		if (ctrl->last_cause.valid &&
		    isdn_cref_match(e->hangup.cref, ctrl->last_cause.cref, ctrl->last_cause.flag))
			ev.location = ctrl->last_cause.location;
		ctrl->last_cause.valid = false;
	}
	struct isdn_call *call = isdn_call_find(ctrl, pc);
	if (!call) {
		/* libpri still holds a call we do not: free it (the "hung up
		 * first" rule applies to calls we already dropped, too). */
		if (pc && (event == ISDN_EV_RX_DISCONNECT || event == ISDN_EV_RX_RELEASE)) {
			isdn_ctrl_enter(ctrl);
			pri_hangup(ctrl->pri, pc, (int)ev.cause);
			isdn_ctrl_leave(ctrl);
		}
		LOGD(LC_ISDN, ctrl->obj, "%s for no call of ours", pri_event2str(e->e));
		return;
	}
	fsm_event(&call->fi, (unsigned)event, &ev);
}

void isdn_event_handle(struct isdn_ctrl *ctrl, pri_event *e)
{
	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
	case PRI_EVENT_DCHAN_DOWN:
		on_link(ctrl, e->e == PRI_EVENT_DCHAN_UP);
		break;
	case PRI_EVENT_RING:
		on_ring(ctrl, &e->ring);
		break;
	case PRI_EVENT_RESTART:
		on_restart(ctrl, e->restart.channel);
		break;
	case PRI_EVENT_RESTART_ACK:
		LOGI(LC_ISDN, ctrl->obj, "RESTART ACKNOWLEDGE for channel %d",
		     ev_chan(e->restartack.channel));
		break;
	case PRI_EVENT_SERVICE: {
		int c = ev_chan(e->service.channel);
		/* SERVICE from the far end (libpri acknowledges it) */
		if (c > 0 && c <= ISDN_MAX_CHAN && ctrl->chans[c].exists)
			isdn_ctrl_chan_set_maint(ctrl, c, e->service.changestatus != 0, false);
		break;
	}
	case PRI_EVENT_CONFIG_ERR:
		/* also what a peer with the wrong role (or noise) looks like */
		LOGW(LC_ISDN, ctrl->obj, "libpri reports a configuration error: %s", e->err.err);
		break;
	default:
		on_call_event(ctrl, e);
		break;
	}
}
