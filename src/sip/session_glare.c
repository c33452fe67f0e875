/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sip/session_glare: re-INVITE/UPDATE glare on the sending side (RFC 3261
 * §14.1, RFC 3311 §5.1).  Two offers crossed and the far end answered ours
 * 491 Request Pending: we wait a random time and send it again.  The wait
 * is what §14.1 asks for, in units of 10 ms: 2.1 to 4 s when we own the
 * dialog's Call-ID (we sent its INVITE), 0 to 2 s otherwise, so the two
 * sides do not cross again.
 *
 * The user's UPDATE (sip_sess_update) goes again with the same body, at
 * most GLARE_MAX times in a row; a session refresh that got 491 is the
 * session timer's to retry (session_timer.c, with the same wait).  If an
 * offer is still outstanding when the wait ends (the far end's, crossing
 * again), the wait starts over.  A new sip_sess_update() replaces a
 * waiting retry; the session ending cancels it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sip/session_ext.h"

#define GLARE_MAX 4

uint64_t sip_glare_wait(const struct sip_sess *ss)
{
	char h[5];
	unsigned r;

	sip_rand_hex(h, 4);
	r = (unsigned)strtoul(h, NULL, 16);
	/* 10 ms steps: 210..400 (2.1-4 s) as owner, 0..200 (0-2 s) otherwise. */
	return (uint64_t)(ss->uac ? 210 + r % 191 : r % 201) * 10 * NS_PER_MS;
}

void sip_glare_stop(struct sip_sess *ss)
{
	struct sip_sx *x = ss->x;

	if (ss->s)
		loop_timer_cancel(ss->s->loop, &x->glare_tmr);
	x->glare_tries = 0;
}

static void glare_fire(void *arg)
{
	struct sip_sess *ss = arg;
	struct sip_sx *x = ss->x;
	char *body = x->upd_sdp, *ctype = x->glare_ctype;
	int err;

	if (!ss->s)
		return;
	x->upd_sdp = NULL; /* sip_upd_send() replaces both */
	x->glare_ctype = NULL;
	err = sip_upd_send(ss, ctype, body, true);
	if (err == EBUSY && ss->s && x->glare_tries < GLARE_MAX) {
		/* Another offer is outstanding: wait again, keep ours. */
		free(x->upd_sdp);
		x->upd_sdp = body;
		free(x->glare_ctype);
		x->glare_ctype = ctype;
		x->glare_tries++;
		loop_timer_start(ss->s->loop, &x->glare_tmr, sip_glare_wait(ss), glare_fire, ss);
		return;
	}
	if (err)
		LOGN(LC_SIP, ss->name, "UPDATE after a 491 not sent: %s", strerror(err));
	free(body);
	free(ctype);
}

bool sip_glare_491(struct sip_sess *ss)
{
	struct sip_sx *x = ss->x;
	uint64_t wait;

	if (!ss->s || ss->state == SIP_SESS_TERMINATING || x->glare_tries >= GLARE_MAX) {
		x->glare_tries = 0;
		return false;
	}
	x->glare_tries++;
	wait = sip_glare_wait(ss);
	LOGI(LC_SIP, ss->name, "491: UPDATE again in %llu ms",
	     (unsigned long long)(wait / NS_PER_MS));
	loop_timer_start(ss->s->loop, &x->glare_tmr, wait, glare_fire, ss);
	return true;
}
