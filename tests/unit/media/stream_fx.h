/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixture for the media stream suites (test_stream.c, test_stream_dir.c):
 * a virtual-time loop and two endpoints, A and B, each a stream with a
 * simulated TDM channel's 10 s of audio in and out; raw UDP peers on
 * 127.0.0.1 ephemeral ports play the far end where a test needs one.
 */
#ifndef STROWGER_TESTS_STREAM_FX_H
#define STROWGER_TESTS_STREAM_FX_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "media/media.h"

#define NFRAMES 500 /* 10 s */

struct ep {
	struct media_stream *s;
	enum media_law law;
	uint8_t in[NFRAMES][MEDIA_FRAME_SAMPLES];
	uint8_t out[NFRAMES][MEDIA_FRAME_SAMPLES];
	unsigned tick;
	struct loop_timer t;
	int ev[8];
	uint8_t te_payload[4];
};

extern struct clk *clk;
extern struct loop *loop;
extern struct ep A, B;

void stream_fx_setup(void);
void stream_fx_teardown(void);

struct sockaddr_in lo(uint16_t port);
uint16_t local_port(const struct media_stream *s);
/* The events of an endpoint (arg): counted in ev[], a telephone event's
 * payload kept. */
void on_event(const struct media_event_info *info, void *arg);
/* e->s on `law` sending `pt` to remote_port (0: none yet), events counted
 * in e->ev; e->in filled with audio that differs per side and frame. */
void mk(struct ep *e, enum media_law law, uint8_t pt, uint16_t remote_port, enum media_latch latch,
	uint64_t seed);
/* A plain UDP socket on 127.0.0.1 playing a raw peer; one packet from it
 * to the stream `to`, and the loop run for a millisecond. */
int raw_peer(void);
void raw_send(int fd, const struct media_stream *to, const uint8_t *p, size_t n);
/* A peer with RTP on some port p (*fd, address *sa) and RTCP on p + 1. */
void port_pair(int *fdp, int *fd1p, struct sockaddr_in *sap);
/* B.s, sending `pt` (the channel in the same law) to `peer`, no events. */
void b_stream_to(const struct sockaddr_in *peer, uint8_t pt, uint64_t seed);

#endif
