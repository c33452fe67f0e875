/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media stream (src/media/stream.c) when an offer changes it in the
 * middle of a call: hold and resume (RFC 3264 §8.4), inactive, and a codec
 * switch in place (§8.3.2).  Fixture: stream_fx.h, on virtual time.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/mem.h"
#include "media/g711.h"
#include "stream_fx.h"

TestSuite(stream_dir, .init = stream_fx_setup, .fini = stream_fx_teardown);

/* Packets waiting on a peer's socket: RTP ones counted, the last kept. */
static unsigned drain(int fd, uint8_t *last, size_t sz)
{
	uint8_t buf[512];
	unsigned n = 0;
	ssize_t r;
	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		n++;
		if (last)
			memcpy(last, buf, (size_t)r < sz ? (size_t)r : sz);
	}
	return n;
}

/* 20 ms of the channel: one block put, one got, the loop run. */
static void tick(struct media_stream *s, const uint8_t *in, uint8_t *out)
{
	media_stream_tdm_put(in, MEDIA_FRAME_SAMPLES, s);
	media_stream_tdm_get(out, MEDIA_FRAME_SAMPLES, s);
	loop_run_for(loop, 20 * NS_PER_MS);
}

/* Hold (RFC 3264 §8.4): recvonly or inactive stops our RTP but not RTCP
 * (RFC 3550 §6); the resume's first packet has the marker, the next
 * sequence number and a timestamp that kept the channel's time. */
Test(stream_dir, hold_stops_rtp_not_rtcp)
{
	int fd, fd1;
	struct sockaddr_in sa;
	port_pair(&fd, &fd1, &sa);
	b_stream_to(&sa, MEDIA_PT_PCMA, 9);
	uint8_t in[MEDIA_FRAME_SAMPLES], out[MEDIA_FRAME_SAMPLES], pkt[12];
	memset(in, 0x55, sizeof(in));
	for (int i = 0; i < 10; i++)
		tick(B.s, in, out);
	cr_expect_eq(drain(fd, pkt, sizeof(pkt)), 10);
	uint16_t seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	uint32_t ts = (uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 | pkt[6] << 8 | pkt[7];
	drain(fd1, NULL, 0);

	media_stream_set_dir(B.s, MEDIA_DIR_RECVONLY);
	cr_expect_eq(media_stream_dir(B.s), MEDIA_DIR_RECVONLY);
	for (int i = 0; i < 400; i++) /* 8 s on hold */
		tick(B.s, in, out);
	cr_expect_eq(drain(fd, NULL, 0), 0, "no RTP while held");
	cr_expect_geq(drain(fd1, NULL, 0), 1, "RTCP goes on while held");
	media_stream_set_dir(B.s, MEDIA_DIR_INACTIVE);
	for (int i = 0; i < 10; i++)
		tick(B.s, in, out);
	cr_expect_eq(drain(fd, NULL, 0), 0, "no RTP while inactive");

	media_stream_set_dir(B.s, MEDIA_DIR_SENDRECV);
	tick(B.s, in, out);
	cr_assert_eq(drain(fd, pkt, sizeof(pkt)), 1, "RTP again after the resume");
	cr_expect(pkt[1] & 0x80, "the resume's first packet has the marker");
	cr_expect_eq((uint16_t)(pkt[2] << 8 | pkt[3]), (uint16_t)(seq + 1));
	cr_expect_eq((uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 | pkt[6] << 8 | pkt[7],
		     ts + 411 * MEDIA_FRAME_SAMPLES, "the timestamp kept the channel's time");
	struct media_stats st;
	media_stream_stats(B.s, &st);
	cr_expect_eq(st.tx_packets, 11);
	mem_deref(B.s);
	close(fd);
	close(fd1);
}

/* Not receiving (inactive): audio that comes anyway is not played. */
Test(stream_dir, inactive_drops_what_arrives)
{
	int peer = raw_peer();
	uint8_t pkt[12 + 160] = {0x80, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
	uint8_t out[MEDIA_FRAME_SAMPLES];
	memset(pkt + 12, 0x11, 160);
	mk(&B, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, 0, MEDIA_LATCH_ONCE, 3);
	media_stream_set_dir(B.s, MEDIA_DIR_INACTIVE);
	for (uint8_t i = 1; i <= 5; i++) {
		pkt[3] = i;
		pkt[7] = (uint8_t)(i * 160 / 256);
		raw_send(peer, B.s, pkt, sizeof(pkt));
		media_stream_tdm_get(out, sizeof(out), B.s);
		cr_expect_eq(out[0], 0xd5, "silence while inactive (got %02x)", out[0]);
	}
	media_stream_set_dir(B.s, MEDIA_DIR_SENDRECV);
	bool heard = false;
	for (uint8_t i = 6; i <= 12; i++) {
		pkt[3] = i;
		raw_send(peer, B.s, pkt, sizeof(pkt));
		media_stream_tdm_get(out, sizeof(out), B.s);
		heard |= out[0] == 0x11;
	}
	cr_expect(heard, "audio is played again once receiving");
	close(peer);
	mem_deref(B.s);
}

/* A re-INVITE moves PCMA → PCMU (RFC 3264 §8.3.2): the same stream sends
 * PT 0 translated from the A-law channel, plays PCMU translated back, and
 * now counts PCMA as unexpected; anything but G.711 is refused. */
Test(stream_dir, codec_switch_in_place)
{
	int fd, fd1;
	struct sockaddr_in sa;
	port_pair(&fd, &fd1, &sa);
	b_stream_to(&sa, MEDIA_PT_PCMA, 10);
	uint8_t in[MEDIA_FRAME_SAMPLES], out[MEDIA_FRAME_SAMPLES], got[12 + MEDIA_FRAME_SAMPLES];
	uint8_t want[MEDIA_FRAME_SAMPLES];
	for (unsigned j = 0; j < sizeof(in); j++)
		in[j] = (uint8_t)(j * 7);
	tick(B.s, in, out);
	cr_assert_eq(drain(fd, got, sizeof(got)), 1);
	cr_expect_eq(got[1] & 0x7f, 8);
	cr_expect_eq(memcmp(got + 12, in, sizeof(in)), 0, "PCMA from an A-law channel: as is");

	cr_expect_eq(media_stream_set_codec(B.s, 18, -1), ENOTSUP);
	cr_assert_eq(media_stream_set_codec(B.s, MEDIA_PT_PCMU, 101), 0);
	tick(B.s, in, out);
	cr_assert_eq(drain(fd, got, sizeof(got)), 1);
	cr_expect_eq(got[1] & 0x7f, 0, "now PCMU");
	g711_translate(g711_alaw_to_ulaw, in, want, sizeof(want));
	cr_expect_eq(memcmp(got + 12, want, sizeof(want)), 0, "translated A → µ");

	/* The peer's PCMU is played translated to A-law; PCMA is unexpected. */
	int peer = raw_peer();
	uint8_t pkt[12 + 160] = {0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
	memset(pkt + 12, 0x33, 160);
	bool heard = false;
	for (uint8_t i = 1; i <= 6; i++) {
		pkt[3] = i;
		raw_send(peer, B.s, pkt, sizeof(pkt));
		media_stream_tdm_get(out, sizeof(out), B.s);
		heard |= out[0] == g711_ulaw_to_alaw[0x33];
	}
	cr_expect(heard, "PCMU played as A-law");
	pkt[1] = 8;
	pkt[3] = 7;
	raw_send(peer, B.s, pkt, sizeof(pkt));
	struct media_stats st;
	media_stream_stats(B.s, &st);
	cr_expect_eq(st.rx_bad, 1, "PCMA is no longer expected");
	cr_expect_eq(st.tx_packets, 2);
	close(peer);
	mem_deref(B.s);
	close(fd);
	close(fd1);
}
