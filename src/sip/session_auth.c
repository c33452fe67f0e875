/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_auth: digest for our INVITE sessions (RFC 3261 §22.2).  A
 * 401/407 to our INVITE ends its client transaction (libosip2 ACKs it);
 * we send the INVITE again as a new transaction (CSeq+1, new branch, same
 * Call-ID and From tag) with Authorization / Proxy-Authorization.  The
 * session keeps the unsigned copy as its INVITE: CANCEL and the dialog are
 * built from it (§9.1: same CSeq number and top Via as the request it
 * cancels).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session.h"
#include "sip/uac_auth.h"

int sip_sess_auth_set(struct sip_sess *ss, const char *user, const char *pass)
{
	struct sip_uac_auth *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return ENOMEM;
	err = sip_uac_auth_init(a, user, pass);
	if (err) {
		free(a);
		return err;
	}
	free(ss->auth);
	ss->auth = a;
	return 0;
}

void sip_stack_set_credentials(struct sip_stack *s, sip_cred_h *h, void *arg)
{
	s->cred_h = h;
	s->cred_arg = arg;
}

/* No credentials of its own: ask the stack's callback for the realm's. */
static int auth_from_stack(struct sip_sess *ss, const osip_message_t *resp)
{
	char realm[SIP_AUTH_STR], user[SIP_AUTH_STR], pass[SIP_AUTH_STR];

	if (!ss->s->cred_h || sip_uac_auth_realm(resp, realm, sizeof(realm)))
		return EACCES;
	if (!ss->s->cred_h(realm, user, sizeof(user), pass, sizeof(pass), ss->s->cred_arg))
		return EACCES;
	return sip_sess_auth_set(ss, user, pass);
}

int sip_sess_auth_challenged(struct sip_sess *ss, const osip_message_t *resp)
{
	int err;

	if (!ss->auth && auth_from_stack(ss, resp))
		return EACCES;
	err = sip_uac_auth_challenge(ss->auth, resp);
	if (err)
		LOGN(LC_SIP, ss->name, "%u to %s: %s", resp->status_code,
		     resp->cseq ? resp->cseq->method : "?",
		     err == EACCES ? "credentials refused" : "challenge not understood");
	return err;
}

int sip_sess_auth_sign(struct sip_sess *ss, osip_message_t *req)
{
	return ss->auth ? sip_uac_auth_sign(ss->auth, req) : 0;
}

int sip_sess_auth_retry(struct sip_sess *ss, const osip_message_t *resp, sip_txn_resp_h *rh)
{
	struct sip_sa local;
	osip_message_t *next, *keep;
	struct sip_txn *t = NULL;
	int err;

	if (ss->cancelled || !ss->invite)
		return ECANCELED;
	err = sip_sess_auth_challenged(ss, resp);
	if (!err)
		err = sip_stack_local(ss->s, &ss->peer, &local);
	if (!err)
		err = sip_req_next(ss->invite, ss->peer.proto, &local, &next);
	if (err)
		return err;
	if (osip_message_clone(next, &keep)) {
		osip_message_free(next);
		return ENOMEM;
	}
	err = sip_uac_auth_sign(ss->auth, next);
	if (err) {
		osip_message_free(next);
		osip_message_free(keep);
		return err;
	}
	osip_message_free(ss->invite);
	ss->invite = keep;
	if (ss->ict)
		sip_txn_detach(ss->ict);
	ss->ict = mem_deref(ss->ict);
	LOGI(LC_SIP, ss->name, "INVITE again with credentials (%u)", resp->status_code);
	err = sip_txn_request(&t, ss->s->txl, next, &ss->peer, rh, ss);
	if (!err && ss->s)
		ss->ict = mem_ref(t);
	else if (t)
		sip_txn_detach(t);
	return err;
}
