/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/txn: transactions (RFC 3261 §17) on libosip2, indexed by us and timed
 * by the loop.  How and why: see the comment at the top of txn.h.
 *
 *   request in ──key──► index ──► osip_transaction_execute() ──► sync timers
 *                          │                                  └► report up
 *                          └─ no match: new IST/NIST, or stray (ACK/2xx)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/txn_priv.h"

static const char *const state_names[] = {
    "PRE_CALLING",    "CALLING",    "PROCEEDING", "COMPLETED", "TERMINATED",
    "PRE_PROCEEDING", "PROCEEDING", "COMPLETED",  "CONFIRMED", "TERMINATED",
    "PRE_TRYING",     "TRYING",	    "PROCEEDING", "COMPLETED", "TERMINATED",
    "PRE_TRYING",     "TRYING",	    "PROCEEDING", "COMPLETED", "TERMINATED",
};

/* "sip txn <branch>{STATE}", built when a log line asks for it: states
 * change several times per transaction, and formatting the name at each
 * change cost ~1,100 instructions (10k per gateway call).  `name` is only a
 * buffer for the text, so writing it through a const pointer is harmless. */
const char *sip_txn_name(const struct sip_txn *t)
{
	struct sip_txn *w = (struct sip_txn *)t;
	unsigned st = t->tr ? (unsigned)t->tr->state : 0;

	snprintf(w->name, sizeof(w->name), "sip txn %.20s{%s}", t->key + 2,
		 t->accepted ? "ACCEPTED"
		 : t->linger ? "LINGER"
		 : st < 20   ? state_names[st]
			     : "?");
	return w->name;
}

/* --- executing events --------------------------------------------------- */

osip_event_t *sip_txn_evt(type_t type, const struct sip_txn *t, osip_message_t *m)
{
	osip_event_t *ev = osip_malloc(sizeof(*ev));

	if (!ev)
		return NULL;
	ev->type = type;
	ev->transactionid = t->tr->transactionid;
	ev->sip = m;
	return ev;
}

void sip_txn_exec(struct sip_txn *t, osip_event_t *ev)
{
	mem_ref(t);
	osip_transaction_execute(t->tr, ev);
	if (!t->killed) {
		sip_txn_timers_sync(t);
		sip_txn_maybe_linger(t);
	} else
		for (unsigned i = 0; i < NSLOT; i++)
			loop_timer_cancel(t->l->loop, &t->tm[i].t);
	if (t->pend_status) {
		osip_message_t *m = t->pend;
		uint16_t st = t->pend_status;

		t->pend = NULL;
		t->pend_status = 0;
		if (t->rh)
			t->rh(t, m, st, t->arg);
	}
	mem_deref(t);
}

/* --- connections that failed ---------------------------------------------- */

/* A client transaction still waiting for its first response. */
static bool waiting(const struct sip_txn *t)
{
	if (t->killed || t->linger || !t->tr)
		return false;
	if (t->kind == SIP_ICT)
		return t->tr->state == ICT_CALLING;
	return t->kind == SIP_NICT &&
	       (t->tr->state == NICT_TRYING || t->tr->state == NICT_PROCEEDING);
}

/* A connection we opened to `addr` never carried anything (refused, TLS
 * handshake failed or timed out): the client transactions that wait on it
 * end now, as a transport error, which the TU takes as 503 (RFC 3261
 * §8.1.3.1), instead of at Timer B/F.  The timeout event ends them in
 * libosip2's FSM; tp_failed turns its 408 into 503.  Handlers may start new
 * transactions (a fallback destination), so each round collects first. */
void sip_txl_conn_failed(struct sip_txl *l, enum sip_proto proto, const struct sip_sa *addr)
{
	struct sip_txn *hit[32];
	unsigned n;

	do {
		struct le *e;

		n = 0;
		list_for_each(&l->streams, e)
		{
			struct sip_txn *t = container_of(e, struct sip_txn, sle);

			if (n < 32 && waiting(t) && !t->tp_failed && t->peer.proto == proto &&
			    sip_sa_eq(&t->peer.addr, addr))
				hit[n++] = mem_ref(t);
		}
		for (unsigned i = 0; i < n; i++) {
			struct sip_txn *t = hit[i];
			osip_event_t *ev;

			t->tp_failed = true;
			ev = waiting(t)
				 ? sip_txn_evt(t->kind == SIP_ICT ? TIMEOUT_B : TIMEOUT_F, t, NULL)
				 : NULL;
			if (ev) {
				LOGI(LC_SIP, t->name, "connection failed: 503");
				sip_txn_exec(t, ev);
			}
			mem_deref(t);
		}
	} while (n == 32);
}

/* --- lifetime ------------------------------------------------------------ */

static void txn_destroy(void *data)
{
	struct sip_txn *t = data;

	for (unsigned i = 0; i < NSLOT; i++)
		loop_timer_cancel(t->l->loop, &t->tm[i].t);
	loop_defer_cancel(t->l->loop, t);
	if (le_linked(&t->sle))
		list_unlink(&t->sle);
	if (t->tr) {
		osip_transaction_set_reserved1(t->tr, NULL);
		osip_transaction_free2(t->tr);
	}
	sip_txn_merge_unlink(t);
	free(t->key);
	free(t->mkey);
	free(t->tx_buf);
	sip_peer_reset(&t->peer);
}

/* Deferred from the kill callback (never free inside it). */
static void txn_reap(void *arg)
{
	struct sip_txn *t = arg;
	const osip_message_t *last = t->tr ? t->tr->last_response : NULL;

	if (t->kind == SIP_IST && last && last->status_code >= 200 && last->status_code < 300) {
		/* RFC 6026 §8.7: keep the key for Timer L, absorbing late INVITEs. */
		t->accepted = true;
		sip_txn_linger(t, 64 * t->l->prm.t1);
		return;
	}
	if (t->linger)
		return;
	sip_txn_forget(t);
}

void sip_txn_forget(struct sip_txn *t)
{
	sip_txn_merge_unlink(t);
	hash_remove(t->l->idx, &t->he);
	t->l->count--;
	mem_deref(t);
}

static struct sip_txn *txn_new(struct sip_txl *l, osip_transaction_t *tr, enum sip_txn_kind kind,
			       char *key, const struct sip_peer *peer)
{
	struct sip_txn *t = mem_zalloc(sizeof(*t), txn_destroy);

	if (!t) {
		free(key);
		osip_transaction_free2(tr);
		return NULL;
	}
	t->l = l;
	t->tr = tr;
	t->kind = kind;
	t->key = key;
	hash_le_init(&t->mhe);
	sip_peer_copy(&t->peer, peer);
	if ((kind == SIP_ICT || kind == SIP_NICT) && peer->proto != SIP_PROTO_UDP)
		list_append(&l->streams, &t->sle);
	for (unsigned i = 0; i < NSLOT; i++) {
		loop_timer_init(&t->tm[i].t);
		t->tm[i].txn = t;
		t->tm[i].idx = (uint8_t)i;
	}
	osip_transaction_set_reserved1(tr, t);
	hash_insert(l->idx, &t->he, hash_fnv(key, strlen(key), HASH_SEED));
	l->count++;
	l->stats.created++;
	return t;
}

static struct sip_txn *txn_find(struct sip_txl *l, const char *key)
{
	uint32_t h = hash_fnv(key, strlen(key), HASH_SEED);
	struct le *b = hash_bucket(l->idx, h), *e;

	list_for_each(b, e)
	{
		struct sip_txn *t = container_of(e, struct sip_txn, he.le);

		if (t->he.key == h && !strcmp(t->key, key))
			return t;
	}
	return NULL;
}

/* Take a new transaction out of libosip2's list at once: the list then
 * stays at one entry, so its O(n) add/remove cost nothing. */
static struct sip_txn *txn_create(struct sip_txl *l, enum sip_txn_kind kind, osip_message_t *m,
				  char *key, const struct sip_peer *peer)
{
	static const osip_fsm_type_t ft[] = {ICT, IST, NICT, NIST};
	osip_transaction_t *tr;

	if (osip_transaction_init(&tr, ft[kind], l->osip, m)) {
		free(key);
		return NULL;
	}
	osip_remove_transaction(l->osip, tr);
	return txn_new(l, tr, kind, key, peer);
}

/* --- libosip2 callbacks -------------------------------------------------- */

static int cb_send(osip_transaction_t *tr, osip_message_t *m, char *host, int port, int sock)
{
	struct sip_txn *t = osip_transaction_get_reserved1(tr);
	(void)host, (void)port, (void)sock;

	if (!t)
		return -1;
	if (m == t->tx_msg && t->tx_buf) {
		t->l->stats.retransmissions++;
	} else {
		free(t->tx_buf);
		t->tx_buf = NULL;
		t->tx_msg = NULL;
		if (sip_msg_print(m, &t->tx_buf, &t->tx_len))
			return -1;
		t->tx_msg = m;
	}
	if (!m->sip_method && m->status_code >= 200)
		t->final_sent = true;
	return sip_txl_send_raw(t->l, t->tx_buf, t->tx_len, &t->peer) ? -1 : 0;
}

static void cb_kill(int type, osip_transaction_t *tr)
{
	struct sip_txn *t = osip_transaction_get_reserved1(tr);
	(void)type;

	if (!t || t->killed)
		return;
	t->killed = true;
	loop_defer(t->l->loop, txn_reap, t);
}

static void cb_resp(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sip_txn *t = osip_transaction_get_reserved1(tr);

	if (!t)
		return;
	if (type == OSIP_ICT_STATUS_TIMEOUT || type == OSIP_NICT_STATUS_TIMEOUT) {
		t->pend = NULL;
		t->pend_status = t->tp_failed ? 503 : 408;
	} else if (m) {
		t->pend = m;
		t->pend_status = (uint16_t)m->status_code;
	}
}

static void cb_tperr(int type, osip_transaction_t *tr, int error)
{
	struct sip_txn *t = osip_transaction_get_reserved1(tr);
	(void)type, (void)error;

	if (t && (t->kind == SIP_ICT || t->kind == SIP_NICT)) {
		t->pend = NULL;
		t->pend_status = 503;
	}
}

static void register_callbacks(osip_t *o)
{
	static const int resp_types[] = {
	    OSIP_ICT_STATUS_1XX_RECEIVED,  OSIP_ICT_STATUS_2XX_RECEIVED,
	    OSIP_ICT_STATUS_3XX_RECEIVED,  OSIP_ICT_STATUS_4XX_RECEIVED,
	    OSIP_ICT_STATUS_5XX_RECEIVED,  OSIP_ICT_STATUS_6XX_RECEIVED,
	    OSIP_NICT_STATUS_1XX_RECEIVED, OSIP_NICT_STATUS_2XX_RECEIVED,
	    OSIP_NICT_STATUS_3XX_RECEIVED, OSIP_NICT_STATUS_4XX_RECEIVED,
	    OSIP_NICT_STATUS_5XX_RECEIVED, OSIP_NICT_STATUS_6XX_RECEIVED,
	    OSIP_ICT_STATUS_TIMEOUT,	   OSIP_NICT_STATUS_TIMEOUT,
	};

	osip_set_cb_send_message(o, cb_send);
	for (unsigned i = 0; i < sizeof(resp_types) / sizeof(resp_types[0]); i++)
		osip_set_message_callback(o, resp_types[i], cb_resp);
	for (int i = 0; i < OSIP_KILL_CALLBACK_COUNT; i++)
		osip_set_kill_transaction_callback(o, i, cb_kill);
	for (int i = 0; i < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; i++)
		osip_set_transport_error_callback(o, i, cb_tperr);
}

/* --- peers and §18.2 addressing ------------------------------------------ */

void sip_peer_copy(struct sip_peer *dst, const struct sip_peer *src)
{
	*dst = *src;
	dst->conn = mem_ref(src->conn);
}

void sip_peer_reset(struct sip_peer *p)
{
	p->conn = mem_deref(p->conn);
}

/* §18.2.1 and RFC 3581: note where the request really came from in the top
 * Via, and work out where responses go (§18.2.2). */
static void via_stamp(osip_message_t *m, struct sip_peer *peer)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);
	osip_generic_param_t *rport = NULL;
	char ip[64], port[8];

	if (!via || !via->host)
		return;
	sip_sa_ip(&peer->addr, ip, sizeof(ip));
	osip_via_param_get_byname(via, "rport", &rport);
	if (strcmp(via->host, ip) || rport)
		osip_via_set_received(via, osip_strdup(ip));
	if (rport) {
		snprintf(port, sizeof(port), "%u", sip_sa_port(&peer->addr));
		osip_generic_param_set_value(rport, osip_strdup(port));
		return; /* answer to the source address and port */
	}
	if (peer->proto == SIP_PROTO_UDP) {
		long p = via->port ? strtol(via->port, NULL, 10) : 5060;

		if (p <= 0 || p > 65535)
			p = 5060;
		sip_sa_set(&peer->addr, ip, (uint16_t)p);
	}
}

int sip_txl_send_raw(struct sip_txl *l, const char *buf, size_t len, const struct sip_peer *dst)
{
	return sip_tp_send(l->tp, dst->proto, dst->conn, dst->udp_fd, &dst->addr, dst->host, buf,
			   len);
}

int sip_txl_send(struct sip_txl *l, const osip_message_t *msg, const struct sip_peer *dst)
{
	char *buf;
	size_t len;
	int err = sip_msg_print(msg, &buf, &len);

	if (err)
		return err;
	err = sip_txl_send_raw(l, buf, len, dst);
	free(buf);
	return err;
}

/* --- receiving ------------------------------------------------------------ */

static type_t rcv_type(const osip_message_t *m)
{
	if (m->sip_method)
		return !strcmp(m->sip_method, "INVITE") ? RCV_REQINVITE
		       : !strcmp(m->sip_method, "ACK")	? RCV_REQACK
							: RCV_REQUEST;
	if (m->status_code < 200)
		return RCV_STATUS_1XX;
	return m->status_code < 300 ? RCV_STATUS_2XX : RCV_STATUS_3456XX;
}

static void recv_request(struct sip_txl *l, osip_message_t *m, struct sip_peer *peer)
{
	char *key = sip_txn_key(m, true, NULL);
	struct sip_txn *t = key ? txn_find(l, key) : NULL;
	bool ack = sip_msg_is(m, "ACK");
	osip_event_t *ev;

	if (t && ack && (t->accepted || t->kind != SIP_IST)) {
		t = NULL; /* an ACK for a 2xx: the dialog's (§13.3.1.4) */
	} else if (t && t->linger) {
		/* A retransmission: send our final answer again, if any. */
		l->stats.absorbed++;
		if (t->tx_buf) {
			l->stats.retransmissions++;
			sip_txl_send_raw(l, t->tx_buf, t->tx_len, &t->peer);
		}
		osip_message_free(m);
		free(key);
		return;
	}
	if (t || ack || !key) {
		free(key);
		if (t && (ev = sip_txn_evt(rcv_type(m), t, m)))
			sip_txn_exec(t, ev);
		else {
			l->strayh(m, peer, l->arg);
			osip_message_free(m);
		}
		return;
	}
	if (l->gate && !sip_msg_tag(m->to) && l->gate(m, peer, l->arg)) {
		free(key); /* answered statelessly (overload) */
		osip_message_free(m);
		return;
	}
	t = txn_create(l, sip_msg_is(m, "INVITE") ? SIP_IST : SIP_NIST, m, key, peer);
	if (t)
		sip_txn_merge_check(t, m);
	ev = t ? sip_txn_evt(rcv_type(m), t, m) : NULL;
	if (!ev) {
		osip_message_free(m);
		return;
	}
	mem_ref(t);
	sip_txn_exec(t, ev);
	if (!t->killed && t->tr->orig_request)
		l->reqh(t, t->tr->orig_request, l->arg);
	mem_deref(t);
}

void sip_txl_recv(struct sip_txl *l, osip_message_t *m, const struct sip_peer *from)
{
	struct sip_peer peer = *from;

	if (m->sip_method) {
		via_stamp(m, &peer);
		recv_request(l, m, &peer);
		return;
	}
	char *key = sip_txn_key(m, false, NULL);
	struct sip_txn *t = key ? txn_find(l, key) : NULL;
	osip_event_t *ev;

	free(key);
	if (t && t->linger && (t->kind == SIP_ICT || t->kind == SIP_NICT) &&
	    !(t->kind == SIP_ICT && m->status_code < 300)) {
		l->stats.absorbed++; /* §17.1.1.2: ACK a retransmitted final again */
		if (t->tx_buf) {
			l->stats.retransmissions++;
			sip_txl_send_raw(l, t->tx_buf, t->tx_len, &t->peer);
		}
		osip_message_free(m);
		return;
	}
	if (t && !t->linger && (t->kind == SIP_ICT || t->kind == SIP_NICT) &&
	    (ev = sip_txn_evt(rcv_type(m), t, m))) {
		sip_txn_exec(t, ev);
		return;
	}
	l->strayh(m, &peer, l->arg);
	osip_message_free(m);
}

struct sip_txn *sip_txl_find_invite(struct sip_txl *l, const osip_message_t *cancel,
				    const struct sip_peer *peer)
{
	char *key = sip_txn_key(cancel, true, "INVITE");
	struct sip_txn *t = key ? txn_find(l, key) : NULL;
	(void)peer;

	free(key);
	return t && t->kind == SIP_IST && !t->linger ? t : NULL;
}

/* --- sending ------------------------------------------------------------- */

int sip_txn_request(struct sip_txn **tp, struct sip_txl *l, osip_message_t *req,
		    const struct sip_peer *dst, sip_txn_resp_h *rh, void *arg)
{
	enum sip_txn_kind kind = sip_msg_is(req, "INVITE") ? SIP_ICT : SIP_NICT;
	char *key = sip_txn_key(req, false, NULL);
	struct sip_txn *t;
	osip_event_t *ev;

	if (!key) {
		osip_message_free(req);
		return EINVAL;
	}
	t = txn_create(l, kind, req, key, dst);
	ev = t ? osip_new_outgoing_sipmessage(req) : NULL;
	if (!ev) {
		osip_message_free(req);
		return ENOMEM;
	}
	ev->transactionid = t->tr->transactionid;
	t->rh = rh;
	t->arg = arg;
	if (tp)
		*tp = t;
	sip_txn_exec(t, ev);
	return 0;
}

int sip_txn_respond(struct sip_txn *t, osip_message_t *resp)
{
	osip_event_t *ev;

	if (!t->tr || t->killed || t->final_sent) {
		osip_message_free(resp);
		return EPROTO;
	}
	ev = osip_new_outgoing_sipmessage(resp);
	if (!ev) {
		osip_message_free(resp);
		return ENOMEM;
	}
	ev->transactionid = t->tr->transactionid;
	t->tx_msg = NULL;
	sip_txn_exec(t, ev);
	return 0;
}

void sip_txn_detach(struct sip_txn *t)
{
	t->rh = NULL;
	t->arg = NULL;
	t->owner = NULL;
}

void sip_txn_set_owner(struct sip_txn *t, void *owner)
{
	t->owner = owner;
}
void *sip_txn_owner(const struct sip_txn *t)
{
	return t->owner;
}
const osip_message_t *sip_txn_req(const struct sip_txn *t)
{
	return t->tr ? t->tr->orig_request : NULL;
}
const struct sip_peer *sip_txn_peer(const struct sip_txn *t)
{
	return &t->peer;
}
bool sip_txn_final_sent(const struct sip_txn *t)
{
	return t->final_sent || !t->tr;
}

/* --- the layer ------------------------------------------------------------ */

static void txl_destroy(void *data)
{
	struct sip_txl *l = data;

	while (l->idx && hash_count(l->idx)) {
		for (uint32_t b = 0;; b++) {
			struct le *h = hash_bucket(l->idx, b);

			if (list_empty(h))
				continue;
			struct sip_txn *t = container_of(h->next, struct sip_txn, he.le);

			sip_txn_merge_unlink(t);
			hash_remove(l->idx, &t->he);
			l->count--;
			mem_deref(t);
			break;
		}
	}
	mem_deref(l->idx);
	mem_deref(l->merge);
	if (l->osip)
		osip_release(l->osip);
}

int sip_txl_alloc(struct sip_txl **lp, struct loop *loop, struct sip_tp *tp,
		  const struct sip_txl_prm *prm, sip_txn_req_h *reqh, sip_txn_stray_h *strayh,
		  void *arg)
{
	struct sip_txl *l = mem_zalloc(sizeof(*l), txl_destroy);
	int err;

	if (!l)
		return ENOMEM;
	sip_osip_init();
	l->loop = loop;
	l->tp = tp;
	l->prm = *prm;
	l->reqh = reqh;
	l->strayh = strayh;
	l->arg = arg;
	list_init(&l->streams);
	err = hash_alloc(&l->idx, 1024);
	if (!err)
		err = hash_alloc(&l->merge, 1024);
	if (!err)
		err = sip_oerr(osip_init(&l->osip));
	if (err) {
		mem_deref(l);
		return err;
	}
	osip_set_application_context(l->osip, l);
	register_callbacks(l->osip);
	*lp = l;
	return 0;
}

void sip_txl_set_gate(struct sip_txl *l, sip_txn_gate_h *gate)
{
	l->gate = gate;
}

unsigned sip_txl_count(const struct sip_txl *l)
{
	return l->count;
}
void sip_txl_stats(const struct sip_txl *l, struct sip_txl_stats *st)
{
	*st = l->stats;
}
uint64_t sip_txl_t1(const struct sip_txl *l)
{
	return l->prm.t1;
}
uint64_t sip_txl_t2(const struct sip_txl *l)
{
	return l->prm.t2;
}
