/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_uac: our side calls (RFC 3261 §13.2): INVITE, ACK for 2xx
 * (kept and sent again for each retransmitted 2xx), CANCEL (§9.1), BYE.
 *
 * CANCEL before any provisional response is held (§9.1: it must not be sent
 * then): the first 1xx sends it; a final response first means it is never
 * sent (a 2xx is ACKed and followed by BYE, §15); Timer B ends the call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session_ext.h"
#include "sip/uac_auth.h"

static int send_in_dialog(struct sip_sess *ss, const char *method, uint32_t cseq,
			  sip_txn_resp_h *rh, osip_message_t **ackp)
{
	struct sip_peer dst;
	struct sip_sa local;
	osip_message_t *m;
	int err = sip_stack_local(ss->s, &ss->dlg->peer, &local);

	sip_hop_watch(ss);
	if (!err)
		err = sip_dlg_request(ss->dlg, method, cseq, &local, ss->dlg->peer.proto, &m, &dst);
	if (err)
		return err;
	if ((ss->reason && !strcmp(method, "BYE") && sip_msg_add_header(m, "Reason", ss->reason)) ||
	    (!ackp && sip_sess_auth_sign(ss, m))) {
		osip_message_free(m);
		return ENOMEM;
	}
	if (ackp) {
		*ackp = m;
		sip_peer_reset(&ss->peer);
		ss->peer = dst;
		return 0;
	}
	struct sip_txn *t = NULL;

	err = sip_txn_request(&t, ss->s->txl, m, &dst, rh, ss);
	sip_peer_reset(&dst);
	if (!err && t) {
		if (ss->nict)
			sip_txn_detach(ss->nict);
		mem_deref(ss->nict);
		ss->nict = mem_ref(t);
		if (!ss->s) /* already ended from inside the request */
			sip_txn_detach(t);
	}
	return err;
}

static void bye_resp(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg)
{
	struct sip_sess *ss = arg;
	(void)t;

	if (status < 200)
		return;
	/* §22.2: a challenged BYE goes again, signed, once per challenge. */
	if ((status == 401 || status == 407) && resp && ss->s && ss->dlg &&
	    !sip_sess_auth_challenged(ss, resp) &&
	    !send_in_dialog(ss, "BYE", 0, bye_resp, NULL))
		return;
	sip_sess_end(ss, status, NULL);
}

int sip_sess_bye(struct sip_sess *ss)
{
	int err;

	if (!ss->s || !ss->dlg || ss->state == SIP_SESS_TERMINATING)
		return EPROTO;
	loop_timer_cancel(ss->s->loop, &ss->rtx);
	err = send_in_dialog(ss, "BYE", 0, bye_resp, NULL);
	if (!err)
		sip_sess_set_state(ss, SIP_SESS_TERMINATING);
	return err;
}

static void uac_2xx(struct sip_sess *ss, osip_message_t *resp)
{
	osip_message_t *ack;
	uint32_t cseq = (uint32_t)strtoul(resp->cseq->number, NULL, 10);

	if (ss->ack) { /* another 2xx through the ICT (forked): ACK it too */
		sip_txl_send_raw(ss->s->txl, ss->ack, ss->ack_len, &ss->peer);
		return;
	}
	if (!ss->dlg && sip_dlg_uac(&ss->dlg, ss->invite, resp, &ss->peer)) {
		sip_sess_end(ss, 502, resp);
		return;
	}
	sip_dlg_refresh_target(ss->dlg, resp); /* the early dialog's, from a 1xx */
	if (send_in_dialog(ss, "ACK", cseq, NULL, &ack) ||
	    sip_msg_print(ack, &ss->ack, &ss->ack_len)) {
		osip_message_free(ack);
		sip_sess_end(ss, 500, resp);
		return;
	}
	osip_message_free(ack);
	sip_txl_send_raw(ss->s->txl, ss->ack, ss->ack_len, &ss->peer);
	if (ss->auth) /* accepted: a later challenge (to BYE) is a new one */
		sip_uac_auth_done(ss->auth);
	sip_sess_keep_sdp(ss, resp);
	if (ss->cancelled) { /* the 2xx crossed our CANCEL: hang up (§15) */
		sip_sess_set_state(ss, SIP_SESS_ESTABLISHED);
		sip_sess_bye(ss);
		return;
	}
	sip_sess_set_state(ss, SIP_SESS_ESTABLISHED);
	sip_sx_uac_2xx(ss, resp);
	sip_sess_emit(ss, SIP_EV_ANSWERED, (uint16_t)resp->status_code, resp);
}

static int cancel_send(struct sip_sess *ss);

void sip_uac_invite_resp(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg)
{
	struct sip_sess *ss = arg;
	(void)t;

	if (!ss->s)
		return;
	mem_ref(ss);
	bool held = ss->cancel_held;

	ss->cancel_held = false; /* sent now, or (final response) never */
	if (status < 200)
		ss->got_1xx = true;
	if (status < 200 && held) {
		if (cancel_send(ss)) /* cannot even build it: give up the call */
			sip_sess_end(ss, 500, NULL);
	} else if (status < 200) {
		/* Every provisional: a 183 with SDP after a 180 brings early
		 * media (RFC 3666 §2.1: PROGRESS with in-band information). */
		if (status > 100 && resp && !sip_sx_uac_1xx(ss, resp)) {
			/* a reliable one again, or out of order (RFC 3262 §4) */
		} else if (status > 100 &&
			   (ss->state == SIP_SESS_CALLING || ss->state == SIP_SESS_EARLY)) {
			sip_sess_set_state(ss, SIP_SESS_EARLY);
			if (resp)
				sip_sess_keep_sdp(ss, resp); /* the early answer, if any */
			sip_sess_emit(ss, SIP_EV_PROGRESS, status, resp);
		}
		sip_rel_uac_flush(ss); /* a PRACK that waited for the user's answer */
	} else if (status < 300 && resp) {
		uac_2xx(ss, resp);
	} else if (status == 422 && resp && sip_sx_uac_422(ss, resp)) {
		/* sent again with a larger Session-Expires (RFC 4028 §7.4) */
	} else if ((status == 401 || status == 407) && resp &&
		   (!sip_sess_auth_retry(ss, resp, sip_uac_invite_resp) || !ss->s)) {
		/* sent again with credentials (session_auth.c) */
	} else if (!sip_tgt_failover(ss, resp, status)) { /* RFC 3263 §4.3 */
		sip_sess_end(ss, status, resp);
	}
	mem_deref(ss);
}

int sip_uac_build_invite(struct sip_stack *s, const struct sip_invite_prm *p,
			 const struct sip_sa *local, osip_message_t **mp)
{
	osip_message_t *m;
	osip_uri_t *ruri = NULL;
	char tag[17], cid[48], hp[64];
	int err = sip_oerr(osip_message_init(&m));

	if (err)
		return err;
	osip_message_set_method(m, osip_strdup("INVITE"));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	err = sip_oerr(osip_uri_init(&ruri));
	if (!err && (err = sip_oerr(osip_uri_parse(ruri, p->req_uri))))
		osip_uri_free(ruri);
	else if (!err)
		osip_message_set_uri(m, ruri);
	sip_rand_hex(tag, 16);
	sip_rand_hex(cid, 24);
	snprintf(cid + 24, sizeof(cid) - 24, "@%s", sip_sa_ip(local, hp, sizeof(hp)));
	if (!err)
		err = sip_oerr(osip_message_set_from(m, p->from));
	if (!err)
		err = sip_oerr(osip_from_set_tag(m->from, osip_strdup(tag)));
	if (!err)
		err = sip_oerr(osip_message_set_to(m, p->to));
	if (!err)
		err = sip_oerr(osip_message_set_call_id(m, cid));
	if (!err)
		err = sip_oerr(osip_message_set_cseq(m, "1 INVITE"));
	if (!err)
		err = sip_oerr(osip_message_set_max_forwards(m, "70"));
	if (!err)
		err = sip_msg_add_via(m, p->proto, local);
	if (!err)
		err = sip_msg_add_contact(m, p->proto, local);
	if (!err && s->conf.user_agent[0])
		err = sip_msg_add_header(m, "User-Agent", s->conf.user_agent);
	if (!err)
		err = sip_sx_invite_headers(s, m);
	if (!err)
		err = sip_msg_add_extra(m, p->extra_headers);
	if (!err)
		err = sip_msg_set_body(m, p->body ? p->ctype : NULL, p->body);
	if (err) {
		osip_message_free(m);
		return err;
	}
	*mp = m;
	return 0;
}

int sip_sess_invite(struct sip_sess **sessp, struct sip_stack *s, const struct sip_invite_prm *p)
{
	struct sip_peer dst = {.proto = p->proto, .udp_fd = -1};
	struct sip_sa local;
	osip_message_t *m, *copy;
	struct sip_sess *ss;
	int err;

	const char *host = p->dst_host ? p->dst_host : p->dst_ip;
	uint16_t port = p->dst_port ? p->dst_port : p->proto == SIP_PROTO_TLS ? 5061 : 5060;
	struct sip_uac_auth cred;

	if (!strncasecmp(p->req_uri, "sips:", 5) && p->proto != SIP_PROTO_TLS)
		return EPROTO; /* RFC 5630 §4.1: a SIPS URI goes over TLS only */
	if (p->username && sip_uac_auth_init(&cred, p->username, p->password))
		return EINVAL; /* before anything is sent: no session */
	if (!host || sip_sa_set(&dst.addr, host, port))
		return sip_tgt_invite(sessp, s, p); /* a host name: RFC 3263 */
	err = sip_stack_local(s, &dst, &local);
	if (!err)
		err = sip_uac_build_invite(s, p, &local, &m);
	if (err)
		return err;
	if (m->req_uri && m->req_uri->host) /* TLS verifies it (RFC 5922 §7) */
		snprintf(dst.host, sizeof(dst.host), "%s", m->req_uri->host);
	if (osip_message_clone(m, &copy)) {
		osip_message_free(m);
		return ENOMEM;
	}
	ss = sip_sess_new(s, m->call_id, sip_msg_tag(m->from), &dst);
	if (!ss) {
		osip_message_free(m);
		osip_message_free(copy);
		return ENOMEM;
	}
	ss->uac = true;
	ss->invite = copy;
	if (p->username && (err = sip_sess_auth_set(ss, p->username, p->password))) {
		osip_message_free(m);
		sip_sess_end(ss, 500, NULL);
		return err;
	}
	free(ss->local_sdp);
	ss->local_sdp = p->body ? strdup(p->body) : NULL;
	sip_sess_set_state(ss, SIP_SESS_CALLING);
	/* The request may fail at once (transport error: 503) and end the
	 * session from inside; hold it until we know. */
	struct sip_txn *t = NULL;

	mem_ref(ss);
	err = sip_txn_request(&t, s->txl, m, &dst, sip_uac_invite_resp, ss);
	if (!err && ss->s)
		ss->ict = mem_ref(t);
	else if (t)
		sip_txn_detach(t);
	if (!err && !ss->s)
		err = ECONNREFUSED;
	if (sessp)
		*sessp = err ? NULL : ss;
	mem_deref(ss);
	return err;
}

/* §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via. */
static int cancel_send(struct sip_sess *ss)
{
	osip_message_t *c;
	osip_via_t *via;
	char buf[32];
	int err = sip_oerr(osip_message_init(&c));

	if (err)
		return err;
	osip_message_set_method(c, osip_strdup("CANCEL"));
	osip_message_set_version(c, osip_strdup("SIP/2.0"));
	err = sip_oerr(osip_uri_clone(ss->invite->req_uri, &c->req_uri));
	if (!err)
		err = sip_oerr(osip_from_clone(ss->invite->from, &c->from));
	if (!err)
		err = sip_oerr(osip_to_clone(ss->invite->to, &c->to));
	if (!err)
		err = sip_oerr(osip_call_id_clone(ss->invite->call_id, &c->call_id));
	snprintf(buf, sizeof(buf), "%s CANCEL", ss->invite->cseq->number);
	if (!err)
		err = sip_oerr(osip_message_set_cseq(c, buf));
	if (!err)
		err = sip_oerr(osip_message_set_max_forwards(c, "70"));
	if (!err && !(err = sip_oerr(osip_via_clone(osip_list_get(&ss->invite->vias, 0), &via))))
		osip_list_add(&c->vias, via, -1);
	if (!err)
		err = sip_oerr(osip_list_clone(&ss->invite->routes, &c->routes,
					       (int (*)(void *, void **)) & osip_from_clone));
	if (!err && ss->reason) /* RFC 3326 §2 */
		err = sip_msg_add_header(c, "Reason", ss->reason);
	if (err) {
		osip_message_free(c);
		return err;
	}
	return sip_txn_request(NULL, ss->s->txl, c, &ss->peer, NULL, NULL);
}

int sip_sess_cancel(struct sip_sess *ss)
{
	int err;

	if (!ss->s || !ss->uac || ss->cancelled ||
	    (ss->state != SIP_SESS_CALLING && ss->state != SIP_SESS_EARLY))
		return EPROTO;
	if (sip_tgt_cancel(ss)) /* still looking the host up: nothing sent */
		return 0;
	if (!ss->got_1xx) { /* §9.1: wait for a provisional response */
		ss->cancelled = ss->cancel_held = true;
		LOGD(LC_SIP, ss->name, "CANCEL held until a provisional response");
		return 0;
	}
	err = cancel_send(ss);
	if (!err)
		ss->cancelled = true;
	return err;
}
