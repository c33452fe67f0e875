/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scenario tests of what strowger-ctl shows of live calls (issue 7):
 * `calls` (numbers, age, talk time, both legs) and `channels` (each
 * B-channel's state, the Q.931 state of its call, the call using it), on
 * the whole gateway of the fixture, on virtual time.  The commands run
 * in-process (ctl_run), exactly as a client's request would.
 */
#include "gw_fx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/leg_isdn.h"
#include "gateway.h"
#include "gw_pstn.h"
#include "sip/sip.h"

TestSuite(scn_ctl, .init = gw_fx_setup, .fini = gw_fx_teardown);

/* The line of `text` that starts with `head` (columns split by blanks),
 * copied to a static buffer; "" if none. */
static const char *line_of(const char *text, const char *head)
{
	static char line[512];
	line[0] = '\0';
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		char copy[512];
		snprintf(copy, sizeof(copy), "%.*s", (int)n, l);
		/* squeeze blanks so heads like "1 5 " match any padding */
		char *w = copy, *r = copy;
		for (; *r; r++)
			if (*r != ' ' || (w > copy && w[-1] != ' '))
				*w++ = *r;
		*w = '\0';
		if (!strncmp(copy, head, strlen(head))) {
			snprintf(line, sizeof(line), "%s", copy);
			break;
		}
	}
	return line;
}

static unsigned lines(const char *text)
{
	unsigned n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static const char *ctl_ok(const char *line)
{
	bool ok = false;
	const char *reply = gw_ctl(line, &ok);
	cr_assert(ok, "%s: %s", line, reply);
	return reply;
}

/* SIP → ISDN, answered: the call shows both legs and its talk time; its
 * B-channel (span 1, channel 1: ascending) is busy, ACTIVE, outgoing,
 * with the call's id; every other channel of the span is idle. */
Test(scn_ctl, an_answered_call_in_calls_and_channels)
{
	gw_start(&(struct gw_opt){ .pbx1 = "on * proceeding alert wait 1s answer echo\n" });
	phone_call("7000000");
	run(100);
	const char *calls = ctl_ok("calls");
	cr_assert(strstr(calls, "age") && strstr(calls, "talk") && strstr(calls, " in out"),
		  "%s", calls);
	unsigned id = (unsigned)atoi(line_of(calls, "1 ") + 0);
	cr_assert(id > 0, "%s", calls);
	cr_assert(strstr(line_of(calls, "1 "), " ALERTING 5550100 7000000 0s - sip/phones:"),
		  "not answered yet: no talk time: %s", calls);
	cr_assert(strstr(line_of(calls, "1 "), " isdn:1/1"), "%s", calls);
	run(3000);
	calls = ctl_ok("calls");
	cr_assert(strstr(line_of(calls, "1 "), " ACTIVE 5550100 7000000 3s 2s sip/phones:"),
		  "age 3 s, talk 2 s: %s", calls);

	const char *ch = ctl_ok("channels 1");
	cr_assert_eq(lines(ch), 31, "a header and 30 B-channels: %s", ch);
	cr_assert(strstr(ch, "span") && strstr(ch, "q931") && strstr(ch, "call"), "%s", ch);
	cr_assert_str_eq(line_of(ch, "1 1 "), "1 1 1 busy ACTIVE out 1", "%s", ch);
	cr_assert_str_eq(line_of(ch, "1 2 "), "1 2 2 idle - - -", "%s", ch);
	cr_assert_str_eq(line_of(ch, "1 31 "), "1 31 31 idle - - -", "%s", ch);
	cr_assert_str_eq(line_of(ch, "1 16 "), "", "16 is the D-channel: %s", ch);
	cr_assert(!strstr(ch, "\n2 "), "span 1 only: %s", ch);
	ch = ctl_ok("channels");
	cr_assert_eq(lines(ch), 61, "both spans: %s", ch);
	cr_assert_str_eq(line_of(ch, "2 1 "), "2 1 32 idle - - -", "%s", ch);

	cr_assert_eq(sip_sess_bye(far_uac), 0);
	run(200);
	cr_assert_eq(lines(ctl_ok("calls")), 1, "only the header once it ended");
	cr_assert_str_eq(line_of(ctl_ok("channels 1"), "1 1 "), "1 1 1 idle - - -");
}

/* ISDN → SIP: the PBX's call arrives on its own choice of channel and is
 * incoming; the call's legs are the ISDN one first. */
Test(scn_ctl, an_incoming_isdn_call_in_channels)
{
	gw_start(&(struct gw_opt){ .pbx1 = pbx_call_script("1001 from 5551234", NULL) });
	pbx_call_wait();
	const char *calls = ctl_ok("calls");
	char l[512];
	snprintf(l, sizeof(l), "%s", line_of(calls, "1 "));
	cr_assert(strstr(l, " CALLING 5551234 1001 ") && strstr(l, " - isdn:1/"), "%s", calls);
	char want[64];
	const char *ch = ctl_ok("channels 1");
	int chan = 0;
	for (int c = 1; c <= 31 && !chan; c++) {
		snprintf(want, sizeof(want), "1 %d ", c);
		if (strstr(line_of(ch, want), " busy "))
			chan = c;
	}
	cr_assert(chan > 0, "a busy channel: %s", ch);
	snprintf(want, sizeof(want), "isdn:1/%d sip:", chan);
	cr_assert(strstr(l, want), "the legs, ISDN in, SIP out: %s", l);
	snprintf(want, sizeof(want), "1 %d ", chan);
	cr_assert(strstr(line_of(ch, want), " in 1"), "%s", ch);
	phone_answer();
	ch = ctl_ok("channels 1");
	cr_assert(strstr(line_of(ch, want), " busy ACTIVE in 1"), "%s", ch);
	cr_assert_eq(sip_sess_bye(far_uas), 0);
	run(200);
	cr_assert(strstr(line_of(ctl_ok("channels 1"), want), " idle - - -"));
}

/* A channel out of service shows as maint; a span in alarm shows every
 * channel so; bad arguments are refused. */
Test(scn_ctl, maintenance_alarm_and_bad_arguments)
{
	gw_start(NULL);
	struct leg_isdn_group *g = gw_pstn_group(gateway_pstn(gw_fx_gateway()), "east");
	cr_assert_not_null(g);
	cr_assert_eq(isdn_ctrl_chan_maint(g->span[0]->ctrl, 5, true), 0);
	const char *ch = ctl_ok("channels 1");
	cr_assert_str_eq(line_of(ch, "1 5 "), "1 5 5 maint - - -", "%s", ch);
	cr_assert_str_eq(line_of(ch, "1 4 "), "1 4 4 idle - - -", "%s", ch);
	fault(2, "red");
	run(100);
	ch = ctl_ok("channels 2");
	cr_assert_str_eq(line_of(ch, "2 17 "), "2 17 48 alarm - - -", "%s", ch);
	cr_assert_eq(lines(ch), 31, "%s", ch);
	bool ok = true;
	const char *r = gw_ctl("channels 9", &ok);
	cr_assert(!ok && strstr(r, "no span 9"), "%s", r);
	r = gw_ctl("channels one", &ok);
	cr_assert(!ok && strstr(r, "usage: channels [SPAN]"), "%s", r);
	r = gw_ctl("channels 1 2", &ok);
	cr_assert(!ok, "%s", r);
	r = gw_ctl("channels 0", &ok);
	cr_assert(!ok, "%s", r);
}
