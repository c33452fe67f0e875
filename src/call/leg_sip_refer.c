/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP leg as transferee (RFC 3515 REFER, RFC 5589 §6 blind transfer):
 * it checks the Refer-To, hands the transfer to the call
 * (call_leg_transfer, src/call/call_xfer.c) and sends the call's progress
 * reports to the transferor as NOTIFY sipfrags through the stack
 * (sip_sess_refer_answer/sip_sess_refer_notify, src/sip/session_refer.c).
 *
 *   Refer-To                          answer to the REFER
 *   sip:/sips: URI, number user part  → call_leg_transfer: 202 or its status
 *   ?Replaces= (attended, RFC 3891)   → 501: attended transfer is not done
 *   ;method= other than INVITE        → 403 (RFC 3515 §2.1: we only INVITE)
 *   tel:, other schemes               → 403: only SIP targets are routed here
 *   no user part / not a number       → 404: nothing the dial plan can route
 *
 * Why these: RFC 3515 §2.4.2 lets the referee refuse a REFER it will not
 * act on with any error.  416 names an unsupported Request-URI scheme,
 * not a Refer-To one, and 488 is about session descriptions, so a target
 * we will not call is 403 (RFC 3261 §21.4.4, "understood, will not do").
 * A Replaces header asks for a feature this gateway lacks: 501 (§21.5.2).
 * The host of the Refer-To URI is not used: the dial plan routes the
 * number (a URI route may put a host back with ${called}).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "call/leg_sip_int.h"
#include "core/log.h"

#define REFER_URI_MAX 512

/* Does the URI carry parameter `name` (";name=value", before any '?')?
 * Its value into `val`. */
static bool uri_param(const char *uri, const char *name, char *val, size_t sz)
{
	size_t n = strlen(name);
	const char *end = strchr(uri, '?');
	end = end ? end : uri + strlen(uri);
	for (const char *p = strchr(uri, ';'); p && p < end; p = strchr(p + 1, ';')) {
		if (strncasecmp(p + 1, name, n) != 0 || p[1 + n] != '=')
			continue;
		const char *v = p + 2 + n;
		size_t len = strcspn(v, ";?");
		if (len >= sz)
			len = sz - 1;
		memcpy(val, v, len);
		val[len] = '\0';
		return true;
	}
	return false;
}

/* Does the URI's header part (RFC 3261 §19.1.1 "?h=v&...") carry `name`? */
static bool uri_header(const char *uri, const char *name)
{
	size_t n = strlen(name);
	const char *q = strchr(uri, '?');
	for (const char *p = q; p; p = strchr(p + 1, '&'))
		if (strncasecmp(p + 1, name, n) == 0 && p[1 + n] == '=')
			return true;
	return false;
}

int leg_sip_refer_target(const char *refer_to, struct call_party *p, unsigned *status)
{
	char uri[REFER_URI_MAX], user[ROUTE_NUM_MAX * 3 + 1], method[16];
	memset(p, 0, sizeof(*p));
	*status = 400;
	if (!refer_to || leg_sip_uri_of(refer_to, uri, sizeof(uri)))
		return EINVAL;
	*status = 403;
	if (strncasecmp(uri, "sip:", 4) != 0 && strncasecmp(uri, "sips:", 5) != 0)
		return EPROTONOSUPPORT;
	if (uri_header(uri, "Replaces")) {
		*status = 501;
		return ENOTSUP;
	}
	if (uri_param(uri, "method", method, sizeof(method)) && strcasecmp(method, "INVITE") != 0)
		return ENOTSUP;
	*status = 404;
	/* The user part ends at '?' too (headers), which leg_sip_uri_user
	 * does not know: cut them off first. */
	uri[strcspn(uri, "?")] = '\0';
	if (leg_sip_uri_user(uri, user, sizeof(user)) || leg_sip_party(p, user))
		return EINVAL;
	*status = 0;
	return 0;
}

void leg_sip_refer_rx(struct leg_sip *l, struct sip_sess *sess, const struct sip_msg *msg)
{
	const char *rt = msg ? sip_msg_header(msg, "Refer-To", 0) : NULL;
	if (!rt && msg)
		rt = sip_msg_header(msg, "r", 0); /* compact form */
	struct call_party target;
	unsigned status;
	if (leg_sip_refer_target(rt, &target, &status)) {
		LOGN(LC_CALL, l->name, "REFER to %s refused: %u (%s)", rt ? rt : "-", status,
		     status == 501 ? "attended transfer (Replaces) is not supported"
		     : status == 404 ? "no number in the target"
		     : status == 403 ? "only sip:/sips: targets, by INVITE"
				     : "bad Refer-To");
		sip_sess_refer_answer(sess, (uint16_t)status);
		return;
	}
	LOGI(LC_CALL, l->name, "REFER to %s", target.digits);
	if (call_leg_transfer(&l->leg, &target, &status))
		sip_sess_refer_answer(sess, (uint16_t)status);
}

/* call_leg_ops.transfer_report: 202 answers the REFER (the stack sends
 * the first NOTIFY, 100 Trying, RFC 3515 §2.4.4); the rest are NOTIFYs. */
void leg_sip_transfer_report(struct call_leg *leg, unsigned status)
{
	struct leg_sip *l = (struct leg_sip *)leg;
	int err;
	if (!l->sess)
		return;
	if (status == 202)
		err = sip_sess_refer_answer(l->sess, 202);
	else
		err = sip_sess_refer_notify(l->sess, (uint16_t)status, NULL);
	if (err)
		LOGN(LC_CALL, l->name, "transfer report %u: %s", status, strerror(err));
}
