/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/stack_access: who may send us new requests (see sip.h, "Access
 * control").  The call layer decides by source address and/or digest; the
 * stack does the digest itself (RFC 3261 §22.1, §22.4; RFC 7616): it
 * challenges with 401 and nonces from sip_auth_srv (self-validating,
 * expiring, replay state only for nonces that authenticated), and checks
 * the Authorization of the retry.  Nothing unauthenticated reaches the
 * handlers, and a flood of unauthenticated requests leaves no state.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/auth.h"
#include "sip/session.h"

/* Nonces live a minute: long enough for a retry across a slow link, short
 * enough that a captured one is soon useless.  Replay state is bounded. */
#define NONCE_TTL      (60 * NS_PER_S)
#define NONCE_MAX_USED 4096

struct sip_access_ctl {
	sip_access_check_h *check;
	sip_access_password_h *password;
	void *arg;
	struct sip_auth_srv *srv;
	uint64_t rejected, challenged;
};

static void ctl_destroy(void *data)
{
	struct sip_access_ctl *a = data;

	mem_deref(a->srv);
}

int sip_stack_set_access(struct sip_stack *s, sip_access_check_h *check,
			 sip_access_password_h *password, void *arg)
{
	struct sip_access_ctl *a;
	int err;

	if (!check) {
		s->acc = mem_deref(s->acc);
		return 0;
	}
	a = mem_zalloc(sizeof(*a), ctl_destroy);
	if (!a)
		return ENOMEM;
	err = sip_auth_srv_alloc(&a->srv, loop_clock(s->loop), NONCE_TTL, NONCE_MAX_USED);
	if (err) {
		mem_deref(a);
		return err;
	}
	a->check = check;
	a->password = password;
	a->arg = arg;
	mem_deref(s->acc);
	s->acc = a;
	return 0;
}

const void *sip_msg_who(const struct sip_msg *m)
{
	return m->who;
}

void sip_stack_access_stats(const struct sip_stack *s, uint64_t *rejected, uint64_t *challenged)
{
	*rejected = s->acc ? s->acc->rejected : 0;
	*challenged = s->acc ? s->acc->challenged : 0;
}

static void log_refusal(const osip_message_t *req, const struct sip_peer *p, uint16_t status,
			const char *why)
{
	char ip[64];

	LOGN(LC_SIP, "sip access", "%s from %s (%s): %u, %s", req->sip_method,
	     sip_sa_ip(&p->addr, ip, sizeof(ip)), sip_proto_name(p->proto), status, why);
}

static void reject(struct sip_stack *s, struct sip_txn *t, const char *why)
{
	const osip_message_t *req = sip_txn_req(t);

	s->acc->rejected++;
	log_refusal(req, sip_txn_peer(t), 403, why);
	sip_stack_reply(s, t, 403, NULL, NULL);
}

/* 401 with a fresh nonce for `realm` (§22.1: WWW-Authenticate). */
static void challenge(struct sip_stack *s, struct sip_txn *t, const char *realm, bool stale)
{
	const osip_message_t *req = sip_txn_req(t);
	struct sip_auth_chal c;
	osip_message_t *r;
	char hv[512], tag[17];

	s->acc->challenged++;
	sip_rand_hex(tag, 16);
	if (sip_auth_srv_challenge(s->acc->srv, realm, SIP_AUTH_MD5, stale, &c) ||
	    sip_auth_chal_format(hv, sizeof(hv), &c) || sip_msg_response(&r, req, 401, NULL, tag)) {
		sip_stack_reply(s, t, 500, NULL, NULL);
		return;
	}
	LOGD(LC_SIP, "sip access", "%s: 401 for realm %s%s", req->sip_method, realm,
	     stale ? " (stale)" : "");
	if (sip_msg_add_header(r, "WWW-Authenticate", hv) ||
	    (s->conf.user_agent[0] && sip_msg_add_header(r, "Server", s->conf.user_agent))) {
		osip_message_free(r);
		sip_stack_reply(s, t, 500, NULL, NULL);
		return;
	}
	sip_txn_respond(t, r);
}

/* The request's credentials for `realm`, if it carries any. */
static bool find_cred(const osip_message_t *req, const char *realm, struct sip_auth_cred *out)
{
	for (int i = 0;; i++) {
		osip_authorization_t *au = NULL;
		char *txt = NULL;
		int err;

		osip_message_get_authorization(req, i, &au);
		if (!au)
			return false;
		if (osip_authorization_to_str(au, &txt) || !txt)
			return false;
		err = sip_auth_cred_parse(txt, strlen(txt), out);
		osip_free(txt);
		if (!err && !strcmp(out->realm, realm))
			return true;
	}
}

/* RFC 7616 §3.4.6 (RFC 2617 §3.2.2.5): the digest-uri must name the
 * Request-URI, or the credentials were made for another request.
 * Compared as URIs: scheme, host (any case) and port.  Not the user part:
 * SIPp, for one, signs "sip:host:port" for any Request-URI; the nonce,
 * good for one request (or rising nonce-counts), still binds them. */
static bool same_str(const char *a, const char *b, bool nocase)
{
	if (!a || !b)
		return !a && !b;
	return nocase ? !strcasecmp(a, b) : !strcmp(a, b);
}

static bool uri_matches(const osip_message_t *req, const char *text)
{
	const osip_uri_t *r = req->req_uri;
	osip_uri_t *u = NULL;
	bool same;

	if (!r || osip_uri_init(&u))
		return false;
	if (osip_uri_parse(u, text)) {
		osip_uri_free(u);
		return false;
	}
	same = same_str(u->scheme, r->scheme, true) && same_str(u->host, r->host, true) &&
	       same_str(u->port, r->port, false);
	osip_uri_free(u);
	return same;
}

static bool digest(struct sip_stack *s, struct sip_txn *t, osip_message_t *req, const char *realm,
		   const void **who)
{
	struct sip_access_ctl *a = s->acc;
	const struct sip_peer *p = sip_txn_peer(t);
	struct sip_msg v = {req, NULL};
	struct sip_auth_cred cred;
	const char *pw = NULL;

	if (!find_cred(req, realm, &cred)) {
		challenge(s, t, realm, false);
		return false;
	}
	if (!uri_matches(req, cred.uri)) {
		a->rejected++;
		log_refusal(req, p, 400, "digest uri is not the Request-URI");
		sip_stack_reply(s, t, 400, NULL, NULL);
		return false;
	}
	if (a->password)
		pw = a->password(&v, (const struct sockaddr *)&p->addr.ss, realm, cred.username,
				 who, a->arg);
	switch (sip_auth_srv_verify(a->srv, &cred, realm, req->sip_method, pw)) {
	case SIP_AUTH_OK:
		return true;
	case SIP_AUTH_STALE:
		challenge(s, t, realm, true);
		return false;
	case SIP_AUTH_DENIED:
		*who = NULL;
		reject(s, t, pw ? "wrong password" : "unknown user");
		return false;
	default: /* forged or replayed: a fresh challenge, nothing more */
		*who = NULL;
		log_refusal(req, p, 401, "nonce forged or replayed");
		challenge(s, t, realm, false);
		return false;
	}
}

bool sip_stack_access(struct sip_stack *s, struct sip_txn *t, osip_message_t *req, const void **who)
{
	struct sip_access_ctl *a = s->acc;
	const struct sip_peer *p = sip_txn_peer(t);
	struct sip_msg v = {req, NULL};
	struct sip_access ver = {.kind = SIP_ACCESS_REJECT};

	*who = NULL;
	if (!a)
		return true;
	a->check(&v, (const struct sockaddr *)&p->addr.ss, &ver, a->arg);
	switch (ver.kind) {
	case SIP_ACCESS_ACCEPT:
		*who = ver.who;
		return true;
	case SIP_ACCESS_DIGEST:
		return digest(s, t, req, ver.realm[0] ? ver.realm : "strowger", who);
	default:
		reject(s, t, "source not allowed");
		return false;
	}
}
