/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/stack: the stack object.  Bytes from the transport are checked
 * (msg_check.c), parsed and handed to the transaction layer; new requests
 * and strays go on to the sessions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session.h"

void sip_conf_defaults(struct sip_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->t1 = 500 * NS_PER_MS;
	c->t2 = 4 * NS_PER_S;
	c->t4 = 5 * NS_PER_S;
	c->max_msg = 8192;
	c->tcp_msg_timeout = 32 * NS_PER_S;
	c->tcp_idle_timeout = 300 * NS_PER_S;
	c->answer_options = true;
	c->rel100 = SIP_100REL_SUPPORTED;
	c->session_expires = 1800;
	c->min_se = 90;
	c->retry_after = 5;
	snprintf(c->user_agent, sizeof(c->user_agent), "strowger/%s", "0.1");
}

static void reject_raw(struct sip_stack *s, const struct sip_rx *rx, uint16_t status,
		       const char *why)
{
	char out[4096], tag[17];
	struct sip_peer p = {
	    .proto = rx->proto, .addr = rx->src, .conn = rx->conn, .udp_fd = rx->udp_fd};
	size_t n;

	s->st.rx_bad++;
	sip_rand_hex(tag, 16);
	n = sip_msg_reject_raw(rx->buf, rx->len, status, why, tag, out, sizeof(out));
	LOGI(LC_SIP, "sip stack", "refused (%u): %s", status, why);
	if (n) {
		sip_txl_send_raw(s->txl, out, n, &p);
		s->st.tx_msgs++;
	}
}

static void reject_parsed(struct sip_stack *s, const struct sip_rx *rx, osip_message_t *m,
			  const struct sip_reject *rej)
{
	struct sip_peer p = {
	    .proto = rx->proto, .addr = rx->src, .conn = rx->conn, .udp_fd = rx->udp_fd};
	osip_message_t *r;
	char tag[17];

	s->st.rx_bad++;
	LOGI(LC_SIP, "sip stack", "refused %s (%u): %s", m->sip_method ? m->sip_method : "response",
	     rej->status, rej->warning);
	if (!rej->status || sip_msg_is(m, "ACK"))
		return;
	sip_rand_hex(tag, 16);
	if (sip_msg_response(&r, m, rej->status, NULL, tag))
		return;
	sip_reject_apply(rej, r);
	sip_txl_send(s->txl, r, &p);
	s->st.tx_msgs++;
	osip_message_free(r);
}

static void tp_recv(const struct sip_rx *rx, void *arg)
{
	struct sip_stack *s = arg;
	struct sip_reject rej;
	osip_message_t *m;
	size_t len = rx->len, mlen;
	int err;

	s->st.rx_msgs++;
	if (rx->oversize)
		return reject_raw(s, rx, 513, "Message too large");
	if (rx->bad_framing)
		return reject_raw(s, rx, 400, "Missing or bad Content-Length");
	err = rx->proto == SIP_PROTO_UDP ? sip_frame(rx->buf, len, s->conf.max_msg, &mlen) : 0;
	if (err == EAGAIN)
		return reject_raw(s, rx, 400, "Content-Length larger than the body");
	if (!err && rx->proto == SIP_PROTO_UDP)
		len = mlen; /* §18.3: bytes past Content-Length are dropped */
	if (sip_msg_parse(&m, rx->buf, len))
		return reject_raw(s, rx, 400, "Malformed message");
	if (!sip_msg_check_transport(m, rx->proto, &rej) || !sip_msg_check(m, len, rx->buf, &rej)) {
		reject_parsed(s, rx, m, &rej);
		osip_message_free(m);
		return;
	}
	struct sip_peer p = {
	    .proto = rx->proto, .addr = rx->src, .conn = rx->conn, .udp_fd = rx->udp_fd};

	sip_txl_recv(s->txl, m, &p);
}

static void tp_failed(enum sip_proto proto, const struct sip_sa *peer, void *arg)
{
	struct sip_stack *s = arg;

	sip_txl_conn_failed(s->txl, proto, peer);
}

static void txl_req(struct sip_txn *t, osip_message_t *req, void *arg)
{
	sip_sess_rx_request(arg, t, req);
}

static void txl_stray(osip_message_t *m, const struct sip_peer *peer, void *arg)
{
	sip_sess_rx_stray(arg, m, peer);
}

int sip_stack_reply(struct sip_stack *s, struct sip_txn *t, uint16_t status, const char *to_tag,
		    const struct sip_reject *rej)
{
	const osip_message_t *req = sip_txn_req(t);
	osip_message_t *r;
	char tag[17];
	int err;

	if (!req)
		return EPROTO;
	if (!to_tag) {
		sip_rand_hex(tag, 16);
		to_tag = tag;
	}
	err = sip_msg_response(&r, req, status, NULL, to_tag);
	if (err)
		return err;
	if (rej)
		sip_reject_apply(rej, r);
	if (status == 405 || status == 501 || (status == 200 && sip_msg_is(req, "OPTIONS")))
		sip_msg_add_header(r, "Allow", SIP_ALLOW);
	if (s->conf.user_agent[0])
		sip_msg_add_header(r, "Server", s->conf.user_agent);
	return sip_txn_respond(t, r);
}

int sip_stack_local(struct sip_stack *s, const struct sip_peer *dst, struct sip_sa *out)
{
	return sip_tp_local(s->tp, dst->proto, dst->addr.ss.ss_family, out);
}

static void stack_destroy(void *data)
{
	struct sip_stack *s = data;

	if (s->sessions)
		sip_sess_close_all(s);
	if (s->oreqs.next)
		sip_oreq_close_all(s);
	mem_deref(s->res);
	mem_deref(s->txl);
	mem_deref(s->tp);
	mem_deref(s->sessions);
	mem_deref(s->acc);
}

int sip_stack_alloc(struct sip_stack **sp, struct loop *loop, const struct sip_conf *conf,
		    const struct sip_handlers *h, void *arg)
{
	struct sip_stack *s = mem_zalloc(sizeof(*s), stack_destroy);
	struct sip_tp_prm tpp;
	struct sip_txl_prm txp;
	int err;

	if (!s)
		return ENOMEM;
	s->loop = loop;
	list_init(&s->oreqs);
	s->conf = *conf;
	if (h)
		s->h = *h;
	s->arg = arg;
	tpp.max_msg = conf->max_msg;
	tpp.msg_timeout = conf->tcp_msg_timeout;
	tpp.idle_timeout = conf->tcp_idle_timeout;
	tpp.fail_h = tp_failed;
	txp.t1 = conf->t1;
	txp.t2 = conf->t2;
	txp.t4 = conf->t4;
	err = hash_alloc(&s->sessions, 1024);
	if (!err)
		err = sip_tp_alloc(&s->tp, loop, &tpp, tp_recv, s);
	if (!err)
		err = sip_txl_alloc(&s->txl, loop, s->tp, &txp, txl_req, txl_stray, s);
	if (err) {
		mem_deref(s);
		return err;
	}
	if (conf->max_sessions || conf->max_txns)
		sip_txl_set_gate(s->txl, sip_stack_gate); /* stack_overload.c */
	*sp = s;
	return 0;
}

int sip_stack_listen(struct sip_stack *s, enum sip_proto proto, const char *ip, uint16_t port,
		     uint16_t *bound_port)
{
	struct sip_sa a, b;
	int err;

	if (sip_sa_set(&a, ip, port))
		return EINVAL;
	err = sip_tp_listen(s->tp, proto, &a, &b);
	if (!err && bound_port)
		*bound_port = sip_sa_port(&b);
	return err;
}

int sip_stack_tls(struct sip_stack *s, const struct sip_tls_conf *tc, char *why, size_t whysz)
{
	return sip_tp_tls(s->tp, tc, why, whysz);
}

void sip_stack_stats(const struct sip_stack *s, struct sip_stats *st)
{
	struct sip_txl_stats ts;

	*st = s->st;
	sip_txl_stats(s->txl, &ts);
	st->retransmissions += ts.retransmissions;
	st->txns = ts.created;
}

unsigned sip_stack_sess_count(const struct sip_stack *s)
{
	return s->n_sess;
}
unsigned sip_stack_txn_count(const struct sip_stack *s)
{
	return sip_txl_count(s->txl);
}
