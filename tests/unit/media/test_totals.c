/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Media totals (src/media/totals.c): the counters of all streams made
 * with prm.totals, summed.  Two streams on one virtual-time loop are fed
 * by a raw UDP peer with duplicate, late, missing, out-of-range and
 * malformed packets and played by hand (one tdm_get per 20 ms); the
 * totals must equal the sum of the streams' own counters while they
 * live, and keep them once they are freed.  Fixture: stream_fx.h.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "media/media.h"
#include "sg_test.h"
#include "stream_fx.h"

TestSuite(totals, .init = stream_fx_setup, .fini = stream_fx_teardown);

#define SSRC 0x5eed

/* A PCMU stream on a µ-law channel sending to `peer`, counted into `t`. */
static struct media_stream *stream_to(int peer, struct media_totals *t, uint64_t seed)
{
	struct sockaddr_in local = lo(0), remote;
	socklen_t len = sizeof(remote);
	cr_assert_eq(getsockname(peer, (struct sockaddr *)&remote, &len), 0);
	struct media_stream_prm prm = {
	    .local = (struct sockaddr *)&local,
	    .local_len = sizeof(local),
	    .remote = (struct sockaddr *)&remote,
	    .remote_len = sizeof(remote),
	    .pt = MEDIA_PT_PCMU,
	    .tdm_law = MEDIA_LAW_ULAW,
	    .te_pt = -1,
	    .seed = seed,
	    .totals = t,
	};
	struct media_stream *s;
	cr_assert_eq(media_stream_alloc(&s, loop, &prm), 0);
	return s;
}

/* One 20 ms PCMU packet with sequence number `seq` (pt: its payload type). */
static void rtp_to(int peer, struct media_stream *s, uint16_t seq, uint8_t pt)
{
	uint8_t pkt[12 + MEDIA_FRAME_SAMPLES];
	uint32_t ts = (uint32_t)seq * MEDIA_FRAME_SAMPLES;
	uint8_t hdr[12] = {0x80, pt, (uint8_t)(seq >> 8), (uint8_t)seq,
			   (uint8_t)(ts >> 24), (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts,
			   0, 0, SSRC >> 8, SSRC & 0xff};
	memcpy(pkt, hdr, sizeof(hdr));
	memset(pkt + 12, 0x55, MEDIA_FRAME_SAMPLES);
	raw_send(peer, s, pkt, sizeof(pkt));
}

/* The channel's side for `n` ticks of 20 ms: a block out, a block in. */
static void tick(struct media_stream *s, unsigned n)
{
	uint8_t blk[MEDIA_FRAME_SAMPLES];
	for (unsigned i = 0; i < n; i++) {
		memset(blk, 0x7f, sizeof(blk));
		media_stream_tdm_put(blk, sizeof(blk), s);
		media_stream_tdm_get(blk, sizeof(blk), s);
		loop_run_for(loop, 20 * NS_PER_MS);
	}
}

/* Stream 1, jitter-buffer target 2 frames: a duplicate, a late packet
 * (target 3), an underrun (target 4), a lost frame, a bad payload type. */
static void drive_troubled(int peer, struct media_stream *s)
{
	rtp_to(peer, s, 100, MEDIA_PT_PCMU);
	rtp_to(peer, s, 101, MEDIA_PT_PCMU);
	rtp_to(peer, s, 101, MEDIA_PT_PCMU); /* dup */
	rtp_to(peer, s, 102, MEDIA_PT_PCMU);
	tick(s, 3);			     /* plays 100..102 */
	rtp_to(peer, s, 100, MEDIA_PT_PCMU); /* late */
	tick(s, 1);			     /* dry: underrun, a frame filled */
	for (uint16_t q = 104; q < 108; q++) /* 103 never comes */
		rtp_to(peer, s, q, MEDIA_PT_PCMU);
	tick(s, 5); /* 103 lost (filled), then 104..107 */
	rtp_to(peer, s, 108, 18); /* G.729: not negotiated */
}

/* Stream 2 (max 10 frames): a jump of 15 pushes two frames out, one of
 * 2,000 starts the buffer again. */
static void drive_jumpy(int peer, struct media_stream *s)
{
	rtp_to(peer, s, 500, MEDIA_PT_PCMU);
	rtp_to(peer, s, 501, MEDIA_PT_PCMU);
	rtp_to(peer, s, 515, MEDIA_PT_PCMU); /* overflow: 500 and 501 */
	rtp_to(peer, s, 2515, MEDIA_PT_PCMU); /* resync */
	tick(s, 2);
}

static void add(struct media_sums *sum, const struct media_stream *s)
{
	struct media_stats st;
	media_stream_stats(s, &st);
	sum->streams++;
	sum->streams_now++;
	sum->rx_packets += st.rx_packets;
	sum->tx_packets += st.tx_packets;
	sum->rx_bad += st.rx_bad;
	sum->jb_late += st.jb_late;
	sum->jb_lost += st.jb_lost;
	sum->jb_underrun += st.jb_underrun;
	sum->jb_overflow += st.jb_overflow;
	sum->jb_resync += st.jb_resync;
	sum->jb_filled += st.jb_filled;
	sum->jb_dup += st.jb_dup;
	sum->jb_target_grow += st.jb_target_grow;
}

static void expect_sums(const struct media_totals *t, const struct media_sums *want)
{
	struct media_sums got;
	media_totals_get(t, &got);
	cr_expect_eq(got.streams, want->streams);
	cr_expect_eq(got.streams_now, want->streams_now);
	cr_expect_eq(got.rx_packets, want->rx_packets);
	cr_expect_eq(got.tx_packets, want->tx_packets);
	cr_expect_eq(got.rx_bad, want->rx_bad);
	cr_expect_eq(got.jb_late, want->jb_late);
	cr_expect_eq(got.jb_lost, want->jb_lost);
	cr_expect_eq(got.jb_underrun, want->jb_underrun);
	cr_expect_eq(got.jb_overflow, want->jb_overflow);
	cr_expect_eq(got.jb_resync, want->jb_resync);
	cr_expect_eq(got.jb_filled, want->jb_filled);
	cr_expect_eq(got.jb_dup, want->jb_dup);
	cr_expect_eq(got.jb_target_grow, want->jb_target_grow);
}

Test(totals, sums_live_and_ended_streams)
{
	struct media_totals *t;
	cr_assert_eq(media_totals_alloc(&t), 0);
	int peer1 = raw_peer(), peer2 = raw_peer(), peer3 = raw_peer();
	struct media_stream *s1 = stream_to(peer1, t, 1);
	struct media_stream *s2 = stream_to(peer2, t, 2);
	struct media_stream *other = stream_to(peer3, NULL, 3); /* not counted */

	drive_troubled(peer1, s1);
	drive_jumpy(peer2, s2);
	drive_jumpy(peer3, other);

	/* Stream 1's counters, one by one: what the totals must carry. */
	struct media_stats st;
	media_stream_stats(s1, &st);
	cr_expect_eq(st.rx_packets, 9);
	cr_expect_eq(st.tx_packets, 9);
	cr_expect_eq(st.rx_bad, 1);
	cr_expect_eq(st.jb_dup, 1);
	cr_expect_eq(st.jb_late, 1);
	cr_expect_eq(st.jb_underrun, 1);
	cr_expect_eq(st.jb_target_grow, 2);
	cr_expect_eq(st.jb_lost, 1);
	cr_expect_eq(st.jb_filled, 2);
	media_stream_stats(s2, &st);
	cr_expect_eq(st.jb_overflow, 2);
	cr_expect_eq(st.jb_resync, 1);

	struct media_sums want = {0};
	add(&want, s1);
	add(&want, s2);
	cr_expect_eq(want.streams, 2);
	expect_sums(t, &want);

	/* Ended streams stay in the totals; a new one adds to them. */
	mem_deref(s1);
	want.streams_now--;
	expect_sums(t, &want);
	struct media_stream *s3 = stream_to(peer1, t, 4);
	tick(s3, 2);
	add(&want, s3);
	cr_expect_eq(want.tx_packets, 9 + 2 + 2);
	expect_sums(t, &want);
	mem_deref(s2);
	mem_deref(s3);
	want.streams_now -= 2;
	expect_sums(t, &want);

	mem_deref(other);
	expect_sums(t, &want);
	mem_deref(t);
	close(peer1);
	close(peer2);
	close(peer3);
}

/* The owner may let go of the totals first: each stream holds them, and
 * the last stream to go frees them (the fixture's leak check). */
Test(totals, outlive_their_owner)
{
	struct media_totals *t;
	cr_assert_eq(media_totals_alloc(&t), 0);
	int peer = raw_peer();
	struct media_stream *s = stream_to(peer, t, 5);
	cr_expect_eq(mem_nrefs(t), 2);
	tick(s, 3);
	struct media_sums got;
	media_totals_get(t, &got);
	cr_expect_eq(got.tx_packets, 3);
	cr_expect_eq(got.streams_now, 1);
	mem_deref(t);
	tick(s, 1);
	mem_deref(s);
	close(peer);
}

Test(totals, bad_params)
{
	cr_expect_eq(media_totals_alloc(NULL), EINVAL);
}
