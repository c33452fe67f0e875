/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/msg_check: refuse bad input with the status that names the fault
 * (RFC 3261 §8.2, §16.3, §18.3), before any layer acts on it.
 *
 *   malformed / missing mandatory header / CSeq mismatch  400 + Warning 399
 *   Request-URI scheme not sip/sips/tel                   416
 *   sips: Request-URI that did not come over TLS            416
 *   INVITE Contact not a sip/sips URI (sips for sips)       400 + Warning 399
 *   method known but not served here / unknown             405 / 501 + Allow
 *   Require with an extension we lack                       420 + Unsupported
 *   body type or encoding we cannot read                    415 + Accept
 *   Max-Forwards 0                                          483
 *   version other than SIP/2.0                              505
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sip/msg.h"

static const char *const methods_served[] = {
    "INVITE",  "ACK",	 "BYE",	  "CANCEL", "OPTIONS", "INFO",
    "MESSAGE", "NOTIFY", "REFER", "UPDATE", "PRACK",   NULL,
};
static const char *const methods_known[] = {
    "REGISTER",
    "SUBSCRIBE",
    "PUBLISH",
    NULL,
};

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

static bool reject(struct sip_reject *r, uint16_t status, const char *why)
{
	r->status = status;
	snprintf(r->warning, sizeof(r->warning), "%s", why);
	return false;
}

static bool mandatory(const osip_message_t *m, struct sip_reject *r)
{
	if (!osip_list_size(&m->vias))
		return reject(r, 400, "Missing Via header");
	if (!m->from || !m->from->url)
		return reject(r, 400, "Missing or bad From header");
	if (!m->to || !m->to->url)
		return reject(r, 400, "Missing or bad To header");
	if (!m->call_id || !m->call_id->number)
		return reject(r, 400, "Missing Call-ID header");
	if (!m->cseq || !m->cseq->number || !m->cseq->method)
		return reject(r, 400, "Missing or bad CSeq header");
	const char *n = m->cseq->number;
	size_t len = strspn(n, "0123456789");

	if (!len || n[len] || len > 10 || (len == 10 && strcmp(n, "2147483647") > 0))
		return reject(r, 400, "Bad CSeq number");
	return true;
}

/* Option tags we support: reliable provisionals (RFC 3262) and session
 * timers (RFC 4028). */
static bool tag_known(const char *t, size_t n)
{
	return (n == 6 && !strncasecmp(t, "100rel", 6)) || (n == 5 && !strncasecmp(t, "timer", 5));
}

/* Option tags in Require that we do not support (§8.2.2.3), listed in
 * Unsupported.  libosip2 may keep "Require: a, b" as one header or split it
 * into one per tag: read every comma-separated token. */
static bool require_ok(const osip_message_t *m, struct sip_reject *r)
{
	osip_header_t *h = NULL;
	size_t n = 0;
	int pos = 0;

	while ((pos = osip_message_header_get_byname(m, "require", pos, &h)) >= 0 && h) {
		pos++;
		for (const char *v = h->hvalue; v && *v;) {
			v += strspn(v, " \t,");
			size_t k = strcspn(v, " \t,");

			if (k && !tag_known(v, k) && n < sizeof(r->extra) - 1)
				n += (size_t)snprintf(r->extra + n, sizeof(r->extra) - n, "%s%.*s",
						      n ? ", " : "", (int)k, v);
			v += k;
		}
	}
	if (!n)
		return true;
	r->extra_name = "Unsupported";
	return reject(r, 420, "Required extension not supported");
}

static bool body_ok(const osip_message_t *m, struct sip_reject *r)
{
	osip_content_type_t *ct = m->content_type;
	osip_header_t *enc = NULL;

	if (!osip_list_size(&m->bodies))
		return true;
	osip_message_header_get_byname(m, "content-encoding", 0, &enc);
	if (enc && enc->hvalue && strcasecmp(enc->hvalue, "identity")) {
		r->extra_name = "Accept-Encoding";
		snprintf(r->extra, sizeof(r->extra), "identity");
		return reject(r, 415, "Content-Encoding not supported");
	}
	if (!sip_msg_is(m, "INVITE") && !sip_msg_is(m, "ACK") && !sip_msg_is(m, "UPDATE") &&
	    !sip_msg_is(m, "PRACK"))
		return true;
	if (ct && ct->type && ct->subtype && !strcasecmp(ct->type, "application") &&
	    !strcasecmp(ct->subtype, "sdp"))
		return true;
	r->extra_name = "Accept";
	snprintf(r->extra, sizeof(r->extra), "application/sdp");
	return reject(r, 415, "Body type not supported");
}

/* §8.1.1.8: the Contact of a request that makes a dialog is a SIP or SIPS
 * URI (the remote target of every later request), and a SIPS one when the
 * Request-URI is SIPS.  416 is for the Request-URI only (§21.4.16), so a
 * bad Contact is a malformed request: 400. */
static bool contact_ok(const osip_message_t *m, struct sip_reject *r)
{
	osip_contact_t *c = osip_list_get(&m->contacts, 0);
	const char *cs = c && c->url ? c->url->scheme : NULL;
	bool sips_ruri = !strcasecmp(m->req_uri->scheme, "sips");

	if (!c)
		return reject(r, 400, "Missing Contact header");
	if (!cs || (strcasecmp(cs, "sip") && strcasecmp(cs, "sips")))
		return reject(r, 400, "Contact must be a SIP or SIPS URI");
	if (sips_ruri && strcasecmp(cs, "sips"))
		return reject(r, 400, "A SIPS Request-URI needs a SIPS Contact");
	return true;
}

static bool request_ok(const osip_message_t *m, struct sip_reject *r)
{
	const char *scheme = m->req_uri ? m->req_uri->scheme : NULL;
	osip_header_t *mf = NULL;

	if (!m->sip_version || strcmp(m->sip_version, "SIP/2.0"))
		return reject(r, 505, "Only SIP/2.0 is supported");
	if (!mandatory(m, r))
		return false;
	if (strcmp(m->cseq->method, m->sip_method))
		return reject(r, 400, "CSeq method does not match the request method");
	if (!scheme ||
	    (strcasecmp(scheme, "sip") && strcasecmp(scheme, "sips") && strcasecmp(scheme, "tel")))
		return reject(r, 416, "Request-URI scheme not supported");
	if (!in_list(methods_served, m->sip_method)) {
		r->extra_name = "Allow";
		snprintf(r->extra, sizeof(r->extra), "%s", SIP_ALLOW);
		return reject(r, in_list(methods_known, m->sip_method) ? 405 : 501,
			      "Method not supported here");
	}
	osip_message_get_max_forwards(m, 0, &mf);
	if (mf && mf->hvalue && !strcmp(mf->hvalue, "0") && !sip_msg_is(m, "OPTIONS") &&
	    !sip_msg_is(m, "ACK"))
		return reject(r, 483, "Max-Forwards reached zero");
	if (!sip_msg_is(m, "ACK") && !sip_msg_is(m, "CANCEL") && !require_ok(m, r))
		return false;
	if (sip_msg_is(m, "INVITE") && !contact_ok(m, r))
		return false;
	return body_ok(m, r);
}

bool sip_msg_check_transport(const osip_message_t *m, enum sip_proto proto, struct sip_reject *rej)
{
	memset(rej, 0, sizeof(*rej));
	/* RFC 3261 §26.2.2 asks for TLS on every hop of a SIPS request, and
	 * RFC 5630 §4.1 removes the last-hop exception: one that reached us
	 * over UDP or TCP has already lost what its sender asked for.  We do
	 * not serve it (416, the scheme is unsupported on this transport)
	 * rather than quietly downgrade it. */
	if (m->sip_method && proto != SIP_PROTO_TLS && m->req_uri && m->req_uri->scheme &&
	    !strcasecmp(m->req_uri->scheme, "sips"))
		return reject(rej, 416, "A SIPS Request-URI needs TLS (RFC 5630)");
	return true;
}

bool sip_msg_check(const osip_message_t *m, size_t raw_len, const char *raw, struct sip_reject *rej)
{
	(void)raw_len, (void)raw;
	memset(rej, 0, sizeof(*rej));
	if (m->sip_method)
		return request_ok(m, rej);
	if (m->status_code < 100 || m->status_code > 699 || !mandatory(m, rej)) {
		rej->status = 0; /* responses are dropped, never answered */
		return false;
	}
	return true;
}

void sip_reject_apply(const struct sip_reject *rej, osip_message_t *resp)
{
	char w[160];

	if (rej->warning[0]) {
		snprintf(w, sizeof(w), "399 strowger \"%s\"", rej->warning);
		osip_message_set_header(resp, "Warning", w);
	}
	if (rej->extra_name)
		osip_message_set_header(resp, rej->extra_name, rej->extra);
}

/* Which raw header lines a stateless answer copies (§8.2.6.2), with their
 * compact forms. */
static int copied_header(const char *line, size_t n)
{
	static const char *const names[] = {"via", "v",	      "from", "f",    "to",
					    "t",   "call-id", "i",    "cseq", NULL};
	size_t k = 0;

	while (k < n && line[k] != ':' && line[k] != ' ' && line[k] != '\t')
		k++;
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == k && !strncasecmp(line, names[i], k))
			return i / 2 + 1; /* 1 Via, 2 From, 3 To, 4 Call-ID, 5 CSeq */
	return 0;
}

static size_t put(char *out, size_t pos, size_t sz, const char *s, size_t n)
{
	if (pos + n < sz)
		memcpy(out + pos, s, n);
	return pos + n;
}

size_t sip_msg_reject_raw(const char *buf, size_t len, uint16_t status, const char *why,
			  const char *to_tag, char *out, size_t outsz)
{
	const char *p = buf, *end = buf + len;
	unsigned seen = 0;
	bool copying = false;
	size_t pos;
	char head[256];

	if (len < 8 || !memcmp(buf, "SIP/", 4) || !memcmp(buf, "ACK ", 4) ||
	    !isalpha((unsigned char)buf[0]))
		return 0; /* responses and ACKs are never answered */
	const char *reason = osip_message_get_reason(status);

	pos = put(out, 0, outsz, head,
		  (size_t)snprintf(head, sizeof(head), "SIP/2.0 %u %s\r\n", status,
				   reason ? reason : "Error"));
	p = memchr(p, '\n', len);
	while (p && ++p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (!n)
			break; /* end of the header block */
		if (p[0] == ' ' || p[0] == '\t') {
			if (copying)
				pos = put(out, pos, outsz, p, n);
		} else {
			int which = copied_header(p, n);

			copying = which != 0;
			if (copying) {
				pos = put(out, pos, outsz, "\r\n", pos > 0 && seen ? 2 : 0);
				pos = put(out, pos, outsz, p, n);
				seen |= 1u << which;
				if (which == 3 && to_tag && !memmem(p, n, ";tag=", 5)) {
					pos = put(out, pos, outsz, ";tag=", 5);
					pos = put(out, pos, outsz, to_tag, strlen(to_tag));
				}
			}
		}
		p = nl;
	}
	if (seen != 0x3e)
		return 0; /* without all five we cannot be understood */
	pos = put(out, pos, outsz, head,
		  (size_t)snprintf(head, sizeof(head),
				   "\r\nWarning: 399 strowger \"%s\"\r\nContent-Length: 0\r\n\r\n",
				   why));
	return pos < outsz ? pos : 0;
}
