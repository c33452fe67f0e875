/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixture of the media stream suites (test_stream.c, test_stream_dir.c;
 * see stream_fx.h): a virtual-time loop, two endpoints A and B, and raw
 * peers on 127.0.0.1 ephemeral ports.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"
#include "sg_test.h"
#include "stream_fx.h"

struct clk *clk;
struct loop *loop;
struct ep A, B;

void stream_fx_setup(void)
{
	sg_test_begin();
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
}

void stream_fx_teardown(void)
{
	sg_loop_check(loop);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	sg_test_end();
}

struct sockaddr_in lo(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

uint16_t local_port(const struct media_stream *s)
{
	return ntohs(((const struct sockaddr_in *)media_stream_local(s))->sin_port);
}

void on_event(const struct media_event_info *info, void *arg)
{
	struct ep *e = arg;
	e->ev[info->ev]++;
	if (info->ev == MEDIA_EV_TELEPHONE_EVENT && info->payload_len == 4)
		memcpy(e->te_payload, info->payload, 4);
}

void mk(struct ep *e, enum media_law law, uint8_t pt, uint16_t remote_port, enum media_latch latch,
	uint64_t seed)
{
	struct sockaddr_in local = lo(0), remote = lo(remote_port);
	struct media_stream_prm prm = {
	    .local = (struct sockaddr *)&local,
	    .local_len = sizeof(local),
	    .tdm_law = law,
	    .pt = pt,
	    .te_pt = 101,
	    .remote = remote_port ? (struct sockaddr *)&remote : NULL,
	    .remote_len = sizeof(remote),
	    .latch = latch,
	    .seed = seed,
	    .eh = on_event,
	    .arg = e,
	};
	e->law = law;
	cr_assert_eq(media_stream_alloc(&e->s, loop, &prm), 0);
	/* Varied audio, different per side and per frame. */
	uint32_t x = (uint32_t)seed * 2654435761u;
	for (unsigned k = 0; k < NFRAMES; k++)
		for (unsigned j = 0; j < MEDIA_FRAME_SAMPLES; j++) {
			x = x * 1103515245u + 12345u;
			e->in[k][j] = (uint8_t)(x >> 16);
		}
}

/* A plain UDP socket on 127.0.0.1 playing a raw peer. */
int raw_peer(void)
{
	struct sockaddr_in sa = lo(0);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

void raw_send(int fd, const struct media_stream *to, const uint8_t *p, size_t n)
{
	struct sockaddr_in sa = lo(local_port(to));
	cr_assert_eq(sendto(fd, p, n, 0, (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)n);
	loop_run_for(loop, NS_PER_MS);
}

/* A peer with RTP on some port p (*fd, address *sa) and RTCP on p + 1
 * (*fd1, where the stream sends RTCP): kernel ports until p + 1 is free. */
void port_pair(int *fdp, int *fd1p, struct sockaddr_in *sap)
{
	int fd = -1, fd1 = -1;
	struct sockaddr_in sa;
	for (int tries = 0; fd1 < 0 && tries < 50; tries++) {
		if (fd >= 0)
			close(fd);
		fd = raw_peer();
		socklen_t len = sizeof(sa);
		getsockname(fd, (struct sockaddr *)&sa, &len);
		struct sockaddr_in sa1 = lo((uint16_t)(ntohs(sa.sin_port) + 1));
		fd1 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (bind(fd1, (struct sockaddr *)&sa1, sizeof(sa1))) {
			close(fd1);
			fd1 = -1;
		}
	}
	cr_assert_geq(fd1, 0, "no port pair");
	*fdp = fd;
	*fd1p = fd1;
	*sap = sa;
}

/* B.s, sending `pt` (the channel in the same law) to `peer`, no events. */
void b_stream_to(const struct sockaddr_in *peer, uint8_t pt, uint64_t seed)
{
	struct sockaddr_in local = lo(0);
	struct media_stream_prm prm = {
	    .local = (struct sockaddr *)&local,
	    .local_len = sizeof(local),
	    .remote = (const struct sockaddr *)peer,
	    .remote_len = sizeof(*peer),
	    .pt = pt,
	    .tdm_law = pt == MEDIA_PT_PCMA ? MEDIA_LAW_ALAW : MEDIA_LAW_ULAW,
	    .te_pt = -1,
	    .seed = seed,
	};
	cr_assert_eq(media_stream_alloc(&B.s, loop, &prm), 0);
}
