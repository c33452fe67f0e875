/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: who is calling, as the SIP leg (src/call/leg_sip*.c) reads
 * and writes it: P-Asserted-Identity and Privacy (RFC 3325, RFC 3323),
 * Diversion and History-Info (RFC 7044) into the ISDN setup, presentation
 * restricted out to SIP; and the header and URI parsers underneath.  Shared
 * fixture: leg_sip_fx.h, on virtual time.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "leg_sip_fx.h"

TestSuite(leg_sip_id, .init = leg_sip_fx_setup, .fini = leg_sip_fx_teardown);

/* ========================================================================== */
/* SIP → PSTN                                                                 */

/* RFC 3325 §9.1 and RFC 3323: the asserted identity is the calling number,
 * Privacy: id restricts it; Diversion gives the redirecting number. */
Test(leg_sip_id, sip_to_pstn_asserted_private_diverted)
{
	const char *const extra[] = {
	    "P-Asserted-Identity: \"Bob\" <sip:+1-555-123-4567@carrier.example.net;user=phone>",
	    "Privacy: id;critical",
	    "Diversion: <sip:+15559990000@carrier.example.net>;reason=user-busy;counter=1",
	    NULL,
	};
	far_call("tel-0123", "\"Anonymous\" <sip:anonymous@anonymous.invalid>", extra,
		 far_offer("8"));
	cr_assert_str_eq(trail, "far:TERMINATED(484) ", "tel-0123 is not a number");
	trail[0] = '\0';
	far_call("0123", "\"Anonymous\" <sip:anonymous@anonymous.invalid>", extra, far_offer("8"));
	cr_assert_str_eq(pstn_setup.calling.digits, "+15551234567");
	cr_assert_eq(pstn_setup.calling.ton, ROUTE_TON_INTERNATIONAL);
	cr_assert_eq(pstn_setup.calling.pres, ROUTE_PRES_RESTRICTED);
	cr_assert_str_eq(pstn_setup.redirecting.digits, "+15559990000");
	cr_assert_eq(pstn_setup.redirect_reason, 1, "call forwarding busy");
	call_leg_released(&pstn->leg, 16, 0);
	run(5);
	cr_assert(has("far:TERMINATED(500) "), "16 before answer: 500 with Reason: %s", trail);
}

/* RFC 7044 (no Diversion): the entry before the last was retargeted away
 * from; RFC 4458 cause=486 in the last one: forwarding on busy. */
Test(leg_sip_id, sip_to_pstn_history_info_gives_the_redirecting_number)
{
	const char *const extra[] = {
	    "History-Info: <sip:+15550001111@carrier.example.net>;index=1,"
	    " <sip:0123@gw.example.net;cause=486>;index=1.1",
	    NULL,
	};
	far_call("0123", "<sip:100@127.0.0.1>", extra, far_offer("8"));
	cr_assert_str_eq(pstn_setup.redirecting.digits, "+15550001111");
	cr_assert_eq(pstn_setup.redirect_reason, 1);
	cr_assert_str_eq(pstn_setup.calling.digits, "100");
	cr_assert_eq(pstn_setup.calling.screen, 0, "From: user-provided, not screened");
	/* The caller hangs up with a cause of its own (RFC 3326 in a BYE). */
	call_leg_answer(&pstn->leg);
	run(5);
	cr_assert_eq(sip_sess_set_reason(far_sess, "Q.850;cause=31"), 0);
	cr_assert_eq(sip_sess_bye(far_sess), 0);
	run(5);
	cr_assert(has("pstn:release(31,0) ended "), "%s", trail);
}

/* An anonymous From asks for privacy even without a Privacy header; the
 * asserted identity still gives the number (RFC 3323 §4.1.1.3, RFC 3325). */
Test(leg_sip_id, sip_to_pstn_anonymous_from_with_asserted_identity)
{
	const char *const extra[] = {"P-Asserted-Identity: <tel:+15551234567>", NULL};
	far_call("0123", "<sip:anonymous@anonymous.invalid>", extra, far_offer("8"));
	cr_assert_str_eq(pstn_setup.calling.digits, "+15551234567");
	cr_assert_eq(pstn_setup.calling.pres, ROUTE_PRES_RESTRICTED);
	cr_assert_eq(pstn_setup.calling.screen, 1);
	call_leg_released(&pstn->leg, 17, 0);
	run(5);
}

Test(leg_sip_id, sip_to_pstn_anonymous_from_is_restricted)
{
	far_call("0123", "\"Anonymous\" <sip:anonymous@anonymous.invalid>", NULL, far_offer("8"));
	cr_assert_eq(pstn_setup.calling.present, false);
	cr_assert_eq(pstn_setup.calling.pres, ROUTE_PRES_RESTRICTED);
	call_leg_released(&pstn->leg, 21, 0);
	run(5);
	cr_assert(has("far:TERMINATED(403) "), "21 call rejected → 403: %s", trail);
}

/* ========================================================================== */
/* PSTN → SIP                                                                 */

/* Presentation restricted: anonymous From, the number in
 * P-Asserted-Identity, Privacy: id (RFC 3323 §4.1.1.3, RFC 3325 §9.1). */
Test(leg_sip_id, pstn_to_sip_restricted_number)
{
	pstn_calling_ton = ROUTE_TON_INTERNATIONAL; /* ISDN: no '+', the TON says it */
	struct call_leg *in = pstn_call("1234", "442079460000", ROUTE_PRES_RESTRICTED);
	cr_assert(strstr(far_from, "<sip:anonymous@anonymous.invalid>"), "%s", far_from);
	cr_assert(strstr(far_pai, "<sip:+442079460000@127.0.0.1:"), "%s", far_pai);
	cr_assert_str_eq(far_privacy, "id");
	call_leg_released(in, 16, 0);
	run(5);
}

/* ========================================================================== */
/* Reading headers                                                            */

Test(leg_sip_id, uri_and_number_parsing)
{
	char b[64];
	struct call_party p;
	cr_assert_eq(leg_sip_uri_of("\"A <x>\" <sip:1@h>;tag=x", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "sip:1@h");
	cr_assert_eq(leg_sip_uri_of("sip:2@h;tag=y", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "sip:2@h");
	cr_assert_eq(leg_sip_uri_user("sip:+1%2d55;npdi@h", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "+1-55");
	cr_assert_eq(leg_sip_uri_user("tel:+1-555;phone-context=x", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "+1-555");
	cr_assert_eq(leg_sip_uri_user("sip:h.example.net", b, sizeof(b)), ENOENT);
	cr_assert_eq(leg_sip_uri_user("sip:h.example.net?X=a@b", b, sizeof(b)), ENOENT);
	cr_assert_eq(leg_sip_uri_user("sip:u:pw@h", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "u");
	cr_assert_eq(leg_sip_uri_user("mailto:a@b", b, sizeof(b)), ENOENT);
	cr_assert_eq(leg_sip_party(&p, "(020) 7946"), EINVAL, "a space is no separator");
	cr_assert_eq(leg_sip_party(&p, "(020).7946-01*#"), 0);
	cr_assert_str_eq(p.digits, "020794601*#");
	cr_assert_eq(p.ton, ROUTE_TON_UNKNOWN);
	cr_assert_eq(leg_sip_party(&p, "+"), EINVAL);
	cr_assert_eq(leg_sip_party(&p, "1+2"), EINVAL);
	cr_assert(leg_sip_privacy_hides("header; id"));
	cr_assert(leg_sip_privacy_hides("user"));
	cr_assert(!leg_sip_privacy_hides("none"));
	cr_assert(!leg_sip_privacy_hides("identity"));
	cr_assert(leg_sip_uri_anonymous("sip:anonymous@example.net"));
	cr_assert(leg_sip_uri_anonymous("sip:x@anonymous.invalid"));
	cr_assert(!leg_sip_uri_anonymous("sip:100@example.net"));
}

Test(leg_sip_id, destination_uri_parsing)
{
	struct leg_sip_target t;
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1", &t), 0);
	cr_assert_str_eq(t.ip, "192.0.2.1");
	cr_assert_eq(t.port, 5060);
	cr_assert_eq(t.proto, SIP_PROTO_UDP);
	cr_assert_eq(leg_sip_target_parse("sip:1@[2001:db8::1]:5070;transport=TCP", &t), 0);
	cr_assert_str_eq(t.ip, "2001:db8::1");
	cr_assert_eq(t.port, 5070);
	cr_assert_eq(t.proto, SIP_PROTO_TCP);
	cr_assert_eq(leg_sip_target_parse("sip:192.0.2.1:5080;lr", &t), 0);
	cr_assert_eq(t.port, 5080);
	cr_assert_eq(leg_sip_target_parse("sip:1@gw.example.net", &t), 0);
	cr_assert_str_eq(t.ip, "gw.example.net");
	cr_assert_eq(t.port, 0, "no port: SRV decides (RFC 3263 §4.2)");
	cr_assert(!t.tp_given);
	cr_assert_eq(leg_sip_target_parse("sip:1@gw-2.example.net:5070;transport=tcp", &t), 0);
	cr_assert_eq(t.port, 5070);
	cr_assert(t.tp_given);
	cr_assert_eq(leg_sip_target_parse("sip:1@999.0.2.1", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sip:1@gw_x.example.net", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sips:1@192.0.2.1", &t), 0);
	cr_assert_eq(t.proto, SIP_PROTO_TLS);
	cr_assert_eq(t.port, 5061);
	cr_assert_eq(leg_sip_target_parse("sips:1@gw.example.net", &t), 0);
	cr_assert_eq(t.port, 0, "a name: SRV decides");
	cr_assert_eq(leg_sip_target_parse("sip:1@[::1];transport=tls", &t), 0);
	cr_assert_eq(t.proto, SIP_PROTO_TLS);
	cr_assert_eq(t.port, 5061);
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1:5071;transport=TLS", &t), 0);
	cr_assert_eq(t.port, 5071);
	cr_assert_eq(leg_sip_target_parse("sips:1@192.0.2.1;transport=udp", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("tel:+15551234", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1;transport=sctp", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1:0", &t), EHOSTUNREACH);
	cr_assert_eq(leg_sip_target_parse("sip:1@192.0.2.1:99999", &t), EHOSTUNREACH);
}
