/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: glare on the sending side (RFC 3261 §14.1, RFC 3311
 * §5.1).  The user's UPDATE answered 491 goes again, with the same offer,
 * after 2.1-4 s when we own the Call-ID (we placed the call) and 0-2 s
 * when the far end does; at most four times in a row.  The test is the
 * far end on loopback, on a virtual clock (sip_fx.c).
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

TestSuite(glare, .init = setup, .fini = teardown);

static const char offer2[] = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			     "t=0 0\r\nm=audio 4002 RTP/AVP 8\r\na=sendonly\r\n";
static char tag[64];

/* The far end calls us: established, we do not own the Call-ID. */
static struct sip_sess *incoming(void)
{
	send_invite("gl1");
	expect_status(180);
	expect_status(200);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "gl1a", tag);
	cr_assert_eq(n_established, 1);
	cr_assert_not_null(last_sess);
	return last_sess;
}

/* We call the far end: established, our Call-ID. */
static struct sip_sess *outgoing(void)
{
	struct sip_sess *s = call_peer();

	cr_assert_not_null(keep(precv()));
	answer_request(200, "gl2", true);
	cr_assert_eq(n_answered, 1);
	cr_assert(precv() && !strncmp(rx, "ACK ", 4), "%.40s", rx);
	return s;
}

/* Wait in 10 ms steps (at most 5 s) for the next request; how long it
 * took, in ms.  The request is kept (req_copy). */
static unsigned next_request_ms(const char *method)
{
	struct pollfd p = {.fd = peer, .events = POLLIN};
	uint64_t t0 = loop_now(loop);

	for (int i = 0; i < 500 && poll(&p, 1, 0) <= 0; i++)
		loop_run_for(loop, 10 * NS_PER_MS);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, method, strlen(method)), "wanted %s: %.60s", method, m);
	return (unsigned)((loop_now(loop) - t0) / NS_PER_MS);
}

static unsigned cseq_of(const char *m)
{
	const char *c = strstr(m, "\r\nCSeq: ");

	cr_assert_not_null(c);
	return (unsigned)strtoul(c + 8, NULL, 10);
}

static void hang_up(struct sip_sess *s)
{
	cr_assert_eq(sip_sess_bye(s), 0);
	cr_assert(keep(precv()) && !strncmp(rx, "BYE ", 4), "%.40s", rx);
	answer_request(200, NULL, false);
	cr_assert_eq(n_terminated, 1);
}

Test(glare, not_owner_retries_within_2_s_with_the_same_offer)
{
	struct sip_sess *s = incoming();

	cr_assert_eq(sip_sess_update(s, "application/sdp", offer2), 0);
	next_request_ms("UPDATE ");
	unsigned c1 = cseq_of(req_copy);
	cr_assert(strstr(req_copy, "m=audio 4002 "), "%s", req_copy);
	answer_request(491, NULL, false);
	unsigned ms = next_request_ms("UPDATE ");

	cr_assert_leq(ms, 2020, "0-2 s, took %u ms", ms);
	cr_assert(strstr(req_copy, "m=audio 4002 "), "the same offer: %s", req_copy);
	cr_assert_gt(cseq_of(req_copy), c1, "a new request");
	answer_request(200, NULL, true);
	loop_run_for(loop, 5 * NS_PER_S);
	expect_nothing();
	hang_up(s);
}

Test(glare, owner_waits_2_1_to_4_s)
{
	struct sip_sess *s = outgoing();

	cr_assert_eq(sip_sess_update(s, "application/sdp", offer2), 0);
	next_request_ms("UPDATE ");
	answer_request(491, NULL, false);
	unsigned ms = next_request_ms("UPDATE ");

	cr_assert(ms >= 2090 && ms <= 4020, "2.1-4 s, took %u ms", ms);
	cr_assert(strstr(req_copy, "m=audio 4002 "), "%s", req_copy);
	answer_request(200, NULL, true);
	hang_up(s);
}

/* The wait is random: over many 491s it spreads over the whole range. */
Test(glare, owner_waits_are_spread)
{
	struct sip_sess *s = outgoing();
	unsigned lo = 9999, hi = 0;

	for (int round = 0; round < 6; round++) {
		cr_assert_eq(sip_sess_update(s, "application/sdp", offer2), 0);
		next_request_ms("UPDATE ");
		answer_request(491, NULL, false);
		unsigned ms = next_request_ms("UPDATE ");

		cr_assert(ms >= 2090 && ms <= 4020, "took %u ms", ms);
		lo = ms < lo ? ms : lo;
		hi = ms > hi ? ms : hi;
		answer_request(200, NULL, true);
	}
	cr_assert_gt(hi - lo, 100, "random waits: %u..%u ms", lo, hi);
	hang_up(s);
}

/* 491 after 491: four retries, then the UPDATE is given up. */
Test(glare, gives_up_after_four_retries)
{
	struct sip_sess *s = incoming();

	cr_assert_eq(sip_sess_update(s, "application/sdp", offer2), 0);
	next_request_ms("UPDATE ");
	for (int i = 0; i < 4; i++) {
		answer_request(491, NULL, false);
		next_request_ms("UPDATE ");
	}
	answer_request(491, NULL, false);
	loop_run_for(loop, 5 * NS_PER_S);
	expect_nothing();
	cr_assert_eq(sip_sess_state(s), SIP_SESS_ESTABLISHED);
	/* A new one of the user's goes at once. */
	cr_assert_eq(sip_sess_update(s, "application/sdp", offer2), 0);
	next_request_ms("UPDATE ");
	answer_request(200, NULL, true);
	hang_up(s);
}

/* The session ends during the wait: nothing is sent. */
Test(glare, bye_during_the_wait_cancels_it)
{
	struct sip_sess *s = outgoing();

	cr_assert_eq(sip_sess_update(s, "application/sdp", offer2), 0);
	next_request_ms("UPDATE ");
	answer_request(491, NULL, false);
	hang_up(s);
	loop_run_for(loop, 5 * NS_PER_S);
	while (precv()) /* BYE retransmissions only */
		cr_assert(!strncmp(rx, "BYE ", 4), "%.40s", rx);
}
