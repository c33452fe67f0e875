/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/call/call*.c. */
#ifndef STROWGER_CALL_CALL_INT_H
#define STROWGER_CALL_CALL_INT_H

#include "call/call.h"
#include "core/fsm.h"
#include "core/list.h"

enum call_st { CS_NULL, CS_CALLING, CS_ALERTING, CS_EARLY, CS_ACTIVE, CS_RELEASED };

enum call_evt {
	CE_IN_RELEASED,
	CE_OUT_PROCEEDING,
	CE_OUT_ALERTING,
	CE_OUT_PROGRESS,
	CE_OUT_ANSWER,
	CE_OUT_RELEASED,
	CE_HANGUP,
};

enum call_tmr { CT_NOANSWER };

struct call_evd {
	bool inband;
	bool unreachable;               /* CE_OUT_RELEASED: see call_leg_unreachable */
	unsigned cause, status;
};

struct call {
	struct fsm_inst fi;
	struct le le;                   /* in the list of live calls */
	unsigned id;
	const struct call_env *env;
	struct route_set *routes;       /* this call's own reference */
	struct call_leg *in, *out;
	struct call_leg *retired;       /* outgoing legs done with (failover, RFC 3578) */
	bool in_open;                   /* RFC 3578: the called number may grow */
	struct route_result route;
	unsigned next_dest;
	struct call_setup s_in, s_out;  /* numbers before and after mapping */
	uint64_t t_start, t_answer;     /* wall ns */
	unsigned cause, status;         /* how it ended */
	bool ringback;
	bool media;
	bool media_used;                /* any media request went out: STOP at the end */
	uint64_t t_noanswer;
	void *user;                     /* the gateway's */
	struct call_xfer *xfer;         /* a transfer, once one was asked for */
	bool transferred;               /* the record is the transfer target's */
};

extern const struct fsm_def call_fsm_def;

/* call.c */
void call_leg_release(struct call_leg *leg, unsigned cause, unsigned status);
/* Set up the next destination; on running out, release the incoming leg
 * and end the call.  `cause` is what the last attempt ended with. */
void call_out_next(struct call *call, unsigned cause);
/* The outgoing leg is finished with: keep it until the call is freed. */
void call_out_retire(struct call *call);
void call_media(struct call *call, enum call_media what);
/* Fill in whichever of cause and status is missing, via the cause table. */
void call_cause_complete(const struct call *call, unsigned *cause, unsigned *status);
void call_end(struct call *call);
/* Release both legs (those not gone) with cause/status completed from the
 * cause table, and go to RELEASED. */
void call_clear(struct call *call, unsigned cause, unsigned status);
/* The outgoing setup from a routing result over the incoming one. */
void call_setup_routed(const struct route_result *r, const struct call_setup *in,
		       struct call_setup *out);
/* Keep a leg the call is done with until the call is freed. */
void call_leg_retire(struct call *call, struct call_leg *leg);
void call_cdr_fill(const struct call *call, struct cdr *rec);

/* call_xfer.c: a leg's event that belongs to the transfer (the target's,
 * or the transferor's release) is handled there: true. */
bool call_xfer_leg_event(struct call *call, struct call_leg *leg, unsigned ev,
			 const struct call_evd *d);
/* The call ends: release the transfer's legs still up. */
void call_xfer_stop(struct call *call);

#endif
