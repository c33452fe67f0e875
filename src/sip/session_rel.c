/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_rel: reliable provisional responses (RFC 3262), both roles.
 *
 * UAS (§3): when the INVITE supports or requires 100rel, each 1xx but 100
 * goes out with Require: 100rel and RSeq (one more each time) and is sent
 * again at T1, 2*T1, 4*T1 ... until its PRACK; after 64*T1 without one the
 * INVITE is refused with 500.  One at a time: a later 1xx waits in a queue
 * for the PRACK of the one before, and so does a 2xx when the unacknowledged
 * 1xx carried an offer (its answer comes in the PRACK).  Any other final
 * response stops the retransmissions and drops the queue.
 *
 *        1xx ──send──> UNACKED ──PRACK (RAck = RSeq)──> idle ──queue?──> send next
 *                        │ T1 doubling: send again
 *                        └ 64*T1: 500 to the INVITE
 *
 * A PRACK whose RAck names no unacknowledged provisional gets 481.
 *
 * UAC (§4): a 1xx with Require: 100rel and RSeq is PRACKed on its own
 * client transaction (RAck: RSeq, CSeq, method).  The first sets the
 * expected sequence; then only RSeq = last+1 is taken: lower numbers are
 * retransmissions (not reported again, not PRACKed again, the PRACK
 * transaction retransmits itself) and higher ones arrived out of order
 * (dropped; the UAS sends them again).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session_ext.h"

/* §3: the first RSeq is random in 1..2^31-1; start low enough that it
 * never wraps within one INVITE. */
static uint32_t first_rseq(void)
{
	char h[9];

	sip_rand_hex(h, 8);
	return (uint32_t)(strtoul(h, NULL, 16) & 0x3fffffff) + 1;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void q_free(struct sip_relq *e)
{
	free(e->reason);
	free(e->ctype);
	free(e->body);
	free(e);
}

static int q_push(struct sip_sx *x, uint16_t status, const char *reason, const char *ctype,
		  const char *body)
{
	struct sip_relq *e = calloc(1, sizeof(*e)), **tail = &x->q;

	if (!e)
		return ENOMEM;
	e->status = status;
	e->reason = dup_or_null(reason);
	e->ctype = dup_or_null(ctype);
	e->body = dup_or_null(body);
	if ((reason && !e->reason) || (ctype && !e->ctype) || (body && !e->body)) {
		q_free(e);
		return ENOMEM;
	}
	while (*tail)
		tail = &(*tail)->next;
	*tail = e;
	return 0;
}

void sip_rel_stop(struct sip_sess *ss)
{
	struct sip_sx *x = ss->x;

	if (ss->s)
		loop_timer_cancel(ss->s->loop, &x->rel_tmr);
	free(x->rel_msg);
	x->rel_msg = NULL;
	x->rel_offer = false;
	while (x->q) {
		struct sip_relq *e = x->q;

		x->q = e->next;
		q_free(e);
	}
}

bool sip_rel_offer_pending(const struct sip_sess *ss)
{
	return ss->x->rel_msg && ss->x->rel_offer;
}

static void rel_fire(void *arg)
{
	struct sip_sess *ss = arg;
	struct sip_sx *x = ss->x;
	struct sip_stack *s = ss->s;
	uint64_t limit = 64 * s->conf.t1;

	x->rel_elapsed += x->rel_ival;
	if (x->rel_elapsed >= limit) {
		LOGN(LC_SIP, ss->name, "no PRACK for RSeq %u: giving up", x->rseq);
		sip_rel_stop(ss);
		mem_ref(ss);
		sip_sess_answer(ss, 500, "No PRACK", NULL, NULL); /* §3: a 5xx */
		mem_deref(ss);
		return;
	}
	if (ss->peer.proto == SIP_PROTO_UDP) {
		s->st.retransmissions++;
		sip_txl_send_raw(s->txl, x->rel_msg, x->rel_len, &ss->peer);
	}
	x->rel_ival *= 2;
	if (x->rel_elapsed + x->rel_ival > limit)
		x->rel_ival = limit - x->rel_elapsed;
	loop_timer_start(s->loop, &x->rel_tmr, x->rel_ival, rel_fire, ss);
}

static int rel_send(struct sip_sess *ss, uint16_t status, const char *reason, const char *ctype,
		    const char *body)
{
	struct sip_sx *x = ss->x;
	const osip_message_t *req = sip_txn_req(ss->ist);
	uint32_t rseq = x->rseq ? x->rseq + 1 : first_rseq();
	osip_message_t *r;
	char v[16];
	int err = 0;

	/* PRACK and UPDATE come in the early dialog this response makes. */
	if (!ss->dlg)
		err = sip_dlg_uas(&ss->dlg, req, ss->ltag, &ss->peer);
	if (!err)
		err = sip_sess_build_answer(ss, req, status, reason, ctype, body, NULL, &r);
	if (err)
		return err;
	snprintf(v, sizeof(v), "%u", rseq);
	err = sip_msg_add_header(r, "Require", "100rel");
	if (!err)
		err = sip_msg_add_header(r, "RSeq", v);
	free(x->rel_msg);
	x->rel_msg = NULL;
	if (!err)
		err = sip_msg_print(r, &x->rel_msg, &x->rel_len);
	if (err) {
		osip_message_free(r);
		return err;
	}
	if (!x->rseq)
		x->rseq_acked = rseq - 1;
	x->rseq = rseq;
	/* An offer when the INVITE had none and no offer/answer is done yet;
	 * a body answering the INVITE's offer completes it (RFC 3262 §5). */
	x->rel_offer = body && !x->inv_offer && !x->early_answered;
	if (body && x->inv_offer)
		x->early_answered = true;
	sip_sess_set_state(ss, SIP_SESS_EARLY);
	x->rel_ival = ss->s->conf.t1;
	x->rel_elapsed = 0;
	loop_timer_start(ss->s->loop, &x->rel_tmr, x->rel_ival, rel_fire, ss);
	LOGD(LC_SIP, ss->name, "reliable %u, RSeq %u", status, rseq);
	return sip_txn_respond(ss->ist, r);
}

bool sip_rel_answer(struct sip_sess *ss, uint16_t status, const char *reason, const char *ctype,
		    const char *body, int *err)
{
	struct sip_sx *x = ss->x;

	if (status >= 300 || (status >= 200 && !sip_rel_offer_pending(ss))) {
		sip_rel_stop(ss); /* the final response goes out now */
		return false;
	}
	if (status >= 200) { /* §3: no 2xx before the PRACK that answers */
		LOGD(LC_SIP, ss->name, "%u held until PRACK", status);
		*err = q_push(x, status, reason, ctype, body);
		return true;
	}
	if (status == 100 || !x->rel)
		return false;
	if (x->rel_msg || x->q) {
		*err = q_push(x, status, reason, ctype, body);
		return true;
	}
	*err = rel_send(ss, status, reason, ctype, body);
	return true;
}

/* The PRACK came: send what waited, while nothing blocks it. */
static void rel_drain(struct sip_sess *ss)
{
	struct sip_sx *x = ss->x;

	mem_ref(ss);
	while (ss->s && x->q && (!x->rel_msg || (x->q->status >= 200 && !x->rel_offer))) {
		struct sip_relq *e = x->q;
		int err;

		x->q = e->next;
		if (e->status < 200)
			err = rel_send(ss, e->status, e->reason, e->ctype, e->body);
		else
			err = sip_sess_answer(ss, e->status, e->reason, e->ctype, e->body);
		if (err)
			LOGN(LC_SIP, ss->name, "cannot send held %u: %d", e->status, err);
		q_free(e);
	}
	mem_deref(ss);
}

void sip_rel_rx_prack(struct sip_sess *ss, struct sip_txn *t, const osip_message_t *req)
{
	struct sip_sx *x = ss->x;
	const char *ra = sip_sx_hdr(req, "rack", NULL);
	unsigned long rseq = 0, cseq = 0;
	char meth[16] = "";

	if (!ra || sscanf(ra, "%lu %lu %15s", &rseq, &cseq, meth) != 3 || !x->rseq ||
	    rseq <= x->rseq_acked || rseq > x->rseq || cseq != x->inv_cseq ||
	    strcasecmp(meth, "INVITE")) {
		LOGI(LC_SIP, ss->name, "PRACK matches nothing (RAck %s)", ra ? ra : "none");
		sip_stack_reply(ss->s, t, 481, NULL, NULL);
		return;
	}
	sip_stack_reply(ss->s, t, 200, NULL, NULL);
	x->rseq_acked = (uint32_t)rseq; /* in order (§4), so all before it too */
	if (osip_list_size(&req->bodies) && x->rel_offer)
		x->early_answered = true; /* the answer to our offer (§5) */
	sip_sess_keep_sdp(ss, req);
	if (rseq != x->rseq || !x->rel_msg)
		return;
	loop_timer_cancel(ss->s->loop, &x->rel_tmr);
	free(x->rel_msg);
	x->rel_msg = NULL;
	x->rel_offer = false;
	rel_drain(ss);
}

/* --- UAC --------------------------------------------------------------- */

static int send_prack(struct sip_sess *ss, const char *rack, const char *ctype, const char *body)
{
	struct sip_sx_req rq = {
	    .method = "PRACK", .ctype = ctype, .body = body, .hname = {"RAck"}, .hval = {rack}};

	return sip_sx_send(ss, &rq, NULL, &ss->x->prack);
}

/* An offer: SDP in a reliable 1xx to an INVITE that had none, before any
 * offer/answer was done (RFC 3262 §5; RFC 6337 §3.1). */
static bool is_offer(const struct sip_sess *ss, const osip_message_t *resp)
{
	return osip_list_size(&resp->bodies) && !ss->local_sdp && !ss->remote_sdp;
}

bool sip_rel_uac_answer(struct sip_sess *ss, uint16_t status, const char *ctype,
			const char *body, int *err)
{
	struct sip_sx *x = ss->x;

	/* Only an answer fits in a PRACK: no status of its own goes out. */
	if (status < 200 || status > 299 || !body || !ctype) {
		*err = EPROTO;
		return true;
	}
	free(x->prack_body);
	free(x->prack_ctype);
	x->prack_body = strdup(body);
	x->prack_ctype = strdup(ctype);
	*err = x->prack_body && x->prack_ctype ? 0 : ENOMEM;
	return true;
}

void sip_rel_uac_flush(struct sip_sess *ss)
{
	struct sip_sx *x = ss->x;

	if (!x->prack_wait || !ss->s)
		return;
	x->prack_wait = false;
	if (x->prack_body) { /* the answer is our session description now */
		free(ss->local_sdp);
		ss->local_sdp = x->prack_body;
		x->prack_body = NULL;
	} else {
		LOGN(LC_SIP, ss->name, "offer in a reliable 1xx not answered: PRACK without one");
	}
	if (send_prack(ss, x->prack_rack, ss->local_sdp ? x->prack_ctype : NULL, ss->local_sdp))
		LOGN(LC_SIP, ss->name, "cannot send PRACK");
	free(x->prack_ctype);
	x->prack_ctype = NULL;
}

bool sip_sx_uac_1xx(struct sip_sess *ss, osip_message_t *resp)
{
	struct sip_sx *x = ss->x;
	const char *v;
	char *end;
	unsigned long rseq;

	sip_sx_learn(ss, resp);
	if (!sip_sx_hdr_has(resp, "require", NULL, "100rel"))
		return true;
	v = sip_sx_hdr(resp, "rseq", NULL);
	rseq = v ? strtoul(v, &end, 10) : 0;
	if (!v || end == v || rseq == 0 || rseq > 0x7fffffffUL) {
		LOGN(LC_SIP, ss->name, "reliable %d without a usable RSeq", resp->status_code);
		return true; /* reported, not PRACKed */
	}
	if (x->rx_rseq && rseq <= x->rx_rseq)
		return false; /* a retransmission */
	if (x->rx_rseq && rseq != x->rx_rseq + 1) {
		LOGI(LC_SIP, ss->name, "RSeq %lu out of order (after %u)", rseq, x->rx_rseq);
		return false;
	}
	if (!ss->dlg && sip_dlg_uac(&ss->dlg, ss->invite, resp, &ss->peer)) {
		LOGN(LC_SIP, ss->name, "reliable %d makes no dialog", resp->status_code);
		return true;
	}
	x->rx_rseq = (uint32_t)rseq;
	snprintf(x->prack_rack, sizeof(x->prack_rack), "%u %s INVITE", x->rx_rseq,
		 resp->cseq->number);
	if (is_offer(ss, resp)) { /* the user answers it first (sip_rel_uac_flush) */
		x->prack_wait = true;
		return true;
	}
	if (send_prack(ss, x->prack_rack, NULL, NULL))
		LOGN(LC_SIP, ss->name, "cannot send PRACK");
	return true;
}
