/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media bridge (src/media/bridge.c, bridge_tone.c) on the simulated
 * DAHDI, on virtual time, two E1 spans crossed back to back.  The test
 * plays the PSTN on channel 32 and a SIP phone ("peer", a stream paced by
 * a 20 ms timer); "gw" is the gateway's stream, joined by the bridge:
 *
 *   peer stream ◄─RTP─► gw stream ◄─bridge─► chan 1 ═══ sim ═══ chan 32 (far)
 *
 * Audio is a pseudo-random pattern of loud codes, compared as a byte
 * stream wherever it starts (blocks and packets need not line up).  Tones
 * are measured on the far channel: cadence in 1 ms windows, frequency by
 * zero crossings, phase continuity by fitting one sine to a whole second.
 */
#include "tests/unit/sim/simtest.h"

#include <arpa/inet.h>
#include <dahdi/tonezone.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "core/log.h"
#include "media/bridge.h"
#include "media/g711.h"

#define BRIDGE_CHAN 1
#define FAR_CHAN    32
#define BLK	    MEDIA_FRAME_SAMPLES
#define CAP_MAX	    (8000 * 8) /* 8 s */

/* The PSTN (far: a channel) or the SIP phone (peer: a stream and a clock). */
struct end {
	struct tdm_chan *ch;
	struct media_stream *s;
	struct loop_timer t;
	enum media_law law;
	bool play; /* the pattern, or silence */
	uint32_t tx_pos;
	uint8_t rx[CAP_MAX];
	size_t nrx;
};

static struct simtest t;
static struct end far, peer;
static struct media_stream *gw;
static struct media_bridge *br;

/* --- patterns ------------------------------------------------------------ */

static int16_t decode(enum media_law law, uint8_t c)
{
	return law == MEDIA_LAW_ALAW ? g711_alaw_decode(c) : g711_ulaw_decode(c);
}

/* A loud code (|x| > 1000) chosen by a hash of (seed, pos), so the
 * pattern is told apart from silence and idle after any translation. */
static uint8_t pattern(enum media_law law, unsigned seed, uint32_t pos)
{
	uint32_t x = (pos + 1) * 2654435761u ^ seed * 40503u;

	x ^= x >> 15;
	for (uint8_t c = (uint8_t)x;; c = (uint8_t)(c * 5 + 1))
		if (abs(decode(law, c)) > 1000)
			return c;
}

static bool quiet(enum media_law law, uint8_t c)
{
	return abs(decode(law, c)) < 64;
}

/* How many of the n bytes at p are the pattern from `off`, through `xlat`. */
static size_t same(const uint8_t *p, size_t n, enum media_law law, unsigned seed, uint32_t off,
		   const uint8_t *xlat)
{
	size_t k = 0;

	for (uint8_t w; k < n; k++) {
		w = pattern(law, seed, off + (uint32_t)k);
		if (p[k] != (xlat ? xlat[w] : w))
			break;
	}
	return k;
}

/* How many bytes of `buf`, from its first loud one (*startp), are the
 * sender's pattern (through `xlat`, NULL: as is) from some offset. */
static size_t match(const uint8_t *buf, size_t n, enum media_law rx_law, enum media_law tx_law,
		    unsigned seed, const uint8_t *xlat, size_t *startp)
{
	size_t i = 0;

	while (i < n && quiet(rx_law, buf[i]))
		i++;
	*startp = i;
	for (uint32_t off = 0; n - i >= 32 && off < 400000; off++)
		if (same(buf + i, 32, tx_law, seed, off, xlat) == 32)
			return same(buf + i, n - i, tx_law, seed, off, xlat);
	return 0;
}

/* `buf` holds, within max_ms of its start, the sender's pattern to the end. */
static void expect_pattern(const uint8_t *buf, size_t n, enum media_law rx_law,
			   enum media_law tx_law, unsigned seed, const uint8_t *xlat, size_t max_ms)
{
	size_t start, k = match(buf, n, rx_law, tx_law, seed, xlat, &start);

	cr_assert_leq(start, 8 * max_ms, "audio after %zu ms", start / 8);
	cr_assert_eq(k, n - start, "%zu of %zu bytes as sent", k, n - start);
}

/* --- the far end: the PSTN on channel 32 --------------------------------- */

static uint8_t silence(enum media_law law)
{
	return law == MEDIA_LAW_ALAW ? 0xd5 : 0xff;
}

static void next_block(struct end *e, unsigned seed, uint8_t *blk)
{
	for (unsigned i = 0; i < BLK; i++)
		blk[i] = e->play ? pattern(e->law, seed, e->tx_pos++) : silence(e->law);
}

static void far_tx(void)
{
	uint8_t blk[BLK];

	next_block(&far, 2, blk);
	cr_assert_eq(tdm_chan_write(far.ch, blk, BLK, NULL), 0);
}

static void capture(uint8_t *cap, size_t *ncap, const uint8_t *data, size_t len)
{
	if (*ncap + len <= CAP_MAX) {
		memcpy(cap + *ncap, data, len);
		*ncap += len;
	}
}

static void far_audio(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	(void)ch;
	(void)arg;
	capture(far.rx, &far.nrx, data, len);
	far_tx();
}

static void far_open(enum media_law law)
{
	struct tdm_chan_prm prm = {
	    .channo = FAR_CHAN,
	    .law = law == MEDIA_LAW_ALAW ? TDM_LAW_ALAW : TDM_LAW_MULAW,
	    .audioh = far_audio,
	};
	far.law = law;
	cr_assert_eq(tdm_chan_open(&far.ch, t.tdm, &prm), 0);
	far_tx();
	far_tx();
}

/* --- the SIP side: two streams ------------------------------------------- */

static struct sockaddr_in lo(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static uint16_t port_of(const struct media_stream *s)
{
	return ntohs(((const struct sockaddr_in *)media_stream_local(s))->sin_port);
}

static struct media_stream *stream(const char *name, enum media_law law, uint8_t pt,
				   const struct media_stream *to, uint64_t seed)
{
	struct sockaddr_in local = lo(0), remote = lo(to ? port_of(to) : 0);
	struct media_stream_prm prm = {
	    .name = name,
	    .local = (struct sockaddr *)&local,
	    .local_len = sizeof(local),
	    .tdm_law = law,
	    .pt = pt,
	    .remote = to ? (struct sockaddr *)&remote : NULL,
	    .remote_len = sizeof(remote),
	    .latch = MEDIA_LATCH_ONCE,
	    .seed = seed,
	};
	struct media_stream *s;
	cr_assert_eq(media_stream_alloc(&s, t.loop, &prm), 0);
	return s;
}

/* The peer phone's own 20 ms clock. */
static void peer_tick(void *arg)
{
	uint8_t blk[BLK];

	(void)arg;
	next_block(&peer, 1, blk);
	media_stream_tdm_put(blk, BLK, peer.s);
	media_stream_tdm_get(blk, BLK, peer.s);
	capture(peer.rx, &peer.nrx, blk, BLK);
	loop_timer_start(t.loop, &peer.t, 20 * NS_PER_MS, peer_tick, NULL);
}

/* gw (on the bridge, law `chan_law`, payload `pt`) and the peer (law
 * `peer_law`), connected; the peer starts its clock. */
static void streams(enum media_law chan_law, enum media_law peer_law, uint8_t pt)
{
	peer.law = peer_law;
	peer.s = stream("peer", peer_law, pt, NULL, 11); /* latches on gw's first packet */
	gw = stream("gw", chan_law, pt, peer.s, 12);
	media_bridge_connect(br, gw);
	loop_timer_start(t.loop, &peer.t, 7 * NS_PER_MS, peer_tick, NULL);
}

/* --- fixture ------------------------------------------------------------- */

static void setup(void)
{
	log_set_level(LC_MEDIA, getenv("BRIDGE_TEST_DEBUG") ? LL_DEBUG : LL_ERROR);
	simtest_init(&t, SIMTEST_CONF, 0);
	simtest_cross12(&t);
	memset(&far, 0, sizeof(far));
	memset(&peer, 0, sizeof(peer));
	loop_timer_init(&peer.t);
	gw = NULL;
	br = NULL;
}

static void teardown(void)
{
	loop_timer_cancel(t.loop, &peer.t);
	br = mem_deref(br);
	gw = mem_deref(gw);
	peer.s = mem_deref(peer.s);
	far.ch = mem_deref(far.ch);
	simtest_fini(&t); /* no timers, no mem objects left */
}

TestSuite(bridge, .init = setup, .fini = teardown);

static void bridge_open(enum media_law law)
{
	cr_assert_eq(media_bridge_alloc(&br, t.loop, t.tdm, BRIDGE_CHAN, law), 0);
	cr_assert_str_eq(media_bridge_name(br), "bridge s1c1");
	cr_assert_eq(media_bridge_law(br), law);
}

/* --- 1. silence before connect ------------------------------------------- */

Test(bridge, silence_before_connect)
{
	struct media_bridge_stats st;

	bridge_open(MEDIA_LAW_ALAW);
	far_open(MEDIA_LAW_ALAW);
	far.play = true; /* the PSTN talks; nobody listens yet */
	simtest_run_ms(&t, 500);
	cr_assert_geq(far.nrx, 3800);
	for (size_t i = 0; i < far.nrx; i++)
		cr_assert_eq(far.rx[i], 0xd5, "byte %zu: %#x", i, far.rx[i]);
	media_bridge_stats(br, &st);
	cr_expect(st.blocks_in >= 24 && st.blocks_in <= 26, "%llu in",
		  (unsigned long long)st.blocks_in);
	cr_expect_eq(st.blocks_out, st.blocks_in + 2, "prefill + one per block read");
	cr_expect_eq(st.underruns + st.tx_dropped + st.tone_blocks, 0);
	struct media_bridge *b2;
	cr_assert_eq(media_bridge_alloc(&b2, t.loop, t.tdm, BRIDGE_CHAN, MEDIA_LAW_ALAW), EBUSY);
	cr_assert_neq(media_bridge_alloc(&b2, t.loop, t.tdm, 999, MEDIA_LAW_ALAW), 0);
	cr_assert_eq(media_bridge_alloc(&b2, NULL, t.tdm, 2, MEDIA_LAW_ALAW), EINVAL);
	cr_assert_eq(media_bridge_alloc(&b2, t.loop, t.tdm, 0, MEDIA_LAW_ALAW), EINVAL);
}

/* µ-law: our silence (0xff) differs from the span's idle (0x7f, DAHDI's
 * LIN2X(0)), which shows the bridge really writes from the start. */
Test(bridge, ulaw_silence_is_written)
{
	size_t ours = 0;

	bridge_open(MEDIA_LAW_ULAW);
	far_open(MEDIA_LAW_ULAW);
	simtest_run_ms(&t, 500);
	for (size_t i = 0; i < far.nrx; i++) {
		cr_assert(far.rx[i] == 0xff || far.rx[i] == 0x7f, "byte %zu: %#x", i, far.rx[i]);
		ours += far.rx[i] == 0xff;
	}
	cr_assert_geq(ours, far.nrx - 16, "%zu of %zu from the bridge", ours, far.nrx);
}

/* --- 2, 3. audio both ways ----------------------------------------------- */

static void audio_both_ways(enum media_law chan_law, enum media_law peer_law, uint8_t pt)
{
	const uint8_t *to_chan = NULL, *to_peer = NULL;
	struct media_bridge_stats st;
	struct media_stats ms;
	if (chan_law != peer_law) {
		to_chan = chan_law == MEDIA_LAW_ALAW ? g711_ulaw_to_alaw : g711_alaw_to_ulaw;
		to_peer = chan_law == MEDIA_LAW_ALAW ? g711_alaw_to_ulaw : g711_ulaw_to_alaw;
	}
	bridge_open(chan_law);
	far_open(chan_law);
	far.play = peer.play = true;
	streams(chan_law, peer_law, pt);
	simtest_run_ms(&t, 3000);

	expect_pattern(far.rx, far.nrx, chan_law, peer_law, 1, to_chan, 120);	/* RTP -> TDM */
	expect_pattern(peer.rx, peer.nrx, peer_law, chan_law, 2, to_peer, 120); /* TDM -> RTP */

	media_bridge_stats(br, &st);
	cr_expect(st.blocks_in >= 148 && st.blocks_in <= 151, "%llu",
		  (unsigned long long)st.blocks_in);
	cr_expect_eq(st.blocks_out, st.blocks_in + 2);
	cr_expect_eq(st.underruns + st.tx_dropped, 0);
	media_stream_stats(gw, &ms);
	cr_expect_eq(ms.tx_packets, st.blocks_in, "one RTP packet per block read");
	cr_expect_eq(ms.rx_lost + ms.jb_lost + ms.jb_late + ms.jb_overflow, 0);
}

Test(bridge, alaw_bit_exact_both_ways)
{
	audio_both_ways(MEDIA_LAW_ALAW, MEDIA_LAW_ALAW, MEDIA_PT_PCMA);
}

Test(bridge, ulaw_bit_exact_both_ways)
{
	audio_both_ways(MEDIA_LAW_ULAW, MEDIA_LAW_ULAW, MEDIA_PT_PCMU);
}

/* An E1 (A-law) channel, a SIP peer sending PCMU: translated by the
 * stream's tables, once each way. */
Test(bridge, alaw_channel_ulaw_stream_translated)
{
	audio_both_ways(MEDIA_LAW_ALAW, MEDIA_LAW_ULAW, MEDIA_PT_PCMU);
}

/* --- 4. tones ------------------------------------------------------------ */

#define WIN 8 /* samples: 1 ms windows */

static bool on[CAP_MAX / WIN];
static unsigned nw;

/* 1 ms windows of the far channel's capture: RMS above `thr` or not.
 * Returns the first one on. */
static unsigned windows(double thr)
{
	unsigned w0 = 0;

	nw = (unsigned)(far.nrx / WIN);
	for (unsigned w = 0; w < nw; w++) {
		double e = 0;
		for (unsigned i = 0; i < WIN; i++)
			e += pow(decode(far.law, far.rx[w * WIN + i]), 2);
		on[w] = sqrt(e / WIN) > thr;
	}
	while (w0 < nw && !on[w0])
		w0++;
	return w0;
}

/* Length of the run of windows equal to on[from]. */
static unsigned run_len(unsigned from)
{
	unsigned k = from;

	while (k < nw && on[k] == on[from])
		k++;
	return k - from;
}

/* Fit A·sin(2πft + φ) over n samples from `x0` (many periods): A, and
 * the RMS of what the fit leaves, relative to A. */
static double sine_fit(size_t x0, size_t n, double f, double *resid)
{
	double si = 0, co = 0, e = 0;

	for (size_t i = 0; i < n; i++) {
		double x = decode(far.law, far.rx[x0 + i]), w = 2 * M_PI * f * (double)i / 8000;
		si += x * sin(w);
		co += x * cos(w);
		e += x * x;
	}
	double amp = 2 * sqrt(si * si + co * co) / (double)n;
	*resid = sqrt(fmax(e / (double)n - amp * amp / 2, 0)) / amp;
	return amp;
}

static void check_de_ringback(void)
{
	unsigned w0 = windows(1500), len, zc = 0;

	cr_assert_leq(w0, 60, "the tone began after %u ms", w0);
	len = run_len(w0);
	cr_assert(len >= 999 && len <= 1001, "on for %u ms, want 1000", len);
	len = run_len(w0 + len);
	cr_assert(len >= 3999 && len <= 4001, "off for %u ms, want 4000", len);
	cr_assert(on[w0 + 5000 + 1] && !on[w0 + 5000 - 2], "on again 5 s after the start");
	cr_assert_geq(run_len(w0 + 5001), 998, "second burst");

	/* The first "on" second: 425 Hz, at -10 dBm0, one continuous sine
	 * through all fifty 20 ms blocks.  Zero crossings over 900 ms: */
	for (size_t i = (w0 + 50) * WIN; i < (w0 + 950) * WIN; i++)
		zc += (decode(far.law, far.rx[i]) < 0) != (decode(far.law, far.rx[i + 1]) < 0);
	cr_assert(abs((int)zc - 2 * 425 * 9 / 10) <= 2, "%u zero crossings", zc);
	double resid, amp = sine_fit((w0 + 2) * WIN, 996 * WIN, 425, &resid);
	cr_assert(amp > 7219 * 0.93 && amp < 7219 * 1.07, "amplitude %.0f", amp);
	cr_assert_lt(resid, 0.05, "residual %.3f of a single sine: phase kept", resid);
	double a400 = sine_fit((w0 + 2) * WIN, 996 * WIN, 400, &resid);
	cr_assert_lt(a400, amp / 20, "nothing at 400 Hz (%.0f)", a400);
}

Test(bridge, ringback_de_cadence_and_back_to_audio)
{
	struct media_bridge_stats st;
	struct media_stats ms;

	bridge_open(MEDIA_LAW_ALAW);
	far_open(MEDIA_LAW_ALAW);
	streams(MEDIA_LAW_ALAW, MEDIA_LAW_ALAW, MEDIA_PT_PCMA); /* the peer is silent */
	simtest_run_ms(&t, 300);

	/* SIP 180 without SDP: the ISDN caller hears our ringback. */
	cr_assert_eq(media_bridge_tone(br, "de", "ringback"), 0);
	far.nrx = 0;
	simtest_run_ms(&t, 2000);
	cr_assert_eq(media_bridge_tone(br, "xx", "ringback"), EINVAL, "no such zone");
	cr_assert_eq(media_bridge_tone(br, "de", "howler"), EINVAL, "no such tone");
	cr_assert_eq(media_bridge_tone(br, "de", NULL), EINVAL);
	cr_assert_eq(media_bridge_tone(br, NULL, "busy"), EINVAL);
	cr_assert_eq(media_bridge_tone(br, "a-much-too-long-zone", "busy"), EINVAL);
	simtest_run_ms(&t, 4000);
	peer.play = true; /* early audio from the SIP side: the tone still wins */
	simtest_run_ms(&t, 500);
	check_de_ringback(); /* the failed calls changed nothing */

	/* 200 OK: the tone stops; current audio follows (the jbuf kept draining) */
	cr_assert_eq(media_bridge_tone(br, NULL, NULL), 0);
	far.nrx = 0;
	simtest_run_ms(&t, 1000);
	expect_pattern(far.rx, far.nrx, MEDIA_LAW_ALAW, MEDIA_LAW_ALAW, 1, NULL, 60);
	media_bridge_stats(br, &st);
	cr_expect(st.tone_blocks >= 323 && st.tone_blocks <= 326, "%llu",
		  (unsigned long long)st.tone_blocks);
	media_stream_stats(gw, &ms);
	cr_expect_eq(ms.jb_overflow, 0, "drained under the tone");
}

/* us busy: 480+620 Hz, 500 ms on, 500 ms off, on a µ-law channel. */
Test(bridge, us_busy_two_frequencies)
{
	double resid;

	bridge_open(MEDIA_LAW_ULAW);
	far_open(MEDIA_LAW_ULAW);
	cr_assert_eq(media_bridge_tone(br, "us", "busy"), 0, "tones without a stream too");
	simtest_run_ms(&t, 3000);
	/* a low threshold: the two beat at 140 Hz, nearly cancelling every 7 ms */
	unsigned w0 = windows(300);
	for (unsigned k = 0; k < 4; k++) {
		unsigned len = run_len(w0 + k * 500);
		cr_assert(len >= 499 && len <= 501, "run %u: %u ms", k, len);
	}
	double a480 = sine_fit((w0 + 2) * WIN, 496 * WIN, 480, &resid);
	double a620 = sine_fit((w0 + 2) * WIN, 496 * WIN, 620, &resid);
	cr_assert(a480 > 6700 && a480 < 7700, "480 Hz at %.0f", a480);
	cr_assert(a620 > 6700 && a620 < 7700, "620 Hz at %.0f", a620);
}

/* --- 5. disconnect --------------------------------------------------------- */

Test(bridge, disconnect_gives_silence)
{
	struct media_stats before, after;

	bridge_open(MEDIA_LAW_ALAW);
	far_open(MEDIA_LAW_ALAW);
	far.play = peer.play = true;
	streams(MEDIA_LAW_ALAW, MEDIA_LAW_ALAW, MEDIA_PT_PCMA);
	simtest_run_ms(&t, 1000);
	media_bridge_connect(br, NULL);
	media_stream_stats(gw, &before);
	far.nrx = 0;
	simtest_run_ms(&t, 1000);
	for (size_t i = 8 * 60; i < far.nrx; i++)
		cr_assert_eq(far.rx[i], 0xd5, "byte %zu after disconnect: %#x", i, far.rx[i]);
	media_stream_stats(gw, &after);
	cr_assert_eq(after.tx_packets, before.tx_packets, "no RTP from the channel");
	/* and again */
	media_bridge_connect(br, gw);
	far.nrx = 0;
	simtest_run_ms(&t, 500);
	expect_pattern(far.rx, far.nrx, MEDIA_LAW_ALAW, MEDIA_LAW_ALAW, 1, NULL, 60);
}

/* --- 6. free while connected ----------------------------------------------- */

Test(bridge, free_while_connected_and_playing)
{
	bridge_open(MEDIA_LAW_ALAW);
	far_open(MEDIA_LAW_ALAW);
	far.play = peer.play = true;
	streams(MEDIA_LAW_ALAW, MEDIA_LAW_ALAW, MEDIA_PT_PCMA);
	cr_assert_eq(media_bridge_tone(br, "uk", "ringback"), 0);
	simtest_run_ms(&t, 700);
	br = mem_deref(br); /* the channel closes; the stream is untouched */
	simtest_run_ms(&t, 100);
	far.nrx = 0;
	simtest_run_ms(&t, 100);
	for (size_t i = 0; i < far.nrx; i++)
		cr_assert_eq(far.rx[i], 0xff, "a closed channel leaves audio mode: all ones");
	/* the channel is free again; teardown checks timers and leaks */
	bridge_open(MEDIA_LAW_ALAW);
}

/* --- the tone generator on its own -------------------------------------- */

/* n samples of the tone `desc`, in one fill. */
static void gen(const char *desc, int16_t *s, size_t n)
{
	struct media_tone *tn;

	cr_assert_eq(media_tone_alloc_desc(&tn, desc), 0, "%s", desc);
	media_tone_fill_linear(tn, s, n);
	mem_deref(tn);
}

Test(bridge, tone_generator_continuous_across_fills)
{
	struct media_tone *b;
	static int16_t one[16000], many[16000];

	gen("350+440/100,0/100,425*25/300", one, 16000);
	cr_assert_eq(media_tone_alloc_desc(&b, "350+440/100,0/100,425*25/300"), 0);
	for (size_t off = 0, k = 1; off < 16000; off += k, k = k % 37 + 1)
		media_tone_fill_linear(b, many + off, off + k > 16000 ? 16000 - off : k);
	for (size_t i = 0; i < 16000; i++)
		cr_assert_leq(abs(one[i] - many[i]), 1, "sample %zu: %d vs %d", i, one[i], many[i]);
	cr_assert_eq(one[800 + 400], 0, "the silent segment");
	mem_deref(b);
}

Test(bridge, tone_generator_cadence_rules)
{
	struct media_tone *tn;
	static int16_t s[8000];

	gen("!1000/10,!0/10,500/10,0/10", s, 8000); /* '!' plays once; the rest repeats */
	cr_assert_neq(s[1], 0);
	cr_assert_eq(s[80 + 5], 0);
	for (unsigned k = 0; k < 10; k++) { /* 500 Hz on, off, on ... */
		cr_assert_neq(s[160 + k * 160 + 2], 0);
		cr_assert_eq(s[160 + k * 160 + 80 + 2], 0);
	}
	gen("!1000/10,!0/10,!1000/10", s, 8000); /* only '!': it ends in silence */
	cr_assert_neq(s[161], 0);
	for (unsigned i = 240; i < 8000; i++)
		cr_assert_eq(s[i], 0);
	gen("!0/10,440", s, 8000); /* no time: for ever */
	cr_assert_neq(s[7999] | s[7998], 0);
	gen("!400/100!0/100,425@/375,440/x", s, 8000); /* libtonezone's reading of typos */
	cr_assert_eq(media_tone_alloc_desc(&tn, ""), EINVAL);
	cr_assert_eq(media_tone_alloc_desc(&tn, "abc"), EINVAL);
	cr_assert_eq(media_tone_alloc_desc(&tn, "440,,x"), EINVAL);
}

/* Every tone of every zone libtonezone knows can be played. */
Test(bridge, every_builtin_zone_parses)
{
	static const char *const names[] = {"dial",	"busy",	  "ringback", "congestion",
					    "callwait", "record", "info",     "dialrecall"};
	unsigned zones = 0, tones = 0;
	uint8_t blk[BLK];

	for (int id = 0; id < DAHDI_TONE_ZONE_MAX; id++) {
		struct tone_zone *z = tone_zone_find_by_num(id);
		if (!z)
			continue;
		zones++;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			struct media_tone *tn;
			if (media_tone_alloc(&tn, z->country, names[i]))
				continue;
			media_tone_fill(tn, MEDIA_LAW_ALAW, blk, BLK);
			mem_deref(tn);
			tones++;
		}
	}
	cr_assert_geq(zones, 40);
	cr_assert_geq(tones, zones * 7, "%u tones in %u zones", tones, zones);
}
