/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [trunk NAME] in strowger.conf: a SIP peer the gateway exchanges calls
 * with (a carrier, a PBX, a proxy).  The name is the one the dial plan
 * uses (`route trunk NAME`, `from trunk:NAME`).
 *
 *   host = sip.example.net    where calls to the trunk go: a host name
 *                             (RFC 3263) or an IP literal; none: inbound only
 *   port = 5060               0: as RFC 3263 finds it (SRV, or 5060/5061)
 *   transport = udp           udp, tcp or tls
 *   username = gw1            our credentials, for the trunk's 401/407
 *   password = secret         challenges (RFC 3261 §22) and for REGISTER
 *   register = no             keep a registration with the trunk (RFC 3261 §10)
 *   register_expires = 3600s  the expiry we ask for
 *   allow = 192.0.2.0/24, 2001:db8::/32
 *                             sources whose requests belong to this trunk
 *                             (besides host itself when an IP literal)
 *   inbound_username = pbx    when set, its requests must carry digest
 *   inbound_password = secret credentials (RFC 7616) before a call starts
 *   max_calls = 0             concurrent calls over the trunk (0: no limit)
 *   max_cps = 0               new calls per second (0: no limit)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/route.h"
#include "gwconf.h"

static const char *const transport_names[] = { "udp", "tcp", "tls", NULL };

/* "192.0.2.0/24" or "2001:db8::1" (a host: the whole prefix). */
static int net_parse(const char *s, size_t len, struct sg_net *net, char *why, size_t whylen)
{
	char txt[64];
	if (len >= sizeof(txt)) {
		snprintf(why, whylen, "'%.*s' is too long for an address", (int)len, s);
		return EINVAL;
	}
	memcpy(txt, s, len);
	txt[len] = '\0';
	char *slash = strchr(txt, '/');
	if (slash)
		*slash = '\0';
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, txt, net->addr) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, txt, net->addr) == 1)
		net->family = AF_INET6;
	else {
		snprintf(why, whylen, "'%s' is not an IPv4 or IPv6 address", txt);
		return EINVAL;
	}
	unsigned bits = net->family == AF_INET ? 32 : 128;
	net->prefix = bits;
	if (slash) {
		char *end;
		unsigned long p = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || p > bits) {
			snprintf(why, whylen, "'/%s' is not a prefix length (0-%u)", slash + 1,
				 bits);
			return EINVAL;
		}
		net->prefix = (unsigned)p;
	}
	struct sg_net masked = *net;
	for (unsigned b = masked.prefix; b < bits; b++)
		masked.addr[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
	if (memcmp(masked.addr, net->addr, sizeof(net->addr))) {
		char ok[INET6_ADDRSTRLEN];
		inet_ntop(net->family, masked.addr, ok, sizeof(ok));
		snprintf(why, whylen, "host bits set in '%.*s'; did you mean %s/%u?", (int)len, s,
			 ok, net->prefix);
		return EINVAL;
	}
	return 0;
}

/* "NET, NET ...": the whole list replaces the default (none). */
static int allow_parse(const char *value, void *field, char *why, size_t whylen)
{
	struct sg_trunk *t = (struct sg_trunk *)((char *)field - offsetof(struct sg_trunk, allow));
	t->n_allow = 0;
	for (const char *p = value + strspn(value, ", "); *p;) {
		size_t n = strcspn(p, ", ");
		if (t->n_allow == SG_TRUNK_MAX_NETS) {
			snprintf(why, whylen, "at most %d networks", SG_TRUNK_MAX_NETS);
			return EINVAL;
		}
		int rc = net_parse(p, n, &t->allow[t->n_allow], why, whylen);
		if (rc)
			return rc;
		t->n_allow++;
		p += n + strspn(p + n, ", ");
	}
	return 0;
}

#define TRUNK_STR(key, field, what)                                                       \
	{ .name = key, .type = CONF_STR, .offset = offsetof(struct sg_trunk, field),       \
	  .size = sizeof(((struct sg_trunk *)0)->field), .dflt = "", .help = what }

static const struct conf_key trunk_keys[] = {
	TRUNK_STR("host", host, "where calls to the trunk go (host name or IP literal)"),
	{ .name = "port", .type = CONF_UINT, .offset = offsetof(struct sg_trunk, port),
	  .min = 0, .max = 65535, .dflt = "0", .help = "0: as RFC 3263 finds it" },
	{ .name = "transport", .type = CONF_ENUM, .offset = offsetof(struct sg_trunk, transport),
	  .names = transport_names, .dflt = "udp", .help = "udp, tcp or tls" },
	TRUNK_STR("username", username, "our user name for the trunk's challenges"),
	TRUNK_STR("password", password, "our password for the trunk's challenges"),
	{ .name = "register", .type = CONF_BOOL, .offset = offsetof(struct sg_trunk, reg),
	  .dflt = "no", .help = "keep a registration with the trunk" },
	{ .name = "register_expires", .type = CONF_DURATION,
	  .offset = offsetof(struct sg_trunk, register_expires), .dflt = "3600s",
	  .min = (int64_t)(60 * NS_PER_S), .max = (int64_t)(86400 * NS_PER_S),
	  .help = "the registration expiry we ask for" },
	{ .name = "allow", .type = CONF_CUSTOM, .offset = offsetof(struct sg_trunk, allow),
	  .parse = allow_parse, .help = "source networks whose requests are this trunk's" },
	TRUNK_STR("inbound_username", in_username, "user name the trunk must authenticate as"),
	TRUNK_STR("inbound_password", in_password, "password the trunk must authenticate with"),
	{ .name = "max_calls", .type = CONF_UINT, .offset = offsetof(struct sg_trunk, max_calls),
	  .min = 0, .max = 1000000, .dflt = "0", .help = "concurrent calls (0: no limit)" },
	{ .name = "max_cps", .type = CONF_UINT, .offset = offsetof(struct sg_trunk, max_cps),
	  .min = 0, .max = 1000000, .dflt = "0", .help = "new calls per second (0: no limit)" },
	CONF_KEYS_END,
};

/* Settings that make sense only together. */
static int trunk_check(const struct conf_section *sec, const struct sg_trunk *t,
		       struct conf_diag *diag)
{
	const char *why = NULL;
	if (!t->host[0] && !t->n_allow && !t->in_username[0])
		why = "give host (calls to it), allow or inbound_username (calls from it)";
	else if (!t->username[0] != !t->password[0])
		why = "username and password go together";
	else if (!t->in_username[0] != !t->in_password[0])
		why = "inbound_username and inbound_password go together";
	else if (t->reg && (!t->host[0] || !t->username[0]))
		why = "register = yes needs host, username and password";
	if (!why)
		return 0;
	conf_diag_err(diag, sec->file, sec->line, "[trunk %s]: %s", sec->name, why);
	return EINVAL;
}

int sg_trunk_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct sg_config *cfg = arg;
	if (cfg->n_trunks == SG_MAX_TRUNKS) {
		conf_diag_err(diag, sec->file, sec->line, "at most %d [trunk] sections",
			      SG_MAX_TRUNKS);
		return EINVAL;
	}
	struct sg_trunk *t = &cfg->trunks[cfg->n_trunks];
	memset(t, 0, sizeof(*t));
	if (strlen(sec->name) >= sizeof(t->name)) {
		conf_diag_err(diag, sec->file, sec->line, "[trunk %s]: the name is too long",
			      sec->name);
		return EINVAL;
	}
	snprintf(t->name, sizeof(t->name), "%s", sec->name);
	int rc = conf_bind(sec, trunk_keys, t, diag);
	if (!rc)
		rc = trunk_check(sec, t, diag);
	if (!rc)
		cfg->n_trunks++;
	return rc;
}

const struct sg_trunk *sg_trunk_find(const struct sg_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_trunks; i++)
		if (!strcmp(cfg->trunks[i].name, name))
			return &cfg->trunks[i];
	return NULL;
}

/* A dial plan is checked with the configuration it runs under: a route to
 * a trunk that is not here, or that has nowhere to send calls, would fail
 * every call it matches, so it is an error at the route's own line. */
struct route_check {
	const struct sg_config *cfg;
	struct conf_diag *diag;
	unsigned errors;
};

static int route_dest_check(const char *rule, enum route_dest_kind kind, const char *name,
			    const char *file, unsigned line, void *arg)
{
	struct route_check *rc = arg;
	if (kind != ROUTE_DEST_TRUNK)
		return 0;
	const struct sg_trunk *t = sg_trunk_find(rc->cfg, name);
	if (!t)
		conf_diag_err(rc->diag, file, line,
			      "rule '%s' routes to trunk '%s', which %s does not define "
			      "(add a [trunk %s] section with its host)",
			      rule, name, rc->cfg->path, name);
	else if (!t->host[0])
		conf_diag_err(rc->diag, file, line,
			      "rule '%s' routes to trunk '%s', which has no host in %s "
			      "(it only takes calls)",
			      rule, name, rc->cfg->path);
	rc->errors += !t || !t->host[0];
	return 0;
}

int sg_trunk_check_routes(const struct sg_config *cfg, struct conf_diag *diag)
{
	struct route_check rc = { cfg, diag, 0 };
	if (cfg->routes)
		route_set_dests(cfg->routes, route_dest_check, &rc);
	return rc.errors ? EINVAL : 0;
}

static bool net_match(const struct sg_net *net, const uint8_t *addr)
{
	unsigned whole = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr, addr, whole))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return (net->addr[whole] & mask) == (addr[whole] & mask);
}

/* An IPv4 peer seen on a dual-stack socket is ::ffff:a.b.c.d (RFC 4291
 * §2.5.5.2); IPv4 networks match it too. */
bool sg_net_contains(const struct sg_net *net, const struct sockaddr *sa)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return net->family == AF_INET && net_match(net, (const uint8_t *)&in->sin_addr);
	}
	if (sa->sa_family != AF_INET6)
		return false;
	const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	if (net->family == AF_INET6)
		return net_match(net, a);
	return !memcmp(a, v4mapped, sizeof(v4mapped)) && net_match(net, a + 12);
}

/* The first trunk (in file order) whose allow list holds `sa`. */
const struct sg_trunk *sg_trunk_by_source(const struct sg_config *cfg, const struct sockaddr *sa)
{
	for (unsigned i = 0; i < cfg->n_trunks; i++)
		for (unsigned n = 0; n < cfg->trunks[i].n_allow; n++)
			if (sg_net_contains(&cfg->trunks[i].allow[n], sa))
				return &cfg->trunks[i];
	return NULL;
}
