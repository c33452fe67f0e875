/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_timer: session timers (RFC 4028), so a call whose far end
 * vanished without a BYE does not hold a B-channel for ever.
 *
 * Negotiation.  Our INVITE says Supported: timer, Session-Expires (conf
 * session_expires) and Min-SE (conf min_se) (§7.1); a 422 is answered by
 * sending the INVITE once more with the interval it names (§7.4).  The
 * 2xx decides (§7.2): its Session-Expires and refresher, or no timer when
 * it has none.  As UAS (§9) an interval below min_se gets 422 with our
 * Min-SE (§8.1); without Session-Expires we pick session_expires; the
 * refresher is the request's choice, else the far end if it supports
 * timer, else us; the 2xx carries Session-Expires with the refresher (and
 * Require: timer when the far end supports it).  Every refresh (re-INVITE
 * or UPDATE, either way) negotiates again and restarts the timer.
 *
 *   refresher:   SE/2 ──> UPDATE (if the far end Allows it) or re-INVITE
 *                         with the same SDP; 408/481 → BYE (§10)
 *   the other:   SE - min(32 s, SE/3) without a refresh ──> BYE,
 *                TERMINATED (408)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/mem.h"
#include "sip/session_ext.h"

enum refresher { REF_NONE, REF_UAC, REF_UAS };

/* Session-Expires: delta-seconds *(;param), refresher=uac|uas (§4). */
static bool se_parse(const osip_message_t *m, uint32_t *se, enum refresher *ref)
{
	const char *v = sip_sx_hdr(m, "session-expires", "x"), *p;
	char *end;
	unsigned long n;

	if (!v)
		return false;
	n = strtoul(v, &end, 10);
	if (end == v || n == 0 || n > 0xffffffffUL / 2)
		return false;
	*se = (uint32_t)n;
	*ref = REF_NONE;
	for (p = strchr(end, ';'); p; p = strchr(p + 1, ';')) {
		p += 1 + strspn(p + 1, " \t");
		if (!strncasecmp(p, "refresher=uac", 13))
			*ref = REF_UAC;
		else if (!strncasecmp(p, "refresher=uas", 13))
			*ref = REF_UAS;
	}
	return true;
}

static uint32_t min_se_of(const osip_message_t *m)
{
	const char *v = sip_sx_hdr(m, "min-se", NULL);

	return v ? (uint32_t)strtoul(v, NULL, 10) : 0;
}

uint16_t sip_st_rx_request(struct sip_sess *ss, const osip_message_t *req)
{
	const struct sip_conf *c = &ss->s->conf;
	struct sip_sx *x = ss->x;
	enum refresher ref = REF_NONE;
	uint32_t se = 0, floor = min_se_of(req);

	if (!c->session_expires)
		return 0;
	if (se_parse(req, &se, &ref) && se < c->min_se)
		return 422;
	if (!se) /* §9: we may choose one */
		se = c->session_expires;
	if (se < floor)
		se = floor;
	x->se = se;
	/* §9: in the request it is the sender's choice; else the far end if it
	 * can (it supports timer), else we, the UAS of this request. */
	x->we_refresh = ref == REF_UAS || (ref == REF_NONE && !x->peer_timer);
	return 0;
}

int sip_st_decorate_2xx(struct sip_sess *ss, osip_message_t *r)
{
	struct sip_sx *x = ss->x;
	char v[48];
	int err;

	if (!x->se)
		return 0;
	snprintf(v, sizeof(v), "%u;refresher=%s", x->se, x->we_refresh ? "uas" : "uac");
	err = sip_msg_add_header(r, "Session-Expires", v);
	if (!err && x->peer_timer)
		err = sip_msg_add_header(r, "Require", "timer");
	if (!err)
		sip_st_restart(ss);
	return err;
}

void sip_st_rx_2xx(struct sip_sess *ss, const osip_message_t *resp)
{
	struct sip_sx *x = ss->x;
	enum refresher ref;
	uint32_t se;

	if (!ss->s || !ss->s->conf.session_expires)
		return;
	if (se_parse(resp, &se, &ref)) {
		x->se = se;
		x->we_refresh = ref != REF_UAS; /* we were the UAC of this request */
	} else if (!(x->se && x->we_refresh && !x->peer_timer)) {
		/* §7.2: no Session-Expires, no timer; unless we are refreshing
		 * for a far end that never knew timers (§9). */
		x->se = 0;
	}
	sip_st_restart(ss);
}

void sip_sx_uac_2xx(struct sip_sess *ss, const osip_message_t *resp)
{
	sip_sx_learn(ss, resp);
	sip_st_rx_2xx(ss, resp);
}

void sip_st_req_headers(const struct sip_sess *ss, struct sip_sx_req *rq, char *buf, size_t sz)
{
	int i = 0;

	if (!ss->x->se)
		return;
	while (i < 2 && rq->hname[i])
		i++;
	snprintf(buf, sz, "%u;refresher=uac", ss->x->se); /* we go on refreshing */
	rq->hname[i] = "Session-Expires";
	rq->hval[i] = buf;
}

static void st_expire(void *arg)
{
	struct sip_sess *ss = arg;

	LOGN(LC_SIP, ss->name, "session expired (%u s without refresh)", ss->x->se);
	mem_ref(ss);
	sip_sess_bye(ss);
	sip_sess_end(ss, 408, NULL);
	mem_deref(ss);
}

static uint64_t guard_ns(uint32_t se)
{
	uint32_t g = se / 3 < 32 ? se / 3 : 32; /* §10 */

	return (uint64_t)g * NS_PER_S;
}

static void st_refresh(void *arg)
{
	struct sip_sess *ss = arg;
	struct sip_sx *x = ss->x;
	int err;

	err = x->peer_update ? sip_upd_refresh(ss) : sip_upd_reinvite(ss);
	LOGD(LC_SIP, ss->name, "refresh by %s: %d", x->peer_update ? "UPDATE" : "re-INVITE", err);
	if (err && ss->s) /* busy with an offer: try again soon */
		loop_timer_start(ss->s->loop, &x->st_tmr, 2 * NS_PER_S, st_refresh, ss);
}

void sip_st_restart(struct sip_sess *ss)
{
	struct sip_sx *x = ss->x;
	uint64_t se;

	if (!ss->s)
		return;
	loop_timer_cancel(ss->s->loop, &x->st_tmr);
	if (!x->se)
		return;
	se = (uint64_t)x->se * NS_PER_S;
	if (x->we_refresh)
		loop_timer_start(ss->s->loop, &x->st_tmr, se / 2, st_refresh, ss);
	else
		loop_timer_start(ss->s->loop, &x->st_tmr, se - guard_ns(x->se), st_expire, ss);
}

void sip_st_refresh_failed(struct sip_sess *ss, uint16_t status)
{
	struct sip_sx *x = ss->x;
	uint64_t half;

	if (status == 408 || status == 481) { /* §10: the session is gone */
		st_expire(ss);
		return;
	}
	if (!x->se || !x->we_refresh || !ss->s)
		return;
	if (status == 491) { /* glare: RFC 3261 §14.1 wait, then again */
		loop_timer_start(ss->s->loop, &x->st_tmr, sip_glare_wait(ss), st_refresh, ss);
		return;
	}
	/* Refused: the session still ends where the last refresh put it. */
	half = (uint64_t)x->se * NS_PER_S / 2;
	loop_timer_start(ss->s->loop, &x->st_tmr,
			 half > guard_ns(x->se) ? half - guard_ns(x->se) : 0, st_expire, ss);
}

/* §7.4: once, the INVITE again with the interval the 422 asks for, on a new
 * transaction (CSeq + 1, new branch). */
static int replace_header(osip_message_t *m, const char *name, const char *value)
{
	osip_header_t *h = NULL;
	int pos;

	while ((pos = osip_message_header_get_byname(m, name, 0, &h)) >= 0 && h) {
		osip_list_remove(&m->headers, pos);
		osip_header_free(h);
		h = NULL;
	}
	return sip_msg_add_header(m, name, value);
}

static int retry_invite(struct sip_sess *ss, uint32_t se, osip_message_t **mp)
{
	osip_message_t *m;
	osip_via_t *via;
	struct sip_sa local;
	char v[24];
	int err = sip_oerr(osip_message_clone(ss->invite, &m));

	if (err)
		return err;
	via = osip_list_get(&m->vias, 0);
	osip_list_remove(&m->vias, 0);
	osip_via_free(via);
	snprintf(v, sizeof(v), "%lu", strtoul(m->cseq->number, NULL, 10) + 1);
	osip_free(m->cseq->number);
	m->cseq->number = osip_strdup(v);
	err = sip_stack_local(ss->s, &ss->peer, &local);
	if (!err)
		err = sip_msg_add_via(m, ss->peer.proto, &local);
	snprintf(v, sizeof(v), "%u", se);
	if (!err)
		err = replace_header(m, "Session-Expires", v);
	if (!err)
		err = replace_header(m, "Min-SE", v);
	if (err) {
		osip_message_free(m);
		return err;
	}
	*mp = m;
	return 0;
}

bool sip_sx_uac_422(struct sip_sess *ss, const osip_message_t *resp)
{
	struct sip_sx *x = ss->x;
	uint32_t se = min_se_of(resp);
	osip_message_t *m, *copy;
	struct sip_txn *t = NULL;

	if (x->retried_422 || !se || se > 86400 || ss->cancelled || retry_invite(ss, se, &m))
		return false;
	if (osip_message_clone(m, &copy)) {
		osip_message_free(m);
		return false;
	}
	x->retried_422 = true;
	LOGI(LC_SIP, ss->name, "422: INVITE again with Session-Expires %u", se);
	osip_message_free(ss->invite);
	ss->invite = copy; /* CANCEL and the dialog follow the new one */
	sip_txn_detach(ss->ict);
	ss->ict = mem_deref(ss->ict);
	if (sip_txn_request(&t, ss->s->txl, m, &ss->peer, sip_uac_invite_resp, ss))
		return false; /* reported by the ICT as 503 */
	if (ss->s && t)
		ss->ict = mem_ref(t);
	else if (t)
		sip_txn_detach(t);
	return true;
}
