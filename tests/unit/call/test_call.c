/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the gateway call FSM (src/call/call*.c) with fake legs, the
 * shipped RFC 3398 cause table and a small mapping file, on virtual time.
 * Each test reads like the RFC 3666 flow it checks: what each leg was told.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/call.h"
#include "call/call_int.h"
#include "call/cause.h"
#include "call/limit.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "call_fx.h"
#include "sg_test.h"

static const char plan[] =
	"[trunk itsp]\n"
	"[group pri-a]\n"
	"[group pri-b]\n"
	"[rule barred]\n"
	"dir to-pstn\n"
	"called prefix 09\n"
	"reject 57\n"
	"[rule national]\n"
	"dir to-pstn\n"
	"called prefix 0\n"
	"strip called 1\n"
	"set-ton called national\n"
	"route group pri-a\n"
	"fallback group pri-b\n"
	"[rule to-sip]\n"
	"dir to-sip\n"
	"route trunk itsp\n";

struct fake {
	struct call_leg leg;
	char name[16];
	int setup_rc;
	bool release_inside_setup;
};

static char trail[4096];       /* what the legs were told, in order */
static struct loop *loop;
static struct clk *clk;
static struct route_set *routes;
static struct cause_map *causes;
static struct call_env env;
static struct fake *in_leg;
static struct fake *outs[4];
static unsigned n_outs, n_ended;
static struct cdr last_cdr;
static int setup_rc_for[4];    /* by destination order */
static bool release_inside_setup;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	size_t n = strlen(trail);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(trail + n, sizeof(trail) - n, fmt, ap);
	va_end(ap);
}

static const char *nm(struct call_leg *l) { return ((struct fake *)l)->name; }

static int f_setup(struct call_leg *l, const struct call_setup *s)
{
	struct fake *f = (struct fake *)l;
	say("%s:setup(%s) ", nm(l), s->called.digits);
	if (f->release_inside_setup)
		call_leg_released(l, 34, 0);
	return f->setup_rc;
}
static int f_proceeding(struct call_leg *l) { say("%s:proceeding ", nm(l)); return 0; }
static int f_alerting(struct call_leg *l, bool inband)
{
	say("%s:alerting(%s) ", nm(l), inband ? "inband" : "-");
	return 0;
}
static int f_progress(struct call_leg *l) { say("%s:progress ", nm(l)); return 0; }
static int f_answer(struct call_leg *l) { say("%s:answer ", nm(l)); return 0; }
static void f_release(struct call_leg *l, unsigned cause, unsigned status)
{
	say("%s:release(%u,%u) ", nm(l), cause, status);
}
static void f_describe(const struct call_leg *l, struct cdr *rec)
{
	if (l->side == CALL_SIDE_PSTN) {
		rec->span = 1;
		rec->channel = 5;
	} else {
		snprintf(rec->call_id, sizeof(rec->call_id), "cid-%s", ((struct fake *)l)->name);
	}
}
static void f_destroy(struct call_leg *l) { free(l); }

static const struct call_leg_ops fake_ops = {
	"fake", f_setup, f_proceeding, f_alerting, f_progress, f_answer, f_release,
	f_describe, f_destroy, NULL, /* no transfers (test_call_xfer.c) */
};

static struct fake *fake_new(const char *name, enum call_side side)
{
	struct fake *f = calloc(1, sizeof(*f));
	cr_assert_not_null(f);
	f->leg.ops = &fake_ops;
	f->leg.side = side;
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

static int e_leg_create(struct call *call, const struct route_dest *dest, struct call_leg **legp,
			void *arg)
{
	(void)call;
	(void)arg;
	struct fake *f = fake_new(dest->name, dest->kind == ROUTE_DEST_GROUP ? CALL_SIDE_PSTN
									      : CALL_SIDE_SIP);
	f->setup_rc = setup_rc_for[n_outs];
	f->release_inside_setup = release_inside_setup && n_outs == 0;
	outs[n_outs++] = f;
	*legp = &f->leg;
	return 0;
}

static void e_media(struct call *call, enum call_media what, void *arg)
{
	static const char *const names[] = { "connect", "ringback-on", "ringback-off", "stop" };
	(void)call;
	(void)arg;
	say("media:%s ", names[what]);
}

static void e_ended(struct call *call, const struct cdr *rec, void *arg)
{
	(void)call;
	(void)arg;
	last_cdr = *rec;
	n_ended++;
	say("ended ");
}

static void e_failover(struct call *call, const struct route_dest *from, unsigned cause,
		       void *arg)
{
	(void)call;
	(void)arg;
	say("failover(%s,%u) ", from->name, cause);
}

static const struct call_env_ops env_ops = { e_leg_create, e_media, e_ended, e_failover,
						     NULL };

static void setup(void)
{
	sg_test_begin();
	log_capture_start();
	trail[0] = '\0';
	n_outs = n_ended = 0;
	memset(setup_rc_for, 0, sizeof(setup_rc_for));
	release_inside_setup = false;
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	call_fx_load(&routes, "test.map", plan, &causes);
	env = (struct call_env){ .loop = loop, .ops = &env_ops, .routes = routes,
				 .causes = causes, .t_noanswer = 60 * NS_PER_S, .node = "gw" };
}

static void teardown(void)
{
	loop_run_for(loop, NS_PER_MS); /* deferred frees */
	if (call_count() != 0) /* in .fini: Criterion would ignore an assertion */
		sg_fail_hard("calls left");
	mem_deref(routes);
	mem_deref(causes);
	sg_loop_check(loop);
	mem_deref(loop);
	mem_deref(clk);
	log_capture_stop();
	sg_test_end();
}

TestSuite(call, .init = setup, .fini = teardown);

static bool overlap_open; /* the next incoming() call: RFC 3578, digits follow */

static struct call_leg *incoming(enum call_side side, const char *called, const char *calling)
{
	in_leg = fake_new("in", side);
	struct call_setup s = { .overlap_open = overlap_open };
	overlap_open = false;
	snprintf(s.called.digits, sizeof(s.called.digits), "%s", called);
	s.called.present = true;
	snprintf(s.calling.digits, sizeof(s.calling.digits), "%s", calling);
	s.calling.present = true;
	if (side == CALL_SIDE_SIP)
		strcpy(s.trunk, "itsp");
	else
		strcpy(s.group, "pri-a");
	cr_assert_eq(call_incoming(&env, &in_leg->leg, &s), 0);
	return &in_leg->leg;
}

#define OUT(i) (&outs[i]->leg)

Test(call, fsm_table_is_consistent)
{
	cr_assert_eq(fsm_def_check(&call_fsm_def), 0);
}

/* RFC 3666 §2.1 (SIP → ISDN), successful call, SIP caller hangs up. */
Test(call, sip_to_isdn_success_then_bye)
{
	struct call_leg *in = incoming(CALL_SIDE_SIP, "02079460123", "+441632960001");
	call_leg_proceeding(OUT(0));
	call_leg_alerting(OUT(0), false);
	call_leg_answer(OUT(0));
	clk_advance(clk, 30 * NS_PER_S);
	call_leg_released(in, 0, 0); /* BYE */
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(2079460123) in:alerting(-) "
				"media:connect in:answer pri-a:release(16,0) media:stop ended ");
	cr_assert_eq(n_ended, 1);
	cr_assert_eq(last_cdr.dir, CDR_TO_PSTN);
	cr_assert_str_eq(last_cdr.called_in, "02079460123");
	cr_assert_str_eq(last_cdr.called_out, "2079460123");
	cr_assert_str_eq(last_cdr.rule, "national");
	cr_assert_eq(last_cdr.q850_cause, 16);
	cr_assert_eq(last_cdr.sip_status, 200, "answered: the INVITE's final status");
	cr_assert_eq(last_cdr.span, 1);
	cr_assert_eq(last_cdr.channel, 5);
	cr_assert_str_eq(last_cdr.call_id, "cid-in");
	cr_assert_eq(last_cdr.end - last_cdr.answer, 30 * NS_PER_S);
}

/* ISDN ALERTING with PI 8: early media, so 183 with SDP to the SIP caller. */
Test(call, isdn_inband_alerting_is_early_media)
{
	struct call_leg *in = incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_alerting(OUT(0), true);
	call_leg_answer(OUT(0));
	call_leg_released(OUT(0), 16, 0); /* the PSTN side hangs up */
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) media:connect in:alerting(inband) "
				"in:answer in:release(16,0) media:stop ended ");
	(void)in;
}

/* Busy: cause 17 → 486 (RFC 3398 §7.2.4.1). */
Test(call, isdn_busy_is_486)
{
	incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_released(OUT(0), 17, 0);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) in:release(17,486) ended ");
	cr_assert_eq(last_cdr.sip_status, 486);
}

/* Unallocated number: 1 → 404; congestion 34 → fallback group. */
Test(call, congestion_fails_over_then_unallocated_is_404)
{
	incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_released(OUT(0), 34, 0);
	call_leg_released(OUT(1), 1, 0);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) failover(pri-a,34) pri-b:setup(123) "
				"in:release(1,404) ended ");
	cr_assert(log_capture_has("cause 34: trying the next destination"));
}

Test(call, congestion_on_the_last_destination_is_503)
{
	incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_released(OUT(0), 42, 0);
	call_leg_released(OUT(1), 34, 0);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) failover(pri-a,42) pri-b:setup(123) "
				"in:release(34,503) ended ");
}

/* No free channel on the first group (setup fails): the second takes it.
 * Then an operator hangs up (strowger-ctl): both legs are cleared. */
Test(call, setup_failure_is_congestion)
{
	setup_rc_for[0] = EBUSY;
	incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_answer(OUT(1));
	call_hangup(in_leg->leg.call, 16);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) failover(pri-a,34) "
				"pri-b:setup(123) media:connect "
				"in:answer in:release(16,0) pri-b:release(16,0) media:stop ended ");
	cr_assert(log_capture_has("destination pri-a: Device or resource busy (cause 34)"));
}

/* A leg that reports its end from inside setup, and then fails too. */
Test(call, release_reported_inside_setup)
{
	release_inside_setup = true;
	setup_rc_for[0] = EIO;
	incoming(CALL_SIDE_SIP, "0123", "1");
	cr_assert_eq(n_outs, 2);
	call_leg_released(OUT(1), 17, 0);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) failover(pri-a,34) pri-b:setup(123) "
				"in:release(17,486) ended ");
}

/* CANCEL before answer: DISCONNECT with cause 16 (the stack sends 487). */
Test(call, sip_cancel_clears_isdn_with_16)
{
	struct call_leg *in = incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_alerting(OUT(0), false);
	call_leg_released(in, 0, 487);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) in:alerting(-) "
				"pri-a:release(16,0) ended ");
}

Test(call, barred_number_is_rejected_by_the_plan)
{
	incoming(CALL_SIDE_SIP, "09098790000", "1");
	cr_assert_str_eq(trail, "in:release(57,403) ended ");
	cr_assert_str_eq(last_cdr.rule, "barred");
	cr_assert_eq(n_outs, 0);
}

Test(call, no_route_is_cause_3)
{
	incoming(CALL_SIDE_SIP, "5551234", "1");
	cr_assert_str_eq(trail, "in:release(3,404) ended ");
}

/* No answer after alerting: 19 → 480; without alerting: 18 → 408. */
Test(call, no_answer_timers)
{
	incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_alerting(OUT(0), false);
	loop_run_for(loop, 59 * NS_PER_S);
	cr_assert_eq(n_ended, 0);
	loop_run_for(loop, 1 * NS_PER_S);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) in:alerting(-) "
				"in:release(19,480) pri-a:release(19,0) ended ");
	trail[0] = '\0';
	incoming(CALL_SIDE_SIP, "0123", "1");
	loop_run_for(loop, 60 * NS_PER_S);
	cr_assert(strstr(trail, "in:release(18,408) pri-a:release(18,0) ended"), "%s", trail);
}

/* RFC 3666 §3 (ISDN → SIP): 180 without SDP gives a local ringback. */
Test(call, isdn_to_sip_ringback_then_answer)
{
	struct call_leg *in = incoming(CALL_SIDE_PSTN, "+442079460111", "2001");
	call_leg_proceeding(OUT(0));
	call_leg_alerting(OUT(0), false);
	call_leg_answer(OUT(0));
	call_leg_released(in, 16, 0);
	cr_assert_str_eq(trail, "in:proceeding itsp:setup(+442079460111) media:ringback-on "
				"in:alerting(inband) media:ringback-off media:connect in:answer "
				"itsp:release(16,0) media:stop ended ");
	cr_assert_eq(last_cdr.dir, CDR_TO_SIP);
	cr_assert_str_eq(last_cdr.call_id, "cid-itsp");
}

/* 183 with SDP: PROGRESS with PI 8, the far end's audio passed through. */
/* Ringback alone (no media ever connected): STOP still follows, so the
 * gateway can free what it made for the ringback. */
Test(call, ringback_alone_is_stopped_too)
{
	incoming(CALL_SIDE_PSTN, "123", "2001");
	call_leg_alerting(OUT(0), false);
	call_leg_released(OUT(0), 0, 480);
	cr_assert_str_eq(trail, "in:proceeding itsp:setup(123) media:ringback-on "
				"in:alerting(inband) in:release(18,480) media:ringback-off "
				"media:stop ended ");
}

Test(call, sip_early_media_is_isdn_progress)
{
	incoming(CALL_SIDE_PSTN, "123", "2001");
	call_leg_progress(OUT(0));
	call_leg_released(OUT(0), 0, 486); /* SIP busy → cause 17 */
	cr_assert_str_eq(trail, "in:proceeding itsp:setup(123) media:connect in:progress "
				"in:release(17,486) media:stop ended ");
}

/* A Reason header's cause wins over the status (RFC 6432): the SIP leg
 * reports both and the call passes the cause on. */
Test(call, reason_cause_passes_through)
{
	incoming(CALL_SIDE_PSTN, "123", "2001");
	call_leg_released(OUT(0), 34, 503);
	cr_assert_str_eq(trail, "in:proceeding itsp:setup(123) in:release(34,503) ended ");
}

/* D-channel lost mid-call: cause 41 reaches the SIP side (BYE with Reason). */
Test(call, dchannel_loss_mid_call)
{
	struct call_leg *in = incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_answer(OUT(0));
	call_leg_released(OUT(0), 41, 0);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) media:connect in:answer "
				"in:release(41,503) media:stop ended ");
	(void)in;
}

/* Events from the wrong leg, or after the end, change nothing. */
Test(call, stray_events_are_ignored)
{
	struct call_leg *in = incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_answer(in);            /* an incoming leg cannot answer */
	call_leg_released(OUT(0), 17, 0);
	call_leg_answer(OUT(0));        /* gone already */
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) in:release(17,486) ended ");
	cr_assert_eq(n_ended, 1);
}

/* Reloading the plan never touches a call: it keeps its own reference. */
Test(call, call_keeps_its_route_set)
{
	struct call_leg *in = incoming(CALL_SIDE_SIP, "0123", "1");
	struct route_set *old = routes;
	routes = NULL;
	env.routes = NULL;
	mem_deref(old); /* the gateway dropped it; the call still holds one */
	call_leg_answer(OUT(0));
	call_leg_released(in, 0, 0);
	cr_assert(strstr(trail, "ended"));
	loop_run_for(loop, NS_PER_MS);
}

/* Timer B or a transport error on the first destination: no cause of the
 * congestion class (408 → 102), yet the next destination is tried; on the
 * last one the caller hears the timeout. */
Test(call, unreachable_destination_fails_over)
{
	incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_unreachable(OUT(0), 408);
	call_leg_unreachable(OUT(1), 408);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) failover(pri-a,102) "
				"pri-b:setup(123) in:release(102,408) ended ");
	cr_assert(log_capture_has("cause 102 (unreachable): trying the next destination"));
}

/* A 408 that came as a response is the far end's answer, not congestion. */
Test(call, a_408_response_does_not_fail_over)
{
	incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_released(OUT(0), 0, 408);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) in:release(102,408) ended ");
}

/* A full first destination (setup says EBUSY) counts as a failover too. */
Test(call, setup_refusal_is_a_failover)
{
	setup_rc_for[0] = EBUSY;
	incoming(CALL_SIDE_SIP, "0123", "1");
	call_leg_released(OUT(1), 16, 0);
	cr_assert_str_eq(trail, "in:proceeding pri-a:setup(123) failover(pri-a,34) "
				"pri-b:setup(123) in:release(16,0) ended ");
}

/* Places in a limit go back as soon as a leg is finished: the leg that
 * failed over at once, the others when the call ends. */
Test(call, legs_give_back_their_places)
{
	struct call_limit *lim;
	cr_assert_eq(call_limit_alloc(&lim), 0);
	struct call_leg *in = incoming(CALL_SIDE_SIP, "0123", "1");
	cr_assert_eq(call_leg_limit_take(in, lim, false, 0, NULL), 0);
	cr_assert_eq(call_leg_limit_take(OUT(0), lim, true, 0, NULL), 0);
	call_leg_released(OUT(0), 34, 0);
	cr_assert_eq(lim->calls[1], 0, "the failed destination's place is free");
	cr_assert_eq(call_leg_limit_take(OUT(1), lim, true, 0, NULL), 0);
	call_leg_answer(OUT(1));
	cr_assert_eq(lim->calls[0] + lim->calls[1], 2);
	call_hangup(in->call, 16);
	cr_assert_eq(lim->calls[0] + lim->calls[1], 0);
	loop_run_for(loop, NS_PER_MS);
	cr_assert_eq(lim->total[0] + lim->total[1], 3);
	mem_deref(lim);
}

/* RFC 3578 overlap into SIP: each digit cancels the pending INVITE for a
 * new one; a 484 waits for the next digit; digits after the far end rang
 * change nothing. */
Test(call, rfc3578_an_attempt_per_digit)
{
	overlap_open = true;
	struct call_leg *in = incoming(CALL_SIDE_PSTN, "1", "2001");
	call_leg_digits(in, "2", false);
	call_leg_released(OUT(1), 0, 484);
	cr_assert_str_eq(call_state(in->call), "CALLING", "waiting for digits");
	call_leg_digits(in, "3", true);
	call_leg_alerting(OUT(2), false);
	call_leg_digits(in, "4", true);
	call_leg_released(in, 16, 0);
	cr_assert_str_eq(trail, "in:proceeding itsp:setup(1) itsp:release(16,0) itsp:setup(12) "
				"itsp:setup(123) media:ringback-on in:alerting(inband) "
				"itsp:release(16,0) media:ringback-off media:stop ended ");
	cr_assert_str_eq(last_cdr.called_in, "123");
}

/* A 484 and then the last digit (T302): cleared with 28; a number that
 * grows past ROUTE_NUM_MAX likewise. */
Test(call, rfc3578_484_then_final_is_28)
{
	overlap_open = true;
	struct call_leg *in = incoming(CALL_SIDE_PSTN, "1", "2001");
	call_leg_released(OUT(0), 0, 484);
	call_leg_digits(in, "", true);
	cr_assert_str_eq(trail, "in:proceeding itsp:setup(1) in:release(28,484) ended ");
	trail[0] = '\0';
	n_outs = 0;
	overlap_open = true;
	in = incoming(CALL_SIDE_PSTN, "1", "2001");
	call_leg_digits(in, "234567890123456789012345678901234", false);
	cr_assert(strstr(trail, "in:release(28,484)"), "%s", trail);
	loop_run_for(loop, NS_PER_MS); /* the first call's deferred free */
}

/* What strowger-ctl calls shows of a call: both legs in one word each, and
 * the answer time (0 until answered). */
Test(call, legs_as_text_and_answer_time)
{
	char buf[64];
	call_leg_text(NULL, buf, sizeof(buf));
	cr_assert_str_eq(buf, "-");
	struct call_leg *in = incoming(CALL_SIDE_SIP, "0123", "1");
	struct call *call = in->call;
	call_leg_text(call_leg_in(call), buf, sizeof(buf));
	cr_assert_str_eq(buf, "fake:cid-in");
	call_leg_text(call_leg_out(call), buf, sizeof(buf));
	cr_assert_str_eq(buf, "fake:1/5");
	call_leg_text(call_leg_in(call), buf, 6);
	cr_assert_str_eq(buf, "fake:", "cut to the buffer");
	cr_assert_eq(call_answer_time(call), 0);
	clk_advance(clk, 2 * NS_PER_S);
	call_leg_answer(OUT(0));
	cr_assert_eq(call_answer_time(call), call_start_time(call) + 2 * NS_PER_S);
	call_leg_released(in, 0, 0);
}
