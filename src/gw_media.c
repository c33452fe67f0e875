/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gateway's media glue; see gw_media.h. */
#include "gw_media.h"

#include <errno.h>
#include <string.h>

#include "call/leg_isdn.h"
#include "call/leg_sip.h"
#include "core/log.h"
#include "core/mem.h"
#include "drivers/tdm.h"
#include "gw_pstn.h"
#include "media/bridge.h"

/* The call's ISDN leg, whichever side it is on. */
static bool isdn_side(const struct call *call, unsigned *span, int *chan)
{
	return leg_isdn_where(call_leg_in(call), span, chan) ||
	       leg_isdn_where(call_leg_out(call), span, chan);
}

static struct media_stream *sip_stream(const struct call *call)
{
	struct media_stream *s = leg_sip_stream(call_leg_in(call));
	return s ? s : leg_sip_stream(call_leg_out(call));
}

/* The call's bridge, made on first use on its B-channel. */
static struct media_bridge *bridge_get(struct gw_pstn *pstn, struct call *call)
{
	struct media_bridge *b = call_user(call);
	unsigned span;
	int chan;
	if (b || !pstn || !isdn_side(call, &span, &chan))
		return b;
	unsigned channo = gw_pstn_channo(pstn, span, chan);
	struct tdm *tdm = gw_pstn_tdm(pstn);
	enum media_law law = gw_pstn_alaw(pstn) ? MEDIA_LAW_ALAW : MEDIA_LAW_ULAW;
	int rc = channo ? media_bridge_alloc(&b, tdm_loop(tdm), tdm, channo, law) : ENOENT;
	if (rc) {
		LOGE(LC_MEDIA, call_name(call), "no bridge on span %u B%d: %s", span, chan,
		     strerror(rc));
		return NULL;
	}
	call_set_user(call, b);
	return b;
}

void gw_media_apply(struct gw_pstn *pstn, const char *zone, struct call *call,
		    enum call_media what)
{
	struct media_bridge *b = what == CALL_MEDIA_STOP ? call_user(call)
							 : bridge_get(pstn, call);
	if (!b)
		return;
	switch (what) {
	case CALL_MEDIA_CONNECT:
		media_bridge_connect(b, sip_stream(call));
		break;
	case CALL_MEDIA_RINGBACK_ON:
		if (media_bridge_tone(b, zone, "ringback"))
			LOGW(LC_MEDIA, call_name(call), "no ringback tone in zone %s", zone);
		break;
	case CALL_MEDIA_RINGBACK_OFF:
		media_bridge_tone(b, NULL, NULL);
		break;
	case CALL_MEDIA_STOP:
		/* Before the SIP leg frees its stream (call_end, then the legs). */
		media_bridge_connect(b, NULL);
		mem_deref(b);
		call_set_user(call, NULL);
		break;
	}
}
