/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_target: an INVITE toward a host name (RFC 3263).
 *
 *   sip_sess_invite(dst_host = "pbx.example.net")
 *        │  session made now (CALLING), INVITE built without Via/Contact
 *        ▼
 *   resolve (NAPTR → SRV → A/AAAA, resolve*.c on c-ares)
 *        │  targets t[0..n-1], in the order to try them
 *        ▼
 *   target i: Via (new branch) + Contact for its transport and family,
 *             a new INVITE client transaction
 *        │  transport error (503), Timer B (408) or a 503 response
 *        │  while no provisional has been reported: i + 1 (§4.3)
 *        ▼
 *   none left: TERMINATED with the last status
 *
 * Every try carries the same Call-ID, From tag and CSeq: it is the same
 * request sent again elsewhere (RFC 3263 §4.3).  An IP literal never comes
 * here: session_uac.c sends it at once, with no lookup and no deferral, so
 * the call-rate path is untouched.  The resolver is made on first use from
 * sip_conf's dns_* settings (servers, or /etc/resolv.conf).
 *
 * A 503 after a provisional response ends the call instead: the call layer
 * has already been told the far end is ringing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/resolve.h"
#include "sip/session.h"
#include "sip/transport.h"

struct sip_tgt {
	struct sip_res_req *req; /* the lookup in progress, or NULL */
	osip_message_t *tmpl;	 /* the INVITE without Via and Contact */
	struct sip_target t[SIP_RES_MAX_TARGETS];
	unsigned n, next;
	uint16_t last; /* status of the last failed try */
	bool sending, retry;
};

/* The stack's resolver, made on first use.  TLS targets are wanted only
 * when the stack has a TLS listener then (a TLS client needs one: its Via
 * sent-by). */
int sip_stack_resolver(struct sip_stack *s, struct sip_resolver **rp)
{
	if (!s->res) {
		struct sip_sa any;
		bool tls = !sip_tp_local(s->tp, SIP_PROTO_TLS, AF_UNSPEC, &any);
		struct sip_res_conf rc = {
		    .servers = s->conf.dns_servers[0] ? s->conf.dns_servers : NULL,
		    .transports = SIP_RES_TP_BIT(SIP_RES_UDP) | SIP_RES_TP_BIT(SIP_RES_TCP) |
				  (tls ? SIP_RES_TP_BIT(SIP_RES_TLS) : 0),
		    .ipv4 = true,
		    .ipv6 = true,
		    .timeout_ms = s->conf.dns_timeout_ms,
		    .tries = s->conf.dns_tries,
		};

		if (getrandom(&rc.seed, sizeof(rc.seed), 0) != sizeof(rc.seed))
			rc.seed = 1;
		int err = sip_resolver_alloc(&s->res, s->loop, &rc);

		if (err)
			return err;
	}
	*rp = s->res;
	return 0;
}

void sip_tgt_free(struct sip_tgt *tg)
{
	if (!tg)
		return;
	sip_resolve_cancel(tg->req);
	if (tg->tmpl)
		osip_message_free(tg->tmpl);
	free(tg);
}

void sip_tgt_stop(struct sip_sess *ss)
{
	if (ss->tgt) {
		sip_resolve_cancel(ss->tgt->req);
		ss->tgt->req = NULL;
	}
}

bool sip_target_peer(struct sip_stack *s, const struct sip_target *t, const char *host,
		     struct sip_peer *dst, struct sip_sa *local)
{
	static const enum sip_proto protos[] = {
	    [SIP_RES_UDP] = SIP_PROTO_UDP, [SIP_RES_TCP] = SIP_PROTO_TCP,
	    [SIP_RES_TLS] = SIP_PROTO_TLS};

	memset(dst, 0, sizeof(*dst));
	dst->udp_fd = -1;
	if ((unsigned)t->tp >= SIP_RES_TP__COUNT || t->addrlen > sizeof(dst->addr.ss))
		return false;
	dst->proto = protos[t->tp];
	memcpy(&dst->addr.ss, &t->addr, t->addrlen);
	dst->addr.len = t->addrlen;
	/* TLS verifies the name we looked up, not the SRV target (RFC 5922 §4.1). */
	snprintf(dst->host, sizeof(dst->host), "%s", host ? host : "");
	return !sip_stack_local(s, dst, local);
}

/* Target i as a peer, with our address toward it; false if we cannot
 * reach its transport or family (no socket for it). */
static bool target_peer(struct sip_sess *ss, unsigned i, struct sip_peer *dst, struct sip_sa *local)
{
	const char *host = ss->tgt->tmpl->req_uri ? ss->tgt->tmpl->req_uri->host : NULL;

	return sip_target_peer(ss->s, &ss->tgt->t[i], host, dst, local);
}

/* The template with a Via (new branch) and Contact for this target; the
 * session keeps a copy (for CANCEL, ACK, the dialog). */
static int stamp(struct sip_sess *ss, const struct sip_peer *dst, const struct sip_sa *local,
		 osip_message_t **mp)
{
	osip_message_t *m, *copy;
	int err = sip_oerr(osip_message_clone(ss->tgt->tmpl, &m));

	if (err)
		return err;
	err = sip_msg_add_via(m, dst->proto, local);
	if (!err)
		err = sip_msg_add_contact(m, dst->proto, local);
	if (!err)
		err = sip_oerr(osip_message_clone(m, &copy));
	if (err) {
		osip_message_free(m);
		return err;
	}
	if (ss->invite)
		osip_message_free(ss->invite);
	ss->invite = copy;
	sip_peer_reset(&ss->peer);
	sip_peer_copy(&ss->peer, dst);
	*mp = m;
	return 0;
}

static void ict_drop(struct sip_sess *ss)
{
	if (ss->ict)
		sip_txn_detach(ss->ict);
	ss->ict = mem_deref(ss->ict);
}

/* Try targets from `next` on until one is in flight; none left: the end. */
static void try_next(struct sip_sess *ss)
{
	struct sip_tgt *tg = ss->tgt;
	bool flying = false;

	tg->sending = true;
	while (!flying && ss->s && tg->next < tg->n) {
		unsigned i = tg->next++;
		struct sip_peer dst;
		struct sip_sa local;
		struct sip_txn *t = NULL;
		osip_message_t *m;
		char a[64];

		tg->last = 503;
		if (!target_peer(ss, i, &dst, &local) || stamp(ss, &dst, &local, &m))
			continue;
		LOGD(LC_SIP, ss->name, "try %s %s", sip_proto_name(dst.proto),
		     sip_sa_str(&dst.addr, a, sizeof(a)));
		tg->retry = false;
		ss->got_1xx = false;
		int err = sip_txn_request(&t, ss->s->txl, m, &dst, sip_uac_invite_resp, ss);

		if (!ss->s)
			break; /* ended from inside */
		if (err || tg->retry) {
			if (t)
				sip_txn_detach(t);
			continue;
		}
		ict_drop(ss);
		ss->ict = mem_ref(t);
		flying = true;
	}
	tg->sending = false;
	if (!flying && ss->s)
		sip_sess_end(ss, tg->last, NULL);
}

bool sip_tgt_failover(struct sip_sess *ss, const osip_message_t *resp, uint16_t status)
{
	struct sip_tgt *tg = ss->tgt;

	/* RFC 3263 §4.3: a transport error or Timer B (no response), or 503. */
	if (!tg || ss->cancelled || ss->state != SIP_SESS_CALLING ||
	    !(status == 503 || (status == 408 && !resp)))
		return false;
	tg->last = status;
	if (tg->sending) {
		tg->retry = true; /* try_next() below us goes on */
		return true;
	}
	if (tg->next >= tg->n)
		return false;
	LOGN(LC_SIP, ss->name, "%u from target %u of %u: next one", status, tg->next, tg->n);
	ict_drop(ss);
	try_next(ss);
	return true;
}

static void resolved(int err, const struct sip_target *t, unsigned n, void *arg)
{
	struct sip_sess *ss = arg;
	struct sip_tgt *tg = ss->tgt;

	tg->req = NULL;
	if (!ss->s)
		return;
	if (err || !n) {
		LOGN(LC_SIP, ss->name, "cannot locate the server: %s",
		     strerror(err ? err : ENOENT));
		sip_sess_end(ss, err == ETIMEDOUT ? 408 : 503, NULL);
		return;
	}
	memcpy(tg->t, t, n * sizeof(*t));
	tg->n = n;
	mem_ref(ss);
	try_next(ss);
	mem_deref(ss);
}

bool sip_tgt_cancel(struct sip_sess *ss)
{
	if (!ss->tgt || !ss->tgt->req)
		return false;
	/* Nothing was sent yet: no CANCEL either (§9.1); the call just ends. */
	sip_tgt_stop(ss);
	ss->cancelled = true;
	sip_sess_end(ss, 487, NULL);
	return true;
}

int sip_res_tp_of(enum sip_proto proto)
{
	return proto == SIP_PROTO_TLS ? SIP_RES_TLS : proto == SIP_PROTO_TCP ? SIP_RES_TCP : SIP_RES_UDP;
}

static int query_of(const struct sip_invite_prm *p, struct sip_res_query *q)
{
	const char *host = p->dst_host ? p->dst_host : p->dst_ip;

	if (!host || !*host)
		return EINVAL;
	q->host = host;
	q->port = p->dst_port;
	q->transport = !p->tp_given ? -1 : sip_res_tp_of(p->proto);
	q->sips = false;
	return 0;
}

int sip_tgt_invite(struct sip_sess **sessp, struct sip_stack *s, const struct sip_invite_prm *p)
{
	struct sip_peer any = {.proto = p->proto, .udp_fd = -1}; /* AF_UNSPEC */
	struct sip_res_query q;
	struct sip_resolver *r;
	struct sip_sa local;
	osip_message_t *m;
	struct sip_sess *ss;
	int err = query_of(p, &q);

	if (!err)
		err = sip_stack_resolver(s, &r);
	if (!err) /* any address of ours: it only names the Call-ID */
		err = sip_stack_local(s, &any, &local);
	if (!err)
		err = sip_uac_build_invite(s, p, &local, &m);
	if (err)
		return err;
	osip_list_special_free(&m->vias, (void (*)(void *))osip_via_free);
	osip_list_special_free(&m->contacts, (void (*)(void *))osip_contact_free);
	ss = sip_sess_new(s, m->call_id, sip_msg_tag(m->from), &any);
	struct sip_tgt *tg = ss ? calloc(1, sizeof(*tg)) : NULL;

	if (!tg) {
		osip_message_free(m);
		if (ss)
			sip_sess_end(ss, 500, NULL);
		return ENOMEM;
	}
	ss->uac = true;
	ss->tgt = tg;
	tg->tmpl = m;
	if (p->username && (err = sip_sess_auth_set(ss, p->username, p->password))) {
		sip_sess_end(ss, 500, NULL);
		return err;
	}
	ss->local_sdp = p->body ? strdup(p->body) : NULL;
	sip_sess_set_state(ss, SIP_SESS_CALLING);
	err = sip_resolve(r, &q, resolved, ss, &tg->req);
	if (err) {
		tg->req = NULL;
		sip_sess_end(ss, 503, NULL);
		return err;
	}
	if (sessp)
		*sessp = ss;
	return 0;
}
