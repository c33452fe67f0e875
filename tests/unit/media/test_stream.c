/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media stream (src/media/stream.c, stream_rtcp.c): two streams on
 * 127.0.0.1 ephemeral ports, each with a simulated TDM channel ticking
 * every 20 ms on one virtual-time loop, exchange 10 s of audio.  Matching
 * laws must arrive bit-exact; mismatched laws translated by the G.711
 * tables.  One side is told a wrong remote port, so audio only flows back
 * through symmetric-RTP latching.  Also: RTCP reports and BYE, telephone
 * events, foreign and malformed packets, and heap per stream.  Hold and
 * codec changes mid-call: test_stream_dir.c.  Fixture: stream_fx.h.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "media/g711.h"
#include "media/media.h"
#include "sg_test.h"
#include "stream_fx.h"

TestSuite(stream, .init = stream_fx_setup, .fini = stream_fx_teardown);

/* The channel's 20 ms tick: one block in, one block out. */
static void tdm_tick(void *arg)
{
	struct ep *e = arg;

	media_stream_tdm_ops.block(e->in[e->tick], MEDIA_FRAME_SAMPLES, e->s);
	media_stream_tdm_ops.fill(e->out[e->tick], MEDIA_FRAME_SAMPLES, e->s);
	if (++e->tick < NFRAMES)
		loop_timer_start(loop, &e->t, 20 * NS_PER_MS, tdm_tick, e);
}

static void run_call(void)
{
	loop_timer_init(&A.t);
	loop_timer_init(&B.t);
	loop_timer_start(loop, &A.t, 0, tdm_tick, &A);
	loop_timer_start(loop, &B.t, 7 * NS_PER_MS, tdm_tick, &B);
	loop_run_for(loop, (NFRAMES * 20 + 100) * NS_PER_MS);
}

/* What `to` played must be what `from` sent, through `xlat` (NULL: as is),
 * after the jitter buffer's initial fill.  Returns the frames compared. */
static unsigned check_audio(const struct ep *from, const struct ep *to, const uint8_t *xlat)
{
	unsigned k = 0;
	uint8_t want[MEDIA_FRAME_SAMPLES];

	/* Skip the prefill: frames of pure silence. */
	while (k < NFRAMES && to->out[k][0] == to->out[k][1] && to->out[k][1] == to->out[k][2])
		k++;
	unsigned start = k;
	for (unsigned i = 0; k < NFRAMES; k++, i++) {
		if (xlat)
			g711_translate(xlat, from->in[i], want, MEDIA_FRAME_SAMPLES);
		else
			memcpy(want, from->in[i], MEDIA_FRAME_SAMPLES);
		cr_assert_eq(memcmp(to->out[k], want, MEDIA_FRAME_SAMPLES), 0,
			     "frame %u played at tick %u differs", i, k);
	}
	cr_expect_leq(start, 4, "prefill of %u frames", start);
	return NFRAMES - start;
}

static void check_stats(const struct ep *e)
{
	struct media_stats st;

	media_stream_stats(e->s, &st);
	cr_expect_eq(st.tx_packets, NFRAMES);
	cr_expect_geq(st.rx_packets, NFRAMES - 2);
	cr_expect_eq(st.rx_lost, 0);
	cr_expect_eq(st.jb_lost + st.jb_late + st.jb_dup + st.rx_bad + st.rx_foreign, 0);
	cr_expect_geq(st.rtcp_tx, 1);
	cr_expect_geq(st.rtcp_rx, 1);
}

static void call_test(enum media_law la, enum media_law lb, uint8_t pt)
{
	mk(&B, lb, pt, 9, MEDIA_LATCH_ONCE, 2); /* port 9: wrong on purpose */
	mk(&A, la, pt, local_port(B.s), MEDIA_LATCH_ONCE, 1);
	run_call();
	const uint8_t *ab = NULL, *ba = NULL;
	if (la != lb) {
		ab = la == MEDIA_LAW_ALAW ? g711_alaw_to_ulaw : g711_ulaw_to_alaw;
		ba = la == MEDIA_LAW_ALAW ? g711_ulaw_to_alaw : g711_alaw_to_ulaw;
	}
	cr_expect_geq(check_audio(&A, &B, ab), NFRAMES - 4);
	cr_expect_geq(check_audio(&B, &A, ba), NFRAMES - 4);
	cr_expect_eq(B.ev[MEDIA_EV_LATCHED], 1);
	check_stats(&A);
	check_stats(&B);
	struct media_stats st;
	media_stream_stats(A.s, &st);
	cr_expect_geq(st.rtt_ms, 0.0, "rtt from B's reports");
	cr_expect_lt(st.rtt_ms, 1.0);
	/* A hangs up: B hears RTCP BYE. */
	A.s = mem_deref(A.s);
	loop_run_for(loop, NS_PER_MS);
	cr_expect_eq(B.ev[MEDIA_EV_BYE], 1);
	mem_deref(B.s);
}

Test(stream, alaw_bit_exact)
{
	call_test(MEDIA_LAW_ALAW, MEDIA_LAW_ALAW, MEDIA_PT_PCMA);
}

Test(stream, ulaw_bit_exact)
{
	call_test(MEDIA_LAW_ULAW, MEDIA_LAW_ULAW, MEDIA_PT_PCMU);
}

Test(stream, alaw_to_ulaw_translated)
{
	call_test(MEDIA_LAW_ALAW, MEDIA_LAW_ULAW, MEDIA_PT_PCMA);
}

Test(stream, ulaw_to_alaw_translated)
{
	call_test(MEDIA_LAW_ULAW, MEDIA_LAW_ALAW, MEDIA_PT_PCMA);
}

Test(stream, events_and_bad_packets)
{
	int peer = raw_peer(), other = raw_peer();
	struct media_stats st;
	uint8_t pkt[12 + 160] = {0x80, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
	uint8_t te[12 + 4] = {0x80, 0x80 | 101, 0, 9, 0, 0, 0, 0, 0, 0, 0, 7, 5, 0x80, 0, 160};
	uint8_t bad[6] = {0x80, 8, 0, 0, 0, 0};

	mk(&B, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, 0, MEDIA_LATCH_ONCE, 3);
	raw_send(peer, B.s, pkt, sizeof(pkt));
	cr_expect_eq(B.ev[MEDIA_EV_LATCHED], 1);
	raw_send(peer, B.s, te, sizeof(te));
	cr_expect_eq(B.ev[MEDIA_EV_TELEPHONE_EVENT], 1);
	cr_expect_eq(B.te_payload[0], 5); /* digit 5, end bit, duration 160 */
	raw_send(peer, B.s, bad, sizeof(bad));
	pkt[1] = 18; /* G.729: not negotiated */
	raw_send(peer, B.s, pkt, sizeof(pkt));
	pkt[1] = 8;
	/* Not the latched peer: the latched socket is connected, so the
	 * kernel drops it before we see it. */
	raw_send(other, B.s, pkt, sizeof(pkt));
	pkt[11] = 8; /* new SSRC from the peer */
	raw_send(peer, B.s, pkt, sizeof(pkt));
	cr_expect_eq(B.ev[MEDIA_EV_SSRC_CHANGED], 1);
	media_stream_stats(B.s, &st);
	cr_expect_eq(st.rx_bad, 2);
	cr_expect_eq(st.rx_foreign, 0);
	cr_expect_eq(st.rx_packets, 2);
	cr_expect_eq(st.remote_ssrc, 8);
	/* Malformed RTCP is counted, not acted on. */
	struct sockaddr_in sa = lo((uint16_t)(local_port(B.s) + 1));
	sendto(peer, bad, sizeof(bad), 0, (struct sockaddr *)&sa, sizeof(sa));
	loop_run_for(loop, NS_PER_MS);
	media_stream_stats(B.s, &st);
	cr_expect_eq(st.rtcp_bad, 1);
	close(peer);
	close(other);
	mem_deref(B.s);
}

/* A peer that never sends: MEDIA_EV_TIMEOUT once, from the periodic
 * check (every ~5 s), and again only after audio came and went. */
Test(stream, rx_timeout)
{
	struct sockaddr_in local = lo(0), remote = lo(9);
	struct media_stream_prm prm = {
	    .local = (struct sockaddr *)&local,
	    .local_len = sizeof(local),
	    .remote = (struct sockaddr *)&remote,
	    .remote_len = sizeof(remote),
	    .pt = MEDIA_PT_PCMU,
	    .te_pt = -1,
	    .no_rtcp = true,
	    .rx_timeout_ms = 10000,
	    .seed = 4,
	    .eh = on_event,
	    .arg = &B,
	};

	cr_assert_eq(media_stream_alloc(&B.s, loop, &prm), 0);
	loop_run_for(loop, 9 * NS_PER_S);
	cr_expect_eq(B.ev[MEDIA_EV_TIMEOUT], 0);
	loop_run_for(loop, 9 * NS_PER_S);
	cr_expect_eq(B.ev[MEDIA_EV_TIMEOUT], 1);
	loop_run_for(loop, 30 * NS_PER_S);
	cr_expect_eq(B.ev[MEDIA_EV_TIMEOUT], 1);
	mem_deref(B.s);
}

/* The owner hangs up from inside an event: nothing is touched after. */
static void hang_up(const struct media_event_info *info, void *arg)
{
	struct ep *e = arg;
	e->ev[info->ev]++;
	e->s = mem_deref(e->s);
}

Test(stream, owner_frees_in_event)
{
	int peer = raw_peer();
	uint8_t pkt[12 + 160] = {0x80, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};

	mk(&B, MEDIA_LAW_ALAW, MEDIA_PT_PCMA, 0, MEDIA_LATCH_ONCE, 6);
	B.s = mem_deref(B.s);
	struct sockaddr_in local = lo(0);
	struct media_stream_prm prm = {
	    .local = (struct sockaddr *)&local,
	    .local_len = sizeof(local),
	    .pt = MEDIA_PT_PCMA,
	    .te_pt = -1,
	    .latch = MEDIA_LATCH_ONCE,
	    .rx_timeout_ms = 1000,
	    .seed = 6,
	    .eh = hang_up,
	    .arg = &B,
	};
	cr_assert_eq(media_stream_alloc(&B.s, loop, &prm), 0);
	raw_send(peer, B.s, pkt, sizeof(pkt)); /* LATCHED: hangs up */
	cr_expect_null(B.s);
	cr_expect_eq(B.ev[MEDIA_EV_LATCHED], 1);
	/* Same from the timer: a silent peer times out. */
	cr_assert_eq(media_stream_alloc(&B.s, loop, &prm), 0);
	loop_run_for(loop, 10 * NS_PER_S);
	cr_expect_null(B.s);
	cr_expect_eq(B.ev[MEDIA_EV_TIMEOUT], 1);
	close(peer);
}

/* RTCP timing (§6.3.1): first report after 1.25-3.75 s, then every
 * 2.5-7.5 s, and the same times again for the same seed. */
static uint64_t rtcp_at[16];
static int n_rtcp;

static void rtcp_arrived(int fd, uint32_t events, void *arg)
{
	uint8_t buf[512];
	(void)events;
	(void)arg;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		if (n_rtcp < 16)
			rtcp_at[n_rtcp++] = loop_now(loop);
}

static void rtcp_times(uint64_t seed, uint64_t *out, int *n)
{
	int fd, fd1;
	struct sockaddr_in sa;
	port_pair(&fd, &fd1, &sa);
	cr_assert_eq(loop_fd_add(loop, fd1, EPOLLIN, rtcp_arrived, NULL), 0);
	uint64_t t0 = loop_now(loop);
	n_rtcp = 0;
	b_stream_to(&sa, MEDIA_PT_PCMU, seed);
	loop_run_for(loop, 60 * NS_PER_S);
	B.s = mem_deref(B.s); /* sends BYE: one more */
	loop_run_for(loop, NS_PER_MS);
	loop_fd_del(loop, fd1);
	close(fd1);
	close(fd);
	for (int i = 0; i < n_rtcp; i++)
		out[i] = rtcp_at[i] - t0;
	*n = n_rtcp;
}

Test(stream, rtcp_interval_deterministic)
{
	uint64_t a[16], b[16];
	int na, nb;

	rtcp_times(77, a, &na);
	rtcp_times(77, b, &nb);
	cr_assert_eq(na, nb);
	cr_assert_geq(na, 9, "%d reports in 60 s", na);
	cr_expect_eq(memcmp(a, b, sizeof(a[0]) * (size_t)na), 0);
	cr_expect_geq(a[0], 1250 * NS_PER_MS);
	cr_expect_leq(a[0], 3750 * NS_PER_MS);
	for (int i = 1; i < na - 1; i++) {
		cr_expect_geq(a[i] - a[i - 1], 2500 * NS_PER_MS, "gap %d", i);
		cr_expect_leq(a[i] - a[i - 1], 7500 * NS_PER_MS, "gap %d", i);
	}
}

Test(stream, bad_params)
{
	struct sockaddr_in local = lo(0);
	struct media_stream_prm prm = {
	    .local = (struct sockaddr *)&local, .local_len = sizeof(local), .pt = 18, .te_pt = -1};
	struct media_stream *s = NULL;

	cr_expect_eq(media_stream_alloc(&s, loop, &prm), ENOTSUP);
	prm.pt = 0;
	prm.jb_min_ms = 100;
	prm.jb_max_ms = 60;
	cr_expect_eq(media_stream_alloc(&s, loop, &prm), EINVAL);
	cr_expect_null(s);
}

/* Heap per established call (target: at most 32 KiB). */
Test(stream, heap_per_stream)
{
	enum { N = 64 };
	static struct media_stream *s[N];
	struct sockaddr_in local = lo(0), remote = lo(9);
	struct media_stream_prm prm = {
	    .local = (struct sockaddr *)&local,
	    .local_len = sizeof(local),
	    .remote = (struct sockaddr *)&remote,
	    .remote_len = sizeof(remote),
	    .pt = MEDIA_PT_PCMA,
	    .tdm_law = MEDIA_LAW_ALAW,
	    .te_pt = 101,
	    .latch = MEDIA_LATCH_ONCE,
	    .seed = 5,
	};
	uint8_t blk[MEDIA_FRAME_SAMPLES] = {0};

	/* Warm up the loop's arrays so that only streams are counted. */
	cr_assert_eq(media_stream_alloc(&s[0], loop, &prm), 0);
	s[0] = mem_deref(s[0]);
	struct mallinfo2 m0 = mallinfo2();
	for (int i = 0; i < N; i++) {
		cr_assert_eq(media_stream_alloc(&s[i], loop, &prm), 0);
		media_stream_tdm_put(blk, sizeof(blk), s[i]);
		media_stream_tdm_get(blk, sizeof(blk), s[i]);
	}
	struct mallinfo2 m1 = mallinfo2();
	size_t per = (m1.uordblks - m0.uordblks) / N;
	cr_log_info("heap per stream: %zu bytes", per);
	cr_expect_leq(per, 32 * 1024, "%zu bytes per stream", per);
	for (int i = 0; i < N; i++)
		mem_deref(s[i]);
}
