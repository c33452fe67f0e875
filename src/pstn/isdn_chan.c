/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * B-channels of an interface and the choice of one (Q.931 §5.1.2, §5.2.3):
 * ascending, descending or round robin over channels that exist, are in
 * service and carry no call.
 */
#include "pstn/isdn_int.h"

void isdn_chan_init(struct isdn_ctrl *ctrl)
{
	int last;
	switch (ctrl->conf.iface) {
	case ISDN_PRI_E1:
		last = 31;
		break;
	case ISDN_PRI_T1:
		last = 23;
		break;
	default:
		last = 2;
		break;
	}
	for (int c = 1; c <= last; c++)
		ctrl->chans[c].exists = !(ctrl->conf.iface == ISDN_PRI_E1 && c == 16);
	ctrl->rr_next = 1;
}

bool isdn_chan_usable(const struct isdn_ctrl *ctrl, int chan)
{
	if (chan <= 0 || chan > ISDN_MAX_CHAN)
		return false;
	const struct isdn_chan *ch = &ctrl->chans[chan];
	return ch->exists && !ch->maint && !ch->call;
}

int isdn_chan_pick(struct isdn_ctrl *ctrl)
{
	switch (ctrl->conf.chansel) {
	case ISDN_CHANSEL_DESC:
		for (int c = ISDN_MAX_CHAN; c > 0; c--)
			if (isdn_chan_usable(ctrl, c))
				return c;
		return 0;
	case ISDN_CHANSEL_RR:
		for (int i = 0; i < ISDN_MAX_CHAN; i++) {
			int c = (ctrl->rr_next - 1 + i) % ISDN_MAX_CHAN + 1;
			if (isdn_chan_usable(ctrl, c)) {
				ctrl->rr_next = c % ISDN_MAX_CHAN + 1;
				return c;
			}
		}
		return 0;
	default:
		for (int c = 1; c <= ISDN_MAX_CHAN; c++)
			if (isdn_chan_usable(ctrl, c))
				return c;
		return 0;
	}
}

void isdn_chan_bind(struct isdn_ctrl *ctrl, int chan, struct isdn_call *call)
{
	if (chan <= 0 || chan > ISDN_MAX_CHAN)
		return;
	ctrl->chans[chan].call = call;
	call->chan = chan;
}

void isdn_chan_unbind(struct isdn_ctrl *ctrl, struct isdn_call *call)
{
	if (call->chan > 0 && call->chan <= ISDN_MAX_CHAN && ctrl->chans[call->chan].call == call)
		ctrl->chans[call->chan].call = NULL;
	call->chan = 0;
}
