/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the simulated switch (isdn_switch.c) and its script language,
 * as the far end of a span: the gateway side is a CPE controller.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "isdn_b2b.h"
#include "pstn/isdn_switch_int.h"
#include "sg_test.h"

static struct b2b b;
#define GW (&b.side[1])
#define MS NS_PER_MS

static void setup(void)
{
	b2b_test_begin(&b);
}

static void teardown(void)
{
	b2b_test_end(&b);
}

TestSuite(isdn_switch, .init = setup, .fini = teardown);

static bool sw_has(const char *needle)
{
	return strstr(isdn_simsw_log(b.simsw), needle) != NULL;
}

Test(isdn_switch, script_errors_name_the_line)
{
	static struct sw_script s;
	char err[160];
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"on 200 answer\nbogus 1\n", "x:2: a line starts with 'on' or 'call'"},
	    {"on 200 dance\n", "x:1: unknown action"},
	    {"on 200 reject 300\n", "x:1: a cause is a Q.850 value 1-127"},
	    {"on 200 wait soon\n", "x:1: bad duration"},
	    {"on 2a0 answer\n", "x:1: on needs a number pattern and actions"},
	    {"on 200\n", "x:1: on needs"},
	    {"call\n", "x:1: call needs a called number"},
	    {"call 200 pres secret\n", "x:1: bad value"},
	    {"call 200 colour red\n", "x:1: unknown call option"},
	    {"call 200 abandon 0\n", "x:1: bad value"},
	    {"call 200 from\n", "x:1: call option without its value"},
	    {"\n\n# fine\non 1 collect 99\n", "x:4: collect needs"},
	    {"on 1 answer tone beep\n", "x:1: unknown tone"},
	    {"on 1 answer tone\n", "x:1: action without its value"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(isdn_simsw_parse(&s, "x", bad[i].text, err, sizeof(err)), EINVAL,
			     "%zu", i);
		cr_assert(strstr(err, bad[i].msg), "case %zu: %s", i, err);
	}
	cr_assert_eq(
	    isdn_simsw_parse(&s, "x", "# only a comment\n  \n on * never # ok\n", err, sizeof(err)),
	    0, "%s", err);
	cr_assert_eq(s.nrules, 1);
	cr_assert(isdn_simsw_match(&s, "12345"));
}

Test(isdn_switch, patterns_first_match_wins)
{
	static struct sw_script s;
	char err[160];
	cr_assert_eq(isdn_simsw_parse(&s, "x", "on 200 answer\non 2* reject 17\non * never\n", err,
				      sizeof(err)),
		     0);
	cr_assert_eq(isdn_simsw_match(&s, "200")->prog.a[0].op, SW_ANSWER);
	cr_assert_eq(isdn_simsw_match(&s, "2001")->prog.a[0].op, SW_REJECT);
	cr_assert_eq(isdn_simsw_match(&s, "300")->prog.a[0].op, SW_NEVER);
	cr_assert_eq(isdn_simsw_parse(&s, "x", "on 200 answer\n", err, sizeof(err)), 0);
	cr_assert_null(isdn_simsw_match(&s, "300"));
}

Test(isdn_switch, audio_without_a_tdm_is_skipped)
{
	b2b_start_switch(&b, "on 200 answer tone busy echo\n");
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(GW->answers, 1);
	cr_assert(sw_has("tone skipped (no audio)\necho skipped (no audio)\n"), "%s",
		  isdn_simsw_log(b.simsw));
	isdn_call_hangup(GW->call, 16);
	b2b_run(&b, 100 * MS);
}

Test(isdn_switch, rings_then_answers_then_hangs_up)
{
	b2b_start_switch(&b, "on 200 proceeding alert inband wait 3s answer wait 10s hangup 16\n");
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 2 * NS_PER_S);
	cr_assert(b2b_has(GW, "alerting c1 pi=8;"), "%s", GW->log);
	cr_assert_eq(GW->answers, 0);
	b2b_run(&b, 2 * NS_PER_S);
	cr_assert_eq(GW->answers, 1);
	b2b_run(&b, 11 * NS_PER_S);
	cr_assert_eq(GW->last_cause, 16);
	cr_assert(sw_has("rx setup 200 from 100 pres 0 chan 1\ntx proceeding\ntx alert inband\n"
			 "tx answer\ntx hangup 16\n"),
		  "%s", isdn_simsw_log(b.simsw));
}

Test(isdn_switch, rejects_with_any_cause)
{
	b2b_start_switch(&b, "on 3* reject 17\non 4* proceeding alert wait 20s reject 19\n"
			     "on 5* reject 34\n");
	unsigned want[] = {17, 19, 34};
	const char *num[] = {"300", "400", "500"};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(b2b_call(&b, 1, num[i], "100", true), 0);
		b2b_run(&b, 30 * NS_PER_S);
		cr_assert_eq(GW->last_cause, want[i], "%s", GW->log);
	}
	cr_assert_eq(b2b_call(&b, 1, "999", "100", true), 0);
	b2b_run(&b, NS_PER_S);
	cr_assert_eq(GW->last_cause, 1, "no rule: unallocated number");
}

Test(isdn_switch, never_answers_and_progress_inband)
{
	b2b_start_switch(&b, "on 4* proceeding progress inband never\n");
	cr_assert_eq(b2b_call(&b, 1, "400", "100", true), 0);
	b2b_run(&b, 120 * NS_PER_S);
	cr_assert(b2b_has(GW, "progress c1 pi=8;"), "%s", GW->log);
	cr_assert_str_eq(isdn_call_state(GW->call), "OUT_PROCEEDING");
	isdn_call_hangup(GW->call, 16);
	b2b_run(&b, NS_PER_S);
	cr_assert(sw_has("rx hangup 16"), "%s", isdn_simsw_log(b.simsw));
}

Test(isdn_switch, collects_overlap_digits)
{
	b2b_start_switch(&b, "on 12* setup_ack collect 5 proceeding answer\n");
	cr_assert_eq(b2b_call(&b, 1, "12", "100", false), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_str_eq(isdn_call_state(GW->call), "OVERLAP_SENDING");
	cr_assert_eq(isdn_call_info(GW->call, "34"), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(GW->answers, 0, "4 digits of 5");
	cr_assert_eq(isdn_call_info(GW->call, "5"), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(GW->answers, 1, "%s", isdn_simsw_log(b.simsw));
	isdn_call_hangup(GW->call, 16);
	b2b_run(&b, 100 * MS);
}

Test(isdn_switch, places_calls_with_numbers_and_presentation)
{
	b2b_start_switch(&b, "call 200 from 5551234 pres restricted screen network at 1s "
			     "then wait 5s hangup 16\n"
			     "call 30 overlap 45 from 777 at 10s\n");
	GW->mode = B2B_ANSWER;
	b2b_run(&b, 2 * NS_PER_S);
	cr_assert_eq(GW->incomings, 1);
	cr_assert_str_eq(GW->setup.called.digits, "200");
	cr_assert_str_eq(GW->setup.calling.digits, "5551234");
	cr_assert_eq(GW->setup.calling.pres, 1);
	cr_assert_eq(GW->setup.calling.screen, 3);
	b2b_run(&b, 6 * NS_PER_S);
	cr_assert_eq(GW->last_cause, 16, "%s", GW->log);
	/* the overlap call: the gateway collects */
	GW->mode = B2B_NOTHING;
	b2b_run(&b, 3 * NS_PER_S);
	cr_assert_eq(GW->incomings, 2);
	cr_assert(!GW->setup.complete);
	isdn_call_setup_ack(GW->call, false);
	b2b_run(&b, 100 * MS);
	cr_assert(b2b_has(GW, "digits '4';digits '5';"), "%s", GW->log);
	isdn_call_hangup(GW->call, 16);
	b2b_run(&b, 100 * MS);
	cr_assert(sw_has("tx information 45"), "%s", isdn_simsw_log(b.simsw));
}

/* `abandon`: the caller hangs up (16) if no answer comes in time, and
 * not once one came. */
Test(isdn_switch, placed_call_abandoned_unless_answered)
{
	b2b_start_switch(&b, "call 200 from 100 abandon 3s at 1s\n"
			     "call 300 from 100 abandon 3s at 10s\n");
	GW->mode = B2B_NOTHING;
	b2b_run(&b, 2 * NS_PER_S);
	cr_assert_eq(GW->incomings, 1);
	isdn_call_alert(GW->call, false);
	b2b_run(&b, NS_PER_S);
	cr_assert_eq(GW->last_cause, 0, "not before 3 s: %s", GW->log);
	b2b_run(&b, 2 * NS_PER_S);
	cr_assert_eq(GW->last_cause, 16, "%s", GW->log);
	cr_assert(sw_has("tx hangup 16 (abandoned)"), "%s", isdn_simsw_log(b.simsw));
	b2b_run(&b, 7 * NS_PER_S);
	cr_assert_eq(GW->incomings, 2);
	isdn_call_answer(GW->call);
	b2b_run(&b, 5 * NS_PER_S);
	cr_assert_str_eq(isdn_call_state(GW->call), "ACTIVE", "answered: not abandoned");
	isdn_call_hangup(GW->call, 16);
	b2b_run(&b, 100 * MS);
}

Test(isdn_switch, script_from_a_file)
{
	char path[64], err[160];
	snprintf(path, sizeof(path), "/tmp/isdn_switch_%d.sw", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs("# a file\non 200 proceeding answer\non 300 dance\n", f);
	fclose(f);
	b2b_start_switch(&b, "on * reject 21\n");
	cr_assert_eq(isdn_simsw_load_file(b.simsw, path, err, sizeof(err)), EINVAL);
	cr_assert(strstr(err, ":3: unknown action"), "%s", err);
	f = fopen(path, "w");
	fputs("on 200 proceeding answer\n", f);
	fclose(f);
	cr_assert_eq(isdn_simsw_load_file(b.simsw, path, err, sizeof(err)), 0, "%s", err);
	unlink(path);
	cr_assert_eq(isdn_simsw_load_file(b.simsw, path, err, sizeof(err)), ENOENT);
	cr_assert_eq(b2b_call(&b, 1, "200", "100", true), 0);
	b2b_run(&b, 100 * MS);
	cr_assert_eq(GW->answers, 1);
	isdn_call_hangup(GW->call, 16);
	b2b_run(&b, 100 * MS);
}
