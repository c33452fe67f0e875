/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scenario tests: the [sip] keys that tune the stack (gwconf_sip.c mapped
 * to sip_conf by gw_sip.c) take effect in the running gateway.  Overload
 * (RFC 3261 §21.5.4): with max_sessions = 1 and one call up, a second
 * INVITE gets 503 with the configured Retry-After; max_msg: a longer
 * request gets 513; dns_servers: a [trunk] with register = yes and a host
 * name registers with the registrar RFC 3263 finds there (fake DNS,
 * dns_fake.c).  Whole gateway on virtual time (gw_fx.c).
 */
#include "gw_fx.h"

#include <stdio.h>
#include <string.h>

#include "dns_fake.h"
#include "sip/sip.h"

TestSuite(scn_sipconf, .init = gw_fx_setup, .fini = gw_fx_teardown);

static void raw_invite(const char *call_id, const char *pad)
{
	raw_send("INVITE sip:2001234@127.0.0.1:%u SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKcf%s\r\n"
		 "From: <sip:5550100@127.0.0.1>;tag=cf1\r\nTo: <sip:2001234@127.0.0.1>\r\n"
		 "Call-ID: %s\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
		 "Contact: <sip:raw@127.0.0.1:%u>\r\nSubject: %s\r\n\r\n",
		 gw_port, raw_port, call_id, call_id, raw_port, pad);
}

Test(scn_sipconf, max_sessions_and_retry_after_reach_the_stack)
{
	struct gw_opt o = { .sip = "max_sessions = 1\nretry_after = 42\n" };
	gw_start(&o);
	phone_call("2001234");
	run(1500);
	cr_assert(has("far:ANSWERED(200) "), "%s", trail);
	raw_invite("cf-over@test", "-");
	cr_assert(!strncmp(raw_recv(), "SIP/2.0 503 ", 12), "%s", raw_rx);
	cr_assert_str_eq(raw_hdr("Retry-After"), "42");
	cr_assert_eq(sip_sess_bye(far_uac), 0);
	run(100);
	cr_assert(has("far:TERMINATED(200) "), "%s", trail);
}

Test(scn_sipconf, max_msg_reaches_the_stack)
{
	char pad[2100];
	struct gw_opt o = { .sip = "max_msg = 1500\n" };
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = 0;
	gw_start(&o);
	raw_invite("cf-big@test", pad);
	cr_assert(!strncmp(raw_recv(), "SIP/2.0 513 ", 12), "%s", raw_rx);
}

/* register = yes with a host name: SRV names the raw peer as registrar. */
Test(scn_sipconf, trunk_registers_with_a_registrar_found_by_name)
{
	static char srv[64];
	static const struct dns_rr zone[] = {
	    {"_sip._udp.carrier.test", 33, srv},
	    {"reg1.carrier.test", 1, "127.0.0.1"},
	};
	struct dns_fake *dns;
	uint16_t dport;
	char sip[256];

	snprintf(srv, sizeof(srv), "0 0 %u reg1.carrier.test", raw_port);
	cr_assert_eq(dns_fake_start(&dns, gw_fx_loop(), zone, 2, &dport), 0);
	/* The lines go at the end of [sip]; the trunk section follows them. */
	snprintf(sip, sizeof(sip),
		 "dns_servers = 127.0.0.1:%u\n[trunk carrier]\nhost = carrier.test\nport = 0\n"
		 "username = gw1\npassword = pw\nregister = yes\nregister_expires = 600s\n",
		 dport);
	struct gw_opt o = { .sip = sip };
	gw_start(&o);
	const char *m = raw_recv();
	cr_assert(!strncmp(m, "REGISTER sip:carrier.test SIP/2.0\r\n", 35), "%s", m);
	cr_assert(strstr(m, "\r\nFrom: <sip:gw1@carrier.test>;tag="), "%s", m);
	cr_assert(dns_fake_queries(dns) > 0);
	gw_stop();
	dns_fake_stop(dns);
}
