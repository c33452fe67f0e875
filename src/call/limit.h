/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Call limits: how many calls a SIP trunk or an ISDN span may carry at once
 * (max_calls) and how many it may start per second (max_cps), with the
 * counts strowger-ctl shows.
 *
 * The rate is a token bucket on the loop's clock (so tests run on virtual
 * time): it holds up to max_cps tokens, one second's worth, refilled at
 * max_cps per second, and each new call takes one.  A long run therefore
 * averages at most max_cps, and an idle trunk may take a burst of max_cps
 * calls at once.
 *
 * A leg that got a place holds it in call_leg.limit; the call layer gives it
 * back as soon as the leg is finished (released either way, failed over, or
 * freed), so a trunk that refused a call with 503 never keeps a place for
 * it.  A limit is a mem object: a reload may drop the table that made it
 * while legs still hold it.
 */
#ifndef STROWGER_CALL_LIMIT_H
#define STROWGER_CALL_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct call_leg;

struct call_limit {
	unsigned max_calls, max_cps; /* 0: no limit */
	unsigned calls[2];	     /* in progress: [0] incoming, [1] outgoing */
	uint64_t total[2];	     /* admitted since start */
	uint64_t refused[2];	     /* turned away by a limit since start */
	uint64_t credit;	     /* tokens × NS_PER_S (see limit.c) */
	uint64_t t_fill;	     /* loop time of the last refill */
	bool primed;		     /* the bucket starts full at first use */
};

/* A new limit with no limits set; a mem object. */
int call_limit_alloc(struct call_limit **lp);
/* Change the limits (a reload); calls in progress are kept. */
void call_limit_set(struct call_limit *l, unsigned max_calls, unsigned max_cps);

/* May a new call (outgoing: `out`) start at loop time `now`?  0: yes, and
 * it is counted; EBUSY: max_calls reached; EAGAIN: max_cps reached.  On a
 * refusal *retry_after (may be NULL) is the number of seconds worth waiting
 * (RFC 3261 §20.33 Retry-After), and the refusal is counted. */
int call_limit_admit(struct call_limit *l, bool out, uint64_t now, unsigned *retry_after);
/* A call admitted with call_limit_admit() is over. */
void call_limit_done(struct call_limit *l, bool out);

/* Admit the call of `leg` (which holds the place, and a reference to `l`,
 * until call_leg_limit_drop()).  `l` NULL: always admitted. */
int call_leg_limit_take(struct call_leg *leg, struct call_limit *l, bool out, uint64_t now,
			unsigned *retry_after);
/* Give back the leg's place, if it holds one.  Idempotent. */
void call_leg_limit_drop(struct call_leg *leg);

/* The Q.850 cause for a refusal (Q.850 §2.2.7.1): EBUSY → 34 "no
 * circuit/channel available" (the channels the operator allows are in
 * use), EAGAIN → 42 "switching equipment congestion" (a period of high
 * traffic).  Both are congestion: the caller's network may reroute. */
unsigned call_limit_cause(int err);

#endif
