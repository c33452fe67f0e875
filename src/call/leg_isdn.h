/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ISDN leg: a Q.931 call on a B-channel behind struct call_leg, and the
 * span groups that outgoing calls hunt over.
 *
 * Each span's controller is created with leg_isdn_handlers and a struct
 * isdn_span as its handlers' arg: that is how an incoming SETUP knows its
 * span, its group and the calls' environment.  A span group lists spans;
 * an outgoing call tries them in hunt order and takes the first with a
 * free B-channel, so a full span never fails a call another span of the
 * group could carry.  Channel choice within a span is the controller's own
 * policy (isdn_conf.chansel).
 */
#ifndef STROWGER_CALL_LEG_ISDN_H
#define STROWGER_CALL_LEG_ISDN_H

#include "call/call.h"
#include "pstn/isdn.h"

#define LEG_ISDN_GROUP_SPANS 256 /* as many as the gateway's spans (SG_MAX_SPANS) */

struct leg_isdn_span {
	const struct call_env *env;
	struct isdn_ctrl *ctrl;
	unsigned number;               /* the span number (CDRs, routing) */
	char group[ROUTE_NAME_MAX];    /* the group it belongs to, for routing */
	bool accepting;                /* false while shutting down: new calls get 42 */
};

struct leg_isdn_group {
	char name[ROUTE_NAME_MAX];
	struct leg_isdn_span *span[LEG_ISDN_GROUP_SPANS];
	unsigned n;
	unsigned rr;                   /* round-robin cursor */
};

extern const struct isdn_handlers leg_isdn_handlers;

/* Is `leg` an ISDN leg?  Then where its B-channel is: span number and
 * Q.931 channel (0 before one is chosen). */
bool leg_isdn_where(const struct call_leg *leg, unsigned *span, int *chan);

/* A new outgoing leg on `g` (set up later by the call), hunting the spans
 * in `policy` order. */
int leg_isdn_create(struct leg_isdn_group *g, enum route_policy policy, struct call_leg **legp);

#endif
