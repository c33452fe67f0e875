/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/sdp: RFC 3264 offer/answer for G.711 audio and telephone-event.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <osipparser2/osip_port.h>
#include <osipparser2/sdp_message.h>

#include "sip/sdp.h"
#include "sip/sdp_int.h"

static const char *const dir_names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

const char *sip_sdp_dir_name(enum sip_sdp_dir d)
{
	return dir_names[d];
}

static int dir_parse(const char *f)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(f, dir_names[i]))
			return i;
	return -1;
}

static struct sip_sdp_fmt *fmt_find(struct sip_sdp_media *m, unsigned pt)
{
	for (unsigned i = 0; i < m->n_fmt; i++)
		if (m->fmt[i].pt == pt)
			return &m->fmt[i];
	return NULL;
}

/* a=rtpmap:8 PCMA/8000, a=fmtp:101 0-15, a=ptime:20, a=sendonly, a=crypto */
static void media_attr(struct sip_sdp_media *m, const char *f, const char *v)
{
	unsigned pt;
	int n, d;
	struct sip_sdp_fmt *x;

	if (sip_sdp_ext_attr(m, f, v))
		return; /* a=crypto, T.38: sdp_ext.c */
	if (!v) {
		if ((d = dir_parse(f)) >= 0)
			m->dir = (enum sip_sdp_dir)d;
		return;
	}
	if (!strcmp(f, "rtpmap") && sscanf(v, "%u %n", &pt, &n) == 1 && (x = fmt_find(m, pt))) {
		char name[24] = "";
		unsigned rate = 0;

		sscanf(v + n, "%23[^/]/%u", name, &rate);
		snprintf(x->name, sizeof(x->name), "%s", name);
		x->rate = rate;
	} else if (!strcmp(f, "fmtp") && sscanf(v, "%u %n", &pt, &n) == 1 &&
		   (x = fmt_find(m, pt))) {
		snprintf(x->fmtp, sizeof(x->fmtp), "%s", v + n);
	} else if (!strcmp(f, "ptime")) {
		m->ptime = (unsigned)strtoul(v, NULL, 10);
		if (m->ptime > 1000)
			m->ptime = 0;
	}
}

/* Static payload types we know without an rtpmap (RFC 3551). */
static void fmt_static(struct sip_sdp_fmt *x)
{
	if (x->pt == 0 && !x->name[0])
		snprintf(x->name, sizeof(x->name), "PCMU"), x->rate = 8000;
	if (x->pt == 8 && !x->name[0])
		snprintf(x->name, sizeof(x->name), "PCMA"), x->rate = 8000;
}

static int media_parse(sdp_message_t *p, int i, struct sip_sdp_media *m, const char *sess_addr)
{
	const char *type = sdp_message_m_media_get(p, i), *port = sdp_message_m_port_get(p, i);
	const char *proto = sdp_message_m_proto_get(p, i), *c = sdp_message_c_addr_get(p, i, 0);
	char *end;
	unsigned long pv = port ? strtoul(port, &end, 10) : 70000;
	size_t fl = 0;

	if (!type || !proto || pv > 65535)
		return EBADMSG;
	snprintf(m->type, sizeof(m->type), "%s", type);
	snprintf(m->proto, sizeof(m->proto), "%s", proto);
	snprintf(m->addr, sizeof(m->addr), "%s", c ? c : sess_addr ? sess_addr : "");
	m->port = (uint16_t)pv;
	for (int k = 0;; k++) {
		const char *pt = sdp_message_m_payload_get(p, i, k);

		if (!pt)
			break;
		/* A long list is cut (fmt_text is for the answer's rejected
		 * m-line); never point past the buffer (found by fuzz_sdp). */
		if (fl < sizeof(m->fmt_text))
			fl += (size_t)snprintf(m->fmt_text + fl, sizeof(m->fmt_text) - fl, "%s%s",
					       k ? " " : "", pt);
		unsigned long v = strtoul(pt, &end, 10);

		if (*end || v > 127 || m->n_fmt == SDP_MAX_FMT)
			continue; /* not RTP (e.g. "t38"): kept only in fmt_text */
		m->fmt[m->n_fmt].pt = (uint8_t)v;
		fmt_static(&m->fmt[m->n_fmt++]);
	}
	for (int k = 0;; k++) {
		const char *f = sdp_message_a_att_field_get(p, i, k);

		if (!f)
			break;
		media_attr(m, f, sdp_message_a_att_value_get(p, i, k));
	}
	sip_sdp_ext_finish(m);
	return 0;
}

/* Fields (space separated) an RFC 4566 line of `type` must have at least. */
static unsigned min_fields(char type)
{
	switch (type) {
	case 'o':
		return 6;
	case 'm':
		return 4;
	case 'c':
		return 3;
	case 't':
		return 2;
	default:
		return 1;
	}
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t k = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;

	if (!k || k > n || p[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

static bool line_ok(const char *l, size_t n)
{
	unsigned fields = 0;
	bool in = false;

	if (n < 2 || l[0] < 'a' || l[0] > 'z' || l[1] != '=')
		return false;
	for (size_t i = 2; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c >= 0x80) {
			size_t k = utf8_len((const unsigned char *)l + i, n - i);

			if (!k)
				return false;
			i += k - 1;
		} else if (c < 0x20 && c != '\t')
			return false;
		if (c == ' ' && min_fields(l[0]) > 1) {
			/* one space between fields, none around them */
			if (!in || i + 1 == n || l[i + 1] == ' ')
				return false;
			in = false;
		} else if (!in) {
			in = true;
			fields++;
		}
	}
	return fields >= min_fields(l[0]);
}

/* RFC 4566 §5: every line is <letter>=<value> ended by CRLF (or LF), with
 * the fields its type needs and no control characters.  libosip2's parser
 * reads past the end of its buffer on a lone CR or a short m= line (found
 * by tests/fuzz/fuzz_sdp), so it only ever sees text that passed this. */
static bool sdp_text_ok(const char *t)
{
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t n = nl ? (size_t)(nl - t) : strlen(t);

		if (n && t[n - 1] == '\r')
			n--;
		if (!line_ok(t, n) || !nl)
			return false; /* each line ends with CRLF (we take LF too) */
		t = nl + 1;
	}
	return true;
}

int sip_sdp_parse(struct sip_sdp *s, const char *text)
{
	sdp_message_t *p;
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (!sdp_text_ok(text))
		return EBADMSG;
	if (sdp_message_init(&p))
		return ENOMEM;
	if (sdp_message_parse(p, text)) {
		sdp_message_free(p);
		return EBADMSG;
	}
	for (int k = 0;; k++) {
		const char *f = sdp_message_a_att_field_get(p, -1, k);
		int d;

		if (!f)
			break;
		if (!sdp_message_a_att_value_get(p, -1, k) && (d = dir_parse(f)) >= 0)
			s->dir = (enum sip_sdp_dir)d;
	}
	const char *sess_addr = sdp_message_c_addr_get(p, -1, 0);

	for (int i = 0; !err && !sdp_message_endof_media(p, i) && s->n < SDP_MAX_MEDIA; i++) {
		s->m[s->n].dir = s->dir;
		err = media_parse(p, i, &s->m[s->n], sess_addr);
		s->n++;
	}
	sdp_message_free(p);
	return err ? err : s->n ? 0 : EBADMSG;
}

static bool supported(const struct sip_sdp_fmt *f)
{
	return (!strcasecmp(f->name, "PCMA") || !strcasecmp(f->name, "PCMU")) &&
	       (f->rate == 8000 || f->rate == 0);
}

static bool is_dtmf(const struct sip_sdp_fmt *f)
{
	return !strcasecmp(f->name, "telephone-event") && f->rate == 8000;
}

/* RFC 3264 §6.1: the answer's direction mirrors the offer's. */
static enum sip_sdp_dir mirror(enum sip_sdp_dir offered, enum sip_sdp_dir ours)
{
	if (offered == SIP_SDP_INACTIVE || ours == SIP_SDP_INACTIVE)
		return SIP_SDP_INACTIVE;
	if (offered == SIP_SDP_SENDONLY)
		return ours == SIP_SDP_SENDONLY ? SIP_SDP_INACTIVE : SIP_SDP_RECVONLY;
	if (offered == SIP_SDP_RECVONLY)
		return ours == SIP_SDP_RECVONLY ? SIP_SDP_INACTIVE : SIP_SDP_SENDONLY;
	return ours;
}

struct wbuf {
	char *p;
	size_t sz, len;
};

static void put(struct wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->p + w->len, w->len < w->sz ? w->sz - w->len : 0, fmt, ap);
	va_end(ap);
	w->len += n > 0 ? (size_t)n : 0;
}

static void put_head(struct wbuf *w, const struct sip_sdp_caps *c)
{
	const char *ipv = strchr(c->addr, ':') ? "IP6" : "IP4";

	put(w, "v=0\r\no=strowger %llu %llu IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n",
	    (unsigned long long)c->session_id, (unsigned long long)c->version, ipv, c->addr, ipv,
	    c->addr);
}

/* One answered audio stream; false if nothing in it is acceptable. */
static bool answer_audio(const struct sip_sdp_media *o, const struct sip_sdp_caps *c,
			 struct wbuf *w, struct sip_sdp_media *r)
{
	char list[64] = "";
	size_t n = 0;
	unsigned k = 0;

	if (!o->port || strcmp(o->proto, "RTP/AVP") || o->bad[0])
		return false;
	/* Codecs first, in the offer's order; then telephone-event if a
	 * codec was taken (RFC 4733 events ride along a voice stream). */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < o->n_fmt && k < SDP_MAX_FMT; i++) {
			if (pass ? !(k && is_dtmf(&o->fmt[i])) : !supported(&o->fmt[i]))
				continue;
			n += (size_t)snprintf(list + n, sizeof(list) - n, " %u", o->fmt[i].pt);
			r->fmt[k++] = o->fmt[i];
		}
	}
	if (!k || n >= sizeof(list))
		return false;
	r->n_fmt = k;
	r->port = c->port;
	r->dir = mirror(o->dir, c->dir);
	r->ptime = c->ptime;
	put(w, "m=audio %u RTP/AVP%s\r\n", c->port, list);
	for (unsigned i = 0; i < k; i++) {
		put(w, "a=rtpmap:%u %s/%u\r\n", r->fmt[i].pt, r->fmt[i].name, 8000u);
		if (is_dtmf(&r->fmt[i]))
			put(w, "a=fmtp:%u %s\r\n", r->fmt[i].pt,
			    r->fmt[i].fmtp[0] ? r->fmt[i].fmtp : "0-15");
	}
	if (c->ptime)
		put(w, "a=ptime:%u\r\n", c->ptime);
	put(w, "a=%s\r\n", dir_names[r->dir]);
	return true;
}

int sip_sdp_answer(const struct sip_sdp *offer, const struct sip_sdp_caps *caps, char *out,
		   size_t sz, struct sip_sdp *res)
{
	struct sip_sdp tmp;
	struct wbuf w = {out, sz, 0};
	unsigned accepted = 0;

	if (!res)
		res = &tmp;
	memset(res, 0, sizeof(*res));
	put_head(&w, caps);
	for (unsigned i = 0; i < offer->n; i++) {
		const struct sip_sdp_media *o = &offer->m[i];
		struct sip_sdp_media *r = &res->m[i];

		snprintf(r->type, sizeof(r->type), "%s", o->type);
		snprintf(r->proto, sizeof(r->proto), "%s", o->proto);
		if (!strcmp(o->type, "audio") && answer_audio(o, caps, &w, r)) {
			accepted++;
			continue;
		}
		/* §6: rejected, port 0, formats as offered. */
		r->port = 0;
		r->n_fmt = 0;
		put(&w, "m=%s 0 %s %s\r\n", o->type, o->proto, o->fmt_text[0] ? o->fmt_text : "0");
	}
	res->n = offer->n;
	if (w.len >= sz)
		return ENOSPC;
	return accepted ? 0 : EPROTO;
}

int sip_sdp_offer(const struct sip_sdp_caps *c, char *out, size_t sz)
{
	struct wbuf w = {out, sz, 0};

	put_head(&w, c);
	put(&w,
	    "m=audio %u RTP/AVP 8 0 %u\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
	    "a=rtpmap:%u telephone-event/8000\r\na=fmtp:%u 0-15\r\n",
	    c->port, c->dtmf_pt, c->dtmf_pt, c->dtmf_pt);
	if (c->ptime)
		put(&w, "a=ptime:%u\r\n", c->ptime);
	put(&w, "a=%s\r\n", dir_names[c->dir]);
	return w.len < sz ? 0 : ENOSPC;
}
