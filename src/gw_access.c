/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inbound access control of the gateway (see gw_reg.h): the verdict for a
 * new SIP request from the [trunk] sections.
 *
 *   source in a trunk's allow (or its host, when an
 *   IP literal: a registrar calls the Contact we
 *   registered), no inbound_username                accepted as that trunk
 *   source in a trunk's allow, inbound_username set  digest (401), then that trunk
 *   no allow matches, a trunk with inbound_username
 *     and no allow list                              digest; the user name picks it
 *   anything else                                    403
 *
 * The stack does the digest itself (stack_access.c); we only say which
 * password a user name must present.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "gw_reg.h"
#include "sip/sip.h"

static const char *realm_of(const struct sg_config *cfg)
{
	return cfg->general.node[0] ? cfg->general.node : "strowger";
}

static bool digest_only_trunk(const struct sg_config *cfg)
{
	for (unsigned i = 0; i < cfg->n_trunks; i++)
		if (cfg->trunks[i].in_username[0] && !cfg->trunks[i].n_allow)
			return true;
	return false;
}

/* `src` is the trunk's host (an IP literal; v4-mapped IPv6 counts as v4). */
static bool from_host(const struct sg_trunk *t, const struct sockaddr *src)
{
	struct in_addr h4;
	struct in6_addr h6;

	if (src->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)src)->sin6_addr;

		if (inet_pton(AF_INET6, t->host, &h6) == 1)
			return !memcmp(a, &h6, sizeof(h6));
		return IN6_IS_ADDR_V4MAPPED(a) && inet_pton(AF_INET, t->host, &h4) == 1 &&
		       !memcmp(&a->s6_addr[12], &h4, 4);
	}
	return src->sa_family == AF_INET && inet_pton(AF_INET, t->host, &h4) == 1 &&
	       ((const struct sockaddr_in *)src)->sin_addr.s_addr == h4.s_addr;
}

static const struct sg_trunk *trunk_of_source(const struct sg_config *cfg,
					      const struct sockaddr *src)
{
	const struct sg_trunk *t = sg_trunk_by_source(cfg, src);

	for (unsigned i = 0; !t && i < cfg->n_trunks; i++)
		if (cfg->trunks[i].host[0] && from_host(&cfg->trunks[i], src))
			t = &cfg->trunks[i];
	return t;
}

void gw_access_verdict(const struct sg_config *cfg, const struct sockaddr *src,
		       struct sip_access *v)
{
	const struct sg_trunk *t;

	if (!cfg->n_trunks) { /* no [trunk] at all: open, as [sip] trunk */
		v->kind = SIP_ACCESS_ACCEPT;
		v->who = NULL;
		return;
	}
	t = trunk_of_source(cfg, src);
	snprintf(v->realm, sizeof(v->realm), "%s", realm_of(cfg));
	if (t && !t->in_username[0]) {
		v->kind = SIP_ACCESS_ACCEPT;
		v->who = t;
	} else if (t || digest_only_trunk(cfg)) {
		v->kind = SIP_ACCESS_DIGEST;
	} else {
		v->kind = SIP_ACCESS_REJECT;
	}
}

static bool allowed_from(const struct sg_trunk *t, const struct sockaddr *src)
{
	if (!t->n_allow || (t->host[0] && from_host(t, src)))
		return true;
	for (unsigned i = 0; i < t->n_allow; i++)
		if (sg_net_contains(&t->allow[i], src))
			return true;
	return false;
}

const char *gw_access_password(const struct sg_config *cfg, const struct sockaddr *src,
			       const char *realm, const char *username, const void **who)
{
	if (strcmp(realm, realm_of(cfg)))
		return NULL;
	for (unsigned i = 0; i < cfg->n_trunks; i++) {
		const struct sg_trunk *t = &cfg->trunks[i];

		if (t->in_username[0] && !strcmp(t->in_username, username) &&
		    allowed_from(t, src)) {
			*who = t;
			return t->in_password;
		}
	}
	return NULL;
}

static void check(const struct sip_msg *msg, const struct sockaddr *src, struct sip_access *v,
		  void *arg)
{
	(void)msg;
	gw_access_verdict(*(const struct sg_config *const *)arg, src, v);
}

static const char *password(const struct sip_msg *msg, const struct sockaddr *src,
			    const char *realm, const char *username, const void **who, void *arg)
{
	(void)msg;
	return gw_access_password(*(const struct sg_config *const *)arg, src, realm, username, who);
}

int gw_access_install(struct sip_stack *stack, const struct sg_config *const *cfgp)
{
	return sip_stack_set_access(stack, check, password, (void *)cfgp);
}

const char *gw_access_trunk_name(const struct sg_config *cfg, const struct sip_msg *msg)
{
	const struct sg_trunk *t = sip_msg_who(msg);

	return t ? t->name : cfg->sip.trunk;
}
