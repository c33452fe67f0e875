/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RTP/RTCP socket pair (src/media/rtp_sock.c): even/odd ports from
 * the kernel or from a range, exhaustion of a range, and symmetric-RTP
 * latching (off, once, follow) over 127.0.0.1 on a virtual-time loop.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "media/rtp.h"
#include "sg_test.h"

static struct clk *clk;
static struct loop *loop;
static int npkt[2];
static struct sockaddr_storage last_from;

static void setup(void)
{
	sg_test_begin();
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	npkt[0] = npkt[1] = 0;
}

static void teardown(void)
{
	sg_loop_check(loop);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	sg_test_end();
}

TestSuite(rtp_sock, .init = setup, .fini = teardown);

static struct sockaddr_in lo(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static void on_recv(bool rtcp, const uint8_t *buf, size_t len, const struct sockaddr_storage *from,
		    void *arg)
{
	(void)buf;
	(void)len;
	(void)arg;
	npkt[rtcp]++;
	last_from = *from;
}

static struct rtp_sock *mk_sock(enum rtp_latch latch, uint16_t pmin, uint16_t pmax, int *errp)
{
	struct sockaddr_in sa = lo(0);
	struct rtp_sock_prm prm = {
	    .local = (struct sockaddr *)&sa,
	    .local_len = sizeof(sa),
	    .port_min = pmin,
	    .port_max = pmax,
	    .latch = latch,
	};
	struct rtp_sock *rs = NULL;
	*errp = rtp_sock_alloc(&rs, loop, &prm, on_recv, NULL);
	return rs;
}

/* A plain UDP socket on 127.0.0.1, port chosen by the kernel. */
static int udp_peer(uint16_t *port)
{
	struct sockaddr_in sa = lo(0);
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void peer_send(int fd, uint16_t to, uint32_t ssrc)
{
	struct sockaddr_in sa = lo(to);
	uint8_t pkt[12] = {0x80, 0};
	pkt[8] = (uint8_t)(ssrc >> 24);
	pkt[11] = (uint8_t)ssrc;
	cr_assert_eq(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sa, sizeof(sa)), 12);
}

/* Receive on `fd` what is queued; returns the count. */
static int peer_drain(int fd)
{
	uint8_t buf[1500];
	int n = 0;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

Test(rtp_sock, ephemeral_pair_even_odd)
{
	int err;
	struct rtp_sock *rs = mk_sock(RTP_LATCH_OFF, 0, 0, &err);

	cr_assert_eq(err, 0);
	uint16_t p = port_of(rtp_sock_local(rs));
	cr_expect_eq(p % 2, 0);
	cr_expect_neq(p, 0);
	cr_expect(strstr(rtp_sock_name(rs), "rtp 127.0.0.1:") != NULL);
	/* RTCP really is on p + 1: binding it again must fail. */
	struct sockaddr_in sa = lo((uint16_t)(p + 1));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_expect_neq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	mem_deref(rs);
}

/* Find four free consecutive ports (two pairs) by trying. */
static uint16_t free_range(void)
{
	for (int i = 0; i < 200; i++) {
		int err;
		struct rtp_sock *a = mk_sock(RTP_LATCH_OFF, 0, 0, &err);
		cr_assert_eq(err, 0);
		uint16_t p = port_of(rtp_sock_local(a));
		mem_deref(a);
		if (p > 65530)
			continue;
		struct rtp_sock *b = mk_sock(RTP_LATCH_OFF, p, (uint16_t)(p + 3), &err);
		struct rtp_sock *c =
		    err ? NULL : mk_sock(RTP_LATCH_OFF, p, (uint16_t)(p + 3), &err);
		mem_deref(b);
		mem_deref(c);
		if (!err)
			return p;
	}
	cr_assert_fail("no free port range");
	return 0;
}

Test(rtp_sock, range_allocates_then_exhausts)
{
	uint16_t p = free_range();
	int err;
	struct rtp_sock *a = mk_sock(RTP_LATCH_OFF, p, (uint16_t)(p + 3), &err);
	cr_assert_eq(err, 0);
	struct rtp_sock *b = mk_sock(RTP_LATCH_OFF, p, (uint16_t)(p + 3), &err);
	cr_assert_eq(err, 0);
	uint16_t pa = port_of(rtp_sock_local(a)), pb = port_of(rtp_sock_local(b));
	cr_expect(pa == p || pa == p + 2);
	cr_expect(pb == p || pb == p + 2);
	cr_expect_neq(pa, pb);
	struct rtp_sock *c = mk_sock(RTP_LATCH_OFF, p, (uint16_t)(p + 3), &err);
	cr_expect_eq(err, EADDRINUSE);
	cr_expect_null(c);
	mem_deref(a);
	mem_deref(b);
	/* An odd minimum rounds up; an empty range is refused. */
	mk_sock(RTP_LATCH_OFF, 5, 5, &err);
	cr_expect_eq(err, EINVAL);
}

Test(rtp_sock, no_remote_is_enotconn)
{
	int err;
	struct rtp_sock *rs = mk_sock(RTP_LATCH_ONCE, 0, 0, &err);
	uint8_t b = 0;
	cr_expect_eq(rtp_sock_send(rs, false, &b, 1), ENOTCONN);
	mem_deref(rs);
}

Test(rtp_sock, latch_once)
{
	int err;
	uint16_t pa, pb;
	struct rtp_sock *rs = mk_sock(RTP_LATCH_ONCE, 0, 0, &err);
	int a = udp_peer(&pa), b = udp_peer(&pb);
	uint16_t me = port_of(rtp_sock_local(rs));
	struct sockaddr_in sdp = lo(9); /* the SDP address: nobody there */

	cr_assert_eq(rtp_sock_set_remote(rs, (struct sockaddr *)&sdp, sizeof(sdp)), 0);
	peer_send(a, me, 7);
	loop_run_for(loop, NS_PER_MS);
	cr_assert_eq(npkt[0], 1);
	cr_expect_eq(port_of(&last_from), pa);
	cr_expect(rtp_sock_latch(rs, false, &last_from, 7));
	cr_expect(rtp_sock_latched(rs));
	uint8_t x[4] = {0};
	cr_assert_eq(rtp_sock_send(rs, false, x, 4), 0);
	cr_expect_eq(peer_drain(a), 1); /* sent back to where it came from */
	/* RTCP follows to port + 1 of the latched address. */
	cr_assert_eq(rtp_sock_send(rs, true, x, 4), 0);
	/* A third party is refused, even with the same SSRC; the socket is
	 * now connected, so the kernel does not even deliver its packets. */
	peer_send(b, me, 7);
	loop_run_for(loop, NS_PER_MS);
	cr_expect_eq(npkt[0], 1);
	struct sockaddr_in sb = lo(pb);
	struct sockaddr_storage fb = {0};
	memcpy(&fb, &sb, sizeof(sb));
	cr_expect_not(rtp_sock_latch(rs, false, &fb, 7));
	/* A new SDP remote clears the latch. */
	cr_assert_eq(rtp_sock_set_remote(rs, (struct sockaddr *)&sdp, sizeof(sdp)), 0);
	cr_expect_not(rtp_sock_latched(rs));
	peer_send(b, me, 7); /* and the socket listens to anyone again */
	loop_run_for(loop, NS_PER_MS);
	cr_expect_eq(npkt[0], 2);
	cr_expect_eq(port_of(&last_from), pb);
	close(a);
	close(b);
	mem_deref(rs);
}

Test(rtp_sock, latch_follow_same_ssrc_only)
{
	int err;
	uint16_t pa, pb;
	struct rtp_sock *rs = mk_sock(RTP_LATCH_FOLLOW, 0, 0, &err);
	int a = udp_peer(&pa), b = udp_peer(&pb);
	struct sockaddr_in sa = lo(pa), sb = lo(pb);
	struct sockaddr_storage fa = {0}, fb = {0};
	uint8_t x[4] = {0};

	memcpy(&fa, &sa, sizeof(sa));
	memcpy(&fb, &sb, sizeof(sb));
	cr_expect(rtp_sock_latch(rs, false, &fa, 7));
	cr_expect_not(rtp_sock_latch(rs, false, &fb, 8)); /* another SSRC */
	cr_expect(rtp_sock_latch(rs, false, &fb, 7));	  /* the NAT moved */
	cr_assert_eq(rtp_sock_send(rs, false, x, 4), 0);
	cr_expect_eq(peer_drain(b), 1);
	cr_expect_eq(peer_drain(a), 0);
	close(a);
	close(b);
	mem_deref(rs);
}

Test(rtp_sock, latch_off_sends_to_sdp)
{
	int err;
	uint16_t pa, pb;
	struct rtp_sock *rs = mk_sock(RTP_LATCH_OFF, 0, 0, &err);
	int a = udp_peer(&pa), b = udp_peer(&pb);
	struct sockaddr_in sa = lo(pa), sb = lo(pb);
	struct sockaddr_storage fb = {0};
	uint8_t x[4] = {0};

	memcpy(&fb, &sb, sizeof(sb));
	cr_assert_eq(rtp_sock_set_remote(rs, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_expect(rtp_sock_latch(rs, false, &fb, 1));
	cr_expect_not(rtp_sock_latched(rs));
	cr_assert_eq(rtp_sock_send(rs, false, x, 4), 0);
	cr_expect_eq(peer_drain(a), 1);
	cr_expect_eq(peer_drain(b), 0);
	close(a);
	close(b);
	mem_deref(rs);
}

/* Edge-triggered reads: ten datagrams queued before the loop looks are
 * all delivered from one readiness event (batches of four, then short). */
Test(rtp_sock, burst_drained_in_one_pass)
{
	int err;
	uint16_t pa;
	struct rtp_sock *rs = mk_sock(RTP_LATCH_OFF, 0, 0, &err);
	int a = udp_peer(&pa);
	uint16_t me = port_of(rtp_sock_local(rs));

	for (int i = 0; i < 10; i++)
		peer_send(a, me, 7);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(npkt[0], 10);
	peer_send(a, me, 7); /* and a later one raises a new edge */
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(npkt[0], 11);
	close(a);
	mem_deref(rs);
}

/* The owner detaches (is going away) in the middle of a burst: nothing
 * more is delivered. */
static struct rtp_sock *detach_me;

static void on_recv_detach(bool rtcp, const uint8_t *buf, size_t len,
			   const struct sockaddr_storage *from, void *arg)
{
	on_recv(rtcp, buf, len, from, arg);
	rtp_sock_detach(detach_me);
	detach_me = mem_deref(detach_me);
}

Test(rtp_sock, detach_during_burst)
{
	uint16_t pa;
	struct sockaddr_in sa = lo(0);
	struct rtp_sock_prm prm = {.local = (struct sockaddr *)&sa, .local_len = sizeof(sa)};
	int a = udp_peer(&pa);

	cr_assert_eq(rtp_sock_alloc(&detach_me, loop, &prm, on_recv_detach, NULL), 0);
	uint16_t me = port_of(rtp_sock_local(detach_me));
	for (int i = 0; i < 6; i++)
		peer_send(a, me, 7);
	cr_assert_eq(loop_run_once(loop, 0), 0);
	cr_expect_eq(npkt[0], 1);
	cr_expect_null(detach_me);
	close(a);
}

/* IPv6: the pair binds on ::1 and latches like IPv4 (skipped when the
 * machine has no IPv6 loopback). */
Test(rtp_sock, ipv6_pair_and_latch)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct rtp_sock_prm prm = {
	    .local = (struct sockaddr *)&sa, .local_len = sizeof(sa), .latch = RTP_LATCH_ONCE};
	struct rtp_sock *rs = NULL;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		cr_skip_test("no IPv6 loopback");
	}
	cr_assert_eq(rtp_sock_alloc(&rs, loop, &prm, on_recv, NULL), 0);
	const struct sockaddr_in6 *me = (const void *)rtp_sock_local(rs);
	cr_expect_eq(ntohs(me->sin6_port) % 2, 0);
	cr_expect(strstr(rtp_sock_name(rs), "rtp [::1]:") != NULL, "%s", rtp_sock_name(rs));
	uint8_t pkt[12] = {0x80, 0};
	cr_assert_eq(sendto(fd, pkt, sizeof(pkt), 0, (const struct sockaddr *)me, sizeof(*me)), 12);
	loop_run_for(loop, NS_PER_MS);
	cr_assert_eq(npkt[0], 1);
	cr_expect(rtp_sock_latch(rs, false, &last_from, 0));
	cr_assert_eq(rtp_sock_send(rs, false, pkt, 4), 0);
	cr_expect_eq(peer_drain(fd), 1);
	close(fd);
	mem_deref(rs);
}
