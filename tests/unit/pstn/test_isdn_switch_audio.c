/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the simulated switch's B-channel audio over drivers/dahdi on
 * the simulated DAHDI.  The switch (network) is on span 1, the gateway's
 * controller (CPE) on span 2, the spans crossed; the test plays the
 * gateway's media through its own TDM channel.
 */
#include "tests/unit/sim/simtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"
#include "isdn_b2b.h"

static struct simtest t;
static struct isdn_tdm *sw_span, *gw_span;
static struct isdn_simsw *sw;
static struct b2b_side gw;

#define RX_MAX (8000 * 4)

static struct {
	struct tdm_chan *ch;
	int16_t rx[RX_MAX];
	size_t nrx;
	uint32_t sent; /* samples of the test pattern written */
	bool play;
} media;

static int16_t pattern(uint32_t i)
{
	/* a slow triangle, loud enough to survive A-law both ways */
	int v = (int)(i % 200);
	return (int16_t)((v < 100 ? v : 200 - v) * 200 - 10000);
}

static void gw_audio(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	int16_t out[320];
	size_t n = len / 2;
	(void)arg;
	if (media.nrx + n <= RX_MAX) {
		memcpy(media.rx + media.nrx, data, n * 2);
		media.nrx += n;
	}
	if (!media.play || n > 320)
		return;
	for (size_t i = 0; i < n; i++)
		out[i] = pattern(media.sent++);
	tdm_chan_write(ch, (const uint8_t *)out, n * 2, NULL);
}

static void setup(void)
{
	char err[160];
	struct isdn_conf c;
	b2b_log_levels();
	simtest_init(&t, SIMTEST_CONF, 0);
	simtest_cross12(&t);
	memset(&gw, 0, sizeof(gw));
	memset(&media, 0, sizeof(media));
	isdn_conf_init(&c);
	snprintf(c.name, sizeof(c.name), "sw");
	c.role = ISDN_ROLE_NETWORK;
	cr_assert_eq(isdn_tdm_open_raw(&sw_span, t.tdm, 1), 0);
	cr_assert_eq(isdn_simsw_alloc(&sw, t.loop, &c, &isdn_tdm_ops, sw_span), 0);
	isdn_tdm_bind(sw_span, isdn_simsw_ctrl(sw));
	cr_assert_eq(isdn_simsw_media(sw, t.tdm, 1, "us"), 0);
	cr_assert_eq(isdn_simsw_media(sw, t.tdm, 1, "xx"), EINVAL, "no such zone");
	cr_assert_eq(isdn_simsw_load(sw, "audio.sw",
				     "on 1 proceeding answer echo\n"
				     "on 2 proceeding tone ringback answer tone busy\n"
				     "on 3 answer record wait 2s hangup 16\n"
				     "on 4 proceeding answer tone 1004\n",
				     err, sizeof(err)),
		     0, "%s", err);
	snprintf(c.name, sizeof(c.name), "gw");
	c.role = ISDN_ROLE_CPE;
	cr_assert_eq(isdn_tdm_open(&gw_span, t.tdm, 2, &c, &b2b_handlers, &gw), 0);
	gw.ctrl = isdn_tdm_ctrl(gw_span);
	simtest_run_ms(&t, 3000);
	cr_assert(isdn_ctrl_is_up(gw.ctrl));
}

static void teardown(void)
{
	media.ch = mem_deref(media.ch);
	gw_span = mem_deref(gw_span);
	sw = mem_deref(sw);
	sw_span = mem_deref(sw_span);
	simtest_fini(&t);
}

TestSuite(isdn_switch_audio, .init = setup, .fini = teardown);

/* Call `num`; open the gateway's side of the B-channel. */
static void call(const char *num, bool play)
{
	struct isdn_call_prm prm = {.complete = true};
	snprintf(prm.called.digits, sizeof(prm.called.digits), "%s", num);
	cr_assert_eq(isdn_call_place(gw.ctrl, &gw.call, &prm, NULL), 0);
	int c = isdn_call_chan(gw.call);
	struct tdm_chan_prm cp = {.channo = 31 + (unsigned)c, .linear = true, .audioh = gw_audio};
	cr_assert_eq(tdm_chan_open(&media.ch, t.tdm, &cp), 0);
	media.play = play;
	simtest_run_ms(&t, 200);
	cr_assert_eq(gw.answers, 1, "%s", gw.log);
}

static bool close_enough(int16_t a, int16_t b)
{
	int d = abs((int)a - (int)b);
	return d <= abs((int)b) / 8 + 64; /* A-law keeps about 4 bits of mantissa */
}

/* Where in `rx` the pattern starts (offset into the pattern), or -1. */
static long find_pattern(const int16_t *rx, size_t n)
{
	for (uint32_t off = 0; off < 200; off++) {
		size_t ok = 0;
		for (size_t i = 0; i < n; i++)
			ok += close_enough(rx[i], pattern(off + (uint32_t)i));
		if (ok >= n * 95 / 100)
			return off;
	}
	return -1;
}

Test(isdn_switch_audio, echo)
{
	call("1", true);
	media.nrx = 0;
	simtest_run_ms(&t, 1000);
	cr_assert_geq(media.nrx, 6000, "a second of audio: %zu samples", media.nrx);
	cr_assert_geq(find_pattern(media.rx + 4000, 1600), 0, "our pattern came back");
	isdn_call_hangup(gw.call, 16);
	simtest_run_ms(&t, 200);
}

static double rms(const int16_t *s, size_t n)
{
	double e = 0;
	for (size_t i = 0; i < n; i++)
		e += (double)s[i] * s[i];
	return sqrt(e / (double)n);
}

Test(isdn_switch_audio, busy_tone_from_the_zone)
{
	call("2", false);
	media.nrx = 0;
	simtest_run_ms(&t, 2000);
	/* us busy: 480+620 Hz, 500 ms on, 500 ms off */
	unsigned loud = 0, quiet = 0, blocks = (unsigned)(media.nrx / 160);
	for (unsigned b = 0; b < blocks; b++) {
		double r = rms(media.rx + b * 160, 160);
		loud += r > 2000;
		quiet += r < 100;
	}
	cr_assert_geq(blocks, 90);
	cr_assert_geq(loud, blocks / 2 - 10, "%u of %u blocks loud", loud, blocks);
	cr_assert_geq(quiet, blocks / 2 - 10, "%u of %u blocks quiet", quiet, blocks);
	cr_assert(strstr(isdn_simsw_log(sw), "tone 1 on channel 1"), "%s", isdn_simsw_log(sw));
	isdn_call_hangup(gw.call, 16);
	simtest_run_ms(&t, 200);
}

/* The test exchange's milliwatt: a steady 1004 Hz (O.133). */
Test(isdn_switch_audio, steady_test_tone_in_hz)
{
	call("4", false);
	media.nrx = 0;
	simtest_run_ms(&t, 1200);
	cr_assert_geq(media.nrx, 8000);
	const int16_t *x = media.rx + media.nrx - 8000; /* the last second */
	unsigned crossings = 0;
	for (size_t i = 1; i < 8000; i++)
		crossings += (x[i - 1] < 0) != (x[i] < 0);
	/* Two zero crossings per cycle: 2008 a second, give or take a few. */
	cr_assert(crossings > 1990 && crossings < 2026, "%u crossings", crossings);
	cr_assert_gt(rms(x, 8000), 2000, "steady, not cadenced");
	cr_assert(strstr(isdn_simsw_log(sw), "tone 1004 Hz on channel 1"), "%s",
		  isdn_simsw_log(sw));
	isdn_call_hangup(gw.call, 16);
	simtest_run_ms(&t, 200);
}

Test(isdn_switch_audio, record)
{
	size_t n;
	call("3", true);
	simtest_run_ms(&t, 3000);
	cr_assert_eq(gw.last_cause, 16, "the switch hung up after 2 s: %s", gw.log);
	const int16_t *rec = isdn_simsw_recording(sw, &n);
	cr_assert(rec);
	cr_assert_geq(n, 14000, "about 2 s recorded: %zu", n);
	cr_assert_geq(find_pattern(rec + 8000, 1600), 0, "the recording is what we sent");
}
