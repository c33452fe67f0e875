/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_ext: what 100rel (RFC 3262), UPDATE (RFC 3311) and session
 * timers (RFC 4028) share: their per-session state, the option tags we
 * advertise and learn, the hooks session.c and session_uac.c call, and the
 * sender for the in-dialog requests they make (PRACK, UPDATE, re-INVITE).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session_ext.h"

static void sx_destroy(void *data)
{
	struct sip_sx *x = data;

	while (x->q) {
		struct sip_relq *e = x->q;

		x->q = e->next;
		free(e->reason);
		free(e->ctype);
		free(e->body);
		free(e);
	}
	free(x->rel_msg);
	free(x->upd_sdp);
	free(x->glare_ctype);
	free(x->prack_ctype);
	free(x->prack_body);
	mem_deref(x->prack);
	mem_deref(x->upd_in);
	mem_deref(x->upd_out);
	mem_deref(x->reinv);
	mem_deref(x->refer);
	mem_deref(x->req);
}

struct sip_sx *sip_sx_alloc(void)
{
	struct sip_sx *x = mem_zalloc(sizeof(*x), sx_destroy);

	if (x) {
		loop_timer_init(&x->rel_tmr);
		loop_timer_init(&x->st_tmr);
		loop_timer_init(&x->glare_tmr);
	}
	return x;
}

static void detach(struct sip_txn **slot)
{
	if (*slot)
		sip_txn_detach(*slot);
	*slot = mem_deref(*slot);
}

void sip_sx_unlink(struct sip_sess *ss)
{
	struct sip_sx *x = ss->x;

	loop_timer_cancel(ss->s->loop, &x->rel_tmr);
	loop_timer_cancel(ss->s->loop, &x->st_tmr);
	sip_glare_stop(ss);
	detach(&x->prack);
	detach(&x->upd_out);
	detach(&x->reinv);
	detach(&x->refer);
	detach(&x->req);
	x->upd_in = mem_deref(x->upd_in); /* a server txn: never ours to detach */
}

/* --- option tags ----------------------------------------------------------- */

/* libosip2 may keep "a, b" as one header or split it: look at every
 * comma-separated token of every instance, full and compact name. */
static bool list_has(const char *v, const char *tok)
{
	size_t n = strlen(tok);

	while (v && *v) {
		v += strspn(v, " \t,");
		size_t k = strcspn(v, " \t,;");

		if (k == n && !strncasecmp(v, tok, n))
			return true;
		v += strcspn(v, ",");
	}
	return false;
}

bool sip_sx_hdr_has(const osip_message_t *m, const char *name, const char *compact, const char *tok)
{
	const char *names[] = {name, compact};

	if (!strcasecmp(name, "allow")) /* libosip2 keeps Allow in its own list */
		for (int i = 0; i < osip_list_size(&m->allows); i++) {
			osip_allow_t *a = osip_list_get(&m->allows, i);

			if (a && list_has(a->value, tok))
				return true;
		}
	for (int i = 0; i < 2; i++) {
		osip_header_t *h = NULL;
		int pos = 0;

		while (names[i] &&
		       (pos = osip_message_header_get_byname(m, names[i], pos, &h)) >= 0 && h) {
			if (list_has(h->hvalue, tok))
				return true;
			pos++;
		}
	}
	return false;
}

const char *sip_sx_hdr(const osip_message_t *m, const char *name, const char *compact)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || !h)
		if (!compact || osip_message_header_get_byname(m, compact, 0, &h) < 0)
			return NULL;
	return h ? h->hvalue : NULL;
}

void sip_sx_learn(struct sip_sess *ss, const osip_message_t *m)
{
	struct sip_sx *x = ss->x;

	if (sip_sx_hdr_has(m, "supported", "k", "100rel") ||
	    sip_sx_hdr_has(m, "require", NULL, "100rel"))
		x->peer_100rel = true;
	if (sip_sx_hdr_has(m, "supported", "k", "timer") ||
	    sip_sx_hdr_has(m, "require", NULL, "timer"))
		x->peer_timer = true;
	if (sip_sx_hdr_has(m, "allow", NULL, "UPDATE"))
		x->peer_update = true;
}

int sip_sx_add_caps(const struct sip_stack *s, osip_message_t *m)
{
	const struct sip_conf *c = &s->conf;
	const char *sup = NULL;

	if (c->rel100 == SIP_100REL_SUPPORTED && c->session_expires)
		sup = "100rel, timer";
	else if (c->rel100 == SIP_100REL_SUPPORTED)
		sup = "100rel";
	else if (c->session_expires)
		sup = "timer";
	return sup ? sip_msg_add_header(m, "Supported", sup) : 0;
}

int sip_sx_invite_headers(const struct sip_stack *s, osip_message_t *m)
{
	const struct sip_conf *c = &s->conf;
	char v[32];
	int err = sip_sx_add_caps(s, m);

	if (!err && c->rel100 == SIP_100REL_REQUIRED)
		err = sip_msg_add_header(m, "Require", "100rel");
	if (!err) /* so the far end knows it may refresh with UPDATE */
		err = sip_msg_add_header(m, "Allow", SIP_ALLOW);
	if (!err && c->session_expires) { /* RFC 4028 §7.1 */
		snprintf(v, sizeof(v), "%u", c->session_expires);
		err = sip_msg_add_header(m, "Session-Expires", v);
		snprintf(v, sizeof(v), "%u", c->min_se);
		if (!err)
			err = sip_msg_add_header(m, "Min-SE", v);
	}
	return err;
}

/* --- hooks ----------------------------------------------------------------- */

bool sip_sx_uas_invite(struct sip_sess *ss, const osip_message_t *req)
{
	struct sip_sx *x = ss->x;
	struct sip_reject rej = {0};
	uint16_t st;

	sip_sx_learn(ss, req);
	x->inv_offer = osip_list_size(&req->bodies) > 0;
	x->inv_cseq = (uint32_t)strtoul(req->cseq->number, NULL, 10);
	x->rel = sip_sx_hdr_has(req, "require", NULL, "100rel") ||
		 (x->peer_100rel && ss->s->conf.rel100 != SIP_100REL_OFF);
	if (ss->s->conf.rel100 == SIP_100REL_REQUIRED && !x->peer_100rel) {
		st = 421; /* RFC 3262 §3: the UAS may insist */
		rej.extra_name = "Require";
		snprintf(rej.extra, sizeof(rej.extra), "100rel");
	} else {
		st = sip_st_rx_request(ss, req);
		if (st == 422) { /* RFC 4028 §8.1 */
			rej.extra_name = "Min-SE";
			snprintf(rej.extra, sizeof(rej.extra), "%u", ss->s->conf.min_se);
		}
	}
	if (!st)
		return false;
	LOGI(LC_SIP, ss->name, "INVITE refused: %u", st);
	sip_stack_reply(ss->s, ss->ist, st, ss->ltag, &rej);
	sip_sess_end(ss, st, NULL);
	return true;
}

bool sip_sx_answer(struct sip_sess *ss, uint16_t status, const char *reason, const char *ctype,
		   const char *body, int *err)
{
	if (ss->x->upd_in) {
		*err = sip_upd_answer(ss, status, reason, ctype, body);
		return true;
	}
	if (ss->uac && ss->x->prack_wait)
		return sip_rel_uac_answer(ss, status, ctype, body, err);
	if (ss->uac || ss->reinvite || !ss->ist || sip_txn_final_sent(ss->ist))
		return false;
	return sip_rel_answer(ss, status, reason, ctype, body, err);
}

int sip_sx_decorate(struct sip_sess *ss, const osip_message_t *req, uint16_t status,
		    osip_message_t *r)
{
	int err;

	if (!sip_msg_is(req, "INVITE"))
		return 0;
	err = sip_sx_add_caps(ss->s, r);
	if (!err)
		err = sip_msg_add_header(r, "Allow", SIP_ALLOW);
	if (!err && status >= 200)
		err = sip_st_decorate_2xx(ss, r);
	return err;
}

/* RFC 3261 §15.1.2: a BYE in the early dialog (which a reliable 1xx made)
 * ends the INVITE too: 200 to the BYE, 487 to the INVITE. */
static bool early_bye(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req)
{
	osip_message_t *r;

	if (ss->uac || ss->reinvite || !ss->ist || sip_txn_final_sent(ss->ist))
		return false;
	sip_stack_reply(ss->s, t, 200, NULL, NULL);
	sip_rel_stop(ss);
	if (!sip_sess_build_answer(ss, sip_txn_req(ss->ist), 487, NULL, NULL, NULL, NULL, &r))
		sip_txn_respond(ss->ist, r);
	sip_sess_end(ss, 200, req);
	return true;
}

bool sip_sx_rx_request(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req)
{
	if (sip_msg_is(req, "BYE"))
		return early_bye(ss, t, req);
	if (sip_msg_is(req, "PRACK")) {
		sip_rel_rx_prack(ss, t, req);
		return true;
	}
	if (sip_msg_is(req, "UPDATE")) {
		sip_upd_rx(ss, t, req);
		return true;
	}
	if (!sip_msg_is(req, "INVITE"))
		return false;
	/* A re-INVITE: glare with an offer of ours (RFC 3261 §14.2), or an
	 * interval too small for us (RFC 4028 §8.1). */
	if (sip_upd_local_offer(ss)) {
		sip_stack_reply(ss->s, t, 491, NULL, NULL);
		return true;
	}
	sip_sx_learn(ss, req);
	if (sip_st_rx_request(ss, req) == 422) {
		struct sip_reject rej = {.extra_name = "Min-SE"};

		snprintf(rej.extra, sizeof(rej.extra), "%u", ss->s->conf.min_se);
		sip_stack_reply(ss->s, t, 422, NULL, &rej);
		return true;
	}
	return false;
}

/* --- sending and answering in the dialog -------------------------------------- */

static int add_req_headers(struct sip_sess *ss, const struct sip_sx_req *rq, osip_message_t *m,
			   const struct sip_sa *local)
{
	int err = 0;

	for (int i = 0; !err && i < 3 && rq->hname[i]; i++)
		err = sip_msg_add_header(m, rq->hname[i], rq->hval[i]);
	if (!err && rq->contact)
		err = sip_msg_add_contact(m, ss->dlg->peer.proto, local);
	if (!err && rq->contact) /* INVITE/UPDATE: what we can do */
		err = sip_sx_add_caps(ss->s, m);
	if (!err && rq->contact)
		err = sip_msg_add_header(m, "Allow", SIP_ALLOW);
	if (!err && ss->s->conf.user_agent[0])
		err = sip_msg_add_header(m, "User-Agent", ss->s->conf.user_agent);
	if (!err)
		err = sip_msg_add_extra(m, rq->extra);
	if (!err)
		err = sip_msg_set_body(m, rq->body ? rq->ctype : NULL, rq->body);
	return err;
}

void sip_sx_answered(struct sip_sess *ss, struct sip_txn **slot, struct sip_txn *t,
		     uint16_t status, osip_message_t *resp, enum sip_sess_ev ev)
{
	if (status < 200 || *slot != t)
		return;
	mem_ref(ss); /* the user may end the session in the event */
	sip_txn_detach(*slot);
	*slot = mem_deref(*slot);
	sip_sess_emit(ss, ev, status, resp);
	mem_deref(ss);
}

int sip_sx_send(struct sip_sess *ss, const struct sip_sx_req *rq, sip_txn_resp_h *rh,
		struct sip_txn **slot)
{
	struct sip_peer dst;
	struct sip_sa local;
	struct sip_txn *t = NULL;
	osip_message_t *m;
	int err;

	if (!ss->s || !ss->dlg)
		return EPROTO;
	sip_hop_watch(ss);
	err = sip_stack_local(ss->s, &ss->dlg->peer, &local);
	if (!err)
		err =
		    sip_dlg_request(ss->dlg, rq->method, 0, &local, ss->dlg->peer.proto, &m, &dst);
	if (err)
		return err;
	err = add_req_headers(ss, rq, m, &local);
	if (err) {
		osip_message_free(m);
		sip_peer_reset(&dst);
		return err;
	}
	detach(slot);
	err = sip_txn_request(&t, ss->s->txl, m, &dst, rh, ss);
	sip_peer_reset(&dst);
	if (!err && t) {
		*slot = mem_ref(t);
		if (!ss->s) /* ended from inside the request */
			detach(slot);
	}
	return err;
}

int sip_sx_reply(struct sip_sess *ss, struct sip_txn *t, uint16_t status, const char *ctype,
		 const char *body)
{
	const osip_message_t *req = sip_txn_req(t);
	struct sip_sa local;
	osip_message_t *r;
	int err;

	if (!req)
		return EPROTO;
	err = sip_msg_response(&r, req, status, NULL, ss->ltag);
	if (err)
		return err;
	if (status >= 200 && status < 300 && !sip_stack_local(ss->s, &ss->peer, &local))
		err = sip_msg_add_contact(r, ss->peer.proto, &local);
	if (!err && ss->s->conf.user_agent[0])
		err = sip_msg_add_header(r, "Server", ss->s->conf.user_agent);
	if (!err && status >= 200 && status < 300 && sip_msg_is(req, "UPDATE"))
		err = sip_st_decorate_2xx(ss, r);
	if (!err)
		err = sip_msg_set_body(r, body ? ctype : NULL, body);
	if (err) {
		osip_message_free(r);
		return err;
	}
	return sip_txn_respond(t, r);
}
