/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_req: the user's own non-INVITE requests in a dialog: INFO
 * (RFC 6086), MESSAGE (RFC 3428), NOTIFY (RFC 6665) and OPTIONS (RFC 3261
 * §11, which allows it in a dialog too).  The methods with a state machine
 * of their own (INVITE, UPDATE, PRACK, BYE, CANCEL, ACK, REFER) have their
 * own calls and are refused here, so nothing can bypass it.
 *
 * One request at a time per session (EBUSY): the call layer has no use
 * for more, and a single slot keeps the answer's attribution trivial.
 * The final response is reported as SIP_EV_REQUEST_ANSWER; the CSeq of the
 * message names the method.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session_ext.h"

static void req_resp(struct sip_txn *t, osip_message_t *resp, uint16_t status, void *arg)
{
	struct sip_sess *ss = arg;

	if (ss->s)
		sip_sx_answered(ss, &ss->x->req, t, status, resp, SIP_EV_REQUEST_ANSWER);
}

static bool allowed(const char *method)
{
	static const char *const ok[] = {"INFO", "MESSAGE", "NOTIFY", "OPTIONS"};

	for (size_t i = 0; method && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(method, ok[i])) /* methods are case-sensitive (§7.1) */
			return true;
	return false;
}

int sip_sess_request(struct sip_sess *ss, const char *method, const char *ctype,
		     const char *body, const char *const *extra_headers)
{
	if (!allowed(method) || (body && (!ctype || !*ctype || strpbrk(ctype, "\r\n"))))
		return EINVAL;
	if (!ss->s || !ss->dlg || ss->state >= SIP_SESS_TERMINATING)
		return EPROTO;
	if (ss->x->req)
		return EBUSY;
	struct sip_sx_req rq = {
		.method = method,
		.ctype = ctype,
		.body = body,
		.extra = extra_headers,
	};
	int err = sip_sx_send(ss, &rq, req_resp, &ss->x->req);

	if (err)
		LOGI(LC_SIP, ss->name, "%s not sent: %s", method, strerror(err));
	return err;
}
