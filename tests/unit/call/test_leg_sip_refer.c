/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the SIP leg as transferee (src/call/leg_sip_refer.c with
 * src/call/call_xfer.c): a phone on a raw UDP socket calls the PSTN
 * through the gateway and sends REFER; the fixture's far-end stack plays
 * the transfer target (the plan routes 1… to it).  Also the Refer-To
 * checks on their own.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "leg_sip_fx.h"
#include "sip/sip.h"

TestSuite(leg_sip_refer, .init = leg_sip_fx_setup, .fini = leg_sip_fx_teardown);

/* --- Refer-To (RFC 3515 §2.1) ---------------------------------------------- */

static unsigned refer_status(const char *rt, char *digits)
{
	struct call_party p;
	unsigned status = 0;
	int rc = leg_sip_refer_target(rt, &p, &status);
	cr_assert_eq(rc != 0, status != 0, "%s: rc %d, status %u", rt, rc, status);
	if (!rc && digits)
		strcpy(digits, p.digits);
	return status;
}

Test(leg_sip_refer, refer_to_checks)
{
	char d[40];
	cr_assert_eq(refer_status("<sip:2001@pbx.example.com>", d), 0);
	cr_assert_str_eq(d, "2001");
	cr_assert_eq(refer_status("\"Desk\" <sips:+44-20-7946-0123@h;user=phone>", d), 0);
	cr_assert_str_eq(d, "+442079460123");
	cr_assert_eq(refer_status("sip:2001@h;method=INVITE", d), 0);
	cr_assert_eq(refer_status("<sip:2001@h?Subject=hi>", d), 0);
	cr_assert_str_eq(d, "2001");
	cr_assert_eq(refer_status("<tel:+442079460123>", NULL), 403);
	cr_assert_eq(refer_status("<mailto:a@b>", NULL), 403);
	cr_assert_eq(refer_status("<sip:2001@h;method=BYE>", NULL), 403);
	cr_assert_eq(refer_status("<sip:2001@h?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>",
				  NULL),
		     501);
	cr_assert_eq(refer_status("<sip:alice@h>", NULL), 404);
	cr_assert_eq(refer_status("<sip:h>", NULL), 404);
	cr_assert_eq(refer_status("<sip:2001@h", NULL), 400);
	cr_assert_eq(refer_status("", NULL), 400);
	cr_assert_eq(refer_status(NULL, NULL), 400);
}

/* --- the phone (transferor) --------------------------------------------------- */

static int phone = -1;
static uint16_t phone_port, phone_rtp;
static int phone_rtp_fd = -1;
static char rx[4096];
static char notes[512]; /* "notify:100 notify:200 bye " as the phone saw them */

static int udp_bind(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

static void phone_tx(const char *msg)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(gw_port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ssize_t n = (ssize_t)strlen(msg);
	cr_assert_eq(sendto(phone, msg, (size_t)n, 0, (struct sockaddr *)&a, sizeof(a)), n);
	run(5);
}

/* A request in the phone's dialog (Call-ID xf-1, From tag ph1). */
static void phone_send(const char *method, unsigned cseq, const char *totag, const char *extra,
		       const char *body)
{
	char msg[2048];
	snprintf(msg, sizeof(msg),
		 "%s sip:7000000@127.0.0.1:%u SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKxf%u%s\r\n"
		 "From: <sip:1001@127.0.0.1>;tag=ph1\r\nTo: <sip:7000000@127.0.0.1>%s%s\r\n"
		 "Call-ID: xf-1@test\r\nCSeq: %u %s\r\nMax-Forwards: 70\r\n"
		 "Contact: <sip:1001@127.0.0.1:%u>\r\n%s%sContent-Length: %zu\r\n\r\n%s",
		 method, gw_port, phone_port, cseq, method, totag ? ";tag=" : "",
		 totag ? totag : "", cseq, method, phone_port, extra,
		 body[0] ? "Content-Type: application/sdp\r\n" : "", strlen(body), body);
	phone_tx(msg);
}

/* The value of header `name` in rx, copied. */
static void rx_header(const char *name, char *out, size_t sz)
{
	char key[64];
	snprintf(key, sizeof(key), "\r\n%s: ", name);
	const char *h = strstr(rx, key);
	cr_assert_not_null(h, "no %s in %s", name, rx);
	h += strlen(key);
	size_t n = strcspn(h, "\r\n");
	snprintf(out, sz, "%.*s", (int)(n < sz ? n : sz - 1), h);
}

/* Answer a request the gateway sent the phone (NOTIFY, BYE) with 200. */
static void phone_ok(void)
{
	char via[256], from[256], to[256], cid[128], cseq[64], msg[1200];
	rx_header("Via", via, sizeof(via));
	rx_header("From", from, sizeof(from));
	rx_header("To", to, sizeof(to));
	rx_header("Call-ID", cid, sizeof(cid));
	rx_header("CSeq", cseq, sizeof(cseq));
	snprintf(msg, sizeof(msg),
		 "SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %s\r\nContent-Length: 0\r\n\r\n",
		 via, from, to, cid, cseq);
	phone_tx(msg);
}

/* Read what reached the phone: requests are answered 200 and noted
 * ("notify:<sipfrag status>", "bye"); the first response with `status`
 * (0: none wanted) is left in rx.  Returns whether it came. */
static bool phone_poll(unsigned status)
{
	char want[32];
	snprintf(want, sizeof(want), "SIP/2.0 %u ", status);
	for (int i = 0; i < 50; i++) {
		run(5);
		ssize_t n = recv(phone, rx, sizeof(rx) - 1, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		rx[n] = '\0';
		size_t k = strlen(notes);
		if (!strncmp(rx, "NOTIFY ", 7)) {
			const char *frag = strstr(rx, "\r\n\r\nSIP/2.0 ");
			cr_assert_not_null(frag, "NOTIFY without sipfrag: %s", rx);
			cr_assert(strstr(rx, "Event: refer"), "%s", rx);
			snprintf(notes + k, sizeof(notes) - k, "notify:%.3s%s ", frag + 12,
				 strstr(rx, "terminated") ? "/end" : "");
			phone_ok();
		} else if (!strncmp(rx, "BYE ", 4)) {
			snprintf(notes + k, sizeof(notes) - k, "bye ");
			phone_ok();
		} else if (status && !strncmp(rx, want, strlen(want))) {
			return true;
		}
	}
	return false;
}

/* The phone calls 7000000 (the fake PSTN leg), which answers; returns
 * the gateway's To tag. */
static void phone_call(char *tag, size_t sz)
{
	char sdp[512];
	phone = udp_bind(&phone_port);
	phone_rtp_fd = udp_bind(&phone_rtp);
	notes[0] = '\0';
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		 "t=0 0\r\nm=audio %u RTP/AVP 8\r\n",
		 phone_rtp);
	phone_send("INVITE", 1, NULL, "", sdp);
	cr_assert(has("pstn:setup(7000000) "), "%s", trail);
	call_leg_answer(&pstn->leg);
	cr_assert(phone_poll(200));
	char to[256];
	rx_header("To", to, sizeof(to));
	const char *t = strstr(to, "tag=");
	cr_assert_not_null(t);
	snprintf(tag, sz, "%s", t + 4);
	phone_send("ACK", 1, tag, "", "");
}

static void phone_close(void)
{
	close(phone);
	close(phone_rtp_fd);
	phone = phone_rtp_fd = -1;
}

/* RFC 5589 §6: REFER → 202, NOTIFY 100; the target (the far end) is
 * called from the PSTN party's number, rings (NOTIFY 180) and answers
 * (NOTIFY 200, terminated); the phone hangs up; the PSTN party now talks
 * to the target, and the call's record is the target's. */
Test(leg_sip_refer, blind_transfer_to_the_far_end)
{
	char tag[64];
	phone_call(tag, sizeof(tag));
	phone_send("REFER", 2, tag, "Refer-To: <sip:1555@pbx.example.com>\r\n", "");
	cr_assert(phone_poll(202));
	cr_assert(far_sess, "the target got no INVITE: %s", trail);
	cr_assert(!strncmp(far_ruri, "sip:1555@127.0.0.1:", 19), "%s", far_ruri);
	cr_assert(strstr(far_from, "sip:7000000@"), "calling: the PSTN party: %s", far_from);
	cr_assert_eq(sip_sess_answer(far_sess, 180, NULL, NULL, NULL), 0);
	run(10);
	cr_assert_eq(
	    sip_sess_answer(far_sess, 200, NULL, "application/sdp", far_answer_sdp("8 101")), 0);
	phone_poll(0);
	cr_assert_str_eq(notes, "notify:100 notify:180 notify:200/end ");
	phone_send("BYE", 3, tag, "", "");
	cr_assert(phone_poll(200));
	cr_assert(!has("pstn:release"), "the PSTN party stays: %s", trail);
	cr_assert_eq(call_leg_out(the_call()), &pstn->leg);
	cr_assert_str_eq(call_setup_in(the_call())->called.digits, "1555");
	/* the target hangs up: the PSTN party is released */
	cr_assert_eq(sip_sess_bye(far_sess), 0);
	run(20);
	cr_assert(has("pstn:release(16,0) ended "), "%s", trail);
	cr_assert_eq(last_cdr.dir, CDR_TO_SIP);
	cr_assert_str_eq(last_cdr.called_in, "1555");
	cr_assert_str_eq(last_cdr.rule, "to-uri");
	phone_close();
}

/* The target is busy: NOTIFY 486 and the phone keeps its call (RFC 5589
 * §6); attended transfer (Replaces) is refused with 501. */
Test(leg_sip_refer, busy_target_and_replaces)
{
	char tag[64];
	phone_call(tag, sizeof(tag));
	phone_send("REFER", 2, tag,
		   "Refer-To: <sip:1555@h?Replaces=x%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n", "");
	cr_assert(phone_poll(501));
	cr_assert(log_capture_has("attended transfer (Replaces) is not supported"));
	phone_send("REFER", 3, tag, "Refer-To: <sip:1555@h>\r\n", "");
	cr_assert(phone_poll(202));
	cr_assert_eq(sip_sess_answer(far_sess, 486, NULL, NULL, NULL), 0);
	phone_poll(0);
	cr_assert_str_eq(notes, "notify:100 notify:486/end ");
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	cr_assert(!has("pstn:release"), "%s", trail);
	phone_send("BYE", 4, tag, "", "");
	cr_assert(phone_poll(200));
	cr_assert(has("pstn:release(16,0) ended "), "%s", trail);
	cr_assert_eq(last_cdr.dir, CDR_TO_PSTN);
	phone_close();
}

/* A tel: target is refused (403) and the call goes on. */
Test(leg_sip_refer, tel_target_refused)
{
	char tag[64];
	phone_call(tag, sizeof(tag));
	phone_send("REFER", 2, tag, "Refer-To: <tel:+15551234>\r\n", "");
	cr_assert(phone_poll(403));
	cr_assert_str_eq(call_state(the_call()), "ACTIVE");
	phone_send("BYE", 3, tag, "", "");
	cr_assert(phone_poll(200));
	cr_assert(has("pstn:release(16,0) ended "), "%s", trail);
	phone_close();
}
