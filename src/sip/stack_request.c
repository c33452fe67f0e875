/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/stack_request: OPTIONS and MESSAGE of the user's outside any dialog
 * (RFC 3261 §11, e.g. the keep-alive or "qualify" of a trunk; RFC 3428
 * pager-mode messages).  Each is one non-INVITE client transaction: built
 * with register.c's builder, sent, and its final response handed to the
 * caller's callback (408 on Timer F, 503 on a transport error, both
 * without a message).  With credentials, one 401/407 per challenge is
 * answered by sending the request again signed (RFC 3261 §22.2, CSeq + 1,
 * uac_auth.c).
 *
 * The stack keeps the pending ones on a list: sip_stack_request_forget()
 * drops those of an owner that goes away, and the stack's destructor
 * frees the rest without calling back.  Destinations are IP literals; a
 * host name gets ENOTSUP (the RFC 3263 lookup is the INVITE's and
 * REGISTER's only, for now).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/register.h"
#include "sip/session.h"
#include "sip/uac_auth.h"

struct sip_oreq {
	struct le le; /* in the stack's oreqs while pending */
	struct sip_stack *s;
	struct sip_peer dst;
	struct sip_txn *t;
	osip_message_t *sent; /* unsigned copy of the last one sent, for a retry */
	struct sip_uac_auth auth;
	bool has_auth, done;
	sip_request_h *h;
	void *arg;
};

static void oreq_destroy(void *data)
{
	struct sip_oreq *o = data;

	list_unlink(&o->le);
	if (o->t)
		sip_txn_detach(o->t);
	mem_deref(o->t);
	if (o->sent)
		osip_message_free(o->sent);
	sip_peer_reset(&o->dst);
}

static int send_req(struct sip_oreq *o, osip_message_t *m);

/* 0: sent again signed; else the challenge stands as the answer. */
static int retry_signed(struct sip_oreq *o, const osip_message_t *resp)
{
	struct sip_sa local;
	osip_message_t *m = NULL;
	int err;

	if (!o->has_auth || !resp || sip_uac_auth_challenge(&o->auth, resp))
		return EACCES;
	err = sip_stack_local(o->s, &o->dst, &local);
	if (!err)
		err = sip_req_next(o->sent, o->dst.proto, &local, &m);
	if (err)
		return err;
	osip_message_free(o->sent);
	o->sent = NULL;
	if (osip_message_clone(m, &o->sent) || sip_uac_auth_sign(&o->auth, m)) {
		osip_message_free(m);
		return ENOMEM;
	}
	return send_req(o, m);
}

/* The answer: to the caller once, then the list's reference goes. */
static void finish(struct sip_oreq *o, uint16_t status, osip_message_t *resp)
{
	struct sip_msg v = {resp, NULL};

	o->done = true;
	list_unlink(&o->le);
	if (o->h)
		o->h(status, resp ? &v : NULL, o->arg);
	mem_deref(o);
}

static void resp_h(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg)
{
	struct sip_oreq *o = arg;
	int err = EACCES;

	/* o->t is NULL while sip_txn_request() runs: a transport error may
	 * be reported from inside it. */
	if (status < 200 || o->done || (o->t && o->t != t))
		return;
	if (o->t)
		sip_txn_detach(o->t);
	o->t = mem_deref(o->t);
	mem_ref(o);
	if (status == 401 || status == 407)
		err = retry_signed(o, resp);
	if (err && err != EACCES) { /* could not send it again */
		status = 503;
		resp = NULL;
	}
	if (err && !o->done)
		finish(o, status, resp);
	mem_deref(o);
}

/* Ownership of m passes.  A failure reported from inside (transport
 * error) has already answered through resp_h. */
static int send_req(struct sip_oreq *o, osip_message_t *m)
{
	struct sip_txn *t = NULL;
	int err;

	o->t = NULL;
	err = sip_txn_request(&t, o->s->txl, m, &o->dst, resp_h, o);
	if (t && !err && !o->done)
		o->t = mem_ref(t);
	else if (t)
		sip_txn_detach(t);
	return err;
}

static bool bad_line(const char *v)
{
	return !v || !*v || strpbrk(v, "\r\n");
}

static int check_prm(const struct sip_request_prm *p)
{
	if (!p->method || (strcmp(p->method, "OPTIONS") && strcmp(p->method, "MESSAGE")))
		return EINVAL;
	if (bad_line(p->req_uri) || bad_line(p->from) || bad_line(p->to))
		return EINVAL;
	if (p->body && bad_line(p->ctype))
		return EINVAL;
	if (p->proto != SIP_PROTO_UDP && p->proto != SIP_PROTO_TCP && p->proto != SIP_PROTO_TLS)
		return EINVAL;
	return 0;
}

/* An IP literal ("[v6]" as a URI writes it, too); a name: ENOTSUP. */
static int where(struct sip_oreq *o, const struct sip_request_prm *p)
{
	const char *host = p->dst_host ? p->dst_host : p->dst_ip;
	uint16_t port = p->dst_port ? p->dst_port : p->proto == SIP_PROTO_TLS ? 5061 : 5060;
	size_t hl = host ? strlen(host) : 0;

	if (!hl || hl >= sizeof(o->dst.host))
		return EINVAL;
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']')
		snprintf(o->dst.host, sizeof(o->dst.host), "%.*s", (int)hl - 2, host + 1);
	else
		snprintf(o->dst.host, sizeof(o->dst.host), "%s", host);
	o->dst.proto = p->proto;
	o->dst.udp_fd = -1;
	if (!sip_sa_set(&o->dst.addr, o->dst.host, port))
		return 0;
	return p->dst_host && !strpbrk(host, " \t\r\n;<>\"@/") ? ENOTSUP : EINVAL;
}

static int build(struct sip_oreq *o, const struct sip_request_prm *p, osip_message_t **mp)
{
	char cid[33], tag[17];
	struct sip_sa local;
	struct sip_req_hdrs h = {.method = p->method, .ruri = p->req_uri, .from = p->from,
				 .to = p->to, .call_id = cid, .tag = tag, .cseq = 1,
				 .proto = p->proto};
	int err = sip_stack_local(o->s, &o->dst, &local);

	sip_rand_hex(cid, 32);
	sip_rand_hex(tag, 16);
	if (!err)
		err = sip_req_build(o->s, &h, &local, mp);
	if (err)
		return err;
	err = sip_msg_add_extra(*mp, p->extra_headers);
	if (!err)
		err = sip_msg_set_body(*mp, p->body ? p->ctype : NULL, p->body);
	if (!err && o->has_auth && osip_message_clone(*mp, &o->sent))
		err = ENOMEM;
	if (err)
		osip_message_free(*mp);
	return err;
}

int sip_stack_request(struct sip_stack *s, const struct sip_request_prm *p, sip_request_h *h,
		      void *arg)
{
	struct sip_oreq *o;
	osip_message_t *m;
	int err = check_prm(p);

	if (err)
		return err;
	o = mem_zalloc(sizeof(*o), oreq_destroy);
	if (!o)
		return ENOMEM;
	o->s = s;
	o->h = h;
	o->arg = arg;
	err = where(o, p);
	if (!err && p->username) {
		err = sip_uac_auth_init(&o->auth, p->username, p->password ? p->password : "");
		o->has_auth = !err;
	}
	if (!err)
		err = build(o, p, &m);
	if (err) {
		mem_deref(o);
		return err;
	}
	list_append(&s->oreqs, &o->le); /* the list holds o's reference */
	mem_ref(o);
	err = send_req(o, m);
	if (err && !o->done) { /* nothing reported: the caller hears it here */
		o->h = NULL;
		list_unlink(&o->le);
		mem_deref(o);
	}
	if (err)
		LOGI(LC_SIP, NULL, "%s not sent: %s", p->method, strerror(err));
	err = o->done ? 0 : err;
	mem_deref(o);
	return err;
}

void sip_stack_request_forget(struct sip_stack *s, void *arg)
{
	struct le *e, *n;

	list_for_each_safe(&s->oreqs, e, n) {
		struct sip_oreq *o = container_of(e, struct sip_oreq, le);

		if (o->arg == arg) {
			list_unlink(&o->le);
			mem_deref(o);
		}
	}
}

void sip_oreq_close_all(struct sip_stack *s)
{
	struct le *e, *n;

	list_for_each_safe(&s->oreqs, e, n) {
		list_unlink(e);
		mem_deref(container_of(e, struct sip_oreq, le));
	}
}
