/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: the stack as UAS, and bad input.
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

Test(sip, basic_call_caller_hangs_up)
{
	char tag[64];

	send_invite("inv1");
	expect_status(180);
	expect_status(200);
	cr_assert(strstr(rx, "m=audio"), "200 carries the SDP answer");
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "ack1", tag);
	cr_assert_eq(n_established, 1);
	send_in_dialog("BYE", 2, "bye1", tag);
	expect_status(200);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 200);
}

Test(sip, error_response_carries_the_reason)
{
	answer_mode = 3;
	send_invite("inv486");
	expect_status(486);
	cr_assert(strstr(rx, "\r\nReason: Q.850;cause=17;text=\"User busy\"\r\n"), "%s", rx);
	cr_assert_eq(n_terminated, 1);
	/* The INVITE server transaction wants its ACK. */
	send_in_dialog("ACK", 1, "inv486", to_tag());
}

Test(sip, ok_retransmitted_until_ack)
{
	char tag[64];

	send_invite("inv2");
	expect_status(180);
	expect_status(200);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	expect_nothing();
	loop_run_for(loop, 500 * NS_PER_MS); /* T1 */
	expect_status(200);
	loop_run_for(loop, 1000 * NS_PER_MS); /* 2*T1 */
	expect_status(200);
	send_in_dialog("ACK", 1, "ack2", tag);
	loop_run_for(loop, 8 * NS_PER_S);
	expect_nothing();
	cr_assert_eq(n_established, 1);
	send_in_dialog("BYE", 2, "bye2", tag);
	expect_status(200);
}

Test(sip, no_ack_ends_with_bye)
{
	send_invite("inv3");
	expect_status(180);
	expect_status(200);
	bool bye = false;
	for (int i = 0; i < 10 && !bye; i++) {
		loop_run_for(loop, 4 * NS_PER_S);
		while (precv() && !(bye = !strncmp(rx, "BYE ", 4)))
			;
	}
	cr_assert(bye, "BYE after 64*T1 without ACK");
	/* RFC 3261 §12.2.1.1: the dialog's Call-ID, host part and all. */
	cr_assert(strstr(rx, "\r\nCall-ID: call-1@test\r\n"), "%s", rx);
	loop_run_for(loop, 40 * NS_PER_S);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 408);
	while (precv())
		;
}

Test(sip, late_invite_retransmission_absorbed)
{
	char tag[64];

	send_invite("inv4");
	expect_status(180);
	expect_status(200);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "ack4", tag);
	send_invite("inv4"); /* the same INVITE again, late */
	expect_nothing();
	cr_assert_eq(n_invite, 1, "a retransmission became a second call");
	send_in_dialog("BYE", 2, "bye4", tag);
	expect_status(200);
}

Test(sip, invite_retransmission_while_ringing_gets_180)
{
	answer_mode = 1;
	send_invite("inv5");
	expect_status(180);
	send_invite("inv5");
	expect_status(180);
	cr_assert_eq(n_invite, 1);
	sip_sess_answer(last_sess, 486, NULL, NULL, NULL);
	expect_status(486);
	psend("ACK sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKinv5\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: call-1@test\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
	      to_tag());
	loop_run_for(loop, 2 * NS_PER_S);
	expect_nothing(); /* the ACK stopped the 486 retransmissions */
}

Test(sip, cancel_after_180)
{
	answer_mode = 1;
	send_invite("inv6");
	expect_status(180);
	psend("CANCEL sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKinv6\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: call-1@test\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\n"
	      "Content-Length: 0\r\n\r\n");
	expect_status(200);
	cr_assert(strstr(rx, "CSeq: 1 CANCEL"));
	expect_status(487);
	cr_assert_eq(n_cancelled, 1);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 487);
}

Test(sip, cancel_without_invite_gets_481)
{
	psend("CANCEL sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKnone\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: call-9@test\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n");
	expect_status(481);
}

Test(sip, bye_unknown_dialog_gets_481)
{
	send_in_dialog("BYE", 5, "byex", "nosuchtag");
	expect_status(481);
}

Test(sip, options_answered_with_allow)
{
	psend("OPTIONS sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKopt1;rport\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: opt-1@test\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	expect_status(200);
	cr_assert(strstr(rx, "Allow: INVITE"));
	cr_assert(strstr(rx, ";rport="), "rport filled in (RFC 3581): %s", rx);
	/* A retransmission is answered by the transaction, not a new one. */
	psend("OPTIONS sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKopt1;rport\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: opt-1@test\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	expect_status(200);
	cr_assert_eq(sip_stack_txn_count(stack), 1);
}

static void bad(const char *first, const char *extra, int status, const char *needle)
{
	psend("%s\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKbad%d\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: bad-%d@test\r\n%s\r\n",
	      first, status, status, extra);
	expect_status(status);
	if (needle)
		cr_assert(strstr(rx, needle), "no '%s' in: %s", needle, rx);
}

Test(sip, bad_input_gets_precise_status)
{
	bad("OPTIONS sip:b@127.0.0.1 SIP/2.0", "CSeq: 1 INVITE\r\nContent-Length: 0\r\n", 400,
	    "Warning: 399");
	bad("FOO sip:b@127.0.0.1 SIP/2.0", "CSeq: 1 FOO\r\nContent-Length: 0\r\n", 501, "Allow:");
	bad("REGISTER sip:127.0.0.1 SIP/2.0", "CSeq: 1 REGISTER\r\nContent-Length: 0\r\n", 405,
	    NULL);
	bad("OPTIONS mailto:b@example.net SIP/2.0", "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n", 416,
	    NULL);
	bad("OPTIONS sip:b@127.0.0.1 SIP/2.0",
	    "CSeq: 1 OPTIONS\r\nRequire: 100rel, foo, timer, bar\r\nContent-Length: 0\r\n", 420,
	    "Unsupported: foo, bar"); /* 100rel and timer are ours (RFC 3262, 4028) */
	bad("BYE sip:b@127.0.0.1 SIP/2.0",
	    "CSeq: 1 BYE\r\nMax-Forwards: 0\r\nContent-Length: 0\r\n", 483, NULL);
	bad("INVITE sip:b@127.0.0.1 SIP/2.0",
	    "CSeq: 1 INVITE\r\nContact: <sip:a@127.0.0.1>\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 2\r\n\r\nhi",
	    415, "Accept: application/sdp");
	bad("OPTIONS sip:b@127.0.0.1 SIP/2.0", "CSeq: 1 OPTIONS\r\nContent-Length: 50\r\n", 400,
	    "Content-Length larger");
	bad("OPTIONS sip:b@127.0.0.1 SIP/2.0", "CSeq: x OPTIONS\r\nContent-Length: 0\r\n", 400,
	    NULL);
	bad("OPTIONS sip:b@127.0.0.1 SIP/3.0", "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n", 505,
	    NULL);
	cr_assert_eq(n_invite, 0);
}

Test(sip, oversize_gets_513_and_garbage_is_dropped)
{
	char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	psend("OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKbig\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: big@test\r\nCSeq: 1 OPTIONS\r\nX-Big: %s\r\nContent-Length: 0\r\n\r\n",
	      big);
	expect_status(513);
	psend("\x01\x02garbage\r\n\r\n");
	expect_nothing();
	psend("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKnone\r\n\r\n");
	expect_nothing();
}

/* Reply to the request in rx with `status`, copying its dialog headers. */
Test(sip, tcp_options_split_across_writes)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(tport)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[2048];
	const char *msg = "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
			  "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKtcp1\r\n"
			  "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
			  "Call-ID: tcp-1@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

	int one = 1;

	/* Without it Nagle holds the second half until the first is ACKed. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	loop_run_for(loop, NS_PER_MS);
	cr_assert_eq(write(fd, "\r\n\r\n", 4), 4); /* keep-alive ping */
	pump_until_readable(fd);
	cr_assert_eq(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 2, "CRLF pong");
	cr_assert_eq(write(fd, msg, 40), 40);
	loop_run_for(loop, NS_PER_MS);
	cr_assert_eq(write(fd, msg + 40, strlen(msg) - 40), (ssize_t)(strlen(msg) - 40));
	bool r = pump_until_readable(fd);
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	cr_assert(r, "no answer on the stream");

	cr_assert_gt(n, 0);
	buf[n] = 0;
	cr_assert(!strncmp(buf, "SIP/2.0 200 ", 12), "got %.40s", buf);
	close(fd);
}

Test(sip, retransmitted_bye_gets_the_same_200)
{
	char tag[64], first[sizeof(rx)];

	send_invite("inv7");
	expect_status(180);
	expect_status(200);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "ack7", tag);
	send_in_dialog("BYE", 2, "bye7", tag);
	expect_status(200);
	snprintf(first, sizeof(first), "%s", rx);
	loop_run_for(loop, 2 * NS_PER_S);
	send_in_dialog("BYE", 2, "bye7", tag); /* our 200 was lost */
	expect_status(200);
	cr_assert_str_eq(rx, first, "the lingering NIST resends its answer");
	cr_assert_eq(n_terminated, 1);
}

Test(sip, rfc2543_peer_without_magic_cookie)
{
	psend("OPTIONS sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: old-1@test\r\nCSeq: 3 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	expect_status(200);
	psend("OPTIONS sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: old-1@test\r\nCSeq: 3 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	expect_status(200);
	cr_assert_eq(sip_stack_txn_count(stack), 1, "matched by RFC 2543 rules");
}

/* RFC 3261 §20.8: the Call-ID is compared whole.  Two RFC 2543 requests
 * that differ only after the '@' are two transactions (the index once
 * kept only the part before it, and took the second for a retransmission). */
Test(sip, rfc2543_call_ids_differing_after_at_are_different)
{
	static const char *const hosts[] = {"host-a", "host-b"};
	char tag[2][64];

	for (int i = 0; i < 2; i++) {
		psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
		      "Via: SIP/2.0/UDP 127.0.0.1:$P\r\n"
		      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
		      "Call-ID: old-2@%s\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
		      "Contact: <sip:a@127.0.0.1:$P>\r\nContent-Type: application/sdp\r\n"
		      "Content-Length: %zu\r\n\r\n%s",
		      hosts[i], strlen(sdp), sdp);
		expect_status(180);
		expect_status(200);
		cr_assert(strstr(rx, hosts[i]), "answer to the right call: %s", rx);
		snprintf(tag[i], sizeof(tag[i]), "%s", to_tag());
	}
	cr_assert_eq(n_invite, 2, "two calls, not a retransmission");
	for (int i = 0; i < 2; i++) {
		static const char *const m[] = {"ACK", "BYE"};

		for (int k = 0; k < 2; k++)
			psend("%s sip:b@127.0.0.1:$S SIP/2.0\r\n"
			      "Via: SIP/2.0/UDP 127.0.0.1:$P\r\n"
			      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
			      "Call-ID: old-2@%s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n"
			      "Content-Length: 0\r\n\r\n",
			      m[k], tag[i], hosts[i], k + 1, m[k]);
		expect_status(200);
	}
	cr_assert_eq(n_established, 2);
	cr_assert_eq(n_terminated, 2);
}

Test(sip, tcp_oversize_gets_513_and_stream_closes)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(tport)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	char buf[4096];

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(buf, sizeof(buf),
		 "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKtcp2\r\n"
		 "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
		 "Call-ID: tcp-2@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 100000\r\n\r\n");
	cr_assert_gt(write(fd, buf, strlen(buf)), 0);
	cr_assert(pump_until_readable(fd));
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	cr_assert_gt(n, 0);
	buf[n] = 0;
	cr_assert(!strncmp(buf, "SIP/2.0 513 ", 12), "got %.40s", buf);
	pump_until_readable(fd);
	cr_assert_eq(recv(fd, buf, sizeof(buf), 0), 0, "closed after 513");
	close(fd);
}

Test(sip, tcp_stalled_message_closes_stream)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(tport)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[64];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(write(fd, "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n", 33), 33);
	pump_until_readable(fd); /* nothing comes; the stack reads the bytes */
	loop_run_for(loop, 33 * NS_PER_S);
	cr_assert(pump_until_readable(fd));
	cr_assert_eq(recv(fd, buf, sizeof(buf), 0), 0, "closed after tcp_msg_timeout");
	close(fd);
}

Test(sip, reinvite_answered_with_our_last_sdp_each_time)
{
	char tag[64];

	send_invite("inv20");
	expect_status(180);
	expect_status(200);
	snprintf(tag, sizeof(tag), "%s", to_tag());
	send_in_dialog("ACK", 1, "ack20", tag);
	for (int i = 0; i < 3; i++) {
		char br[16];

		snprintf(br, sizeof(br), "re20-%d", i);
		send_reinvite(2 + i, br, tag);
		expect_status(200);
		cr_assert(strstr(rx, "\r\n\r\nv=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n") &&
			      strstr(rx, "m=audio 4000 RTP/AVP 8\r\n"),
			  "re-INVITE %d: %s", i, rx);
		snprintf(br, sizeof(br), "ra20-%d", i);
		send_in_dialog("ACK", 2 + i, br, tag);
	}
	loop_run_for(loop, 2 * NS_PER_S);
	expect_nothing(); /* each ACK stopped its 2xx */
	cr_assert_eq(n_established, 1);
	cr_assert_eq(n_terminated, 0);
	send_in_dialog("BYE", 9, "bye20", tag);
	expect_status(200);
	cr_assert_eq(n_terminated, 1);
}

/* A re-INVITE from the far end of a call we placed (the PSTN called a SIP
 * phone, which puts it on hold) is answered too: once it never was. */

/* A 503 with Retry-After (RFC 3261 §21.5.4, §20.33), as a full trunk sends
 * it; header lines that could inject anything are refused, nothing sent. */
Test(sip, answer_with_extra_headers)
{
	static const char *const crlf[] = { "Retry-After: 5\r\nX-Evil: 1", NULL };
	static const char *const noname[] = { ": 5", NULL };
	static const char *const badname[] = { "Retry After: 5", NULL };
	static const char *const good[] = { "Retry-After: 5", NULL };

	answer_mode = 2;
	send_invite("inv503");
	cr_assert_not_null(last_sess);
	cr_assert_eq(sip_sess_answer_hdrs(last_sess, 503, NULL, NULL, NULL, crlf), EINVAL);
	cr_assert_eq(sip_sess_answer_hdrs(last_sess, 503, NULL, NULL, NULL, noname), EINVAL);
	cr_assert_eq(sip_sess_answer_hdrs(last_sess, 503, NULL, NULL, NULL, badname), EINVAL);
	expect_nothing();
	cr_assert_eq(sip_sess_answer_hdrs(last_sess, 503, NULL, NULL, NULL, good), 0);
	expect_status(503);
	cr_assert(strstr(rx, "\r\nRetry-After: 5\r\n"), "%s", rx);
	cr_assert_eq(n_terminated, 1);
	send_in_dialog("ACK", 1, "inv503", to_tag());
}

/* RFC 3261 §8.2.2.2: the same INVITE (From tag, Call-ID, CSeq) arriving a
 * second way, on another branch, while the first is in progress: 482, and
 * the call layer sees one call.  Its retransmission gets the same 482. */
Test(sip, merged_invite_gets_482)
{
	answer_mode = 1; /* 180 only: the first INVITE stays in progress */
	send_invite("m1a");
	expect_status(180);
	send_invite("m1b");
	expect_status(482);
	cr_assert(strstr(rx, "branch=z9hG4bKm1b"), "answers the second copy: %s", rx);
	send_invite("m1b");
	expect_status(482);
	cr_assert_eq(n_invite, 1, "one call");
	cr_assert_not_null(last_sess);
	cr_assert_eq(sip_sess_answer(last_sess, 486, NULL, NULL, NULL), 0);
	expect_status(486);
	/* Answered and done, the copy still counts as merged while the first
	 * transaction absorbs retransmissions (Timer I). */
	send_invite("m1c");
	expect_status(482);
	cr_assert_eq(n_invite, 1);
}

/* Not merged: another CSeq, another Call-ID host, another From tag, or a
 * request inside a dialog. */
Test(sip, only_the_same_triple_is_merged)
{
	static const char *const variants[] = {
	    "From: <sip:a@127.0.0.1>;tag=ft1\r\nCall-ID: m2@test\r\nCSeq: 8 OPTIONS",
	    "From: <sip:a@127.0.0.1>;tag=ft1\r\nCall-ID: m2@test\r\nCSeq: 9 OPTIONS",
	    "From: <sip:a@127.0.0.1>;tag=ft1\r\nCall-ID: m2@other\r\nCSeq: 8 OPTIONS",
	    "From: <sip:a@127.0.0.1>;tag=ft2\r\nCall-ID: m2@test\r\nCSeq: 8 OPTIONS",
	};

	for (unsigned i = 0; i < 4; i++) {
		psend("OPTIONS sip:b@127.0.0.1:$S SIP/2.0\r\n"
		      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKm2%u\r\n"
		      "%s\r\nTo: <sip:b@127.0.0.1>\r\nMax-Forwards: 70\r\n"
		      "Content-Length: 0\r\n\r\n",
		      i, variants[i]);
		expect_status(200);
	}
	psend("OPTIONS sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKm2x\r\n"
	      "%s\r\nTo: <sip:b@127.0.0.1>\r\nMax-Forwards: 70\r\n"
	      "Content-Length: 0\r\n\r\n",
	      variants[0]);
	expect_status(482);
}
