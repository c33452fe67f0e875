/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/txn_index: the keys under which transactions are indexed.
 *
 * RFC 3261 §17.2.3 (server side): with the magic cookie "z9hG4bK", a request
 * matches a transaction when the branch and the sent-by of the top Via and
 * the method are equal (ACK matches INVITE).  Without it (RFC 2543 peers)
 * we match on Request-URI, From tag, Call-ID, CSeq number, top Via and
 * method; the To tag is left out so the ACK to our non-2xx final response,
 * whose To carries our tag, finds the INVITE.  The Call-ID is compared
 * whole (§20.8: "a@h1" and "a@h2" are different calls; libosip2 splits it
 * at '@' into number and host, so both halves go into the key).
 * RFC 3261 §17.1.3 (client side): branch of the top Via and CSeq method.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/txn.h"

#define COOKIE "z9hG4bK"

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The parts, concatenated, in a malloc'd string.  Two keys are made for
 * every request and response; snprintf cost ~900 instructions each. */
static char *key_join(const char *const *parts, unsigned n)
{
	size_t len[8], total = 1;
	char *out, *p;

	for (unsigned i = 0; i < n; i++)
		total += len[i] = strlen(parts[i]);
	out = malloc(total);
	if (!out)
		return NULL;
	p = out;
	for (unsigned i = 0; i < n; i++) {
		memcpy(p, parts[i], len[i]);
		p += len[i];
	}
	*p = 0;
	return out;
}

static char *key_2543(const osip_message_t *m, const osip_via_t *via, const char *method)
{
	char *ruri = NULL, *out;
	const char *ftag = sip_msg_tag(m->from);
	const char *br = sip_msg_branch(m);
	const char *cid_host = m->call_id->host;
	size_t n;

	if (!m->req_uri || osip_uri_to_str(m->req_uri, &ruri))
		return NULL;
	n = strlen(ruri) + strlen(m->call_id->number) + (cid_host ? strlen(cid_host) : 0) +
	    strlen(m->cseq->number) + strlen(via->host) + (ftag ? strlen(ftag) : 0) +
	    (br ? strlen(br) : 0) + (via->port ? strlen(via->port) : 0) + strlen(method) + 16;
	out = malloc(n);
	if (out)
		snprintf(out, n, "2|%s|%s|%s%s%s|%s|%s:%s;%s|%s", ruri, ftag ? ftag : "",
			 m->call_id->number, cid_host ? "@" : "", cid_host ? cid_host : "",
			 m->cseq->number, via->host, via->port ? via->port : "", br ? br : "",
			 method);
	osip_free(ruri);
	return out;
}

char *sip_txn_key(const osip_message_t *m, bool server, const char *method)
{
	const osip_via_t *via = osip_list_get(&m->vias, 0);
	const char *br = sip_msg_branch(m);
	char *out;

	if (!via || !via->host || !m->cseq || !m->cseq->method || !m->call_id ||
	    !m->call_id->number || !m->cseq->number)
		return NULL;
	if (!method)
		method = m->sip_method && strcmp(m->sip_method, "ACK") ? m->sip_method
			 : m->sip_method			       ? "INVITE"
								       : m->cseq->method;
	if (!server) {
		if (!br)
			return NULL;
		const char *parts[] = {"c|", br, "|", method};
		return key_join(parts, 4);
	}
	if (!br || strncmp(br, COOKIE, sizeof(COOKIE) - 1))
		return key_2543(m, via, method);
	const char *parts[] = {"s|", br, "|", via->host, ":", via->port ? via->port : "", "|",
			       method};
	out = key_join(parts, 8);
	if (!out)
		return NULL;
	/* sent-by host compares without case; branch and method with. */
	char *hp = out + 3 + strlen(br), *bar = strrchr(out, '|');

	*bar = 0;
	lower(hp);
	*bar = '|';
	return out;
}

/* RFC 3261 §8.2.2.2: From tag, Call-ID (whole) and CSeq (number and method). */
char *sip_txn_merge_key(const osip_message_t *m)
{
	const char *ftag = sip_msg_tag(m->from);
	const char *host = m->call_id ? m->call_id->host : NULL;
	char *out;
	size_t n;

	if (!ftag || !m->call_id || !m->call_id->number || !m->cseq || !m->cseq->number ||
	    !m->cseq->method)
		return NULL;
	n = strlen(ftag) + strlen(m->call_id->number) + (host ? strlen(host) : 0) +
	    strlen(m->cseq->number) + strlen(m->cseq->method) + 8;
	out = malloc(n);
	if (out)
		snprintf(out, n, "m|%s|%s%s%s|%s|%s", ftag, m->call_id->number, host ? "@" : "",
			 host ? host : "", m->cseq->number, m->cseq->method);
	return out;
}
