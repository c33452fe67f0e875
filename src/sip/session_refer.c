/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_refer: REFER inside an INVITE dialog (RFC 3515), as the
 * referee: the stack checks it, the call layer decides, the stack reports
 * progress with NOTIFY.
 *
 *   REFER ──► one Refer-To? ─no──► 400 (§2.4.2)
 *               │ yes
 *               ▼
 *   SIP_EV_REFER to the session's handler (msg: read Refer-To with
 *   sip_msg_header), which answers from inside the event:
 *     sip_sess_refer_answer(202) ──► 202, NOTIFY "SIP/2.0 100 Trying" (§2.4.4)
 *         later sip_sess_refer_notify(status) ──► NOTIFY, sipfrag of status;
 *         a final status ends the implicit subscription (terminated)
 *     sip_sess_refer_answer(4xx-6xx) ──► that status
 *     nothing ──► 603 Decline
 *
 * Why 603 when nobody takes it: REFER is in our Allow header and handled
 * here, so 501 (a method not implemented, RFC 3261 §21.5.2) would be
 * wrong; not acting on a reference is the "approval not granted" case of
 * RFC 3515 §2.4.2, and 603 is the decline of RFC 3261 §21.6.2.  While one
 * reference's subscription is still active, another REFER gets 491
 * (Request Pending): the call layer follows one at a time.
 *
 * Every NOTIFY carries "Event: refer;id=<the REFER's CSeq>" (§2.4.6), so a
 * later REFER's reports are told apart, and Subscription-State active or
 * terminated (RFC 6665 §8.2.3; §2.4.7 of RFC 3515 lets the notifier end it
 * after the final status).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session.h"
#include "sip/session_ext.h"

/* §2.4.2: exactly one Refer-To value (compact form "r" included). */
static bool one_refer_to(const osip_message_t *req)
{
	struct sip_msg v = {(osip_message_t *)req, NULL};
	unsigned n = 0;

	for (unsigned i = 0; sip_msg_header(&v, "Refer-To", i); i++)
		n++;
	for (unsigned i = 0; sip_msg_header(&v, "r", i); i++)
		n++;
	return n == 1;
}

void sip_refer_rx(struct sip_sess *ss, struct sip_txn *t, osip_message_t *req)
{
	struct sip_stack *s = ss->s;

	if (!one_refer_to(req)) {
		sip_stack_reply(s, t, 400, NULL, NULL);
		return;
	}
	if (ss->refer_active) {
		sip_stack_reply(s, t, 491, NULL, NULL);
		return;
	}
	mem_ref(ss);
	ss->refer_t = t;
	ss->refer_id = (uint32_t)strtoul(req->cseq->number, NULL, 10);
	sip_sess_emit(ss, SIP_EV_REFER, 0, req);
	if (ss->refer_t) { /* the handler did not answer it */
		LOGN(LC_SIP, ss->name, "REFER not taken: 603");
		sip_stack_reply(s, t, 603, NULL, NULL);
		ss->refer_t = NULL;
	}
	mem_deref(ss);
}

/* NOTIFY with a message/sipfrag status line (RFC 3515 §2.4.5). */
static int notify_send(struct sip_sess *ss, uint16_t status, const char *reason, bool final)
{
	char event[48], frag[96];
	struct sip_peer dst;
	struct sip_sa local;
	osip_message_t *m;
	int err = sip_stack_local(ss->s, &ss->dlg->peer, &local);

	if (!err)
		err = sip_dlg_request(ss->dlg, "NOTIFY", 0, &local, ss->dlg->peer.proto, &m, &dst);
	if (err)
		return err;
	snprintf(event, sizeof(event), "refer;id=%u", ss->refer_id);
	snprintf(frag, sizeof(frag), "SIP/2.0 %u %s\r\n", status,
		 reason ? reason : osip_message_get_reason(status));
	err = sip_msg_add_header(m, "Event", event);
	if (!err)
		err = sip_msg_add_header(m, "Subscription-State",
					 final ? "terminated;reason=noresource"
					       : "active;expires=60");
	if (!err)
		err = sip_msg_set_body(m, "message/sipfrag;version=2.0", frag);
	if (err) {
		osip_message_free(m);
		sip_peer_reset(&dst);
		return err;
	}
	err = sip_txn_request(NULL, ss->s->txl, m, &dst, NULL, NULL);
	sip_peer_reset(&dst);
	return err;
}

int sip_sess_refer_answer(struct sip_sess *ss, uint16_t status)
{
	struct sip_txn *t = ss->refer_t;
	int err;

	if (!ss->s || !t || (status != 202 && (status < 400 || status > 699)))
		return EPROTO;
	ss->refer_t = NULL;
	err = sip_stack_reply(ss->s, t, status, NULL, NULL);
	if (err || status != 202)
		return err;
	ss->refer_active = true;
	return notify_send(ss, 100, NULL, false); /* §2.4.4: the initial NOTIFY */
}

int sip_sess_refer_notify(struct sip_sess *ss, uint16_t status, const char *reason)
{
	if (!ss->s || !ss->dlg || !ss->refer_active || status < 100 || status > 699 ||
	    (reason && strpbrk(reason, "\r\n")))
		return EPROTO;
	if (status >= 200)
		ss->refer_active = false; /* the subscription ends with it */
	return notify_send(ss, status, reason, status >= 200);
}

/* --- REFER as the referrer (UAC, RFC 3515 §2.4.1) ------------------------- */

static void refer_resp(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg)
{
	struct sip_sess *ss = arg;

	if (ss->s)
		sip_sx_answered(ss, &ss->x->refer, t, status, resp, SIP_EV_REFER_ANSWER);
}

#define SIP_REFER_TO_MAX 256

int sip_sess_refer(struct sip_sess *ss, const char *refer_to)
{
	char uri[SIP_REFER_TO_MAX + 3];
	size_t n = refer_to ? strlen(refer_to) : 0;

	if (!n || n > SIP_REFER_TO_MAX || strpbrk(refer_to, "\r\n"))
		return EINVAL;
	if (!ss->s || !ss->dlg || ss->state != SIP_SESS_ESTABLISHED)
		return EPROTO;
	if (ss->x->refer)
		return EBUSY;
	snprintf(uri, sizeof(uri), refer_to[0] == '<' ? "%s" : "<%s>", refer_to);
	struct sip_sx_req rq = {
		.method = "REFER",
		.contact = true, /* mandatory in REFER (RFC 3515 §2.2, Table 1) */
		.hname = { "Refer-To" },
		.hval = { uri },
	};
	return sip_sx_send(ss, &rq, refer_resp, &ss->x->refer);
}
