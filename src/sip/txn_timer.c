/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/txn_timer: libosip2's transaction timers run on our loop (why and
 * how: txn.h), and the "linger" step that hands a finished transaction's
 * last job (absorbing retransmissions) to a small record of our own.
 */
#include <stdlib.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/txn_priv.h"

/* --- timers ------------------------------------------------------------ */

struct slot_def {
	type_t ev;
	size_t len_off, start_off;
	uint32_t states; /* bit per state_t in which the timeout is accepted */
};

#define S(x) (1u << (x))
#define SLOT(ctx, l, ev, st)                                                                       \
	{                                                                                          \
		ev, offsetof(ctx, timer_##l##_length), offsetof(ctx, timer_##l##_start), st        \
	}

static const struct slot_def slots[4][NSLOT] = {
    [SIP_ICT] = {SLOT(osip_ict_t, a, TIMEOUT_A, S(ICT_CALLING)),
		 SLOT(osip_ict_t, b, TIMEOUT_B, S(ICT_CALLING)),
		 SLOT(osip_ict_t, d, TIMEOUT_D, S(ICT_COMPLETED))},
    [SIP_IST] = {SLOT(osip_ist_t, g, TIMEOUT_G, S(IST_COMPLETED)),
		 SLOT(osip_ist_t, h, TIMEOUT_H, S(IST_COMPLETED)),
		 SLOT(osip_ist_t, i, TIMEOUT_I, S(IST_CONFIRMED))},
    [SIP_NICT] = {SLOT(osip_nict_t, e, TIMEOUT_E, S(NICT_TRYING) | S(NICT_PROCEEDING)),
		  SLOT(osip_nict_t, f, TIMEOUT_F, S(NICT_TRYING) | S(NICT_PROCEEDING)),
		  SLOT(osip_nict_t, k, TIMEOUT_K, S(NICT_COMPLETED))},
    [SIP_NIST] = {SLOT(osip_nist_t, j, TIMEOUT_J, S(NIST_COMPLETED)), {0, 0, 0, 0}, {0, 0, 0, 0}},
};

static void *ctx_of(const struct sip_txn *t)
{
	switch (t->kind) {
	case SIP_ICT:
		return t->tr->ict_context;
	case SIP_IST:
		return t->tr->ist_context;
	case SIP_NICT:
		return t->tr->nict_context;
	default:
		return t->tr->nist_context;
	}
}

/* RFC 3261 Table 4 with our T1/T2/T4.  `len` is libosip2's length: 0 means
 * a reliable transport (fire at once), which we keep. */
static uint64_t slot_delay(const struct sip_txn *t, unsigned i, int len)
{
	const struct sip_txl_prm *p = &t->l->prm;
	uint64_t back = p->t1 << (t->tm[i].fired < 10 ? t->tm[i].fired : 10);
	type_t ev = slots[t->kind][i].ev;

	if (len == 0)
		return 0;
	switch (ev) {
	case TIMEOUT_A:
		return back;
	case TIMEOUT_E:
		return t->tr->state == NICT_PROCEEDING ? p->t2 : back < p->t2 ? back : p->t2;
	case TIMEOUT_G:
		return back < p->t2 ? back : p->t2;
	case TIMEOUT_D:
		return 64 * p->t1 > 32 * NS_PER_S ? 64 * p->t1 : 32 * NS_PER_S;
	case TIMEOUT_I:
	case TIMEOUT_K:
		return p->t4;
	default:
		return 64 * p->t1; /* B, F, H, J */
	}
}

void sip_txn_timers_sync(struct sip_txn *t)
{
	char *ctx = ctx_of(t);

	for (unsigned i = 0; i < NSLOT; i++) {
		const struct slot_def *d = &slots[t->kind][i];

		if (!d->states)
			continue; /* NIST has one timer only */
		struct timeval *tv = (struct timeval *)(ctx + d->start_off);
		int len = *(int *)(ctx + d->len_off);

		if (tv->tv_sec == -1 || !(d->states & S(t->tr->state))) {
			loop_timer_cancel(t->l->loop, &t->tm[i].t);
			continue;
		}
		if (tv->tv_sec == 0 && tv->tv_usec == 0)
			continue; /* seen before: leave our timer as it is */
		tv->tv_sec = 0;
		tv->tv_usec = 0;
		loop_timer_start(t->l->loop, &t->tm[i].t, slot_delay(t, i, len), sip_txn_slot_fire,
				 &t->tm[i]);
	}
}

void sip_txn_slot_fire(void *arg)
{
	struct txn_slot *sl = arg;
	struct sip_txn *t = sl->txn;
	osip_event_t *ev;

	sl->fired++;
	if (t->linger) { /* the last timer (D, I, J, K or RFC 6026's L) */
		sip_txn_forget(t);
		return;
	}
	LOGD(LC_SIP, sip_txn_name(t), "timer %c fired", "ABDEFKGHIJ"[slots[t->kind][sl->idx].ev]);
	ev = sip_txn_evt(slots[t->kind][sl->idx].ev, t, NULL);
	if (ev)
		sip_txn_exec(t, ev);
}

/* Drop libosip2's transaction (about 13 KB each, mostly its DNS record
 * space) once all that is left is absorbing retransmissions until the last
 * timer: 160,000 NISTs wait for Timer J at 5,000 calls/s.  What we keep:
 * the key, the peer and the last message we sent (a NIST's final response,
 * an ICT's ACK) to send again when the other side retransmits. */
void sip_txn_linger(struct sip_txn *t, uint64_t delay)
{
	for (unsigned i = 0; i < NSLOT; i++)
		loop_timer_cancel(t->l->loop, &t->tm[i].t);
	if (t->accepted || t->kind == SIP_NICT || t->kind == SIP_IST) {
		free(t->tx_buf);
		t->tx_buf = NULL;
	}
	t->tx_msg = NULL;
	osip_transaction_set_reserved1(t->tr, NULL);
	osip_transaction_free2(t->tr);
	t->tr = NULL;
	t->linger = true;
	loop_timer_start(t->l->loop, &t->tm[0].t, delay, sip_txn_slot_fire, &t->tm[0]);
}

/* States where libosip2 would only absorb retransmissions (§17.1.1.2
 * Completed with Timer D, §17.1.2.2 Completed with K, §17.2.1 Confirmed
 * with I, §17.2.2 Completed with J).  Returns the slot of that timer. */
static int linger_slot(const struct sip_txn *t)
{
	switch (t->kind) {
	case SIP_ICT:
		return t->tr->state == ICT_COMPLETED ? 2 : -1;
	case SIP_NICT:
		return t->tr->state == NICT_COMPLETED ? 2 : -1;
	case SIP_IST:
		return t->tr->state == IST_CONFIRMED ? 2 : -1;
	default:
		return t->tr->state == NIST_COMPLETED ? 0 : -1;
	}
}

static void linger_now(void *arg)
{
	struct sip_txn *t = arg;
	int i;

	if (t->linger || t->killed || !t->tr || (i = linger_slot(t)) < 0)
		return;
	char *ctx = ctx_of(t);
	int len = *(int *)(ctx + slots[t->kind][i].len_off);

	sip_txn_linger(t, slot_delay(t, (unsigned)i, len));
}

/* Deferred: the caller may still be reading the request libosip2 holds. */
void sip_txn_maybe_linger(struct sip_txn *t)
{
	if (!t->killed && !t->linger && linger_slot(t) >= 0)
		loop_defer(t->l->loop, linger_now, t);
}
