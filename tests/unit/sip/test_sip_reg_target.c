/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP stack tests: REGISTER to a registrar named by host name (RFC 3263)
 * with failover between its targets (§4.3: 503, timeout, transport error),
 * and over TLS with the certificate checked against that name (RFC 5922).
 * The fake DNS server (dns_fake.c) answers; the test plays the registrars
 * over loopback (UDP, TCP) or runs a second stack as a TLS registrar; all
 * on a virtual clock.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/ssl.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/register.h"
#include "sip/sip.h"

#include "dns_fake.h"
#include "sg_test.h"
#include "sip_fx.h"
#include "tls_fx.h"

static struct dns_fake *dns;
static struct sip_reg *reg;
static struct sip_reg_info last;
static int peer2 = -1, tcp_l = -1;
static uint16_t peer2_port;
static char srv1[64], srv2[64], srvc[64], srvt[64], srvs[64], srvw[64];
static struct tls_fx tfx;
static struct sip_stack *registrar; /* the TLS registrar */
static uint16_t registrar_tls;
static int n_registers;

static int sock(uint16_t *p, int type)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type, 0);

	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*p = ntohs(a.sin_port);
	return fd;
}

static void on_reg(struct sip_reg *r, const struct sip_reg_info *info, void *arg)
{
	(void)r, (void)arg;
	last = *info;
}

static void rt_setup(void)
{
	static struct dns_rr zone[] = {
	    /* UDP: peer first, then peer2 */
	    {"_sip._udp.reg.test", 33, srv1},
	    {"_sip._udp.reg.test", 33, srv2},
	    {"a.reg.test", 1, "127.0.0.1"},
	    {"b.reg.test", 1, "127.0.0.1"},
	    /* TCP: a closed port first, then a listening one */
	    {"_sip._tcp.tcp.test", 33, srvc},
	    {"_sip._tcp.tcp.test", 33, srvt},
	    /* TLS: the registrar's certificate names gw.test, not wrong.test */
	    {"_sips._tcp.gw.test", 33, srvs},
	    {"gw.test", 1, "127.0.0.1"},
	    {"_sips._tcp.wrong.test", 33, srvw},
	};
	struct sip_conf c;
	uint16_t dport, closed, listening;
	int fd;

	setup();
	reg = NULL;
	registrar = NULL;
	n_registers = 0;
	memset(&last, 0, sizeof(last));
	memset(&tfx, 0, sizeof(tfx));
	peer2 = sock(&peer2_port, SOCK_DGRAM);
	fd = sock(&closed, SOCK_STREAM); /* bound, then closed: refuses */
	close(fd);
	tcp_l = sock(&listening, SOCK_STREAM);
	cr_assert_eq(listen(tcp_l, 4), 0);
	snprintf(srv1, sizeof(srv1), "0 0 %u a.reg.test", peer_port);
	snprintf(srv2, sizeof(srv2), "1 0 %u b.reg.test", peer2_port);
	snprintf(srvc, sizeof(srvc), "0 0 %u a.reg.test", closed);
	snprintf(srvt, sizeof(srvt), "1 0 %u b.reg.test", listening);
	srvs[0] = srvw[0] = 0; /* the TLS tests fill them in */
	cr_assert_eq(dns_fake_start(&dns, loop, zone, sizeof(zone) / sizeof(zone[0]), &dport), 0);
	fx_conf_defaults(&c);
	snprintf(c.dns_servers, sizeof(c.dns_servers), "127.0.0.1:%u", dport);
	c.dns_tries = 1;
	restart_stack(&c, NULL);
}

static void rt_teardown(void)
{
	reg = mem_deref(reg);
	loop_run_for(loop, 40 * NS_PER_S);
	registrar = mem_deref(registrar);
	dns_fake_stop(dns);
	close(peer2);
	close(tcp_l);
	if (tfx.dir[0])
		tls_fx_remove(&tfx);
	teardown();
}

TestSuite(reg_target, .init = rt_setup, .fini = rt_teardown);

static void start(const char *host, enum sip_proto proto)
{
	char registrar_uri[96];
	struct sip_reg_prm p = {
	    .proto = proto,
	    .dst_host = host,
	    .tp_given = true,
	    .registrar = registrar_uri,
	    .aor = "sip:alice@reg.test",
	    .expires = 600,
	};

	snprintf(registrar_uri, sizeof(registrar_uri), "sip:%s", host);
	cr_assert_eq(sip_reg_alloc(&reg, stack, &p, on_reg, NULL), 0);
}

static const char *recv_on(int fd)
{
	loop_run_for(loop, NS_PER_MS);
	ssize_t n = recv(fd, rx, sizeof(rx) - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	rx[n] = 0;
	return keep(rx);
}

/* The REGISTER that just reached `fd`; its retransmissions are dropped. */
static const char *next_register(int fd, const char *host)
{
	char want[64];
	const char *m = recv_on(fd);

	snprintf(want, sizeof(want), "REGISTER sip:%s SIP/2.0", host);
	cr_assert(m && !strncmp(m, want, strlen(want)), "got %.60s", m);
	while (recv_on(fd))
		;
	return req_copy;
}

static void header(const char *m, const char *name, char *out, size_t sz)
{
	char want[32];
	const char *h = NULL;

	snprintf(want, sizeof(want), "\r\n%s: ", name);
	h = strstr(m, want);
	cr_assert_not_null(h, "no %s in %s", name, m);
	snprintf(out, sz, "%.*s", (int)strcspn(h + strlen(want), "\r"), h + strlen(want));
}

static void reply(int status)
{
	answer_request_x(status, "r1", status == 200 ? "Expires: 600\r\n" : "", false);
}

/* A 503 from the first SRV target: the same registration (Call-ID, From
 * tag) goes to the second, which binds it. */
Test(reg_target, fails_over_on_503)
{
	char cid1[128], cid2[128], from1[128], from2[128];

	start("reg.test", SIP_PROTO_UDP);
	next_register(peer, "reg.test");
	header(req_copy, "Call-ID", cid1, sizeof(cid1));
	header(req_copy, "From", from1, sizeof(from1));
	reply(503);
	next_register(peer2, "reg.test");
	header(req_copy, "Call-ID", cid2, sizeof(cid2));
	header(req_copy, "From", from2, sizeof(from2));
	cr_assert_str_eq(cid1, cid2);
	cr_assert_str_eq(from1, from2);
	struct sip_reg_info i;
	sip_reg_info(reg, &i);
	cr_assert_eq(i.state, SIP_REG_REGISTERING, "no failure between targets");
	cr_assert_eq(i.failures, 0);
	reply(200);
	cr_assert_eq(last.state, SIP_REG_REGISTERED);
	cr_assert_eq(last.expires, 600);
	/* The refresh (32 s before the end) goes where the binding is: no
	 * new lookup, the second target again. */
	unsigned q = dns_fake_queries(dns);
	loop_run_for(loop, (600 - 32) * NS_PER_S);
	next_register(peer2, "reg.test");
	cr_assert_eq(dns_fake_queries(dns), q);
	reply(200);
	sip_reg_stop(reg);
	next_register(peer2, "reg.test");
	cr_assert(strstr(req_copy, "\r\nExpires: 0\r\n"), "%s", req_copy);
	reply(200);
	cr_assert_eq(last.state, SIP_REG_UNREGISTERED);
}

/* No answer from the first target (Timer F): the second one. */
Test(reg_target, fails_over_on_timeout)
{
	start("reg.test", SIP_PROTO_UDP);
	next_register(peer, "reg.test");
	loop_run_for(loop, 33 * NS_PER_S);
	while (recv_on(peer))
		;
	next_register(peer2, "reg.test");
	reply(200);
	cr_assert_eq(last.state, SIP_REG_REGISTERED);
	sip_reg_stop(reg);
	next_register(peer2, "reg.test");
	reply(200);
}

/* Every target fails: FAILED with the last status; the retry looks the
 * name up again and starts from the first target. */
Test(reg_target, all_targets_fail_then_retry_looks_up_again)
{
	start("reg.test", SIP_PROTO_UDP);
	next_register(peer, "reg.test");
	reply(503);
	next_register(peer2, "reg.test");
	reply(503);
	cr_assert_eq(last.state, SIP_REG_FAILED);
	cr_assert_eq(last.last_status, 503);
	unsigned q = dns_fake_queries(dns);
	loop_run_for(loop, 31 * NS_PER_S); /* retry_min 30 s */
	cr_assert_gt(dns_fake_queries(dns), q, "looked up again");
	next_register(peer, "reg.test");
	reply(200);
	cr_assert_eq(last.state, SIP_REG_REGISTERED);
	sip_reg_stop(reg);
	next_register(peer, "reg.test");
	reply(200);
}

/* A refused TCP connection is a transport error: the next target. */
Test(reg_target, fails_over_on_transport_error)
{
	char buf[4096];

	start("tcp.test", SIP_PROTO_TCP);
	cr_assert(pump_until_readable(tcp_l), "the second target is tried");
	int c = accept(tcp_l, NULL, NULL);

	cr_assert(c >= 0);
	cr_assert(pump_until_readable(c));
	ssize_t n = recv(c, buf, sizeof(buf) - 1, 0);

	cr_assert(n > 0);
	buf[n] = 0;
	cr_assert(!strncmp(buf, "REGISTER sip:tcp.test SIP/2.0", 29) &&
		      strstr(buf, "SIP/2.0/TCP "),
		  "got %.80s", buf);
	close(c); /* a dead stream: the REGISTER fails and waits for its retry */
	reg = mem_deref(reg);
}

Test(reg_target, unknown_name_fails_with_503)
{
	start("nx.test", SIP_PROTO_UDP);
	loop_run_for(loop, NS_PER_S);
	cr_assert_eq(last.state, SIP_REG_FAILED);
	cr_assert_eq(last.last_status, 503);
	cr_assert_null(recv_on(peer));
}

Test(reg_target, bad_hosts_are_refused)
{
	struct sip_reg_prm p = {.proto = SIP_PROTO_UDP, .registrar = "sip:x", .aor = "sip:a@x"};
	const char *bad[] = {"", "a b", "host;x", "1:2:zz", "a@b"};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		p.dst_host = bad[i];
		cr_assert_eq(sip_reg_alloc(&reg, stack, &p, on_reg, NULL), EINVAL, "'%s'", bad[i]);
	}
	p.dst_host = NULL;
	cr_assert_eq(sip_reg_alloc(&reg, stack, &p, on_reg, NULL), EINVAL, "no host at all");
}

/* --- TLS: a second stack as the far end ------------------------------------
 * Our stack serves no REGISTER (405 with Allow, msg_check.c); that answer,
 * coming back over the TLS connection, proves the REGISTER went through
 * the lookup, the handshake and the name check.  Its log line counts them. */

static uint16_t registrar_req(const struct sip_msg *m, void *arg)
{
	(void)m, (void)arg;
	n_registers++; /* never reached: REGISTER is refused before */
	return 200;
}

static void tls_up(void)
{
	static const struct sip_handlers h = {.request_h = registrar_req};
	struct sip_conf c;
	char why[256] = "";
	uint16_t p;
	struct sip_tls_conf ours = {.cert_file = tfx.cert, .key_file = tfx.key, .ca_file = tfx.ca,
				    .verify = true, .handshake_timeout = 5 * NS_PER_S};

	cr_assert_eq(tls_fx_make(&tfx), 0);
	sip_conf_defaults(&c);
	cr_assert_eq(sip_stack_alloc(&registrar, loop, &c, &h, NULL), 0);
	cr_assert_eq(sip_stack_tls(registrar, &ours, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(sip_stack_listen(registrar, SIP_PROTO_TLS, "127.0.0.1", 0, &registrar_tls),
		     0);
	/* Ours: a TLS listener (our Via), trusting the test CA. */
	cr_assert_eq(sip_stack_tls(stack, &ours, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(sip_stack_listen(stack, SIP_PROTO_TLS, "127.0.0.1", 0, &p), 0);
	snprintf(srvs, sizeof(srvs), "0 0 %u gw.test", registrar_tls);
	snprintf(srvw, sizeof(srvw), "0 0 %u gw.test", registrar_tls);
}

/* The name found through _sips._tcp, the certificate checked against it:
 * the far end's own answer (405) comes back over TLS. */
Test(reg_target, reaches_a_tls_registrar_by_name)
{
	struct sip_stats st;

	tls_up();
	start("gw.test", SIP_PROTO_TLS);
	for (int i = 0; i < 200 && last.state != SIP_REG_FAILED; i++)
		loop_run_for(loop, 10 * NS_PER_MS);
	cr_assert_eq(last.state, SIP_REG_FAILED);
	cr_assert_eq(last.last_status, 405, "the far end's answer, over TLS: %u",
		     last.last_status);
	sip_stack_stats(registrar, &st);
	cr_assert_eq(st.rx_msgs, 1, "one REGISTER reached the far end");
	cr_assert_eq(n_registers, 0);
	reg = mem_deref(reg);
}

/* A registrar that binds: a bare TLS server in the test (OpenSSL,
 * non-blocking, turned between loop steps) answers the REGISTER 200. */
static int tls_listen_fd(uint16_t *lport)
{
	int fd = sock(lport, SOCK_STREAM | SOCK_NONBLOCK); /* accept() must not wait */

	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

/* Run the loop until `ok` says so or 2 s of steps went by. */
static bool step_until(bool (*ok)(void *), void *arg)
{
	for (int i = 0; i < 2000; i++) {
		if (ok(arg))
			return true;
		loop_run_for(loop, NS_PER_MS);
	}
	return ok(arg);
}

struct tls_srv {
	int lfd, fd;
	SSL *ssl;
	char buf[4096];
	size_t len;
};

static bool srv_accepted(void *arg)
{
	struct tls_srv *t = arg;

	int one = 1;

	if (t->fd < 0)
		t->fd = accept4(t->lfd, NULL, NULL, SOCK_NONBLOCK);
	/* No Nagle: the loop runs virtual seconds in real microseconds, and
	 * the 200 behind the TLS 1.3 session tickets would wait for an ACK
	 * the client delays 40 real ms. */
	if (t->fd >= 0)
		setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return t->fd >= 0;
}

static bool srv_handshaken(void *arg)
{
	struct tls_srv *t = arg;

	return SSL_accept(t->ssl) == 1;
}

static bool srv_got_request(void *arg)
{
	struct tls_srv *t = arg;
	int n = SSL_read(t->ssl, t->buf + t->len, (int)(sizeof(t->buf) - 1 - t->len));

	if (n > 0)
		t->len += (size_t)n;
	t->buf[t->len] = 0;
	return strstr(t->buf, "\r\n\r\n") != NULL;
}

static bool registered_now(void *arg)
{
	(void)arg;
	loop_run_once(loop, 0);
	sched_yield();
	return last.state == SIP_REG_REGISTERED;
}

/* Its answer: 200 with the request's Via, From, To (tagged), Call-ID, CSeq. */
static void srv_answer(struct tls_srv *t, int status)
{
	char out[2048], via[256], from[128], to[128], cid[128], cseq[64];

	header(t->buf, "Via", via, sizeof(via));
	header(t->buf, "From", from, sizeof(from));
	header(t->buf, "To", to, sizeof(to));
	header(t->buf, "Call-ID", cid, sizeof(cid));
	header(t->buf, "CSeq", cseq, sizeof(cseq));
	int n = snprintf(out, sizeof(out),
			 "SIP/2.0 %d OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s;tag=tr1\r\n"
			 "Call-ID: %s\r\nCSeq: %s\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n",
			 status, via, from, to, cid, cseq);
	cr_assert_eq(SSL_write(t->ssl, out, n), n);
	t->len = 0;
}

Test(reg_target, registers_with_a_tls_registrar_by_name)
{
	struct tls_srv t = {.fd = -1};
	uint16_t lport;
	SSL_CTX *ctx = NULL;

	signal(SIGPIPE, SIG_IGN); /* OpenSSL write()s to our socket */
	tls_up();
	t.lfd = tls_listen_fd(&lport);
	snprintf(srvs, sizeof(srvs), "0 0 %u gw.test", lport); /* ours, not the stack's */
	ctx = SSL_CTX_new(TLS_server_method());
	cr_assert_not_null(ctx);
	cr_assert_eq(SSL_CTX_use_certificate_chain_file(ctx, tfx.cert), 1);
	cr_assert_eq(SSL_CTX_use_PrivateKey_file(ctx, tfx.key, SSL_FILETYPE_PEM), 1);
	start("gw.test", SIP_PROTO_TLS);
	cr_assert(step_until(srv_accepted, &t), "no connection");
	t.ssl = SSL_new(ctx);
	SSL_set_fd(t.ssl, t.fd);
	cr_assert(step_until(srv_handshaken, &t), "no handshake");
	cr_assert(step_until(srv_got_request, &t), "no REGISTER");
	cr_assert(!strncmp(t.buf, "REGISTER sip:gw.test SIP/2.0\r\n", 30), "%.60s", t.buf);
	cr_assert(strstr(t.buf, "\r\nVia: SIP/2.0/TLS "), "%s", t.buf);
	cr_assert(strstr(t.buf, ";transport=tls>"), "a TLS Contact: %s", t.buf);
	srv_answer(&t, 200);
	cr_assert(step_until(registered_now, NULL), "state %d", last.state);
	cr_assert_eq(last.expires, 600);
	/* Unbind on the same connection. */
	sip_reg_stop(reg);
	cr_assert(step_until(srv_got_request, &t), "no Expires: 0");
	cr_assert(strstr(t.buf, "\r\nExpires: 0\r\n"), "%s", t.buf);
	srv_answer(&t, 200);
	loop_run_for(loop, 10 * NS_PER_MS);
	cr_assert_eq(last.state, SIP_REG_UNREGISTERED);
	SSL_free(t.ssl);
	SSL_CTX_free(ctx);
	close(t.fd);
	close(t.lfd);
}

/* The same server reached as wrong.test: its certificate does not name
 * it, the handshake fails, the transport error is a 503 (no target left). */
Test(reg_target, tls_name_mismatch_fails)
{
	struct sip_stats st;

	tls_up();
	start("wrong.test", SIP_PROTO_TLS);
	for (int i = 0; i < 200 && last.state != SIP_REG_FAILED; i++)
		loop_run_for(loop, 10 * NS_PER_MS);
	cr_assert_eq(last.state, SIP_REG_FAILED);
	cr_assert_eq(last.last_status, 503);
	sip_stack_stats(registrar, &st);
	cr_assert_eq(st.rx_msgs, 0, "nothing reached the far end");
	reg = mem_deref(reg);
}
