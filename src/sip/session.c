/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session: INVITE sessions (RFC 3261 §13-15), UAC and UAS.
 *
 *   UAS: INCOMING -1xx-> EARLY -2xx-> ANSWERED -ACK-> ESTABLISHED -BYE-> TERMINATED
 *   UAC: CALLING -1xx-> EARLY -2xx(ACK sent)-> ESTABLISHED -BYE-> TERMINATING -> TERMINATED
 *   CANCEL, error responses and timeouts lead to TERMINATED from any state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session_ext.h"

static const char *const st_names[] = {"CALLING",     "INCOMING",    "EARLY",	  "ANSWERED",
				       "ESTABLISHED", "TERMINATING", "TERMINATED"};
static const char *const ev_names[] = {"PROGRESS", "ANSWERED", "ESTABLISHED", "CANCELLED",
				       "INFO",	   "REINVITE", "TERMINATED",  "UPDATE", "REFER", "REFER_ANSWER",
				       "REQUEST_ANSWER"};

const char *sip_sess_state_name(enum sip_sess_state st)
{
	return st_names[st];
}
const char *sip_sess_ev_name(enum sip_sess_ev ev)
{
	return ev_names[ev];
}
enum sip_sess_state sip_sess_state(const struct sip_sess *ss)
{
	return ss->state;
}
const char *sip_sess_name(const struct sip_sess *ss)
{
	return ss->name;
}
void sip_sess_set_user(struct sip_sess *ss, void *user)
{
	ss->user = user;
}
void *sip_sess_user(const struct sip_sess *ss)
{
	return ss->user;
}
const char *sip_sess_remote_sdp(const struct sip_sess *ss)
{
	return ss->remote_sdp;
}

void sip_sess_set_state(struct sip_sess *ss, enum sip_sess_state st)
{
	if (ss->state != st)
		LOGD(LC_SIP, ss->name, "state_chg to %s", st_names[st]);
	ss->state = st;
	snprintf(ss->name, sizeof(ss->name), "dlg %.8s{%s}", ss->call_id, st_names[st]);
	sip_hop_watch(ss); /* the dialog's next hop may be a host name */
}

void sip_sess_emit(struct sip_sess *ss, enum sip_sess_ev ev, uint16_t status, osip_message_t *m)
{
	struct sip_msg v = {m, NULL};

	LOGD(LC_SIP, ss->name, "event %s %u", ev_names[ev], status);
	if (ss->s && ss->s->h.sess_h)
		ss->s->h.sess_h(ss, ev, status, m ? &v : NULL, ss->s->arg);
}

static void sess_unlink(struct sip_sess *ss)
{
	if (!ss->s)
		return;
	loop_timer_cancel(ss->s->loop, &ss->rtx);
	loop_timer_cancel(ss->s->loop, &ss->trying);
	sip_sx_unlink(ss);
	sip_tgt_stop(ss);
	if (ss->ist)
		sip_txn_detach(ss->ist);
	if (ss->ict)
		sip_txn_detach(ss->ict);
	if (ss->nict)
		sip_txn_detach(ss->nict);
	ss->ist = mem_deref(ss->ist);
	ss->ict = mem_deref(ss->ict);
	ss->nict = mem_deref(ss->nict);
	hash_remove(ss->s->sessions, &ss->he);
	ss->s->n_sess--;
	ss->s = NULL;
}

static void sess_destroy(void *data)
{
	struct sip_sess *ss = data;

	sess_unlink(ss);
	mem_deref(ss->ist);
	mem_deref(ss->ict);
	mem_deref(ss->nict);
	mem_deref(ss->dlg);
	mem_deref(ss->x);
	sip_tgt_free(ss->tgt);
	if (ss->invite)
		osip_message_free(ss->invite);
	osip_free(ss->call_id);
	osip_free(ss->ltag);
	free(ss->tx2xx);
	free(ss->ack);
	free(ss->local_sdp);
	free(ss->remote_sdp);
	free(ss->reason);
	free(ss->auth);
	sip_peer_reset(&ss->peer);
}

/* Final: tell the user once, then drop the stack's reference. */
void sip_sess_end(struct sip_sess *ss, uint16_t status, osip_message_t *m)
{
	if (ss->state == SIP_SESS_TERMINATED)
		return;
	mem_ref(ss);
	sip_sess_set_state(ss, SIP_SESS_TERMINATED);
	sip_sess_emit(ss, SIP_EV_TERMINATED, status, m);
	if (ss->s) {
		sess_unlink(ss);
		mem_deref(ss); /* the stack's reference */
	}
	mem_deref(ss);
}

struct sip_sess *sip_sess_new(struct sip_stack *s, const osip_call_id_t *cid, const char *ltag,
			      const struct sip_peer *peer)
{
	struct sip_sess *ss = mem_zalloc(sizeof(*ss), sess_destroy);

	if (!ss)
		return NULL;
	ss->x = sip_sx_alloc();
	ss->call_id = sip_dlg_cid_text(cid);
	ss->ltag = osip_strdup(ltag);
	if (!ss->x || !ss->call_id || !ss->ltag)
		return mem_deref(ss); /* not linked yet: ss->s is NULL */
	ss->s = s;
	sip_peer_copy(&ss->peer, peer);
	loop_timer_init(&ss->rtx);
	hash_insert(s->sessions, &ss->he, sip_dlg_hash(cid, ltag));
	s->n_sess++;
	s->st.sessions++;
	return ss;
}

static struct sip_sess *sess_find(struct sip_stack *s, const osip_call_id_t *cid, const char *ltag)
{
	uint32_t h;
	struct le *b, *e;

	if (!cid || !cid->number || !ltag)
		return NULL;
	h = sip_dlg_hash(cid, ltag);
	b = hash_bucket(s->sessions, h);
	list_for_each(b, e)
	{
		struct sip_sess *ss = container_of(e, struct sip_sess, he.le);

		if (ss->he.key == h && sip_dlg_cid_eq(ss->call_id, cid) && !strcmp(ss->ltag, ltag))
			return ss;
	}
	return NULL;
}

static char *body_dup(const osip_message_t *m)
{
	osip_body_t *b = osip_list_get(&m->bodies, 0);
	char *s;

	if (!b || !b->body)
		return NULL;
	s = malloc(b->length + 1);
	if (s) {
		memcpy(s, b->body, b->length);
		s[b->length] = 0;
	}
	return s;
}

void sip_sess_keep_sdp(struct sip_sess *ss, const osip_message_t *m)
{
	char *sdp = body_dup(m);

	if (sdp) {
		free(ss->remote_sdp);
		ss->remote_sdp = sdp;
	}
}

/* --- UAS ---------------------------------------------------------------- */

static void rtx_fire(void *arg)
{
	struct sip_sess *ss = arg;
	struct sip_stack *s = ss->s;

	ss->rtx_elapsed += ss->rtx_ival;
	if (ss->rtx_elapsed >= 64 * s->conf.t1) {
		/* §13.3.1.4: no ACK; end the session with a BYE. */
		LOGN(LC_SIP, ss->name, "no ACK for 2xx");
		if (!ss->reinvite) {
			sip_sess_bye(ss);
			sip_sess_end(ss, 408, NULL);
		}
		return;
	}
	if (ss->peer.proto == SIP_PROTO_UDP) {
		s->st.retransmissions++;
		sip_txl_send_raw(s->txl, ss->tx2xx, ss->tx2xx_len, &ss->peer);
	}
	ss->rtx_ival = ss->rtx_ival * 2 < s->conf.t2 ? ss->rtx_ival * 2 : s->conf.t2;
	loop_timer_start(s->loop, &ss->rtx, ss->rtx_ival, rtx_fire, ss);
}

int sip_sess_build_answer(struct sip_sess *ss, const osip_message_t *req, uint16_t status,
			  const char *reason, const char *ctype, const char *body,
			  const char *const *extra, osip_message_t **rp)
{
	struct sip_sa local;
	osip_message_t *r;
	int err = sip_msg_response(&r, req, status, reason, ss->ltag);

	if (err)
		return err;
	if (status > 100 && status < 300 && !sip_stack_local(ss->s, &ss->peer, &local))
		err = sip_msg_add_contact_for(r, req, ss->peer.proto, &local);
	if (!err && ss->s->conf.user_agent[0])
		err = sip_msg_add_header(r, "Server", ss->s->conf.user_agent);
	if (!err && status >= 300 && ss->reason) /* RFC 6432 */
		err = sip_msg_add_header(r, "Reason", ss->reason);
	if (!err && status > 100 && status < 300)
		err = sip_sx_decorate(ss, req, status, r);
	if (!err)
		err = sip_msg_add_extra(r, extra);
	if (!err)
		err = sip_msg_set_body(r, body ? ctype : NULL, body);
	if (err) {
		osip_message_free(r);
		return err;
	}
	*rp = r;
	return 0;
}

static int answer_2xx(struct sip_sess *ss, const osip_message_t *req, osip_message_t *r,
		      const char *body)
{
	int err;

	if (!ss->dlg) {
		err = sip_dlg_uas(&ss->dlg, req, ss->ltag, &ss->peer);
		if (err) {
			osip_message_free(r);
			return err;
		}
	}
	free(ss->tx2xx);
	ss->tx2xx = NULL;
	err = sip_msg_print(r, &ss->tx2xx, &ss->tx2xx_len);
	if (!err && body) {
		/* Copy first: a re-INVITE's default answer is local_sdp itself. */
		char *copy = strdup(body);

		free(ss->local_sdp);
		ss->local_sdp = copy;
	}
	if (err) {
		osip_message_free(r);
		return err;
	}
	ss->rtx_ival = ss->s->conf.t1;
	ss->rtx_elapsed = 0;
	loop_timer_start(ss->s->loop, &ss->rtx, ss->rtx_ival, rtx_fire, ss);
	return sip_txn_respond(ss->ist, r);
}

int sip_sess_answer(struct sip_sess *ss, uint16_t status, const char *reason, const char *ctype,
		    const char *body)
{
	return sip_sess_answer_hdrs(ss, status, reason, ctype, body, NULL);
}

int sip_sess_answer_hdrs(struct sip_sess *ss, uint16_t status, const char *reason,
			 const char *ctype, const char *body, const char *const *extra_headers)
{
	const osip_message_t *req;
	osip_message_t *r;
	int err;

	if (ss->s && !ss->uac && !ss->reinvite)
		loop_timer_cancel(ss->s->loop, &ss->trying); /* the TU answers */
	if (ss->s && sip_sx_answer(ss, status, reason, ctype, body, &err))
		return err; /* UPDATE, reliable provisional, or held back */
	/* A UAC session answers only re-INVITEs from the far end (§14.2). */
	if (!ss->s || (ss->uac && !ss->reinvite) || !ss->ist || sip_txn_final_sent(ss->ist) ||
	    status < 100 || status > 699)
		return EPROTO;
	req = sip_txn_req(ss->ist);
	err = sip_sess_build_answer(ss, req, status, reason, ctype, body, extra_headers, &r);
	if (err)
		return err;
	if (status < 200) {
		if (status > 100 && !ss->reinvite)
			sip_sess_set_state(ss, SIP_SESS_EARLY);
		return sip_txn_respond(ss->ist, r);
	}
	if (status < 300) {
		err = answer_2xx(ss, req, r, body);
		if (!err && !ss->reinvite)
			sip_sess_set_state(ss, SIP_SESS_ANSWERED);
		return err;
	}
	err = sip_txn_respond(ss->ist, r);
	if (ss->reinvite)
		ss->reinvite = false;
	else
		sip_sess_end(ss, status, NULL);
	return err;
}

/* RFC 3261 §17.2.1: an INVITE the TU has not answered within 200 ms gets
 * 100 (Trying), so that the client stops retransmitting and may CANCEL
 * (§9.1: a CANCEL waits for a provisional). */
static void trying_fire(void *arg)
{
	struct sip_sess *ss = arg;
	osip_message_t *r;

	if (!ss->s || !ss->ist || sip_txn_final_sent(ss->ist) || ss->state != SIP_SESS_INCOMING)
		return;
	if (!sip_sess_build_answer(ss, sip_txn_req(ss->ist), 100, NULL, NULL, NULL, NULL, &r))
		sip_txn_respond(ss->ist, r);
}

static void uas_invite(struct sip_stack *s, struct sip_txn *t, osip_message_t *req,
		       const void *who)
{
	struct sip_msg v = {req, who};
	char tag[17];
	struct sip_sess *ss;

	sip_rand_hex(tag, 16);
	ss = sip_sess_new(s, req->call_id, tag, sip_txn_peer(t));
	if (!ss) {
		sip_stack_reply(s, t, 500, NULL, NULL);
		return;
	}
	ss->ist = mem_ref(t);
	sip_txn_set_owner(t, ss);
	sip_sess_keep_sdp(ss, req);
	sip_sess_set_state(ss, SIP_SESS_INCOMING);
	if (sip_sx_uas_invite(ss, req))
		return; /* refused: 421, 422 */
	loop_timer_start(s->loop, &ss->trying, 200 * NS_PER_MS, trying_fire, ss);
	if (s->h.invite_h)
		s->h.invite_h(ss, &v, s->arg);
	else
		sip_sess_answer(ss, 480, NULL, NULL, NULL);
}

/* A re-INVITE (§14.2), on a session either side started: refresh the
 * target and hand the offer to the user, who answers it (RFC 3264 §8); if
 * it does not, 200 with the session description we gave last. */
static void uas_reinvite(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req)
{
	if (ss->rtx.heap_idx || (ss->ist && !sip_txn_final_sent(ss->ist))) {
		sip_stack_reply(ss->s, t, 491, NULL, NULL); /* glare, RFC 3261 §14.2 */
		return;
	}
	sip_dlg_refresh_target(ss->dlg, req);
	sip_sess_keep_sdp(ss, req);
	if (ss->ist) /* an earlier INVITE's, perhaps still waiting for its ACK */
		sip_txn_detach(ss->ist);
	mem_deref(ss->ist);
	ss->ist = mem_ref(t);
	sip_txn_set_owner(t, ss);
	ss->reinvite = true;
	mem_ref(ss);
	sip_sess_emit(ss, SIP_EV_REINVITE, 0, req);
	if (ss->s && ss->ist == t && !sip_txn_final_sent(t))
		sip_sess_answer(ss, 200, NULL, "application/sdp", ss->local_sdp);
	mem_deref(ss);
}

static void uas_cancel(struct sip_stack *s, struct sip_txn *t, osip_message_t *req)
{
	struct sip_txn *inv = sip_txl_find_invite(s->txl, req, sip_txn_peer(t));
	struct sip_sess *ss = inv ? sip_txn_owner(inv) : NULL;

	if (!inv) {
		sip_stack_reply(s, t, 481, NULL, NULL);
		return;
	}
	sip_stack_reply(s, t, 200, NULL, NULL);
	if (!ss || sip_txn_final_sent(inv))
		return; /* too late: the 2xx won the race (§9.2) */
	mem_ref(ss);
	sip_sess_emit(ss, SIP_EV_CANCELLED, 487, req);
	sip_sess_answer(ss, 487, NULL, NULL, NULL);
	mem_deref(ss);
}

static void in_dialog(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req)
{
	struct sip_stack *s = ss->s;
	uint16_t st = ss->dlg ? sip_dlg_rx_request(ss->dlg, req) : 481;

	if (st) {
		sip_stack_reply(s, t, st, NULL, NULL);
		return;
	}
	if (sip_sx_rx_request(ss, t, req))
		return; /* PRACK, UPDATE; 422/491 to a re-INVITE */
	if (sip_msg_is(req, "BYE")) {
		sip_stack_reply(s, t, 200, NULL, NULL);
		sip_sess_end(ss, 200, req);
	} else if (sip_msg_is(req, "INVITE")) {
		uas_reinvite(ss, t, req);
	} else if (sip_msg_is(req, "REFER")) {
		sip_refer_rx(ss, t, req); /* session_refer.c */
	} else if (sip_msg_is(req, "INFO") || sip_msg_is(req, "MESSAGE") ||
		   sip_msg_is(req, "NOTIFY") || sip_msg_is(req, "OPTIONS") ||
		   sip_msg_is(req, "UPDATE")) {
		sip_stack_reply(s, t, 200, NULL, NULL);
		sip_sess_emit(ss, SIP_EV_INFO, 200, req);
	} else {
		sip_stack_reply(s, t, 501, NULL, NULL);
	}
}

void sip_sess_rx_request(struct sip_stack *s, struct sip_txn *t, osip_message_t *req)
{
	const char *totag = sip_msg_tag(req->to);

	if (totag) {
		struct sip_sess *ss = sess_find(s, req->call_id, totag);

		if (!ss || ss->state == SIP_SESS_TERMINATED) {
			sip_stack_reply(s, t, 481, NULL, NULL); /* §12.2.2 */
			return;
		}
		mem_ref(ss);
		in_dialog(ss, t, req);
		mem_deref(ss);
		return;
	}
	const void *who = NULL;

	if (sip_txn_merged(t))
		sip_stack_reply(s, t, 482, NULL, NULL); /* §8.2.2.2: merged request */
	else if (!sip_msg_is(req, "CANCEL") && !sip_msg_is(req, "BYE") &&
		 !sip_msg_is(req, "ACK") && !sip_stack_access(s, t, req, &who))
		return; /* refused or challenged (stack_access.c) */
	else if (sip_msg_is(req, "INVITE"))
		uas_invite(s, t, req, who);
	else if (sip_msg_is(req, "CANCEL"))
		uas_cancel(s, t, req);
	else if (sip_msg_is(req, "BYE"))
		sip_stack_reply(s, t, 481, NULL, NULL);
	else if (sip_msg_is(req, "OPTIONS") && s->conf.answer_options)
		sip_stack_reply(s, t, 200, NULL, NULL);
	else {
		struct sip_msg v = {req, who};
		uint16_t st = s->h.request_h ? s->h.request_h(&v, s->arg) : 0;

		sip_stack_reply(s, t, st ? st : 405, NULL, NULL);
	}
}

void sip_sess_rx_stray(struct sip_stack *s, osip_message_t *m, const struct sip_peer *peer)
{
	struct sip_sess *ss;
	(void)peer;

	if (!m->call_id || !m->cseq || !m->cseq->method)
		return;
	if (sip_msg_is(m, "ACK")) { /* ACK for our 2xx, matched by dialog */
		ss = sess_find(s, m->call_id, sip_msg_tag(m->to));
		if (!ss || !loop_timer_pending(&ss->rtx))
			return;
		loop_timer_cancel(s->loop, &ss->rtx);
		if (ss->reinvite) {
			ss->reinvite = false;
			return;
		}
		sip_sess_set_state(ss, SIP_SESS_ESTABLISHED);
		sip_sess_keep_sdp(ss, m);
		sip_sess_emit(ss, SIP_EV_ESTABLISHED, 200, m);
		return;
	}
	if (!m->sip_method && m->status_code >= 200 && m->status_code < 300 &&
	    !strcmp(m->cseq->method, "INVITE")) {
		ss = sess_find(s, m->call_id, sip_msg_tag(m->from));
		if (ss && ss->ack) { /* retransmitted 2xx: ACK again */
			s->st.retransmissions++;
			sip_txl_send_raw(s->txl, ss->ack, ss->ack_len, &ss->peer);
		}
	}
}

void sip_sess_close_all(struct sip_stack *s)
{
	while (s->n_sess) {
		for (uint32_t b = 0;; b++) {
			struct le *h = hash_bucket(s->sessions, b);

			if (list_empty(h))
				continue;
			struct sip_sess *ss = container_of(h->next, struct sip_sess, he.le);

			ss->state = SIP_SESS_TERMINATED; /* no callbacks at shutdown */
			sess_unlink(ss);
			mem_deref(ss);
			break;
		}
	}
}

int sip_sess_set_reason(struct sip_sess *ss, const char *value)
{
	if (strpbrk(value, "\r\n"))
		return EINVAL;
	char *v = strdup(value);
	if (!v)
		return ENOMEM;
	free(ss->reason);
	ss->reason = v;
	return 0;
}
