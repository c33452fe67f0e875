/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/register: the REGISTER client (see register.h; RFC 3261 §10.2).
 *
 *   UNREGISTERED --alloc--> REGISTERING --2xx--> REGISTERED --refresh 2xx--> REGISTERED
 *        ^                     |   ^  401/407: again signed (once per challenge)
 *        |                     |   |  423: again with Min-Expires
 *        |              failure v   | backoff timer
 *        |                   FAILED-+            (a refresh failure keeps REGISTERED
 *        +---- stop (Expires: 0) from any state    while the binding outlives the retry)
 *
 * Every REGISTER of one object carries the same Call-ID and From tag and
 * a CSeq one higher than the last (§10.2.4).  Each is built afresh (new
 * branch) and, once a registrar has challenged us, signed with its last
 * challenge so refreshes usually need no extra round trip.
 */
#include "sip/register.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/resolve.h"
#include "sip/session.h"
#include "sip/uac_auth.h"

/* Refresh this long before expiry: 64*T1, the most a non-INVITE
 * transaction may take (§17.1.2.2), so the refresh lands in time. */
#define REFRESH_MARGIN_S  32
#define RETRY_AFTER_MAX_S 86400

struct sip_reg {
	struct sip_stack *s;
	struct sip_peer dst;
	/* RFC 3263: a registrar by name; its targets and the one in use. */
	bool named, tp_given;
	char host[64];
	uint16_t port;
	struct sip_res_req *req;
	struct sip_target tg[SIP_RES_MAX_TARGETS];
	unsigned n_tg, cur;
	char *registrar, *aor, *call_id, *tag, *user;
	struct sip_uac_auth auth;
	uint32_t cseq, expires, retry_min, retry_max;
	bool stopping, pending; /* pending: a REGISTER awaits its final response */
	struct sip_txn *t;
	struct loop_timer timer;
	struct sip_reg_info info;
	sip_reg_h *h;
	void *arg;
	char name[56];
};

static const char *const state_names[] = {"unregistered", "registering", "registered", "failed"};

const char *sip_reg_state_name(enum sip_reg_state st)
{
	return (unsigned)st < 4 ? state_names[st] : "?";
}

static void send_register(struct sip_reg *r);

/* Log lines carry the AOR and the state: "reg alice@example.net{REGISTERED}". */
static void set_state(struct sip_reg *r, enum sip_reg_state st)
{
	const char *aor = strncmp(r->aor, "sip:", 4) ? r->aor : r->aor + 4;
	static const char *const upper[] = {"UNREGISTERED", "REGISTERING", "REGISTERED", "FAILED"};

	if (r->info.state != st && r->name[0])
		LOGD(LC_SIP, r->name, "state_chg to %s", upper[st]);
	r->info.state = st;
	snprintf(r->name, sizeof(r->name), "reg %.28s{%s}", aor, upper[st]);
}

static void reg_destroy(void *data)
{
	struct sip_reg *r = data;

	if (r->t)
		sip_txn_detach(r->t);
	mem_deref(r->t);
	sip_resolve_cancel(r->req);
	if (r->s)
		loop_timer_cancel(r->s->loop, &r->timer);
	free(r->registrar);
	free(r->aor);
	free(r->call_id);
	free(r->tag);
	free(r->user);
	sip_peer_reset(&r->dst);
}

static void report(struct sip_reg *r)
{
	if (r->h)
		r->h(r, &r->info, r->arg);
}

static void locate(struct sip_reg *r);

static void timer_fire(void *arg)
{
	struct sip_reg *r = arg;

	r->info.next = 0;
	sip_uac_auth_done(&r->auth); /* a new attempt: its challenge is a new one */
	if (r->named && (r->info.state != SIP_REG_REGISTERED || r->info.failures))
		locate(r); /* after a failure: look the name up again */
	else
		send_register(r); /* a refresh goes where the binding is */
}

static void schedule(struct sip_reg *r, uint64_t delay_s)
{
	uint64_t d = delay_s * NS_PER_S;

	r->info.next = loop_now(r->s->loop) + d;
	loop_timer_start(r->s->loop, &r->timer, d, timer_fire, r);
}

/* Our binding among the Contacts of a 2xx (the registrar lists every
 * binding of the AOR, other devices' too): same user, host and port. */
static bool is_ours(const struct sip_reg *r, const osip_uri_t *u, const struct sip_sa *local)
{
	char ip[64];
	const char *h = u->host;
	size_t hl = h ? strlen(h) : 0;
	unsigned port = u->port ? (unsigned)strtoul(u->port, NULL, 10) : 5060;

	if (!u->username || strcmp(u->username, r->user) || !h)
		return false;
	sip_sa_ip(local, ip, sizeof(ip));
	if (hl > 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	return strlen(ip) == hl && !strncasecmp(h, ip, hl) && port == sip_sa_port(local);
}

/* §10.2.4: our Contact's expires parameter, else the Expires header, else
 * what we asked for. */
static uint32_t granted(const struct sip_reg *r, const osip_message_t *resp)
{
	osip_contact_t *c = NULL;
	osip_header_t *h = NULL;
	struct sip_sa local;
	bool have_local = !sip_stack_local(r->s, &r->dst, &local);

	for (int i = 0; have_local && osip_message_get_contact(resp, i, &c) >= 0 && c;
	     i++, c = NULL) {
		osip_generic_param_t *p = NULL;

		if (c->url && is_ours(r, c->url, &local) &&
		    !osip_contact_param_get_byname(c, "expires", &p) && p && p->gvalue)
			return (uint32_t)strtoul(p->gvalue, NULL, 10);
	}
	if (osip_message_get_expires(resp, 0, &h) >= 0 && h && h->hvalue)
		return (uint32_t)strtoul(h->hvalue, NULL, 10);
	return r->expires;
}

static uint32_t header_secs(const osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || !h || !h->hvalue)
		return 0;
	return (uint32_t)strtoul(h->hvalue, NULL, 10);
}

static void registered(struct sip_reg *r, const osip_message_t *resp)
{
	uint32_t exp = granted(r, resp);

	sip_uac_auth_done(&r->auth);
	r->info.failures = 0;
	if (!exp) { /* the registrar removed the binding at once */
		set_state(r, SIP_REG_UNREGISTERED);
		r->info.until = 0;
		report(r);
		return;
	}
	set_state(r, SIP_REG_REGISTERED);
	r->info.expires = exp;
	r->info.until = loop_now(r->s->loop) + (uint64_t)exp * NS_PER_S;
	LOGI(LC_SIP, r->name, "registered for %u s", exp);
	schedule(r, exp > 2 * REFRESH_MARGIN_S ? exp - REFRESH_MARGIN_S : exp / 2 + (exp < 2));
	report(r);
}

/* Exponential backoff from retry_min, capped at retry_max; a Retry-After
 * (§20.33) from the registrar wins when it asks for longer. */
static void failed(struct sip_reg *r, uint16_t status, const osip_message_t *resp)
{
	uint64_t delay = r->retry_min;
	uint32_t ra = resp ? header_secs(resp, "retry-after") : 0;

	r->info.failures++;
	r->info.last_status = status;
	for (unsigned i = 1; i < r->info.failures && delay < r->retry_max; i++)
		delay *= 2;
	if (delay > r->retry_max)
		delay = r->retry_max;
	if (ra > delay)
		delay = ra < RETRY_AFTER_MAX_S ? ra : RETRY_AFTER_MAX_S;
	if (r->info.state != SIP_REG_REGISTERED || loop_now(r->s->loop) >= r->info.until)
		set_state(r, SIP_REG_FAILED);
	else if (r->info.until - loop_now(r->s->loop) < delay * NS_PER_S)
		set_state(r, SIP_REG_FAILED); /* the binding ends before the retry */
	LOGN(LC_SIP, r->name, "REGISTER failed (%u); again in %llu s", status,
	     (unsigned long long)delay);
	schedule(r, delay);
	report(r);
}

static bool next_target(struct sip_reg *r);

static void resp_h(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg)
{
	struct sip_reg *r = arg;
	(void)t;

	if (status < 200)
		return;
	r->pending = false;
	if (r->t)
		sip_txn_detach(r->t);
	r->t = mem_deref(r->t);
	r->info.last_status = status;
	if ((status == 401 || status == 407) && resp && !sip_uac_auth_challenge(&r->auth, resp)) {
		send_register(r);
		return;
	}
	if (!r->stopping && (status == 503 || (status == 408 && !resp)) && next_target(r))
		return; /* RFC 3263 §4.3 */
	if (r->stopping) {
		set_state(r, SIP_REG_UNREGISTERED);
		report(r);
		return;
	}
	if (status == 423 && resp) { /* §10.3 step 7: at least Min-Expires */
		uint32_t min = header_secs(resp, "min-expires");

		if (min > r->expires) {
			r->expires = min;
			send_register(r);
			return;
		}
	}
	if (status >= 200 && status < 300 && resp)
		registered(r, resp);
	else
		failed(r, status, resp);
}

/* The start of any out-of-dialog request (RFC 3261 §8.1.1): request line,
 * To, From with our tag, Call-ID, CSeq, Max-Forwards, Via, User-Agent.
 * REGISTER here, OPTIONS and MESSAGE in stack_request.c. */
int sip_req_build(const struct sip_stack *s, const struct sip_req_hdrs *h,
		  const struct sip_sa *local, osip_message_t **mp)
{
	osip_message_t *m;
	osip_uri_t *ruri = NULL;
	char buf[64];
	int err = sip_oerr(osip_message_init(&m));

	if (err)
		return err;
	osip_message_set_method(m, osip_strdup(h->method));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	err = sip_oerr(osip_uri_init(&ruri));
	if (!err && (err = sip_oerr(osip_uri_parse(ruri, h->ruri))))
		osip_uri_free(ruri);
	else if (!err)
		osip_message_set_uri(m, ruri);
	if (!err)
		err = sip_oerr(osip_message_set_from(m, h->from));
	if (!err)
		err = sip_oerr(osip_from_set_tag(m->from, osip_strdup(h->tag)));
	if (!err)
		err = sip_oerr(osip_message_set_to(m, h->to));
	if (!err)
		err = sip_oerr(osip_message_set_call_id(m, h->call_id));
	snprintf(buf, sizeof(buf), "%u %s", h->cseq, h->method);
	if (!err)
		err = sip_oerr(osip_message_set_cseq(m, buf));
	if (!err)
		err = sip_oerr(osip_message_set_max_forwards(m, "70"));
	if (!err)
		err = sip_msg_add_via(m, h->proto, local);
	if (!err && s->conf.user_agent[0])
		err = sip_msg_add_header(m, "User-Agent", s->conf.user_agent);
	if (err) {
		osip_message_free(m);
		return err;
	}
	*mp = m;
	return 0;
}

static int build(struct sip_reg *r, const struct sip_sa *local, osip_message_t **mp)
{
	osip_message_t *m;
	osip_contact_t *c = NULL;
	char aor[512], exp[16];
	struct sip_req_hdrs h = {.method = "REGISTER", .ruri = r->registrar, .from = aor,
				 .to = aor, .call_id = r->call_id, .tag = r->tag,
				 .cseq = ++r->cseq, .proto = r->dst.proto};
	int err;

	snprintf(aor, sizeof(aor), "<%s>", r->aor);
	err = sip_req_build(r->s, &h, local, &m);
	if (err)
		return err;
	err = sip_msg_add_contact(m, r->dst.proto, local);
	if (!err && osip_message_get_contact(m, 0, &c) >= 0 && c && c->url)
		osip_uri_set_username(c->url, osip_strdup(r->user));
	snprintf(exp, sizeof(exp), "%u", r->stopping ? 0 : r->expires);
	if (!err)
		err = sip_oerr(osip_message_set_expires(m, exp));
	if (!err)
		err = sip_uac_auth_sign(&r->auth, m);
	if (err) {
		osip_message_free(m);
		return err;
	}
	*mp = m;
	return 0;
}

static void send_register(struct sip_reg *r)
{
	struct sip_sa local;
	osip_message_t *m;
	struct sip_txn *t = NULL;
	int err = sip_stack_local(r->s, &r->dst, &local);

	if (!err)
		err = build(r, &local, &m);
	if (err) {
		LOGE(LC_SIP, r->name, "cannot build REGISTER: %s", strerror(err));
		if (!r->stopping)
			failed(r, 500, NULL);
		return;
	}
	if (r->info.state != SIP_REG_REGISTERED && !r->stopping)
		set_state(r, SIP_REG_REGISTERING);
	mem_ref(r);
	r->pending = true;
	err = sip_txn_request(&t, r->s->txl, m, &r->dst, resp_h, r);
	if (!err && t && r->pending && !r->t)
		r->t = mem_ref(t);
	else if (t && r->t != t) /* it failed from inside (transport error) */
		sip_txn_detach(t);
	if (err && r->pending) {
		r->pending = false;
		if (!r->stopping && !next_target(r))
			failed(r, 503, NULL);
	}
	mem_deref(r);
}

/* Target i becomes the destination if we have a socket for it. */
static bool use_target(struct sip_reg *r, unsigned i)
{
	struct sip_sa local;
	struct sip_peer p;

	if (!sip_target_peer(r->s, &r->tg[i], r->host, &p, &local))
		return false;
	sip_peer_reset(&r->dst);
	r->dst = p;
	r->cur = i;
	return true;
}

/* RFC 3263 §4.3: after a 503, a timeout or a transport error, the same
 * registration goes to the next target; false when none is left. */
static bool next_target(struct sip_reg *r)
{
	char a[64];

	for (unsigned i = r->cur + 1; r->named && i < r->n_tg; i++) {
		if (!use_target(r, i))
			continue;
		LOGN(LC_SIP, r->name, "trying the next registrar target, %s %s",
		     sip_proto_name(r->dst.proto), sip_sa_str(&r->dst.addr, a, sizeof(a)));
		send_register(r);
		return true;
	}
	return false;
}

static void resolved(int err, const struct sip_target *t, unsigned n, void *arg)
{
	struct sip_reg *r = arg;

	r->req = NULL;
	if (err || !n) {
		LOGN(LC_SIP, r->name, "cannot locate %s: %s", r->host, strerror(err ? err : ENOENT));
		failed(r, err == ETIMEDOUT ? 408 : 503, NULL);
		return;
	}
	memcpy(r->tg, t, n * sizeof(*t));
	r->n_tg = n;
	for (unsigned i = 0; i < n; i++)
		if (use_target(r, i)) {
			send_register(r);
			return;
		}
	LOGN(LC_SIP, r->name, "no target of %s has a transport of ours", r->host);
	failed(r, 503, NULL);
}

/* Look the registrar's name up, then register with the first target. */
static void locate(struct sip_reg *r)
{
	struct sip_resolver *res;
	struct sip_res_query q = {.host = r->host,
				  .port = r->port,
				  .transport = r->tp_given ? sip_res_tp_of(r->dst.proto) : -1};
	int err = sip_stack_resolver(r->s, &res);

	if (r->info.state != SIP_REG_REGISTERED)
		set_state(r, SIP_REG_REGISTERING);
	r->n_tg = r->cur = 0;
	if (!err)
		err = sip_resolve(res, &q, resolved, r, &r->req);
	if (err) {
		r->req = NULL;
		LOGE(LC_SIP, r->name, "cannot look %s up: %s", r->host, strerror(err));
		failed(r, 503, NULL);
	}
}

static char *dup_or_null(const char *s, bool *bad)
{
	char *d = s ? strdup(s) : NULL;

	if (!s || strpbrk(s, "\r\n<>\""))
		*bad = true;
	return d;
}

/* The user part of our Contact: the AOR's. */
static char *aor_user(const char *aor)
{
	const char *p = strchr(aor, ':'), *at = strchr(aor, '@');

	if (!p || !at || at < p)
		return strdup("strowger");
	return strndup(p + 1, (size_t)(at - p - 1));
}

/* The registrar: an IP literal is the destination at once; a name is
 * looked up (RFC 3263) before each first try. */
static int where(struct sip_reg *r, const struct sip_reg_prm *p)
{
	const char *host = p->dst_host ? p->dst_host : p->dst_ip;
	uint16_t port = p->dst_port ? p->dst_port : p->proto == SIP_PROTO_TLS ? 5061 : 5060;
	size_t hl = host ? strlen(host) : 0;

	if (!hl || hl >= sizeof(r->host) || strpbrk(host, " \t\r\n;<>\"@/"))
		return EINVAL;
	if (p->proto != SIP_PROTO_UDP && p->proto != SIP_PROTO_TCP && p->proto != SIP_PROTO_TLS)
		return EINVAL;
	snprintf(r->host, sizeof(r->host), "%s", host);
	if (host[0] == '[' && hl > 2) { /* "[v6]" as a URI writes it */
		snprintf(r->host, sizeof(r->host), "%.*s", (int)hl - 2, host + 1);
	}
	/* TLS verifies the certificate against it (RFC 5922 §7). */
	snprintf(r->dst.host, sizeof(r->dst.host), "%s", r->host);
	if (!sip_sa_set(&r->dst.addr, r->host, port))
		return 0;
	if (strchr(r->host, ':') || !p->dst_host)
		return EINVAL; /* neither an IPv6 literal nor a name; dst_ip: literals only */
	r->named = true;
	r->tp_given = p->tp_given;
	r->port = p->dst_port;
	return 0;
}

int sip_reg_alloc(struct sip_reg **rp, struct sip_stack *s, const struct sip_reg_prm *p,
		  sip_reg_h *h, void *arg)
{
	struct sip_reg *r = mem_zalloc(sizeof(*r), reg_destroy);
	char cid[48], tag[17];
	bool bad = false;

	if (!r)
		return ENOMEM;
	r->s = s;
	r->h = h;
	r->arg = arg;
	loop_timer_init(&r->timer);
	r->dst.proto = p->proto;
	r->dst.udp_fd = -1;
	r->registrar = dup_or_null(p->registrar, &bad);
	r->aor = dup_or_null(p->aor, &bad);
	if (!bad && where(r, p)) {
		mem_deref(r);
		return EINVAL;
	}
	if (bad || (p->username && sip_uac_auth_init(&r->auth, p->username, p->password))) {
		mem_deref(r);
		return EINVAL;
	}
	sip_rand_hex(cid, 24);
	sip_rand_hex(tag, 16);
	r->call_id = strdup(cid);
	r->tag = strdup(tag);
	r->user = aor_user(p->aor);
	r->expires = p->expires ? p->expires : 3600;
	r->retry_min = p->retry_min ? p->retry_min : 30;
	r->retry_max = p->retry_max ? p->retry_max : 1800;
	r->info.expires = r->expires;
	set_state(r, SIP_REG_UNREGISTERED);
	if (!r->call_id || !r->tag || !r->user) {
		mem_deref(r);
		return ENOMEM;
	}
	*rp = r;
	if (r->named)
		locate(r);
	else
		send_register(r);
	return 0;
}

void sip_reg_stop(struct sip_reg *r)
{
	bool bound = r->info.state == SIP_REG_REGISTERED || r->t;

	if (r->stopping)
		return;
	loop_timer_cancel(r->s->loop, &r->timer);
	sip_resolve_cancel(r->req);
	r->req = NULL;
	r->info.next = 0;
	r->stopping = true;
	if (r->t) { /* a REGISTER under way: let it go, unbind after it */
		sip_txn_detach(r->t);
		r->t = mem_deref(r->t);
	}
	sip_uac_auth_done(&r->auth);
	set_state(r, SIP_REG_UNREGISTERED);
	r->info.until = 0;
	if (bound)
		send_register(r);
	report(r);
}

void sip_reg_info(const struct sip_reg *r, struct sip_reg_info *out)
{
	*out = r->info;
}

uint64_t sip_reg_now(const struct sip_reg *r)
{
	return loop_now(r->s->loop);
}

void sip_reg_set_arg(struct sip_reg *r, void *arg)
{
	r->arg = arg;
}
