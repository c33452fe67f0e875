/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: session timers (RFC 4028), as UAS and as UAC: 422,
 * negotiation in the 2xx, refreshes by UPDATE and re-INVITE, expiry.
 * The test plays the far end over loopback UDP on a virtual clock (fixture:
 * sip_fx.c): half an hour of call takes milliseconds.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

TestSuite(timer, .init = setup, .fini = teardown);

static char tag[64];

static void expect_hdr(const char *m, const char *name, const char *want)
{
	char v[128];

	cr_assert_not_null(hdr_of(m, name, v, sizeof(v)), "no %s in %.400s", name, m);
	cr_assert_str_eq(v, want, "%s", name);
}

static void run_s(unsigned s)
{
	loop_run_for(loop, (uint64_t)s * NS_PER_S);
}

/* Run `s` - 1 seconds, then on in 10 ms steps until the peer has a message
 * (at most 2 s): a request due about then is read before its first
 * retransmission (T1). */
static void run_past(unsigned s)
{
	struct pollfd p = {.fd = peer, .events = POLLIN};

	loop_run_for(loop, (uint64_t)(s - 1) * NS_PER_S);
	for (int i = 0; i < 200 && poll(&p, 1, 0) <= 0; i++)
		loop_run_for(loop, 10 * NS_PER_MS);
}

/* The peer calls us; we ring and answer (fixture), the peer ACKs. */
static void answered_call(const char *branch, const char *extra)
{
	send_invite_x(branch, extra, true);
	expect_status(180);
	expect_status(200);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, branch, tag);
	cr_assert_eq(n_established, 1);
}

/* We hang up at expiry minus min(32 s, SE/3) (§10); the peer says 200. */
static void expect_expiry_bye(void)
{
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "BYE ", 4), "got %.60s", m);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 408);
	answer_request(200, NULL, false);
}

/* §8.1: an interval below our Min-SE gets 422 with Min-SE. */
Test(timer, uas_interval_too_small_gets_422)
{
	send_invite_x("t1", "Supported: timer\r\nSession-Expires: 60\r\n", true);
	expect_status(422);
	expect_hdr(rx, "Min-SE", "90");
	cr_assert_eq(n_invite, 0, "the call layer never saw it");
}

/* §9: the peer supports timer and refreshes; we only watch, and hang up
 * when a refresh does not come. */
Test(timer, uas_peer_refreshes_we_end_when_it_stops)
{
	answered_call("t2", "Supported: timer\r\nSession-Expires: 300\r\n");
	expect_hdr(rx, "Session-Expires", "300;refresher=uac");
	cr_assert(strstr(rx, "\r\nRequire: timer\r\n"), "%.400s", rx);
	run_s(150);
	send_req_x("UPDATE", 2, "u2", tag, "Session-Expires: 300;refresher=uac\r\n", false);
	expect_status(200);
	expect_hdr(rx, "Session-Expires", "300;refresher=uac");
	run_s(267); /* 150 + 300 - 32 = 418 s */
	expect_nothing();
	cr_assert_eq(n_terminated, 0);
	run_s(2);
	expect_expiry_bye();
}

/* §9: a peer that knows no timers gets one anyway, with us refreshing:
 * by re-INVITE with the same SDP, as it does not Allow UPDATE. */
Test(timer, uas_refreshes_by_reinvite_for_a_peer_without_timer)
{
	answer_mode = 0;
	send_invite("t3");
	expect_status(180);
	expect_status(200);
	expect_hdr(rx, "Session-Expires", "1800;refresher=uas");
	cr_assert_null(strstr(rx, "Require: timer"), "%.400s", rx);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "t3", tag);
	run_s(899);
	expect_nothing();
	run_past(2);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "INVITE sip:a@127.0.0.1", 22), "got %.60s", m);
	cr_assert(strstr(m, "\r\n\r\nv=0"), "same SDP: %.500s", m);
	expect_hdr(m, "Session-Expires", "1800;refresher=uac");
	answer_request(200, NULL, true);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK sip:a@127.0.0.1", 19), "got %.60s", m);
	answer_request(200, NULL, true); /* 2xx again: ACK again */
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "got %.60s", m);
	run_s(899);
	expect_nothing();
	run_past(1);
	m = keep(precv());
	cr_assert(m && !strncmp(m, "INVITE ", 7), "the next refresh: %.60s", m);
	answer_request(481, NULL, false); /* §10: the session is gone */
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "ACK of the 481: %.60s", m);
	expect_expiry_bye();
}

/* A refresh that meets glare (491) goes again within 2 s (RFC 3261 §14.1:
 * 0-2 s, the peer owns the Call-ID); one the peer refuses otherwise leaves
 * the session to end where the last refresh put it: BYE at SE - 32 s. */
Test(timer, uas_refresh_491_retried_other_refusal_expires)
{
	answer_mode = 0;
	send_invite("t5");
	expect_status(180);
	expect_status(200);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "t5", tag);
	run_past(900);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "INVITE ", 7), "got %.60s", m);
	answer_request(491, NULL, false);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "got %.60s", m);
	uint64_t t491 = loop_now(loop);
	run_past(1); /* polls for at most 2 s */
	m = keep(precv());
	cr_assert(m && !strncmp(m, "INVITE ", 7), "again within 2 s: %.60s", m);
	cr_assert_leq(loop_now(loop) - t491, 2 * NS_PER_S + 20 * NS_PER_MS);
	answer_request(500, NULL, false);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "got %.60s", m);
	cr_assert_eq(n_terminated, 0);
	run_s(860); /* the BYE is due SE/2 - 32 s after the failed retry: ~1770 s */
	expect_nothing();
	run_s(10);
	expect_expiry_bye();
}

/* A peer that Allows UPDATE is refreshed by UPDATE, without a body. */
Test(timer, uas_refreshes_by_update_when_allowed)
{
	answered_call("t4", "Allow: INVITE, ACK, BYE, CANCEL, UPDATE\r\n");
	run_past(901);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "UPDATE sip:a@127.0.0.1", 22), "got %.60s", m);
	cr_assert(strstr(m, "Content-Length: 0"), "no offer: %.500s", m);
	answer_request(200, NULL, false);
	run_past(900);
	m = keep(precv());
	cr_assert(m && !strncmp(m, "UPDATE ", 7), "again after SE/2: %.60s", m);
	answer_request(200, NULL, false);
	send_in_dialog("BYE", 2, "b4", tag);
	expect_status(200);
}

/* --- UAC ---------------------------------------------------------------- */

static char inv[8192];

static struct sip_sess *call_answered(const char *extra)
{
	struct sip_sess *s = call_peer();
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "INVITE ", 7));
	expect_hdr(m, "Session-Expires", "1800");
	expect_hdr(m, "Min-SE", "90");
	snprintf(inv, sizeof(inv), "%s", m);
	answer_request_x(200, "pt1", extra, true);
	cr_assert_eq(n_answered, 1);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "got %.60s", m);
	return s;
}

/* §7.2: the 2xx makes us refresher at 120 s: UPDATE every 60 s. */
Test(timer, uac_refreshes_as_the_2xx_says)
{
	struct sip_sess *s =
	    call_answered("Require: timer\r\nSession-Expires: 120;refresher=uac\r\n"
			  "Allow: INVITE, ACK, BYE, UPDATE\r\n");
	run_s(59);
	expect_nothing();
	run_past(2);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "UPDATE sip:b@127.0.0.1", 22), "got %.60s", m);
	expect_hdr(m, "Session-Expires", "120;refresher=uac");
	answer_request_x(200, NULL, "Session-Expires: 120;refresher=uac\r\n", false);
	run_past(60);
	m = keep(precv());
	cr_assert(m && !strncmp(m, "UPDATE ", 7), "got %.60s", m);
	answer_request_x(200, NULL, "Session-Expires: 120;refresher=uac\r\n", false);
	cr_assert_eq(n_terminated, 0);
	cr_assert_eq(sip_sess_bye(s), 0);
	keep(precv());
	answer_request(200, NULL, false);
	cr_assert_eq(n_terminated, 1);
}

/* §10: the far end refreshes; without it we hang up at 90 - 30 s. */
Test(timer, uac_ends_session_when_the_uas_does_not_refresh)
{
	call_answered("Session-Expires: 90;refresher=uas\r\n");
	run_s(59);
	expect_nothing();
	run_s(2);
	expect_expiry_bye();
}

/* §7.2: a 2xx without Session-Expires: no timer at all. */
Test(timer, uac_no_timer_without_session_expires_in_2xx)
{
	struct sip_sess *s;

	s = call_answered("");
	run_s(3600);
	expect_nothing();
	cr_assert_eq(n_terminated, 0);
	cr_assert_eq(sip_sess_bye(s), 0);
	keep(precv());
	answer_request(200, NULL, false);
	cr_assert_eq(n_terminated, 1);
}

/* §7.4: a 422 brings the INVITE again with the interval it asks for. */
Test(timer, uac_422_invites_again_with_min_se)
{
	call_peer();
	const char *m = keep(precv());

	answer_request_x(422, "pt1", "Min-SE: 3600\r\n", false);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "422 ACKed: %.60s", m);
	m = keep(precv());
	cr_assert(m && !strncmp(m, "INVITE ", 7), "got %.60s", m);
	cr_assert(strstr(m, "CSeq: 2 INVITE"), "%.400s", m);
	expect_hdr(m, "Session-Expires", "3600");
	expect_hdr(m, "Min-SE", "3600");
	cr_assert_eq(n_terminated, 0);
	answer_request_x(422, "pt2", "Min-SE: 7200\r\n", false); /* only once */
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 422);
}

static void conf_no_timer(struct sip_conf *c)
{
	c->session_expires = 0;
}
static void setup_no_timer(void)
{
	fx_conf = conf_no_timer;
	setup();
}
TestSuite(timer_off, .init = setup_no_timer, .fini = teardown);

/* session_expires 0: no Session-Expires anywhere, small intervals pass. */
Test(timer_off, nothing_negotiated)
{
	send_invite_x("n1", "Supported: timer\r\nSession-Expires: 60\r\n", true);
	expect_status(180);
	expect_status(200);
	cr_assert_null(strstr(rx, "Session-Expires"), "%.400s", rx);
	cr_assert(strstr(rx, "\r\nSupported: 100rel\r\n"), "%.400s", rx);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "n1", tag);
	run_s(3600);
	expect_nothing();
	send_in_dialog("BYE", 2, "n1b", tag);
	expect_status(200);
}
