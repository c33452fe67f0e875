/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: the user's own INFO, MESSAGE, NOTIFY and OPTIONS, in a
 * dialog (sip_sess_request, session_req.c) and outside one (OPTIONS and
 * MESSAGE, sip_stack_request, stack_request.c).  The test is the far end
 * on loopback, on a virtual clock (fixture: sip_fx.c): it reads what the
 * stack sends, answers it, or lets the transaction time out.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/sip.h"

#include "sg_test.h"
#include "sip_fx.h"

static struct sip_sess *sess;
static int n_answers, n_ended;
static uint16_t answer_st;    /* the last reported final status */
static bool answer_had_msg;
static char answer_cseq[64];  /* its CSeq method, "" without a message */
static char tag[64];

static void note_answer(uint16_t st, const struct sip_msg *m)
{
	const char *cs = m ? sip_msg_cseq_method(m) : NULL;

	n_answers++;
	answer_st = st;
	answer_had_msg = m != NULL;
	snprintf(answer_cseq, sizeof(answer_cseq), "%s", cs ? cs : "");
}

static void r_invite(struct sip_sess *s, const struct sip_msg *m, void *arg)
{
	(void)m, (void)arg;
	sess = s;
	sip_sess_answer(s, 200, NULL, "application/sdp", sdp);
}

static void r_sess(struct sip_sess *s, enum sip_sess_ev ev, uint16_t st, const struct sip_msg *m,
		   void *arg)
{
	(void)arg;
	if (ev == SIP_EV_TERMINATED && s == sess) {
		n_ended++;
		sess = NULL;
	}
	if (ev == SIP_EV_REQUEST_ANSWER)
		note_answer(st, m);
}

static void on_answer(uint16_t st, const struct sip_msg *m, void *arg)
{
	cr_assert_eq(arg, &n_answers);
	note_answer(st, m);
}

static const struct sip_handlers handlers = {.invite_h = r_invite, .sess_h = r_sess};

/* A call from the peer, answered and ACKed: the dialog requests go in. */
static void rsetup(void)
{
	setup();
	n_answers = n_ended = 0;
	answer_st = 0;
	answer_cseq[0] = 0;
	sess = NULL;
	fx_peer_call(&handlers, "rq1", tag, sizeof(tag));
	cr_assert_not_null(sess);
}

static void rteardown(void)
{
	if (sess)
		fx_peer_bye("rq9", tag);
	teardown();
}

TestSuite(req, .init = rsetup, .fini = rteardown);

static void await_answer(int n)
{
	for (int i = 0; i < 2000 && n_answers < n; i++)
		loop_run_once(loop, 0);
	cr_assert_eq(n_answers, n, "answers: %d, wanted %d", n_answers, n);
}

static const char *body_of(const char *m)
{
	const char *b = strstr(m, "\r\n\r\n");

	return b ? b + 4 : "";
}

/* --- in a dialog ------------------------------------------------------------ */

/* Each method goes in the dialog to the peer's Contact with its body and
 * extra headers; each answer is reported once, the CSeq naming it. */
Test(req, each_method_in_dialog)
{
	static const char *const methods[] = {"INFO", "MESSAGE", "NOTIFY", "OPTIONS"};
	const char *const info_hdrs[] = {"Info-Package: dtmf", "X-Note:  two spaces", NULL};
	char want[64];

	for (int i = 0; i < 4; i++) {
		const char *body = i == 3 ? NULL : "Signal=5\r\nDuration=160\r\n";

		cr_assert_eq(sip_sess_request(sess, methods[i], body ? "application/dtmf-relay" : NULL,
					      body, info_hdrs),
			     0, "%s", methods[i]);
		const char *m = keep(precv());
		cr_assert_not_null(m, "%s not sent", methods[i]);
		snprintf(want, sizeof(want), "%s sip:a@127.0.0.1:", methods[i]);
		cr_assert(!strncmp(m, want, strlen(want)), "got %.60s", m);
		cr_assert(strstr(m, "\r\nInfo-Package: dtmf\r\n"), "%s", m);
		cr_assert(strstr(m, "\r\nX-Note: two spaces\r\n"), "%s", m);
		cr_assert(strstr(m, "\r\nCall-ID: call-1@test\r\n"), "in the dialog: %s", m);
		if (body) {
			cr_assert(strstr(m, "\r\nContent-Type: application/dtmf-relay\r\n"), "%s", m);
			cr_assert_str_eq(body_of(m), body);
		} else {
			cr_assert_str_eq(body_of(m), "");
		}
		answer_request(i == 1 ? 202 : 200, "ft1", false);
		await_answer(i + 1);
		cr_assert_eq(answer_st, i == 1 ? 202 : 200);
		cr_assert(answer_had_msg);
		cr_assert_str_eq(answer_cseq, methods[i]);
	}
	cr_assert_eq(n_ended, 0, "the call goes on");
}

/* One at a time; an error answer is reported as well, and frees the slot. */
Test(req, one_at_a_time_and_errors_reported)
{
	cr_assert_eq(sip_sess_request(sess, "INFO", "application/dtmf", "5", NULL), 0);
	const char *m = keep(precv());
	cr_assert(m && !strncmp(m, "INFO ", 5), "got %.60s", m);
	cr_assert_eq(sip_sess_request(sess, "MESSAGE", "text/plain", "hi", NULL), EBUSY);
	cr_assert_eq(sip_sess_request(sess, "OPTIONS", NULL, NULL, NULL), EBUSY);
	expect_nothing();
	answer_request(469, "ft1", false); /* Bad Info Package, RFC 6086 §4.2.2 */
	await_answer(1);
	cr_assert_eq(answer_st, 469);
	cr_assert_eq(sip_sess_request(sess, "MESSAGE", "text/plain", "hi", NULL), 0);
	m = keep(precv());
	cr_assert(m && !strncmp(m, "MESSAGE ", 8), "got %.60s", m);
	answer_request(415, "ft1", false);
	await_answer(2);
	cr_assert_eq(answer_st, 415);
	cr_assert_str_eq(answer_cseq, "MESSAGE");
}

/* Methods with their own calls, unknown ones and bad input: EINVAL, and
 * nothing goes out; the next good request still may. */
Test(req, refused_methods_and_bad_headers)
{
	static const char *const own[] = {"INVITE", "UPDATE", "PRACK", "BYE", "CANCEL",
					  "ACK",    "REFER",  "info",  "SUBSCRIBE", ""};
	const char *const crlf[] = {"X-A: 1\r\nInjected: 2", NULL};
	const char *const no_colon[] = {"X-A 1", NULL};
	const char *const no_name[] = {": 1", NULL};
	const char *const bad_name[] = {"X A: 1", NULL};
	const char *const good_then_bad[] = {"X-A: 1", "X-B\n: 2", NULL};
	const char *const *bad[] = {crlf, no_colon, no_name, bad_name, good_then_bad};

	for (unsigned i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		cr_assert_eq(sip_sess_request(sess, own[i], NULL, NULL, NULL), EINVAL, "%s", own[i]);
	cr_assert_eq(sip_sess_request(sess, NULL, NULL, NULL, NULL), EINVAL);
	cr_assert_eq(sip_sess_request(sess, "INFO", NULL, "body", NULL), EINVAL, "no type");
	cr_assert_eq(sip_sess_request(sess, "INFO", "text/plain\r\nX: 1", "body", NULL), EINVAL);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(sip_sess_request(sess, "INFO", NULL, NULL, bad[i]), EINVAL, "line %u", i);
	expect_nothing();
	cr_assert_eq(sip_sess_request(sess, "NOTIFY", NULL, NULL, NULL), 0);
	const char *m = keep(precv());
	cr_assert(m && !strncmp(m, "NOTIFY ", 7), "got %.60s", m);
	answer_request(200, "ft1", false);
	await_answer(1);
	cr_assert_eq(n_answers, 1);
}

/* No answer: Timer F (64*T1) reports 408 without a message; the session
 * stays the user's to end. */
Test(req, timeout_is_408)
{
	cr_assert_eq(sip_sess_request(sess, "OPTIONS", NULL, NULL, NULL), 0);
	loop_run_for(loop, 40 * NS_PER_S);
	while (precv())
		;
	cr_assert_eq(n_answers, 1);
	cr_assert_eq(answer_st, 408);
	cr_assert_not(answer_had_msg);
	cr_assert_eq(sip_sess_request(sess, "OPTIONS", NULL, NULL, NULL), 0, "slot free again");
	keep(precv());
	answer_request(200, "ft1", false);
	await_answer(2);
}

/* After the session ended there is no dialog to send in. */
Test(req, no_dialog_no_request)
{
	struct sip_sess *s = mem_ref(sess);

	send_in_dialog("BYE", 5, "rq5", tag);
	expect_status(200);
	cr_assert_null(sess);
	cr_assert_eq(sip_sess_request(s, "INFO", NULL, NULL, NULL), EPROTO);
	mem_deref(s);
	expect_nothing();
}

/* --- outside a dialog ------------------------------------------------------- */

static char ruri[64];

static struct sip_request_prm out_prm(const char *method)
{
	snprintf(ruri, sizeof(ruri), "sip:trunk@127.0.0.1:%u", peer_port);
	return (struct sip_request_prm){
		.method = method,
		.proto = SIP_PROTO_UDP,
		.dst_ip = "127.0.0.1",
		.dst_port = peer_port,
		.req_uri = ruri,
		.from = "<sip:gw@127.0.0.1>",
		.to = "<sip:trunk@127.0.0.1>",
	};
}

/* OPTIONS (a trunk's qualify): a new Call-ID, From tag, no To tag, CSeq 1,
 * the extra headers; its 200 is reported with the message. */
Test(req, options_out_of_dialog)
{
	const char *const hdrs[] = {"Accept: application/sdp", NULL};
	struct sip_request_prm p = out_prm("OPTIONS");
	char want[96];

	p.extra_headers = hdrs;
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	const char *m = keep(precv());
	snprintf(want, sizeof(want), "OPTIONS %s SIP/2.0\r\n", ruri);
	cr_assert(m && !strncmp(m, want, strlen(want)), "got %.80s", m);
	cr_assert(strstr(m, "\r\nCSeq: 1 OPTIONS\r\n"), "%s", m);
	cr_assert(strstr(m, "\r\nMax-Forwards: 70\r\n"), "%s", m);
	cr_assert(strstr(m, "\r\nAccept: application/sdp\r\n"), "%s", m);
	cr_assert(strstr(m, "\r\nFrom: <sip:gw@127.0.0.1>;tag="), "%s", m);
	cr_assert(strstr(m, "\r\nTo: <sip:trunk@127.0.0.1>\r\n"), "no To tag: %s", m);
	cr_assert_null(strstr(m, "call-1@test"), "not the dialog's Call-ID");
	answer_request_x(200, "tt1", "Allow: INVITE, ACK, BYE, OPTIONS\r\n", false);
	await_answer(1);
	cr_assert_eq(answer_st, 200);
	cr_assert(answer_had_msg);
	cr_assert_str_eq(answer_cseq, "OPTIONS");
	cr_assert_eq(sip_stack_txn_count(stack) >= 1, true, "the NICT lingers (Timer K)");
}

/* MESSAGE with a body (RFC 3428): Content-Type and body as given; a 202. */
Test(req, message_out_of_dialog)
{
	struct sip_request_prm p = out_prm("MESSAGE");

	p.ctype = "text/plain";
	p.body = "Hello from the gateway";
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	const char *m = keep(precv());
	cr_assert(m && !strncmp(m, "MESSAGE sip:trunk@", 18), "got %.80s", m);
	cr_assert(strstr(m, "\r\nContent-Type: text/plain\r\n"), "%s", m);
	cr_assert_str_eq(body_of(m), "Hello from the gateway");
	answer_request(202, "tt2", false);
	await_answer(1);
	cr_assert_eq(answer_st, 202);
	cr_assert_str_eq(answer_cseq, "MESSAGE");
}

/* Bad parameters: an error at once, nothing sent, no callback. */
Test(req, out_of_dialog_bad_parameters)
{
	const char *const bad_hdr[] = {"X-A: 1\r\nInjected: 2", NULL};
	struct sip_request_prm p;

	p = out_prm("INFO");
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), EINVAL);
	p = out_prm("INVITE");
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), EINVAL);
	p = out_prm("OPTIONS");
	p.extra_headers = bad_hdr;
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), EINVAL);
	p = out_prm("MESSAGE");
	p.body = "no type";
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), EINVAL);
	p = out_prm("OPTIONS");
	p.from = "<sip:gw@127.0.0.1>\r\nX: 1";
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), EINVAL);
	p = out_prm("OPTIONS");
	p.req_uri = NULL;
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), EINVAL);
	p = out_prm("OPTIONS");
	p.dst_ip = "not-an-ip";
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), EINVAL);
	p = out_prm("OPTIONS");
	p.dst_host = "trunk.example.net"; /* no RFC 3263 lookup here */
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), ENOTSUP);
	p = out_prm("OPTIONS");
	p.username = "gw\r\nX: 1";
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), EINVAL);
	p = out_prm("OPTIONS");
	p.req_uri = "not a uri";
	cr_assert_neq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	expect_nothing();
	cr_assert_eq(n_answers, 0);
}

/* No answer: 408 after Timer F, without a message. */
Test(req, out_of_dialog_timeout_is_408)
{
	struct sip_request_prm p = out_prm("OPTIONS");

	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	loop_run_for(loop, 40 * NS_PER_S);
	while (precv())
		;
	cr_assert_eq(n_answers, 1);
	cr_assert_eq(answer_st, 408);
	cr_assert_not(answer_had_msg);
}

/* Nothing listens on TCP at the peer's port: 503, no message. */
Test(req, out_of_dialog_transport_error_is_503)
{
	struct sip_request_prm p = out_prm("OPTIONS");

	p.proto = SIP_PROTO_TCP;
	p.dst_port = peer_port; /* a UDP socket only */
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	for (int i = 0; i < 200 && !n_answers; i++)
		loop_run_for(loop, 10 * NS_PER_MS);
	cr_assert_eq(n_answers, 1);
	cr_assert_eq(answer_st, 503);
	cr_assert_not(answer_had_msg);
}

#define CHAL "WWW-Authenticate: Digest realm=\"trunk\", nonce=\"%s\", algorithm=MD5\r\n"

/* With credentials: a 401 is answered once, signed, CSeq 2; a second
 * challenge (not stale) is the answer. */
Test(req, out_of_dialog_digest)
{
	struct sip_request_prm p = out_prm("OPTIONS");
	char chal[128];

	p.username = "gw";
	p.password = "secret";
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	keep(precv());
	snprintf(chal, sizeof(chal), CHAL, "n1");
	answer_request_x(401, "tt3", chal, false);
	const char *m = keep(precv());
	cr_assert(m && !strncmp(m, "OPTIONS ", 8), "got %.60s", m);
	cr_assert(strstr(m, "\r\nCSeq: 2 OPTIONS\r\n"), "%s", m);
	cr_assert(strstr(m, "\r\nAuthorization: Digest ") && strstr(m, "username=\"gw\""), "%s", m);
	cr_assert_eq(n_answers, 0, "the challenge is not the answer");
	snprintf(chal, sizeof(chal), CHAL, "n2");
	answer_request_x(401, "tt3", chal, false);
	await_answer(1);
	cr_assert_eq(answer_st, 401, "refused: reported");
	cr_assert(answer_had_msg);
	expect_nothing();

	/* Without credentials the first 401 is the answer. */
	p.username = NULL;
	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	keep(precv());
	answer_request_x(401, "tt4", chal, false);
	await_answer(2);
	cr_assert_eq(answer_st, 401);
	expect_nothing();
}

/* An owner that goes away, and a stack freed with requests pending: no
 * callback, nothing leaked (the fixture counts). */
Test(req, forget_and_stack_gone)
{
	struct sip_request_prm p = out_prm("OPTIONS");
	struct sip_conf c;

	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	keep(precv());
	sip_stack_request_forget(stack, &n_answers);
	answer_request(200, "tt5", false);
	for (int i = 0; i < 50; i++)
		loop_run_once(loop, 0);
	cr_assert_eq(n_answers, 0);

	cr_assert_eq(sip_stack_request(stack, &p, on_answer, &n_answers), 0);
	keep(precv());
	send_in_dialog("BYE", 5, "rq6", tag); /* end the call before the stack goes */
	expect_status(200);
	fx_conf_defaults(&c);
	restart_stack(&c, &handlers);
	loop_run_for(loop, 40 * NS_PER_S);
	cr_assert_eq(n_answers, 0);
}

/* As the caller: INFO and MESSAGE in the confirmed dialog, to the
 * callee's Contact.  (Before the 2xx there is no dialog here unless a
 * reliable 1xx made one: EPROTO.) */
Test(req, as_the_caller)
{
	struct sip_sess *s = call_peer();
	const char *m = keep(precv());

	cr_assert(m && !strncmp(m, "INVITE sip:b@", 13), "got %.40s", m);
	answer_request(180, "pt1", false);
	cr_assert_eq(sip_sess_request(s, "INFO", "application/dtmf", "7", NULL), EPROTO);
	answer_request(200, "pt1", true);
	cr_assert_not_null(precv()); /* ACK */
	cr_assert_eq(sip_sess_state(s), SIP_SESS_ESTABLISHED);
	static const char *const methods[] = {"INFO", "MESSAGE"};
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(sip_sess_request(s, methods[i], "text/plain", "7", NULL), 0);
		m = keep(precv());
		cr_assert(m && !strncmp(m, methods[i], strlen(methods[i])), "got %.60s", m);
		cr_assert(strstr(m, " sip:b@127.0.0.1:") && strstr(m, ";tag=pt1\r\n"), "%s", m);
		answer_request(200, NULL, false);
		await_answer(i + 1);
		cr_assert_str_eq(answer_cseq, methods[i]);
	}
	cr_assert_eq(sip_sess_bye(s), 0);
	keep(precv());
	answer_request(200, NULL, false);
}
