/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/dialog: RFC 3261 §12 dialog state and in-dialog requests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "sip/dialog.h"
#include "sip/resolve.h"

static void dlg_destroy(void *data)
{
	struct sip_dlg *d = data;

	osip_free(d->call_id);
	osip_free(d->call_id_text);
	osip_free(d->ltag);
	osip_free(d->rtag);
	osip_from_free(d->local);
	osip_from_free(d->remote);
	osip_uri_free(d->target);
	osip_list_special_free(&d->routes, (void (*)(void *))osip_from_free);
	sip_peer_reset(&d->peer);
	sip_resolve_cancel(d->hop_req);
}

/* RFC 3261 §12: the dialog ID is the whole Call-ID (both sides of its
 * '@', §20.8) and the tags; we index by Call-ID and our own tag. */
uint32_t sip_dlg_hash(const osip_call_id_t *cid, const char *ltag)
{
	uint32_t h = hash_fnv(cid->number, strlen(cid->number), HASH_SEED);

	if (cid->host) {
		h = hash_fnv("@", 1, h);
		h = hash_fnv(cid->host, strlen(cid->host), h);
	}
	return ltag ? hash_fnv(ltag, strlen(ltag), h) : h;
}

char *sip_dlg_cid_text(const osip_call_id_t *cid)
{
	char *t = NULL;

	return osip_call_id_to_str(cid, &t) == OSIP_SUCCESS ? t : NULL;
}

bool sip_dlg_cid_eq(const char *text, const osip_call_id_t *cid)
{
	size_t n = strlen(cid->number);

	if (strncmp(text, cid->number, n))
		return false;
	if (!cid->host)
		return !text[n];
	return text[n] == '@' && !strcmp(text + n + 1, cid->host);
}

static int take_target(struct sip_dlg *d, const osip_message_t *m)
{
	osip_contact_t *c = NULL;

	osip_message_get_contact(m, 0, &c);
	if (!c || !c->url)
		return EBADMSG;
	osip_uri_free(d->target);
	d->target = NULL;
	return sip_oerr(osip_uri_clone(c->url, &d->target));
}

void sip_dlg_refresh_target(struct sip_dlg *d, const osip_message_t *m)
{
	take_target(d, m);
}

/* Record-Route in order (UAS) or reversed (UAC), §12.1.1 / §12.1.2. */
static int take_routes(struct sip_dlg *d, const osip_message_t *m, bool reverse)
{
	int n = osip_list_size(&m->record_routes);

	for (int i = 0; i < n; i++) {
		osip_record_route_t *rr = osip_list_get(&m->record_routes, reverse ? n - 1 - i : i);
		osip_route_t *r;

		if (osip_from_clone(rr, &r))
			return ENOMEM;
		osip_list_add(&d->routes, r, -1);
	}
	return 0;
}

static struct sip_dlg *dlg_new(const osip_message_t *m, const struct sip_peer *peer)
{
	struct sip_dlg *d = mem_zalloc(sizeof(*d), dlg_destroy);

	if (!d)
		return NULL;
	osip_list_init(&d->routes);
	sip_peer_copy(&d->peer, peer);
	d->call_id = osip_strdup(m->call_id->number);
	/* RFC 3261 §12.2.1.1: in-dialog requests carry the Call-ID exactly,
	 * "number@host" when it has a host. */
	if (osip_call_id_to_str(m->call_id, &d->call_id_text) != OSIP_SUCCESS)
		d->call_id_text = NULL;
	if (!d->call_id || !d->call_id_text) {
		mem_deref(d);
		return NULL;
	}
	return d;
}

static void dlg_name(struct sip_dlg *d)
{
	snprintf(d->name, sizeof(d->name), "dlg %.8s", d->call_id);
}

int sip_dlg_uas(struct sip_dlg **dp, const osip_message_t *req, const char *ltag,
		const struct sip_peer *peer)
{
	struct sip_dlg *d = dlg_new(req, peer);
	const char *rtag = sip_msg_tag(req->from);
	int err;

	if (!d)
		return ENOMEM;
	d->ltag = osip_strdup(ltag);
	d->rtag = rtag ? osip_strdup(rtag) : NULL;
	d->rcseq = (uint32_t)strtoul(req->cseq->number, NULL, 10);
	d->rcseq_set = true;
	d->lcseq = (uint32_t)(rand() & 0x7fff) + 1;
	err = osip_to_clone(req->from, &d->remote);
	if (!err)
		err = osip_from_clone(req->to, &d->local);
	if (!err && !sip_msg_tag(d->local))
		err = osip_from_set_tag(d->local, osip_strdup(ltag));
	err = err ? sip_oerr(err) : take_routes(d, req, false);
	if (!err)
		take_target(d, req); /* a missing Contact was refused by the checks */
	if (err) {
		mem_deref(d);
		return err;
	}
	dlg_name(d);
	*dp = d;
	return 0;
}

int sip_dlg_uac(struct sip_dlg **dp, const osip_message_t *req, const osip_message_t *resp,
		const struct sip_peer *peer)
{
	struct sip_dlg *d = dlg_new(req, peer);
	const char *rtag = sip_msg_tag(resp->to);
	int err;

	if (!d)
		return ENOMEM;
	d->uac = true;
	d->ltag = osip_strdup(sip_msg_tag(req->from));
	d->rtag = rtag ? osip_strdup(rtag) : NULL;
	d->lcseq = (uint32_t)strtoul(req->cseq->number, NULL, 10);
	err = sip_oerr(osip_from_clone(req->from, &d->local));
	if (!err)
		err = sip_oerr(osip_to_clone(resp->to, &d->remote));
	if (!err)
		err = take_routes(d, resp, true);
	if (!err && take_target(d, resp))
		err = sip_oerr(osip_uri_clone(req->req_uri, &d->target));
	if (err || !d->ltag) {
		mem_deref(d);
		return err ? err : EBADMSG;
	}
	dlg_name(d);
	*dp = d;
	return 0;
}

uint16_t sip_dlg_rx_request(struct sip_dlg *d, const osip_message_t *req)
{
	uint32_t n = (uint32_t)strtoul(req->cseq->number, NULL, 10);

	if (sip_msg_is(req, "ACK") || sip_msg_is(req, "CANCEL"))
		return 0;
	if (d->rcseq_set && n <= d->rcseq)
		return 500; /* §12.2.2: lower CSeq, out of order */
	d->rcseq = n;
	d->rcseq_set = true;
	return 0;
}

static bool lr(const osip_uri_t *u)
{
	osip_uri_param_t *p = NULL;

	osip_uri_uparam_get_byname((osip_uri_t *)u, "lr", &p);
	return p != NULL;
}

/* §12.2.1.1: loose routing keeps the target as Request-URI; a strict
 * first hop takes its place and the target goes last in Route. */
const osip_uri_t *sip_dlg_next_hop(const struct sip_dlg *d)
{
	osip_route_t *first = osip_list_size(&d->routes) ? osip_list_get(&d->routes, 0) : NULL;

	return first && first->url ? first->url : d->target;
}

static int set_ruri_routes(struct sip_dlg *d, osip_message_t *m, const osip_uri_t **hop)
{
	int n = osip_list_size(&d->routes), i = 0, err = 0;
	osip_route_t *first = n ? osip_list_get(&d->routes, 0) : NULL;
	osip_uri_t *ruri = NULL;
	bool strict = first && first->url && !lr(first->url);

	*hop = sip_dlg_next_hop(d);
	err = osip_uri_clone(strict ? first->url : d->target, &ruri);
	if (err)
		return sip_oerr(err);
	osip_message_set_uri(m, ruri);
	for (i = strict ? 1 : 0; i < n && !err; i++) {
		osip_route_t *r;

		err = osip_from_clone(osip_list_get(&d->routes, i), &r);
		if (!err)
			osip_list_add(&m->routes, r, -1);
	}
	if (strict && !err) {
		char *s = NULL;

		err = osip_uri_to_str(d->target, &s);
		if (!err) {
			char buf[512];

			snprintf(buf, sizeof(buf), "<%s>", s);
			err = osip_message_set_route(m, buf);
			osip_free(s);
		}
	}
	return sip_oerr(err);
}

/* A hop's default port: 5061 for TLS (sips:, or sip: over TLS), §19.1.2. */
static long hop_port(const osip_uri_t *hop, enum sip_proto proto)
{
	if (hop && hop->port)
		return strtol(hop->port, NULL, 10);
	return proto == SIP_PROTO_TLS ? 5061 : 5060;
}

static void hop_dst(struct sip_dlg *d, const osip_uri_t *hop, enum sip_proto proto,
		    struct sip_peer *dst)
{
	long port = hop_port(hop, proto);
	struct sip_sa lit; /* sip_sa_set clears it even for a name */

	sip_peer_copy(dst, &d->peer);
	if (hop && hop->host)
		snprintf(dst->host, sizeof(dst->host), "%s", hop->host); /* RFC 5922 §7 */
	if (hop && hop->host && port > 0 && port < 65536 &&
	    !sip_sa_set(&lit, hop->host, (uint16_t)port)) {
		dst->addr = lit;
		dst->proto = proto;
		if (proto == SIP_PROTO_UDP)
			dst->udp_fd = d->peer.proto == SIP_PROTO_UDP ? d->peer.udp_fd : -1;
	} else if (hop && hop->host && d->hop_ok && !strcasecmp(hop->host, d->hop_name) &&
		   d->hop_port == (hop->port ? (uint16_t)port : 0)) {
		/* A host name, located (session_hop.c): its first target. */
		if (!sip_sa_eq(&dst->addr, &d->hop_addr))
			dst->conn = mem_deref(dst->conn);
		dst->addr = d->hop_addr;
		dst->proto = proto;
		if (proto == SIP_PROTO_UDP)
			dst->udp_fd = d->peer.proto == SIP_PROTO_UDP ? d->peer.udp_fd : -1;
	}
}

int sip_dlg_request(struct sip_dlg *d, const char *method, uint32_t cseq,
		    const struct sip_sa *via_addr, enum sip_proto proto, osip_message_t **reqp,
		    struct sip_peer *dst)
{
	osip_message_t *m;
	const osip_uri_t *hop;
	char buf[64];
	int err = sip_oerr(osip_message_init(&m));

	if (err)
		return err;
	osip_message_set_method(m, osip_strdup(method));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	err = set_ruri_routes(d, m, &hop);
	if (!err)
		err = sip_oerr(osip_from_clone(d->local, &m->from));
	if (!err)
		err = sip_oerr(osip_to_clone(d->remote, &m->to));
	if (!err)
		err = sip_oerr(osip_message_set_call_id(m, d->call_id_text));
	if (!cseq)
		cseq = ++d->lcseq;
	snprintf(buf, sizeof(buf), "%u %s", cseq, method);
	if (!err)
		err = sip_oerr(osip_message_set_cseq(m, buf));
	if (!err)
		err = sip_oerr(osip_message_set_max_forwards(m, "70"));
	if (!err)
		err = sip_msg_add_via(m, proto, via_addr);
	if (err) {
		osip_message_free(m);
		return err;
	}
	hop_dst(d, hop, proto, dst);
	*reqp = m;
	return 0;
}

static const char *hostport(const struct sip_sa *a, char *buf, size_t sz)
{
	return sip_sa_str(a, buf, sz);
}

int sip_msg_add_via(osip_message_t *m, enum sip_proto proto, const struct sip_sa *local)
{
	char hp[64], br[17], v[160];

	sip_rand_hex(br, 16);
	snprintf(v, sizeof(v), "SIP/2.0/%s %s;branch=z9hG4bK%s;rport", sip_proto_name(proto),
		 hostport(local, hp, sizeof(hp)), br);
	return sip_oerr(osip_message_set_via(m, v));
}

static bool uri_sips(const osip_message_t *req)
{
	return req && req->req_uri && req->req_uri->scheme &&
	       !strcasecmp(req->req_uri->scheme, "sips");
}

/* Over TLS the Contact is a SIPS URI when the request was SIPS (§8.1.1.8,
 * §12.1.1: the dialog stays secure), else sip: with transport=tls, which
 * RFC 5630 §4.4 deprecates but non-SIPS TLS peers still send and expect. */
int sip_msg_add_contact_for(osip_message_t *m, const osip_message_t *req, enum sip_proto proto,
			    const struct sip_sa *local)
{
	char hp[64], v[128];
	bool sips = proto == SIP_PROTO_TLS && uri_sips(req);

	snprintf(v, sizeof(v), "<%s:%s%s>", sips ? "sips" : "sip", hostport(local, hp, sizeof(hp)),
		 proto == SIP_PROTO_TCP		   ? ";transport=tcp"
		 : proto == SIP_PROTO_TLS && !sips ? ";transport=tls"
						   : "");
	return sip_oerr(osip_message_set_contact(m, v));
}

int sip_msg_add_contact(osip_message_t *m, enum sip_proto proto, const struct sip_sa *local)
{
	return sip_msg_add_contact_for(m, m->sip_method ? m : NULL, proto, local);
}
