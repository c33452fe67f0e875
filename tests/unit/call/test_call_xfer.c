/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: blind transfer in the call layer (src/call/call_xfer.c, RFC
 * 3515 / RFC 5589 §6) with fake legs on virtual time.  The SIP party of an
 * answered call asks for the PSTN party to be connected to a target; each
 * test reads as the ladder of what every leg was told.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/call.h"
#include "call/call_int.h"
#include "call/cause.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sg_test.h"

/* PSTN → SIP goes to the trunk; SIP → PSTN to the group; numbers from
 * 09 are barred both ways; 8xx to the PSTN only (no SIP destination). */
static const char plan[] =
	"[trunk itsp]\n"
	"[trunk backup]\n"
	"[group pri-a]\n"
	"[rule barred]\n"
	"called prefix 09\n"
	"reject 57\n"
	"[rule to-pstn]\n"
	"dir to-pstn\n"
	"route group pri-a\n"
	"[rule pstn-only]\n"
	"dir to-sip\n"
	"called prefix 8\n"
	"route group pri-a\n"
	"[rule to-sip]\n"
	"dir to-sip\n"
	"route trunk itsp\n"
	"fallback trunk backup\n";

struct fake {
	struct call_leg leg;
	char name[16];
	int setup_rc;
};

static char trail[4096];
static struct loop *loop;
static struct clk *clk;
static struct route_set *routes;
static struct cause_map *causes;
static struct call_env env;
static struct fake *outs[8];
static unsigned n_outs, n_ended, n_records;
static struct cdr last_cdr, first_cdr;
static struct call_setup last_setup;
static int setup_rc_next;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	size_t n = strlen(trail);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(trail + n, sizeof(trail) - n, fmt, ap);
	va_end(ap);
}

static const char *nm(const struct call_leg *l) { return ((const struct fake *)l)->name; }

static int f_setup(struct call_leg *l, const struct call_setup *s)
{
	say("%s:setup(%s<-%s) ", nm(l), s->called.digits, s->calling.digits);
	last_setup = *s;
	return ((struct fake *)l)->setup_rc;
}
static int f_proceeding(struct call_leg *l) { (void)l; return 0; }
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
		snprintf(rec->call_id, sizeof(rec->call_id), "cid-%s", nm(l));
	}
}
static void f_destroy(struct call_leg *l) { free(l); }
static void f_report(struct call_leg *l, unsigned status) { say("%s:report(%u) ", nm(l), status); }

static const struct call_leg_ops sip_ops = {
	.kind = "fake-sip", .setup = f_setup, .proceeding = f_proceeding,
	.alerting = f_alerting, .progress = f_progress, .answer = f_answer,
	.release = f_release, .describe = f_describe, .destroy = f_destroy,
	.transfer_report = f_report,
};
static const struct call_leg_ops pstn_ops = {
	.kind = "fake-pstn", .setup = f_setup, .proceeding = f_proceeding,
	.alerting = f_alerting, .progress = f_progress, .answer = f_answer,
	.release = f_release, .describe = f_describe, .destroy = f_destroy,
};

static struct fake *fake_new(const char *name, enum call_side side)
{
	struct fake *f = calloc(1, sizeof(*f));
	cr_assert_not_null(f);
	f->leg.ops = side == CALL_SIDE_SIP ? &sip_ops : &pstn_ops;
	f->leg.side = side;
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

static int e_leg_create(struct call *call, const struct route_dest *dest, struct call_leg **legp,
			void *arg)
{
	(void)call;
	(void)arg;
	cr_assert_lt(n_outs, 8);
	struct fake *f = fake_new(dest->name, dest->kind == ROUTE_DEST_GROUP ? CALL_SIDE_PSTN
									      : CALL_SIDE_SIP);
	f->setup_rc = setup_rc_next;
	setup_rc_next = 0;
	outs[n_outs++] = f;
	*legp = &f->leg;
	return 0;
}

static void e_media(struct call *call, enum call_media what, void *arg)
{
	static const char *const names[] = { "connect", "ringback-on", "ringback-off", "stop" };
	(void)arg;
	say("media:%s", names[what]);
	/* which SIP leg the gateway would bridge to now */
	const struct call_leg *in = call_leg_in(call), *out = call_leg_out(call);
	const struct call_leg *sip = in->side == CALL_SIDE_SIP ? in : out;
	say(what == CALL_MEDIA_CONNECT && sip ? "(%s) " : " ", sip ? nm(sip) : "");
}

static void e_ended(struct call *call, const struct cdr *rec, void *arg)
{
	(void)call;
	(void)arg;
	last_cdr = *rec;
	n_ended++;
	say("ended ");
}

static void e_record(struct call *call, const struct cdr *rec, void *arg)
{
	(void)call;
	(void)arg;
	first_cdr = *rec;
	n_records++;
	say("record ");
}

static const struct call_env_ops env_ops = {
	.leg_create = e_leg_create, .media = e_media, .ended = e_ended, .record = e_record,
};

static void setup(void)
{
	sg_test_begin();
	log_capture_start();
	trail[0] = '\0';
	n_outs = n_ended = n_records = 0;
	setup_rc_next = 0;
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	struct route_diag d;
	route_diag_init(&d);
	cr_assert_eq(route_set_parse(&routes, "test.map", plan, NULL, &d), 0, "%s", d.text);
	char path[512];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/mapping/causes-rfc3398.map", top ? top : ".");
	cr_assert_eq(cause_map_load(&causes, path, &d), 0, "%s", d.text ? d.text : path);
	route_diag_reset(&d);
	env = (struct call_env){ .loop = loop, .ops = &env_ops, .routes = routes,
				 .causes = causes, .t_noanswer = 60 * NS_PER_S, .node = "gw" };
}

static void teardown(void)
{
	loop_run_for(loop, NS_PER_MS); /* deferred frees */
	if (call_count() != 0)
		sg_fail_hard("calls left");
	mem_deref(routes);
	mem_deref(causes);
	sg_loop_check(loop);
	mem_deref(loop);
	mem_deref(clk);
	log_capture_stop();
	sg_test_end();
}

TestSuite(call_xfer, .init = setup, .fini = teardown);

#define OUT(i) (&outs[i]->leg)

static struct call_party party(const char *digits)
{
	struct call_party p = { .present = true };
	snprintf(p.digits, sizeof(p.digits), "%s", digits);
	return p;
}

/* An answered call; returns the incoming leg.  trail starts afresh. */
static struct call_leg *answered(enum call_side side, const char *called, const char *calling)
{
	struct fake *in = fake_new("in", side);
	struct call_setup s = { 0 };
	s.called = party(called);
	s.calling = party(calling);
	if (side == CALL_SIDE_SIP)
		strcpy(s.trunk, "itsp");
	else
		strcpy(s.group, "pri-a");
	cr_assert_eq(call_incoming(&env, &in->leg, &s), 0);
	call_leg_answer(OUT(0));
	trail[0] = '\0';
	return &in->leg;
}

static unsigned transfer(struct call_leg *leg, const char *to)
{
	struct call_party p = party(to);
	unsigned status = 0;
	int rc = call_leg_transfer(leg, &p, &status);
	cr_assert_eq(rc != 0, status != 0, "rc %d, status %u", rc, status);
	return status;
}

/* RFC 5589 §6: SIP caller (transferor) of a SIP → PSTN call transfers the
 * PSTN party to 2001; the target answers, we NOTIFY 200, the transferor
 * sends BYE; the PSTN party talks to the target; two records. */
Test(call_xfer, sip_caller_transfers_pstn_party)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "+4930999");
	clk_advance(clk, 10 * NS_PER_S);
	cr_assert_eq(transfer(in, "2001"), 0);
	/* the PSTN party's number as sent to the PSTN is the calling number */
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) ");
	cr_assert_str_eq(last_setup.calling.digits, "0301234");
	call_leg_alerting(OUT(1), false);
	clk_advance(clk, 5 * NS_PER_S);
	call_leg_answer(OUT(1));
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) in:report(180) "
				"record media:connect(itsp) in:report(200) ");
	call_leg_released(in, 16, 0); /* the transferor's BYE: nothing more */
	cr_assert_eq(n_ended, 0);
	cr_assert_eq(n_records, 1);
	cr_assert_eq(first_cdr.dir, CDR_TO_PSTN);
	cr_assert_str_eq(first_cdr.called_in, "0301234");
	cr_assert_eq(first_cdr.sip_status, 202);
	cr_assert_eq(first_cdr.q850_cause, 16);
	cr_assert_str_eq(first_cdr.call_id, "cid-in");
	cr_assert_eq(first_cdr.end - first_cdr.answer, 15 * NS_PER_S);
	clk_advance(clk, 60 * NS_PER_S);
	call_leg_released(OUT(0), 16, 0); /* the PSTN party hangs up */
	cr_assert(strstr(trail, "itsp:release(16,0) media:stop ended "), "%s", trail);
	cr_assert_eq(n_ended, 1);
	cr_assert_eq(last_cdr.dir, CDR_TO_SIP);
	cr_assert_str_eq(last_cdr.called_in, "2001");
	cr_assert_str_eq(last_cdr.calling_in, "0301234");
	cr_assert_str_eq(last_cdr.rule, "to-sip");
	cr_assert_str_eq(last_cdr.call_id, "cid-itsp");
	cr_assert_eq(last_cdr.end - last_cdr.answer, 60 * NS_PER_S);
	cr_assert_eq(last_cdr.answer - last_cdr.start, 5 * NS_PER_S);
	cr_assert_eq(last_cdr.span, 1);
}

/* PSTN → SIP: the SIP callee transfers the PSTN caller; the caller's own
 * number and group route the target; the new leg becomes the outgoing. */
Test(call_xfer, sip_callee_transfers_pstn_caller)
{
	answered(CALL_SIDE_PSTN, "555", "0301234");
	cr_assert_eq(transfer(OUT(0), "556"), 0);
	call_leg_answer(OUT(1));
	cr_assert_str_eq(trail, "itsp:report(202) itsp:setup(556<-0301234) record "
				"media:connect(itsp) itsp:report(200) ");
	cr_assert_eq(call_leg_out(OUT(1)->call), OUT(1));
	call_leg_released(OUT(0), 16, 0); /* transferor's BYE */
	call_leg_released(OUT(1), 16, 0); /* target hangs up: the caller is cleared */
	cr_assert(strstr(trail, "in:release(16,0) media:stop ended "), "%s", trail);
	cr_assert_eq(last_cdr.dir, CDR_TO_SIP);
	cr_assert_str_eq(last_cdr.called_in, "556");
}

/* The target is busy while the transferor is still there: NOTIFY 486 and
 * the original call goes on (RFC 5589 §6: it may take the call back). */
Test(call_xfer, busy_target_keeps_the_call)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	cr_assert_eq(transfer(in, "2001"), 0);
	call_leg_released(OUT(1), 17, 486);
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) in:report(486) ");
	cr_assert_eq(n_ended, 0);
	/* a second attempt is allowed once the first is over */
	cr_assert_eq(transfer(in, "2002"), 0);
	call_leg_released(OUT(0), 16, 0); /* the PSTN party hangs up */
	cr_assert(strstr(trail, "in:release(16,0) itsp:release(16,0) media:stop ended "), "%s",
		  trail);
	cr_assert_eq(n_ended, 1);
	cr_assert_eq(n_records, 0);
	cr_assert_eq(last_cdr.dir, CDR_TO_PSTN);
}

/* The transferor hangs up right after the 202: the transfer goes on; the
 * target then fails, so the PSTN party is cleared with its cause. */
Test(call_xfer, transferor_gone_then_target_fails_clears_pstn)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	cr_assert_eq(transfer(in, "2001"), 0);
	call_leg_released(in, 16, 0);
	cr_assert_eq(n_ended, 0, "the PSTN party stays while the transfer runs");
	call_leg_released(OUT(1), 0, 486);
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) "
				"pri-a:release(17,0) media:stop ended ");
	cr_assert_eq(last_cdr.q850_cause, 17);
}

/* Congestion at the first trunk before ringing: the fallback is tried. */
Test(call_xfer, congestion_tries_the_fallback)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	cr_assert_eq(transfer(in, "2001"), 0);
	call_leg_released(OUT(1), 0, 503);
	call_leg_answer(OUT(2));
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) "
				"backup:setup(2001<-0301234) record media:connect(backup) "
				"in:report(200) ");
	call_hangup(in->call, 16);
}

/* Setup fails at once at every destination: NOTIFY with the failure. */
Test(call_xfer, setup_failure_is_reported)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	setup_rc_next = EIO;
	struct call_party p = party("2001");
	unsigned status;
	cr_assert_eq(call_leg_transfer(in, &p, &status), 0);
	/* the first failed at once (41); the fallback is set up */
	call_leg_released(OUT(2), 41, 0);
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) "
				"backup:setup(2001<-0301234) in:report(503) ");
	call_hangup(in->call, 16);
}

/* The transferor never sends BYE after the final NOTIFY: we do. */
Test(call_xfer, transferor_without_bye_is_released)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	cr_assert_eq(transfer(in, "2001"), 0);
	call_leg_answer(OUT(1));
	trail[0] = '\0';
	loop_run_for(loop, 31 * NS_PER_S);
	cr_assert_str_eq(trail, "");
	loop_run_for(loop, 2 * NS_PER_S);
	cr_assert_str_eq(trail, "in:release(16,0) ");
	call_hangup(OUT(0)->call, 16);
}

/* A target that never answers fails after T_NA with 19 (it rang). */
Test(call_xfer, target_no_answer)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	cr_assert_eq(transfer(in, "2001"), 0);
	call_leg_alerting(OUT(1), false);
	trail[0] = '\0';
	loop_run_for(loop, 61 * NS_PER_S);
	cr_assert_str_eq(trail, "itsp:release(19,0) in:report(480) ");
	call_hangup(in->call, 16);
}

/* The call ends while the transfer is pending: the target is cancelled. */
Test(call_xfer, pstn_hangup_while_pending)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	cr_assert_eq(transfer(in, "2001"), 0);
	call_leg_released(OUT(0), 16, 0);
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) in:release(16,0) "
				"itsp:release(16,0) media:stop ended ");
	(void)in;
}

/* Refusals, before anything happens: not answered, no route, a PSTN-only
 * route, a barred number, one at a time, not from the PSTN side. */
Test(call_xfer, refusals)
{
	struct fake *in = fake_new("in", CALL_SIDE_SIP);
	struct call_setup s = { 0 };
	s.called = party("0301234");
	s.calling = party("1");
	cr_assert_eq(call_incoming(&env, &in->leg, &s), 0);
	cr_assert_eq(transfer(&in->leg, "2001"), 403, "not answered yet");
	call_leg_answer(OUT(0));
	cr_assert_eq(transfer(&in->leg, "800"), 403, "routes only to the PSTN");
	cr_assert_eq(transfer(&in->leg, "0900"), 403, "barred: cause 57 → 403");
	cr_assert_eq(transfer(OUT(0), "2001"), 403, "the PSTN side cannot transfer");
	cr_assert_eq(transfer(&in->leg, "2001"), 0);
	cr_assert_eq(transfer(&in->leg, "2002"), 491, "one at a time");
	cr_assert_eq(n_outs, 2);
	call_hangup(in->leg.call, 16);
	cr_assert(log_capture_has("routes only to the PSTN"));
}

/* The transferor hangs up right after the 202 and the target answers: the
 * transfer completes without it (no report, no BYE to send). */
Test(call_xfer, transferor_gone_then_target_answers)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	cr_assert_eq(transfer(in, "2001"), 0);
	call_leg_released(in, 16, 0);
	call_leg_answer(OUT(1));
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) record "
				"media:connect(itsp) ");
	loop_run_for(loop, 40 * NS_PER_S);
	cr_assert_str_eq(trail, "in:report(202) itsp:setup(2001<-0301234) record "
				"media:connect(itsp) ", "no BYE to a leg that is gone");
	call_leg_released(OUT(1), 16, 0);
	cr_assert(strstr(trail, "pri-a:release(16,0) media:stop ended "), "%s", trail);
	cr_assert_eq(n_records, 1);
}

/* The PSTN party hangs up while we wait for the transferor's BYE: the
 * transferor gets its BYE with the rest. */
Test(call_xfer, call_ends_while_waiting_for_the_transferor)
{
	struct call_leg *in = answered(CALL_SIDE_SIP, "0301234", "1");
	cr_assert_eq(transfer(in, "2001"), 0);
	call_leg_answer(OUT(1));
	trail[0] = '\0';
	call_leg_released(OUT(0), 16, 0);
	cr_assert_str_eq(trail, "itsp:release(16,0) in:release(16,0) media:stop ended ");
	cr_assert_eq(n_ended, 1);
}
