/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the D-channel and the interface.  Link loss mid-call (cause 41
 * both ways, the link comes back and RESTARTs the lost channels), RESTART of
 * a channel and of the interface, BRI point-to-point and point-to-multipoint,
 * and bad input on the wire handled per Q.931 §5.8 without a crash.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "isdn_b2b.h"
#include "pstn/isdn_int.h"
#include "pstn/isdn_q931.h"
#include "sg_test.h"

static struct b2b b;
#define NET (&b.side[0])
#define CPE (&b.side[1])
#define MS  NS_PER_MS

static void setup(void)
{
	b2b_test_begin(&b);
}

static void teardown(void)
{
	b2b_test_end(&b);
}

TestSuite(isdn_link, .init = setup, .fini = teardown);

/* An answered call from `from`; returns with both ends ACTIVE. */
static void active_call(unsigned from)
{
	b.side[!from].mode = B2B_ANSWER;
	cr_assert_eq(b2b_call(&b, from, "200", "100", true), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(b.side[from].answers, 1, "%s", b.side[from].log);
}

static void hangup_all(void)
{
	for (unsigned i = 0; i < b.nsides; i++)
		for (int c = 1; c <= ISDN_MAX_CHAN; c++) {
			struct isdn_call *call = isdn_ctrl_chan_call(b.side[i].ctrl, c);
			if (call && strcmp(isdn_call_state(call), "ACTIVE") == 0)
				isdn_call_hangup(call, 16);
		}
	b2b_run(&b, 100 * MS);
}

static void call_works_again(void)
{
	NET->answers = 0;
	active_call(0);
	isdn_call_hangup(NET->call, 16);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 0);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 0);
}

static unsigned restarts_seen;
static bool tap_restart(unsigned from, const uint8_t *frame, size_t len, void *arg)
{
	(void)from;
	(void)arg;
	if (isdn_frame_mt(frame, len) == Q931_RESTART)
		restarts_seen++;
	return true;
}

Test(isdn_link, d_channel_loss_mid_call_clears_with_41_and_recovers)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	restarts_seen = 0;
	isdn_pipe_tap(b.pipe, tap_restart, NULL);
	active_call(1);
	isdn_pipe_set_up(b.pipe, false);
	b2b_run(&b, 60 * NS_PER_S); /* T200 x N200, then T203 */
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(b.side[i].link_downs, 1, "side %d: %s", i, b.side[i].log);
		cr_assert_eq(b.side[i].hangups, 1);
		cr_assert_eq(b.side[i].last_cause, 41);
		cr_assert_eq(isdn_ctrl_ncalls(b.side[i].ctrl), 0);
		cr_assert(!isdn_ctrl_is_up(b.side[i].ctrl));
	}
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), ENOTCONN);
	isdn_pipe_set_up(b.pipe, true);
	b2b_run(&b, 30 * NS_PER_S);
	cr_assert(isdn_ctrl_is_up(NET->ctrl) && isdn_ctrl_is_up(CPE->ctrl));
	cr_assert_eq(NET->link_ups, 2);
	cr_assert_eq(restarts_seen, 2, "each end restarts the channel it lost a call on");
	call_works_again();
}

Test(isdn_link, physical_layer_alarm_clears_at_once)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	active_call(0);
	isdn_ctrl_link_down(CPE->ctrl);
	cr_assert_eq(CPE->hangups, 1, "cleared without waiting for Q.921");
	cr_assert_eq(CPE->last_cause, 41);
	b2b_run(&b, 60 * NS_PER_S);
	cr_assert_eq(NET->last_cause, 41, "%s", NET->log);
	isdn_ctrl_link_up(CPE->ctrl);
	b2b_run(&b, 30 * NS_PER_S);
	cr_assert(isdn_ctrl_is_up(CPE->ctrl));
	call_works_again();
}

Test(isdn_link, restart_one_channel)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	active_call(0);
	cr_assert_eq(isdn_ctrl_restart(NET->ctrl, 1), 0);
	cr_assert_eq(NET->last_cause, 41);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(CPE->hangups, 1, "%s", CPE->log);
	cr_assert_eq(CPE->last_cause, 41);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 0);
	cr_assert_eq(isdn_ctrl_restart(NET->ctrl, 16), EINVAL);
	call_works_again();
}

Test(isdn_link, restart_whole_interface_from_cpe)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	active_call(0);
	NET->answers = 0;
	active_call(0);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 2);
	cr_assert_eq(isdn_ctrl_restart(CPE->ctrl, 0), 0);
	cr_assert_eq(CPE->hangups, 2);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(NET->hangups, 2, "%s", NET->log);
	cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 0);
	call_works_again();
}

static void bri_calls(enum isdn_iface iface, unsigned nsides)
{
	b2b_start(&b, iface, ISDN_SW_EUROISDN_E1, nsides);
	for (unsigned i = 1; i < nsides; i++)
		b.side[i].mode = B2B_ANSWER;
	cr_assert_eq(b2b_call(&b, 0, "200", "100", true), 0);
	b2b_run(&b, 200 * MS);
	cr_assert_eq(NET->answers, 1, "%s", NET->log);
	struct isdn_call *first = NET->call;
	cr_assert_eq(isdn_call_chan(first), 1);
	/* the second B-channel, the other way */
	NET->mode = B2B_ANSWER;
	cr_assert_eq(b2b_call(&b, 1, "300", "200", true), 0);
	b2b_run(&b, 200 * MS);
	cr_assert_eq(CPE->answers, 1, "%s", CPE->log);
	cr_assert_eq(isdn_call_chan(CPE->call), 2);
	cr_assert_eq(b2b_call(&b, 1, "400", "200", true), EBUSY, "BRI has two B-channels");
	isdn_call_hangup(CPE->call, 16); /* a clear collision with ... */
	isdn_call_hangup(first, 16);	 /* ... a normal clearing */
	b2b_run(&b, 200 * MS);
	for (unsigned i = 0; i < nsides; i++)
		cr_assert_eq(isdn_ctrl_ncalls(b.side[i].ctrl), 0, "side %u", i);
}

Test(isdn_link, bri_point_to_point)
{
	bri_calls(ISDN_BRI_PTP, 2);
}

Test(isdn_link, bri_point_to_multipoint_one_te)
{
	bri_calls(ISDN_BRI_PTMP, 2);
}

Test(isdn_link, bri_point_to_multipoint_two_terminals)
{
	b2b_start(&b, ISDN_BRI_PTMP, ISDN_SW_EUROISDN_E1, 3);
	b.side[1].mode = B2B_ALERT;
	b.side[2].mode = B2B_ANSWER;
	cr_assert_eq(b2b_call(&b, 0, "200", "100", true), 0);
	b2b_run(&b, 500 * MS);
	cr_assert_eq(b.side[1].incomings, 1, "the SETUP is broadcast");
	cr_assert_eq(b.side[2].incomings, 1);
	cr_assert_eq(NET->answers, 1, "%s", NET->log);
	cr_assert_eq(b.side[1].hangups, 1, "the terminal that did not answer is cleared");
	cr_assert_eq(b.side[1].last_cause, 26);
	isdn_call_hangup(NET->call, 16);
	b2b_run(&b, 500 * MS);
	cr_assert_eq(b.side[2].last_cause, 16);
	for (unsigned i = 0; i < 3; i++)
		cr_assert_eq(isdn_ctrl_ncalls(b.side[i].ctrl), 0, "side %u", i);
}

/* --- Bad input (Q.931 §5.8) ------------------------------------------- */

enum mangle_op { M_NONE, M_SET_MT, M_APPEND, M_DROP_IE, M_OVERRUN };

struct mangle {
	unsigned from;
	int mt; /* the message to mangle */
	enum mangle_op op;
	uint8_t arg;
	uint8_t extra[16];
	size_t nextra;
	unsigned done;
};

static bool q931_at(const uint8_t *d, size_t len, size_t *mt_off)
{
	if (isdn_frame_mt(d, len) < 0)
		return false;
	*mt_off = 6 + (d[5] & 0x0f);
	return true;
}

static void mangle_h(unsigned from, uint8_t *d, size_t *len, void *arg)
{
	struct mangle *m = arg;
	size_t mt;
	if (from != m->from || m->done || !q931_at(d, *len, &mt) || d[mt] != m->mt)
		return;
	m->done++;
	switch (m->op) {
	case M_SET_MT:
		d[mt] = m->arg;
		break;
	case M_APPEND:
		memcpy(d + *len, m->extra, m->nextra);
		*len += m->nextra;
		break;
	case M_OVERRUN: /* the last IE claims more bytes than there are */
	case M_DROP_IE:
		for (size_t i = mt + 1; i + 1 < *len;) {
			if (d[i] & 0x80) {
				i++;
				continue;
			}
			size_t l = d[i + 1];
			if (m->op == M_DROP_IE && d[i] == m->arg && i + 2 + l <= *len) {
				memmove(d + i, d + i + 2 + l, *len - i - 2 - l);
				*len -= 2 + l;
				return;
			}
			if (m->op == M_OVERRUN && i + 2 + l >= *len) {
				d[i + 1] = 200;
				return;
			}
			i += 2 + l;
		}
		break;
	default:
		break;
	}
}

static unsigned status_seen;
static bool tap_status(unsigned from, const uint8_t *frame, size_t len, void *arg)
{
	(void)from;
	(void)arg;
	if (isdn_frame_mt(frame, len) == Q931_STATUS)
		status_seen++;
	return true;
}

static struct mangle mg;

static void start_mangled(void)
{
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	status_seen = 0;
	isdn_pipe_tap(b.pipe, tap_status, NULL);
	isdn_pipe_mangle(b.pipe, mangle_h, &mg);
}

Test(isdn_link, unknown_message_type_answered_with_status)
{
	mg = (struct mangle){.from = 0, .mt = Q931_ALERTING, .op = M_SET_MT, .arg = 0x7e};
	start_mangled();
	active_call(1); /* the ALERTING never arrives as such; CONNECT does */
	cr_assert_eq(mg.done, 1);
	cr_assert_geq(status_seen, 1, "STATUS (cause 97) expected");
	hangup_all();
	call_works_again();
}

Test(isdn_link, unknown_information_elements_are_ignored)
{
	/* codeset 0 IE 0x35 (unassigned) and a locking shift to codeset 6 */
	mg = (struct mangle){.from = 1,
			     .mt = Q931_SETUP,
			     .op = M_APPEND,
			     .extra = {0x35, 0x02, 0xaa, 0xbb, 0x96, 0x7f, 0x01, 0x00},
			     .nextra = 8};
	start_mangled();
	active_call(1);
	cr_assert_eq(NET->incomings, 1);
	cr_assert_str_eq(NET->setup.called.digits, "200");
	hangup_all();
	call_works_again();
}

Test(isdn_link, setup_without_bearer_capability_is_refused_with_96)
{
	mg = (struct mangle){
	    .from = 1, .mt = Q931_SETUP, .op = M_DROP_IE, .arg = Q931_IE_BEARER_CAP};
	start_mangled();
	NET->mode = B2B_ANSWER;
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 200 * MS);
	cr_assert_eq(NET->incomings, 0);
	cr_assert_eq(CPE->hangups, 1, "%s", CPE->log);
	cr_assert_eq(CPE->last_cause, 96);
	call_works_again();
}

Test(isdn_link, information_element_longer_than_message)
{
	mg = (struct mangle){.from = 0, .mt = Q931_CONNECT, .op = M_OVERRUN};
	start_mangled();
	CPE->mode = B2B_NOTHING;
	NET->mode = B2B_ANSWER;
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 30 * NS_PER_S);
	cr_assert_eq(mg.done, 1);
	/* whatever libpri made of it, both ends agree in the end */
	if (CPE->call)
		isdn_call_hangup(CPE->call, 16);
	b2b_run(&b, 60 * NS_PER_S);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 0);
	cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 0, "%s", NET->log);
	call_works_again();
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

Test(isdn_link, garbage_on_the_wire_never_crashes)
{
	uint8_t f[300];
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	active_call(0);
	for (int i = 0; i < 3000; i++) {
		size_t len = rnd() % sizeof(f);
		for (size_t k = 0; k < len; k++)
			f[k] = (uint8_t)rnd();
		if (i % 3 == 0 && len > 6) { /* mostly plausible headers */
			f[0] = 0x00 | (rnd() & 2);
			f[1] = 0x01;
			f[4] = Q931_PD_Q931;
			f[5] = (uint8_t)(rnd() % 3);
		}
		isdn_pipe_inject(b.pipe, rnd() % 2, f, len);
		if (i % 50 == 0)
			b2b_run(&b, 10 * MS);
	}
	b2b_run(&b, 120 * NS_PER_S);
	for (unsigned i = 0; i < 2; i++) {
		struct isdn_call *c = isdn_ctrl_chan_call(b.side[i].ctrl, 1);
		if (c)
			isdn_call_hangup(c, 16);
	}
	b2b_run(&b, 120 * NS_PER_S);
	cr_assert(isdn_ctrl_is_up(NET->ctrl) && isdn_ctrl_is_up(CPE->ctrl));
	cr_assert_eq(isdn_ctrl_ncalls(NET->ctrl), 0);
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 0);
	call_works_again();
}

Test(isdn_link, short_and_long_frames_are_ignored)
{
	static const uint8_t big[ISDN_PIPE_FRAME_MAX] = {0};
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	for (size_t len = 0; len < 3; len++)
		isdn_pipe_inject(b.pipe, 0, big, len);
	isdn_pipe_inject(b.pipe, 1, big, sizeof(big));
	b2b_run(&b, 100 * MS);
	cr_assert(isdn_ctrl_is_up(NET->ctrl) && isdn_ctrl_is_up(CPE->ctrl));
	call_works_again();
}

/* A call layer that places a new call from its hangup handler while the
 * interface is being restarted: the new call survives, nothing loops. */
static void h_replace(struct isdn_call *call, unsigned cause, unsigned loc, void *arg)
{
	struct b2b_side *s = arg;
	struct isdn_call_prm prm = {.complete = true};
	(void)call;
	(void)loc;
	s->hangups++;
	s->last_cause = cause;
	snprintf(prm.called.digits, sizeof(prm.called.digits), "999");
	if (s->hangups < 100)
		isdn_call_place(s->ctrl, &s->call, &prm, NULL);
}

Test(isdn_link, restart_while_the_call_layer_places_calls)
{
	static struct isdn_handlers h;
	b2b_start(&b, ISDN_PRI_E1, ISDN_SW_EUROISDN_E1, 2);
	active_call(0);
	h = b2b_handlers;
	h.hangup = h_replace;
	CPE->ctrl->h = h; /* this test only: a call layer that redials at once */
	cr_assert_eq(isdn_ctrl_restart(CPE->ctrl, 0), 0);
	cr_assert_eq(CPE->hangups, 1, "only the call that existed was cleared");
	cr_assert_eq(isdn_ctrl_ncalls(CPE->ctrl), 1, "the new call is there");
	NET->mode = B2B_ANSWER;
	b2b_run(&b, 20 * NS_PER_S);
	cr_assert_str_eq(isdn_call_state(CPE->call), "ACTIVE", "after the far end's RESTART");
	isdn_call_hangup(CPE->call, 16);
	b2b_run(&b, 20 * NS_PER_S);
	hangup_all();
	b2b_run(&b, 60 * NS_PER_S);
}
