/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scenario test: blind transfer (RFC 5589 §6) through the whole gateway on
 * virtual time.  The raw UDP peer calls the simulated PBX (7…, answered
 * with an echo), then REFERs the PBX's party to 1555, which the dial plan
 * routes to the phone's stack.  The phone answers; the PBX call stays up
 * throughout, re-bridged to the phone's stream; the raw peer sees NOTIFY
 * 100, 180, 200 and hangs up; two CDRs result.
 */
#include "gw_fx.h"

#include <stdio.h>
#include <string.h>

#include "call/call.h"
#include "sip/sip.h"

TestSuite(scn_transfer, .init = gw_fx_setup, .fini = gw_fx_teardown);

struct dlg {
	char ruri[256], local[256], remote[256], call_id[128];
};

static void request(const struct dlg *d, const char *method, unsigned cseq, const char *extra,
		    const char *sdp)
{
	raw_send("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKxf%s%u\r\n"
		 "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u %s\r\nMax-Forwards: 70\r\n"
		 "Contact: <sip:raw@127.0.0.1:%u>\r\n%s%s\r\n%s",
		 method, d->ruri, raw_port, method, cseq, d->local, d->remote, d->call_id, cseq,
		 method, raw_port, extra, sdp ? "Content-Type: application/sdp\r\n" : "",
		 sdp ? sdp : "");
}

/* Answer a request the gateway sent the raw peer with 200. */
static void ok(void)
{
	char via[256], from[256], to[256], cid[128], cseq[64];
	snprintf(via, sizeof(via), "%s", raw_hdr("Via"));
	snprintf(from, sizeof(from), "%s", raw_hdr("From"));
	snprintf(to, sizeof(to), "%s", raw_hdr("To"));
	snprintf(cid, sizeof(cid), "%s", raw_hdr("Call-ID"));
	snprintf(cseq, sizeof(cseq), "%s", raw_hdr("CSeq"));
	raw_send("SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n\r\n",
		 via, from, to, cid, cseq);
}

/* The next NOTIFY: answered; its sipfrag's status. */
static unsigned notify(void)
{
	const char *m = raw_recv();
	cr_assert(!strncmp(m, "NOTIFY ", 7), "%s", m);
	cr_assert(strstr(raw_hdr("Event"), "refer"), "%s", m);
	const char *frag = strstr(m, "\r\n\r\nSIP/2.0 ");
	cr_assert_not_null(frag, "%s", m);
	unsigned status = 0;
	sscanf(frag + 12, "%3u", &status);
	ok();
	return status;
}

static const char *final(unsigned status)
{
	char want[32];
	const char *m;
	while (!strncmp(m = raw_recv(), "SIP/2.0 1", 9))
		;
	snprintf(want, sizeof(want), "SIP/2.0 %u ", status);
	cr_assert(!strncmp(m, want, strlen(want)), "wanted %u: %s", status, m);
	return m;
}

static unsigned lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The gateway running, and the raw SIP caller's call to the echo number
 * answered and ACKed: the dialog a REFER goes in. */
static void answered_call(struct dlg *d)
{
	gw_start(NULL);
	snprintf(d->ruri, sizeof(d->ruri), "sip:7000000@127.0.0.1:%u", gw_port);
	snprintf(d->remote, sizeof(d->remote), "<sip:7000000@127.0.0.1>");
	request(d, "INVITE", 1, "", raw_sdp("sendrecv", 1));
	final(200);
	snprintf(d->remote, sizeof(d->remote), "%s", raw_hdr("To"));
	const char *c = raw_hdr("Contact"), *lt = strchr(c, '<');
	cr_assert_not_null(lt, "%s", c);
	snprintf(d->ruri, sizeof(d->ruri), "%.*s", (int)strcspn(lt + 1, ">"), lt + 1);
	request(d, "ACK", 1, "", NULL);
}

Test(scn_transfer, sip_caller_transfers_the_pstn_party_to_the_phone)
{
	struct dlg d = { .local = "<sip:5550100@127.0.0.1>;tag=xf1", .call_id = "xfer-1@test" };
	answered_call(&d);
	cr_assert(pbx_has(1, "rx answer") || pbx_has(1, "rx setup 7000000"), "%s", pbx_log(1));
	run(500);

	request(&d, "REFER", 2, "Refer-To: <sip:1555@elsewhere.example>\r\n", NULL);
	final(202);
	cr_assert_eq(notify(), 100);
	cr_assert(strstr(far_ruri, "sip:1555@"), "the target, routed by the plan: %s", far_ruri);
	phone_answer();
	cr_assert_eq(notify(), 180);
	cr_assert_eq(notify(), 200);
	request(&d, "BYE", 3, "", NULL);
	final(200);
	run(1000);
	cr_assert_eq(call_count(), 1, "the PSTN party now talks to the phone");
	cr_assert(!pbx_has(1, "rx hangup"), "%s", pbx_log(1));
	cr_assert_eq(lines(cdrs()), 2, "header and the part before the transfer: %s", cdrs());
	cr_assert(strstr(cdrs(), ",202,"), "%s", cdrs());

	cr_assert_not_null(far_uas);
	cr_assert_eq(sip_sess_bye(far_uas), 0);
	run(500);
	cr_assert(pbx_has(1, "rx hangup 16"), "%s", pbx_log(1));
	cr_assert_eq(call_count(), 0);
	cr_assert_eq(lines(cdrs()), 3, "%s", cdrs());
	cr_assert(strstr(cdrs(), ",1555,"), "the transferred part: %s", cdrs());
}

/* Attended transfer (Replaces) is refused with 501 and the call goes on. */
Test(scn_transfer, attended_transfer_refused)
{
	struct dlg d = { .local = "<sip:5550100@127.0.0.1>;tag=xf2", .call_id = "xfer-2@test" };
	answered_call(&d);
	request(&d, "REFER", 2,
		"Refer-To: <sip:1555@h?Replaces=a%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n", NULL);
	final(501);
	cr_assert_eq(call_count(), 1);
	request(&d, "BYE", 3, "", NULL);
	final(200);
	run(500);
	cr_assert(pbx_has(1, "rx hangup 16"), "%s", pbx_log(1));
}
