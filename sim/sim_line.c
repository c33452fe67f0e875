/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Analog lines in the sim: DAHDI_HOOK and DAHDI_SETPOLARITY on a channel,
 * and what the far end of its line sees.
 *
 * DAHDI names signalling after the far end: an FXS-signalled channel
 * (fxsks=) sits on an FXO port facing a CO; it goes off hook, on hook and
 * flashes.  An FXO-signalled channel (fxoks=) sits on an FXS port with a
 * phone; it rings, reverses polarity and opens the loop (kewlstart
 * disconnect).  A line's two ends exchange line signals (enum
 * sim_line_sig, also the LINE message of the remote wire format):
 *
 *   FXS-sig side does   signal        FXO-sig side gets
 *   OFFHOOK             OFFHOOK       RINGOFFHOOK (if ringing: RINGEROFF first)
 *   ONHOOK              ONHOOK        ONHOOK
 *   FLASH               FLASH         WINKFLASH    (the flasher: HOOKCOMPLETE)
 *
 *   FXO-sig side does   signal        FXS-sig side gets
 *   RING                RING          RINGBEGIN, RINGOFFHOOK (the ringer: RINGERON)
 *   RINGOFF             RINGOFF       -            (the ringer: RINGEROFF)
 *   ONHOOK              ONHOOK        ONHOOK, if off hook and kewlstart
 *   SETPOLARITY change  POL_*         POLARITY
 *
 * Any other request, or one on a channel that is not analog, is EINVAL.
 */
#include <errno.h>

#include "core/log.h"
#include "sim/sim_int.h"

static bool line_fxs(const struct sim_chan *ch)
{
	return (ch->sig & __DAHDI_SIG_FXS) == __DAHDI_SIG_FXS;
}

static bool line_fxo(const struct sim_chan *ch)
{
	return (ch->sig & __DAHDI_SIG_FXO) == __DAHDI_SIG_FXO;
}

/* Send a line signal to the far end, wherever it is. */
static void line_signal(struct sim_chan *ch, enum sim_line_sig sig)
{
	if (ch->peer)
		sim_line_apply(ch->peer, sig);
	else if (ch->span->remote)
		sim_remote_line(ch, sig);
}

static void line_ringer_off(struct sim_chan *ch)
{
	if (!ch->ringing)
		return;
	ch->ringing = false;
	sim_chan_event(ch, DAHDI_EVENT_RINGEROFF);
	line_signal(ch, SIM_LINE_RINGOFF);
}

/* The phone port hears the subscriber side. */
static void line_apply_fxo(struct sim_chan *ch, enum sim_line_sig sig)
{
	switch (sig) {
	case SIM_LINE_OFFHOOK:
		ch->far_offhook = true;
		line_ringer_off(ch);
		sim_chan_event(ch, DAHDI_EVENT_RINGOFFHOOK);
		break;
	case SIM_LINE_ONHOOK:
		ch->far_offhook = false;
		sim_chan_event(ch, DAHDI_EVENT_ONHOOK);
		break;
	case SIM_LINE_FLASH:
		sim_chan_event(ch, DAHDI_EVENT_WINKFLASH);
		break;
	default:
		break;
	}
}

/* The CO-facing port hears the exchange side. */
static void line_apply_fxs(struct sim_chan *ch, enum sim_line_sig sig)
{
	switch (sig) {
	case SIM_LINE_RING:
		ch->far_ringing = true;
		sim_chan_event(ch, DAHDI_EVENT_RINGBEGIN);
		sim_chan_event(ch, DAHDI_EVENT_RINGOFFHOOK);
		break;
	case SIM_LINE_RINGOFF:
		ch->far_ringing = false;
		break;
	case SIM_LINE_ONHOOK:
		/* loop current drops: only kewlstart reports it */
		if (ch->offhook && ch->sig == DAHDI_SIG_FXSKS)
			sim_chan_event(ch, DAHDI_EVENT_ONHOOK);
		break;
	case SIM_LINE_POL_NORMAL:
	case SIM_LINE_POL_REVERSED:
		sim_chan_event(ch, DAHDI_EVENT_POLARITY);
		break;
	default:
		break;
	}
}

void sim_line_apply(struct sim_chan *ch, enum sim_line_sig sig)
{
	if (line_fxo(ch))
		line_apply_fxo(ch, sig);
	else if (line_fxs(ch))
		line_apply_fxs(ch, sig);
}

/* FXS signalling: we are the subscriber's end of a CO line. */
static int line_hook_fxs(struct sim_chan *ch, int op)
{
	switch (op) {
	case DAHDI_START:
		/* ground start seizes the line like an off-hook */
		if (ch->sig != DAHDI_SIG_FXSGS)
			return EINVAL;
		/* fall through */
	case DAHDI_OFFHOOK:
		if (!ch->offhook) {
			ch->offhook = true;
			ch->far_ringing = false;
			line_signal(ch, SIM_LINE_OFFHOOK);
		}
		return 0;
	case DAHDI_ONHOOK:
		if (ch->offhook) {
			ch->offhook = false;
			line_signal(ch, SIM_LINE_ONHOOK);
		}
		return 0;
	case DAHDI_FLASH:
		if (!ch->offhook)
			return EINVAL;
		line_signal(ch, SIM_LINE_FLASH);
		sim_chan_event(ch, DAHDI_EVENT_HOOKCOMPLETE);
		return 0;
	default:
		return EINVAL;
	}
}

/* FXO signalling: we feed a phone. */
static int line_hook_fxo(struct sim_chan *ch, int op)
{
	switch (op) {
	case DAHDI_RING:
		if (ch->far_offhook)
			return EBUSY; /* cannot ring a phone that is off hook */
		if (!ch->ringing) {
			ch->ringing = true;
			sim_chan_event(ch, DAHDI_EVENT_RINGERON);
			line_signal(ch, SIM_LINE_RING);
		}
		return 0;
	case DAHDI_RINGOFF:
		line_ringer_off(ch);
		return 0;
	case DAHDI_ONHOOK:
		line_ringer_off(ch);
		if (ch->far_offhook)
			line_signal(ch, SIM_LINE_ONHOOK);
		return 0;
	case DAHDI_OFFHOOK:
		return 0; /* loop current back on: nothing to report */
	default:
		return EINVAL;
	}
}

int sim_line_hook(struct sim_chan *ch, int op)
{
	if (line_fxs(ch))
		return line_hook_fxs(ch, op);
	if (line_fxo(ch))
		return line_hook_fxo(ch, op);
	return EINVAL;
}

int sim_line_polarity(struct sim_chan *ch, int reversed)
{
	if (!line_fxo(ch))
		return EINVAL;
	if (ch->reversed == (reversed != 0))
		return 0;
	ch->reversed = reversed != 0;
	line_signal(ch, ch->reversed ? SIM_LINE_POL_REVERSED : SIM_LINE_POL_NORMAL);
	return 0;
}

bool sim_line_rx_offhook(const struct sim_chan *ch)
{
	if (line_fxo(ch))
		return ch->far_offhook;
	if (line_fxs(ch))
		return ch->far_ringing;
	return false;
}
