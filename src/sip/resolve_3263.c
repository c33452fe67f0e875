/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 3263 §4: which transport, which address, which port.
 *
 *   IP literal ──────────────────────────────────────────────► done
 *   port given ─────────────────────────────────► A/AAAA ───► done
 *   ;transport= given ──► SRV _sip[s]._tp.host ─┬► A/AAAA ──► done
 *                                               └ none: A/AAAA host, default port
 *   otherwise ──► NAPTR host ──► SRV of each usable NAPTR, in order ──┐
 *                    │ none usable                                    ├► A/AAAA
 *                    └► SRV _sip._udp/_sip._tcp (or _sips._tcp) ──────┘
 *                          │ none: A/AAAA host, UDP (TLS for sips), 5060 (5061)
 *
 * A step that finds nothing moves to the next; a server failure or timeout
 * ends the request with its error.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/loop.h"
#include "sip/resolve_int.h"

static const char *const naptr_services[SIP_RES_TP__COUNT] = {
	[SIP_RES_UDP] = "SIP+D2U", [SIP_RES_TCP] = "SIP+D2T", [SIP_RES_TLS] = "SIPS+D2T",
};
static const char *const srv_prefix[SIP_RES_TP__COUNT] = {
	[SIP_RES_UDP] = "_sip._udp", [SIP_RES_TCP] = "_sip._tcp", [SIP_RES_TLS] = "_sips._tcp",
};

static bool tp_usable(const struct sip_res_req *req, enum sip_res_tp tp)
{
	if (req->q.sips && tp != SIP_RES_TLS)
		return false; /* RFC 3263 §4.1: a SIPS URI needs TLS */
	return req->r->conf.transports & SIP_RES_TP_BIT(tp);
}

static enum sip_res_tp tp_default(const struct sip_res_req *req)
{
	return req->q.sips ? SIP_RES_TLS : SIP_RES_UDP;
}

static uint16_t port_default(enum sip_res_tp tp)
{
	return tp == SIP_RES_TLS ? 5061 : 5060;
}

/* --- the address step ---------------------------------------------------- */

static void addr_assemble(struct sip_res_req *req)
{
	struct sip_target out[SIP_RES_MAX_TARGETS];
	unsigned n = 0;
	for (unsigned i = 0; i < req->n_hosts; i++) {
		const struct res_host *h = &req->hosts[i];
		for (unsigned k = 0; k < h->n4 && n < SIP_RES_MAX_TARGETS; k++, n++) {
			struct sockaddr_in *sa = (struct sockaddr_in *)&out[n].addr;
			memset(&out[n], 0, sizeof(out[n]));
			sa->sin_family = AF_INET;
			sa->sin_port = htons(h->port);
			sa->sin_addr = h->v4[k];
			out[n].addrlen = sizeof(*sa);
			out[n].tp = h->tp;
		}
		for (unsigned k = 0; k < h->n6 && n < SIP_RES_MAX_TARGETS; k++, n++) {
			struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&out[n].addr;
			memset(&out[n], 0, sizeof(out[n]));
			sa->sin6_family = AF_INET6;
			sa->sin6_port = htons(h->port);
			sa->sin6_addr = h->v6[k];
			out[n].addrlen = sizeof(*sa);
			out[n].tp = h->tp;
		}
	}
	res_finish(req, n ? 0 : (req->addr_err ? req->addr_err : ENOENT), out, n);
}

static void host_cb(void *arg, int status, int timeouts, struct hostent *he)
{
	struct res_host *h = arg; /* the answer belongs to this host */
	struct sip_res_req *req = h->req;
	(void)timeouts;
	if (!res_returned(req))
		return;
	int err = res_status_errno(status);
	if (err && err != ENOENT && !req->addr_err)
		req->addr_err = err;
	for (char **a = !err && he ? he->h_addr_list : NULL; a && *a; a++) {
		if (he->h_addrtype == AF_INET && h->n4 < RES_ADDRS_PER)
			memcpy(&h->v4[h->n4++], *a, sizeof(struct in_addr));
		else if (he->h_addrtype == AF_INET6 && h->n6 < RES_ADDRS_PER)
			memcpy(&h->v6[h->n6++], *a, sizeof(struct in6_addr));
	}
	if (req->pending == 0)
		addr_assemble(req);
}

static void addr_step(struct sip_res_req *req)
{
	const struct sip_res_conf *c = &req->r->conf;
	/* Count every lookup first: a synchronous answer (e.g. /etc/hosts) must
	 * not find pending == 0 before the rest are issued. */
	req->pending++;
	for (unsigned i = 0; i < req->n_hosts; i++) {
		if (c->ipv4)
			res_host_lookup(req, i, AF_INET, host_cb);
		if (c->ipv6)
			res_host_lookup(req, i, AF_INET6, host_cb);
	}
	if (res_returned(req) && req->pending == 0)
		addr_assemble(req);
}

static void addr_of_host(struct sip_res_req *req, uint16_t port, enum sip_res_tp tp)
{
	struct res_host *h = &req->hosts[0];
	memset(h, 0, sizeof(*h));
	strcpy(h->name, req->host);
	h->port = port;
	h->tp = tp;
	req->n_hosts = 1;
	addr_step(req);
}

/* --- SRV ------------------------------------------------------------------ */

unsigned res_srv_order(struct ares_srv_reply *list, struct ares_srv_reply **out, unsigned max,
		       unsigned *seed)
{
	/* RFC 2782: zero-weight records first, then the rest, in answer order. */
	struct ares_srv_reply *left[64];
	unsigned nleft = 0, n = 0;
	for (int zero = 1; zero >= 0; zero--)
		for (struct ares_srv_reply *s = list; s && nleft < 64; s = s->next)
			if ((s->weight == 0) == zero)
				left[nleft++] = s;
	while (nleft && n < max) {
		/* The lowest priority present, and the weight sum within it. */
		unsigned prio = 65536, sum = 0;
		for (unsigned i = 0; i < nleft; i++)
			prio = left[i]->priority < prio ? left[i]->priority : prio;
		for (unsigned i = 0; i < nleft; i++)
			sum += left[i]->priority == prio ? left[i]->weight : 0;
		/* A random number in [0, sum]; the first record whose running sum
		 * reaches it. */
		unsigned pick = sum ? (unsigned)rand_r(seed) % (sum + 1) : 0, run = 0, k = 0;
		for (unsigned i = 0; i < nleft; i++) {
			if (left[i]->priority != prio)
				continue;
			run += left[i]->weight;
			k = i;
			if (run >= pick)
				break;
		}
		out[n++] = left[k];
		memmove(&left[k], &left[k + 1], (nleft - k - 1) * sizeof(left[0]));
		nleft--;
	}
	return n;
}

static void srv_next(struct sip_res_req *req);

static void srv_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct sip_res_req *req = arg;
	(void)timeouts;
	if (!res_returned(req))
		return;
	int err = res_status_errno(status);
	struct ares_srv_reply *list = NULL;
	if (!err && ares_parse_srv_reply(abuf, alen, &list) != ARES_SUCCESS)
		err = ENOENT;
	if (err && err != ENOENT) {
		res_finish(req, err, NULL, 0);
		return;
	}
	struct ares_srv_reply *ord[SIP_RES_MAX_TARGETS];
	unsigned n = list ? res_srv_order(list, ord, SIP_RES_MAX_TARGETS, &req->r->seed) : 0;
	enum sip_res_tp tp = req->cand[req->next_cand - 1].tp;
	req->n_hosts = 0;
	bool refused = false;
	for (unsigned i = 0; i < n; i++) {
		/* RFC 2782: a target of "." says the service is decidedly not
		 * offered at this domain. */
		if (strcmp(ord[i]->host, ".") == 0 || ord[i]->host[0] == '\0') {
			refused = true;
			continue;
		}
		if (strlen(ord[i]->host) >= RES_NAME_MAX)
			continue;
		struct res_host *h = &req->hosts[req->n_hosts++];
		memset(h, 0, sizeof(*h));
		strcpy(h->name, ord[i]->host);
		h->port = ord[i]->port;
		h->tp = tp;
	}
	ares_free_data(list);
	if (req->n_hosts)
		addr_step(req);
	else if (refused)
		res_finish(req, ENOENT, NULL, 0);
	else
		srv_next(req);
}

/* SRV for the next candidate; none left: the host itself. */
static void srv_next(struct sip_res_req *req)
{
	if (req->next_cand == req->n_cand) {
		enum sip_res_tp tp = req->q.transport >= 0 ? (enum sip_res_tp)req->q.transport
							   : tp_default(req);
		addr_of_host(req, port_default(tp), tp);
		return;
	}
	res_query(req, req->cand[req->next_cand++].name, ns_t_srv, srv_cb);
}

static void cand_add(struct sip_res_req *req, const char *name, enum sip_res_tp tp)
{
	if (req->n_cand == RES_NAPTR_MAX || strlen(name) >= RES_NAME_MAX)
		return;
	strcpy(req->cand[req->n_cand].name, name);
	req->cand[req->n_cand++].tp = tp;
}

/* The SRV names for the transports we support, in preference order. */
static void cand_srv_fallback(struct sip_res_req *req, int only)
{
	for (int tp = 0; tp < SIP_RES_TP__COUNT; tp++) {
		if ((only >= 0 && tp != only) || !tp_usable(req, (enum sip_res_tp)tp))
			continue;
		char name[RES_NAME_MAX];
		int w = snprintf(name, sizeof(name), "%s.%s", srv_prefix[tp], req->host);
		if (w > 0 && (size_t)w < sizeof(name))
			cand_add(req, name, (enum sip_res_tp)tp);
	}
}

/* --- NAPTR ----------------------------------------------------------------- */

static int naptr_cmp(const void *a, const void *b)
{
	const struct ares_naptr_reply *x = *(const struct ares_naptr_reply *const *)a;
	const struct ares_naptr_reply *y = *(const struct ares_naptr_reply *const *)b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->preference < y->preference ? -1 : x->preference > y->preference;
}

static void naptr_take(struct sip_res_req *req, struct ares_naptr_reply *list)
{
	struct ares_naptr_reply *v[32];
	unsigned n = 0;
	for (struct ares_naptr_reply *p = list; p && n < 32; p = p->next)
		v[n++] = p;
	qsort(v, n, sizeof(v[0]), naptr_cmp);
	for (unsigned i = 0; i < n; i++) {
		/* RFC 3263 §4.1: flag "s", a service we speak, a replacement. */
		if (strcasecmp((const char *)v[i]->flags, "s") != 0)
			continue;
		for (int tp = 0; tp < SIP_RES_TP__COUNT; tp++)
			if (strcasecmp((const char *)v[i]->service, naptr_services[tp]) == 0 &&
			    tp_usable(req, (enum sip_res_tp)tp))
				cand_add(req, v[i]->replacement, (enum sip_res_tp)tp);
	}
}

static void naptr_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct sip_res_req *req = arg;
	(void)timeouts;
	if (!res_returned(req))
		return;
	int err = res_status_errno(status);
	if (err && err != ENOENT) {
		res_finish(req, err, NULL, 0);
		return;
	}
	struct ares_naptr_reply *list = NULL;
	if (!err && ares_parse_naptr_reply(abuf, alen, &list) == ARES_SUCCESS)
		naptr_take(req, list);
	ares_free_data(list);
	if (req->n_cand == 0)
		cand_srv_fallback(req, -1);
	srv_next(req);
}

/* --- the start ------------------------------------------------------------- */

static void literal_done(void *arg)
{
	struct sip_res_req *req = arg;
	if (res_returned(req))
		res_finish(req, 0, &req->lit, 1);
}

/* "192.0.2.1", "::1" or "[::1]" → a target; false if not a literal. */
static bool literal_parse(struct sip_res_req *req, enum sip_res_tp tp, uint16_t port)
{
	char buf[RES_NAME_MAX];
	const char *h = req->host;
	size_t n = strlen(h);
	if (h[0] == '[' && n > 2 && h[n - 1] == ']') {
		memcpy(buf, h + 1, n - 2);
		buf[n - 2] = '\0';
		h = buf;
	}
	struct sip_target *t = &req->lit;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t->addr;
	memset(t, 0, sizeof(*t));
	t->tp = tp;
	if (inet_pton(AF_INET, h, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		t->addrlen = sizeof(*s4);
		return true;
	}
	if (inet_pton(AF_INET6, h, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		t->addrlen = sizeof(*s6);
		return true;
	}
	return false;
}

void res_start(struct sip_res_req *req)
{
	const struct sip_res_query *q = &req->q;
	enum sip_res_tp tp = q->transport >= 0 ? (enum sip_res_tp)q->transport : tp_default(req);
	/* RFC 3263 §4.1-4.2: a numeric host or an explicit port: no SRV. */
	if (literal_parse(req, tp, q->port ? q->port : port_default(tp))) {
		req->pending++;
		loop_defer(req->r->loop, literal_done, req);
		return;
	}
	if (q->port) {
		addr_of_host(req, q->port, tp);
		return;
	}
	if (q->transport >= 0) {
		cand_srv_fallback(req, q->transport);
		srv_next(req);
		return;
	}
	res_query(req, req->host, ns_t_naptr, naptr_cb);
}
