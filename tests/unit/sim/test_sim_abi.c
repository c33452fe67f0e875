/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sim's DAHDI ABI, called raw through its system call table: error
 * codes, ELAST and the event queue, buffers and policies, as dahdi-base.c.
 */
#include "tests/unit/sim/simtest.h"

static struct simtest t;

static void setup(void)
{
	simtest_init(&t, SIMTEST_CONF, 0);
}

static void teardown(void)
{
	simtest_fini(&t);
}

TestSuite(sim_abi, .init = setup, .fini = teardown);

Test(sim_abi, open_close_errors)
{
	cr_assert_eq(t.sys->open(t.sys->ctx, "/dev/dahdi/pseudo", O_RDWR), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(t.sys->close(t.sys->ctx, 5), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(t.sys->read(t.sys->ctx, 123, (char[4]){0}, 4), -1);
	cr_assert_eq(errno, EBADF);
}

Test(sim_abi, specify_errors)
{
	int fd, fd2, ctl, v = 1;

	cr_assert_eq(simtest_chan_fd(&t, 1000, &fd), EINVAL, "no such channel");
	cr_assert_eq(simtest_chan_fd(&t, 0, &fd), EINVAL);
	cr_assert_eq(simtest_chan_fd(&t, 1, &fd), 0);
	cr_assert_eq(simtest_chan_fd(&t, 1, &fd2), EBUSY, "one open per channel");
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SPECIFY, &v), EINVAL);
	t.sys->close(t.sys->ctx, fd);
	cr_assert_eq(simtest_chan_fd(&t, 1, &fd), 0, "free again after close");
	t.sys->close(t.sys->ctx, fd);

	fd = t.sys->open(t.sys->ctx, DAHDI_PATH_CHANNEL, O_RDWR | O_NONBLOCK);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BLOCKSIZE, &v), ENOSYS, "prechan");
	cr_assert_eq(t.sys->read(t.sys->ctx, fd, &v, sizeof(v)), -1);
	cr_assert_eq(errno, EINVAL);
	t.sys->close(t.sys->ctx, fd);

	ctl = t.sys->open(t.sys->ctx, DAHDI_PATH_CTL, O_RDWR);
	cr_assert_eq(simtest_ioctl(&t, ctl, DAHDI_SPECIFY, &v), ENOTTY);
	cr_assert_eq(simtest_ioctl(&t, ctl, DAHDI_SET_BLOCKSIZE, &v), ENOTTY);
	t.sys->close(t.sys->ctx, ctl);
}

Test(sim_abi, unconfigured_channel_is_enxio)
{
	static const char conf[] = "span=1,1,0,ccs,hdb3\nbchan=1-15\ndchan=16\n";
	struct simtest u;
	int fd;

	simtest_fini(&t);
	simtest_init(&u, conf, 0);
	cr_assert_eq(simtest_chan_fd(&u, 17, &fd), ENXIO);
	cr_assert_eq(simtest_chan_fd(&u, 32, &fd), EINVAL);
	simtest_fini(&u);
	simtest_init(&t, SIMTEST_CONF, 0);
}

Test(sim_abi, params_and_spanstat)
{
	struct dahdi_params p;
	struct dahdi_spaninfo si;
	int ctl = t.sys->open(t.sys->ctx, DAHDI_PATH_CTL, O_RDWR), fd;

	memset(&p, 0, sizeof(p));
	p.channo = 47;
	cr_assert_eq(simtest_ioctl(&t, ctl, DAHDI_GET_PARAMS, &p), 0);
	cr_assert_eq(p.spanno, 2);
	cr_assert_eq(p.chanpos, 16);
	cr_assert_eq(p.sigtype, DAHDI_SIG_HARDHDLC);
	cr_assert_eq(p.curlaw, DAHDI_LAW_ALAW);
	cr_assert_str_eq(p.name, "SIM/2/16");
	p.channo = 65;
	cr_assert_eq(simtest_ioctl(&t, ctl, DAHDI_GET_PARAMS, &p), EINVAL);

	memset(&si, 0, sizeof(si));
	cr_assert_eq(simtest_ioctl(&t, ctl, DAHDI_SPANSTAT, &si), EINVAL, "spanno 0 on ctl");
	si.spanno = 9;
	cr_assert_eq(simtest_ioctl(&t, ctl, DAHDI_SPANSTAT, &si), EINVAL);
	cr_assert_eq(simtest_chan_fd(&t, 63, &fd), 0);
	memset(&si, 0, sizeof(si));
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SPANSTAT, &si), 0);
	cr_assert_eq(si.spanno, 3, "the analog ports form span 3");
	cr_assert_eq(si.totalchans, 2);
	cr_assert_eq(si.totalspans, 3);
	si.spanno = 1;
	cr_assert_eq(simtest_ioctl(&t, ctl, DAHDI_SPANSTAT, &si), 0);
	cr_assert_str_eq(si.spantype, "E1");
	cr_assert_eq(si.totalchans, 31);
	cr_assert_eq(si.numchans, 31);
	cr_assert(si.lineconfig & DAHDI_CONFIG_CRC4);
	cr_assert_eq(simtest_ioctl(&t, fd, 0xDA00ffff, &si), ENOTTY);
	t.sys->close(t.sys->ctx, fd);
	t.sys->close(t.sys->ctx, ctl);
}

Test(sim_abi, bufinfo_and_blocksize_checks)
{
	struct dahdi_bufferinfo bi = {.bufsize = 15, .numbufs = 4};
	int fd, v;

	cr_assert_eq(simtest_chan_fd(&t, 1, &fd), 0);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BUFINFO, &bi), EINVAL);
	bi.bufsize = DAHDI_MAX_BLOCKSIZE + 1;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BUFINFO, &bi), EINVAL);
	bi.bufsize = 8192;
	bi.numbufs = 5;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BUFINFO, &bi), EINVAL, "> 32 KiB");
	bi.bufsize = 160;
	bi.numbufs = 1;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BUFINFO, &bi), 0);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_GET_BUFINFO, &bi), 0);
	cr_assert_eq(bi.numbufs, 2, "numbufs is clamped to 2..32");
	v = 15;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BLOCKSIZE, &v), EINVAL);
	v = 8193;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BLOCKSIZE, &v), EINVAL);
	v = 80;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BLOCKSIZE, &v), 0);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_GET_BLOCKSIZE, &v), 0);
	cr_assert_eq(v, 80);
	v = 7;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SETLAW, &v), EINVAL);
	v = DAHDI_LAW_MULAW;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SETLAW, &v), 0);
	v = DAHDI_LAW_DEFAULT;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SETLAW, &v), 0);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_CHANNO, &v), 0);
	cr_assert_eq(v, 1);
	t.sys->close(t.sys->ctx, fd);
}

Test(sim_abi, write_takes_one_buffer_then_eagain)
{
	struct dahdi_bufferinfo bi = {.bufsize = 160, .numbufs = 3};
	uint8_t buf[400];
	int fd, i;

	memset(buf, 0x55, sizeof(buf));
	cr_assert_eq(simtest_chan_fd(&t, 2, &fd), 0);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SET_BUFINFO, &bi), 0);
	for (i = 0; i < 3; i++)
		cr_assert_eq(t.sys->write(t.sys->ctx, fd, buf, sizeof(buf)), 160);
	cr_assert_eq(t.sys->write(t.sys->ctx, fd, buf, sizeof(buf)), -1);
	cr_assert_eq(errno, EAGAIN);
	cr_assert_eq(t.sys->write(t.sys->ctx, fd, buf, 0), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(t.sys->read(t.sys->ctx, fd, buf, sizeof(buf)), -1);
	cr_assert_eq(errno, EAGAIN, "nothing crossed: nothing to read");
	/* 20 ms later one buffer went out: room for one more */
	simtest_run_ms(&t, 20);
	cr_assert_eq(t.sys->write(t.sys->ctx, fd, buf, sizeof(buf)), 160);
	cr_assert_eq(t.sys->write(t.sys->ctx, fd, buf, sizeof(buf)), -1);
	t.sys->close(t.sys->ctx, fd);
}

Test(sim_abi, elast_until_event_taken)
{
	uint8_t buf[160];
	int fd, ev = -1;

	cr_assert_eq(simtest_chan_fd(&t, 3, &fd), 0);
	cr_assert_eq(sim_span_alarm(sim_span_find(t.sim, 1), DAHDI_ALARM_RED), 0);
	cr_assert_eq(t.sys->read(t.sys->ctx, fd, buf, sizeof(buf)), -1);
	cr_assert_eq(errno, ELAST);
	cr_assert_eq(t.sys->write(t.sys->ctx, fd, buf, sizeof(buf)), -1);
	cr_assert_eq(errno, ELAST);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_GETEVENT, &ev), 0);
	cr_assert_eq(ev, DAHDI_EVENT_ALARM);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_GETEVENT, &ev), 0);
	cr_assert_eq(ev, DAHDI_EVENT_NONE);
	cr_assert_eq(t.sys->read(t.sys->ctx, fd, buf, sizeof(buf)), -1);
	cr_assert_eq(errno, EAGAIN);
	t.sys->close(t.sys->ctx, fd);
}

Test(sim_abi, event_queue_holds_63)
{
	int fd, ev, n = 0, i, fl = DAHDI_FLUSH_EVENT;

	cr_assert_eq(simtest_chan_fd(&t, 4, &fd), 0);
	for (i = 0; i < 40; i++) {
		sim_span_alarm(sim_span_find(t.sim, 1), DAHDI_ALARM_BLUE);
		sim_span_alarm(sim_span_find(t.sim, 1), 0);
	}
	while (!simtest_ioctl(&t, fd, DAHDI_GETEVENT, &ev) && ev != DAHDI_EVENT_NONE) {
		cr_assert_eq(ev, n % 2 ? DAHDI_EVENT_NOALARM : DAHDI_EVENT_ALARM);
		n++;
	}
	cr_assert_eq(n, DAHDI_MAX_EVENTSIZE - 1);
	sim_span_alarm(sim_span_find(t.sim, 1), DAHDI_ALARM_BLUE);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_FLUSH, &fl), 0);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_GETEVENT, &ev), 0);
	cr_assert_eq(ev, DAHDI_EVENT_NONE, "flushed");
	t.sys->close(t.sys->ctx, fd);
}

Test(sim_abi, when_full_policy_waits_for_all_buffers)
{
	struct dahdi_bufferinfo bi = {
	    .bufsize = 16, .numbufs = 4, .txbufpolicy = DAHDI_POLICY_WHEN_FULL};
	uint8_t blk[16], rx[16];
	int a, b, i;

	simtest_cross12(&t);
	cr_assert_eq(simtest_chan_fd(&t, 1, &a), 0);
	cr_assert_eq(simtest_chan_fd(&t, 32, &b), 0);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_SET_BUFINFO, &bi), 0);
	bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
	cr_assert_eq(simtest_ioctl(&t, b, DAHDI_SET_BUFINFO, &bi), 0);
	memset(blk, 0x11, sizeof(blk));
	for (i = 0; i < 3; i++)
		cr_assert_eq(t.sys->write(t.sys->ctx, a, blk, sizeof(blk)), 16);
	simtest_run_ms(&t, 2);
	/* nothing sent yet: b receives idle, all ones outside audio mode */
	cr_assert_eq(t.sys->read(t.sys->ctx, b, rx, sizeof(rx)), 16);
	cr_assert_eq(rx[0], 0xff);
	cr_assert_eq(t.sys->write(t.sys->ctx, a, blk, sizeof(blk)), 16);
	simtest_run_ms(&t, 2);
	cr_assert_eq(t.sys->read(t.sys->ctx, b, rx, sizeof(rx)), 16);
	cr_assert_eq(rx[15], 0x11, "all four full: transmission started");
	t.sys->close(t.sys->ctx, a);
	t.sys->close(t.sys->ctx, b);
}

Test(sim_abi, rx_overrun_drops_until_read)
{
	struct dahdi_bufferinfo bi = {.bufsize = 16, .numbufs = 2};
	struct sim_span_stats st;
	uint8_t rx[16];
	int a, b;

	simtest_cross12(&t);
	cr_assert_eq(simtest_chan_fd(&t, 5, &a), 0);
	cr_assert_eq(simtest_chan_fd(&t, 36, &b), 0);
	cr_assert_eq(simtest_ioctl(&t, b, DAHDI_SET_BUFINFO, &bi), 0);
	simtest_run_ms(&t, 10);
	sim_span_stats(sim_span_find(t.sim, 2), &st);
	cr_assert_gt(st.rx_overruns, 0);
	cr_assert_eq(t.sys->read(t.sys->ctx, b, rx, sizeof(rx)), 16);
	cr_assert_eq(t.sys->read(t.sys->ctx, b, rx, 4), 4, "a short read takes one buffer");
	cr_assert_eq(t.sys->read(t.sys->ctx, b, rx, sizeof(rx)), -1);
	cr_assert_eq(errno, EAGAIN, "the rest of that buffer is gone");
	t.sys->close(t.sys->ctx, a);
	t.sys->close(t.sys->ctx, b);
}

Test(sim_abi, hook_only_on_analog_and_echocancel_checks)
{
	struct {
		struct dahdi_echocanparams ecp;
		struct dahdi_echocanparam p[DAHDI_MAX_ECHOCANPARAMS + 1];
	} ec;
	int fd, d, v = DAHDI_OFFHOOK;

	cr_assert_eq(simtest_chan_fd(&t, 1, &fd), 0);
	cr_assert_eq(simtest_chan_fd(&t, 16, &d), 0);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_HOOK, &v), EINVAL);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_SETPOLARITY, &v), EINVAL);
	memset(&ec, 0, sizeof(ec));
	ec.ecp.tap_length = 128;
	ec.ecp.param_count = DAHDI_MAX_ECHOCANPARAMS + 1;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_ECHOCANCEL_PARAMS, &ec), EINVAL,
		     "a clear channel opens outside audio mode");
	v = 1;
	cr_assert_eq(simtest_ioctl(&t, d, DAHDI_AUDIOMODE, &v), EINVAL, "only clear channels");
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_AUDIOMODE, &v), 0);
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_ECHOCANCEL_PARAMS, &ec), E2BIG);
	ec.ecp.param_count = 0;
	cr_assert_eq(simtest_ioctl(&t, fd, DAHDI_ECHOCANCEL_PARAMS, &ec), 0);
	cr_assert_eq(simtest_ioctl(&t, d, DAHDI_ECHOCANCEL_PARAMS, &ec), EINVAL);
	t.sys->close(t.sys->ctx, fd);
	t.sys->close(t.sys->ctx, d);
}

static unsigned ready_calls;
static uint32_t ready_mask;

static void ready_h(int fd, uint32_t events, void *arg)
{
	uint8_t buf[160];

	(void)arg;
	ready_calls++;
	ready_mask |= events;
	while (t.sys->read(t.sys->ctx, fd, buf, sizeof(buf)) > 0)
		;
}

Test(sim_abi, readiness_is_delivered_without_epoll)
{
	struct dahdi_bufferinfo bi = {.bufsize = 160, .numbufs = 4};
	int a, b;

	simtest_cross12(&t);
	cr_assert_eq(simtest_chan_fd(&t, 7, &a), 0);
	cr_assert_eq(simtest_chan_fd(&t, 38, &b), 0);
	cr_assert_eq(simtest_ioctl(&t, b, DAHDI_SET_BUFINFO, &bi), 0);
	cr_assert_eq(t.sys->watch(t.sys->ctx, t.loop, b, EPOLLIN | EPOLLPRI, ready_h, NULL), 0);
	simtest_run_ms(&t, 19);
	cr_assert_eq(ready_calls, 0);
	simtest_run_ms(&t, 1);
	cr_assert_eq(ready_calls, 1, "one block of 20 ms");
	cr_assert_eq(ready_mask, EPOLLIN);
	simtest_run_ms(&t, 100);
	cr_assert_eq(ready_calls, 6);
	cr_assert_eq(t.sys->watch(t.sys->ctx, t.loop, b, 0, NULL, NULL), 0);
	simtest_run_ms(&t, 100);
	cr_assert_eq(ready_calls, 6);
	cr_assert_eq(t.sys->watch(t.sys->ctx, t.loop, 77, EPOLLIN, ready_h, NULL), -1);
	cr_assert_eq(errno, EBADF);
	t.sys->close(t.sys->ctx, a);
	t.sys->close(t.sys->ctx, b);
}

/* Take every waiting event; how many were `want`. */
static int events_drain(int fd, int want)
{
	int ev, n = 0;

	while (!simtest_ioctl(&t, fd, DAHDI_GETEVENT, &ev) && ev != DAHDI_EVENT_NONE)
		n += ev == want;
	return n;
}

Test(sim_abi, buffer_events_once_per_episode)
{
	struct dahdi_bufferinfo bi = {.bufsize = 16, .numbufs = 2};
	uint8_t blk[64] = {0};
	int a, b, on = 1;

	simtest_cross12(&t);
	cr_assert_eq(simtest_chan_fd(&t, 10, &a), 0);
	cr_assert_eq(simtest_chan_fd(&t, 41, &b), 0);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_SET_BUFINFO, &bi), 0);
	cr_assert_eq(simtest_ioctl(&t, b, DAHDI_SET_BUFINFO, &bi), 0);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_BUFFER_EVENTS, &on), 0);
	cr_assert_eq(simtest_ioctl(&t, b, DAHDI_BUFFER_EVENTS, &on), 0);
	simtest_run_ms(&t, 10);
	cr_assert_eq(events_drain(a, DAHDI_EVENT_WRITE_UNDERRUN), 1);
	cr_assert_eq(events_drain(b, DAHDI_EVENT_READ_OVERRUN), 1, "b never read");
	cr_assert_eq(t.sys->read(t.sys->ctx, b, blk, sizeof(blk)), 16);
	simtest_run_ms(&t, 10);
	cr_assert_eq(events_drain(b, DAHDI_EVENT_READ_OVERRUN), 1, "after the read, full again");
	/* b never reads: one overrun; a writes 2 ms then runs dry again */
	cr_assert_eq(t.sys->write(t.sys->ctx, a, blk, 16), 16);
	cr_assert_eq(t.sys->write(t.sys->ctx, a, blk, 16), 16);
	simtest_run_ms(&t, 10);
	cr_assert_eq(events_drain(a, DAHDI_EVENT_WRITE_UNDERRUN), 1);
	t.sys->close(t.sys->ctx, a);
	t.sys->close(t.sys->ctx, b);
}

Test(sim_abi, audio_mode_gates_linear_and_gains_and_sets_idle)
{
	struct dahdi_gains g;
	uint8_t rx[160];
	int a, b, v = 1, off = 0;

	simtest_cross12(&t);
	cr_assert_eq(simtest_chan_fd(&t, 11, &a), 0);
	cr_assert_eq(simtest_chan_fd(&t, 42, &b), 0);
	memset(&g, 0, sizeof(g));
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_SETLINEAR, &v), EINVAL);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_GETGAINS, &g), EINVAL);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_AUDIOMODE, &v), 0);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_SETLINEAR, &v), 0);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_GETGAINS, &g), 0);
	cr_assert_eq(g.rxgain[7], 7, "unity");
	simtest_run_ms(&t, 1);
	cr_assert_eq(t.sys->read(t.sys->ctx, b, rx, sizeof(rx)), -1, "8 of 1024 bytes");
	simtest_run_ms(&t, 127);
	cr_assert_eq(t.sys->read(t.sys->ctx, b, rx, sizeof(rx)), 160);
	cr_assert_eq(rx[159], 0xd5, "audio mode idles A-law silence");
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_AUDIOMODE, &off), 0);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_GETGAINS, &g), EINVAL);
	t.sys->close(t.sys->ctx, a);
	cr_assert_eq(simtest_chan_fd(&t, 11, &a), 0);
	cr_assert_eq(simtest_ioctl(&t, a, DAHDI_SETLINEAR, &v), EINVAL, "reopened: out again");
	t.sys->close(t.sys->ctx, a);
	t.sys->close(t.sys->ctx, b);
}
