/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway's media glue: what the call layer's media requests mean for a
 * SIP ⇄ ISDN call.  CONNECT joins the ISDN leg's B-channel to the SIP leg's
 * RTP stream through a media bridge; RINGBACK plays the zone's ringback
 * toward the B-channel; STOP parts them before the stream goes away.
 */
#ifndef STROWGER_GW_MEDIA_H
#define STROWGER_GW_MEDIA_H

#include "call/call.h"

struct gw_pstn;

void gw_media_apply(struct gw_pstn *pstn, const char *zone, struct call *call,
		    enum call_media what);

#endif
