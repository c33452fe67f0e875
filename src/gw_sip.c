/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gateway's SIP side; see gw_sip.h. */
#include "gw_sip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h" /* autoconf: PACKAGE_VERSION */
#include "core/log.h"
#include "core/mem.h"
#include "gw_reg.h"

struct gw_sip {
	struct sip_stack *stack;
	struct leg_sip_env env;
	const struct sg_config *cfg; /* in force: access control reads it */
	struct gw_reg *reg;	     /* registrations (gw_reg.c) */
	bool accepting;
	uint16_t port[SIP_PROTO__COUNT]; /* as bound */
};

static void on_invite(struct sip_sess *sess, const struct sip_msg *msg, void *arg)
{
	struct gw_sip *s = arg;
	if (!s->accepting) {
		/* RFC 3261 §21.5.4: the gateway is going away; try elsewhere. */
		sip_sess_set_reason(sess, "Q.850;cause=42");
		sip_sess_answer(sess, 503, NULL, NULL, NULL);
		return;
	}
	/* The trunk the access check matched (gw_access.c) names the call. */
	s->env.trunk = gw_access_trunk_name(s->cfg, msg);
	leg_sip_incoming(&s->env, sess, msg); /* answers failures itself */
	s->env.trunk = s->cfg->sip.trunk;
}

static void on_sess(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
		    const struct sip_msg *msg, void *arg)
{
	(void)arg;
	leg_sip_sess_event(sess, ev, status, msg);
}

/* Out-of-dialog requests other than INVITE and OPTIONS: not for a gateway
 * without a registrar or presence (405 with Allow). */
static uint16_t on_request(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return 405;
}

static const struct sip_handlers handlers = { on_invite, on_sess, on_request };

static int addr_set(struct leg_sip_env *env, const char *ip)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&env->rtp_addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&env->rtp_addr;
	memset(&env->rtp_addr, 0, sizeof(env->rtp_addr));
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		env->rtp_addr_len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		env->rtp_addr_len = sizeof(*a6);
		return 0;
	}
	return EINVAL;
}

/* The files were checked when the configuration was read; this loads them. */
static int tls_setup(struct gw_sip *s, const struct sg_sip *c)
{
	struct sip_tls_conf tc = {
		.cert_file = c->tls_certificate,
		.key_file = c->tls_private_key[0] ? c->tls_private_key : NULL,
		.ca_file = c->tls_ca_file[0] ? c->tls_ca_file : NULL,
		.verify = c->tls_verify,
	};
	char why[512];
	int rc = sip_stack_tls(s->stack, &tc, why, sizeof(why));
	if (rc)
		LOGE(LC_SIP, NULL, "TLS: %s", why);
	else if (!c->tls_verify)
		LOGW(LC_SIP, NULL, "TLS: servers we connect to are not verified (tls_verify = no)");
	return rc;
}

static int listen_on(struct gw_sip *s, const struct sg_sip *c)
{
	const enum sip_proto protos[] = { SIP_PROTO_UDP, SIP_PROTO_TCP, SIP_PROTO_TLS };
	const bool on[] = { c->udp, c->tcp, c->tls };
	if (c->tls) {
		int rc = tls_setup(s, c);
		if (rc)
			return rc;
	}
	for (int i = 0; i < 3; i++) {
		uint16_t bound = 0;
		unsigned port = protos[i] == SIP_PROTO_TLS ? c->tls_port : c->port;
		if (!on[i])
			continue;
		int rc = sip_stack_listen(s->stack, protos[i], c->listen, (uint16_t)port, &bound);
		if (rc) {
			LOGE(LC_SIP, NULL, "listen %s %s:%u: %s", sip_proto_name(protos[i]),
			     c->listen, port, strerror(rc));
			return rc;
		}
		LOGN(LC_SIP, NULL, "listening on %s %s:%u", sip_proto_name(protos[i]), c->listen,
		     bound);
		s->port[protos[i]] = bound;
	}
	return 0;
}

static void gw_sip_destroy(void *data)
{
	struct gw_sip *s = data;
	mem_deref(s->reg); /* before the stack it sends on */
	mem_deref(s->stack);
	mem_deref(s->env.media_totals);
}

/* The stack's settings from [sip] (gwconf_sip.c validated them). */
static void stack_conf(struct sip_conf *sc, const struct sg_sip *c)
{
	sip_conf_defaults(sc);
	sc->t1 = c->t1;
	sc->t2 = c->t2;
	sc->t4 = c->t4;
	sc->max_msg = c->max_msg;
	sc->tcp_idle_timeout = c->tcp_idle_timeout;
	sc->rel100 = (enum sip_100rel)c->rel100;
	sc->session_expires = c->session_expires;
	sc->min_se = c->min_se;
	sc->max_sessions = c->max_sessions;
	sc->max_txns = c->max_txns;
	sc->retry_after = c->retry_after;
	snprintf(sc->dns_servers, sizeof(sc->dns_servers), "%s", c->dns_servers);
	sc->dns_timeout_ms = (unsigned)(c->dns_timeout / NS_PER_MS);
	sc->dns_tries = c->dns_tries;
	snprintf(sc->user_agent, sizeof(sc->user_agent), "strowger/%s", PACKAGE_VERSION);
}

int gw_sip_alloc(struct gw_sip **sp, struct loop *loop, const struct sg_config *cfg,
		 const struct call_env *calls, bool alaw)
{
	struct gw_sip *s = mem_zalloc(sizeof(*s), gw_sip_destroy);
	if (!s)
		return ENOMEM;
	s->accepting = true;
	s->cfg = cfg;
	struct sip_conf sc;
	stack_conf(&sc, &cfg->sip);
	int rc = sip_stack_alloc(&s->stack, loop, &sc, &handlers, s);
	s->env = (struct leg_sip_env){
		.loop = loop, .sip = s->stack, .calls = calls,
		.port_min = (uint16_t)cfg->sip.rtp_port_min,
		.port_max = (uint16_t)cfg->sip.rtp_port_max,
		.tdm_law = alaw ? MEDIA_LAW_ALAW : MEDIA_LAW_ULAW,
		.trunk = cfg->sip.trunk, .causes = cfg->causes,
	};
	if (!rc)
		rc = addr_set(&s->env, cfg->sip.rtp_address);
	if (!rc)
		rc = listen_on(s, &cfg->sip);
	if (!rc)
		rc = gw_access_install(s->stack, &s->cfg);
	if (!rc)
		rc = gw_reg_alloc(&s->reg, s->stack, cfg);
	if (rc) {
		mem_deref(s);
		return rc;
	}
	*sp = s;
	return 0;
}

const struct leg_sip_env *gw_sip_env(const struct gw_sip *s)
{
	return &s->env;
}

const struct sip_stack *gw_sip_stack(const struct gw_sip *s)
{
	return s->stack;
}

void gw_sip_update(struct gw_sip *s, const struct sg_config *cfg)
{
	/* The trunk name lives in the configuration that is now in force. */
	s->env.causes = cfg->causes;
	s->env.trunk = cfg->sip.trunk;
	s->cfg = cfg;
	gw_reg_update(s->reg, cfg);
}

const struct gw_reg *gw_sip_reg(const struct gw_sip *s)
{
	return s->reg;
}

void gw_sip_accepting(struct gw_sip *s, bool on)
{
	s->accepting = on;
	if (!on) /* shutting down: remove our bindings (RFC 3261 §10.2.2) */
		gw_reg_stop(s->reg);
}

void gw_sip_set_trunks(struct gw_sip *s, leg_sip_trunk_h *target, leg_sip_admit_h *admit,
		       void *arg)
{
	s->env.trunk_target = target;
	s->env.admit = admit;
	s->env.trunk_arg = arg;
}

void gw_sip_set_media_totals(struct gw_sip *s, struct media_totals *t)
{
	mem_deref(s->env.media_totals);
	s->env.media_totals = mem_ref(t);
}

uint16_t gw_sip_port(const struct gw_sip *s, enum sip_proto proto)
{
	return proto < SIP_PROTO__COUNT ? s->port[proto] : 0;
}
