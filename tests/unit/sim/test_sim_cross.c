/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Back-to-back spans through drivers/dahdi on the sim: D-channel frames
 * and B-channel audio arrive bit-exact both ways; analog lines signal.
 */
#include "tests/unit/sim/simtest.h"

#include "drivers/dahdi/law.h"

static struct simtest t;

static void setup(void)
{
	simtest_init(&t, SIMTEST_CONF, 0);
	simtest_cross12(&t);
}

static void teardown(void)
{
	simtest_fini(&t);
}

TestSuite(sim_cross, .init = setup, .fini = teardown);

/* --- D-channel frames ---------------------------------------------------- */

#define NFRAMES 40

struct frames {
	unsigned n;
	uint8_t data[NFRAMES][300];
	size_t len[NFRAMES];
};

static void frame_h(struct tdm_span *span, const uint8_t *frame, size_t len, void *arg)
{
	struct frames *f = arg;

	(void)span;
	cr_assert_lt(f->n, NFRAMES);
	memcpy(f->data[f->n], frame, len);
	f->len[f->n++] = len;
}

static void frame_make(uint8_t *buf, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7);
}

Test(sim_cross, dchannel_frames_both_ways)
{
	static struct frames fa, fb;
	struct tdm_span_prm pa = {.spanno = 1, .frameh = frame_h, .arg = &fa};
	struct tdm_span_prm pb = {.spanno = 2, .frameh = frame_h, .arg = &fb};
	struct tdm_span *a, *b;
	uint8_t buf[300];
	unsigned i;

	cr_assert_eq(tdm_span_open(&a, t.tdm, &pa), 0);
	cr_assert_eq(tdm_span_open(&b, t.tdm, &pb), 0);
	cr_assert_eq(tdm_span_dchan(a), 16, "found by DAHDI_GET_PARAMS");
	cr_assert_eq(tdm_span_dchan(b), 47);
	cr_assert_str_eq(tdm_span_name(a), "tdm s1");
	for (i = 0; i < NFRAMES; i++) {
		size_t len = 3 + (i * 37) % 260;

		frame_make(buf, len, i);
		cr_assert_eq(tdm_span_frame_send(a, buf, len), 0);
		frame_make(buf, len, i + 1000);
		cr_assert_eq(tdm_span_frame_send(b, buf, len), 0);
	}
	simtest_run_ms(&t, 50);
	cr_assert_eq(fb.n, NFRAMES);
	cr_assert_eq(fa.n, NFRAMES);
	for (i = 0; i < NFRAMES; i++) {
		size_t len = 3 + (i * 37) % 260;

		cr_assert_eq(fb.len[i], len);
		frame_make(buf, len, i);
		cr_assert_arr_eq(fb.data[i], buf, len, "frame %u a->b", i);
		frame_make(buf, len, i + 1000);
		cr_assert_arr_eq(fa.data[i], buf, len, "frame %u b->a", i);
	}
	mem_deref(a);
	mem_deref(b);
}

Test(sim_cross, frame_limits)
{
	struct tdm_span_prm pa = {.spanno = 1, .txqueue = 4};
	struct tdm_span_prm pc = {.spanno = 3, .no_dchan = true};
	struct tdm_span_prm px = {.spanno = 3};
	struct tdm_span_prm pz = {.spanno = 9};
	struct tdm_span *a, *c, *x;
	static uint8_t big[1100];
	unsigned i, ok = 0;
	int err = 0;

	cr_assert_eq(tdm_span_open(&x, t.tdm, &pz), ENXIO);
	cr_assert_eq(tdm_span_open(&x, t.tdm, &px), ENOENT, "analog span: no D-channel");
	cr_assert_eq(tdm_span_open(&c, t.tdm, &pc), 0);
	cr_assert_eq(tdm_span_frame_send(c, big, 10), ENOTCONN);
	cr_assert_eq(tdm_span_open(&a, t.tdm, &pa), 0);
	cr_assert_eq(tdm_span_frame_send(a, big, 1023), EMSGSIZE);
	cr_assert_eq(tdm_span_frame_send(a, big, 0), EMSGSIZE);
	/* 16 DAHDI buffers, then the driver's queue of 4 */
	for (i = 0; i < 30 && !err; i++) {
		err = tdm_span_frame_send(a, big, 100);
		ok += !err;
	}
	cr_assert_eq(err, ENOBUFS);
	cr_assert_eq(ok, 16 + 4);
	simtest_run_ms(&t, 5);
	cr_assert_eq(tdm_span_frame_send(a, big, 100), 0, "queue drained by the tick");
	mem_deref(a);
	mem_deref(c);
}

/* --- B-channel audio ----------------------------------------------------- */

#define NB    30
#define BLOCK 160

struct stream {
	struct tdm_chan *ch;
	unsigned id;
	uint32_t tx_pos, rx_pos;
	bool started;
	unsigned bad;
	uint32_t phases; /* bit k: a block arrived k ms into a 20 ms period */
};

static uint8_t pattern(unsigned id, uint32_t pos)
{
	/* never the A-law idle code 0xd5, so the stream start is plain */
	uint8_t v = (uint8_t)((pos * 13 + id * 101) ^ (pos >> 8));

	return v == 0xd5 ? 0x2a : v;
}

static void stream_tx(struct stream *s)
{
	uint8_t blk[BLOCK];
	size_t done = 0;
	unsigned i;

	for (i = 0; i < BLOCK; i++)
		blk[i] = pattern(s->id, s->tx_pos + i);
	cr_assert_eq(tdm_chan_write(s->ch, blk, BLOCK, &done), 0);
	s->tx_pos += (uint32_t)done;
}

static void audio_h(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	struct stream *s = arg;
	size_t i = 0;

	(void)ch;
	s->phases |= 1u << (loop_now(t.loop) / NS_PER_MS % 20);
	if (!s->started) {
		while (i < len && data[i] == 0xd5)
			i++;
		s->started = i < len;
	}
	for (; i < len; i++)
		if (data[i] != pattern(s->id ^ 1, s->rx_pos++))
			s->bad++;
	stream_tx(s);
}

static unsigned bchan_no(unsigned span, unsigned i)
{
	return (span - 1) * 31 + (i < 15 ? i + 1 : i + 2);
}

Test(sim_cross, bchannels_bit_exact_both_ways)
{
	static struct stream s[2][NB];
	unsigned sp, i;

	for (sp = 0; sp < 2; sp++) {
		for (i = 0; i < NB; i++) {
			struct tdm_chan_prm prm = {
			    .channo = bchan_no(sp + 1, i), .audioh = audio_h, .arg = &s[sp][i]};

			s[sp][i].id = i * 2 + sp;
			cr_assert_eq(tdm_chan_open(&s[sp][i].ch, t.tdm, &prm), 0);
			stream_tx(&s[sp][i]);
			stream_tx(&s[sp][i]);
		}
	}
	simtest_run_ms(&t, 2000);
	for (sp = 0; sp < 2; sp++) {
		for (i = 0; i < NB; i++) {
			cr_assert(s[sp][i].started);
			cr_assert_eq(s[sp][i].bad, 0, "span %u chan %u", sp + 1, i);
			cr_assert_geq(s[sp][i].rx_pos, 15000, "%u bytes", s[sp][i].rx_pos);
			mem_deref(s[sp][i].ch);
		}
	}
}

static struct {
	unsigned n;
	int16_t last[BLOCK];
} lin_rx;

static void lin_h(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	(void)ch;
	(void)arg;
	cr_assert_eq(len, BLOCK * 2);
	memcpy(lin_rx.last, data, len);
	lin_rx.n++;
}

Test(sim_cross, linear_and_info)
{
	struct tdm_chan_prm pa = {.channo = 2, .linear = true, .law = TDM_LAW_MULAW};
	struct tdm_chan_prm pb = {
	    .channo = 33, .linear = true, .law = TDM_LAW_MULAW, .audioh = lin_h};
	struct tdm_chan *a, *b;
	struct tdm_chan_info info;
	int16_t blk[BLOCK];
	unsigned i;

	cr_assert_eq(tdm_chan_open(&a, t.tdm, &pa), 0);
	cr_assert_eq(tdm_chan_open(&b, t.tdm, &pb), 0);
	cr_assert_eq(tdm_chan_block_bytes(a), BLOCK * 2);
	cr_assert_str_eq(tdm_chan_name(b), "tdm s2c2");
	cr_assert_eq(tdm_chan_info(b, &info), 0);
	cr_assert_eq(info.channo, 33);
	cr_assert_eq(info.chanpos, 2);
	cr_assert_eq(info.sig, TDM_SIG_CLEAR);
	cr_assert_eq(info.law, TDM_LAW_MULAW);
	for (i = 0; i < BLOCK; i++)
		blk[i] = (int16_t)(i * 200 - 16000);
	for (i = 0; i < 4; i++)
		cr_assert_eq(tdm_chan_write(a, (const uint8_t *)blk, sizeof(blk), NULL), 0);
	simtest_run_ms(&t, 60);
	cr_assert_geq(lin_rx.n, 2);
	/* mu-law keeps the value within half a step (< 2.5%) */
	for (i = 0; i < BLOCK; i++) {
		int d = lin_rx.last[i] - blk[i];

		cr_assert_leq(d < 0 ? -d : d, 16 + (blk[i] < 0 ? -blk[i] : blk[i]) / 32,
			      "sample %u: %d vs %d", i, lin_rx.last[i], blk[i]);
	}
	mem_deref(a);
	mem_deref(b);
}

static struct {
	unsigned n;
	size_t len;
	uint8_t first[2];
} fmt_rx;

static void fmt_h(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	(void)ch;
	(void)arg;
	fmt_rx.n++;
	fmt_rx.len = len;
	memcpy(fmt_rx.first, data, 2);
}

/* tdm_chan_set_linear switches what read() gives in place: law bytes,
 * then the same line's samples, then bytes again (the simulated switch
 * echoes in bytes and plays tones in samples on one open channel). */
Test(sim_cross, linear_switches_in_place)
{
	struct tdm_chan_prm pa = {.channo = 2, .law = TDM_LAW_ALAW};
	struct tdm_chan_prm pb = {.channo = 33, .law = TDM_LAW_ALAW, .audioh = fmt_h};
	struct tdm_chan *a, *b;
	uint8_t blk[BLOCK];
	unsigned i;

	cr_assert_eq(tdm_chan_open(&a, t.tdm, &pa), 0);
	cr_assert_eq(tdm_chan_open(&b, t.tdm, &pb), 0);
	memset(blk, 0xaa, sizeof(blk)); /* a loud A-law code */
	for (i = 0; i < 4; i++)
		cr_assert_eq(tdm_chan_write(a, blk, sizeof(blk), NULL), 0);
	simtest_run_ms(&t, 40);
	cr_assert_eq(fmt_rx.len, BLOCK);
	cr_assert_eq(fmt_rx.first[0], 0xaa);
	cr_assert_eq(tdm_chan_set_linear(b, true), 0);
	cr_assert_eq(tdm_chan_block_bytes(b), BLOCK * 2);
	for (i = 0; i < 3; i++)
		tdm_chan_write(a, blk, sizeof(blk), NULL);
	simtest_run_ms(&t, 40);
	int16_t v;
	memcpy(&v, fmt_rx.first, 2);
	cr_assert_eq(fmt_rx.len, BLOCK * 2);
	cr_assert_eq(v, law_dahdi_xlaw(TDM_LAW_ALAW, 0xaa));
	cr_assert_gt(v < 0 ? -v : v, 1000);
	cr_assert_eq(tdm_chan_set_linear(b, false), 0);
	cr_assert_eq(tdm_chan_set_linear(b, false), 0); /* no change: fine */
	simtest_run_ms(&t, 40);
	cr_assert_eq(fmt_rx.len, BLOCK);
	mem_deref(a);
	mem_deref(b);
}

static uint8_t gain_last;

static void gain_h(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	(void)ch;
	(void)arg;
	gain_last = data[len - 1];
}

Test(sim_cross, gains_apply_and_unity_is_transparent)
{
	struct tdm_chan_prm pa = {.channo = 3};
	struct tdm_chan_prm pb = {.channo = 34, .audioh = gain_h};
	struct tdm_chan *a, *b;
	uint8_t blk[BLOCK];

	cr_assert_eq(tdm_chan_open(&a, t.tdm, &pa), 0);
	cr_assert_eq(tdm_chan_open(&b, t.tdm, &pb), 0);
	memset(blk, 0xa5, sizeof(blk)); /* an A-law code well inside the range */
	cr_assert_eq(tdm_chan_gains(a, 0, 60), 0);
	cr_assert_eq(tdm_chan_gains(a, 0, 300), EINVAL);
	cr_assert_eq(tdm_chan_write(a, blk, BLOCK, NULL), 0);
	simtest_run_ms(&t, 20);
	cr_assert_neq(gain_last, 0xa5, "6 dB louder");
	cr_assert_eq(tdm_chan_gains(a, 0, 0), 0);
	cr_assert_eq(tdm_chan_write(a, blk, BLOCK, NULL), 0);
	simtest_run_ms(&t, 20);
	cr_assert_eq(gain_last, 0xa5);
	cr_assert_eq(tdm_chan_echocancel(a, NULL), 0);
	mem_deref(a);
	mem_deref(b);
}

Test(sim_cross, open_errors)
{
	struct tdm_chan_prm p = {.channo = 1};
	struct tdm_chan *a, *x;

	cr_assert_eq(tdm_chan_open(&a, t.tdm, &p), 0);
	cr_assert_eq(tdm_chan_open(&x, t.tdm, &p), EBUSY);
	p.channo = 999;
	cr_assert_eq(tdm_chan_open(&x, t.tdm, &p), EINVAL);
	p.channo = 1;
	p.block = 8;
	cr_assert_eq(tdm_chan_open(&x, t.tdm, &p), EBUSY);
	mem_deref(a);
	cr_assert_eq(tdm_chan_open(&x, t.tdm, &p), EINVAL, "block below 16 bytes");
	p.block = 0;
	cr_assert_eq(tdm_chan_open(&a, t.tdm, &p), 0, "closed on the failed open");
	cr_assert_eq(tdm_chan_hook(a, TDM_HOOK_OFF), EINVAL, "not an analog channel");
	mem_deref(a);
}

Test(sim_cross, dynamic_loc_spans_cross_by_key)
{
	static const char conf[] = "dynamic=loc,1:0,24,0\ndynamic=loc,1:1,24,0\n"
				   "bchan=1-23\ndchan=24\nbchan=25-47\ndchan=48\n";
	static struct frames fb;
	struct simtest u;
	struct tdm_span *a, *b;
	struct tdm_span_prm pa = {.spanno = 1}, pb = {.spanno = 2, .frameh = frame_h, .arg = &fb};
	struct tdm_span_status st;
	const uint8_t sabme[] = {0x00, 0x01, 0x7f};

	simtest_fini(&t);
	simtest_init(&u, conf, 0);
	cr_assert_eq(tdm_span_open(&a, u.tdm, &pa), 0);
	cr_assert_eq(tdm_span_open(&b, u.tdm, &pb), 0);
	cr_assert_eq(tdm_span_status(a, &st), 0);
	cr_assert_str_eq(st.spantype, "DYN");
	cr_assert_eq(st.totalchans, 24);
	cr_assert_eq(tdm_span_frame_send(a, sabme, sizeof(sabme)), 0);
	simtest_run_ms(&u, 3);
	cr_assert_eq(fb.n, 1);
	cr_assert_arr_eq(fb.data[0], sabme, sizeof(sabme));
	mem_deref(a);
	mem_deref(b);
	simtest_fini(&u);
	simtest_init(&t, SIMTEST_CONF, 0);
}

static unsigned bri_blocks;

static void bri_audio_h(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	(void)ch;
	(void)arg;
	(void)data;
	cr_assert_eq(len, 80);
	bri_blocks++;
}

Test(sim_cross, bri_and_t1_spans)
{
	static const char conf[] = "span=1,1,0,ccs,ami\nspan=2,0,0,ccs,ami\n"
				   "span=3,0,0,esf,b8zs\nbchan=1-2\nhardhdlc=3\n"
				   "bchan=4-5\nhardhdlc=6\nbchan=7-29\ndchan=30\n";
	static struct frames fb;
	static const uint8_t ui[] = {0x02, 0xff, 0x03, 0x08, 0x01, 0x05};
	struct simtest u;
	struct tdm_span *a, *b;
	struct tdm_span_prm pa = {.spanno = 1};
	struct tdm_span_prm pb = {.spanno = 2, .frameh = frame_h, .arg = &fb};
	struct tdm_chan_prm ca = {.channo = 2, .block = 80};
	struct tdm_chan_prm cb = {.channo = 5, .block = 80, .audioh = bri_audio_h};
	struct tdm_chan_prm ct = {.channo = 7};
	struct tdm_chan *cha, *chb, *cht;
	struct tdm_chan_info info;
	struct tdm_span_status st;

	simtest_fini(&t);
	simtest_init(&u, conf, 0);
	cr_assert_eq(sim_span_cross(sim_span_find(u.sim, 1), sim_span_find(u.sim, 2)), 0);
	cr_assert_eq(sim_span_cross(sim_span_find(u.sim, 1), sim_span_find(u.sim, 3)), EINVAL,
		     "3 channels against 24");
	cr_assert_eq(tdm_span_open(&a, u.tdm, &pa), 0);
	cr_assert_eq(tdm_span_open(&b, u.tdm, &pb), 0);
	cr_assert_eq(tdm_span_dchan(b), 6);
	cr_assert_eq(tdm_span_status(a, &st), 0);
	cr_assert_str_eq(st.spantype, "BRI");
	cr_assert_eq(st.totalchans, 3);
	cr_assert_eq(tdm_chan_open(&cha, u.tdm, &ca), 0);
	cr_assert_eq(tdm_chan_open(&chb, u.tdm, &cb), 0);
	cr_assert_eq(tdm_chan_open(&cht, u.tdm, &ct), 0);
	cr_assert_eq(tdm_chan_info(cha, &info), 0);
	cr_assert_eq(info.law, TDM_LAW_ALAW, "BRI is A-law");
	cr_assert_eq(tdm_chan_info(cht, &info), 0);
	cr_assert_eq(info.law, TDM_LAW_MULAW, "T1 is mu-law");
	cr_assert_eq(tdm_span_frame_send(a, ui, sizeof(ui)), 0);
	simtest_run_ms(&u, 100);
	cr_assert_eq(fb.n, 1);
	cr_assert_arr_eq(fb.data[0], ui, sizeof(ui));
	cr_assert_eq(bri_blocks, 10, "10 ms blocks for 100 ms");
	cr_assert_eq(tdm_chan_flush(chb), 0);
	mem_deref(cha);
	mem_deref(chb);
	mem_deref(cht);
	mem_deref(a);
	mem_deref(b);
	simtest_fini(&u);
	simtest_init(&t, SIMTEST_CONF, 0);
}

/* --- stride (sim_prm.stride) --------------------------------------------- */

static void setup_stride(void)
{
	simtest_init_stride(&t, SIMTEST_CONF, 0, 20);
	simtest_cross12(&t);
}

TestSuite(sim_stride, .init = setup_stride, .fini = teardown);

/* Every B-channel still arrives bit-exact both ways, a whole 20 ms block at
 * a time, each channel at its own fixed millisecond of the period, and the
 * span's channels (index i at i mod 20) spread over the period. */
Test(sim_stride, blocks_staggered_and_bit_exact)
{
	static struct stream s[2][NB];
	uint32_t all = 0;
	unsigned sp, i;

	for (sp = 0; sp < 2; sp++) {
		for (i = 0; i < NB; i++) {
			struct tdm_chan_prm prm = {
			    .channo = bchan_no(sp + 1, i), .audioh = audio_h, .arg = &s[sp][i]};

			s[sp][i].id = i * 2 + sp;
			cr_assert_eq(tdm_chan_open(&s[sp][i].ch, t.tdm, &prm), 0);
			stream_tx(&s[sp][i]);
			stream_tx(&s[sp][i]);
		}
	}
	simtest_run_ms(&t, 2000);
	for (sp = 0; sp < 2; sp++) {
		for (i = 0; i < NB; i++) {
			struct stream *x = &s[sp][i];

			cr_assert(x->started);
			cr_assert_eq(x->bad, 0, "span %u chan %u", sp + 1, i);
			cr_assert_geq(x->rx_pos, 15000, "%u bytes", x->rx_pos);
			cr_assert_eq(__builtin_popcount(x->phases), 1, "chan %u: phases %#x", i,
				     x->phases);
			all |= x->phases;
			mem_deref(x->ch);
		}
	}
	/* 20 phases but for the D-channel's (index 15): 19 */
	cr_assert_eq(__builtin_popcount(all), 19, "phases %#x", all);
}

Test(sim_stride, too_long_is_refused)
{
	struct sim_prm prm = {.text = SIMTEST_CONF, .name = "x.conf", .tick = 20 * NS_PER_MS,
			      .stride = 7};
	struct conf_diag diag;
	struct sim *sim = NULL;

	conf_diag_init(&diag);
	cr_assert_eq(sim_alloc(&sim, t.loop, &prm, &diag), EINVAL);
	cr_assert_null(sim);
	cr_assert(diag.text && strstr(diag.text, "stride"), "%s", diag.text ? diag.text : "");
	conf_diag_reset(&diag);
}
