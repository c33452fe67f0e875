/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the keys transactions are indexed under (src/sip/txn_index.c,
 * RFC 3261 §17.1.3 and §17.2.3).  The text of a key is its contract: the
 * server key compares the sent-by host without case and the branch with it,
 * ACK finds its INVITE, and an RFC 2543 request (no magic cookie) is keyed
 * on its dialog identifiers instead.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sg_test.h"
#include "sip/msg.h"
#include "sip/txn.h"

static void setup(void)
{
	sg_test_begin();
	sip_osip_init();
}

static void teardown(void)
{
	sg_test_end();
}

TestSuite(txn_index, .init = setup, .fini = teardown);

static osip_message_t *parse(const char *method, const char *branch, const char *sent_by)
{
	char buf[1024];
	osip_message_t *m = NULL;
	int n = snprintf(buf, sizeof(buf),
			 "%s sip:2001234@gw.example SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP %s;branch=%s\r\n"
			 "From: <sip:alice@example.com>;tag=f1\r\n"
			 "To: <sip:2001234@gw.example>\r\n"
			 "Call-ID: c1@example.com\r\n"
			 "CSeq: 7 %s\r\n"
			 "Max-Forwards: 70\r\n"
			 "Content-Length: 0\r\n\r\n",
			 method, sent_by, branch, strcmp(method, "ACK") ? method : "ACK");
	cr_assert_eq(sip_msg_parse(&m, buf, (size_t)n), 0);
	return m;
}

static void expect_key(osip_message_t *m, bool server, const char *method, const char *want)
{
	char *key = sip_txn_key(m, server, method);
	cr_assert_not_null(key);
	cr_assert_str_eq(key, want);
	free(key);
}

Test(txn_index, server_key_lowers_the_sent_by_host_only)
{
	osip_message_t *m = parse("INVITE", "z9hG4bKAbC", "Host.EXAMPLE:5070");
	expect_key(m, true, NULL, "s|z9hG4bKAbC|host.example:5070|INVITE");
	osip_message_free(m);
}

Test(txn_index, server_key_without_port_and_ack_finds_invite)
{
	osip_message_t *m = parse("ACK", "z9hG4bK1", "10.0.0.1");
	expect_key(m, true, NULL, "s|z9hG4bK1|10.0.0.1:|INVITE");
	osip_message_free(m);
}

Test(txn_index, server_key_for_cancel_names_its_method_or_the_invite)
{
	osip_message_t *m = parse("CANCEL", "z9hG4bK2", "a.example:5060");
	expect_key(m, true, NULL, "s|z9hG4bK2|a.example:5060|CANCEL");
	expect_key(m, true, "INVITE", "s|z9hG4bK2|a.example:5060|INVITE");
	osip_message_free(m);
}

Test(txn_index, client_key_is_branch_and_method)
{
	osip_message_t *m = parse("BYE", "z9hG4bKxY", "gw.example:5060");
	expect_key(m, false, NULL, "c|z9hG4bKxY|BYE");
	osip_message_free(m);
}

Test(txn_index, rfc2543_request_is_keyed_on_its_dialog)
{
	osip_message_t *m = parse("INVITE", "old1", "pc.example:5060");
	expect_key(m, true, NULL,
		   "2|sip:2001234@gw.example|f1|c1@example.com|7|pc.example:5060;old1|INVITE");
	osip_message_free(m);
}
