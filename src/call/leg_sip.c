/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP leg (see leg_sip.h): session events in, call_leg operations out,
 * with RFC 3666's mapping of SIP progress onto the PSTN call.
 *
 *   UAS:  INVITE ─100─► call_incoming ─180/183/200─► ... ─► 4xx-6xx|BYE
 *   UAC:  setup ─INVITE─► 1xx ─► 2xx (ACK by the stack) ─► CANCEL|BYE
 *
 * Media: each leg owns one RTP stream (leg_sip_media.c).
 *
 * A session is the stack's; the leg holds a reference until it is freed.
 * Once the call releases the leg, the session's user pointer is cleared:
 * what the session reports after that (the 487 to our CANCEL, the 200 to
 * our BYE) is no longer the call's business.
 */
#include "call/leg_sip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call/cause.h"
#include "call/leg_sip_int.h"
#include "call/limit.h"
#include "core/log.h"
#include "core/mem.h"

#define URI_MAX	 512 /* a Request-URI we build */
#define HOST_MAX 272 /* host[:port] of From and To */
#define HDR_MAX	 640

static unsigned leg_seq;

static struct leg_sip *leg_of(const struct call_leg *leg)
{
	return (struct leg_sip *)leg;
}

/* --- causes: the Reason header (RFC 3326, RFC 6432) ----------------------- */

static void reason_set(struct leg_sip *l, unsigned cause)
{
	char v[160];
	const char *text = l->env->causes ? cause_text(l->env->causes, cause) : NULL;
	if (!cause_reason_format(v, sizeof(v), cause, text && text[0] ? text : NULL))
		sip_sess_set_reason(l->sess, v);
}

/* The Q.850 cause in a message's Reason headers, or 0. */
static unsigned reason_cause(const struct sip_msg *msg)
{
	const char *h;
	unsigned cause;
	for (unsigned i = 0; msg && (h = sip_msg_header(msg, "Reason", i)); i++)
		if (!cause_reason_parse(h, strlen(h), &cause))
			return cause;
	return 0;
}

/* --- operations the call asks of the leg ---------------------------------- */

static int answer_with(struct leg_sip *l, uint16_t status, bool sdp)
{
	if (!l->sess)
		return ENOTCONN;
	int err = sip_sess_answer(l->sess, status, NULL, sdp ? "application/sdp" : NULL,
				  sdp ? l->sdp : NULL);
	if (err)
		LOGN(LC_CALL, l->name, "cannot send %u: %s", status, strerror(err));
	return err;
}

static int l_proceeding(struct call_leg *leg)
{
	(void)leg; /* 100 Trying went out with the INVITE (RFC 3261 §8.2.6.1) */
	return 0;
}

/* RFC 3666 §2: ringing without in-band information is 180; with it, early
 * media, 183 Session Progress with the answer. */
static int l_alerting(struct call_leg *leg, bool inband)
{
	return inband ? answer_with(leg_of(leg), 183, true) : answer_with(leg_of(leg), 180, false);
}

static int l_progress(struct call_leg *leg)
{
	return answer_with(leg_of(leg), 183, true);
}

static int l_answer(struct call_leg *leg)
{
	return answer_with(leg_of(leg), 200, true);
}

/* Before a final response: the error status (UAS) or CANCEL (UAC, RFC 3261
 * §9.1); after: BYE (§15.1).  Each with the cause in Reason (RFC 3326). */
static void l_release(struct call_leg *leg, unsigned cause, unsigned status)
{
	struct leg_sip *l = leg_of(leg);
	l->released = true;
	if (!l->sess)
		return;
	sip_sess_set_user(l->sess, NULL);
	enum sip_sess_state st = sip_sess_state(l->sess);
	if (st == SIP_SESS_TERMINATING || st == SIP_SESS_TERMINATED)
		return;
	reason_set(l, cause);
	int err;
	const char *what;
	bool early = st == SIP_SESS_CALLING || st == SIP_SESS_INCOMING || st == SIP_SESS_EARLY;
	if (early && l->uac) {
		what = "CANCEL";
		err = sip_sess_cancel(l->sess);
	} else if (early) {
		what = "final response";
		err = sip_sess_answer(l->sess, status >= 300 && status <= 699 ? status : 500, NULL,
				      NULL, NULL);
	} else {
		what = "BYE";
		err = sip_sess_bye(l->sess);
	}
	if (err)
		LOGN(LC_CALL, l->name, "cause %u: cannot send %s: %s", cause, what, strerror(err));
}

static void l_describe(const struct call_leg *leg, struct cdr *rec)
{
	const struct leg_sip *l = leg_of(leg);
	if (l->call_id[0])
		snprintf(rec->call_id, sizeof(rec->call_id), "%s", l->call_id);
	if (l->trunk[0])
		snprintf(rec->trunk, sizeof(rec->trunk), "%s", l->trunk);
}

static void l_destroy(struct call_leg *leg)
{
	struct leg_sip *l = leg_of(leg);
	call_leg_limit_drop(leg); /* a leg that never joined a call */
	if (l->sess && !l->released)
		l_release(leg, 41, 0); /* never released: a call that could not be made */
	if (l->sess) {
		sip_sess_set_user(l->sess, NULL);
		mem_deref(l->sess);
	}
	mem_deref(l->ms);
	free(l);
}

static int l_setup(struct call_leg *leg, const struct call_setup *s);

static const struct call_leg_ops sip_leg_ops = {
    .kind = "sip",
    .setup = l_setup,
    .proceeding = l_proceeding,
    .alerting = l_alerting,
    .progress = l_progress,
    .answer = l_answer,
    .release = l_release,
    .describe = l_describe,
    .destroy = l_destroy,
    .transfer_report = leg_sip_transfer_report,
};

static struct leg_sip *leg_new(const struct leg_sip_env *env, bool uac)
{
	struct leg_sip *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->leg.ops = &sip_leg_ops;
	l->leg.side = CALL_SIDE_SIP;
	l->leg.priv = l;
	l->env = env;
	l->uac = uac;
	l->te_pt = -1;
	l->seq = ++leg_seq;
	snprintf(l->name, sizeof(l->name), "sip-%s %u", uac ? "out" : "in", l->seq);
	return l;
}

struct media_stream *leg_sip_stream(const struct call_leg *leg)
{
	return leg && leg->ops == &sip_leg_ops ? leg_of(leg)->ms : NULL;
}

/* --- outgoing: PSTN → SIP ------------------------------------------------- */

/* A number as a URI user part: E.164 with its '+' (an international number
 * from ISDN comes without: Q.931 §4.5.10 says it in the TON), and '#'
 * escaped (RFC 3261 §25.1). */
static void user_of(const struct call_party *p, char *out, size_t sz)
{
	size_t n = 0;
	if (p->ton == ROUTE_TON_INTERNATIONAL && p->digits[0] && p->digits[0] != '+')
		out[n++] = '+';
	for (const char *d = p->digits; *d && n + 4 < sz; d++)
		n += (size_t)snprintf(out + n, sz - n, *d == '#' ? "%%23" : "%c", *d);
	out[n] = '\0';
}

/* Where the call goes: its Request-URI and the host for From/To. */
static int target_of(struct leg_sip *l, const struct call_setup *s, struct leg_sip_target *t,
		     char ruri[URI_MAX], char host[HOST_MAX])
{
	const struct route_dest *d = &l->dest;
	char user[3 * ROUTE_NUM_MAX + 2];
	int err;
	memset(t, 0, sizeof(*t)); /* a trunk lookup may fill only some of it */
	if (d->kind == ROUTE_DEST_URI) {
		err = leg_sip_target_parse(d->uri, t);
		if (err) {
			LOGN(LC_CALL, l->name, "cannot send to %s: not sip:user@host[:port]",
			     d->uri);
			return err;
		}
		snprintf(ruri, URI_MAX, "%s", d->uri);
	} else {
		err = l->env->trunk_target ? l->env->trunk_target(l->env->trunk_arg, d->name, t)
					   : ENOENT;
		if (err) {
			LOGN(LC_CALL, l->name, "trunk %s: no target", d->name);
			return EHOSTUNREACH;
		}
		if (!t->port) /* RFC 3261 §19.1.2 */
			t->port = t->proto == SIP_PROTO_TLS ? 5061 : 5060;
		snprintf(l->trunk, sizeof(l->trunk), "%s", d->name);
		user_of(&s->called, user, sizeof(user));
	}
	bool v6 = strchr(t->ip, ':') != NULL;
	if (t->domain[0])
		snprintf(host, HOST_MAX, "%s", t->domain);
	else if (!t->port) /* a host name left to SRV */
		snprintf(host, HOST_MAX, "%s", t->ip);
	else
		snprintf(host, HOST_MAX, "%s%s%s:%u", v6 ? "[" : "", t->ip, v6 ? "]" : "", t->port);
	if (d->kind == ROUTE_DEST_TRUNK)
		snprintf(ruri, URI_MAX, "sip:%s@%s%s", user, host,
			 t->proto == SIP_PROTO_TCP   ? ";transport=tcp"
			 : t->proto == SIP_PROTO_TLS ? ";transport=tls"
						     : "");
	return 0;
}

/* From, and for a restricted number P-Asserted-Identity with Privacy: id
 * (RFC 3325 §9.1, RFC 3323 §4.1.1.3: an anonymous From). */
static void identity(const struct call_setup *s, const char *host, char *from, char hdr[2][HDR_MAX],
		     const char **extra)
{
	char user[3 * ROUTE_NUM_MAX + 2];
	bool have =
	    s->calling.present && s->calling.digits[0] && s->calling.pres != ROUTE_PRES_UNAVAILABLE;
	bool hide = s->calling.pres == ROUTE_PRES_RESTRICTED;
	unsigned n = 0;
	user_of(&s->calling, user, sizeof(user));
	if (have && !hide) {
		snprintf(from, HDR_MAX, "<sip:%s@%s>", user, host);
	} else {
		snprintf(from, HDR_MAX, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
		if (have) {
			snprintf(hdr[n], HDR_MAX, "P-Asserted-Identity: <sip:%s@%s>", user, host);
			extra[n] = hdr[n];
			n++;
		}
		if (hide) {
			snprintf(hdr[n], HDR_MAX, "Privacy: id");
			extra[n] = hdr[n];
			n++;
		}
	}
	extra[n] = NULL;
}

static int invite_send(struct leg_sip *l, const struct call_setup *s,
		       const struct leg_sip_target *t, const char *ruri, const char *host)
{
	char from[HDR_MAX], to[HDR_MAX], hdr[2][HDR_MAX], addr[64];
	char user[3 * ROUTE_NUM_MAX + 2];
	const char *extra[3];
	struct sip_sdp_caps caps;
	identity(s, host, from, hdr, extra);
	user_of(&s->called, user, sizeof(user));
	if (l->dest.kind == ROUTE_DEST_URI)
		snprintf(to, sizeof(to), "<%s>", l->dest.uri);
	else
		snprintf(to, sizeof(to), "<sip:%s@%s>", user, host);
	leg_sip_caps(l, &caps, addr, sizeof(addr));
	int err = sip_sdp_offer(&caps, l->sdp, sizeof(l->sdp));
	if (err)
		return err;
	struct sip_invite_prm prm = {
	    .proto = t->proto,
	    .dst_host = t->ip, /* an IP literal is sent at once; a name located */
	    .dst_port = t->port,
	    .tp_given = t->tp_given,
	    .req_uri = ruri,
	    .from = from,
	    .to = to,
	    .ctype = "application/sdp",
	    .body = l->sdp,
	    .extra_headers = extra,
	    /* the trunk's credentials for its 401/407 (RFC 3261 §22.2) */
	    .username = t->username[0] ? t->username : NULL,
	    .password = t->password,
	};
	struct sip_sess *ss = NULL;
	err = sip_sess_invite(&ss, l->env->sip, &prm);
	if (err) {
		LOGN(LC_CALL, l->name, "INVITE %s: %s", ruri, strerror(err));
		return err;
	}
	l->sess = mem_ref(ss);
	sip_sess_set_user(ss, l);
	LOGI(LC_CALL, l->name, "INVITE %s", ruri);
	return 0;
}

/* Stream first: the offer carries its port (RFC 3264 §5). */
static int l_setup(struct call_leg *leg, const struct call_setup *s)
{
	struct leg_sip *l = leg_of(leg);
	struct leg_sip_target t;
	char ruri[URI_MAX], host[HOST_MAX];
	int err = target_of(l, s, &t, ruri, host);
	if (err)
		return err;
	/* The stream starts with our TDM law's codec (no transcoding if the
	 * answer keeps it); the offer has PCMA and PCMU (sdp.h). */
	uint8_t pt = l->env->tdm_law == MEDIA_LAW_ALAW ? MEDIA_PT_PCMA : MEDIA_PT_PCMU;
	err = leg_sip_stream_make(l, pt, LEG_SIP_DTMF_PT, NULL, 0, 0);
	if (!err)
		err = invite_send(l, s, &t, ruri, host);
	if (err)
		l->ms = mem_deref(l->ms);
	return err;
}

int leg_sip_create(const struct leg_sip_env *env, const struct route_dest *dest,
		   struct call_leg **legp)
{
	if (!env || !dest || (dest->kind != ROUTE_DEST_URI && dest->kind != ROUTE_DEST_TRUNK))
		return EINVAL;
	struct leg_sip *l = leg_new(env, true);
	if (!l)
		return ENOMEM;
	l->dest = *dest;
	*legp = &l->leg;
	return 0;
}

/* --- incoming: SIP → PSTN ------------------------------------------------- */

/* Answer an INVITE we will not take, with the cause in Reason (RFC 6432). */
static void reject(struct leg_sip *l, uint16_t status, unsigned cause)
{
	reason_set(l, cause);
	LOGN(LC_CALL, l->name, "%s: %u (cause %u)", l->call_id, status, cause);
	sip_sess_answer(l->sess, status, NULL, NULL, NULL);
	l->released = true;
}

/* Over the trunk's limits: 503 with Retry-After (RFC 3261 §21.5.4,
 * §20.33) and the cause in Reason (call/limit.h), before any call exists. */
static int admit(struct leg_sip *l)
{
	const struct leg_sip_env *env = l->env;
	unsigned retry = 1;
	int err = env->admit ? env->admit(env->trunk_arg, l->trunk, &l->leg, &retry) : 0;
	if (!err)
		return 0;
	char ra[32];
	const char *const hdrs[] = { ra, NULL };
	snprintf(ra, sizeof(ra), "Retry-After: %u", retry);
	reason_set(l, call_limit_cause(err));
	LOGN(LC_CALL, l->name, "%s: trunk %s is at its %s: 503, Retry-After %u", l->call_id,
	     l->trunk, err == EBUSY ? "max_calls" : "max_cps", retry);
	sip_sess_answer_hdrs(l->sess, 503, NULL, NULL, NULL, hdrs);
	l->released = true;
	return err;
}

/* What makes the leg: the numbers (484) and the offer (488). */
static int incoming_prepare(struct leg_sip *l, const struct sip_msg *msg, struct call_setup *s)
{
	char body[LEG_SIP_SDP_MAX];
	if (leg_sip_setup_read(msg, s)) {
		reject(l, 484, 28); /* Q.850 28: invalid number format */
		return EINVAL;
	}
	const char *text = leg_sip_sdp_body(msg, body, sizeof(body));
	int err = text ? leg_sip_offer_take(l, text) : EPROTO;
	if (err == EPROTO) {
		/* RFC 3261 §13.3.1: we need an offer we can answer (Q.850 65,
		 * bearer capability not implemented ↔ 488, RFC 3398). */
		reject(l, 488, 65);
		return err;
	}
	if (err) {
		reject(l, 503, 47); /* resource unavailable: no RTP port */
		return err;
	}
	snprintf(s->trunk, sizeof(s->trunk), "%s", l->trunk);
	return 0;
}

int leg_sip_incoming(const struct leg_sip_env *env, struct sip_sess *sess,
		     const struct sip_msg *msg)
{
	/* The INVITE server transaction does not send 100 by itself (RFC 3261
	 * §17.2.1: the TU does); it stops the caller's retransmissions. */
	sip_sess_answer(sess, 100, NULL, NULL, NULL);
	struct leg_sip *l = leg_new(env, false);
	if (!l) {
		sip_sess_answer(sess, 500, NULL, NULL, NULL);
		return ENOMEM;
	}
	l->sess = mem_ref(sess);
	snprintf(l->call_id, sizeof(l->call_id), "%s",
		 sip_msg_call_id(msg) ? sip_msg_call_id(msg) : "");
	snprintf(l->trunk, sizeof(l->trunk), "%s", env->trunk ? env->trunk : "");
	struct call_setup s = {0};
	int err = admit(l);
	if (!err)
		err = incoming_prepare(l, msg, &s);
	if (!err) {
		LOGI(LC_CALL, l->name, "%s: INVITE to %s from %s", l->call_id, s.called.digits,
		     s.calling.present ? s.calling.digits : "-");
		sip_sess_set_user(sess, l);
		err = call_incoming(env->calls, &l->leg, &s);
		if (err) { /* we still own the leg */
			sip_sess_set_user(sess, NULL);
			reject(l, 503, 47);
		}
	}
	if (err)
		l_destroy(&l->leg);
	return err;
}

/* --- session events ------------------------------------------------------- */

/* RFC 3666 §3 (SIP → ISDN direction, as UAC): 180/181/182 ring (in-band
 * if they carry the answer); 183 with SDP is in-band progress; 183
 * without SDP says nothing the PSTN side can use. */
static void on_progress(struct leg_sip *l, uint16_t status, const struct sip_msg *msg)
{
	char body[LEG_SIP_SDP_MAX];
	const char *text = leg_sip_sdp_body(msg, body, sizeof(body));
	bool media = text && !leg_sip_answer_take(l, text);
	if (status >= 180 && status <= 182)
		call_leg_alerting(&l->leg, media);
	else if (status == 183 && media)
		call_leg_progress(&l->leg);
}

static void on_answered(struct leg_sip *l, const struct sip_msg *msg)
{
	char body[LEG_SIP_SDP_MAX];
	const char *text = leg_sip_sdp_body(msg, body, sizeof(body));
	if (!text)
		text = sip_sess_remote_sdp(l->sess); /* the answer came early */
	if (!text || leg_sip_answer_take(l, text))
		LOGN(LC_CALL, l->name, "answered without a usable SDP answer");
	call_leg_answer(&l->leg);
}

/* A re-INVITE (RFC 3261 §14.2), or an UPDATE with an offer (RFC 3311),
 * changes the media, never the call: hold, resume, a new address.  Its offer is answered here (RFC 3264 §8); one we
 * cannot take gets 488 and the session goes on as it was.  Without an
 * offer the stack offers our last SDP in the 200. */
static void on_reinvite(struct leg_sip *l, const struct sip_msg *msg)
{
	char body[LEG_SIP_SDP_MAX];
	const char *text = leg_sip_sdp_body(msg, body, sizeof(body));
	if (!text)
		return;
	int err = leg_sip_reoffer(l, text); /* logs why it refuses */
	answer_with(l, !err ? 200 : err == EPROTO ? 488 : 500, !err);
}

/* The session is over: an error response, a BYE, a timeout.  The cause is
 * the Reason header's if there is one (RFC 6432 §3); else the call maps
 * the status, and a BYE (200) is normal clearing. */
static void on_terminated(struct leg_sip *l, uint16_t status, const struct sip_msg *msg)
{
	unsigned cause = reason_cause(msg);
	sip_sess_set_user(l->sess, NULL);
	l->sess = mem_deref(l->sess);
	LOGI(LC_CALL, l->name, "ended: %u, cause %u", status, cause);
	if (status == 200) /* BYE: normal clearing (RFC 3398 §7.2.4.1: 16 ↔ BYE) */
		call_leg_released(&l->leg, cause ? cause : 16, 0);
	else if (!msg && l->uac && (status == 408 || status == 503))
		/* No response at all: Timer B or a transport error (RFC 3261
		 * §8.1.3.1), which the stack reports as 408 and 503. */
		call_leg_unreachable(&l->leg, status);
	else
		call_leg_released(&l->leg, cause, status);
}

void leg_sip_sess_event(struct sip_sess *sess, enum sip_sess_ev ev, uint16_t status,
			const struct sip_msg *msg)
{
	struct leg_sip *l = sip_sess_user(sess);
	if (!l)
		return;
	if (msg && !l->call_id[0] && sip_msg_call_id(msg))
		snprintf(l->call_id, sizeof(l->call_id), "%s", sip_msg_call_id(msg));
	switch (ev) {
	case SIP_EV_PROGRESS:
		on_progress(l, status, msg);
		break;
	case SIP_EV_ANSWERED:
		on_answered(l, msg);
		break;
	case SIP_EV_CANCELLED: /* RFC 3326: a CANCEL may say why */
		call_leg_released(&l->leg, reason_cause(msg), 487);
		break;
	case SIP_EV_REINVITE:
	case SIP_EV_UPDATE: /* an UPDATE offer is a re-INVITE's (RFC 3311 §5.2) */
		on_reinvite(l, msg);
		break;
	case SIP_EV_TERMINATED:
		on_terminated(l, status, msg);
		break;
	case SIP_EV_REFER: /* blind transfer: leg_sip_refer.c */
		leg_sip_refer_rx(l, sess, msg);
		break;
	case SIP_EV_ESTABLISHED:
	case SIP_EV_INFO:
	case SIP_EV_REFER_ANSWER: /* the gateway sends no REFER (yet) */
	case SIP_EV_REQUEST_ANSWER: /* ...nor INFO/MESSAGE/NOTIFY/OPTIONS */
		break;
	}
}
