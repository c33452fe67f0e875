/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/stack_overload: the ceilings on concurrent sessions and live
 * transactions (sip_conf.max_sessions, max_txns).
 *
 * RFC 3261 §21.5.4: a server that cannot take a call for now answers 503
 * (Service Unavailable), and may say when to retry with Retry-After
 * (§20.33).  Being overloaded, we do it as cheaply as we can: the check
 * runs in the transaction layer before a server transaction is made, the
 * answer is stateless (no transaction, no session, no call layer), and a
 * retransmission of the INVITE is simply answered again.  The ACK to that
 * 503 finds nothing and is dropped.  In-dialog requests, CANCEL and BYE
 * always pass: they end calls and so relieve the load.
 */
#include <stdio.h>

#include "core/log.h"
#include "sip/session.h"

static bool over_ceiling(const struct sip_stack *s)
{
	return (s->conf.max_sessions && s->n_sess >= s->conf.max_sessions) ||
	       (s->conf.max_txns && sip_txl_count(s->txl) >= s->conf.max_txns);
}

bool sip_stack_gate(const osip_message_t *req, const struct sip_peer *peer, void *arg)
{
	struct sip_stack *s = arg;
	osip_message_t *r;
	char tag[17], secs[16];

	if (!sip_msg_is(req, "INVITE") || !over_ceiling(s))
		return false;
	s->st.overload++;
	if ((s->st.overload & (s->st.overload - 1)) == 0) /* log 1, 2, 4, 8, ... */
		LOGN(LC_SIP, "sip stack", "overloaded (%u sessions, %u transactions): 503 (%llu)",
		     s->n_sess, sip_txl_count(s->txl), (unsigned long long)s->st.overload);
	sip_rand_hex(tag, 16);
	if (sip_msg_response(&r, req, 503, NULL, tag))
		return true; /* out of memory: dropping it is the cheapest answer */
	snprintf(secs, sizeof(secs), "%u", s->conf.retry_after ? s->conf.retry_after : 1);
	sip_msg_add_header(r, "Retry-After", secs);
	if (s->conf.user_agent[0])
		sip_msg_add_header(r, "Server", s->conf.user_agent);
	if (!sip_txl_send(s->txl, r, peer))
		s->st.tx_msgs++;
	osip_message_free(r);
	return true;
}
