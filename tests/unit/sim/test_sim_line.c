/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Analog lines on the sim through drivers/dahdi: an FXS-signalled channel
 * (towards a CO) crossed with an FXO-signalled one (a phone's port).
 */
#include <sys/socket.h>

#include "tests/unit/sim/simtest.h"

static struct simtest t;

#define MAXEV 16

struct line {
	struct tdm_chan *ch;
	unsigned nev;
	enum tdm_event ev[MAXEV];
};

static struct line co, phone; /* co: fxsks=63; phone: fxoks=64 */

static void event_h(struct tdm_chan *ch, const struct tdm_ev *ev, void *arg)
{
	struct line *l = arg;

	(void)ch;
	cr_assert_lt(l->nev, MAXEV);
	l->ev[l->nev++] = ev->type;
}

static void setup(void)
{
	struct tdm_chan_prm pc = {.channo = 63, .eventh = event_h, .arg = &co};
	struct tdm_chan_prm pp = {.channo = 64, .eventh = event_h, .arg = &phone};

	simtest_init(&t, SIMTEST_CONF, 0);
	cr_assert_eq(sim_line_cross(t.sim, 63, 64), 0);
	memset(&co, 0, sizeof(co));
	memset(&phone, 0, sizeof(phone));
	cr_assert_eq(tdm_chan_open(&co.ch, t.tdm, &pc), 0);
	cr_assert_eq(tdm_chan_open(&phone.ch, t.tdm, &pp), 0);
}

static void teardown(void)
{
	co.ch = mem_deref(co.ch);
	phone.ch = mem_deref(phone.ch);
	simtest_fini(&t);
}

TestSuite(sim_line, .init = setup, .fini = teardown);

Test(sim_line, cross_checks)
{
	cr_assert_eq(sim_line_cross(t.sim, 63, 64), EBUSY);
	cr_assert_eq(sim_line_cross(t.sim, 1, 64), EINVAL, "a B-channel is no line");
	cr_assert_eq(sim_line_cross(t.sim, 63, 999), EINVAL);
}

Test(sim_line, ring_answer_hangup)
{
	struct tdm_chan_info info;

	/* the phone port rings the line */
	cr_assert_eq(tdm_chan_hook(phone.ch, TDM_HOOK_RING), 0);
	simtest_run_ms(&t, 1);
	cr_assert_eq(phone.nev, 1);
	cr_assert_eq(phone.ev[0], TDM_EV_RINGERON);
	cr_assert_eq(co.nev, 2);
	cr_assert_eq(co.ev[0], TDM_EV_RINGBEGIN);
	cr_assert_eq(co.ev[1], TDM_EV_RINGOFFHOOK);
	cr_assert_eq(tdm_chan_info(co.ch, &info), 0);
	cr_assert(info.rx_offhook, "ringing voltage seen");
	cr_assert_eq(info.sig, TDM_SIG_FXSKS);

	/* the CO side answers: the ringer stops, the phone port sees off-hook */
	cr_assert_eq(tdm_chan_hook(co.ch, TDM_HOOK_OFF), 0);
	simtest_run_ms(&t, 1);
	cr_assert_eq(phone.nev, 3);
	cr_assert_eq(phone.ev[1], TDM_EV_RINGEROFF);
	cr_assert_eq(phone.ev[2], TDM_EV_RINGOFFHOOK);
	cr_assert_eq(tdm_chan_info(phone.ch, &info), 0);
	cr_assert(info.rx_offhook);
	cr_assert_eq(tdm_chan_hook(phone.ch, TDM_HOOK_RING), EBUSY);

	/* flash, polarity, then the phone port disconnects (kewlstart) */
	cr_assert_eq(tdm_chan_hook(co.ch, TDM_HOOK_FLASH), 0);
	cr_assert_eq(tdm_chan_polarity(phone.ch, true), 0);
	cr_assert_eq(tdm_chan_polarity(phone.ch, true), 0, "no change, no event");
	cr_assert_eq(tdm_chan_hook(phone.ch, TDM_HOOK_ON), 0);
	simtest_run_ms(&t, 1);
	cr_assert_eq(phone.ev[3], TDM_EV_WINKFLASH);
	cr_assert_eq(co.nev, 5);
	cr_assert_eq(co.ev[2], TDM_EV_HOOKCOMPLETE);
	cr_assert_eq(co.ev[3], TDM_EV_POLARITY);
	cr_assert_eq(co.ev[4], TDM_EV_ONHOOK);
	cr_assert_eq(tdm_chan_hook(co.ch, TDM_HOOK_ON), 0);
	simtest_run_ms(&t, 1);
	cr_assert_eq(phone.nev, 5);
	cr_assert_eq(phone.ev[4], TDM_EV_ONHOOK);
}

Test(sim_line, wrong_requests_per_side)
{
	cr_assert_eq(tdm_chan_hook(co.ch, TDM_HOOK_RING), EINVAL);
	cr_assert_eq(tdm_chan_hook(co.ch, TDM_HOOK_WINK), EINVAL);
	cr_assert_eq(tdm_chan_hook(co.ch, TDM_HOOK_FLASH), EINVAL, "flash needs off-hook");
	cr_assert_eq(tdm_chan_hook(co.ch, TDM_HOOK_START), EINVAL, "loop/kewl start");
	cr_assert_eq(tdm_chan_polarity(co.ch, true), EINVAL);
	cr_assert_eq(tdm_chan_hook(phone.ch, TDM_HOOK_FLASH), EINVAL);
	cr_assert_eq(tdm_chan_hook(phone.ch, TDM_HOOK_OFF), 0);
	cr_assert_eq(tdm_chan_hook(phone.ch, TDM_HOOK_RINGOFF), 0);
	simtest_run_ms(&t, 1);
	cr_assert_eq(phone.nev + co.nev, 0);
}

/* The same line with its two ends in different sims joined by a socket
 * (LINE messages of the remote wire format). */
Test(sim_line, remote_line_rings_and_answers)
{
	struct sim_prm pco = {.text = "fxsks=1\n"}, pph = {.text = "fxoks=1\n"};
	struct conf_diag diag;
	struct sim *sco, *sph;
	struct tdm *tco, *tph;
	struct line rco = {0}, rph = {0};
	struct tdm_chan_prm pc = {.channo = 1, .eventh = event_h, .arg = &rco};
	struct tdm_chan_prm pp = {.channo = 1, .eventh = event_h, .arg = &rph};
	struct tdm_chan_info info;
	int sv[2];

	conf_diag_init(&diag);
	cr_assert_eq(sim_alloc(&sco, t.loop, &pco, &diag), 0);
	cr_assert_eq(sim_alloc(&sph, t.loop, &pph, &diag), 0);
	conf_diag_reset(&diag);
	cr_assert_eq(tdm_alloc(&tco, t.loop, sim_sys(sco)), 0);
	cr_assert_eq(tdm_alloc(&tph, t.loop, sim_sys(sph)), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	cr_assert_eq(sim_span_remote(sim_span_find(sco, 1), sv[0]), 0);
	cr_assert_eq(sim_span_remote(sim_span_find(sph, 1), sv[1]), 0);
	cr_assert_eq(tdm_chan_open(&rco.ch, tco, &pc), 0);
	cr_assert_eq(tdm_chan_open(&rph.ch, tph, &pp), 0);
	simtest_run_ms(&t, 3);
	rco.nev = rph.nev = 0; /* NOALARM when the link came up */

	cr_assert_eq(tdm_chan_hook(rph.ch, TDM_HOOK_RING), 0);
	simtest_run_ms(&t, 3);
	cr_assert_eq(rco.nev, 2);
	cr_assert_eq(rco.ev[0], TDM_EV_RINGBEGIN);
	cr_assert_eq(rco.ev[1], TDM_EV_RINGOFFHOOK);
	cr_assert_eq(tdm_chan_info(rco.ch, &info), 0);
	cr_assert(info.rx_offhook);
	cr_assert_eq(tdm_chan_hook(rco.ch, TDM_HOOK_OFF), 0);
	simtest_run_ms(&t, 3);
	cr_assert_eq(rph.nev, 3);
	cr_assert_eq(rph.ev[0], TDM_EV_RINGERON);
	cr_assert_eq(rph.ev[1], TDM_EV_RINGEROFF);
	cr_assert_eq(rph.ev[2], TDM_EV_RINGOFFHOOK);
	cr_assert_eq(tdm_chan_polarity(rph.ch, true), 0);
	cr_assert_eq(tdm_chan_hook(rph.ch, TDM_HOOK_ON), 0);
	simtest_run_ms(&t, 3);
	cr_assert_eq(rco.nev, 4);
	cr_assert_eq(rco.ev[2], TDM_EV_POLARITY);
	cr_assert_eq(rco.ev[3], TDM_EV_ONHOOK);

	mem_deref(rco.ch);
	mem_deref(rph.ch);
	mem_deref(tco);
	mem_deref(tph);
	mem_deref(sco);
	mem_deref(sph);
}
