/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection on the sim, seen through drivers/dahdi: alarms arrive as
 * ALARM/NOALARM with the right bits, D-channel faults as HDLC events, lost
 * frames stay lost, slips shift the audio by one frame.
 */
#include "tests/unit/sim/simtest.h"

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

TestSuite(sim_fault, .init = setup, .fini = teardown);

#define MAXEV 16

struct side {
	struct tdm_span *span;
	unsigned nframes;
	unsigned nev;
	struct tdm_ev ev[MAXEV];
};

static void frame_h(struct tdm_span *span, const uint8_t *frame, size_t len, void *arg)
{
	struct side *s = arg;

	(void)span;
	(void)frame;
	(void)len;
	s->nframes++;
}

static void event_h(struct tdm_span *span, const struct tdm_ev *ev, void *arg)
{
	struct side *s = arg;

	(void)span;
	cr_assert_lt(s->nev, MAXEV);
	s->ev[s->nev++] = *ev;
}

static struct side sa, sb;

static void open_spans(void)
{
	struct tdm_span_prm pa = {.spanno = 1, .frameh = frame_h, .eventh = event_h, .arg = &sa};
	struct tdm_span_prm pb = {.spanno = 2, .frameh = frame_h, .eventh = event_h, .arg = &sb};

	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	cr_assert_eq(tdm_span_open(&sa.span, t.tdm, &pa), 0);
	cr_assert_eq(tdm_span_open(&sb.span, t.tdm, &pb), 0);
}

static void close_spans(void)
{
	sa.span = mem_deref(sa.span);
	sb.span = mem_deref(sb.span);
}

static void send_frames(struct side *s, unsigned n)
{
	static const uint8_t rr[] = {0x02, 0x01, 0x01, 0x00};

	while (n--)
		cr_assert_eq(tdm_span_frame_send(s->span, rr, sizeof(rr)), 0);
}

Test(sim_fault, red_alarm_gives_yellow_at_the_far_end)
{
	struct tdm_span_status st;
	char buf[32];

	open_spans();
	sim_span_alarm(sim_span_find(t.sim, 1), DAHDI_ALARM_RED);
	simtest_run_ms(&t, 1);
	cr_assert_eq(sa.nev, 1);
	cr_assert_eq(sa.ev[0].type, TDM_EV_ALARM);
	cr_assert_eq(sa.ev[0].alarms, TDM_ALARM_RED);
	cr_assert_eq(sb.nev, 1);
	cr_assert_eq(sb.ev[0].type, TDM_EV_ALARM);
	cr_assert_eq(sb.ev[0].alarms, TDM_ALARM_YELLOW);
	cr_assert_str_eq(tdm_alarm_str(sb.ev[0].alarms, buf, sizeof(buf)), "YELLOW");
	cr_assert_eq(tdm_span_status(sa.span, &st), 0);
	cr_assert_eq(st.alarms, TDM_ALARM_RED);

	/* span 1 hears nothing; span 2 still does */
	send_frames(&sb, 3);
	send_frames(&sa, 2);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sa.nframes, 0);
	cr_assert_eq(sb.nframes, 2);

	sim_span_alarm(sim_span_find(t.sim, 1), 0);
	simtest_run_ms(&t, 1);
	cr_assert_eq(sa.ev[1].type, TDM_EV_NOALARM);
	cr_assert_eq(sa.ev[1].alarms, 0);
	cr_assert_eq(sb.ev[1].type, TDM_EV_NOALARM);
	send_frames(&sb, 1);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sa.nframes, 1);
	close_spans();
}

Test(sim_fault, blue_alarm_stays_local)
{
	open_spans();
	sim_span_alarm(sim_span_find(t.sim, 2), DAHDI_ALARM_BLUE);
	simtest_run_ms(&t, 1);
	cr_assert_eq(sb.nev, 1);
	cr_assert_eq(sb.ev[0].alarms, TDM_ALARM_BLUE);
	cr_assert_eq(sa.nev, 0);
	close_spans();
}

Test(sim_fault, dchannel_down_aborts_and_loses_frames)
{
	struct sim_span_stats st;

	open_spans();
	sim_span_dchan(sim_span_find(t.sim, 1), false);
	send_frames(&sa, 2);
	send_frames(&sb, 2);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sa.nev, 1);
	cr_assert_eq(sa.ev[0].type, TDM_EV_ABORT);
	cr_assert_eq(sb.nev, 1);
	cr_assert_eq(sb.ev[0].type, TDM_EV_ABORT);
	cr_assert_eq(sa.nframes + sb.nframes, 0);
	sim_span_stats(sim_span_find(t.sim, 1), &st);
	cr_assert_eq(st.frames_lost, 2);
	sim_span_dchan(sim_span_find(t.sim, 1), true);
	send_frames(&sa, 2);
	send_frames(&sb, 2);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sa.nframes, 2);
	cr_assert_eq(sb.nframes, 2);
	close_spans();
}

Test(sim_fault, lost_and_bad_fcs_frames)
{
	struct sim_span_stats st;

	open_spans();
	sim_span_lose_frames(sim_span_find(t.sim, 1), 2);
	sim_span_bad_fcs(sim_span_find(t.sim, 1), 1);
	send_frames(&sa, 6);
	simtest_run_ms(&t, 5);
	cr_assert_eq(sb.nframes, 3);
	cr_assert_eq(sb.nev, 1);
	cr_assert_eq(sb.ev[0].type, TDM_EV_BADFCS);
	sim_span_stats(sim_span_find(t.sim, 1), &st);
	cr_assert_eq(st.frames_tx, 6);
	cr_assert_eq(st.frames_lost, 2);
	sim_span_stats(sim_span_find(t.sim, 2), &st);
	cr_assert_eq(st.frames_rx, 3);
	cr_assert_eq(st.frames_badfcs, 1);
	close_spans();
}

static struct {
	uint8_t data[8000];
	size_t n;
} slip_rx;

static void slip_h(struct tdm_chan *ch, const uint8_t *data, size_t len, void *arg)
{
	(void)ch;
	(void)arg;
	if (slip_rx.n + len <= sizeof(slip_rx.data)) {
		memcpy(slip_rx.data + slip_rx.n, data, len);
		slip_rx.n += len;
	}
}

Test(sim_fault, slip_drops_one_frame)
{
	struct tdm_chan_prm pa = {.channo = 9, .numbufs = 8};
	struct tdm_chan_prm pb = {.channo = 40, .audioh = slip_h};
	struct tdm_chan *a, *b;
	uint8_t blk[160];
	size_t i, gaps = 0;
	unsigned k;

	cr_assert_eq(tdm_chan_open(&a, t.tdm, &pa), 0);
	cr_assert_eq(tdm_chan_open(&b, t.tdm, &pb), 0);
	for (k = 0; k < 8; k++) {
		for (i = 0; i < sizeof(blk); i++)
			blk[i] = (uint8_t)(k * 160 + i) & 0x7f; /* never 0xd5 */
		cr_assert_eq(tdm_chan_write(a, blk, sizeof(blk), NULL), 0);
	}
	simtest_run_ms(&t, 30);
	sim_span_slip(sim_span_find(t.sim, 2));
	simtest_run_ms(&t, 100);
	/* the stream counts up mod 128; one step of 2 marks the slip */
	for (i = 1; i < slip_rx.n && slip_rx.data[i] != 0xd5; i++)
		if (slip_rx.data[i] != ((slip_rx.data[i - 1] + 1) & 0x7f))
			gaps++;
	cr_assert_eq(gaps, 1);
	mem_deref(a);
	mem_deref(b);
}
