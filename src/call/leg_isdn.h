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
 * policy (isdn_conf.chansel).  A span at its limit (max_calls, max_cps)
 * counts as full both ways: an outgoing call hunts on, an incoming SETUP
 * is refused with cause 34 or 42 (call_limit_cause).  A span whose far end
 * releases the call with a congestion cause (34 38 41 42 44 47) before it
 * rings (ALERTING, PROGRESS with in-band information, CONNECT) passes it to
 * the group's next span; only when none is left does the call hear of it
 * (and try its route's next destination).
 */
#ifndef STROWGER_CALL_LEG_ISDN_H
#define STROWGER_CALL_LEG_ISDN_H

#include "call/call.h"
#include "core/list.h"
#include "pstn/isdn.h"

#define LEG_ISDN_GROUP_SPANS 256 /* as many as the gateway's spans (SG_MAX_SPANS) */

struct leg_isdn_span {
	const struct call_env *env;
	struct isdn_ctrl *ctrl;
	unsigned number;               /* the span number (CDRs, routing) */
	char group[ROUTE_NAME_MAX];    /* the group it belongs to, for routing */
	bool accepting;                /* false while shutting down: new calls get 42 */
	struct call_limit *limit;      /* max_calls/max_cps (call/limit.h), or NULL */
	bool overlap;                  /* overlap receiving: collect digits (leg_isdn.c) */
	char digitmap[ROUTE_NAME_MAX]; /* the dial plan's digit map saying when a
	                                * collected number is complete, or "" */
	bool rfc3578;                  /* overlap into SIP as RFC 3578 (an INVITE at
	                                * once, again per digit), not en bloc */
	struct le collecting;          /* legs still collecting digits (no call yet);
	                                * zeroed or list_init()ed */
};

struct leg_isdn_group {
	char name[ROUTE_NAME_MAX];
	struct leg_isdn_span *span[LEG_ISDN_GROUP_SPANS];
	unsigned n;
	unsigned rr;                   /* round-robin cursor */
};

extern const struct isdn_handlers leg_isdn_handlers;

/* Clear the incoming calls still collecting digits (no call owns them
 * yet) with `cause`: 42 when the gateway stops taking calls.  0: forget
 * them without a word, before the span's controller is freed (it frees
 * its ISDN calls silently). */
void leg_isdn_span_drop(struct leg_isdn_span *sp, unsigned cause);

/* Is `leg` an ISDN leg?  Then where its B-channel is: span number and
 * Q.931 channel (0 before one is chosen). */
bool leg_isdn_where(const struct call_leg *leg, unsigned *span, int *chan);

/* A new outgoing leg on `g` (set up later by the call), hunting the spans
 * in `policy` order. */
int leg_isdn_create(struct leg_isdn_group *g, enum route_policy policy, struct call_leg **legp);

#endif
