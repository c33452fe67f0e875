/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scenario tests: hold and resume by re-INVITE (RFC 3264 §8.4) in both
 * directions, through the whole gateway on virtual time.  The SIP side is
 * the raw UDP peer, which writes its requests by hand, so it can send a
 * re-INVITE whichever side placed the call.  The gateway answers hold with
 * recvonly and resume with sendrecv; the PSTN call stays up throughout and
 * never hears of it.
 */
#include "gw_fx.h"

#include <stdio.h>
#include <string.h>

#include "call/call.h"

TestSuite(scn_hold, .init = gw_fx_setup, .fini = gw_fx_teardown);

/* The raw peer's view of its dialog (RFC 3261 §12). */
struct dlg {
	char ruri[256];	  /* the gateway's Contact */
	char local[256];  /* our From, with our tag */
	char remote[256]; /* our To, with the gateway's tag */
	char call_id[128];
};

static void contact_uri(char *out, size_t size)
{
	const char *c = raw_hdr("Contact");
	const char *lt = strchr(c, '<');
	snprintf(out, size, "%.*s", lt ? (int)strcspn(lt + 1, ">") : (int)strlen(c),
		 lt ? lt + 1 : c);
}

static void request(const struct dlg *d, const char *method, unsigned cseq, const char *sdp)
{
	raw_send("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKraw%s%u\r\n"
		 "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u %s\r\nMax-Forwards: 70\r\n"
		 "Contact: <sip:raw@127.0.0.1:%u>\r\n%s\r\n%s",
		 method, d->ruri, raw_port, method, cseq, d->local, d->remote, d->call_id, cseq,
		 method, raw_port, sdp ? "Content-Type: application/sdp\r\n" : "",
		 sdp ? sdp : "");
}

/* The next final response, which must be `status`. */
static const char *final(unsigned status)
{
	char want[32];
	const char *m;
	while (!strncmp(m = raw_recv(), "SIP/2.0 1", 9))
		; /* 180, 183 */
	snprintf(want, sizeof(want), "SIP/2.0 %u ", status);
	cr_assert(!strncmp(m, want, strlen(want)), "wanted %u: %s", status, m);
	return m;
}

/* Hold, then resume, with the PSTN call up and silent about it. */
static void hold_and_resume(const struct dlg *d, unsigned cseq, unsigned pbx)
{
	request(d, "INVITE", cseq, raw_sdp("sendonly", 2));
	cr_assert(strstr(final(200), "a=recvonly\r\n"), "hold answered recvonly: %s", raw_rx);
	request(d, "ACK", cseq, NULL);
	run(2000);
	cr_assert_eq(call_count(), 1, "the call is up on hold");
	cr_assert(!pbx_has(pbx, "rx hangup"), "%s", pbx_log(pbx));
	request(d, "INVITE", cseq + 1, raw_sdp("sendrecv", 3));
	cr_assert(strstr(final(200), "a=sendrecv\r\n"), "resumed: %s", raw_rx);
	request(d, "ACK", cseq + 1, NULL);
	run(1000);
	cr_assert_eq(call_count(), 1, "the call is up after resuming");
	cr_assert(!pbx_has(pbx, "rx hangup"), "%s", pbx_log(pbx));
}

/* SIP → PSTN: the SIP caller holds and resumes, then hangs up. */
Test(scn_hold, sip_caller_holds_and_resumes)
{
	struct dlg d = { .local = "<sip:5550100@127.0.0.1>;tag=raw1", .call_id = "hold-1@test" };
	gw_start(NULL);
	snprintf(d.ruri, sizeof(d.ruri), "sip:7000000@127.0.0.1:%u", gw_port);
	snprintf(d.remote, sizeof(d.remote), "<sip:7000000@127.0.0.1>");
	request(&d, "INVITE", 1, raw_sdp("sendrecv", 1));
	final(200);
	snprintf(d.remote, sizeof(d.remote), "%s", raw_hdr("To"));
	cr_assert(strstr(d.remote, ";tag="), "%s", raw_rx);
	contact_uri(d.ruri, sizeof(d.ruri));
	request(&d, "ACK", 1, NULL);
	cr_assert(pbx_has(1, "rx setup 7000000"), "%s", pbx_log(1));
	hold_and_resume(&d, 2, 1);
	request(&d, "BYE", 4, NULL);
	final(200);
	run(200);
	cr_assert(pbx_has(1, "rx hangup 16"), "%s", pbx_log(1));
}

/* PSTN → SIP: the called SIP party holds and resumes; the PBX hangs up
 * later and the BYE carries cause 16. */
Test(scn_hold, sip_callee_holds_and_resumes)
{
	struct dlg d;
	gw_start(&(struct gw_opt){
		.pbx1 = pbx_call_script("900 from 5551234", "wait 8s hangup 16") });
	pbx_call_wait();
	const char *inv = raw_recv();
	cr_assert(!strncmp(inv, "INVITE sip:900@", 15), "%s", inv);
	char via[256], from[200], to[200], cseq[64];
	snprintf(via, sizeof(via), "%s", raw_hdr("Via"));
	snprintf(from, sizeof(from), "%s", raw_hdr("From"));
	snprintf(to, sizeof(to), "%s", raw_hdr("To"));
	snprintf(cseq, sizeof(cseq), "%s", raw_hdr("CSeq"));
	snprintf(d.call_id, sizeof(d.call_id), "%s", raw_hdr("Call-ID"));
	contact_uri(d.ruri, sizeof(d.ruri));
	snprintf(d.local, sizeof(d.local), "%s;tag=raw2", to);
	snprintf(d.remote, sizeof(d.remote), "%s", from);
	raw_send("SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
		 "Contact: <sip:raw@127.0.0.1:%u>\r\nContent-Type: application/sdp\r\n\r\n%s",
		 via, from, d.local, d.call_id, cseq, raw_port, raw_sdp("sendrecv", 1));
	cr_assert(!strncmp(raw_recv(), "ACK ", 4), "%s", raw_rx);
	cr_assert(pbx_has(1, "rx answer"), "%s", pbx_log(1));
	hold_and_resume(&d, 1, 1);
	run(5000);
	const char *bye = raw_recv();
	cr_assert(!strncmp(bye, "BYE ", 4), "%s", bye);
	cr_assert(strstr(raw_hdr("Reason"), "Q.850;cause=16"), "%s", raw_rx);
	snprintf(via, sizeof(via), "%s", raw_hdr("Via"));
	snprintf(from, sizeof(from), "%s", raw_hdr("From"));
	snprintf(to, sizeof(to), "%s", raw_hdr("To"));
	snprintf(cseq, sizeof(cseq), "%s", raw_hdr("CSeq"));
	raw_send("SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n\r\n",
		 via, from, to, d.call_id, cseq);
}

/* RFC 3261 §13.3.1.4: the SIP caller never ACKs our 2xx.  After 64*T1 of
 * retransmissions the gateway sends BYE and the call ends on both sides;
 * nothing is left in progress (a call once stayed up for good here). */
Test(scn_hold, no_ack_for_2xx_ends_the_call)
{
	struct dlg d = { .local = "<sip:5550100@127.0.0.1>;tag=raw9", .call_id = "noack-1@test" };
	gw_start(NULL);
	snprintf(d.ruri, sizeof(d.ruri), "sip:7000000@127.0.0.1:%u", gw_port);
	snprintf(d.remote, sizeof(d.remote), "<sip:7000000@127.0.0.1>");
	request(&d, "INVITE", 1, raw_sdp("sendrecv", 1));
	final(200);
	cr_assert(pbx_has(1, "rx setup 7000000"), "%s", pbx_log(1));
	run(40000);
	cr_assert(pbx_has(1, "rx hangup"), "the PSTN side was cleared: %s", pbx_log(1));
	cr_assert_eq(call_count(), 0, "no call left");
}
