/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: the stack as UAC (our INVITEs, CANCEL, re-INVITEs from the far end).
 * The test plays the remote peer over loopback UDP/TCP on a virtual clock
 * (fixture: sip_fx.c).  Named by use case.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

TestSuite(sip, .init = setup, .fini = teardown);

Test(sip, uac_call_answered_acked_and_hung_up)
{
	struct sip_sess *s = call_peer();
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "INVITE sip:b@", 13), "got %.40s", m);
	answer_request(180, "pt1", false);
	cr_assert_eq(n_progress, 1);
	answer_request(200, "pt1", true);
	cr_assert_eq(n_answered, 1);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK sip:b@127.0.0.1", 19), "got %.40s", m);
	answer_request(200, "pt1", true); /* 2xx retransmitted: ACK again */
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "got %.40s", m);
	cr_assert_eq(sip_sess_set_reason(s, "Q.850;cause=16"), 0);
	cr_assert_eq(sip_sess_bye(s), 0);
	m = keep(precv());
	cr_assert(m && !strncmp(m, "BYE ", 4) && strstr(m, "CSeq: 2 BYE"), "got %.60s", m);
	cr_assert(strstr(m, "\r\nReason: Q.850;cause=16\r\n"), "BYE carries the cause: %s", m);
	answer_request(200, "pt1", false);
	cr_assert_eq(n_terminated, 1);
}

/* RFC 3325/3323: the gateway adds P-Asserted-Identity and Privacy. */
Test(sip, uac_invite_carries_extra_headers)
{
	char uri[64];
	struct sip_sess *s = NULL;
	const char *const hdrs[] = {"P-Asserted-Identity: <sip:+15551234@127.0.0.1>",
				    "Privacy:id", NULL};
	const char *const bad[] = {"Privacy: id\r\nInjected: 1", NULL};
	const char *const noname[] = {": id", NULL};
	struct sip_invite_prm p = {
	    .proto = SIP_PROTO_UDP,
	    .dst_ip = "127.0.0.1",
	    .dst_port = peer_port,
	    .req_uri = uri,
	    .from = "<sip:anonymous@anonymous.invalid>",
	    .to = "<sip:b@127.0.0.1>",
	    .extra_headers = bad,
	};

	snprintf(uri, sizeof(uri), "sip:b@127.0.0.1:%u", peer_port);
	cr_assert_eq(sip_sess_invite(&s, stack, &p), EINVAL);
	p.extra_headers = noname;
	cr_assert_eq(sip_sess_invite(&s, stack, &p), EINVAL);
	cr_assert_eq(sip_stack_sess_count(stack), 0, "nothing was started");
	expect_nothing();
	p.extra_headers = hdrs;
	cr_assert_eq(sip_sess_invite(&s, stack, &p), 0);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "INVITE ", 7), "got %.40s", m);
	cr_assert(strstr(m, "\r\nP-Asserted-Identity: <sip:+15551234@127.0.0.1>\r\n"), "%s", m);
	cr_assert(strstr(m, "\r\nPrivacy: id\r\n"), "%s", m);
	answer_request(486, "pt5", false);
	cr_assert_eq(n_terminated, 1);
}

/* A 183 with SDP after a 180: both reach the call layer (early media). */
Test(sip, uac_every_provisional_is_reported)
{
	struct sip_sess *s = call_peer();
	cr_assert_not_null(keep(precv()));
	answer_request(180, "pt9", false);
	answer_request(183, "pt9", true);
	cr_assert_eq(n_progress, 2);
	cr_assert_not_null(sip_sess_remote_sdp(s), "the 183's SDP is kept");
	answer_request(200, "pt9", true);
	cr_assert_eq(n_answered, 1);
	cr_assert_not_null(precv()); /* ACK */
	cr_assert_eq(sip_sess_bye(s), 0);
	cr_assert_not_null(keep(precv()));
	answer_request(200, "pt9", false);
	cr_assert_eq(n_terminated, 1);
}

Test(sip, uac_invite_times_out_on_virtual_time)
{
	call_peer();
	cr_assert_not_null(precv());
	loop_run_for(loop, 499 * NS_PER_MS);
	cr_assert_not_null(precv(), "Timer A retransmission at T1");
	loop_run_for(loop, 1000 * NS_PER_MS);
	cr_assert_not_null(precv(), "Timer A retransmission at 2*T1");
	loop_run_for(loop, 32 * NS_PER_S);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 408);
	while (precv())
		;
}

Test(sip, uac_cancel_then_487)
{
	struct sip_sess *s = call_peer();
	char inv[8192];

	cr_assert_not_null(keep(precv()));
	snprintf(inv, sizeof(inv), "%s", req_copy);
	answer_request(180, "pt2", false);
	cr_assert_eq(sip_sess_set_reason(s, "Q.850;cause=16;text=\"Normal call clearing\""), 0);
	cr_assert_eq(sip_sess_set_reason(s, "a\r\nInjected: 1"), EINVAL);
	cr_assert_eq(sip_sess_cancel(s), 0);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "CANCEL ", 7) && strstr(m, "CSeq: 1 CANCEL"), "got %.40s", m);
	cr_assert(strstr(m, "\r\nReason: Q.850;cause=16;text=\"Normal call clearing\"\r\n"),
		  "CANCEL carries the cause (RFC 3326): %s", m);
	answer_request(200, NULL, false);
	snprintf(req_copy, sizeof(req_copy), "%s", inv);
	answer_request(487, "pt2", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 487);
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "the ICT ACKs the 487: %.40s", m);
}

Test(sip, uac_error_response_acked_by_transaction)
{
	call_peer();
	cr_assert_not_null(keep(precv()));
	answer_request(486, "pt3", false);
	const char *m = precv();

	cr_assert(m && !strncmp(m, "ACK ", 4) && strstr(m, "CSeq: 1 ACK"), "got %.40s", m);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 486);
	answer_request(486, "pt3", false); /* retransmitted: ACK again */
	m = precv();
	cr_assert(m && !strncmp(m, "ACK ", 4), "got %.40s", m);
	cr_assert_eq(n_terminated, 1);
}

Test(sip, ok_crossing_cancel_is_acked_and_hung_up)
{
	struct sip_sess *s = call_peer();
	char inv[8192];

	cr_assert_not_null(keep(precv()));
	snprintf(inv, sizeof(inv), "%s", req_copy);
	answer_request(180, "pt4", false);
	cr_assert_eq(sip_sess_cancel(s), 0);
	cr_assert_not_null(keep(precv())); /* CANCEL */
	answer_request(481, NULL, false);  /* too late for it */
	snprintf(req_copy, sizeof(req_copy), "%s", inv);
	answer_request(200, "pt4", true); /* the INVITE was answered */
	const char *m = precv();

	cr_assert(m && !strncmp(m, "ACK ", 4), "got %.40s", m);
	m = keep(precv());
	cr_assert(m && !strncmp(m, "BYE ", 4), "got %.40s", m);
	answer_request(200, "pt4", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(n_answered, 0, "the user never sees the call answered");
}

Test(sip, uac_session_answers_a_reinvite_from_the_far_end)
{
	char from[128], cid[128];
	struct sip_sess *s = call_peer();

	cr_assert_not_null(keep(precv()));
	answer_request(200, "pt21", true);
	cr_assert_eq(n_answered, 1);
	cr_assert(precv() && !strncmp(rx, "ACK ", 4), "got %.40s", rx);
	/* Our From (with our tag) is the To of the far end's requests. */
	sscanf(strstr(req_copy, "From: ") + 6, "%127[^\r]", from);
	sscanf(strstr(req_copy, "Call-ID: ") + 9, "%127[^\r]", cid);
	psend("INVITE sip:gw@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKre21\r\n"
	      "From: <sip:b@127.0.0.1>;tag=pt21\r\nTo: %s\r\nCall-ID: %s\r\n"
	      "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:b@127.0.0.1:$P>\r\n"
	      "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
	      from, cid, strlen(sdp), sdp);
	expect_status(200);
	cr_assert(strstr(rx, "CSeq: 1 INVITE\r\n") && strstr(rx, "m=audio 4000 RTP/AVP 8\r\n"),
		  "%s", rx);
	cr_assert_eq(sip_sess_state(s), SIP_SESS_ESTABLISHED);
	psend("ACK sip:gw@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKra21\r\n"
	      "From: <sip:b@127.0.0.1>;tag=pt21\r\nTo: %s\r\nCall-ID: %s\r\n"
	      "CSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
	      from, cid);
	loop_run_for(loop, 2 * NS_PER_S);
	expect_nothing(); /* the ACK stopped the 2xx */
	cr_assert_eq(sip_sess_bye(s), 0);
	cr_assert(keep(precv()) && !strncmp(rx, "BYE ", 4), "got %.40s", rx);
	answer_request(200, "pt21", false);
	cr_assert_eq(n_terminated, 1);
}

/* RFC 3261 §9.1: no CANCEL before a provisional response.  It is held,
 * and the first 1xx (a 100 will do) sends it. */
Test(sip, uac_cancel_waits_for_a_provisional)
{
	struct sip_sess *s = call_peer();
	char inv[8192];

	cr_assert_not_null(keep(precv()));
	snprintf(inv, sizeof(inv), "%s", req_copy);
	cr_assert_eq(sip_sess_cancel(s), 0);
	cr_assert_eq(sip_sess_cancel(s), EPROTO, "one CANCEL per INVITE");
	expect_nothing();
	answer_request(100, NULL, false);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "CANCEL ", 7), "the 100 lets the CANCEL go: %.40s", m);
	cr_assert_eq(n_progress, 0, "a cancelled call is not reported ringing");
	answer_request(200, NULL, false);
	snprintf(req_copy, sizeof(req_copy), "%s", inv);
	answer_request(487, "pt31", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 487);
	cr_assert(precv() && !strncmp(rx, "ACK ", 4), "got %.40s", rx);
}

/* A final error response before any 1xx: the held CANCEL is never sent. */
Test(sip, uac_held_cancel_dropped_on_final_error)
{
	struct sip_sess *s = call_peer();

	cr_assert_not_null(keep(precv()));
	cr_assert_eq(sip_sess_cancel(s), 0);
	answer_request(486, "pt32", false);
	cr_assert(precv() && !strncmp(rx, "ACK ", 4), "got %.40s", rx);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 486);
	loop_run_for(loop, 2 * NS_PER_S);
	expect_nothing();
}

/* A 2xx before any 1xx: no CANCEL, the call is ACKed and hung up (§15). */
Test(sip, uac_held_cancel_then_2xx_is_acked_and_hung_up)
{
	struct sip_sess *s = call_peer();

	cr_assert_not_null(keep(precv()));
	cr_assert_eq(sip_sess_cancel(s), 0);
	answer_request(200, "pt33", true);
	cr_assert(precv() && !strncmp(rx, "ACK ", 4), "got %.40s", rx);
	cr_assert(keep(precv()) && !strncmp(rx, "BYE ", 4), "got %.40s", rx);
	answer_request(200, "pt33", false);
	cr_assert_eq(n_answered, 0);
	cr_assert_eq(n_terminated, 1);
}

/* Nothing at all comes back: Timer B ends the call (408), and only the
 * INVITE was ever sent. */
Test(sip, uac_held_cancel_and_silence_ends_on_timer_b)
{
	struct sip_sess *s = call_peer();
	const char *m;

	cr_assert_not_null(precv());
	cr_assert_eq(sip_sess_cancel(s), 0);
	for (int i = 0; i < 40 && !n_terminated; i++) {
		loop_run_for(loop, NS_PER_S);
		while ((m = precv()))
			cr_assert(!strncmp(m, "INVITE ", 7), "only INVITEs: %.40s", m);
	}
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 408);
}
