/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP leg's media (see leg_sip_int.h): one RTP stream per leg, made
 * before our SDP is written since the SDP carries its port (RFC 3264 §5,
 * §6).  An offer may allow PCMA and PCMU; a stream sends one payload type,
 * so as answerer we keep one codec (the offerer's first, §6.1) and reject
 * the other streams (port 0, §6); as offerer we remake the stream on the
 * same port if the answer picked the other codec (§7).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "call/leg_sip_int.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"

/* PCMA or PCMU under its static number (RFC 3551 §6): the payload type,
 * else -1. */
static int g711_of(const struct sip_sdp_fmt *f)
{
	if ((f->pt == MEDIA_PT_PCMA && !strcasecmp(f->name, "PCMA")) ||
	    (f->pt == MEDIA_PT_PCMU && !strcasecmp(f->name, "PCMU")))
		return f->pt;
	return -1;
}

static bool audio_rtp(const struct sip_sdp_media *m)
{
	return !strcmp(m->type, "audio") && m->port && !strcmp(m->proto, "RTP/AVP");
}

/* The first audio stream we can carry, its first G.711 codec, and RFC
 * 4733 events if offered. */
static int audio_pick(const struct sip_sdp *sdp, unsigned *idx, uint8_t *pt, int *te_pt)
{
	for (unsigned i = 0; i < sdp->n; i++) {
		const struct sip_sdp_media *m = &sdp->m[i];
		if (!audio_rtp(m))
			continue;
		int codec = -1;
		*te_pt = -1;
		for (unsigned k = 0; k < m->n_fmt; k++) {
			const struct sip_sdp_fmt *f = &m->fmt[k];
			if (codec < 0 && g711_of(f) >= 0)
				codec = f->pt;
			else if (!strcasecmp(f->name, "telephone-event") && *te_pt < 0)
				*te_pt = f->pt;
		}
		if (codec >= 0) {
			*idx = i;
			*pt = (uint8_t)codec;
			return 0;
		}
	}
	return EPROTO;
}

/* The RFC 4733 payload type offered in `m`, or -1. */
static int te_of(const struct sip_sdp_media *m)
{
	for (unsigned k = 0; k < m->n_fmt; k++)
		if (!strcasecmp(m->fmt[k].name, "telephone-event"))
			return m->fmt[k].pt;
	return -1;
}

/* The first audio stream that still offers our codec `pt`. */
static int audio_keep(const struct sip_sdp *sdp, uint8_t pt, unsigned *idx)
{
	for (unsigned i = 0; i < sdp->n; i++) {
		const struct sip_sdp_media *m = &sdp->m[i];
		for (unsigned k = 0; audio_rtp(m) && k < m->n_fmt; k++) {
			if (g711_of(&m->fmt[k]) == pt) {
				*idx = i;
				return 0;
			}
		}
	}
	return EPROTO;
}

/* What we answer: in stream `idx` only codec `pt` and events `te_pt` (RFC
 * 3264 §6.1: a subset of the offer); every other stream rejected (§6:
 * port 0). */
static void offer_trim(struct sip_sdp *offer, unsigned idx, uint8_t pt, int te_pt)
{
	for (unsigned i = 0; i < offer->n; i++) {
		struct sip_sdp_media *m = &offer->m[i];
		if (i != idx) {
			m->port = 0;
			continue;
		}
		unsigned k = 0;
		for (unsigned j = 0; j < m->n_fmt; j++)
			if (m->fmt[j].pt == pt || (int)m->fmt[j].pt == te_pt)
				m->fmt[k++] = m->fmt[j];
		m->n_fmt = k;
	}
}

static int media_addr(const struct sip_sdp_media *m, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, m->addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(m->port);
		*len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, m->addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(m->port);
		*len = sizeof(*v6);
	} else {
		return EPROTO; /* a host name in c=: not supported */
	}
	return 0;
}

/* c=IN IP4 0.0.0.0: RFC 2543's hold, no address (RFC 3264 §8.4). */
static bool sa_unspecified(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
	return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
}

static uint16_t sa_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
					       : ((const struct sockaddr_in *)ss)->sin_port);
}

/* Our direction toward a peer whose media line says `peer` (RFC 3264
 * §6.1: its sendonly is our recvonly). */
static enum media_dir dir_toward(enum sip_sdp_dir peer)
{
	static const enum media_dir mirror[] = {
	    [SIP_SDP_SENDRECV] = MEDIA_DIR_SENDRECV,
	    [SIP_SDP_SENDONLY] = MEDIA_DIR_RECVONLY,
	    [SIP_SDP_RECVONLY] = MEDIA_DIR_SENDONLY,
	    [SIP_SDP_INACTIVE] = MEDIA_DIR_INACTIVE,
	};
	return mirror[peer];
}

/* c=0.0.0.0 is a hold in RFC 2543's spelling (RFC 3264 §8.4): a peer
 * with no address can receive nothing, so read its line as the sendonly
 * (or inactive) it means; our answer then says recvonly (or inactive) and
 * matches what the stream does. */
static void unspecified_is_hold(struct sip_sdp_media *m)
{
	if (m->dir == SIP_SDP_SENDRECV)
		m->dir = SIP_SDP_SENDONLY;
	else if (m->dir == SIP_SDP_RECVONLY)
		m->dir = SIP_SDP_INACTIVE;
}

/* A new stream for the leg; `port` 0: from the env's range. */
int leg_sip_stream_make(struct leg_sip *l, uint8_t pt, int te_pt,
			const struct sockaddr_storage *rem, socklen_t rem_len, uint16_t port)
{
	const struct leg_sip_env *env = l->env;
	struct media_stream_prm prm = {
	    .name = l->name,
	    .local = (const struct sockaddr *)&env->rtp_addr,
	    .local_len = env->rtp_addr_len,
	    .port_min = port ? port : env->port_min,
	    .port_max = port ? (uint16_t)(port + 1) : env->port_max, /* a pair */
	    .tdm_law = env->tdm_law,
	    .pt = pt,
	    .te_pt = te_pt,
	    .remote = rem ? (const struct sockaddr *)rem : NULL,
	    .remote_len = rem ? rem_len : 0,
	    .totals = env->media_totals,
	};
	l->ms = mem_deref(l->ms);
	int err = media_stream_alloc(&l->ms, env->loop, &prm);
	if (err) {
		l->ms = NULL;
		LOGE(LC_CALL, l->name, "no RTP stream: %s", strerror(err));
		return err;
	}
	l->pt = pt;
	l->te_pt = te_pt;
	return 0;
}

/* What we offer or answer with: the stream's address (or env's sdp_addr). */
void leg_sip_caps(struct leg_sip *l, struct sip_sdp_caps *c, char *addr, size_t sz)
{
	if (!l->sdp_id) {
		l->sdp_id = loop_now(l->env->loop) / NS_PER_MS + l->seq;
		l->sdp_ver = 1;
	}
	const struct sockaddr_storage *ss = media_stream_local(l->ms);
	const void *a = ss->ss_family == AF_INET6
			    ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
			    : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	if (l->env->sdp_addr)
		snprintf(addr, sz, "%s", l->env->sdp_addr);
	else if (!inet_ntop(ss->ss_family, a, addr, (socklen_t)sz))
		snprintf(addr, sz, "0.0.0.0");
	*c = (struct sip_sdp_caps){
	    .addr = addr,
	    .port = sa_port(ss),
	    .ptime = MEDIA_PTIME_MS,
	    .dtmf_pt = LEG_SIP_DTMF_PT,
	    .dir = SIP_SDP_SENDRECV,
	    .session_id = l->sdp_id,
	    .version = l->sdp_ver,
	};
}

/* The SDP body of a message (NUL-terminated copy), or NULL. */
const char *leg_sip_sdp_body(const struct sip_msg *msg, char *buf, size_t sz)
{
	char ct[64];
	size_t len = 0;
	const char *b = msg ? sip_msg_body(msg, &len) : NULL;
	if (!b || !len || len >= sz || !sip_msg_ctype(msg, ct, sizeof(ct)) ||
	    strcasecmp(ct, "application/sdp"))
		return NULL;
	memcpy(buf, b, len);
	buf[len] = '\0';
	return buf;
}

/* UAS: take the offer, make the stream toward it, write our answer with
 * one codec (RFC 3264 §6.1: a subset of what was offered) and the other
 * streams rejected (§6: port 0).  EPROTO: nothing acceptable (488). */
int leg_sip_offer_take(struct leg_sip *l, const char *text)
{
	struct sip_sdp offer;
	struct sockaddr_storage rem;
	socklen_t rem_len;
	unsigned idx;
	uint8_t pt;
	int te_pt, err = sip_sdp_parse(&offer, text);
	if (!err) {
		leg_sip_streams_vet(l, &offer); /* SRTP, T.38: port 0 */
		err = audio_pick(&offer, &idx, &pt, &te_pt);
	}
	if (!err)
		err = media_addr(&offer.m[idx], &rem, &rem_len);
	if (err)
		return EPROTO;
	bool held = sa_unspecified(&rem);
	if (held)
		unspecified_is_hold(&offer.m[idx]);
	offer_trim(&offer, idx, pt, te_pt);
	err = leg_sip_stream_make(l, pt, te_pt, &rem, rem_len, 0);
	if (err)
		return err;
	struct sip_sdp_caps caps;
	struct sip_sdp res;
	char addr[64];
	leg_sip_caps(l, &caps, addr, sizeof(addr));
	err = sip_sdp_answer(&offer, &caps, l->sdp, sizeof(l->sdp), &res);
	if (!err)
		media_stream_set_dir(l->ms, dir_toward(offer.m[idx].dir));
	return err;
}

/* UAC: the answer (in a 18x or the 2xx): the remote address, and the
 * codec it chose out of our offer (RFC 3264 §7). */
int leg_sip_answer_take(struct leg_sip *l, const char *text)
{
	struct sip_sdp ans;
	struct sockaddr_storage rem;
	socklen_t rem_len;
	unsigned idx;
	uint8_t pt;
	int te_pt, err = sip_sdp_parse(&ans, text);
	if (!err)
		err = audio_pick(&ans, &idx, &pt, &te_pt);
	if (!err)
		err = media_addr(&ans.m[idx], &rem, &rem_len);
	if (err) {
		LOGN(LC_CALL, l->name, "SDP answer without a usable audio stream");
		return EPROTO;
	}
	bool held = sa_unspecified(&rem);
	if (held)
		unspecified_is_hold(&ans.m[idx]);
	if (l->ms && pt == l->pt) {
		err = held ? 0 : media_stream_set_remote(l->ms, (const struct sockaddr *)&rem, rem_len);
	} else {
		uint16_t port = l->ms ? sa_port(media_stream_local(l->ms)) : 0;
		LOGI(LC_CALL, l->name, "answer chose payload type %u: new stream on port %u", pt,
		     port);
		err = leg_sip_stream_make(l, pt, te_pt, held ? NULL : &rem, rem_len, port);
	}
	if (!err)
		media_stream_set_dir(l->ms, dir_toward(ans.m[idx].dir));
	return err;
}

/* RFC 3264 §8: a new offer in the dialog.  The stream is never remade
 * (the media bridge holds it, see leg_sip.h): it keeps its port and
 * follows the offer in place.  Our codec is kept if the offer still has it
 * (§8.3.2 lets either side change, but nothing asks us to); otherwise the
 * first G.711 codec offered is taken and the stream switches payload type
 * (PCMA ⇄ PCMU, the channel's law unchanged).  The answer mirrors the
 * offer's direction (§6.1; sendonly, a hold, §8.4, is answered recvonly,
 * and c=0.0.0.0 counts as sendonly) and the stream stops or resumes its
 * RTP to match; the o= session id stays, its version raised if anything
 * changed (§8).  A new address or port is followed.  Nothing is changed
 * unless the whole answer can be made: EPROTO (488) when nothing offered
 * is usable. */
int leg_sip_reoffer(struct leg_sip *l, const char *text)
{
	struct sip_sdp offer, res;
	struct sip_sdp_caps caps;
	struct sockaddr_storage rem;
	socklen_t rem_len;
	unsigned idx;
	uint8_t pt;
	int te_pt = -1;
	char addr[64], sdp[LEG_SIP_SDP_MAX];
	bool parsed = l->ms && !sip_sdp_parse(&offer, text);
	if (parsed)
		leg_sip_streams_vet(l, &offer); /* SRTP, T.38: port 0 */
	if (!parsed || (audio_keep(&offer, l->pt, &idx) && audio_pick(&offer, &idx, &pt, &te_pt)) ||
	    media_addr(&offer.m[idx], &rem, &rem_len)) {
		LOGN(LC_CALL, l->name, "re-INVITE refused: no G.711 audio we can carry");
		return EPROTO;
	}
	if (audio_keep(&offer, l->pt, &idx) == 0) {
		pt = l->pt;
		te_pt = te_of(&offer.m[idx]);
	}
	bool held = sa_unspecified(&rem);
	if (held)
		unspecified_is_hold(&offer.m[idx]);
	const struct sip_sdp_media *m = &offer.m[idx]; /* offer_trim keeps it */
	offer_trim(&offer, idx, pt, te_pt);
	leg_sip_caps(l, &caps, addr, sizeof(addr));
	int err = sip_sdp_answer(&offer, &caps, sdp, sizeof(sdp), &res);
	if (!err && strcmp(sdp, l->sdp)) {
		caps.version = l->sdp_ver + 1;
		err = sip_sdp_answer(&offer, &caps, sdp, sizeof(sdp), &res);
	}
	if (!err && !held)
		err = media_stream_set_remote(l->ms, (const struct sockaddr *)&rem, rem_len);
	if (!err)
		err = media_stream_set_codec(l->ms, pt, te_pt);
	if (err) {
		LOGE(LC_CALL, l->name, "re-INVITE: no answer to %s:%u: %s", m->addr, m->port,
		     strerror(err));
		return err == ENOTSUP ? EPROTO : err;
	}
	media_stream_set_dir(l->ms, dir_toward(m->dir));
	l->pt = pt;
	l->te_pt = te_pt;
	memcpy(l->sdp, sdp, sizeof(l->sdp));
	l->sdp_ver = caps.version;
	LOGI(LC_CALL, l->name, "re-INVITE: media %s, remote %s:%u, pt %u",
	     sip_sdp_dir_name(res.m[idx].dir), m->addr, m->port, pt);
	return 0;
}
