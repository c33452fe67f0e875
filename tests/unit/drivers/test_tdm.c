/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drivers/dahdi against a scripted system call table (what the kernel or
 * the sim would answer), and the OS table on real descriptors.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "drivers/dahdi/dahdi.h"
#include "drivers/tdm.h"
#include "sg_test.h"

struct fake {
	int specify_err;
	int max_write; /* bytes one write takes */
	int event;     /* waiting event, 0 none */
	unsigned opens, closes, writes, watches;
	size_t written;
	loop_fd_h *h;
	void *arg;
	int frames; /* HDLC frames to hand out on read */
};

static struct fake fk;
static struct clk *clk;
static struct loop *loop;
static struct tdm *tdm;

static int f_open(void *ctx, const char *path, int flags)
{
	(void)ctx;
	(void)path;
	(void)flags;
	fk.opens++;
	return 42;
}

static int f_close(void *ctx, int fd)
{
	(void)ctx;
	(void)fd;
	fk.closes++;
	return 0;
}

static int f_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	(void)ctx;
	(void)fd;
	if (req == DAHDI_SPECIFY && fk.specify_err) {
		errno = fk.specify_err;
		return -1;
	}
	if (req == DAHDI_GETEVENT) {
		*(int *)arg = fk.event;
		fk.event = 0;
	}
	if (req == DAHDI_GET_PARAMS) {
		struct dahdi_params *p = arg;

		p->spanno = 1;
		p->chanpos = 5;
		p->curlaw = DAHDI_LAW_ALAW;
		p->sigtype = DAHDI_SIG_HDLCFCS;
	}
	return 0;
}

static ssize_t f_read(void *ctx, int fd, void *buf, size_t len)
{
	(void)ctx;
	(void)fd;
	if (fk.event) {
		errno = ELAST;
		return -1;
	}
	if (fk.frames > 0) {
		fk.frames--;
		memset(buf, 0xab, len < 2 ? len : 2);
		return fk.frames % 2 ? 2 : (ssize_t)(len < 5 ? len : 5); /* runts too */
	}
	errno = EAGAIN;
	return -1;
}

static ssize_t f_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	(void)fd;
	(void)buf;
	if (fk.event) {
		errno = ELAST;
		return -1;
	}
	if (fk.written >= 900) {
		errno = EAGAIN;
		return -1;
	}
	fk.writes++;
	len = len > (size_t)fk.max_write ? (size_t)fk.max_write : len;
	fk.written += len;
	return (ssize_t)len;
}

static int f_watch(void *ctx, struct loop *l, int fd, uint32_t events, loop_fd_h *h, void *arg)
{
	(void)ctx;
	(void)l;
	(void)fd;
	(void)events;
	fk.watches++;
	fk.h = h;
	fk.arg = arg;
	return 0;
}

static const struct tdm_sys fake_sys = {
    .open = f_open,
    .close = f_close,
    .ioctl = f_ioctl,
    .read = f_read,
    .write = f_write,
    .watch = f_watch,
};

static void setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.max_write = 160;
	sg_test_begin();
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	cr_assert_eq(tdm_alloc(&tdm, loop, &fake_sys), 0);
}

static void teardown(void)
{
	tdm = mem_deref(tdm);
	sg_loop_check(loop);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	sg_test_end();
}

TestSuite(tdm, .init = setup, .fini = teardown);

Test(tdm, names_and_decoding)
{
	struct tdm_ev ev;
	char buf[64];
	unsigned i;

	for (i = 0; i < TDM_EV__COUNT; i++)
		cr_assert_not_null(tdm_event_name((enum tdm_event)i));
	cr_assert_str_eq(tdm_event_name(TDM_EV_RINGOFFHOOK), "RINGOFFHOOK");
	cr_assert_str_eq(tdm_event_name(TDM_EV_WRITE_UNDERRUN), "WRITE_UNDERRUN");
	cr_assert_str_eq(tdm_event_name(TDM_EV__COUNT), "?");
	/* every DAHDI_EVENT_* code maps to itself */
	for (i = 0; i <= DAHDI_EVENT_WRITE_UNDERRUN; i++) {
		dahdi_event_decode((int)i, &ev);
		cr_assert_eq((int)ev.type, (int)i);
	}
	dahdi_event_decode(DAHDI_EVENT_DTMFDOWN | '5', &ev);
	cr_assert_eq(ev.type, TDM_EV_DTMFDOWN);
	cr_assert_eq(ev.digit, '5');
	dahdi_event_decode(DAHDI_EVENT_DTMFUP | '#', &ev);
	cr_assert_eq(ev.type, TDM_EV_DTMFUP);
	dahdi_event_decode(DAHDI_EVENT_PULSEDIGIT | '7', &ev);
	cr_assert_eq(ev.type, TDM_EV_PULSEDIGIT);
	cr_assert_eq(ev.digit, '7');
	dahdi_event_decode(77, &ev);
	cr_assert_eq(ev.type, TDM_EV_UNKNOWN);
	cr_assert_eq(ev.raw, 77);
	cr_assert_str_eq(tdm_alarm_str(0, buf, sizeof(buf)), "none");
	cr_assert_str_eq(tdm_alarm_str(TDM_ALARM_RED | TDM_ALARM_BLUE, buf, sizeof(buf)),
			 "RED+BLUE");
	cr_assert_eq(dahdi_sig_decode(DAHDI_SIG_HARDHDLC), TDM_SIG_HDLC);
	cr_assert_eq(dahdi_sig_decode(DAHDI_SIG_EM), TDM_SIG_OTHER);
	cr_assert_eq(dahdi_sig_decode(DAHDI_SIG_FXOGS), TDM_SIG_FXOGS);
}

Test(tdm, specify_failure_closes_the_fd)
{
	struct tdm_chan_prm prm = {.channo = 5};
	struct tdm_chan *ch;

	fk.specify_err = EBUSY;
	cr_assert_eq(tdm_chan_open(&ch, tdm, &prm), EBUSY);
	cr_assert_eq(fk.opens, 1);
	cr_assert_eq(fk.closes, 1);
	prm.channo = 0;
	cr_assert_eq(tdm_chan_open(&ch, tdm, &prm), EINVAL);
}

static unsigned nev;
static enum tdm_event last_ev;
static bool in_write;

static void ev_h(struct tdm_chan *ch, const struct tdm_ev *ev, void *arg)
{
	(void)ch;
	(void)arg;
	cr_assert_not(in_write, "events are never reported from inside a write");
	nev++;
	last_ev = ev->type;
}

Test(tdm, write_splits_and_defers_events)
{
	struct tdm_chan_prm prm = {.channo = 5, .eventh = ev_h};
	struct tdm_chan *ch;
	uint8_t data[500] = {0};
	size_t done = 0;

	cr_assert_eq(tdm_chan_open(&ch, tdm, &prm), 0);
	cr_assert_str_eq(tdm_chan_name(ch), "tdm s1c5");
	fk.max_write = 100; /* a driver taking less than a block */
	fk.event = DAHDI_EVENT_ONHOOK;
	in_write = true;
	cr_assert_eq(tdm_chan_write(ch, data, sizeof(data), &done), 0);
	in_write = false;
	cr_assert_eq(done, 500);
	cr_assert_eq(fk.writes, 5);
	cr_assert_eq(nev, 0);
	loop_run_for(loop, 1);
	cr_assert_eq(nev, 1);
	cr_assert_eq(last_ev, TDM_EV_ONHOOK);
	fk.max_write = 160;
	cr_assert_eq(tdm_chan_write(ch, data, sizeof(data), &done), EAGAIN);
	cr_assert_eq(done, 480, "three blocks, then full");
	mem_deref(ch);
	cr_assert_eq(fk.closes, 1);
}

Test(tdm, pending_deferred_events_die_with_the_channel)
{
	struct tdm_chan_prm prm = {.channo = 5, .eventh = ev_h};
	struct tdm_chan *ch;
	uint8_t data[10] = {0};

	cr_assert_eq(tdm_chan_open(&ch, tdm, &prm), 0);
	fk.event = DAHDI_EVENT_ALARM;
	cr_assert_eq(tdm_chan_write(ch, data, sizeof(data), NULL), 0);
	mem_deref(ch);
	loop_run_for(loop, 1);
	cr_assert_eq(nev, 0);
}

static unsigned nframes;

static void frame_h(struct tdm_span *span, const uint8_t *f, size_t len, void *arg)
{
	(void)f;
	(void)arg;
	cr_assert_eq(len, 3, "FCS stripped");
	nframes++;
	if (nframes == 2)
		mem_deref(span); /* the owner may let go from its callback */
}

Test(tdm, span_reads_frames_drops_runts_and_survives_release)
{
	struct tdm_span_prm prm = {.spanno = 1, .dchan = 5, .frameh = frame_h};
	struct tdm_span *span;

	cr_assert_eq(tdm_span_open(&span, tdm, &prm), 0);
	cr_assert_not_null(fk.h);
	fk.frames = 6;
	fk.h(42, EPOLLIN, fk.arg);
	cr_assert_eq(nframes, 2, "runts dropped, stopped after release");
	cr_assert_eq(fk.closes, 2, "ctl and D-channel closed");
}

/* --- The production table on real descriptors ------------------------- */

static unsigned os_ready;

static void os_h(int fd, uint32_t events, void *arg)
{
	char c;

	(void)arg;
	cr_assert(events & EPOLLIN);
	cr_assert_eq(read(fd, &c, 1), 1);
	os_ready++;
}

Test(tdm_os, table_is_the_system_calls)
{
	const struct tdm_sys *sys = tdm_sys_os();
	struct clk *c;
	struct loop *l;
	int p[2], v = 0;

	cr_assert_eq(sys->open(sys->ctx, "/nonexistent/dahdi/channel", 2), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(sys->ioctl(sys->ctx, -1, DAHDI_GETEVENT, &v), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(clk_alloc(&c, CLK_REAL), 0);
	cr_assert_eq(loop_alloc(&l, c), 0);
	cr_assert_eq(sys->watch(sys->ctx, l, p[0], EPOLLIN, os_h, NULL), 0);
	cr_assert_eq(sys->watch(sys->ctx, l, p[0], EPOLLIN | EPOLLPRI, os_h, NULL), 0, "mod");
	cr_assert_eq(sys->write(sys->ctx, p[1], "x", 1), 1);
	cr_assert_eq(loop_run_once(l, 0), 0);
	cr_assert_eq(os_ready, 1);
	cr_assert_eq(sys->watch(sys->ctx, l, p[0], 0, NULL, NULL), 0);
	cr_assert_eq(sys->close(sys->ctx, p[0]), 0);
	cr_assert_eq(sys->close(sys->ctx, p[1]), 0);
	mem_deref(l);
	mem_deref(c);
}
