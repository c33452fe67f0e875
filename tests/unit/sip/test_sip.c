/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: the test plays the remote peer over loopback UDP/TCP,
 * on a virtual clock, and reads what the stack sends back.  Named by use
 * case; each checks that memory and timers come back to zero.
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

static size_t live0;
static struct clk *clk;
static struct loop *loop;
static struct sip_stack *stack;
static uint16_t port, tport;
static int peer = -1; /* UDP socket playing the far end */
static uint16_t peer_port;
static char rx[8192];

/* What the handlers saw. */
static int n_invite, n_established, n_terminated, n_cancelled, n_answered, n_progress;
static uint16_t last_status;
static int answer_mode; /* 0: 180+200, 1: 180 only, 2: nothing */
static struct sip_sess *last_sess;

static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			  "t=0 0\r\nm=audio 4000 RTP/AVP 8\r\n";

static void on_invite(struct sip_sess *s, const struct sip_msg *m, void *arg)
{
	(void)m, (void)arg;
	n_invite++;
	last_sess = s;
	if (answer_mode < 2)
		sip_sess_answer(s, 180, NULL, NULL, NULL);
	if (answer_mode == 0)
		sip_sess_answer(s, 200, NULL, "application/sdp", sdp);
	if (answer_mode == 3) { /* busy, with the real cause (RFC 6432) */
		sip_sess_set_reason(s, "Q.850;cause=17;text=\"User busy\"");
		sip_sess_answer(s, 486, NULL, NULL, NULL);
	}
}

static void on_sess(struct sip_sess *s, enum sip_sess_ev ev, uint16_t st, const struct sip_msg *m,
		    void *arg)
{
	(void)s, (void)m, (void)arg;
	last_status = st;
	n_established += ev == SIP_EV_ESTABLISHED;
	n_terminated += ev == SIP_EV_TERMINATED;
	n_cancelled += ev == SIP_EV_CANCELLED;
	n_answered += ev == SIP_EV_ANSWERED;
	n_progress += ev == SIP_EV_PROGRESS;
	if (ev == SIP_EV_TERMINATED && s == last_sess)
		last_sess = NULL;
}

static void setup(void)
{
	struct sip_handlers h = {.invite_h = on_invite, .sess_h = on_sess};
	struct sip_conf conf;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);

	live0 = mem_live();
	if (getenv("SIP_DEBUG"))
		log_set_level(LC_SIP, LL_DEBUG);
	n_invite = n_established = n_terminated = n_cancelled = n_answered = n_progress = 0;
	answer_mode = 0;
	last_sess = NULL;
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	sip_conf_defaults(&conf);
	conf.max_msg = 2048;
	cr_assert_eq(sip_stack_alloc(&stack, loop, &conf, &h, NULL), 0);
	cr_assert_eq(sip_stack_listen(stack, SIP_PROTO_UDP, "127.0.0.1", 0, &port), 0);
	cr_assert_eq(sip_stack_listen(stack, SIP_PROTO_TCP, "127.0.0.1", 0, &tport), 0);
	peer = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(peer, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(peer, (struct sockaddr *)&a, &al);
	peer_port = ntohs(a.sin_port);
}

static void teardown(void)
{
	/* Let every transaction and 2xx timer run out (64*T1 and more). */
	loop_run_for(loop, 40 * NS_PER_S);
	cr_expect_eq(sip_stack_txn_count(stack), 0, "transactions left");
	cr_expect_eq(sip_stack_sess_count(stack), 0, "sessions left");
	stack = mem_deref(stack);
	cr_expect_eq(loop_timer_count(loop), 0, "timers left armed");
	close(peer);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	cr_expect_eq(mem_live(), live0, "leaked %zu objects", mem_live() - live0);
}

TestSuite(sip, .init = setup, .fini = teardown);

/* Loopback delivery is not always instant: turn the loop (without moving
 * virtual time) until `fd` has something to read, or give up. */
static bool pump_until_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	for (int i = 0; i < 2000; i++) {
		loop_run_once(loop, 0);
		if (poll(&p, 1, 0) > 0)
			return true;
		sched_yield();
	}
	return false;
}

/* Send text with $P (our peer port), $S (stack port) expanded. */
static void psend(const char *fmt, ...)
{
	char tmp[4096], out[4096];
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	va_list ap;
	size_t o = 0;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	for (const char *p = tmp; *p && o < sizeof(out) - 8; p++) {
		if (p[0] == '$' && (p[1] == 'P' || p[1] == 'S')) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%u",
					      p[1] == 'P' ? peer_port : port);
			p++;
		} else {
			out[o++] = *p;
		}
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sendto(peer, out, o, 0, (struct sockaddr *)&a, sizeof(a));
	loop_run_for(loop, NS_PER_MS);
}

/* Next datagram to the peer, or NULL. */
static const char *precv(void)
{
	loop_run_for(loop, NS_PER_MS);
	ssize_t n = recv(peer, rx, sizeof(rx) - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	rx[n] = 0;
	return rx;
}

static void expect_status(int status)
{
	char want[32];
	const char *m = precv();

	snprintf(want, sizeof(want), "SIP/2.0 %d ", status);
	cr_assert_not_null(m, "no response, wanted %d", status);
	cr_assert(!strncmp(m, want, strlen(want)), "got: %.60s, wanted %d", m, status);
}

static void expect_nothing(void)
{
	const char *m = precv();

	cr_assert_null(m, "unexpected: %.80s", m);
}

/* The To tag of the last response received. */
static const char *to_tag(void)
{
	static char tag[64];
	const char *t = strstr(rx, "\r\nTo: ");
	const char *g = t ? strstr(t, "tag=") : NULL;

	cr_assert_not_null(g);
	sscanf(g + 4, "%63[^\r\n;]", tag);
	return tag;
}

#define HDRS(method, cseq, branch, totag)                                                          \
	"Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK" branch "\r\n"                               \
	"From: <sip:a@127.0.0.1>;tag=ft1\r\n"                                                      \
	"To: <sip:b@127.0.0.1>%s%s\r\n"                                                            \
	"Call-ID: call-1@test\r\n"                                                                 \
	"CSeq: " cseq " " method "\r\n"                                                            \
	"Max-Forwards: 70\r\n"

static void send_invite(const char *branch)
{
	psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: call-1@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\nContent-Type: application/sdp\r\n"
	      "Content-Length: %zu\r\n\r\n%s",
	      branch, strlen(sdp), sdp);
}

static void send_in_dialog(const char *method, int cseq, const char *branch, const char *tag)
{
	psend("%s sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: call-1@test\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n"
	      "Content-Length: 0\r\n\r\n",
	      method, branch, tag, cseq, method);
}

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
	    "CSeq: 1 OPTIONS\r\nRequire: 100rel, foo\r\nContent-Length: 0\r\n", 420,
	    "Unsupported: 100rel, foo");
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
static char req_copy[8192];

/* Keep the request just received to answer it later. */
static const char *keep(const char *m)
{
	if (m)
		snprintf(req_copy, sizeof(req_copy), "%s", m);
	return m;
}

static void answer_request(int status, const char *totag, bool with_sdp)
{
	char via[256], from[128], to[128], cid[128], cseq[64];

	sscanf(strstr(req_copy, "Via: "), "%255[^\r]", via);
	sscanf(strstr(req_copy, "From: "), "%127[^\r]", from);
	sscanf(strstr(req_copy, "To: "), "%127[^\r]", to);
	sscanf(strstr(req_copy, "Call-ID: "), "%127[^\r]", cid);
	sscanf(strstr(req_copy, "CSeq: "), "%63[^\r]", cseq);
	psend("SIP/2.0 %d Whatever\r\n%s\r\n%s\r\n%s%s%s\r\n%s\r\n%s\r\n"
	      "Contact: <sip:b@127.0.0.1:$P>\r\n%sContent-Length: %zu\r\n\r\n%s",
	      status, via, from, to, totag ? ";tag=" : "", totag ? totag : "", cid, cseq,
	      with_sdp ? "Content-Type: application/sdp\r\n" : "", with_sdp ? strlen(sdp) : 0,
	      with_sdp ? sdp : "");
}

static struct sip_sess *call_peer(void)
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
	    .ctype = "application/sdp",
	    .body = sdp,
	};

	snprintf(uri, sizeof(uri), "sip:b@127.0.0.1:%u", peer_port);
	cr_assert_eq(sip_sess_invite(&s, stack, &p), 0);
	return s;
}

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

static void send_reinvite(int cseq, const char *branch, const char *tag)
{
	psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bK%s\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: call-1@test\r\nCSeq: %d INVITE\r\nMax-Forwards: 70\r\n"
	      "Contact: <sip:a@127.0.0.1:$P>\r\nContent-Type: application/sdp\r\n"
	      "Content-Length: %zu\r\n\r\n%s",
	      branch, tag, cseq, strlen(sdp), sdp);
}

/* RFC 3261 §14.2: a re-INVITE nobody answers gets 200 with the SDP we gave
 * last, every time (the second once carried freed memory). */
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
