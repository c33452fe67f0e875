/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A span whose far end is another sim over a UNIX socket (the wire format
 * of sim/README.md): two sims on one loop, joined by a socketpair, each
 * with drivers/dahdi on top.  Frames and audio cross bit-exact; alarms,
 * D-channel state and a lost link reach the other side.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/sim/simtest.h"

#define CONF_E1 "span=1,1,0,ccs,hdb3\nbchan=1-15,17-31\ndchan=16\n"

static struct simtest t; /* t.sim is side A */
static struct sim *simb;
static struct tdm *tdmb;

static void setup(void)
{
	struct sim_prm prm = {.text = CONF_E1};
	struct conf_diag diag;
	int sv[2];

	simtest_init(&t, CONF_E1, 0);
	conf_diag_init(&diag);
	cr_assert_eq(sim_alloc(&simb, t.loop, &prm, &diag), 0);
	conf_diag_reset(&diag);
	cr_assert_eq(tdm_alloc(&tdmb, t.loop, sim_sys(simb)), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	cr_assert_eq(sim_span_remote(sim_span_find(t.sim, 1), sv[0]), 0);
	cr_assert_eq(sim_span_remote(sim_span_find(simb, 1), sv[1]), 0);
}

static void teardown(void)
{
	tdmb = mem_deref(tdmb);
	simb = mem_deref(simb);
	simtest_fini(&t);
}

TestSuite(sim_remote, .init = setup, .fini = teardown);

#define MAXF 8

struct side {
	struct tdm_span *span;
	unsigned nframes, nev;
	uint8_t frame[MAXF][64];
	size_t len[MAXF];
	struct tdm_ev ev[MAXF];
};

static struct side sa, sb;

static void frame_h(struct tdm_span *span, const uint8_t *f, size_t len, void *arg)
{
	struct side *s = arg;

	(void)span;
	cr_assert_lt(s->nframes, MAXF);
	cr_assert_leq(len, 64);
	memcpy(s->frame[s->nframes], f, len);
	s->len[s->nframes++] = len;
}

static void event_h(struct tdm_span *span, const struct tdm_ev *ev, void *arg)
{
	struct side *s = arg;

	(void)span;
	if (s->nev < MAXF)
		s->ev[s->nev++] = *ev;
}

static void open_spans(void)
{
	struct tdm_span_prm pa = {.spanno = 1, .frameh = frame_h, .eventh = event_h, .arg = &sa};
	struct tdm_span_prm pb = {.spanno = 1, .frameh = frame_h, .eventh = event_h, .arg = &sb};

	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	cr_assert_eq(tdm_span_open(&sa.span, t.tdm, &pa), 0);
	cr_assert_eq(tdm_span_open(&sb.span, tdmb, &pb), 0);
}

static void close_spans(void)
{
	sa.span = mem_deref(sa.span);
	sb.span = mem_deref(sb.span);
}

Test(sim_remote, frames_cross_and_link_comes_up)
{
	static const uint8_t f1[] = {0x00, 0x01, 0x7f}, f2[] = {0x02, 0x01, 0x03, 0x08};
	struct tdm_span_status st;

	open_spans();
	simtest_run_ms(&t, 5);
	cr_assert_eq(tdm_span_status(sa.span, &st), 0);
	cr_assert_eq(st.alarms, 0, "HELLO exchanged");
	cr_assert_eq(tdm_span_frame_send(sa.span, f1, sizeof(f1)), 0);
	cr_assert_eq(tdm_span_frame_send(sb.span, f2, sizeof(f2)), 0);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sb.nframes, 1);
	cr_assert_arr_eq(sb.frame[0], f1, sizeof(f1));
	cr_assert_eq(sa.nframes, 1);
	cr_assert_eq(sa.len[0], sizeof(f2));
	cr_assert_arr_eq(sa.frame[0], f2, sizeof(f2));
	close_spans();
}

Test(sim_remote, alarms_dchan_and_link_loss)
{
	static const uint8_t f1[] = {0x00, 0x01, 0x7f};

	open_spans();
	simtest_run_ms(&t, 5);
	/* the link came up while the spans were open: NOALARM */
	cr_assert_eq(sb.nev, 1);
	cr_assert_eq(sb.ev[0].type, TDM_EV_NOALARM);
	sa.nev = sb.nev = 0;
	sim_span_alarm(sim_span_find(t.sim, 1), DAHDI_ALARM_RED);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sb.nev, 1);
	cr_assert_eq(sb.ev[0].type, TDM_EV_ALARM);
	cr_assert_eq(sb.ev[0].alarms, TDM_ALARM_YELLOW);
	sim_span_alarm(sim_span_find(t.sim, 1), 0);
	sim_span_dchan(sim_span_find(t.sim, 1), false);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sb.ev[1].type, TDM_EV_NOALARM);
	cr_assert_eq(sb.ev[2].type, TDM_EV_ABORT);
	cr_assert_eq(tdm_span_frame_send(sb.span, f1, sizeof(f1)), 0);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sa.nframes, 0, "D-channel down");
	sim_span_dchan(sim_span_find(t.sim, 1), true);
	sim_span_bad_fcs(sim_span_find(simb, 1), 1);
	cr_assert_eq(tdm_span_frame_send(sb.span, f1, sizeof(f1)), 0);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sa.nframes, 0);
	cr_assert_eq(sa.ev[sa.nev - 1].type, TDM_EV_BADFCS);

	/* the other process goes away: span A loses its signal */
	sb.span = mem_deref(sb.span);
	simb = mem_deref(simb);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sa.ev[sa.nev - 1].type, TDM_EV_ALARM);
	cr_assert_eq(sa.ev[sa.nev - 1].alarms, TDM_ALARM_RED);
	close_spans();
}

struct stream {
	struct tdm_chan *ch;
	uint8_t tx;
	uint8_t expect;
	bool started;
	unsigned bad, blocks;
};

static void audio_h(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	struct stream *s = arg;
	uint8_t blk[160];
	size_t i = 0;

	if (!s->started) {
		while (i < len && data[i] == 0xd5)
			i++;
		s->started = i < len;
		if (s->started)
			s->expect = data[i];
	}
	for (; i < len; i++, s->expect = (uint8_t)((s->expect + 1) & 0x7f))
		s->bad += data[i] != s->expect;
	s->blocks++;
	for (i = 0; i < sizeof(blk); i++, s->tx = (uint8_t)((s->tx + 1) & 0x7f))
		blk[i] = s->tx;
	cr_assert_eq(tdm_chan_write(ch, blk, sizeof(blk), NULL), 0);
}

Test(sim_remote, audio_bit_exact_both_ways)
{
	static struct stream a, b;
	struct tdm_chan_prm pa = {.channo = 17, .audioh = audio_h, .arg = &a};
	struct tdm_chan_prm pb = {.channo = 17, .audioh = audio_h, .arg = &b};
	struct sim_span_stats st;

	cr_assert_eq(tdm_chan_open(&a.ch, t.tdm, &pa), 0);
	cr_assert_eq(tdm_chan_open(&b.ch, tdmb, &pb), 0);
	simtest_run_ms(&t, 1000);
	cr_assert(a.started && b.started);
	cr_assert_eq(a.bad + b.bad, 0, "a %u b %u", a.bad, b.bad);
	cr_assert_geq(a.blocks, 45);
	sim_span_stats(sim_span_find(t.sim, 1), &st);
	cr_assert_eq(st.slips, 0, "same clock, no slips");
	mem_deref(a.ch);
	mem_deref(b.ch);
}

/* Replace span A's link (test helper built on the public calls). */
static void sim_remote_reattach(struct sim_span *span, int fd)
{
	cr_assert_eq(sim_span_remote_close(span), 0);
	cr_assert_eq(sim_span_remote(span, fd), 0);
}

static unsigned span_alarms(struct sim *sim)
{
	const struct tdm_sys *sys = sim_sys(sim);
	struct dahdi_spaninfo si = {.spanno = 1};
	int ctl = sys->open(sys->ctx, DAHDI_PATH_CTL, O_RDWR);

	cr_assert_eq(sys->ioctl(sys->ctx, ctl, DAHDI_SPANSTAT, &si), 0);
	sys->close(sys->ctx, ctl);
	return (unsigned)si.alarms;
}

Test(sim_remote, mismatched_hello_and_garbage_are_refused)
{
	struct sim_prm prm = {.text = "span=1,1,0,esf,b8zs\nbchan=1-23\ndchan=24\n"};
	struct conf_diag diag;
	struct sim *c;
	int sv[2];

	simtest_run_ms(&t, 3);
	cr_assert_eq(span_alarms(t.sim), 0);
	conf_diag_init(&diag);
	cr_assert_eq(sim_alloc(&c, t.loop, &prm, &diag), 0);
	conf_diag_reset(&diag);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	cr_assert_eq(sim_span_remote(sim_span_find(c, 1), sv[0]), 0);
	cr_assert_eq(sim_span_remote(sim_span_find(c, 1), sv[1]), EBUSY, "and fd closed");
	cr_assert_eq(span_alarms(c), DAHDI_ALARM_RED, "no HELLO yet");
	mem_deref(c);

	/* a T1 far end for an E1 span */
	cr_assert_eq(sim_alloc(&c, t.loop, &prm, &diag), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	sim_remote_reattach(sim_span_find(t.sim, 1), sv[0]);
	cr_assert_eq(sim_span_remote(sim_span_find(c, 1), sv[1]), 0);
	simtest_run_ms(&t, 3);
	cr_assert_eq(span_alarms(c), DAHDI_ALARM_RED);
	cr_assert_eq(span_alarms(t.sim), DAHDI_ALARM_RED);
	mem_deref(c);

	/* garbage */
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	sim_remote_reattach(sim_span_find(t.sim, 1), sv[0]);
	cr_assert_eq(write(sv[1], "\x01\x02\x00\x00", 4), 4);
	simtest_run_ms(&t, 3);
	cr_assert_eq(span_alarms(t.sim), DAHDI_ALARM_RED);
	cr_assert_eq(write(sv[1], "x", 1), -1, "the sim closed its end");
	close(sv[1]);
}

Test(sim_remote, listen_connect_and_reconnect)
{
	static const char conf[] = CONF_E1;
	struct sim_prm prm = {.text = conf};
	char path[64];
	struct conf_diag diag;
	struct sim *c, *d;

	snprintf(path, sizeof(path), "/tmp/strowger-sim-test-%d.sock", (int)getpid());
	/* drop the socketpair link made by setup; listen instead */
	cr_assert_eq(sim_span_remote_close(sim_span_find(t.sim, 1)), 0);
	cr_assert_eq(sim_span_remote_close(sim_span_find(t.sim, 1)), ENOTCONN);
	cr_assert_eq(sim_span_listen(sim_span_find(t.sim, 1), path), 0);
	cr_assert_eq(sim_span_listen(sim_span_find(t.sim, 1), path), EBUSY);
	conf_diag_init(&diag);
	cr_assert_eq(sim_alloc(&c, t.loop, &prm, &diag), 0);
	cr_assert_eq(sim_span_connect(sim_span_find(c, 1), path), 0);
	simtest_run_ms(&t, 3);
	cr_assert_eq(span_alarms(t.sim), 0, "connected");
	cr_assert_eq(span_alarms(c), 0);
	mem_deref(c);
	simtest_run_ms(&t, 3);
	cr_assert_eq(span_alarms(t.sim), DAHDI_ALARM_RED, "far end gone");
	cr_assert_eq(sim_alloc(&d, t.loop, &prm, &diag), 0);
	cr_assert_eq(sim_span_connect(sim_span_find(d, 1), path), 0);
	simtest_run_ms(&t, 3);
	cr_assert_eq(span_alarms(t.sim), 0, "a new far end is taken");
	mem_deref(d);
	cr_assert_eq(sim_span_connect(sim_span_find(simb, 1), "/nonexistent/x.sock"), ENOENT);
	conf_diag_reset(&diag);
}
