/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_update: UPDATE (RFC 3311) both ways, and the re-INVITE we send
 * to refresh a session when the far end does not take UPDATE (RFC 4028 §9).
 *
 * UPDATE received in an early or confirmed dialog:
 *   no body            200 (a session refresh; Session-Expires if a timer runs)
 *   an offer, while an offer of ours is unanswered   491 (§5.2)
 *   an offer, while one of the far end's is still unanswered
 *                      500 with Retry-After 0-10 s (§5.2)
 *   an offer otherwise SIP_EV_UPDATE: the user answers it with
 *                      sip_sess_answer() from the handler; if it does not,
 *                      200 with the SDP we gave last (as for a re-INVITE)
 *
 * UPDATE sent (sip_sess_update): one at a time; a 2xx answers our offer
 * and carries the refreshed Session-Expires; 408/481 end the session
 * (RFC 4028 §10); a 491 to the user's UPDATE sends it again after the
 * RFC 3261 §14.1 wait (session_glare.c), a 491 to a session refresh is
 * left to the session timer to retry (after the same wait).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session_ext.h"

static bool early(const struct sip_sess *ss)
{
	return ss->state == SIP_SESS_CALLING || ss->state == SIP_SESS_INCOMING ||
	       ss->state == SIP_SESS_EARLY;
}

bool sip_upd_local_offer(const struct sip_sess *ss)
{
	const struct sip_sx *x = ss->x;

	if ((x->upd_out && x->upd_offer) || x->reinv || sip_rel_offer_pending(ss))
		return true;
	/* UAC, early: our INVITE's offer has no reliable answer yet. */
	return ss->uac && early(ss) && ss->local_sdp && !(x->rx_rseq && ss->remote_sdp);
}

static bool remote_offer(const struct sip_sess *ss)
{
	const struct sip_sx *x = ss->x;

	if (ss->reinvite && ss->ist && !sip_txn_final_sent(ss->ist))
		return true; /* a re-INVITE of theirs we have not answered */
	/* UAS, early: the INVITE's offer has no answer in a reliable 1xx. */
	return !ss->uac && early(ss) && x->inv_offer && !x->early_answered;
}

static void reply_retry_after(struct sip_sess *ss, struct sip_txn *t)
{
	struct sip_reject rej = {.extra_name = "Retry-After"};
	char h[3];

	sip_rand_hex(h, 2);
	snprintf(rej.extra, sizeof(rej.extra), "%lu", strtoul(h, NULL, 16) % 11);
	sip_stack_reply(ss->s, t, 500, NULL, &rej);
}

void sip_upd_rx(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req)
{
	struct sip_sx *x = ss->x;
	struct sip_stack *s = ss->s;

	sip_sx_learn(ss, req);
	if (sip_st_rx_request(ss, req) == 422) {
		struct sip_reject rej = {.extra_name = "Min-SE"};

		snprintf(rej.extra, sizeof(rej.extra), "%u", s->conf.min_se);
		sip_stack_reply(s, t, 422, NULL, &rej);
		return;
	}
	if (!osip_list_size(&req->bodies)) { /* a refresh (RFC 4028 §9) */
		sip_dlg_refresh_target(ss->dlg, req);
		sip_sx_reply(ss, t, 200, NULL, NULL);
		sip_sess_emit(ss, SIP_EV_INFO, 200, req);
		return;
	}
	if (sip_upd_local_offer(ss)) {
		sip_stack_reply(s, t, 491, NULL, NULL);
		return;
	}
	if (remote_offer(ss)) {
		reply_retry_after(ss, t);
		return;
	}
	sip_dlg_refresh_target(ss->dlg, req);
	sip_sess_keep_sdp(ss, req);
	x->upd_in = mem_ref(t);
	mem_ref(ss);
	mem_ref(t);
	sip_sess_emit(ss, SIP_EV_UPDATE, 0, req);
	if (ss->s && x->upd_in == t)
		sip_upd_answer(ss, 200, NULL, "application/sdp", ss->local_sdp);
	else if (!ss->s && !sip_txn_final_sent(t))
		sip_stack_reply(s, t, 481, NULL, NULL); /* ended meanwhile */
	mem_deref(t);
	mem_deref(ss);
}

int sip_upd_answer(struct sip_sess *ss, uint16_t status, const char *reason, const char *ctype,
		   const char *body)
{
	struct sip_sx *x = ss->x;
	struct sip_txn *t = x->upd_in;
	int err;
	(void)reason;

	if (status < 200 || status > 699)
		return EPROTO; /* no provisionals to an UPDATE here */
	x->upd_in = NULL;
	err = sip_sx_reply(ss, t, status, ctype, body);
	if (!err && status < 300 && body && body != ss->local_sdp) {
		char *copy = strdup(body);

		free(ss->local_sdp);
		ss->local_sdp = copy;
	}
	mem_deref(t);
	return err;
}

/* --- sending ------------------------------------------------------------ */

static void upd_resp(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg)
{
	struct sip_sess *ss = arg;
	struct sip_sx *x = ss->x;
	bool offer = x->upd_offer;
	(void)t;

	if (status < 200 || !ss->s)
		return;
	mem_ref(ss);
	x->upd_offer = false;
	if (status != 491)
		x->glare_tries = 0;
	if (status < 300 && resp) {
		if (offer) { /* our offer is the session's now (RFC 3264 §8) */
			free(ss->local_sdp);
			ss->local_sdp = x->upd_sdp;
			x->upd_sdp = NULL;
			sip_sess_keep_sdp(ss, resp);
		}
		sip_sx_learn(ss, resp);
		sip_dlg_refresh_target(ss->dlg, resp);
		sip_st_rx_2xx(ss, resp);
	} else {
		LOGI(LC_SIP, ss->name, "UPDATE refused: %u", status);
		if (ss->s) {
			sip_txn_detach(x->upd_out);
			x->upd_out = mem_deref(x->upd_out);
		}
		if (status == 491 && x->upd_user)
			sip_glare_491(ss); /* again later, or given up: no refresh */
		else
			sip_st_refresh_failed(ss, status);
	}
	if (ss->s && x->upd_out == t) {
		sip_txn_detach(x->upd_out);
		x->upd_out = mem_deref(x->upd_out);
	}
	mem_deref(ss);
}

int sip_sess_update(struct sip_sess *ss, const char *ctype, const char *body)
{
	if (ss->s)
		sip_glare_stop(ss); /* a new UPDATE of the user's replaces a waiting one */
	return sip_upd_send(ss, ctype, body, true);
}

int sip_upd_refresh(struct sip_sess *ss)
{
	return sip_upd_send(ss, NULL, NULL, false);
}

int sip_upd_send(struct sip_sess *ss, const char *ctype, const char *body, bool user)
{
	struct sip_sx *x = ss->x;
	char se[48];
	struct sip_sx_req rq = {.method = "UPDATE", .ctype = ctype, .body = body, .contact = true};
	int err;

	if (!ss->s || !ss->dlg || ss->state == SIP_SESS_TERMINATING)
		return EPROTO;
	if (x->upd_out || (body && sip_upd_local_offer(ss)))
		return EBUSY;
	free(x->upd_sdp);
	x->upd_sdp = body ? strdup(body) : NULL;
	if (body && !x->upd_sdp)
		return ENOMEM;
	if (user && body) { /* kept for a retry after a 491 */
		free(x->glare_ctype);
		x->glare_ctype = ctype ? strdup(ctype) : NULL;
	}
	sip_st_req_headers(ss, &rq, se, sizeof(se));
	x->upd_offer = body != NULL;
	x->upd_user = user;
	err = sip_sx_send(ss, &rq, upd_resp, &x->upd_out);
	if (err)
		x->upd_offer = false;
	return err;
}

/* 2xx to our re-INVITE: ACK it (kept, for its retransmissions). */
static void reinv_ack(struct sip_sess *ss, const osip_message_t *resp)
{
	uint32_t cseq = (uint32_t)strtoul(resp->cseq->number, NULL, 10);
	struct sip_peer dst;
	struct sip_sa local;
	osip_message_t *ack;
	char *buf = NULL;
	size_t len = 0;

	if (sip_stack_local(ss->s, &ss->dlg->peer, &local) ||
	    sip_dlg_request(ss->dlg, "ACK", cseq, &local, ss->dlg->peer.proto, &ack, &dst))
		return;
	if (!sip_msg_print(ack, &buf, &len)) {
		free(ss->ack);
		ss->ack = buf;
		ss->ack_len = len;
		sip_peer_reset(&ss->peer);
		ss->peer = dst;
		sip_txl_send_raw(ss->s->txl, ss->ack, ss->ack_len, &ss->peer);
	} else {
		sip_peer_reset(&dst);
	}
	osip_message_free(ack);
}

static void reinv_resp(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg)
{
	struct sip_sess *ss = arg;
	struct sip_sx *x = ss->x;
	(void)t;

	if (status < 200 || !ss->s)
		return;
	mem_ref(ss);
	sip_txn_detach(x->reinv);
	x->reinv = mem_deref(x->reinv);
	if (status < 300 && resp) {
		reinv_ack(ss, resp);
		sip_sess_keep_sdp(ss, resp);
		sip_sx_learn(ss, resp);
		sip_dlg_refresh_target(ss->dlg, resp);
		sip_st_rx_2xx(ss, resp);
	} else {
		LOGI(LC_SIP, ss->name, "refresh re-INVITE refused: %u", status);
		sip_st_refresh_failed(ss, status);
	}
	mem_deref(ss);
}

int sip_upd_reinvite(struct sip_sess *ss)
{
	struct sip_sx *x = ss->x;
	char se[48];
	struct sip_sx_req rq = {
	    .method = "INVITE", .ctype = "application/sdp", .body = ss->local_sdp, .contact = true};

	if (!ss->s || !ss->dlg || ss->state != SIP_SESS_ESTABLISHED)
		return EPROTO;
	if (x->reinv || sip_upd_local_offer(ss) || ss->reinvite)
		return EBUSY;
	sip_st_req_headers(ss, &rq, se, sizeof(se));
	return sip_sx_send(ss, &rq, reinv_resp, &x->reinv);
}
