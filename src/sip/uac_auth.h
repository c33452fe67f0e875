/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/uac_auth: answering a 401/407 as a client (RFC 3261 §22.2, §8.1.3.5;
 * RFC 7616).  Shared by INVITE sessions (session_auth.c) and the REGISTER
 * client (register.c): keep the last challenge, sign each request sent again
 * with Authorization / Proxy-Authorization, and tell a stale nonce (answer
 * again) from refused credentials (give up: a second challenge that is not
 * stale means the password is wrong).
 */
#ifndef STROWGER_SIP_UAC_AUTH_H
#define STROWGER_SIP_UAC_AUTH_H

#include "sip/auth.h"
#include "sip/msg.h"
#include "sip/transport.h"

struct sip_uac_auth {
	char user[SIP_AUTH_STR], pass[SIP_AUTH_STR];
	struct sip_auth_chal chal;
	bool have_chal, proxy; /* proxy: 407 (Proxy-Authorization) */
	unsigned answered;     /* challenges answered since the last success */
	uint32_t nc;	       /* nonce-count for chal.nonce */
	char cnonce[17];
};

/* Set the credentials (EINVAL if too long or holding CR/LF). */
int sip_uac_auth_init(struct sip_uac_auth *a, const char *user, const char *pass);
/* A 401/407 arrived: 0 means send the request again (signed), EACCES means
 * the credentials were refused (or none were given), EPROTO a challenge we
 * cannot answer (malformed, unknown algorithm). */
int sip_uac_auth_challenge(struct sip_uac_auth *a, const osip_message_t *resp);
/* The realm of the first challenge in a 401/407 we can answer (EPROTO: none). */
int sip_uac_auth_realm(const osip_message_t *resp, char *realm, size_t sz);
/* Add the credentials for `req` (its method and Request-URI) if a
 * challenge is known; no challenge: nothing to add, 0. */
int sip_uac_auth_sign(struct sip_uac_auth *a, osip_message_t *req);
/* A final response other than 401/407: the next challenge is a new one. */
void sip_uac_auth_done(struct sip_uac_auth *a);

/* A request sent again after a challenge (§8.1.3.5): a copy of `req` with
 * CSeq+1, a new top Via (new branch) from `local`, same Call-ID and tags,
 * no old credentials. */
int sip_req_next(const osip_message_t *req, enum sip_proto proto, const struct sip_sa *local,
		 osip_message_t **outp);

#endif
