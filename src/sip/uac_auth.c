/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/uac_auth: the client side of digest (see uac_auth.h).  The request
 * sent again after 401/407 is a new transaction: CSeq+1, a new branch, the
 * same Call-ID, From tag and To (RFC 3261 §8.1.3.5, §22.2).
 */
#include "sip/uac_auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/dialog.h"

int sip_uac_auth_init(struct sip_uac_auth *a, const char *user, const char *pass)
{
	memset(a, 0, sizeof(*a));
	if (!user || !pass || strpbrk(user, "\r\n\"") || strpbrk(pass, "\r\n"))
		return EINVAL;
	if (snprintf(a->user, sizeof(a->user), "%s", user) >= (int)sizeof(a->user) ||
	    snprintf(a->pass, sizeof(a->pass), "%s", pass) >= (int)sizeof(a->pass))
		return EINVAL;
	return 0;
}

/* The first challenge we can answer: libosip2 keeps WWW-Authenticate and
 * Proxy-Authenticate in lists of their own; we print each back and parse
 * it with our parser (MD5 and SHA-256, RFC 8760). */
static int pick_challenge(const osip_message_t *resp, bool proxy, struct sip_auth_chal *out)
{
	int rc = EPROTO;

	for (int i = 0;; i++) {
		osip_www_authenticate_t *w = NULL;
		char *txt = NULL;

		if (proxy)
			osip_message_get_proxy_authenticate(resp, i, &w);
		else
			osip_message_get_www_authenticate(resp, i, &w);
		if (!w)
			return rc;
		if (osip_www_authenticate_to_str(w, &txt) || !txt)
			return ENOMEM;
		int err = sip_auth_chal_parse(txt, strlen(txt), out);

		osip_free(txt);
		if (!err)
			return 0;
	}
}

int sip_uac_auth_realm(const osip_message_t *resp, char *realm, size_t sz)
{
	struct sip_auth_chal c;

	if (pick_challenge(resp, resp->status_code == 407, &c))
		return EPROTO;
	snprintf(realm, sz, "%s", c.realm);
	return 0;
}

int sip_uac_auth_challenge(struct sip_uac_auth *a, const osip_message_t *resp)
{
	struct sip_auth_chal c;
	bool proxy = resp->status_code == 407;

	if (!a->user[0])
		return EACCES;
	if (pick_challenge(resp, proxy, &c))
		return EPROTO;
	/* Once per challenge: another one after we answered means the
	 * credentials are wrong, unless the server says our nonce went stale
	 * (RFC 7616 §3.3).  A bound on stale rounds keeps a broken server
	 * from looping us. */
	if (a->answered && (!c.stale || a->answered >= 4))
		return EACCES;
	a->chal = c;
	a->have_chal = true;
	a->proxy = proxy;
	a->answered++;
	a->nc = 0;
	sip_rand_hex(a->cnonce, 16);
	return 0;
}

int sip_uac_auth_sign(struct sip_uac_auth *a, osip_message_t *req)
{
	struct sip_auth_cred cred;
	char *uri = NULL, hdr[1024];
	int err;

	if (!a->have_chal)
		return 0;
	if (osip_uri_to_str(req->req_uri, &uri) || !uri)
		return ENOMEM;
	a->nc++;
	err = sip_auth_answer(&a->chal, a->user, a->pass, req->sip_method, uri, a->nc, a->cnonce,
			      &cred);
	osip_free(uri);
	if (!err)
		err = sip_auth_cred_format(hdr, sizeof(hdr), &cred);
	if (!err)
		err = sip_msg_add_header(req, a->proxy ? "Proxy-Authorization" : "Authorization",
					 hdr);
	return err;
}

void sip_uac_auth_done(struct sip_uac_auth *a)
{
	a->answered = 0;
}

int sip_req_next(const osip_message_t *req, enum sip_proto proto, const struct sip_sa *local,
		 osip_message_t **outp)
{
	osip_message_t *m;
	osip_via_t *via;
	char cseq[48];
	int err;

	if (osip_message_clone(req, &m))
		return ENOMEM;
	while ((via = osip_list_get(&m->vias, 0))) {
		osip_list_remove(&m->vias, 0);
		osip_via_free(via);
	}
	snprintf(cseq, sizeof(cseq), "%lu", strtoul(req->cseq->number, NULL, 10) + 1);
	osip_free(m->cseq->number);
	m->cseq->number = osip_strdup(cseq);
	osip_message_force_update(m);
	err = sip_msg_add_via(m, proto, local);
	if (err) {
		osip_message_free(m);
		return err;
	}
	*outp = m;
	return 0;
}
