/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway's SIP trunks at run time (see gw_trunk.h): targets for
 * `route trunk NAME`, limits and counts, `strowger-ctl trunks`.
 *
 * Targets.  A trunk's host is an IP literal or a name.  A name is located
 * by the SIP stack (RFC 3263: NAPTR, SRV, A/AAAA; src/sip/resolve*), so a
 * name without a port keeps port 0 and SRV decides.  The trunk's username
 * and password answer its 401/407 challenges (RFC 3261 §22.2).
 */
#include "gw_trunk.h"
#include "gw_reg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "call/limit.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "ctl/ctl.h"

struct trunk_rt {
	struct sg_trunk conf;	  /* a copy: the configuration may be reloaded */
	struct call_limit *limit; /* referenced by the legs on the trunk too */
	uint64_t failovers;	  /* calls that left it for another destination */
};

struct gw_trunks {
	struct loop *loop;
	struct trunk_rt t[SG_MAX_TRUNKS];
	unsigned n;
};

static void trunks_destroy(void *data)
{
	struct gw_trunks *ts = data;
	for (unsigned i = 0; i < ts->n; i++)
		mem_deref(ts->t[i].limit);
}

static struct trunk_rt *find(const struct gw_trunks *ts, const char *name)
{
	for (unsigned i = 0; name && i < ts->n; i++)
		if (!strcmp(ts->t[i].conf.name, name))
			return (struct trunk_rt *)&ts->t[i];
	return NULL;
}

int gw_trunks_update(struct gw_trunks *ts, const struct sg_config *cfg)
{
	struct trunk_rt next[SG_MAX_TRUNKS] = {0};
	int rc = 0;
	for (unsigned i = 0; i < cfg->n_trunks && !rc; i++) {
		struct trunk_rt *old = find(ts, cfg->trunks[i].name);
		next[i].conf = cfg->trunks[i];
		if (old) { /* its calls and counts go on */
			next[i].limit = mem_ref(old->limit);
			next[i].failovers = old->failovers;
		} else {
			rc = call_limit_alloc(&next[i].limit);
		}
		if (!rc)
			call_limit_set(next[i].limit, cfg->trunks[i].max_calls,
				       cfg->trunks[i].max_cps);
	}
	if (rc) { /* out of memory: the old table stays */
		for (unsigned i = 0; i < cfg->n_trunks; i++)
			mem_deref(next[i].limit);
		return rc;
	}
	trunks_destroy(ts);
	memcpy(ts->t, next, sizeof(next));
	ts->n = cfg->n_trunks;
	return 0;
}

int gw_trunks_alloc(struct gw_trunks **tp, struct loop *loop, const struct sg_config *cfg)
{
	struct gw_trunks *ts = mem_zalloc(sizeof(*ts), trunks_destroy);
	if (!ts)
		return ENOMEM;
	ts->loop = loop;
	int rc = gw_trunks_update(ts, cfg);
	if (rc) {
		mem_deref(ts);
		return rc;
	}
	*tp = ts;
	return 0;
}

/* --- targets ------------------------------------------------------------ */

/* "192.0.2.1", "2001:db8::1" or "[2001:db8::1]" into `ip`; false for a
 * name. */
static bool ip_literal(const char *host, char *ip, size_t sz)
{
	char txt[64];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n >= sizeof(txt) || n >= sz)
		return false;
	memcpy(txt, host, n);
	txt[n] = '\0';
	uint8_t a[16];
	if (inet_pton(AF_INET, txt, a) != 1 && inet_pton(AF_INET6, txt, a) != 1)
		return false;
	memcpy(ip, txt, n + 1);
	return true;
}

/* Where the trunk's host is on the network.  RFC 3263 §4.2: an IP literal
 * without a port means the transport's default port; a name without one is
 * for SRV to say. */
static void target_host(const struct sg_trunk *c, struct leg_sip_target *t)
{
	bool literal = ip_literal(c->host, t->ip, sizeof(t->ip));
	if (!literal)
		snprintf(t->ip, sizeof(t->ip), "%s", c->host);
	t->tp_given = true; /* the trunk's transport is configured, not looked up */
	t->port = (uint16_t)c->port;
	if (!t->port && literal)
		t->port = t->proto == SIP_PROTO_TLS ? 5061 : 5060;
}

int gw_trunk_target(void *arg, const char *name, struct leg_sip_target *t)
{
	const struct trunk_rt *tr = find(arg, name);
	if (!tr || !tr->conf.host[0])
		return ENOENT; /* --check-config makes this a configuration error */
	const struct sg_trunk *c = &tr->conf;
	memset(t, 0, sizeof(*t));
	t->proto = c->transport == SG_TRUNK_TLS   ? SIP_PROTO_TLS
		   : c->transport == SG_TRUNK_TCP ? SIP_PROTO_TCP
						  : SIP_PROTO_UDP;
	target_host(c, t);
	snprintf(t->username, sizeof(t->username), "%s", c->username);
	snprintf(t->password, sizeof(t->password), "%s", c->password);
	/* The Request-URI's host is the trunk's as configured (RFC 3261
	 * §19.1.1), with the port only if one was given. */
	bool v6 = strchr(c->host, ':') && c->host[0] != '[';
	char port[16] = "";
	if (c->port)
		snprintf(port, sizeof(port), ":%u", c->port);
	snprintf(t->domain, sizeof(t->domain), "%s%s%s%s", v6 ? "[" : "", c->host, v6 ? "]" : "",
		 port);
	return 0;
}

/* --- limits --------------------------------------------------------------- */

static int admit(struct gw_trunks *ts, const char *name, struct call_leg *leg, bool out,
		 unsigned *retry_after)
{
	struct trunk_rt *tr = find(ts, name);
	if (!tr)
		return 0; /* not a [trunk]: nothing limits it */
	int rc = call_leg_limit_take(leg, tr->limit, out, loop_now(ts->loop), retry_after);
	if (rc)
		LOGN(LC_CALL, tr->conf.name, "%s call refused: at max_%s (%u)",
		     out ? "outgoing" : "incoming", rc == EBUSY ? "calls" : "cps",
		     rc == EBUSY ? tr->conf.max_calls : tr->conf.max_cps);
	return rc;
}

int gw_trunk_admit_in(void *arg, const char *name, struct call_leg *leg, unsigned *retry_after)
{
	return admit(arg, name, leg, false, retry_after);
}

int gw_trunk_admit_out(struct gw_trunks *ts, const char *name, struct call_leg *leg)
{
	return admit(ts, name, leg, true, NULL) ? EBUSY : 0;
}

void gw_trunk_failover(struct gw_trunks *ts, const char *name)
{
	struct trunk_rt *tr = find(ts, name);
	if (tr)
		tr->failovers++;
}

/* --- strowger-ctl ----------------------------------------------------------- */

static const char *const tp_names[] = {"udp", "tcp", "tls"};

static void limit_txt(char *buf, size_t sz, unsigned v)
{
	if (v)
		snprintf(buf, sz, "%u", v);
	else
		snprintf(buf, sz, "-");
}

int gw_trunks_show(const struct gw_trunks *ts, const struct gw_reg *reg, struct ctl_out *out)
{
	ctl_printf(out, "%-16s %-28s %-5s %9s %7s %5s %5s %10s %9s %-12s %8s %4s %8s\n", "trunk",
		   "destination", "tp", "max_calls", "max_cps", "in", "out", "refused", "failovers",
		   "registration", "expires", "last", "next");
	for (unsigned i = 0; i < ts->n; i++) {
		const struct trunk_rt *tr = &ts->t[i];
		const struct sg_trunk *c = &tr->conf;
		const struct call_limit *l = tr->limit;
		char dest[300], mc[16], mcps[16], ref[48], regcols[160];
		if (!c->host[0])
			snprintf(dest, sizeof(dest), "- (inbound only)");
		else if (c->port)
			snprintf(dest, sizeof(dest), "%s:%u", c->host, c->port);
		else
			snprintf(dest, sizeof(dest), "%s", c->host);
		limit_txt(mc, sizeof(mc), c->max_calls);
		limit_txt(mcps, sizeof(mcps), c->max_cps);
		snprintf(ref, sizeof(ref), "%llu/%llu", (unsigned long long)l->refused[0],
			 (unsigned long long)l->refused[1]);
		gw_reg_describe(reg, c->name, regcols, sizeof(regcols));
		ctl_printf(out, "%-16s %-28s %-5s %9s %7s %5u %5u %10s %9llu %s\n", c->name, dest,
			   tp_names[c->transport], mc, mcps, l->calls[0], l->calls[1], ref,
			   (unsigned long long)tr->failovers, regcols);
	}
	return 0;
}

int gw_trunks_counters(const struct gw_trunks *ts, struct ctl_out *out)
{
	for (unsigned i = 0; i < ts->n; i++) {
		const struct trunk_rt *tr = &ts->t[i];
		const struct call_limit *l = tr->limit;
		const char *n = tr->conf.name;
		ctl_printf(out, "trunk.%s.calls_in %u\ntrunk.%s.calls_out %u\n", n, l->calls[0], n,
			   l->calls[1]);
		ctl_printf(out, "trunk.%s.total_in %llu\ntrunk.%s.total_out %llu\n", n,
			   (unsigned long long)l->total[0], n, (unsigned long long)l->total[1]);
		ctl_printf(out, "trunk.%s.refused_in %llu\ntrunk.%s.refused_out %llu\n", n,
			   (unsigned long long)l->refused[0], n, (unsigned long long)l->refused[1]);
		ctl_printf(out, "trunk.%s.failovers %llu\n", n, (unsigned long long)tr->failovers);
	}
	return 0;
}
