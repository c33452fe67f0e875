/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver test for real DAHDI: drivers/dahdi on two crossed spans
 * (dahdi_dynamic_loc "1:0" and "1:1", tests/vm/system.conf).  It exchanges
 * HDLC frames on the D-channels and audio on every B-channel, both ways,
 * and reads events; last it runs two ISDN controllers (libpri) on the two
 * D-channels and places a call across.  Output is TAP.
 *
 *   vm_dahdi --os [seconds]           the kernel's DAHDI (inside the VM)
 *   vm_dahdi [--sim FILE] [seconds]   the sim, on a virtual clock (make check;
 *                                     FILE defaults to $top_srcdir/tests/vm/system.conf)
 *
 * The same program on both back ends is the point: what passes on the
 * sim must pass on the kernel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "drivers/dahdi/law.h"
#include "drivers/dahdi/sys.h"
#include "drivers/tdm.h"
#include "pstn/isdn.h"
#include "sim/sim.h"

#define NTESTS	16
#define NFRAMES 20
#define MAXB	31
#define BLOCK	160
/* Idle on a mu-law channel (dynamic spans are mu-law): 0xff outside audio
 * mode, DAHDI_LIN2X(0) = 0x7f inside.  The streams count 0..0x7e. */
#define IS_IDLE(b) ((b) == 0xff || (b) == 0x7f)

struct vm {
	struct clk *clk;
	struct loop *loop;
	struct sim *sim;
	struct tdm *tdm;
	unsigned n, failed;
};

struct side {
	struct tdm_span *span;
	unsigned nframes, badframes, nev, warm;
};

/* Warm-up frames: the kernel's HDLC receiver on a just-opened dynamic span
 * missed the first frame sent (seen in the VM); Q.921 retransmits, a
 * bit-exact check must not count on it, so both links are primed first. */
static const uint8_t warm_frame[2] = {0xaa, 0x55};

struct stream {
	struct tdm_chan *ch;
	uint8_t tx, expect;
	bool started, writing;
	uint64_t data, idle, bad;
	unsigned underruns, events;
};

static struct side sides[2];
static struct stream streams[2][MAXB];
static unsigned nstreams;

static void tap(struct vm *vm, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++vm->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	vm->failed += !ok;
}

static void frame_fill(uint8_t *f, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 37 + i * 11 + 3);
}

static size_t frame_len(unsigned i)
{
	return 3 + (i * 29) % 200;
}

static void frame_h(struct tdm_span *span, const uint8_t *f, size_t len, void *arg)
{
	struct side *s = arg;
	uint8_t want[256];
	unsigned seed = (unsigned)(s - sides) == 0 ? 1000 : 0;

	(void)span;
	if (len == sizeof(warm_frame) && !memcmp(f, warm_frame, len)) {
		s->warm++;
		return;
	}
	frame_fill(want, sizeof(want), s->nframes + seed);
	if (len != frame_len(s->nframes) || memcmp(f, want, len))
		s->badframes++;
	s->nframes++;
}

static void span_event_h(struct tdm_span *span, const struct tdm_ev *ev, void *arg)
{
	struct side *s = arg;

	printf("# %s: event %s\n", tdm_span_name(span), tdm_event_name(ev->type));
	s->nev++;
}

static void run_until(struct vm *vm, bool (*done)(void), unsigned ms)
{
	unsigned i;

	for (i = 0; i < ms / 10 && !done(); i++)
		loop_run_for(vm->loop, 10 * NS_PER_MS);
}

static bool frames_done(void)
{
	return sides[0].nframes >= NFRAMES && sides[1].nframes >= NFRAMES;
}

static bool warm_done(void)
{
	return sides[0].warm && sides[1].warm;
}

/* Send warm-up frames every 20 ms until both sides heard one. */
static void frames_prime(struct vm *vm)
{
	unsigned i;

	for (i = 0; i < 100 && !warm_done(); i++) {
		if (!sides[0].warm)
			tdm_span_frame_send(sides[1].span, warm_frame, sizeof(warm_frame));
		if (!sides[1].warm)
			tdm_span_frame_send(sides[0].span, warm_frame, sizeof(warm_frame));
		loop_run_for(vm->loop, 20 * NS_PER_MS);
	}
	printf("# links primed after %u rounds\n", i);
}

static void test_frames(struct vm *vm)
{
	unsigned s, i;
	uint8_t f[256];
	int err = 0;

	for (s = 0; s < 2; s++) {
		struct tdm_span_prm prm = {
		    .spanno = s + 1, .frameh = frame_h, .eventh = span_event_h, .arg = &sides[s]};
		struct tdm_span_status st;

		err = tdm_span_open(&sides[s].span, vm->tdm, &prm);
		tap(vm, !err, "span %u opens, D-channel %u", s + 1,
		    err ? 0 : tdm_span_dchan(sides[s].span));
		if (err)
			return;
		err = tdm_span_status(sides[s].span, &st);
		tap(vm, !err && st.totalchans == 24,
		    "span %u status: %s %s, %u channels, alarms %u", s + 1, st.name, st.spantype,
		    st.totalchans, st.alarms);
	}
	frames_prime(vm);
	for (i = 0; i < NFRAMES && !err; i++) {
		frame_fill(f, frame_len(i), i);
		err = tdm_span_frame_send(sides[0].span, f, frame_len(i));
		frame_fill(f, frame_len(i), i + 1000);
		err = err ? err : tdm_span_frame_send(sides[1].span, f, frame_len(i));
	}
	run_until(vm, frames_done, 3000);
	tap(vm, !err && frames_done() && !sides[0].badframes && !sides[1].badframes,
	    "%u HDLC frames each way, bit-exact (got %u/%u, bad %u/%u)", NFRAMES, sides[1].nframes,
	    sides[0].nframes, sides[1].badframes, sides[0].badframes);
}

static void stream_write(struct stream *s)
{
	uint8_t blk[BLOCK];
	unsigned i;

	for (i = 0; i < BLOCK; i++, s->tx = (uint8_t)((s->tx + 1) % 0x7f))
		blk[i] = s->tx; /* 0..0x7e: never an idle code */
	tdm_chan_write(s->ch, blk, BLOCK, NULL);
}

static void audio_h(struct tdm_chan *ch, const uint8_t *d, size_t len, void *arg)
{
	struct stream *s = arg;
	size_t i;

	(void)ch;
	for (i = 0; i < len; i++) {
		if (IS_IDLE(d[i])) {
			s->idle++; /* nothing sent (start, end, or an underrun) */
			continue;
		}
		if (!s->started) {
			s->started = true;
			s->expect = d[i];
		}
		s->bad += d[i] != s->expect;
		s->expect = (uint8_t)((d[i] + 1) % 0x7f);
		s->data++;
	}
	if (s->writing)
		stream_write(s);
}

static void chan_event_h(struct tdm_chan *ch, const struct tdm_ev *ev, void *arg)
{
	struct stream *s = arg;

	(void)ch;
	s->events++;
	s->underruns += ev->type == TDM_EV_WRITE_UNDERRUN;
}

/* Every CLEAR channel of spans 1 and 2, paired by position. */
static void streams_open(struct vm *vm)
{
	unsigned s, no, k[2] = {0, 0};

	for (no = 1; no <= 2 * 24; no++) {
		struct tdm_chan_info info;
		struct tdm_chan *ch;
		struct tdm_chan_prm prm = {
		    .channo = no, .buffer_events = true, .audioh = audio_h, .eventh = chan_event_h};
		struct stream *st;

		s = no > 24;
		if (k[s] == MAXB || no == tdm_span_dchan(sides[0].span) ||
		    no == tdm_span_dchan(sides[1].span))
			continue;
		st = &streams[s][k[s]];
		prm.arg = st;
		if (tdm_chan_open(&ch, vm->tdm, &prm))
			continue; /* the D-channel is open already */
		if (tdm_chan_info(ch, &info) || info.sig != TDM_SIG_CLEAR) {
			mem_deref(ch);
			continue;
		}
		st->ch = ch;
		st->writing = true;
		st->tx = (uint8_t)(k[s] * 5 + s * 60);
		stream_write(st);
		stream_write(st);
		k[s]++;
	}
	nstreams = k[0] < k[1] ? k[0] : k[1];
}

static void test_audio(struct vm *vm, unsigned secs)
{
	uint64_t data = 0, bad = 0, idle = 0, min = UINT64_MAX;
	unsigned s, i, underruns = 0;

	streams_open(vm);
	tap(vm, nstreams == 23, "%u B-channels open on each span", nstreams);
	loop_run_for(vm->loop, (uint64_t)secs * NS_PER_S);
	for (s = 0; s < 2; s++) {
		for (i = 0; i < nstreams; i++) {
			struct stream *st = &streams[s][i];

			st->writing = false;
			data += st->data;
			bad += st->bad;
			idle += st->idle;
			if (st->data < min)
				min = st->data;
		}
	}
	tap(vm, bad == 0 && min >= (uint64_t)secs * 8000 * 8 / 10,
	    "audio both ways bit-exact: %llu bytes, %llu wrong, %llu idle, least %llu",
	    (unsigned long long)data, (unsigned long long)bad, (unsigned long long)idle,
	    (unsigned long long)min);
	/* writers stopped: every channel underruns, DAHDI_BUFFER_EVENTS says so */
	loop_run_for(vm->loop, 200 * NS_PER_MS);
	for (s = 0; s < 2; s++)
		for (i = 0; i < nstreams; i++)
			underruns += streams[s][i].underruns > 0;
	tap(vm, underruns == 2 * nstreams, "WRITE_UNDERRUN read on %u of %u channels", underruns,
	    2 * nstreams);
}

/* --- Linear mode: the sim's G.711 against the kernel's ------------------- */

#define G711_MAX 2048

static struct {
	int16_t lin[G711_MAX];
	size_t nlin;
	uint8_t law[G711_MAX];
	size_t nlaw;
} g711;

static void lin_rx_h(struct tdm_chan *ch, const uint8_t *d, size_t len, void *arg)
{
	size_t n = len / 2;

	(void)ch;
	(void)arg;
	if (g711.nlin + n <= G711_MAX) {
		memcpy(g711.lin + g711.nlin, d, n * 2);
		g711.nlin += n;
	}
}

static void law_rx_h(struct tdm_chan *ch, const uint8_t *d, size_t len, void *arg)
{
	(void)ch;
	(void)arg;
	if (g711.nlaw + len <= G711_MAX) {
		memcpy(g711.law + g711.nlaw, d, len);
		g711.nlaw += len;
	}
}

/* Mismatches after the first occurrence of the expected start; -1 if the
 * start never came. */
static long g711_check_law(enum tdm_law law, const int16_t *ramp, size_t n)
{
	size_t i, k;
	long bad = 0;

	for (i = 0; i < g711.nlaw && g711.law[i] != law_dahdi_lin2x(law, ramp[0]); i++)
		;
	if (i + n > g711.nlaw)
		return -1;
	for (k = 0; k < n; k++)
		bad += g711.law[i + k] != law_dahdi_lin2x(law, ramp[k]);
	return bad;
}

static long g711_check_lin(enum tdm_law law)
{
	size_t i, k;
	long bad = 0;

	for (i = 0; i < g711.nlin && g711.lin[i] != law_dahdi_xlaw(law, 0); i++)
		;
	if (i + 256 > g711.nlin)
		return -1;
	for (k = 0; k < 256; k++)
		bad += g711.lin[i + k] != law_dahdi_xlaw(law, (uint8_t)k);
	return bad;
}

/* What arrived, for the log. */
static void g711_dump(void)
{
	size_t i, j;

	for (i = 0; i < g711.nlaw && (IS_IDLE(g711.law[i]) || g711.law[i] == 0xd5); i++)
		;
	printf("# law: %zu bytes, %zu idle first:", g711.nlaw, i);
	for (j = i; j < g711.nlaw && j < i + 8; j++)
		printf(" %02x", g711.law[j]);
	for (i = 0; i < g711.nlin && g711.lin[i] == 0; i++)
		;
	printf("\n# lin: %zu samples, %zu zero first:", g711.nlin, i);
	for (j = i; j < g711.nlin && j < i + 8; j++)
		printf(" %d", g711.lin[j]);
	printf("\n");
}

/* Channel A writes a linear ramp that B reads as law bytes; B writes all 256
 * codes that A reads as linear.  Both must match law_dahdi_*() in
 * drivers/dahdi/law.c, which the sim uses in place of the kernel's tables.
 * The ramp starts just above -32768, then takes -32768 (a kernel quirk). */
static void test_g711(struct vm *vm, unsigned cha, unsigned chb, enum tdm_law law)
{
	struct tdm_chan_prm pa = {.channo = cha, .law = law, .linear = true, .audioh = lin_rx_h};
	struct tdm_chan_prm pb = {.channo = chb, .law = law, .audioh = law_rx_h};
	struct tdm_chan *a = NULL, *b = NULL;
	const char *name = law == TDM_LAW_ALAW ? "A-law" : "mu-law";
	int16_t ramp[BLOCK];
	uint8_t codes[256];
	unsigned i;
	int err;

	memset(&g711, 0, sizeof(g711));
	err = tdm_chan_open(&a, vm->tdm, &pa);
	err = err ? err : tdm_chan_open(&b, vm->tdm, &pb);
	ramp[0] = -32764;
	for (i = 1; i < BLOCK; i++)
		ramp[i] = (int16_t)(-32768 + (int)(i - 1) * 411);
	for (i = 0; i < 256; i++)
		codes[i] = (uint8_t)i;
	if (!err)
		err = tdm_chan_write(a, (const uint8_t *)ramp, sizeof(ramp), NULL);
	if (!err)
		err = tdm_chan_write(b, codes, sizeof(codes), NULL);
	loop_run_for(vm->loop, 300 * NS_PER_MS);
	if (err)
		printf("# channels %u/%u: %s\n", cha, chb, strerror(err));
	g711_dump();
	tap(vm, !err && g711_check_law(law, ramp, BLOCK) == 0,
	    "linear writes encode as DAHDI's %s (mismatches %ld)", name,
	    g711_check_law(law, ramp, BLOCK));
	tap(vm, !err && g711_check_lin(law) == 0, "linear reads decode DAHDI's %s (mismatches %ld)",
	    name, g711_check_lin(law));
	mem_deref(a);
	mem_deref(b);
}

static void test_g711_both(struct vm *vm)
{
	unsigned cha = tdm_chan_no(streams[0][0].ch), chb = tdm_chan_no(streams[1][0].ch);

	streams[0][0].ch = mem_deref(streams[0][0].ch);
	streams[1][0].ch = mem_deref(streams[1][0].ch);
	test_g711(vm, cha, chb, TDM_LAW_MULAW);
	test_g711(vm, cha, chb, TDM_LAW_ALAW);
}

/* --- A libpri call across the two D-channels ----------------------------- */

/* Span 1 is the network side, span 2 the CPE; 24-channel spans with the
 * D-channel on 24 are a T1 PRI.  The network side answers every SETUP at
 * once; the CPE calls 200 and hangs up with 16 (normal clearing).  libpri
 * runs only while the loop does: every wait is a bounded loop run. */
static struct pri_side {
	struct isdn_tdm *tdm;
	struct isdn_call *call;
	unsigned answers, hangups, cause;
	char called[ISDN_NUM_MAX + 1];
} pri[2];

static void pri_incoming(struct isdn_call *call, const struct isdn_setup *setup, void *arg)
{
	struct pri_side *s = arg;

	snprintf(s->called, sizeof(s->called), "%s", setup->called.digits);
	printf("# network: SETUP to %s on channel %d\n", s->called, isdn_call_chan(call));
	isdn_call_proceeding(call, false);
	isdn_call_answer(call);
}

static void pri_answer(struct isdn_call *call, void *arg)
{
	printf("# cpe: CONNECT on channel %d\n", isdn_call_chan(call));
	((struct pri_side *)arg)->answers++;
}

static void pri_hangup(struct isdn_call *call, unsigned cause, unsigned loc, void *arg)
{
	struct pri_side *s = arg;

	printf("# %s: channel %d cleared, cause %u location %u\n", s == pri ? "network" : "cpe",
	       isdn_call_chan(call), cause, loc);
	s->hangups++;
	s->cause = cause;
	s->call = NULL;
}

static void pri_link(struct isdn_ctrl *ctrl, bool up, void *arg)
{
	(void)arg;
	printf("# %s: D-channel %s\n", isdn_ctrl_name(ctrl), up ? "up" : "down");
}

static const struct isdn_handlers pri_h = {
    .incoming = pri_incoming, .answer = pri_answer, .hangup = pri_hangup, .link = pri_link};

static bool pri_up(void)
{
	return isdn_ctrl_is_up(isdn_tdm_ctrl(pri[0].tdm)) &&
	       isdn_ctrl_is_up(isdn_tdm_ctrl(pri[1].tdm));
}

static bool pri_answered(void)
{
	return pri[1].answers > 0;
}

static bool pri_cleared(void)
{
	return pri[0].hangups > 0 && !isdn_ctrl_ncalls(isdn_tdm_ctrl(pri[1].tdm));
}

static int pri_open(struct vm *vm)
{
	struct isdn_conf c;
	unsigned s;
	int err = 0;

	for (s = 0; s < 2 && !err; s++) {
		isdn_conf_init(&c);
		snprintf(c.name, sizeof(c.name), "s%u", s + 1);
		c.role = s ? ISDN_ROLE_CPE : ISDN_ROLE_NETWORK;
		c.sw = ISDN_SW_NI2;
		c.iface = ISDN_PRI_T1;
		err = isdn_tdm_open(&pri[s].tdm, vm->tdm, s + 1, &c, &pri_h, &pri[s]);
	}
	return err;
}

static void test_isdn(struct vm *vm)
{
	struct isdn_call_prm prm = {
	    .called.digits = "200", .calling.digits = "100", .complete = true};
	int err = pri_open(vm);

	if (!err)
		run_until(vm, pri_up, 10000);
	tap(vm, !err && pri_up(), "ISDN (ni2, T1 PRI): both D-channels up%s%s",
	    err ? ", isdn_tdm_open: " : "", err ? strerror(err) : "");
	if (!err)
		err = isdn_call_place(isdn_tdm_ctrl(pri[1].tdm), &pri[1].call, &prm, NULL);
	if (!err)
		run_until(vm, pri_answered, 5000);
	tap(vm, !err && !strcmp(pri[0].called, "200"),
	    "the CPE's SETUP reaches the network side (called '%s')", pri[0].called);
	tap(vm, !err && pri_answered(), "the network side answers, CONNECT reaches the CPE");
	if (!err && pri[1].call)
		err = isdn_call_hangup(pri[1].call, 16);
	if (!err)
		run_until(vm, pri_cleared, 5000);
	tap(vm, !err && pri_cleared() && pri[0].cause == 16,
	    "the CPE hangs up with 16, the network side is cleared with %u", pri[0].cause);
	pri[1].tdm = mem_deref(pri[1].tdm);
	pri[0].tdm = mem_deref(pri[0].tdm);
}

static int vm_setup(struct vm *vm, bool os, const char *conf)
{
	struct sim_prm prm = {.path = conf};
	struct conf_diag diag;
	int err;

	conf_diag_init(&diag);
	err = clk_alloc(&vm->clk, os ? CLK_REAL : CLK_VIRTUAL);
	err = err ? err : loop_alloc(&vm->loop, vm->clk);
	if (!err && !os)
		err = sim_alloc(&vm->sim, vm->loop, &prm, &diag);
	if (!err)
		err = tdm_alloc(&vm->tdm, vm->loop, os ? tdm_sys_os() : sim_sys(vm->sim));
	if (err)
		printf("Bail out! setup: %s %s\n", strerror(err), diag.text ? diag.text : "");
	conf_diag_reset(&diag);
	return err;
}

int main(int argc, char **argv)
{
	struct vm vm;
	bool os = argc > 1 && !strcmp(argv[1], "--os");
	char conf[4096];
	const char *top = getenv("top_srcdir");
	unsigned secs = 3, s, i;
	int a = 1;
	bool spans;

	memset(&vm, 0, sizeof(vm));
	snprintf(conf, sizeof(conf), "%s/tests/vm/system.conf", top ? top : ABS_TOP_SRCDIR);
	if (os) {
		a++;
	} else if (argc > a + 1 && !strcmp(argv[a], "--sim")) {
		snprintf(conf, sizeof(conf), "%s", argv[a + 1]);
		a += 2;
	}
	if (argc > a)
		secs = (unsigned)atoi(argv[a]);
	log_set_level_all(LL_WARN);
	printf("1..%u\n# drivers/dahdi on %s\n", NTESTS, os ? "the kernel's DAHDI" : conf);
	if (vm_setup(&vm, os, conf))
		return 1;
	test_frames(&vm);
	if (sides[0].span && sides[1].span)
		test_audio(&vm, secs);
	if (nstreams)
		test_g711_both(&vm);
	for (s = 0; s < 2; s++)
		for (i = 0; i < MAXB; i++)
			mem_deref(streams[s][i].ch);
	spans = sides[0].span && sides[1].span;
	sides[0].span = mem_deref(sides[0].span); /* frees the D-channels for ISDN */
	sides[1].span = mem_deref(sides[1].span);
	if (spans)
		test_isdn(&vm);
	mem_deref(vm.tdm);
	mem_deref(vm.sim);
	mem_deref(vm.loop);
	mem_deref(vm.clk);
	printf("# %s\n", vm.failed || vm.n != NTESTS ? "FAILED" : "PASSED");
	return vm.failed || vm.n != NTESTS ? 1 : 0;
}
