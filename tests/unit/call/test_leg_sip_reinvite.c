/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the SIP leg (src/call/leg_sip*.c) in an answered call, when
 * the SIP side sends a new offer: re-INVITE (RFC 3261 §14, RFC 3264 §8),
 * UPDATE (RFC 3311), hold and resume.  The test plays the SIP
 * phone on a raw UDP socket, since the stack has no re-INVITE of its own
 * to send; the rest is the shared fixture (leg_sip_fx.h), on virtual time.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "leg_sip_fx.h"
#include "sg_test.h"

TestSuite(leg_sip_reinvite, .init = leg_sip_fx_setup, .fini = leg_sip_fx_teardown);

static int phone = -1;			  /* the phone's SIP socket */
static const char *phone_c = "127.0.0.1"; /* the c= of its offers */
static uint16_t phone_port;
static char phone_rx[4096];

/* A request of the phone's dialog (Call-ID re-1, From tag ph1) with an SDP
 * offer on `rtp` of `fmts` and a direction line, or no body. */
static void phone_send(const char *method, unsigned cseq, const char *totag, unsigned rtp,
		       const char *fmts, const char *dir)
{
	char sdp[512] = "", msg[2048], branch[32];
	if (rtp)
		snprintf(sdp, sizeof(sdp),
			 "v=0\r\no=- 7 %u IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 %s\r\n"
			 "t=0 0\r\nm=audio %u RTP/AVP %s\r\na=rtpmap:101 telephone-event/8000\r\n"
			 "a=%s\r\n",
			 cseq, phone_c, rtp, fmts, dir);
	/* An ACK for an error response shares its INVITE's branch (§17.1.1.3). */
	snprintf(branch, sizeof(branch), "z9hG4bKre%u%s", cseq,
		 strcmp(method, "ACK") || strcmp(dir, "488") ? method : "INVITE");
	int n = snprintf(msg, sizeof(msg),
			 "%s sip:7000000@127.0.0.1:%u SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=%s\r\n"
			 "From: <sip:1001@127.0.0.1>;tag=ph1\r\nTo: <sip:7000000@127.0.0.1>%s%s\r\n"
			 "Call-ID: re-1@test\r\nCSeq: %u %s\r\nMax-Forwards: 70\r\n"
			 "Contact: <sip:1001@127.0.0.1:%u>\r\n%s%sContent-Length: %zu\r\n\r\n%s",
			 method, gw_port, phone_port, branch, totag ? ";tag=" : "",
			 totag ? totag : "", cseq, method, phone_port,
			 strcmp(method, "REFER") ? "" : "Refer-To: <sip:2000@192.0.2.7>\r\n",
			 sdp[0] ? "Content-Type: application/sdp\r\n" : "", strlen(sdp), sdp);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(gw_port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(sendto(phone, msg, (size_t)n, 0, (struct sockaddr *)&a, sizeof(a)), n);
	run(5);
}

/* The next final response to the phone (100 Trying skipped). */
static const char *phone_expect(unsigned status)
{
	char want[32];
	snprintf(want, sizeof(want), "SIP/2.0 %u ", status);
	for (;;) {
		run(5);
		ssize_t n = recv(phone, phone_rx, sizeof(phone_rx) - 1, MSG_DONTWAIT);
		cr_assert_gt(n, 0, "no response, wanted %u", status);
		phone_rx[n] = '\0';
		if (strncmp(phone_rx, "SIP/2.0 100 ", 12))
			break;
	}
	cr_assert(!strncmp(phone_rx, want, strlen(want)), "wanted %u: %s", status, phone_rx);
	return phone_rx;
}

/* The o= line's version and the direction of the SDP just received. */
static unsigned long long sdp_version(unsigned long long *id)
{
	unsigned long long sid = 0, ver = 0;
	const char *o = strstr(phone_rx, "\r\no=strowger ");
	cr_assert(o && sscanf(o, "\r\no=strowger %llu %llu ", &sid, &ver) == 2, "%s", phone_rx);
	*id = sid;
	return ver;
}

/* The phone calls (INVITE offering `fmts` on `rtp`), the PSTN answers, the
 * phone ACKs; the 200 stays in phone_rx, its To tag in `tag`. */
static void phone_answered_call(unsigned rtp, const char *fmts, char tag[64])
{
	phone = sg_bind_loopback(SOCK_DGRAM, &phone_port);
	phone_send("INVITE", 1, NULL, rtp, fmts, "sendrecv");
	cr_assert(has("pstn:setup(7000000) "), "%s", trail);
	call_leg_answer(&pstn->leg);
	phone_expect(200);
	cr_assert(sscanf(strstr(phone_rx, "\r\nTo: ") + 6, "%*[^;];tag=%63[^\r\n;]", tag) == 1);
	phone_send("ACK", 1, tag, 0, NULL, "");
}

/* The phone hangs up: 200, and the PSTN leg is released with 16. */
static void phone_hangs_up(unsigned cseq, const char *tag)
{
	phone_send("BYE", cseq, tag, 0, NULL, "");
	phone_expect(200);
	cr_assert(has("pstn:release(16,0) ended "), "%s", trail);
	close(phone);
	phone = -1;
}

/* A SIP phone holds the call (sendonly: we answer recvonly and stop our
 * RTP, §8.4), resumes it on another port (the stream follows), offers the
 * same again (the version stays), switches to PCMU only (the stream
 * switches in place), holds in RFC 2543's way (c=0.0.0.0: recvonly, no
 * RTP), then offers only a codec we do not carry (488; the call and its
 * media go on as they were).  The PSTN leg hears of none of it. */
Test(leg_sip_reinvite, sip_to_pstn_hold_resume_and_a_new_port_keep_the_call)
{
	uint16_t rtp_a, rtp_b;
	int a = sg_bind_loopback(SOCK_DGRAM, &rtp_a), b = sg_bind_loopback(SOCK_DGRAM, &rtp_b);
	unsigned long long id0, id;
	char tag[64];
	phone_answered_call(rtp_a, "8 0 101", tag);
	cr_assert(strstr(phone_rx, "a=sendrecv\r\n"), "%s", phone_rx);
	cr_assert_eq(sdp_version(&id0), 1);
	rtp_reaches_fd(a, 8);

	phone_send("INVITE", 2, tag, rtp_a, "8 0 101", "sendonly");
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=recvonly\r\n"), "hold is answered recvonly: %s", phone_rx);
	cr_assert(strstr(phone_rx, " RTP/AVP 8 101\r\n"), "the codec stays: %s", phone_rx);
	cr_assert_eq(sdp_version(&id), 2, "a changed SDP has the next version");
	cr_assert_eq(id, id0, "the same session");
	phone_send("ACK", 2, tag, 0, NULL, "");
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	rtp_silent_fd(a);

	phone_send("INVITE", 3, tag, rtp_b, "0 8 101", "sendrecv");
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=sendrecv\r\n"), "%s", phone_rx);
	cr_assert(strstr(phone_rx, " RTP/AVP 8 101\r\n"), "PCMA kept though PCMU comes first");
	cr_assert_eq(sdp_version(&id), 3);
	phone_send("ACK", 3, tag, 0, NULL, "");
	rtp_reaches_fd(b, 8);

	phone_send("INVITE", 4, tag, rtp_b, "0 8 101", "sendrecv");
	phone_expect(200);
	cr_assert_eq(sdp_version(&id), 3, "the same answer keeps its version (§8)");
	phone_send("ACK", 4, tag, 0, NULL, "");

	phone_send("INVITE", 5, tag, rtp_a, "0", "sendrecv");
	phone_expect(200);
	cr_assert(strstr(phone_rx, " RTP/AVP 0\r\n"), "PCMU now: %s", phone_rx);
	cr_assert_eq(sdp_version(&id), 4);
	phone_send("ACK", 5, tag, 0, NULL, "");
	rtp_reaches_fd(a, 0);

	phone_c = "0.0.0.0";
	phone_send("INVITE", 6, tag, rtp_a, "0", "sendrecv");
	phone_c = "127.0.0.1";
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=recvonly\r\n"), "c=0.0.0.0 is a hold: %s", phone_rx);
	phone_send("ACK", 6, tag, 0, NULL, "");
	rtp_silent_fd(a);

	phone_send("INVITE", 7, tag, rtp_a, "18", "sendrecv");
	phone_expect(488);
	phone_send("ACK", 7, tag, 0, NULL, "488");
	rtp_silent_fd(a); /* still held: a refused offer changes nothing */
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	cr_assert(!has("pstn:release"), "%s", trail);

	phone_send("INVITE", 8, tag, rtp_a, "8 0", "sendrecv");
	phone_expect(200);
	cr_assert(strstr(phone_rx, " RTP/AVP 0\r\n"), "PCMU kept: %s", phone_rx);
	phone_send("ACK", 8, tag, 0, NULL, "");
	rtp_reaches_fd(a, 0);

	phone_hangs_up(9, tag);
	close(a);
	close(b);
}

/* RFC 3311: an UPDATE offer is handled as a re-INVITE's: hold is answered
 * recvonly, a new port moves the stream, an offer we cannot take gets 488
 * and the call goes on.  No ACK: UPDATE is a plain request. */
Test(leg_sip_reinvite, sip_to_pstn_update_holds_moves_and_keeps_the_call)
{
	uint16_t rtp_a, rtp_b;
	int a = sg_bind_loopback(SOCK_DGRAM, &rtp_a), b = sg_bind_loopback(SOCK_DGRAM, &rtp_b);
	unsigned long long id0, id;
	char tag[64];
	phone_answered_call(rtp_a, "8 0 101", tag);
	cr_assert_eq(sdp_version(&id0), 1);
	rtp_reaches_fd(a, 8);

	phone_send("UPDATE", 2, tag, rtp_a, "8 0 101", "sendonly");
	phone_expect(200);
	cr_assert(strstr(phone_rx, "CSeq: 2 UPDATE"), "%s", phone_rx);
	cr_assert(strstr(phone_rx, "a=recvonly\r\n"), "hold is answered recvonly: %s", phone_rx);
	cr_assert_eq(sdp_version(&id), 2);
	cr_assert_eq(id, id0);

	phone_send("UPDATE", 3, tag, rtp_b, "8 101", "sendrecv");
	phone_expect(200);
	cr_assert(strstr(phone_rx, "a=sendrecv\r\n"), "%s", phone_rx);
	rtp_reaches_fd(b, 8);

	phone_send("UPDATE", 4, tag, rtp_a, "18", "sendrecv");
	phone_expect(488); /* nothing offered is usable */
	rtp_reaches_fd(b, 8);
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	cr_assert(!has("pstn:release"), "%s", trail);

	phone_hangs_up(5, tag);
	close(a);
	close(b);
}
