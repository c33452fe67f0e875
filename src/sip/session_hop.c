/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_hop: where in-dialog requests go when the next hop (the
 * first Route, else the remote target) names a host (RFC 3261 §12.2.1.1:
 * "the procedures of [RFC 3263]"; §4 of it).
 *
 * The dialog's hop can change (a Record-Route set once, a target refresh
 * by re-INVITE or UPDATE), so the session asks sip_hop_watch() whenever
 * its state changes and before each in-dialog request.  A host name not
 * yet located starts one lookup on the stack's resolver, with the
 * dialog's transport (the request's Via is already written for it) or the
 * URI's own ;transport=; the first target is kept in the dialog
 * (hop_addr) and dialog.c sends there from then on.  A request sent
 * while the lookup runs (an ACK right after the 2xx that named the
 * target) goes where the dialog was set up, as before.  A name that does
 * not resolve leaves it there too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "sip/resolve.h"
#include "sip/session.h"

static void located(int err, const struct sip_target *t, unsigned n, void *arg)
{
	struct sip_dlg *d = arg;
	char a[64];

	d->hop_req = NULL;
	for (unsigned i = 0; !err && i < n; i++) {
		if (t[i].addrlen > sizeof(d->hop_addr.ss))
			continue;
		memcpy(&d->hop_addr.ss, &t[i].addr, t[i].addrlen);
		d->hop_addr.len = t[i].addrlen;
		d->hop_ok = true;
		LOGD(LC_SIP, d->name, "next hop %s is %s", d->hop_name,
		     sip_sa_str(&d->hop_addr, a, sizeof(a)));
		return;
	}
	d->hop_failed = true; /* not asked again for this name */
	LOGN(LC_SIP, d->name, "cannot locate the next hop %s (%s): requests go to the dialog's peer",
	     d->hop_name, err ? strerror(err) : "no target");
}

static bool is_literal(const char *host)
{
	struct sip_sa sa;

	return !sip_sa_set(&sa, host, 5060);
}

static int uri_transport(const osip_uri_t *u, enum sip_proto dflt)
{
	osip_uri_param_t *p = NULL;

	if (!osip_uri_uparam_get_byname((osip_uri_t *)u, "transport", &p) && p && p->gvalue) {
		if (!strcasecmp(p->gvalue, "tcp"))
			return SIP_RES_TCP;
		if (!strcasecmp(p->gvalue, "tls"))
			return SIP_RES_TLS;
		if (!strcasecmp(p->gvalue, "udp"))
			return SIP_RES_UDP;
	}
	return sip_res_tp_of(dflt);
}

void sip_hop_watch(struct sip_sess *ss)
{
	struct sip_dlg *d = ss->dlg;
	const osip_uri_t *hop = d ? sip_dlg_next_hop(d) : NULL;
	struct sip_resolver *r;
	uint16_t port;

	if (!ss->s || ss->state == SIP_SESS_TERMINATED || !hop || !hop->host || strlen(hop->host) >= sizeof(d->hop_name) ||
	    is_literal(hop->host))
		return;
	port = hop->port ? (uint16_t)strtoul(hop->port, NULL, 10) : 0;
	if (!strcasecmp(d->hop_name, hop->host) && d->hop_port == port &&
	    (d->hop_ok || d->hop_req || d->hop_failed))
		return; /* located, being located, or not to be found */
	sip_resolve_cancel(d->hop_req);
	d->hop_req = NULL;
	d->hop_ok = d->hop_failed = false;
	snprintf(d->hop_name, sizeof(d->hop_name), "%s", hop->host);
	d->hop_port = port;
	struct sip_res_query q = {
	    .host = d->hop_name,
	    .port = port,
	    .transport = uri_transport(hop, d->peer.proto),
	    .sips = hop->scheme && !strcasecmp(hop->scheme, "sips"),
	};
	int err = sip_stack_resolver(ss->s, &r);

	if (!err)
		err = sip_resolve(r, &q, located, d, &d->hop_req);
	if (err) {
		d->hop_req = NULL;
		LOGN(LC_SIP, d->name, "cannot look the next hop %s up: %s", d->hop_name,
		     strerror(err));
	}
}
