/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Call objects and what the call layer may do with them.  Each request is an
 * event of the call FSM (isdn_call.c): a request the current state does not
 * allow fails with EPERM and changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "pstn/isdn_int.h"

static void call_destroy(void *data)
{
	struct isdn_call *call = data;
	fsm_inst_term(&call->fi);
	if (le_linked(&call->le)) {
		list_unlink(&call->le);
		call->ctrl->ncalls--;
	}
	isdn_chan_unbind(call->ctrl, call);
}

int isdn_call_alloc(struct isdn_ctrl *ctrl, struct isdn_call **callp, q931_call *pc, bool outgoing,
		    int chan)
{
	char name[32];
	struct isdn_call *call = mem_zalloc(sizeof(*call), call_destroy);
	if (!call)
		return ENOMEM;
	call->ctrl = ctrl;
	call->pc = pc;
	call->outgoing = outgoing;
	le_init(&call->le);
	isdn_chan_bind(ctrl, chan, call);
	call->timer_ns[ISDN_T302] = ctrl->conf.t302;
	snprintf(name, sizeof(name), "isdn %sc%d", ctrl->conf.name, chan);
	fsm_inst_init(&call->fi, &isdn_call_fsm, ctrl->loop, name, call);
	call->fi.timer_ns = call->timer_ns;
	list_append(&ctrl->calls, &call->le);
	ctrl->ncalls++;
	*callp = call;
	return 0;
}

void isdn_call_free(struct isdn_call *call)
{
	call_destroy(call);
	mem_deref(call);
}

struct isdn_call *isdn_call_find(const struct isdn_ctrl *ctrl, const q931_call *pc)
{
	struct le *le;
	if (!pc)
		return NULL;
	list_for_each(&ctrl->calls, le)
	{
		struct isdn_call *call = container_of(le, struct isdn_call, le);
		if (call->pc == pc)
			return call;
	}
	return NULL;
}

int isdn_call_place(struct isdn_ctrl *ctrl, struct isdn_call **callp,
		    const struct isdn_call_prm *prm, void *priv)
{
	struct isdn_call *call;
	if (!ctrl || !callp || !prm)
		return EINVAL;
	if (!isdn_ctrl_is_up(ctrl))
		return ENOTCONN;
	int chan = prm->chan ? prm->chan : isdn_chan_pick(ctrl);
	if (!isdn_chan_usable(ctrl, chan))
		return EBUSY;
	isdn_ctrl_enter(ctrl);
	q931_call *pc = pri_new_call(ctrl->pri);
	isdn_ctrl_leave(ctrl);
	if (!pc)
		return ENOMEM;
	int rc = isdn_call_alloc(ctrl, &call, pc, true, chan);
	if (rc) {
		isdn_ctrl_enter(ctrl);
		pri_destroycall(ctrl->pri, pc);
		isdn_ctrl_leave(ctrl);
		return rc;
	}
	call->priv = priv;
	struct isdn_ev ev = {.prm = prm};
	fsm_event(&call->fi, ISDN_EV_TX_SETUP, &ev);
	if (ev.rc) {
		isdn_ctrl_enter(ctrl);
		pri_destroycall(ctrl->pri, pc);
		isdn_ctrl_leave(ctrl);
		isdn_call_free(call);
		return ev.rc;
	}
	*callp = call;
	return 0;
}

static int call_req(struct isdn_call *call, unsigned event, struct isdn_ev *ev)
{
	if (!call)
		return EINVAL;
	if (call->user_gone)
		return EPERM;
	int rc = fsm_event(&call->fi, event, ev);
	return rc ? rc : ev->rc;
}

int isdn_call_info(struct isdn_call *call, const char *digits)
{
	struct isdn_ev ev = {.digits = digits ? digits : ""};
	return call_req(call, ISDN_EV_TX_INFO, &ev);
}

int isdn_call_setup_ack(struct isdn_call *call, bool inband)
{
	struct isdn_ev ev = {.inband = inband};
	return call_req(call, ISDN_EV_TX_SETUP_ACK, &ev);
}

int isdn_call_proceeding(struct isdn_call *call, bool inband)
{
	struct isdn_ev ev = {.inband = inband};
	return call_req(call, ISDN_EV_TX_PROCEEDING, &ev);
}

int isdn_call_alert(struct isdn_call *call, bool inband)
{
	struct isdn_ev ev = {.inband = inband};
	return call_req(call, ISDN_EV_TX_ALERTING, &ev);
}

int isdn_call_progress(struct isdn_call *call, bool inband)
{
	struct isdn_ev ev = {.inband = inband};
	return call_req(call, ISDN_EV_TX_PROGRESS, &ev);
}

int isdn_call_answer(struct isdn_call *call)
{
	struct isdn_ev ev = {0};
	return call_req(call, ISDN_EV_TX_CONNECT, &ev);
}

int isdn_call_hangup(struct isdn_call *call, unsigned cause)
{
	if (cause == 0 || cause > 127)
		return EINVAL;
	struct isdn_ev ev = {.cause = cause};
	return call_req(call, ISDN_EV_TX_HANGUP, &ev);
}

int isdn_call_chan(const struct isdn_call *call)
{
	return call->chan;
}

bool isdn_call_outgoing(const struct isdn_call *call)
{
	return call->outgoing;
}

const char *isdn_call_state(const struct isdn_call *call)
{
	return fsm_state_name(&call->fi);
}

void *isdn_call_priv(const struct isdn_call *call)
{
	return call->priv;
}

void isdn_call_set_priv(struct isdn_call *call, void *priv)
{
	call->priv = priv;
}
