/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/txn_tperr: transport errors that come after the send call returned.
 *
 * A TCP connection is opened without blocking: the send that asked for it
 * queues the request and succeeds, and a refused connection shows up later
 * on the loop.  RFC 3261 §17.1.4 wants the transaction user told of a
 * transport failure (it fails over, RFC 3263 §4.3), so the transport
 * reports the lost peer here and every client transaction toward it that
 * has had no response yet reports 503 to its owner and is detached; it
 * then only waits for its Timer B/F to be freed.  This walks the whole
 * index, which is fine for an event as rare as a refused connection.
 */
#include <string.h>

#include "core/mem.h"
#include "sip/txn_priv.h"

#define BATCH 64

static bool waiting_on(const struct sip_txn *t, enum sip_proto proto, const struct sip_sa *peer)
{
	if (t->killed || t->linger || !t->tr || !t->rh ||
	    (t->kind != SIP_ICT && t->kind != SIP_NICT))
		return false;
	if (t->tr->state != (t->kind == SIP_ICT ? ICT_CALLING : NICT_TRYING))
		return false; /* a response came: the peer is there */
	return t->peer.proto == proto && sip_sa_eq(&t->peer.addr, peer);
}

/* Up to BATCH matching transactions, referenced. */
static unsigned collect(struct sip_txl *l, enum sip_proto proto, const struct sip_sa *peer,
			struct sip_txn **out)
{
	unsigned n = 0, seen = 0, total = hash_count(l->idx);

	for (uint32_t b = 0; seen < total && n < BATCH; b++) {
		struct le *h = hash_bucket(l->idx, b), *e;

		if (b && h == hash_bucket(l->idx, 0))
			break; /* wrapped around: every bucket seen */
		list_for_each(h, e)
		{
			struct sip_txn *t = container_of(e, struct sip_txn, he.le);

			seen++;
			if (n < BATCH && waiting_on(t, proto, peer))
				out[n++] = mem_ref(t);
		}
	}
	return n;
}

void sip_txl_tp_failed(struct sip_txl *l, enum sip_proto proto, const struct sip_sa *peer)
{
	struct sip_txn *v[BATCH];
	unsigned n;

	do {
		n = collect(l, proto, peer, v);
		for (unsigned i = 0; i < n; i++) {
			struct sip_txn *t = v[i];
			sip_txn_resp_h *rh = t->rh;
			void *arg = t->arg;

			sip_txn_detach(t); /* reported once; the owner goes on */
			if (rh)
				rh(t, NULL, 503, arg);
			mem_deref(t);
		}
	} while (n == BATCH);
}
