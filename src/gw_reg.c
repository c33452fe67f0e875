/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway's registrations (see gw_reg.h): a sip_reg per [trunk] with
 * register = yes.  The trunk's host may be a name (located per RFC 3263 by
 * the REGISTER client, with failover between its targets) or an IP
 * literal, over UDP, TCP or TLS (the certificate must name the host).
 */
#include "gw_reg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "ctl/ctl.h"
#include "sip/register.h"

struct gw_reg_one {
	char trunk[64];
	struct sg_trunk conf; /* what it was started with, to see changes */
	struct sip_reg *reg;  /* NULL: could not start (see why) */
	const char *why;
};

struct gw_reg {
	struct sip_stack *stack;
	struct loop *loop;
	struct gw_reg_one one[SG_MAX_TRUNKS];
	unsigned n;
	bool stopped; /* shutting down: a reload starts nothing */
};

static void one_reset(struct gw_reg_one *o)
{
	o->reg = mem_deref(o->reg);
	memset(o, 0, sizeof(*o));
}

static void gw_reg_destroy(void *data)
{
	struct gw_reg *r = data;

	for (unsigned i = 0; i < r->n; i++)
		one_reset(&r->one[i]);
}

static void on_reg(struct sip_reg *reg, const struct sip_reg_info *info, void *arg)
{
	const struct gw_reg_one *o = arg;
	(void)reg;

	LOGI(LC_SIP, o->trunk, "registration %s (last %u)", sip_reg_state_name(info->state),
	     info->last_status);
}

static void one_start(struct gw_reg *r, struct gw_reg_one *o, const struct sg_trunk *t)
{
	char registrar[300], aor[450], port[16] = "";
	bool v6 = strchr(t->host, ':') != NULL;
	static const char *const tp_param[] = {
	    [SG_TRUNK_UDP] = "", [SG_TRUNK_TCP] = ";transport=tcp", [SG_TRUNK_TLS] = ";transport=tls"};
	static const enum sip_proto protos[] = {
	    [SG_TRUNK_UDP] = SIP_PROTO_UDP, [SG_TRUNK_TCP] = SIP_PROTO_TCP,
	    [SG_TRUNK_TLS] = SIP_PROTO_TLS};

	snprintf(o->trunk, sizeof(o->trunk), "%s", t->name);
	o->conf = *t;
	if (t->port) /* none: RFC 3263 finds it (SRV, else 5060/5061) */
		snprintf(port, sizeof(port), ":%u", t->port);
	snprintf(registrar, sizeof(registrar), "sip:%s%s%s%s%s", v6 ? "[" : "", t->host,
		 v6 ? "]" : "", port, tp_param[t->transport]);
	snprintf(aor, sizeof(aor), "sip:%s@%s%s%s", t->username, v6 ? "[" : "", t->host,
		 v6 ? "]" : "");
	struct sip_reg_prm p = {
	    .proto = protos[t->transport],
	    .dst_host = t->host,
	    .dst_port = (uint16_t)t->port,
	    .tp_given = true, /* the trunk's transport is configured, not looked up */
	    .registrar = registrar,
	    .aor = aor,
	    .username = t->username,
	    .password = t->password,
	    .expires = (uint32_t)(t->register_expires / NS_PER_S),
	};
	if (sip_reg_alloc(&o->reg, r->stack, &p, on_reg, o)) {
		o->why = "bad registration parameters";
		LOGE(LC_SIP, t->name, "cannot register: %s", o->why);
	}
}

/* The settings a running registration depends on. */
static bool same_reg(const struct sg_trunk *a, const struct sg_trunk *b)
{
	return !strcmp(a->host, b->host) && a->port == b->port && a->transport == b->transport &&
	       !strcmp(a->username, b->username) && !strcmp(a->password, b->password) &&
	       a->register_expires == b->register_expires;
}

void gw_reg_update(struct gw_reg *r, const struct sg_config *cfg)
{
	struct gw_reg_one old[SG_MAX_TRUNKS];
	unsigned n_old = r->n;

	if (r->stopped)
		return;
	memcpy(old, r->one, sizeof(old));
	memset(r->one, 0, sizeof(r->one));
	r->n = 0;
	for (unsigned i = 0; i < cfg->n_trunks; i++) {
		const struct sg_trunk *t = &cfg->trunks[i];
		struct gw_reg_one *o = &r->one[r->n];
		unsigned j;

		if (!t->reg)
			continue;
		r->n++;
		for (j = 0; j < n_old; j++)
			if (old[j].trunk[0] && !strcmp(old[j].trunk, t->name) &&
			    same_reg(&old[j].conf, t))
				break;
		if (j < n_old) { /* unchanged: keep it running */
			*o = old[j];
			if (o->reg)
				sip_reg_set_arg(o->reg, o);
			memset(&old[j], 0, sizeof(old[j]));
			continue;
		}
		one_start(r, o, t);
	}
	for (unsigned j = 0; j < n_old; j++) {
		if (old[j].reg)
			sip_reg_stop(old[j].reg);
		one_reset(&old[j]);
	}
}

int gw_reg_alloc(struct gw_reg **rp, struct sip_stack *stack, const struct sg_config *cfg)
{
	struct gw_reg *r = mem_zalloc(sizeof(*r), gw_reg_destroy);

	if (!r)
		return ENOMEM;
	r->stack = stack;
	gw_reg_update(r, cfg);
	*rp = r;
	return 0;
}

void gw_reg_stop(struct gw_reg *r)
{
	r->stopped = true;
	for (unsigned i = 0; i < r->n; i++)
		if (r->one[i].reg)
			sip_reg_stop(r->one[i].reg);
}

static const struct gw_reg_one *find(const struct gw_reg *r, const char *trunk)
{
	for (unsigned i = 0; r && i < r->n; i++)
		if (!strcmp(r->one[i].trunk, trunk))
			return &r->one[i];
	return NULL;
}

static void secs_in(char *buf, size_t sz, uint64_t at, uint64_t now)
{
	if (!at)
		snprintf(buf, sz, "-");
	else
		snprintf(buf, sz, "%llus",
			 (unsigned long long)(at > now ? (at - now) / NS_PER_S : 0));
}

void gw_reg_describe(const struct gw_reg *r, const char *trunk, char *buf, size_t sz)
{
	const struct gw_reg_one *o = find(r, trunk);
	struct sip_reg_info i;
	char until[24], next[24], last[8];

	if (!o) {
		snprintf(buf, sz, "%-12s %8s %4s %8s", "-", "-", "-", "-");
		return;
	}
	if (!o->reg) {
		snprintf(buf, sz, "%-12s %8s %4s %8s  (%s)", "failed", "-", "-", "-", o->why);
		return;
	}
	sip_reg_info(o->reg, &i);
	uint64_t now = sip_reg_now(o->reg);
	secs_in(until, sizeof(until), i.state == SIP_REG_REGISTERED ? i.until : 0, now);
	secs_in(next, sizeof(next), i.next, now);
	snprintf(last, sizeof(last), i.last_status ? "%u" : "-", i.last_status);
	snprintf(buf, sz, "%-12s %8s %4s %8s", sip_reg_state_name(i.state), until, last, next);
}


