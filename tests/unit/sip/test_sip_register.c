/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: the REGISTER client (sip/register.h, RFC 3261 §10.2).
 * The test plays the registrar over loopback UDP on a virtual clock:
 * bindings, refresh, digest, 423, backoff with Retry-After, timeout,
 * de-registration.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/auth.h"
#include "sip/register.h"

#include "sg_test.h"
#include "sip_fx.h"

static struct sip_auth_srv *srv;
static struct sip_reg *reg;
static int n_reports;

static void on_reg(struct sip_reg *r, const struct sip_reg_info *info, void *arg)
{
	(void)r, (void)info, (void)arg;
	n_reports++;
}

static void reg_setup(void)
{
	setup();
	n_reports = 0;
	reg = NULL;
	cr_assert_eq(sip_auth_srv_alloc(&srv, clk, 30 * NS_PER_S, 16), 0);
}

static void reg_teardown(void)
{
	reg = mem_deref(reg);
	srv = mem_deref(srv);
	teardown();
}

TestSuite(sip_reg, .init = reg_setup, .fini = reg_teardown);

static void start(const char *user, const char *pass, uint32_t expires)
{
	struct sip_reg_prm p = {
	    .proto = SIP_PROTO_UDP,
	    .dst_ip = "127.0.0.1",
	    .dst_port = peer_port,
	    .registrar = "sip:registrar.test",
	    .aor = "sip:alice@registrar.test",
	    .username = user,
	    .password = pass,
	    .expires = expires,
	};

	cr_assert_eq(sip_reg_alloc(&reg, stack, &p, on_reg, NULL), 0);
}

/* Answer the kept REGISTER with `status` and extra header lines. */
static void reply(int status, const char *extra)
{
	struct kept_lines k;

	kept_lines(&k);
	psend("SIP/2.0 %d Whatever\r\n%s\r\n%s\r\n%s;tag=reg1\r\n%s\r\n%s\r\n%s"
	      "Content-Length: 0\r\n\r\n",
	      status, k.via, k.from, k.to, k.cid, k.cseq, extra ? extra : "");
}

/* The REGISTER just sent; retransmissions queued behind it are dropped. */
static const char *next_register(void)
{
	const char *m = keep(precv());

	while (precv())
		;
	cr_assert(m && !strncmp(m, "REGISTER sip:registrar.test SIP/2.0", 35), "got %.60s", m);
	return m;
}

static struct sip_reg_info info(void)
{
	struct sip_reg_info i;

	sip_reg_info(reg, &i);
	return i;
}

static void challenge(void)
{
	struct sip_auth_chal c;
	char hv[512], line[600];

	cr_assert_eq(sip_auth_srv_challenge(srv, "registrar.test", SIP_AUTH_MD5, false, &c), 0);
	cr_assert_eq(sip_auth_chal_format(hv, sizeof(hv), &c), 0);
	snprintf(line, sizeof(line), "WWW-Authenticate: %s\r\n", hv);
	reply(401, line);
}

static enum sip_auth_verdict verify(const char *password)
{
	struct sip_auth_cred cred;
	char val[1024];

	hdr_need(req_copy, "Authorization", val, sizeof(val));
	cr_assert_eq(sip_auth_cred_parse(val, strlen(val), &cred), 0, "%s", val);
	return sip_auth_srv_verify(srv, &cred, "registrar.test", "REGISTER", password);
}

/* Take the binding away (Expires: 0) so no timer is left. */
static void stop(void)
{
	sip_reg_stop(reg);
	next_register();
	cr_assert(strstr(req_copy, "\r\nExpires: 0\r\n"), "%s", req_copy);
	reply(200, "Expires: 0\r\n");
	cr_assert_eq(info().state, SIP_REG_UNREGISTERED);
}

Test(sip_reg, registers_and_refreshes_before_expiry)
{
	char cid1[128], cid2[128], contact[128];

	start(NULL, NULL, 120);
	cr_assert_eq(info().state, SIP_REG_REGISTERING);
	next_register();
	cr_assert(strstr(req_copy, "\r\nCSeq: 1 REGISTER\r\n"));
	cr_assert(strstr(req_copy, "\r\nExpires: 120\r\n"));
	cr_assert(strstr(req_copy, "\r\nTo: <sip:alice@registrar.test>\r\n"), "%s", req_copy);
	hdr_need(req_copy, "Contact", contact, sizeof(contact));
	cr_assert(!strncmp(contact, "<sip:alice@127.0.0.1:", 21), "%s", contact);
	hdr_need(req_copy, "Call-ID", cid1, sizeof(cid1));
	uint64_t t0 = loop_now(loop);
	char both[300];
	/* Another device's binding of the same AOR comes first: not ours. */
	snprintf(both, sizeof(both),
		 "Contact: <sip:alice@192.0.2.7:5060>;expires=40\r\nContact: %s;expires=100\r\n",
		 contact);
	reply(200, both);
	struct sip_reg_info i = info();
	cr_assert_eq(i.state, SIP_REG_REGISTERED);
	cr_assert_eq(i.expires, 100, "the Contact's expires wins (§10.2.4)");
	cr_assert(i.until >= t0 + 100 * NS_PER_S && i.until < t0 + 101 * NS_PER_S);
	cr_assert(i.next > t0 && i.next < i.until, "a refresh is planned before expiry");
	loop_run_for(loop, 60 * NS_PER_S);
	expect_nothing();
	loop_run_for(loop, 10 * NS_PER_S); /* 100 - 32 s: refresh */
	next_register();
	hdr_need(req_copy, "Call-ID", cid2, sizeof(cid2));
	cr_assert_str_eq(cid1, cid2, "same Call-ID (§10.2.4)");
	cr_assert(strstr(req_copy, "\r\nCSeq: 2 REGISTER\r\n"));
	reply(200, "Expires: 90\r\n");
	cr_assert_eq(info().expires, 90);
	cr_assert_eq(info().state, SIP_REG_REGISTERED);
	stop();
}

Test(sip_reg, answers_a_digest_challenge_and_signs_refreshes)
{
	start("alice", "secret", 3600);
	next_register();
	cr_assert_null(strstr(req_copy, "Authorization"));
	challenge();
	next_register();
	cr_assert(strstr(req_copy, "\r\nCSeq: 2 REGISTER\r\n"));
	cr_assert_eq(verify("secret"), SIP_AUTH_OK);
	reply(200, "Expires: 3600\r\n");
	cr_assert_eq(info().state, SIP_REG_REGISTERED);
	cr_assert_eq(info().last_status, 200);
	stop();
	cr_assert(strstr(req_copy, "\r\nAuthorization: Digest "), "de-REGISTER signed too");
}

Test(sip_reg, wrong_password_fails_and_backs_off_exponentially)
{
	start("alice", "wrong", 600);
	next_register();
	challenge();
	next_register();
	cr_assert_eq(verify("secret"), SIP_AUTH_DENIED);
	uint64_t t0 = loop_now(loop);
	challenge();
	expect_nothing();
	struct sip_reg_info i = info();
	cr_assert_eq(i.state, SIP_REG_FAILED);
	cr_assert_eq(i.last_status, 401);
	cr_assert_eq(i.failures, 1);
	cr_assert(i.next >= t0 + 30 * NS_PER_S && i.next < t0 + 31 * NS_PER_S,
		  "first backoff 30 s");
	loop_run_for(loop, 29 * NS_PER_S);
	expect_nothing();
	loop_run_for(loop, 2 * NS_PER_S);
	next_register();
	reply(403, NULL);
	i = info();
	cr_assert_eq(i.failures, 2);
	cr_assert_eq(i.last_status, 403);
	cr_assert(i.next >= loop_now(loop) + 59 * NS_PER_S, "doubled to 60 s");
	loop_run_for(loop, 61 * NS_PER_S);
	next_register();
	reply(200, "Expires: 600\r\n");
	cr_assert_eq(info().state, SIP_REG_REGISTERED);
	cr_assert_eq(info().failures, 0);
	stop();
}

Test(sip_reg, interval_too_brief_asks_again_with_min_expires)
{
	start(NULL, NULL, 60);
	next_register();
	reply(423, "Min-Expires: 300\r\n");
	next_register();
	cr_assert(strstr(req_copy, "\r\nExpires: 300\r\n"), "%s", req_copy);
	reply(200, "Expires: 300\r\n");
	cr_assert_eq(info().expires, 300);
	stop();
}

Test(sip_reg, retry_after_is_honoured)
{
	start(NULL, NULL, 600);
	next_register();
	reply(503, "Retry-After: 300\r\n");
	cr_assert_eq(info().state, SIP_REG_FAILED);
	cr_assert_eq(info().last_status, 503);
	loop_run_for(loop, 299 * NS_PER_S);
	expect_nothing();
	loop_run_for(loop, 2 * NS_PER_S);
	next_register();
	reply(200, "Expires: 600\r\n");
	stop();
}

Test(sip_reg, timeout_fails_with_408_and_retries)
{
	start(NULL, NULL, 600);
	next_register();
	loop_run_for(loop, 33 * NS_PER_S); /* Timer F: 64*T1 */
	while (precv())
		;
	cr_assert_eq(info().state, SIP_REG_FAILED);
	cr_assert_eq(info().last_status, 408);
	loop_run_for(loop, 30 * NS_PER_S);
	next_register();
	reply(200, "Expires: 600\r\n");
	cr_assert_eq(info().state, SIP_REG_REGISTERED);
	stop();
}

Test(sip_reg, bad_parameters_are_refused)
{
	struct sip_reg *r = NULL;
	struct sip_reg_prm p = {
	    .proto = SIP_PROTO_UDP,
	    .dst_ip = "not-an-ip",
	    .dst_port = 5060,
	    .registrar = "sip:r.test",
	    .aor = "sip:a@r.test",
	};

	cr_assert_eq(sip_reg_alloc(&r, stack, &p, NULL, NULL), EINVAL);
	p.dst_ip = "127.0.0.1";
	p.aor = "sip:a@r.test>\r\nX: 1";
	cr_assert_eq(sip_reg_alloc(&r, stack, &p, NULL, NULL), EINVAL);
	cr_assert_null(r);
	expect_nothing();
}

/* Nothing listens on the registrar's TCP port.  The transport closes the
 * refused stream without telling the transaction, so it ends at Timer F
 * (408); then the backoff. */
Test(sip_reg, refused_tcp_connection_fails_and_backs_off)
{
	struct sip_reg_prm p = {
	    .proto = SIP_PROTO_TCP,
	    .dst_ip = "127.0.0.1",
	    .dst_port = peer_port, /* a UDP socket: no TCP listener there */
	    .registrar = "sip:registrar.test",
	    .aor = "sip:alice@registrar.test",
	    .retry_min = 10,
	};

	uint64_t t0 = loop_now(loop);

	cr_assert_eq(sip_reg_alloc(&reg, stack, &p, on_reg, NULL), 0);
	cr_assert_eq(info().state, SIP_REG_REGISTERING);
	loop_run_for(loop, NS_PER_S);
	struct sip_reg_info i = info();
	cr_assert_eq(i.state, SIP_REG_FAILED);
	/* The transport reports the refused connect at once (503, RFC 3261
	 * §8.1.3.1), not Timer F; then retry_min. */
	cr_assert_eq(i.last_status, 503);
	cr_assert(i.next >= t0 + 10 * NS_PER_S && i.next < t0 + 11 * NS_PER_S,
		  "first backoff: retry_min after the failure");
	cr_assert(n_reports >= 1);
	sip_reg_stop(reg);
	cr_assert_eq(info().state, SIP_REG_UNREGISTERED);
	cr_assert_eq(info().next, 0, "no attempt left planned");
}
