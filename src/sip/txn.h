/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/txn: RFC 3261 §17 transactions on libosip2's four state machines
 * (ICT, IST, NICT, NIST), with our own index and our own timers.
 *
 * Index (txn_index.c).  libosip2 finds transactions by walking a list, and
 * even appending to its lists walks them; so every transaction is taken out
 * of libosip2's lists right after osip_transaction_init() (the list then
 * never holds more than one entry) and found through a hash table keyed as
 * §17.2.3 (server: branch + sent-by + method, ACK counting as INVITE; RFC
 * 2543 peers without the magic cookie: Request-URI, From tag, Call-ID, CSeq
 * number, top Via and method) and §17.1.3 (client: branch + CSeq method).
 * Events go straight to osip_transaction_execute().  Killed transactions
 * are freed from a deferred call, never inside libosip2's kill callback.
 *
 * Timers.  libosip2 stamps each timer's deadline from the system clock and
 * expects osip_timers_*_execute() to poll them.  We never call those.  After
 * every osip_transaction_execute() the txn looks at each timer slot of the
 * context: tv_sec == -1 means stopped; any other value means libosip2 (re)started
 * it, and we start a loop timer (core/clock: real or virtual) and overwrite
 * the stamp with {0,0}, our "seen" mark.  A slot is only live in the states
 * where libosip2's table accepts its timeout.  When a loop timer fires we
 * build the TIMEOUT_x event ourselves and execute it.  Durations come from
 * our T1/T2/T4 (RFC 3261 Table 4), not from libosip2's compiled-in values.
 *
 * RFC 6026: an IST that sent a 2xx is killed by libosip2 at once; we keep
 * its index entry "accepted" for 64*T1 so a late INVITE retransmission is
 * absorbed instead of becoming a second call.  The 2xx retransmissions and
 * the ACK belong to the dialog layer (RFC 3261 §13.3.1.4).
 */
#ifndef STROWGER_SIP_TXN_H
#define STROWGER_SIP_TXN_H

#include "core/hash.h"
#include "core/loop.h"
#include "sip/msg.h"
#include "sip/transport.h"

struct sip_txl;
struct sip_txn;

/* Where a message came from, or goes to. */
struct sip_peer {
	enum sip_proto proto;
	struct sip_sa addr;
	struct sip_conn *conn; /* TCP/TLS; referenced by whoever stores a peer */
	int udp_fd;	       /* UDP socket, -1: any */
	char host[64];	       /* TLS: the server's name to verify, "": addr */
};

void sip_peer_copy(struct sip_peer *dst, const struct sip_peer *src);
void sip_peer_reset(struct sip_peer *p);

/* A new server transaction's request (owned by the txn). */
typedef void(sip_txn_req_h)(struct sip_txn *t, osip_message_t *req, void *arg);
/* A message no transaction takes: ACK for a 2xx, a retransmitted 2xx to an
 * INVITE, a request while the layer is shutting down.  Borrowed. */
typedef void(sip_txn_stray_h)(osip_message_t *msg, const struct sip_peer *peer, void *arg);
/* Client transactions: a response (borrowed) or a local failure (resp NULL,
 * status 408 timeout or 503 transport error). */
typedef void(sip_txn_resp_h)(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg);

/* Before a new server transaction is made for a request without To tag:
 * true if the gate answered it itself (statelessly, through
 * sip_txl_send() to `peer`); the request is then dropped. */
typedef bool(sip_txn_gate_h)(const osip_message_t *req, const struct sip_peer *peer, void *arg);

struct sip_txl_prm {
	uint64_t t1, t2, t4; /* ns */
};

struct sip_txl_stats {
	uint64_t created, retransmissions, absorbed;
};

int sip_txl_alloc(struct sip_txl **lp, struct loop *loop, struct sip_tp *tp,
		  const struct sip_txl_prm *prm, sip_txn_req_h *reqh, sip_txn_stray_h *strayh,
		  void *arg);
void sip_txl_set_gate(struct sip_txl *l, sip_txn_gate_h *gate);
/* A parsed message from the transport (ownership passes). */
void sip_txl_recv(struct sip_txl *l, osip_message_t *msg, const struct sip_peer *peer);
/* Send outside any transaction (2xx retransmissions, ACK for 2xx,
 * stateless errors).  `msg` stays the caller's. */
int sip_txl_send(struct sip_txl *l, const osip_message_t *msg, const struct sip_peer *dst);
int sip_txl_send_raw(struct sip_txl *l, const char *buf, size_t len, const struct sip_peer *dst);
/* The INVITE server transaction a CANCEL refers to (§9.2), or NULL. */
struct sip_txn *sip_txl_find_invite(struct sip_txl *l, const osip_message_t *cancel,
				    const struct sip_peer *peer);
/* A connection we opened to addr over proto failed before carrying
 * anything: its waiting client transactions end with 503 now. */
void sip_txl_conn_failed(struct sip_txl *l, enum sip_proto proto, const struct sip_sa *addr);
unsigned sip_txl_count(const struct sip_txl *l);
void sip_txl_stats(const struct sip_txl *l, struct sip_txl_stats *st);
uint64_t sip_txl_t1(const struct sip_txl *l);
uint64_t sip_txl_t2(const struct sip_txl *l);

/* Client transaction: send `req` (ownership passes; it must carry a Via
 * with a fresh branch).  *tp may be NULL if the caller keeps no handle. */
int sip_txn_request(struct sip_txn **tp, struct sip_txl *l, osip_message_t *req,
		    const struct sip_peer *dst, sip_txn_resp_h *rh, void *arg);
/* Server transaction: send a response (ownership passes). */
int sip_txn_respond(struct sip_txn *t, osip_message_t *resp);
/* Stop reporting to the owner (the owner is going away). */
void sip_txn_detach(struct sip_txn *t);
/* Attach an owner to a server transaction (for CANCEL lookups). */
void sip_txn_set_owner(struct sip_txn *t, void *owner);
void *sip_txn_owner(const struct sip_txn *t);
const osip_message_t *sip_txn_req(const struct sip_txn *t);
const struct sip_peer *sip_txn_peer(const struct sip_txn *t);
bool sip_txn_final_sent(const struct sip_txn *t);
const char *sip_txn_name(const struct sip_txn *t);
/* A request without To tag with the From tag, Call-ID and CSeq of a server
 * transaction in progress, on another branch (RFC 3261 §8.2.2.2: 482). */
bool sip_txn_merged(const struct sip_txn *t);

/* txn_index.c */
enum sip_txn_kind { SIP_ICT, SIP_IST, SIP_NICT, SIP_NIST };
/* The lookup key of a message as a malloc'd string ("s|z9hG4bK…|host:port|INVITE").
 * `server`: key of the server transaction a request belongs to (or the
 * client transaction a response belongs to if false).  `method` overrides
 * the method (NULL: the message's, ACK as INVITE). */
char *sip_txn_key(const osip_message_t *m, bool server, const char *method);
/* "m|<From tag>|<Call-ID>|<CSeq>" for merged-request detection, or NULL
 * (no From tag, or out of memory). */
char *sip_txn_merge_key(const osip_message_t *m);

#endif
