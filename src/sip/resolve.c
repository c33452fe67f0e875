/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolver's plumbing: a c-ares channel driven by the loop, and the life
 * of a request.  A request ends exactly once (res_finish) but is freed only
 * when no c-ares callback for it is still due, because c-ares cannot cancel
 * one query: it always calls back.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/resolve_int.h"

static const char *const tp_names[SIP_RES_TP__COUNT] = { "UDP", "TCP", "TLS" };

const char *sip_res_tp_name(enum sip_res_tp tp)
{
	return (unsigned)tp < SIP_RES_TP__COUNT ? tp_names[tp] : "?";
}

int res_status_errno(int status)
{
	switch (status) {
	case ARES_SUCCESS: return 0;
	case ARES_ENODATA:
	case ARES_ENOTFOUND: return ENOENT;
	case ARES_ETIMEOUT: return ETIMEDOUT;
	case ARES_ENOMEM: return ENOMEM;
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION: return ECANCELED;
	/* c-ares gives ECONNREFUSED when every server answered SERVFAIL or
	 * REFUSED: to SIP that is the same failure as a malformed answer. */
	default: return EPROTO;
	}
}

static void timer_fired(void *arg);

/* c-ares reports its timeouts; one loop timer serves them all. */
static void timer_arm(struct sip_resolver *r)
{
	struct timeval tv, *t = ares_timeout(r->channel, NULL, &tv);
	if (!t) {
		loop_timer_cancel(r->loop, &r->tmr);
		return;
	}
	uint64_t ns = (uint64_t)t->tv_sec * NS_PER_S + (uint64_t)t->tv_usec * NS_PER_US;
	loop_timer_start(r->loop, &r->tmr, ns ? ns : NS_PER_MS, timer_fired, r);
}

static void timer_fired(void *arg)
{
	struct sip_resolver *r = arg;
	ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	timer_arm(r);
}

static void fd_ready(int fd, uint32_t events, void *arg)
{
	struct sip_resolver *r = arg;
	ares_process_fd(r->channel, events & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
			events & EPOLLOUT ? fd : ARES_SOCKET_BAD);
	timer_arm(r);
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct sip_resolver *r = data;
	uint32_t ev = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
	if (!ev) {
		loop_fd_del(r->loop, fd);
		return;
	}
	if (loop_fd_add(r->loop, fd, ev, fd_ready, r) == EEXIST)
		loop_fd_mod(r->loop, fd, ev);
}

static void req_free(struct sip_res_req *req)
{
	list_unlink(&req->le);
	req->r->n_reqs--;
	free(req);
}

void res_finish(struct sip_res_req *req, int err, const struct sip_target *t, unsigned n)
{
	if (req->done)
		return;
	req->done = true;
	if (!req->cancelled)
		req->h(err, t, n, req->arg);
	if (!req->pending)
		req_free(req);
}

bool res_returned(struct sip_res_req *req)
{
	req->pending--;
	if (!req->done && req->r->destroying) {
		req->done = true;
		req->h(ECANCELED, NULL, 0, req->arg);
	}
	if (!req->done)
		return true;
	if (!req->pending)
		req_free(req);
	return false;
}

void res_query(struct sip_res_req *req, const char *name, int type, ares_callback cb)
{
	req->pending++;
	LOGD(LC_SIP, "resolve", "query %s type %d", name, type);
	ares_query(req->r->channel, name, ns_c_in, type, cb, req);
	if (!req->r->destroying)
		timer_arm(req->r);
}

void res_host_lookup(struct sip_res_req *req, unsigned i, int family, ares_host_callback cb)
{
	req->pending++;
	LOGD(LC_SIP, "resolve", "lookup %s %s", req->hosts[i].name,
	     family == AF_INET ? "A" : "AAAA");
	req->hosts[i].req = req;
	ares_gethostbyname(req->r->channel, req->hosts[i].name, family, cb, &req->hosts[i]);
	timer_arm(req->r);
}

static void resolver_destroy(void *data)
{
	struct sip_resolver *r = data;
	r->destroying = true;
	/* Calls back every query with ARES_EDESTRUCTION: those requests end. */
	if (r->channel)
		ares_destroy(r->channel);
	/* What is left waits on a deferral (an IP literal's answer). */
	struct le *e, *n;
	list_for_each_safe(&r->reqs, e, n) {
		struct sip_res_req *req = container_of(e, struct sip_res_req, le);
		loop_defer_cancel(r->loop, req);
		if (!req->done)
			req->h(ECANCELED, NULL, 0, req->arg);
		req_free(req);
	}
	loop_timer_cancel(r->loop, &r->tmr);
	mem_deref(r->loop);
}

static int channel_init(struct sip_resolver *r, const char *servers)
{
	struct ares_options o = { 0 };
	int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS | ARES_OPT_LOOKUPS;
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = r;
	o.flags = ARES_FLAG_NOSEARCH; /* a SIP URI's host is absolute */
	o.lookups = (char *)"fb";      /* /etc/hosts, then DNS, for A/AAAA */
	if (r->conf.timeout_ms) {
		o.timeout = (int)r->conf.timeout_ms;
		mask |= ARES_OPT_TIMEOUTMS;
	}
	if (r->conf.tries) {
		o.tries = (int)r->conf.tries;
		mask |= ARES_OPT_TRIES;
	}
	int st = ares_init_options(&r->channel, &o, mask);
	if (st == ARES_SUCCESS && servers)
		st = ares_set_servers_ports_csv(r->channel, servers);
	if (st != ARES_SUCCESS)
		LOGE(LC_SIP, "resolve", "c-ares: %s", ares_strerror(st));
	return st == ARES_SUCCESS ? 0 : (st == ARES_ENOMEM ? ENOMEM : EINVAL);
}

int sip_resolver_alloc(struct sip_resolver **rp, struct loop *loop,
		       const struct sip_res_conf *conf)
{
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return EIO;
	struct sip_resolver *r = mem_zalloc(sizeof(*r), resolver_destroy);
	if (!r)
		return ENOMEM;
	r->loop = mem_ref(loop);
	r->conf = *conf;
	r->conf.servers = NULL; /* c-ares copies them: not kept */
	r->seed = conf->seed;
	list_init(&r->reqs);
	loop_timer_init(&r->tmr);
	int rc = channel_init(r, conf->servers);
	if (rc) {
		mem_deref(r);
		return rc;
	}
	*rp = r;
	return 0;
}

int sip_resolve(struct sip_resolver *r, const struct sip_res_query *q, sip_resolve_h *h,
		void *arg, struct sip_res_req **reqp)
{
	if (!q->host || strlen(q->host) >= RES_NAME_MAX || !*q->host)
		return EINVAL;
	struct sip_res_req *req = calloc(1, sizeof(*req));
	if (!req)
		return ENOMEM;
	req->r = r;
	req->h = h;
	req->arg = arg;
	strcpy(req->host, q->host);
	req->q = *q;
	req->q.host = req->host;
	list_append(&r->reqs, &req->le);
	r->n_reqs++;
	if (reqp)
		*reqp = req;
	res_start(req);
	return 0;
}

void sip_resolve_cancel(struct sip_res_req *req)
{
	if (!req || req->done)
		return;
	req->cancelled = true;
	req->done = true;
	if (!req->pending)
		req_free(req);
}

unsigned sip_resolver_pending(const struct sip_resolver *r)
{
	return r->n_reqs;
}
