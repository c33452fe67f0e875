/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/txn internals shared by txn.c and txn_timer.c.
 */
#ifndef STROWGER_SIP_TXN_PRIV_H
#define STROWGER_SIP_TXN_PRIV_H

#include "sip/txn.h"

#define NSLOT 3

struct sip_txl {
	struct loop *loop;
	struct sip_tp *tp;
	struct sip_txl_prm prm;
	osip_t *osip;
	struct hash *idx;
	struct hash *merge; /* server transactions by From tag, Call-ID, CSeq */
	sip_txn_req_h *reqh;
	sip_txn_stray_h *strayh;
	sip_txn_gate_h *gate;
	void *arg;
	unsigned count;
	struct sip_txl_stats stats;
	struct le streams; /* client transactions over TCP/TLS (sip_txn.sle) */
};

struct sip_txn {
	struct hash_le he;
	char *key;
	struct hash_le mhe; /* in sip_txl.merge (txn_merge.c) */
	char *mkey;
	struct sip_txl *l;
	osip_transaction_t *tr;
	enum sip_txn_kind kind;
	struct sip_peer peer;
	struct txn_slot {
		struct loop_timer t;
		struct sip_txn *txn;
		uint8_t idx, fired;
	} tm[NSLOT];
	sip_txn_resp_h *rh;
	void *arg, *owner;
	osip_message_t *pend;
	uint16_t pend_status;
	struct le sle;	/* in sip_txl.streams */
	bool tp_failed; /* its connection failed: the timeout means 503 */
	bool killed, final_sent;
	bool merged; /* §8.2.2.2: to be answered 482 */
	bool linger;		      /* libosip2's part is over: only absorbing retransmissions */
	bool accepted;		      /* IST after a 2xx (RFC 6026): ACKs pass to the dialog */
	const osip_message_t *tx_msg; /* what tx_buf holds */
	char *tx_buf;
	size_t tx_len;
	char name[48];             /* sip_txn_name()'s text */
};

void sip_txn_exec(struct sip_txn *t, osip_event_t *ev);
osip_event_t *sip_txn_evt(type_t type, const struct sip_txn *t, osip_message_t *m);
/* Take out of the index and drop the index's reference. */
void sip_txn_forget(struct sip_txn *t);
void sip_txn_timers_sync(struct sip_txn *t);
void sip_txn_slot_fire(void *arg);
void sip_txn_linger(struct sip_txn *t, uint64_t delay);
void sip_txn_maybe_linger(struct sip_txn *t);
/* txn_merge.c: index a new server transaction; true if it is a merged
 * request (then it is not indexed). */
bool sip_txn_merge_check(struct sip_txn *t, const osip_message_t *req);
void sip_txn_merge_unlink(struct sip_txn *t);

#endif
