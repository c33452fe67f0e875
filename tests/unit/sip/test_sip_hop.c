/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: in-dialog requests whose next hop (the first Route,
 * else the remote target) is a host name go where RFC 3263 locates it
 * (session_hop.c), not to the address the dialog was set up with.  The
 * fake DNS server (dns_fake.c) names 127.0.0.1; the dialog's peer and the
 * located hop are two sockets on it.  Virtual clock.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "sip/sip.h"

#include "dns_fake.h"
#include "sg_test.h"
#include "sip_fx.h"

static struct dns_fake *dns;
static int peer2 = -1;
static uint16_t peer2_port;

static void hsetup(void)
{
	static const struct dns_rr zone[] = {
	    {"far.test", 1, "127.0.0.1"},
	    {"proxy.test", 1, "127.0.0.1"},
	};
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	struct sip_conf c;
	uint16_t dport;

	setup();
	peer2 = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_eq(bind(peer2, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(peer2, (struct sockaddr *)&a, &al);
	peer2_port = ntohs(a.sin_port);
	cr_assert_eq(dns_fake_start(&dns, loop, zone, 2, &dport), 0);
	fx_conf_defaults(&c);
	snprintf(c.dns_servers, sizeof(c.dns_servers), "127.0.0.1:%u", dport);
	c.dns_tries = 1;
	restart_stack(&c, NULL);
}

static void hteardown(void)
{
	dns_fake_stop(dns);
	close(peer2);
	teardown();
}

TestSuite(hop, .init = hsetup, .fini = hteardown);

static const char *p2recv(void)
{
	loop_run_for(loop, NS_PER_MS);
	ssize_t n = recv(peer2, rx, sizeof(rx) - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	rx[n] = 0;
	return keep(rx);
}

/* An INVITE from the peer with this Contact and Record-Route (or ""),
 * answered 200 by the fixture and ACKed; the lookup gets its time. */
static char tag[64];
static void call_in(const char *contact, const char *rr)
{
	const char *m;

	psend("INVITE sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKhop1\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>\r\n"
	      "Call-ID: hop-1@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
	      "Contact: <%s>\r\n%sContent-Type: application/sdp\r\n"
	      "Content-Length: %zu\r\n\r\n%s",
	      contact, rr, strlen(sdp), sdp);
	while ((m = precv()) && strncmp(m, "SIP/2.0 200 ", 12))
		;
	cr_assert_not_null(m, "no 200");
	snprintf(tag, sizeof(tag), "%s", to_tag());
	psend("ACK sip:b@127.0.0.1:$S SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:$P;branch=z9hG4bKhop1a\r\n"
	      "From: <sip:a@127.0.0.1>;tag=ft1\r\nTo: <sip:b@127.0.0.1>;tag=%s\r\n"
	      "Call-ID: hop-1@test\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\n"
	      "Content-Length: 0\r\n\r\n",
	      tag);
	cr_assert_eq(n_established, 1);
	loop_run_for(loop, 10 * NS_PER_MS);
}

/* The BYE went to `fd`'s side: answer it so the session ends. */
static void bye_answered(void)
{
	answer_request(200, NULL, false);
	cr_assert_eq(n_terminated, 1);
}

Test(hop, bye_goes_to_a_remote_target_by_name)
{
	char contact[64];

	snprintf(contact, sizeof(contact), "sip:a@far.test:%u", peer2_port);
	call_in(contact, "");
	cr_assert_not_null(last_sess);
	cr_assert_eq(sip_sess_bye(last_sess), 0);
	const char *m = p2recv();

	cr_assert(m && !strncmp(m, "BYE sip:a@far.test:", 19), "the located target: %.60s", m);
	cr_assert_null(precv(), "nothing to the dialog's peer: %.60s", rx);
	bye_answered();
}

Test(hop, bye_goes_to_a_route_by_name)
{
	char rr[96], contact[64];

	snprintf(rr, sizeof(rr), "Record-Route: <sip:proxy.test:%u;lr>\r\n", peer2_port);
	snprintf(contact, sizeof(contact), "sip:a@127.0.0.1:%u", peer_port);
	call_in(contact, rr);
	cr_assert_eq(sip_sess_bye(last_sess), 0);
	const char *m = p2recv();

	cr_assert(m && !strncmp(m, "BYE sip:a@127.0.0.1:", 20), "%.60s", m);
	cr_assert(strstr(m, "\r\nRoute: <sip:proxy.test:"), "%s", m);
	cr_assert_null(precv(), "%.60s", rx);
	bye_answered();
}

/* A name that does not resolve: the dialog's peer, as before. */
Test(hop, unknown_name_falls_back_to_the_dialog_peer)
{
	call_in("sip:a@nx.test", "");
	loop_run_for(loop, NS_PER_S);
	cr_assert_eq(sip_sess_bye(last_sess), 0);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "BYE sip:a@nx.test SIP/2.0", 25), "%.60s", m);
	cr_assert_null(p2recv());
	bye_answered();
}

/* As UAC: the 2xx names its Contact by host; the BYE goes there. */
Test(hop, uac_bye_goes_to_the_answers_contact_by_name)
{
	struct sip_sess *s = call_peer();
	char contact[96];

	cr_assert_not_null(keep(precv()));
	snprintf(contact, sizeof(contact), "Contact: <sip:b@far.test:%u>\r\n", peer2_port);
	/* answer_request_x's own Contact comes after: ours is the first. */
	char via[256], from[128], to[128], cid[128], cseq[64];

	sscanf(strstr(req_copy, "Via: "), "%255[^\r]", via);
	sscanf(strstr(req_copy, "From: "), "%127[^\r]", from);
	sscanf(strstr(req_copy, "To: "), "%127[^\r]", to);
	sscanf(strstr(req_copy, "Call-ID: "), "%127[^\r]", cid);
	sscanf(strstr(req_copy, "CSeq: "), "%63[^\r]", cseq);
	psend("SIP/2.0 200 OK\r\n%s\r\n%s\r\n%s;tag=uh1\r\n%s\r\n%s\r\n%s"
	      "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
	      via, from, to, cid, cseq, contact, strlen(sdp), sdp);
	cr_assert_eq(n_answered, 1);
	/* The ACK left at once, before the lookup answered: the peer's. */
	while (precv() || p2recv())
		;
	loop_run_for(loop, 10 * NS_PER_MS);
	cr_assert_eq(sip_sess_bye(s), 0);
	const char *m = p2recv();

	cr_assert(m && !strncmp(m, "BYE sip:b@far.test:", 19), "%.60s", m);
	bye_answered();
}
