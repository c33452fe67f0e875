/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Call limits per trunk and per span (see limit.h): a count of calls in
 * progress and a token bucket for the rate.
 *
 * The bucket keeps its credit in token-nanoseconds: one token is NS_PER_S
 * of credit and the refill is max_cps credit per nanosecond of loop time,
 * so it needs no division and no floating point.  Full is max_cps tokens.
 */
#include "call/limit.h"

#include <errno.h>

#include "call/call.h"
#include "core/clock.h"
#include "core/mem.h"

/* Retry-After for a trunk at max_calls (RFC 3261 §20.33): a place frees
 * only when a call ends, which we cannot foresee; a few seconds keeps
 * retries polite without making the caller wait long. */
#define RETRY_FULL_S 5

int call_limit_alloc(struct call_limit **lp)
{
	struct call_limit *l = mem_zalloc(sizeof(*l), NULL);
	if (!l)
		return ENOMEM;
	*lp = l;
	return 0;
}

void call_limit_set(struct call_limit *l, unsigned max_calls, unsigned max_cps)
{
	l->max_calls = max_calls;
	if (l->max_cps != max_cps)
		l->primed = false; /* a new rate starts with a full bucket */
	l->max_cps = max_cps;
}

static void refill(struct call_limit *l, uint64_t now)
{
	uint64_t full = (uint64_t)l->max_cps * NS_PER_S;
	if (!l->primed) {
		l->primed = true;
		l->credit = full;
	} else if (now > l->t_fill) {
		/* After a second the bucket is full whatever the rate: cap the
		 * interval first so the product cannot overflow. */
		uint64_t dt = now - l->t_fill < NS_PER_S ? now - l->t_fill : NS_PER_S;
		l->credit += dt * l->max_cps;
		if (l->credit > full)
			l->credit = full;
	}
	l->t_fill = now;
}

int call_limit_admit(struct call_limit *l, bool out, uint64_t now, unsigned *retry_after)
{
	int err = 0;
	unsigned retry = 0;
	if (l->max_calls && l->calls[out] + l->calls[!out] >= l->max_calls) {
		err = EBUSY;
		retry = RETRY_FULL_S;
	} else if (l->max_cps) {
		refill(l, now);
		if (l->credit < NS_PER_S) {
			/* The next token comes within 1/max_cps s: at most 1 s. */
			err = EAGAIN;
			retry = 1;
		}
	}
	if (err) {
		l->refused[out]++;
		if (retry_after)
			*retry_after = retry;
		return err;
	}
	if (l->max_cps)
		l->credit -= NS_PER_S;
	l->calls[out]++;
	l->total[out]++;
	return 0;
}

void call_limit_done(struct call_limit *l, bool out)
{
	if (l->calls[out])
		l->calls[out]--;
}

int call_leg_limit_take(struct call_leg *leg, struct call_limit *l, bool out, uint64_t now,
			unsigned *retry_after)
{
	call_leg_limit_drop(leg);
	if (!l)
		return 0;
	int err = call_limit_admit(l, out, now, retry_after);
	if (err)
		return err;
	leg->limit = mem_ref(l);
	leg->limit_out = out;
	return 0;
}

void call_leg_limit_drop(struct call_leg *leg)
{
	if (!leg->limit)
		return;
	call_limit_done(leg->limit, leg->limit_out);
	leg->limit = mem_deref(leg->limit);
}

unsigned call_limit_cause(int err)
{
	return err == EAGAIN ? 42 : 34;
}
