/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session: INVITE sessions on top of dialogs and transactions, and the
 * stack object that ties the layers together (stack.c).
 *
 * 2xx reliability (RFC 3261 §13.3.1.4): libosip2's IST dies when it sends a
 * 2xx, so the session keeps the printed 2xx and retransmits it (T1 doubling
 * to T2) until the ACK, matched by dialog (Call-ID + To tag), arrives; after
 * 64*T1 without ACK it sends BYE.  As UAC it keeps the printed ACK and sends
 * it again for each retransmitted 2xx (the ICT is gone by then too).
 * CANCEL/200 race (§9.1, §15): a 2xx that crosses our CANCEL is ACKed and
 * followed by BYE.
 */
#ifndef STROWGER_SIP_SESSION_H
#define STROWGER_SIP_SESSION_H

#include "sip/dialog.h"

struct sip_stack {
	struct loop *loop;
	struct sip_conf conf;
	struct sip_handlers h;
	void *arg;
	struct sip_tp *tp;
	struct sip_txl *txl;
	struct hash *sessions; /* struct sip_sess by Call-ID + our tag */
	struct sip_resolver *res; /* RFC 3263, made on first use (session_target.c) */
	unsigned n_sess;
	struct sip_stats st;
	struct sip_access_ctl *acc; /* stack_access.c, or NULL: accept all */
	sip_cred_h *cred_h;	    /* session_auth.c: credentials by realm */
	void *cred_arg;
	struct le oreqs; /* pending sip_stack_request()s (stack_request.c) */
};
/* stack_request.c: free the pending ones, without calling back. */
void sip_oreq_close_all(struct sip_stack *s);

struct sip_sess {
	struct hash_le he;
	struct sip_stack *s;
	enum sip_sess_state state;
	bool uac, cancelled, reinvite;
	bool got_1xx, cancel_held; /* UAC: §9.1, CANCEL waits for a provisional */
	bool refer_active;	   /* RFC 3515: an accepted REFER's subscription */
	uint32_t refer_id;	   /* its CSeq: Event: refer;id= */
	struct sip_txn *refer_t;   /* the REFER while SIP_EV_REFER runs (borrowed) */
	struct sip_dlg *dlg;
	struct sip_txn *ist, *ict, *nict; /* referenced */
	osip_message_t *invite;		  /* UAC: our INVITE */
	struct sip_tgt *tgt;		  /* UAC to a host name: its targets */
	char *call_id, *ltag;
	struct sip_peer peer;
	char *tx2xx, *ack, *local_sdp, *remote_sdp;
	char *reason; /* Reason value for the next error response, BYE or CANCEL */
	size_t tx2xx_len, ack_len;
	struct loop_timer rtx;
	struct loop_timer trying; /* UAS: 100 Trying after 200 ms (§17.2.1) */
	uint64_t rtx_ival, rtx_elapsed;
	void *user;
	struct sip_sx *x; /* 100rel, UPDATE, session timers (session_ext.h) */
	struct sip_uac_auth *auth; /* UAC credentials, or NULL (session_auth.c) */
	char name[48];
};

/* A request that opened a new server transaction (from the txn layer). */
void sip_sess_rx_request(struct sip_stack *s, struct sip_txn *t, osip_message_t *req);
/* ACK for a 2xx, or a retransmitted 2xx (from the txn layer). */
void sip_sess_rx_stray(struct sip_stack *s, osip_message_t *m, const struct sip_peer *peer);
void sip_sess_close_all(struct sip_stack *s);

/* Shared by session.c (UAS, dispatch) and session_uac.c. */
struct sip_sess *sip_sess_new(struct sip_stack *s, const osip_call_id_t *cid, const char *ltag,
			      const struct sip_peer *peer);
void sip_sess_set_state(struct sip_sess *ss, enum sip_sess_state st);
void sip_sess_emit(struct sip_sess *ss, enum sip_sess_ev ev, uint16_t status, osip_message_t *m);
/* Final: report TERMINATED once, unlink, drop the stack's reference. */
void sip_sess_end(struct sip_sess *ss, uint16_t status, osip_message_t *m);
void sip_sess_keep_sdp(struct sip_sess *ss, const osip_message_t *m);
/* A response to the INVITE `req` (Contact, Server, Reason, body, extra header lines). */
int sip_sess_build_answer(struct sip_sess *ss, const osip_message_t *req, uint16_t status,
			  const char *reason, const char *ctype, const char *body,
			  const char *const *extra, osip_message_t **rp);

/* session_uac.c, for session_target.c */
int sip_uac_build_invite(struct sip_stack *s, const struct sip_invite_prm *p,
			 const struct sip_sa *local, osip_message_t **mp);
void sip_uac_invite_resp(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg);
/* session_target.c: INVITE to a host name (RFC 3263), failover (§4.3). */
int sip_tgt_invite(struct sip_sess **sessp, struct sip_stack *s, const struct sip_invite_prm *p);
/* An INVITE's failure: true if the next target was taken instead. */
bool sip_tgt_failover(struct sip_sess *ss, const osip_message_t *resp, uint16_t status);
/* CANCEL while still resolving: true if the call ended there (487). */
bool sip_tgt_cancel(struct sip_sess *ss);
void sip_tgt_stop(struct sip_sess *ss); /* no more lookups */
void sip_tgt_free(struct sip_tgt *tg);
/* RFC 3263 for everything that sends (session_target.c): the stack's
 * resolver (made on first use), a target as a peer (false: no socket of
 * ours for its transport or family), and the lookup transport of a proto. */
struct sip_resolver;
struct sip_target;
int sip_stack_resolver(struct sip_stack *s, struct sip_resolver **rp);
bool sip_target_peer(struct sip_stack *s, const struct sip_target *t, const char *host,
		     struct sip_peer *dst, struct sip_sa *local);
int sip_res_tp_of(enum sip_proto proto);
/* An in-dialog next hop named by host: locate it (session_hop.c). */
void sip_hop_watch(struct sip_sess *ss);

/* session_refer.c: an in-dialog REFER (RFC 3515). */
void sip_refer_rx(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req);

/* session_auth.c: credentials for a UAC session; a 401/407 to our INVITE
 * sends it again signed (0), or gives up (an errno: end the session). */
int sip_sess_auth_set(struct sip_sess *ss, const char *user, const char *pass);
int sip_sess_auth_retry(struct sip_sess *ss, const osip_message_t *resp, sip_txn_resp_h *rh);
/* Sign an in-dialog request with the last challenge, if any. */
int sip_sess_auth_sign(struct sip_sess *ss, osip_message_t *req);
/* A 401/407 to an in-dialog request: 0 if it may be sent again signed. */
int sip_sess_auth_challenged(struct sip_sess *ss, const osip_message_t *resp);

/* stack_access.c: the access check for a new out-of-dialog request on
 * `t`; false when it has been answered (403/401) and goes no further. */
bool sip_stack_access(struct sip_stack *s, struct sip_txn *t, osip_message_t *req,
		      const void **who);

/* Answer `req` on server transaction `t` (stateless extras from `rej`). */
int sip_stack_reply(struct sip_stack *s, struct sip_txn *t, uint16_t status, const char *to_tag,
		    const struct sip_reject *rej);
/* stack_overload.c: the txn layer's gate (503 + Retry-After when full). */
bool sip_stack_gate(const osip_message_t *req, const struct sip_peer *peer, void *arg);
/* Our address for Via/Contact toward `dst`. */
int sip_stack_local(struct sip_stack *s, const struct sip_peer *dst, struct sip_sa *out);

#endif
