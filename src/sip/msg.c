/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/msg: libosip2 message helpers and the public read-only views.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"
#include "sip/msg.h"

int sip_oerr(int oerr)
{
	switch (oerr) {
	case OSIP_SUCCESS:
		return 0;
	case OSIP_NOMEM:
		return ENOMEM;
	case OSIP_BADPARAMETER:
		return EINVAL;
	case OSIP_SYNTAXERROR:
		return EBADMSG;
	case OSIP_NOTFOUND:
		return ENOENT;
	case OSIP_WRONG_STATE:
		return EPROTO;
	case OSIP_UNDEFINED_ERROR:
	default:
		return oerr < 0 ? EIO : 0;
	}
}

/* libosip2 prints its traces to stderr; send them to our log (LC_SIP,
 * debug) instead, so bad input on the wire does not flood the console. */
static void osip_trace_to_log(const char *fi, int li, osip_trace_level_t level, const char *fmt,
			      va_list ap)
{
	char buf[256];
	size_t n;
	(void)level;

	if (!log_enabled(LC_SIP, LL_DEBUG))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	log_write(LC_SIP, LL_DEBUG, "osip", "%s:%d: %s", fi, li, buf);
}

void sip_osip_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	sip_osip_pool_init();
	parser_init();
	osip_trace_initialize_func(OSIP_WARNING, osip_trace_to_log);
}

int sip_msg_parse(osip_message_t **mp, const char *buf, size_t len)
{
	osip_message_t *m;
	int err = osip_message_init(&m);

	if (err)
		return sip_oerr(err);
	err = osip_message_parse(m, buf, len);
	if (err) {
		osip_message_free(m);
		return EBADMSG;
	}
	*mp = m;
	return 0;
}

/* libosip2 prints into an 8000-byte buffer; what we keep (2xx and ACK for
 * retransmission, a lingering transaction's answer) gets an exact copy. */
int sip_msg_print(const osip_message_t *m, char **buf, size_t *len)
{
	char *tmp = NULL;
	int err = sip_oerr(osip_message_to_str((osip_message_t *)m, &tmp, len));

	if (err)
		return err;
	*buf = malloc(*len + 1);
	if (*buf) {
		memcpy(*buf, tmp, *len);
		(*buf)[*len] = 0;
	}
	osip_free(tmp);
	return *buf ? 0 : ENOMEM;
}

int sip_msg_response(osip_message_t **rp, const osip_message_t *req, uint16_t status,
		     const char *reason, const char *to_tag)
{
	osip_message_t *r;
	int err = osip_message_init(&r);

	if (err)
		return sip_oerr(err);
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(r, status);
	if (!reason)
		reason = osip_message_get_reason(status);
	osip_message_set_reason_phrase(r, osip_strdup(reason ? reason : "Unknown"));
	err = osip_list_clone(&req->vias, &r->vias, (int (*)(void *, void **)) & osip_via_clone);
	if (!err && req->from)
		err = osip_from_clone(req->from, &r->from);
	if (!err && req->to)
		err = osip_to_clone(req->to, &r->to);
	if (!err && req->call_id)
		err = osip_call_id_clone(req->call_id, &r->call_id);
	if (!err && req->cseq)
		err = osip_cseq_clone(req->cseq, &r->cseq);
	if (!err && to_tag && r->to && !sip_msg_tag(r->to) && status != 100)
		err = osip_to_set_tag(r->to, osip_strdup(to_tag));
	if (err) {
		osip_message_free(r);
		return sip_oerr(err);
	}
	*rp = r;
	return 0;
}

int sip_msg_set_body(osip_message_t *m, const char *ctype, const char *body)
{
	int err;

	if (!body)
		return 0;
	err = osip_message_set_body(m, body, strlen(body));
	if (!err && ctype)
		err = osip_message_set_content_type(m, ctype);
	return sip_oerr(err);
}

int sip_msg_add_header(osip_message_t *m, const char *name, const char *value)
{
	return sip_oerr(osip_message_set_header(m, name, value));
}

/* xorshift64*: tags and branches need to be unique, not secret (digest
 * nonces, later, take getrandom directly). */
static uint64_t rand_s;

void sip_rand_seed(uint64_t seed)
{
	rand_s = seed;
}

void sip_rand_hex(char *out, size_t n)
{
	uint64_t s = rand_s;
	static const char hx[] = "0123456789abcdef";

	if (!s) {
		if (getrandom(&s, sizeof(s), 0) != sizeof(s) || !s)
			s = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)out;
	}
	for (size_t i = 0; i < n; i += 16) {
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		uint64_t r = s * 2685821657736338717ull;

		for (size_t j = i; j < n && j < i + 16; j++, r >>= 4)
			out[j] = hx[r & 15];
	}
	out[n] = 0;
	rand_s = s;
}

const char *sip_msg_branch(const osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);
	osip_generic_param_t *br = NULL;

	if (!via)
		return NULL;
	osip_via_param_get_byname(via, "branch", &br);
	return br ? br->gvalue : NULL;
}

bool sip_msg_is(const osip_message_t *m, const char *method)
{
	return m->sip_method && !strcmp(m->sip_method, method);
}

const char *sip_msg_tag(const osip_from_t *ft)
{
	osip_generic_param_t *tag = NULL;

	if (!ft)
		return NULL;
	osip_from_param_get_byname((osip_from_t *)ft, "tag", &tag);
	return tag ? tag->gvalue : NULL;
}

/* --- public views ---------------------------------------------------------- */

const char *sip_msg_method(const struct sip_msg *m)
{
	return m->m->sip_method;
}

uint16_t sip_msg_status(const struct sip_msg *m)
{
	return (uint16_t)(m->m->sip_method ? 0 : m->m->status_code);
}

const char *sip_msg_call_id(const struct sip_msg *m)
{
	return m->m->call_id ? m->m->call_id->number : NULL;
}

const char *sip_msg_body(const struct sip_msg *m, size_t *len)
{
	osip_body_t *b = osip_list_get(&m->m->bodies, 0);

	if (!b)
		return NULL;
	if (len)
		*len = b->length;
	return b->body;
}

const char *sip_msg_ctype(const struct sip_msg *m, char *buf, size_t sz)
{
	osip_content_type_t *ct = m->m->content_type;

	if (!ct || !ct->type || !ct->subtype)
		return NULL;
	snprintf(buf, sz, "%s/%s", ct->type, ct->subtype);
	return buf;
}

const char *sip_msg_header(const struct sip_msg *m, const char *name, unsigned idx)
{
	osip_header_t *h = NULL;
	int pos = 0;

	for (unsigned i = 0; i <= idx; i++) {
		pos = osip_message_header_get_byname(m->m, name, pos, &h);
		if (pos < 0 || !h)
			return NULL;
		pos++;
	}
	return h->hvalue;
}

const char *sip_msg_cseq_method(const struct sip_msg *m)
{
	return m->m->cseq ? m->m->cseq->method : NULL;
}

static const char *print_into(int (*fn)(void *, char **), void *obj, char *buf, size_t sz)
{
	char *s = NULL;

	if (!obj || fn(obj, &s) || !s)
		return NULL;
	snprintf(buf, sz, "%s", s);
	osip_free(s);
	return buf;
}

const char *sip_msg_ruri(const struct sip_msg *m, char *buf, size_t sz)
{
	return print_into((int (*)(void *, char **))osip_uri_to_str, m->m->req_uri, buf, sz);
}

const char *sip_msg_from(const struct sip_msg *m, char *buf, size_t sz)
{
	return print_into((int (*)(void *, char **))osip_from_to_str, m->m->from, buf, sz);
}

const char *sip_msg_to(const struct sip_msg *m, char *buf, size_t sz)
{
	return print_into((int (*)(void *, char **))osip_to_to_str, m->m->to, buf, sz);
}

/* Each line: a token name (RFC 3261 §25.1), ':', a value on one line (no
 * header injection). */
int sip_msg_add_extra(osip_message_t *m, const char *const *hdrs)
{
	static const char tokc[] = "-.!%*_+`'~";

	for (; hdrs && *hdrs; hdrs++) {
		const char *h = *hdrs, *colon = strchr(h, ':');
		char name[64];
		size_t n = colon ? (size_t)(colon - h) : 0;

		if (!n || n >= sizeof(name) || strpbrk(h, "\r\n"))
			return EINVAL;
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)h[i]) && !strchr(tokc, h[i]))
				return EINVAL;
		memcpy(name, h, n);
		name[n] = 0;
		int err = sip_msg_add_header(m, name, colon + 1 + strspn(colon + 1, " \t"));

		if (err)
			return err;
	}
	return 0;
}
