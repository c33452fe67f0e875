/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: as UAC, an INVITE without an offer gets its offer in a
 * reliable 1xx (RFC 3262 §5, RFC 6337 §3.1); the PRACK carries the answer.
 * The user answers it as it answers any offer: sip_sess_answer() with a
 * 2xx and SDP from the event handler (SIP_EV_PROGRESS here).  The test is
 * the far end on loopback, on a virtual clock (sip_fx.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

static const char answer_sdp[] = "v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\n"
				 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4010 RTP/AVP 8\r\n";
static int answer_status; /* what the handler answers the offer with; 0: nothing */
static int answer_err;

static void on_ev(struct sip_sess *s, enum sip_sess_ev ev, const struct sip_msg *m)
{
	if (ev != SIP_EV_PROGRESS || !answer_status || !m)
		return;
	answer_err = sip_sess_answer(s, (uint16_t)answer_status, NULL, "application/sdp",
				     answer_sdp);
}

static void psetup(void)
{
	fx_sess = on_ev;
	answer_status = 0;
	answer_err = -1;
	setup();
}

static void pteardown(void)
{
	fx_sess = NULL;
	teardown();
}

TestSuite(prack_offer, .init = psetup, .fini = pteardown);

static struct sip_sess *call_without_offer(void)
{
	char uri[64];
	struct sip_sess *s = NULL;
	struct sip_invite_prm p = {
	    .proto = SIP_PROTO_UDP,
	    .dst_ip = "127.0.0.1",
	    .dst_port = peer_port,
	    .req_uri = uri,
	    .from = "<sip:gw@127.0.0.1>",
	    .to = "<sip:b@127.0.0.1>",
	};

	snprintf(uri, sizeof(uri), "sip:b@127.0.0.1:%u", peer_port);
	cr_assert_eq(sip_sess_invite(&s, stack, &p), 0);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "INVITE ", 7), "%.40s", m);
	cr_assert(strstr(m, "\r\nContent-Length: 0\r\n"), "no offer: %s", m);
	return s;
}

static const char *body_of(const char *m)
{
	const char *b = strstr(m, "\r\n\r\n");

	return b ? b + 4 : "";
}

/* 183 reliable with the offer; then the PRACK; 200 to it; 200 to the
 * INVITE (no SDP: offer/answer is done); ACK; BYE. */
static const char *offer_in_183(char *invite, size_t sz)
{
	snprintf(invite, sz, "%s", req_copy);
	answer_request_x(183, "po1", "Require: 100rel\r\nRSeq: 1\r\n", true);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "PRACK ", 6), "%.40s", m);
	cr_assert(strstr(m, "\r\nRAck: 1 1 INVITE\r\n"), "%s", m);
	return m;
}

static void finish(struct sip_sess *s, const char *invite)
{
	answer_request(200, NULL, false); /* the PRACK's 200 */
	snprintf(req_copy, sizeof(req_copy), "%s", invite);
	answer_request(200, "po1", false);
	cr_assert_eq(n_answered, 1);
	cr_assert(precv() && !strncmp(rx, "ACK ", 4), "%.40s", rx);
	cr_assert_eq(sip_sess_bye(s), 0);
	cr_assert(keep(precv()) && !strncmp(rx, "BYE ", 4), "%.40s", rx);
	answer_request(200, NULL, false);
	cr_assert_eq(n_terminated, 1);
}

Test(prack_offer, the_users_answer_goes_in_the_prack)
{
	char invite[8192];
	struct sip_sess *s;

	answer_status = 200;
	s = call_without_offer();
	const char *m = offer_in_183(invite, sizeof(invite));

	cr_assert_eq(answer_err, 0);
	cr_assert_eq(n_progress, 1);
	cr_assert(strstr(m, "\r\nContent-Type: application/sdp\r\n"), "%s", m);
	cr_assert_str_eq(body_of(m), answer_sdp);
	finish(s, invite);
}

/* Nobody answers it: the PRACK goes anyway (the 1xx must be acknowledged,
 * §4), without a body; the stack has no SDP of its own to give. */
Test(prack_offer, unanswered_offer_still_gets_its_prack)
{
	char invite[8192];
	struct sip_sess *s = call_without_offer();
	const char *m = offer_in_183(invite, sizeof(invite));

	cr_assert(strstr(m, "\r\nContent-Length: 0\r\n"), "%s", m);
	finish(s, invite);
}

/* A refusal cannot go in a PRACK: EPROTO, and the PRACK carries nothing. */
Test(prack_offer, only_an_answer_fits_in_a_prack)
{
	char invite[8192];
	struct sip_sess *s;

	answer_status = 488;
	s = call_without_offer();
	const char *m = offer_in_183(invite, sizeof(invite));

	cr_assert_eq(answer_err, EPROTO);
	cr_assert(strstr(m, "\r\nContent-Length: 0\r\n"), "%s", m);
	finish(s, invite);
}

/* Our INVITE made the offer: SDP in the reliable 183 is the answer, and
 * the PRACK carries nothing; the user may not "answer" it. */
Test(prack_offer, an_answer_in_the_1xx_needs_none)
{
	char invite[8192];
	struct sip_sess *s;

	answer_status = 200;
	s = call_peer();
	cr_assert_not_null(keep(precv()));
	const char *m = offer_in_183(invite, sizeof(invite));

	cr_assert_eq(answer_err, EPROTO, "nothing to answer");
	cr_assert(strstr(m, "\r\nContent-Length: 0\r\n"), "%s", m);
	finish(s, invite);
}
