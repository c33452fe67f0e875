/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: INVITEs to host names (RFC 3263) and failover between
 * the targets (§4.3), against the fake DNS server (dns_fake.c) and the
 * test playing the far ends over loopback, on a virtual clock.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
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
static int peer2 = -1; /* the second far end (UDP) */
static int tcp_l = -1; /* a TCP far end (listening) */
static uint16_t peer2_port;
static char srv1[64], srv2[64], srvc[64], srvt[64];

static void tsetup(void)
{
	static struct dns_rr zone[] = {
	    {"one.test", 1, "127.0.0.1"},
	    /* no NAPTR: SRV for UDP, peer first, then peer2 */
	    {"_sip._udp.two.test", 33, srv1},
	    {"_sip._udp.two.test", 33, srv2},
	    {"a.two.test", 1, "127.0.0.1"},
	    {"b.two.test", 1, "127.0.0.1"},
	    /* TCP: a closed port first, then a listening one */
	    {"_sip._tcp.tcp.test", 33, srvc},
	    {"_sip._tcp.tcp.test", 33, srvt},
	    {"silent.test", 0, "drop"},
	};
	struct sip_conf c;
	uint16_t dport, closed, listening;
	int fd;

	setup();
	peer2 = sg_bind_loopback(SOCK_DGRAM, &peer2_port);
	fd = sg_bind_loopback(SOCK_STREAM, &closed); /* bound, then closed: refuses */
	close(fd);
	tcp_l = sg_bind_loopback(SOCK_STREAM, &listening);
	cr_assert_eq(listen(tcp_l, 4), 0);
	snprintf(srv1, sizeof(srv1), "0 0 %u a.two.test", peer_port);
	snprintf(srv2, sizeof(srv2), "1 0 %u b.two.test", peer2_port);
	snprintf(srvc, sizeof(srvc), "0 0 %u a.two.test", closed);
	snprintf(srvt, sizeof(srvt), "1 0 %u b.two.test", listening);
	cr_assert_eq(dns_fake_start(&dns, loop, zone, sizeof(zone) / sizeof(zone[0]), &dport), 0);
	fx_conf_defaults(&c);
	snprintf(c.dns_servers, sizeof(c.dns_servers), "127.0.0.1:%u", dport);
	c.dns_tries = 1;
	restart_stack(&c, NULL);
}

static void tteardown(void)
{
	dns_fake_stop(dns);
	close(peer2);
	close(tcp_l);
	teardown();
}

TestSuite(target, .init = tsetup, .fini = tteardown);

static struct sip_sess *call_host(const char *host, uint16_t dport, enum sip_proto proto,
				  bool tp_given)
{
	struct sip_sess *s = NULL;
	char uri[96];
	struct sip_invite_prm p = {
	    .proto = proto,
	    .dst_host = host,
	    .dst_port = dport,
	    .tp_given = tp_given,
	    .req_uri = uri,
	    .from = "<sip:gw@127.0.0.1>",
	    .to = "<sip:b@example.test>",
	    .ctype = "application/sdp",
	    .body = sdp,
	};

	snprintf(uri, sizeof(uri), "sip:b@%s", host);
	cr_assert_eq(sip_sess_invite(&s, stack, &p), 0);
	cr_assert_not_null(s);
	return s;
}

/* The next datagram to peer2 into rx (and req_copy), or NULL. */
static const char *p2recv(void)
{
	loop_run_for(loop, NS_PER_MS);
	ssize_t n = recv(peer2, rx, sizeof(rx) - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	rx[n] = 0;
	return keep(rx);
}

/* Same Call-ID, From and CSeq; another branch (RFC 3263 §4.3). */
static void same_request(const char *a, const char *b)
{
	static const char *const same[] = {"Call-ID", "From", "CSeq"};
	char x[256], y[256];

	for (unsigned i = 0; i < 3; i++) {
		hdr_need(a, same[i], x, sizeof(x));
		hdr_need(b, same[i], y, sizeof(y));
		cr_assert_str_eq(x, y, "%s differs", same[i]);
	}
	hdr_need(a, "Via", x, sizeof(x));
	hdr_need(b, "Via", y, sizeof(y));
	cr_assert_str_neq(x, y, "a new branch");
}

Test(target, host_with_port_takes_its_address_record)
{
	call_host("one.test", peer_port, SIP_PROTO_UDP, false);
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "INVITE sip:b@one.test SIP/2.0", 29), "got %.60s", m);
	cr_assert(dns_fake_queries(dns) > 0);
	answer_request(486, "t1", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 486, "a 486 is no reason to try elsewhere");
}

Test(target, ip_literal_needs_no_lookup)
{
	call_host("127.0.0.1", peer_port, SIP_PROTO_UDP, false);
	cr_assert_not_null(keep(precv()));
	cr_assert_eq(dns_fake_queries(dns), 0);
	answer_request(486, "t2", false);
	cr_assert_eq(last_status, 486);
}

Test(target, fails_over_on_503_then_answered)
{
	char first[8192];
	struct sip_sess *s = call_host("two.test", 0, SIP_PROTO_UDP, false);

	cr_assert_not_null(keep(precv()), "the first SRV target first");
	snprintf(first, sizeof(first), "%s", req_copy);
	answer_request(503, "t3a", false);
	cr_assert(precv() && !strncmp(rx, "ACK ", 4), "the 503 is ACKed: %.40s", rx);
	const char *m = p2recv();

	cr_assert(m && !strncmp(m, "INVITE ", 7), "then the second: %.40s", m);
	same_request(first, m);
	cr_assert_eq(n_terminated, 0);
	answer_request(200, "t3b", true);
	cr_assert_eq(n_answered, 1);
	/* The dialog goes to the 200's Contact: the fixture's peer. */
	cr_assert(precv() && !strncmp(rx, "ACK ", 4), "ACK: %.40s", rx);
	cr_assert_null(p2recv(), "%.40s", rx);
	cr_assert_eq(sip_sess_bye(s), 0);
	cr_assert(keep(precv()) && !strncmp(rx, "BYE ", 4), "BYE: %.40s", rx);
	answer_request(200, "t3b", false);
	cr_assert_eq(n_terminated, 1);
}

Test(target, fails_over_on_timer_b_and_ends_with_the_last_status)
{
	char first[8192];

	call_host("two.test", 0, SIP_PROTO_UDP, false);
	cr_assert_not_null(keep(precv()));
	snprintf(first, sizeof(first), "%s", req_copy);
	loop_run_for(loop, 32 * NS_PER_S); /* Timer B: 64*T1 */
	/* Timer A's retransmissions */
	while (precv())
		;
	cr_assert_eq(n_terminated, 0);
	const char *m = p2recv();

	cr_assert(m && !strncmp(m, "INVITE ", 7), "Timer B: next target: %.40s", m);
	same_request(first, m);
	answer_request(503, "t4b", false);
	cr_assert(p2recv() && !strncmp(rx, "ACK ", 4));
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 503, "none left: the last status");
}

Test(target, last_target_silent_ends_with_408)
{
	call_host("two.test", 0, SIP_PROTO_UDP, false);
	cr_assert_not_null(keep(precv()));
	answer_request(503, "t5a", false);
	cr_assert_not_null(p2recv()); /* its INVITE; nobody answers */
	loop_run_for(loop, 33 * NS_PER_S);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 408);
	while (p2recv())
		;
}

/* A 503 after a provisional: the call layer heard it ring; no failover. */
Test(target, no_failover_after_a_provisional)
{
	call_host("two.test", 0, SIP_PROTO_UDP, false);
	cr_assert_not_null(keep(precv()));
	answer_request(180, "t6", false);
	cr_assert_eq(n_progress, 1);
	answer_request(503, "t6", false);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 503);
	cr_assert_null(p2recv());
}

/* A refused TCP connection is a transport error: the next target. */
Test(target, fails_over_on_transport_error)
{
	char buf[4096];
	struct sip_stats st;

	call_host("tcp.test", 0, SIP_PROTO_TCP, true);
	cr_assert(pump_until_readable(tcp_l), "the second target is tried");
	int c = accept(tcp_l, NULL, NULL);

	cr_assert(c >= 0);
	cr_assert(pump_until_readable(c));
	ssize_t n = recv(c, buf, sizeof(buf) - 1, 0);

	cr_assert(n > 0);
	buf[n] = 0;
	cr_assert(!strncmp(buf, "INVITE ", 7) && strstr(buf, "SIP/2.0/TCP "), "got %.60s", buf);
	sip_stack_stats(stack, &st);
	cr_assert_eq(st.txns, 2, "one client transaction per target");
	cr_assert_eq(n_terminated, 0);
	loop_run_for(loop, 33 * NS_PER_S); /* silent: Timer B, none left */
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 408);
	close(c);
}

Test(target, unknown_name_ends_with_503)
{
	call_host("nx.test", 0, SIP_PROTO_UDP, false);
	loop_run_for(loop, NS_PER_S);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 503);
	expect_nothing();
}

/* CANCEL while the name is being looked up: nothing was sent, nothing
 * will be; the call ends at once (487). */
Test(target, cancel_while_resolving)
{
	struct sip_sess *s = call_host("silent.test", 0, SIP_PROTO_UDP, false);

	cr_assert_eq(sip_sess_state(s), SIP_SESS_CALLING);
	cr_assert_eq(sip_sess_cancel(s), 0);
	cr_assert_eq(n_terminated, 1);
	cr_assert_eq(last_status, 487);
	expect_nothing();
}
