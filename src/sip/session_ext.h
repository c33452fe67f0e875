/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_ext: the INVITE session's extensions, kept out of session.c
 * behind a few hooks:
 *
 *   session_ext.c     state, capability headers (Supported, Allow), the
 *                     in-dialog request dispatch for PRACK and UPDATE, and
 *                     the in-dialog request sender both use;
 *   session_rel.c     RFC 3262 reliable provisional responses (100rel, PRACK);
 *   session_update.c  RFC 3311 UPDATE, both directions, and our re-INVITE;
 *   session_timer.c   RFC 4028 session timers (Session-Expires, Min-SE, 422).
 *
 * Everything here runs on the stack's loop; `struct sip_sx` belongs to one
 * session and is freed with it.
 */
#ifndef STROWGER_SIP_SESSION_EXT_H
#define STROWGER_SIP_SESSION_EXT_H

#include "sip/session.h"

/* A provisional held back until the one before it is PRACKed (RFC 3262
 * §3), or a 2xx held until the PRACK of a provisional that made an offer. */
struct sip_relq {
	struct sip_relq *next;
	uint16_t status;
	char *reason, *ctype, *body;
};

struct sip_sx {
	/* What the far end said it can do (Supported/Require, Allow). */
	bool peer_100rel, peer_timer, peer_update;

	/* RFC 3262, UAS side: this INVITE's provisionals go reliably. */
	bool rel, inv_offer;	   /* ...and the INVITE carried an offer */
	bool early_answered;	   /* offer/answer done in reliable 1xx/PRACK */
	uint32_t inv_cseq;	   /* the INVITE's CSeq, for RAck */
	uint32_t rseq, rseq_acked; /* last RSeq sent (0: none), last PRACKed */
	char *rel_msg;		   /* the unacknowledged one, printed */
	size_t rel_len;
	bool rel_offer; /* ...which carried an offer */
	struct loop_timer rel_tmr;
	uint64_t rel_ival, rel_elapsed;
	struct sip_relq *q; /* held back, in order */

	/* RFC 3262, UAC side. */
	uint32_t rx_rseq; /* last RSeq taken (0: none yet) */
	struct sip_txn *prack;
	/* An offer in a reliable 1xx (§5, RFC 6337 §3.1): its PRACK waits for
	 * the user's answer (sip_sess_answer from SIP_EV_PROGRESS). */
	bool prack_wait;
	char prack_rack[48];
	char *prack_ctype, *prack_body;

	/* RFC 3311 UPDATE and our own re-INVITE (session refresh). */
	struct sip_txn *upd_in;	 /* being answered inside SIP_EV_UPDATE */
	struct sip_txn *upd_out; /* ours, until its final response */
	bool upd_offer;		 /* ours carries an offer */
	char *upd_sdp;		 /* ...this one */
	struct sip_txn *reinv;	 /* our re-INVITE, until its final response */
	struct sip_txn *refer;	 /* our REFER (RFC 3515), until its final response */
	struct sip_txn *req;	 /* sip_sess_request's, until its final response */
	bool upd_user;		 /* upd_out is the user's (sip_sess_update) */

	/* RFC 3261 §14.1 glare: the user's UPDATE again after a 491. */
	struct loop_timer glare_tmr;
	char *glare_ctype;	 /* its Content-Type (the body is upd_sdp) */
	unsigned glare_tries;	 /* 491s in a row */

	/* RFC 4028. */
	uint32_t se; /* negotiated interval, s (0: no timer) */
	bool we_refresh, retried_422;
	struct loop_timer st_tmr;
};

/* --- hooks called from session.c / session_uac.c ------------------------ */

struct sip_sx *sip_sx_alloc(void);
void sip_sx_unlink(struct sip_sess *ss); /* cancel timers, detach txns */

/* UAC: Supported/Require, Allow, Session-Expires, Min-SE on our INVITE. */
int sip_sx_invite_headers(const struct sip_stack *s, osip_message_t *m);
/* UAS: a new INVITE before the user sees it.  True when it was refused
 * here (421 without 100rel when required, 422 Session Interval Too Small);
 * the session has then ended. */
bool sip_sx_uas_invite(struct sip_sess *ss, const osip_message_t *req);
/* sip_sess_answer() first asks here.  True: handled (answer to an UPDATE,
 * a reliable provisional, or held back); *err is the result. */
bool sip_sx_answer(struct sip_sess *ss, uint16_t status, const char *reason, const char *ctype,
		   const char *body, int *err);
/* A 1xx/2xx we answer an INVITE with: Supported, Allow, Session-Expires. */
int sip_sx_decorate(struct sip_sess *ss, const osip_message_t *req, uint16_t status,
		    osip_message_t *r);
/* An in-dialog request (after the §12.2.2 checks).  True: handled. */
bool sip_sx_rx_request(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req);
/* UAC: a provisional.  False: a retransmitted or out-of-order reliable
 * one (RFC 3262 §4), not to be reported. */
bool sip_sx_uac_1xx(struct sip_sess *ss, osip_message_t *resp);
/* UAC: the 2xx to our INVITE was taken (timers per RFC 4028 §7.2). */
void sip_sx_uac_2xx(struct sip_sess *ss, const osip_message_t *resp);
/* UAC: a 422 to our INVITE; true when the INVITE went out again. */
bool sip_sx_uac_422(struct sip_sess *ss, const osip_message_t *resp);

/* --- shared inside the extension files ------------------------------------ */

/* Whether a `name` header (or its compact form) lists option `tok`. */
bool sip_sx_hdr_has(const osip_message_t *m, const char *name, const char *compact,
		    const char *tok);
const char *sip_sx_hdr(const osip_message_t *m, const char *name, const char *compact);
/* Note what the far end supports, from a request or a response. */
void sip_sx_learn(struct sip_sess *ss, const osip_message_t *m);
/* Supported (and, for the UAC, Allow) as we advertise them. */
int sip_sx_add_caps(const struct sip_stack *s, osip_message_t *m);
/* Send an in-dialog request on its own client transaction, kept in *slot. */
struct sip_sx_req {
	const char *method;
	const char *ctype, *body;
	bool contact;	      /* target refresh requests carry Contact */
	const char *hname[3]; /* extra headers, NULL-terminated */
	const char *hval[3];
	const char *const *extra; /* "Name: value" lines (sip_msg_add_extra), or NULL */
};
int sip_sx_send(struct sip_sess *ss, const struct sip_sx_req *rq, sip_txn_resp_h *rh,
		struct sip_txn **slot);
/* A response to the request sip_sx_send() left in `slot`: a final one
 * forgets the transaction and reaches the user as `ev` (REFER's, and the
 * user's own requests'). */
void sip_sx_answered(struct sip_sess *ss, struct sip_txn **slot, struct sip_txn *t,
		     uint16_t status, osip_message_t *resp, enum sip_sess_ev ev);
/* Answer an in-dialog request `t` with status, optional body and a
 * Session-Expires when a timer runs. */
int sip_sx_reply(struct sip_sess *ss, struct sip_txn *t, uint16_t status, const char *ctype,
		 const char *body);

/* session_rel.c */
bool sip_rel_answer(struct sip_sess *ss, uint16_t status, const char *reason, const char *ctype,
		    const char *body, int *err);
void sip_rel_rx_prack(struct sip_sess *ss, struct sip_txn *t, const osip_message_t *req);
bool sip_rel_offer_pending(const struct sip_sess *ss);
void sip_rel_stop(struct sip_sess *ss);
/* UAC: the PRACK held for an offer in a reliable 1xx goes now, with the
 * answer the user gave while SIP_EV_PROGRESS ran (or none). */
void sip_rel_uac_flush(struct sip_sess *ss);
/* UAC: sip_sess_answer() while that PRACK waits: keep the answer. */
bool sip_rel_uac_answer(struct sip_sess *ss, uint16_t status, const char *ctype,
			const char *body, int *err);

/* session_update.c */
void sip_upd_rx(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req);
int sip_upd_answer(struct sip_sess *ss, uint16_t status, const char *reason, const char *ctype,
		   const char *body);
int sip_upd_reinvite(struct sip_sess *ss); /* refresh by re-INVITE, same SDP */
int sip_upd_refresh(struct sip_sess *ss);  /* refresh by UPDATE, no body */
/* Send an UPDATE (body NULL: none); `user`: the call layer's, retried
 * after a 491. */
int sip_upd_send(struct sip_sess *ss, const char *ctype, const char *body, bool user);

/* session_glare.c: RFC 3261 §14.1.  How long to wait after a 491: 2.1-4 s
 * when we own the Call-ID (we sent the dialog's INVITE), else 0-2 s, in
 * steps of 10 ms.  sip_glare_491(): the user's UPDATE (body in upd_sdp)
 * goes again after that wait; false when it will not (too many 491s). */
uint64_t sip_glare_wait(const struct sip_sess *ss);
bool sip_glare_491(struct sip_sess *ss);
void sip_glare_stop(struct sip_sess *ss);
/* 491 when an offer of ours is outstanding (RFC 3311 §5.2). */
bool sip_upd_local_offer(const struct sip_sess *ss);

/* session_timer.c */
/* From an INVITE/UPDATE we received: 0, or 422 when its interval is too
 * small for us.  Takes the interval and refresher otherwise. */
uint16_t sip_st_rx_request(struct sip_sess *ss, const osip_message_t *req);
/* From a 2xx to our INVITE/UPDATE (RFC 4028 §7.2), restarts the timer. */
void sip_st_rx_2xx(struct sip_sess *ss, const osip_message_t *resp);
/* Session-Expires (+ Require: timer) on a 2xx we send; restarts the timer. */
int sip_st_decorate_2xx(struct sip_sess *ss, osip_message_t *r);
/* Session-Expires / Min-SE on a refresh request we send. */
void sip_st_req_headers(const struct sip_sess *ss, struct sip_sx_req *rq, char *buf, size_t sz);
/* A refresh failed (RFC 4028 §10): 408/481 end the session; 491 retries. */
void sip_st_refresh_failed(struct sip_sess *ss, uint16_t status);
void sip_st_restart(struct sip_sess *ss);

#endif
