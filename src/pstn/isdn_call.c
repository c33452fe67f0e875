/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The call FSM per B-channel: Q.931 §5.1 (call establishment at the
 * originating interface), §5.2 (at the destination interface), §5.3 (call
 * clearing), with the state numbers of Q.931 §2.1 (user side U, network
 * side N: the same diagram serves both, libpri does the role-specific
 * details).  libpri sends and receives the messages; this table says which
 * the call layer may send and which it hears about, in which state.
 *
 *  outgoing                                   incoming
 *  --------                                   --------
 *  NULL(0) --SETUP-->  CALL_INIT(1)           NULL(0) <--SETUP-- CALL_PRESENT(6)
 *  CALL_INIT  <-SETUP ACK-  OVERLAP_SENDING(2)   CALL_PRESENT -SETUP ACK-> OVERLAP_RECEIVING(25)
 *       | INFORMATION ->  (2)                    (25) <- INFORMATION, T302 restarted
 *  (1,2) <-CALL PROC-  OUT_PROCEEDING(3)      (6,25) -CALL PROC-> IN_PROCEEDING(9)
 *  (1,2,3) <-ALERTING- CALL_DELIVERED(4)      (6,9,25) -ALERTING-> CALL_RECEIVED(7)
 *  (1-4) <-CONNECT-  ACTIVE(10)               (6,7,9,25) -CONNECT-> CONNECT_REQUEST(8)
 *                                             (8) <-CONNECT ACK- ACTIVE(10)
 *                                             (network side: -CONNECT-> ACTIVE)
 *  clearing (any state):
 *    -DISCONNECT-> DISCONNECT_REQ(11) <-RELEASE- NULL (pri_hangup frees)
 *    <-DISCONNECT- DISCONNECT_IND(12) -RELEASE-> RELEASE_REQ(19) <-REL COMPLETE- NULL
 *    <-RELEASE / RELEASE COMPLETE- NULL;  link loss, RESTART: NULL (cause 41)
 *
 * Tguard: a clearing state that libpri never leaves (its call already gone)
 * ends after 60 s.
 * T302 (Q.931 §5.2.4, overlap receiving): restarted by every INFORMATION;
 * on expiry the call layer is asked once more, then the call is cleared with
 * cause 28 (invalid number format / address incomplete).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "pstn/isdn_int.h"
#include "pstn/isdn_q931.h"

#define B(x)	 FSM_BIT(ISDN_EV_##x)
#define S(x)	 FSM_BIT(ISDN_ST_##x)
#define CLEARING (B(TX_HANGUP) | B(RX_DISCONNECT) | B(RX_RELEASE))
#define TO_CLEAR (S(DISCONNECT_REQ) | S(DISCONNECT_IND) | S(RELEASE_REQ) | S(NULL))

static struct isdn_call *call_of(struct fsm_inst *fi)
{
	return fi->priv;
}

unsigned isdn_ctrl_local_loc(const struct isdn_ctrl *ctrl)
{
	return ctrl->conf.role == ISDN_ROLE_NETWORK ? ISDN_LOC_PUB_LOCAL : ISDN_LOC_PRIV_LOCAL;
}

/* Report the end of the call (once) unless the call layer asked for it. */
static void report_hangup(struct isdn_call *call, unsigned cause, unsigned loc)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	if (call->reported)
		return;
	call->reported = true;
	LOGI(LC_ISDN, fsm_obj(&call->fi), "cleared: cause %u (%s) location %u", cause,
	     isdn_q850_name(cause), loc);
	if (ctrl->h.hangup)
		ctrl->h.hangup(call, cause, loc, ctrl->arg);
}

/* To NULL, and gone. */
static void call_end(struct isdn_call *call)
{
	fsm_state_chg(&call->fi, ISDN_ST_NULL, FSM_NO_TIMER);
	isdn_call_free(call);
}

static int pri_rc(int rc)
{
	return rc ? EIO : 0;
}

static void adopt_chan(struct isdn_call *call, int chan)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	if (chan <= 0 || chan == call->chan)
		return;
	if (!isdn_chan_usable(ctrl, chan)) {
		LOGW(LC_ISDN, fsm_obj(&call->fi), "far end moved the call to busy channel %d",
		     chan);
		return;
	}
	isdn_chan_unbind(ctrl, call);
	isdn_chan_bind(ctrl, chan, call);
	LOGI(LC_ISDN, fsm_obj(&call->fi), "now on channel %d", chan);
}

static void tx_setup(struct isdn_call *call, struct isdn_ev *ev)
{
	const struct isdn_call_prm *p = ev->prm;
	struct isdn_ctrl *ctrl = call->ctrl;
	struct pri_sr *sr = pri_sr_new();
	if (!sr) {
		ev->rc = ENOMEM;
		return;
	}
	int l1 = p->bearer_l1 ? p->bearer_l1
		 : (ctrl->conf.iface == ISDN_PRI_T1 || ctrl->conf.sw == ISDN_SW_NI2 ||
		    ctrl->conf.sw == ISDN_SW_DMS100 || ctrl->conf.sw == ISDN_SW_4ESS ||
		    ctrl->conf.sw == ISDN_SW_5ESS)
		     ? PRI_LAYER_1_ULAW
		     : PRI_LAYER_1_ALAW;
	char called[ISDN_NUM_MAX + 1], calling[ISDN_NUM_MAX + 1], redir[ISDN_NUM_MAX + 1];
	snprintf(called, sizeof(called), "%s", p->called.digits);
	snprintf(calling, sizeof(calling), "%s", p->calling.digits);
	snprintf(redir, sizeof(redir), "%s", p->redirecting.digits);
	snprintf(call->digits, sizeof(call->digits), "%s", called);
	pri_sr_set_channel(sr, call->chan, ctrl->conf.exclusive, 0);
	pri_sr_set_bearer(sr, p->bearer_cap, l1);
	pri_sr_set_called(sr, called, p->called.ton << 4 | p->called.npi, p->complete);
	pri_sr_set_caller(sr, calling[0] ? calling : NULL, NULL,
			  p->calling.ton << 4 | p->calling.npi,
			  p->calling.pres << 5 | p->calling.screen);
	if (redir[0])
		pri_sr_set_redirecting(sr, redir, p->redirecting.ton << 4 | p->redirecting.npi,
				       p->redirecting.pres << 5 | p->redirecting.screen,
				       p->redirect_reason);
	/* libpri has no call for the call reference it chose: read it from
	 * the SETUP it writes (our calls carry 0x8000 in libpri's numbering). */
	isdn_ctrl_enter(ctrl);
	ctrl->tx_setup_cref = -1;
	/* libpri adds "sending complete" on EuroISDN unless overlap dialling is
	 * on: turn it on for an incomplete number, whatever the conf says. */
	if (!p->complete)
		pri_set_overlapdial(ctrl->pri, 1);
	ev->rc = pri_rc(pri_setup(ctrl->pri, call->pc, sr));
	if (!p->complete)
		pri_set_overlapdial(ctrl->pri, ctrl->conf.overlap);
	call->cref = ctrl->tx_setup_cref < 0 ? -1 : 0x8000 | ctrl->tx_setup_cref;
	isdn_ctrl_leave(ctrl);
	pri_sr_free(sr);
	if (!ev->rc)
		fsm_state_chg(&call->fi, ISDN_ST_CALL_INIT, FSM_NO_TIMER);
}

static void tx_info(struct isdn_call *call, struct isdn_ev *ev)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	size_t have = strlen(call->digits);
	isdn_ctrl_enter(ctrl);
	for (const char *d = ev->digits; *d && !ev->rc; d++) {
		ev->rc = pri_rc(pri_information(ctrl->pri, call->pc, *d));
		if (have < ISDN_NUM_MAX)
			call->digits[have++] = *d;
	}
	call->digits[have] = 0;
	isdn_ctrl_leave(ctrl);
}

/* The responses to an incoming SETUP: each names our B-channel. */
static void tx_response(struct isdn_call *call, unsigned event, struct isdn_ev *ev)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	struct pri *pri = ctrl->pri;
	unsigned next = call->fi.state;
	int timer = FSM_NO_TIMER, rc = 0;

	isdn_ctrl_enter(ctrl);
	switch (event) {
	case ISDN_EV_TX_SETUP_ACK:
		rc = pri_setup_ack(pri, call->pc, call->chan, 0, ev->inband);
		next = ISDN_ST_OVERLAP_RECEIVING;
		timer = ISDN_T302;
		break;
	case ISDN_EV_TX_PROCEEDING:
		rc = pri_proceeding(pri, call->pc, call->chan, ev->inband);
		next = ISDN_ST_IN_PROCEEDING;
		break;
	case ISDN_EV_TX_ALERTING:
		rc = pri_acknowledge(pri, call->pc, call->chan, ev->inband);
		next = ISDN_ST_CALL_RECEIVED;
		break;
	case ISDN_EV_TX_PROGRESS:
		rc = pri_progress(pri, call->pc, call->chan, ev->inband);
		if (next == ISDN_ST_OVERLAP_RECEIVING)
			timer = ISDN_T302;
		break;
	case ISDN_EV_TX_CONNECT:
		/* Q.931 §5.2.8: the user waits for CONNECT ACKNOWLEDGE (U8);
		 * the network is active once it has sent CONNECT. */
		rc = pri_answer(pri, call->pc, call->chan, 0);
		next =
		    ctrl->conf.role == ISDN_ROLE_NETWORK ? ISDN_ST_ACTIVE : ISDN_ST_CONNECT_REQUEST;
		break;
	}
	isdn_ctrl_leave(ctrl);
	ev->rc = pri_rc(rc);
	if (!ev->rc && (next != call->fi.state || timer != FSM_NO_TIMER))
		fsm_state_chg(&call->fi, next, timer);
}

/* DISCONNECT, or RELEASE COMPLETE where no answer to a SETUP went out yet
 * (Q.931 §5.2.5.1): then libpri destroys its call at once, and so do we. */
static int send_hangup(struct isdn_call *call, unsigned cause)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	isdn_ctrl_enter(ctrl);
	/* libpri answers a hangup in CALL_PRESENT with RELEASE COMPLETE only
	 * for causes 1, 34, 44, 81 and 82; for any other it moves to
	 * DISCONNECT REQUEST without sending anything, and the caller hears
	 * nothing until its T303 runs out.  So: CALL PROCEEDING, then
	 * DISCONNECT with the cause (Q.931 §5.3.2 from N9/U9). */
	if (call->fi.state == ISDN_ST_CALL_PRESENT && cause != 1 && cause != 34 && cause != 44 &&
	    cause != 81 && cause != 82)
		pri_proceeding(ctrl->pri, call->pc, call->chan, 0);
	ctrl->tx_rc.valid = false;
	int rc = pri_rc(pri_hangup(ctrl->pri, call->pc, (int)cause));
	bool gone = ctrl->tx_rc.valid;
	ctrl->tx_rc.valid = false;
	isdn_ctrl_leave(ctrl);
	if (gone) {
		call->pc = NULL;
		call_end(call);
		return rc;
	}
	fsm_state_chg(&call->fi, ISDN_ST_DISCONNECT_REQ, ISDN_T_GUARD);
	return rc;
}

static void tx_hangup(struct isdn_call *call, struct isdn_ev *ev)
{
	call->user_gone = true;
	if (call->reported || call->fi.state == ISDN_ST_DISCONNECT_IND ||
	    call->fi.state == ISDN_ST_RELEASE_REQ || call->fi.state == ISDN_ST_DISCONNECT_REQ)
		return;
	call->reported = true;
	ev->rc = send_hangup(call, ev->cause);
}

static void rx_progress(struct isdn_call *call, unsigned event, struct isdn_ev *ev)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	static const struct {
		unsigned st;
		enum isdn_prog_kind kind;
	} map[] = {
	    [ISDN_EV_RX_SETUP_ACK] = {ISDN_ST_OVERLAP_SENDING, ISDN_PROG_SETUP_ACK},
	    [ISDN_EV_RX_PROCEEDING] = {ISDN_ST_OUT_PROCEEDING, ISDN_PROG_PROCEEDING},
	    [ISDN_EV_RX_ALERTING] = {ISDN_ST_CALL_DELIVERED, ISDN_PROG_ALERTING},
	    [ISDN_EV_RX_PROGRESS] = {0, ISDN_PROG_PROGRESS},
	};
	adopt_chan(call, ev->chan);
	if (event != ISDN_EV_RX_PROGRESS)
		fsm_state_chg(&call->fi, map[event].st, FSM_NO_TIMER);
	if (ctrl->h.progress)
		ctrl->h.progress(call, map[event].kind, ev->progress, ctrl->arg);
}

static void rx_info(struct isdn_call *call, struct isdn_ev *ev)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	size_t have = strlen(call->digits);
	snprintf(call->digits + have, sizeof(call->digits) - have, "%s", ev->digits);
	if (ev->complete)
		fsm_timer_stop(&call->fi);
	else
		fsm_timer_start(&call->fi, ISDN_T302);
	if (ctrl->h.digits)
		ctrl->h.digits(call, ev->digits, ev->complete, false, ctrl->arg);
}

static void rx_disconnect(struct isdn_call *call, struct isdn_ev *ev)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	if (call->fi.state != ISDN_ST_DISCONNECT_REQ) {
		fsm_state_chg(&call->fi, ISDN_ST_DISCONNECT_IND, FSM_NO_TIMER);
		report_hangup(call, ev->cause, ev->location);
	}
	/* Q.931 §5.3.4: answer DISCONNECT with RELEASE (also in a clear
	 * collision, §5.3.5). */
	isdn_ctrl_enter(ctrl);
	pri_hangup(ctrl->pri, call->pc, (int)ev->cause);
	isdn_ctrl_leave(ctrl);
	fsm_state_chg(&call->fi, ISDN_ST_RELEASE_REQ, ISDN_T_GUARD);
}

/* RELEASE or RELEASE COMPLETE received (PRI_EVENT_HANGUP): libpri still
 * holds the call until pri_hangup() is called for it, whoever hung up. */
static void rx_release(struct isdn_call *call, struct isdn_ev *ev)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	report_hangup(call, ev->cause, ev->location);
	isdn_ctrl_enter(ctrl);
	pri_hangup(ctrl->pri, call->pc, (int)ev->cause);
	isdn_ctrl_leave(ctrl);
	call->pc = NULL;
	call_end(call);
}

static void call_action(struct fsm_inst *fi, unsigned event, void *data)
{
	struct isdn_call *call = call_of(fi);
	struct isdn_ev *ev = data;

	switch (event) {
	case ISDN_EV_TX_SETUP:
		tx_setup(call, ev);
		break;
	case ISDN_EV_TX_INFO:
		tx_info(call, ev);
		break;
	case ISDN_EV_TX_SETUP_ACK:
	case ISDN_EV_TX_PROCEEDING:
	case ISDN_EV_TX_ALERTING:
	case ISDN_EV_TX_PROGRESS:
	case ISDN_EV_TX_CONNECT:
		tx_response(call, event, ev);
		break;
	case ISDN_EV_TX_HANGUP:
		tx_hangup(call, ev);
		break;
	case ISDN_EV_RX_SETUP:
		fsm_state_chg(fi, ISDN_ST_CALL_PRESENT, FSM_NO_TIMER);
		break;
	case ISDN_EV_RX_SETUP_ACK:
	case ISDN_EV_RX_PROCEEDING:
	case ISDN_EV_RX_ALERTING:
	case ISDN_EV_RX_PROGRESS:
		rx_progress(call, event, ev);
		break;
	case ISDN_EV_RX_INFO:
		rx_info(call, ev);
		break;
	case ISDN_EV_RX_CONNECT:
		adopt_chan(call, ev->chan);
		fsm_state_chg(fi, ISDN_ST_ACTIVE, FSM_NO_TIMER);
		if (call->ctrl->h.answer)
			call->ctrl->h.answer(call, call->ctrl->arg);
		break;
	case ISDN_EV_RX_CONNECT_ACK:
		if (fi->state == ISDN_ST_CONNECT_REQUEST)
			fsm_state_chg(fi, ISDN_ST_ACTIVE, FSM_NO_TIMER);
		break;
	case ISDN_EV_RX_DISCONNECT:
		if (fi->state != ISDN_ST_RELEASE_REQ)
			rx_disconnect(call, ev);
		break;
	case ISDN_EV_RX_RELEASE:
		rx_release(call, ev);
		break;
	case ISDN_EV_RX_RELEASE_ACK:
		/* RELEASE COMPLETE after our RELEASE: libpri freed its call. */
		call->pc = NULL;
		call_end(call);
		break;
	}
}

/* Link loss or RESTART: libpri forgets the call without a message. */
static void call_clear(struct fsm_inst *fi, unsigned event, void *data)
{
	struct isdn_call *call = call_of(fi);
	struct isdn_ev *ev = data;
	struct isdn_ctrl *ctrl = call->ctrl;
	(void)event;
	report_hangup(call, ev->cause, ev->location);
	if (call->pc) {
		isdn_ctrl_enter(ctrl);
		pri_destroycall(ctrl->pri, call->pc);
		isdn_ctrl_leave(ctrl);
		call->pc = NULL;
	}
	call_end(call);
}

/* Clearing that libpri never finished (a message queued on a dead link,
 * a call it dropped without an event): give the call up quietly. */
static void guard_expired(struct isdn_call *call)
{
	struct isdn_ctrl *ctrl = call->ctrl;
	LOGW(LC_ISDN, fsm_obj(&call->fi), "clearing not completed: call dropped");
	if (call->pc) {
		isdn_ctrl_enter(ctrl);
		pri_destroycall(ctrl->pri, call->pc); /* libpri checks the pointer */
		isdn_ctrl_leave(ctrl);
		call->pc = NULL;
	}
	report_hangup(call, PRI_CAUSE_RECOVERY_ON_TIMER_EXPIRE, isdn_ctrl_local_loc(ctrl));
	call_end(call);
}

static void call_timer(struct fsm_inst *fi, unsigned timer)
{
	struct isdn_call *call = call_of(fi);
	struct isdn_ctrl *ctrl = call->ctrl;
	if (timer == ISDN_T_GUARD) {
		guard_expired(call);
		return;
	}
	if (fi->state != ISDN_ST_OVERLAP_RECEIVING)
		return;
	mem_ref(call);
	if (ctrl->h.digits)
		ctrl->h.digits(call, "", false, true, ctrl->arg);
	if (fi->state == ISDN_ST_OVERLAP_RECEIVING && !call->user_gone) {
		report_hangup(call, PRI_CAUSE_INVALID_NUMBER_FORMAT, isdn_ctrl_local_loc(ctrl));
		call->user_gone = true;
		send_hangup(call, PRI_CAUSE_INVALID_NUMBER_FORMAT);
	}
	mem_deref(call);
}

/* clang-format off */
#define ST(name, ev, out) { #name, ev, out, call_action, NULL, NULL }

static const struct fsm_state call_states[ISDN_ST__COUNT] = {
	[ISDN_ST_NULL] = ST(NULL, B(TX_SETUP) | B(RX_SETUP), S(CALL_INIT) | S(CALL_PRESENT)),
	[ISDN_ST_CALL_INIT] = ST(CALL_INIT,
		B(RX_SETUP_ACK) | B(RX_PROCEEDING) | B(RX_ALERTING) | B(RX_PROGRESS) |
		B(RX_CONNECT) | CLEARING,
		S(OVERLAP_SENDING) | S(OUT_PROCEEDING) | S(CALL_DELIVERED) | S(ACTIVE) | TO_CLEAR),
	[ISDN_ST_OVERLAP_SENDING] = ST(OVERLAP_SENDING,
		B(TX_INFO) | B(RX_PROCEEDING) | B(RX_ALERTING) | B(RX_PROGRESS) | B(RX_CONNECT) |
		CLEARING,
		S(OUT_PROCEEDING) | S(CALL_DELIVERED) | S(ACTIVE) | TO_CLEAR),
	[ISDN_ST_OUT_PROCEEDING] = ST(OUT_PROCEEDING,
		B(RX_ALERTING) | B(RX_PROGRESS) | B(RX_CONNECT) | CLEARING,
		S(CALL_DELIVERED) | S(ACTIVE) | TO_CLEAR),
	[ISDN_ST_CALL_DELIVERED] = ST(CALL_DELIVERED, B(RX_PROGRESS) | B(RX_CONNECT) | CLEARING,
		S(ACTIVE) | TO_CLEAR),
	[ISDN_ST_CALL_PRESENT] = ST(CALL_PRESENT,
		B(TX_SETUP_ACK) | B(TX_PROCEEDING) | B(TX_ALERTING) | B(TX_CONNECT) | CLEARING,
		S(OVERLAP_RECEIVING) | S(IN_PROCEEDING) | S(CALL_RECEIVED) | S(CONNECT_REQUEST) |
		S(ACTIVE) | TO_CLEAR),
	[ISDN_ST_CALL_RECEIVED] = ST(CALL_RECEIVED, B(TX_PROGRESS) | B(TX_CONNECT) | CLEARING,
		S(CONNECT_REQUEST) | S(ACTIVE) | TO_CLEAR),
	[ISDN_ST_CONNECT_REQUEST] = ST(CONNECT_REQUEST, B(RX_CONNECT_ACK) | CLEARING,
		S(ACTIVE) | TO_CLEAR),
	[ISDN_ST_IN_PROCEEDING] = ST(IN_PROCEEDING,
		B(TX_ALERTING) | B(TX_PROGRESS) | B(TX_CONNECT) | CLEARING,
		S(CALL_RECEIVED) | S(CONNECT_REQUEST) | S(ACTIVE) | TO_CLEAR),
	[ISDN_ST_ACTIVE] = ST(ACTIVE, B(RX_CONNECT_ACK) | CLEARING, TO_CLEAR),
	[ISDN_ST_DISCONNECT_REQ] = ST(DISCONNECT_REQ, CLEARING | B(RX_RELEASE_ACK), TO_CLEAR),
	[ISDN_ST_DISCONNECT_IND] = ST(DISCONNECT_IND, CLEARING | B(RX_RELEASE_ACK), TO_CLEAR),
	[ISDN_ST_RELEASE_REQ] = ST(RELEASE_REQ, CLEARING | B(RX_RELEASE_ACK), S(NULL)),
	[ISDN_ST_OVERLAP_RECEIVING] = ST(OVERLAP_RECEIVING,
		B(RX_INFO) | B(TX_PROCEEDING) | B(TX_ALERTING) | B(TX_PROGRESS) | B(TX_CONNECT) |
		CLEARING,
		S(OVERLAP_RECEIVING) | S(IN_PROCEEDING) | S(CALL_RECEIVED) | S(CONNECT_REQUEST) |
		S(ACTIVE) | TO_CLEAR),
};
/* clang-format on */

static const char *const call_events[ISDN_EV__COUNT] = {
    "TX_SETUP",	      "TX_INFO",       "TX_SETUP_ACK", "TX_PROCEEDING",	 "TX_ALERTING",
    "TX_PROGRESS",    "TX_CONNECT",    "TX_HANGUP",    "RX_SETUP",	 "RX_SETUP_ACK",
    "RX_PROCEEDING",  "RX_ALERTING",   "RX_PROGRESS",  "RX_INFO",	 "RX_CONNECT",
    "RX_CONNECT_ACK", "RX_DISCONNECT", "RX_RELEASE",   "RX_RELEASE_ACK", "CLEAR",
};

static const struct fsm_timer_def call_timers[ISDN_T__COUNT] = {
    [ISDN_T302] = {"T302", 15 * NS_PER_S, "overlap receiving: waiting for more digits"},
    /* longer than libpri's T305 (30 s) + T308 (4 s, twice) */
    [ISDN_T_GUARD] = {"Tguard", 60 * NS_PER_S, "clearing: waiting for libpri to finish"},
};

const struct fsm_def isdn_call_fsm = {
    .name = "isdn_call",
    .cat = LC_ISDN,
    .states = call_states,
    .n_states = ISDN_ST__COUNT,
    .events = call_events,
    .n_events = ISDN_EV__COUNT,
    .timers = call_timers,
    .n_timers = ISDN_T__COUNT,
    .allstate_events = B(CLEAR),
    .allstate_action = call_clear,
    .timer_cb = call_timer,
};
