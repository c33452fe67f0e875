/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: RFC 3263 server location (src/sip/resolve*), against a DNS
 * server in the test (dns_fake.c) on 127.0.0.1.  Virtual time, except the
 * one DNS-timeout test: c-ares times its queries on the real clock.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "dns_fake.h"
#include "sg_test.h"
#include "sip/resolve.h"
#include "sip/resolve_int.h"

static const struct dns_rr zone[] = {
	/* NAPTR → SRV → A, TCP preferred (lower order) */
	{ "example.com", 35, "50 50 s SIP+D2T _sip._tcp.example.com" },
	{ "example.com", 35, "90 50 s SIP+D2U _sip._udp.example.com" },
	{ "example.com", 35, "40 50 s SIPS+D2T _sips._tcp.example.com" },
	{ "_sip._tcp.example.com", 33, "10 0 5062 sip2.example.com" },
	{ "_sip._tcp.example.com", 33, "0 0 5060 sip1.example.com" },
	{ "_sips._tcp.example.com", 33, "0 0 5061 sip1.example.com" },
	{ "sip1.example.com", 1, "192.0.2.1" },
	{ "sip1.example.com", 28, "2001:db8::1" },
	{ "sip2.example.com", 1, "192.0.2.2" },
	/* no NAPTR: SRV for UDP only */
	{ "srv.example.net", 1, "198.51.100.99" },
	{ "_sip._udp.srv.example.net", 33, "0 0 5070 gw.example.net" },
	{ "gw.example.net", 1, "198.51.100.7" },
	/* neither NAPTR nor SRV */
	{ "plain.example.org", 1, "203.0.113.5" },
	{ "plain.example.org", 28, "2001:db8::5" },
	/* SRV says: not here */
	{ "_sip._udp.nosip.example", 33, "0 0 0 ." },
	{ "nosip.example", 1, "192.0.2.77" },
	{ "broken.example", 0, "servfail" },
	{ "silent.example", 0, "drop" },
};

static struct clk *clk;
static struct loop *loop;
static struct dns_fake *dns;
static struct sip_resolver *res;

struct answer {
	bool done;
	int err;
	unsigned n;
	struct sip_target t[SIP_RES_MAX_TARGETS];
	unsigned calls;
};

static void start(enum clk_kind kind, unsigned transports, bool ipv6, unsigned timeout_ms)
{
	cr_assert_eq(clk_alloc(&clk, kind), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	uint16_t port;
	cr_assert_eq(dns_fake_start(&dns, loop, zone, sizeof(zone) / sizeof(zone[0]), &port), 0);
	char servers[64];
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", port);
	struct sip_res_conf conf = {
		.servers = servers, .transports = transports, .ipv4 = true, .ipv6 = ipv6,
		.timeout_ms = timeout_ms, .tries = 1, .seed = 1,
	};
	cr_assert_eq(sip_resolver_alloc(&res, loop, &conf), 0);
}

static void setup(void)
{
	sg_test_begin();
	start(CLK_VIRTUAL, SIP_RES_TP_BIT(SIP_RES_UDP) | SIP_RES_TP_BIT(SIP_RES_TCP), false, 0);
}

static void stop(void)
{
	res = mem_deref(res);
	dns_fake_stop(dns);
	sg_loop_check(loop);
	mem_deref(loop);
	mem_deref(clk);
}

static void teardown(void)
{
	stop();
	sg_test_end();
}

TestSuite(resolve, .init = setup, .fini = teardown);

static void on_answer(int err, const struct sip_target *t, unsigned n, void *arg)
{
	struct answer *a = arg;
	a->done = true;
	a->err = err;
	a->n = n;
	a->calls++;
	if (n)
		memcpy(a->t, t, n * sizeof(*t));
}

static void wait_for(struct answer *a)
{
	for (int i = 0; i < 100000 && !a->done; i++)
		loop_run_once(loop, 10 * NS_PER_MS);
	cr_assert(a->done, "no answer");
}

static struct answer *resolve(const char *host, uint16_t port, int tp, bool sips)
{
	static struct answer a;
	memset(&a, 0, sizeof(a));
	struct sip_res_query q = { .host = host, .port = port, .transport = tp, .sips = sips };
	cr_assert_eq(sip_resolve(res, &q, on_answer, &a, NULL), 0);
	cr_assert_not(a.done, "never answers from inside the call");
	wait_for(&a);
	return &a;
}

/* "TCP 192.0.2.1:5060" */
static const char *target(const struct sip_target *t)
{
	static char s[96];
	char ip[64];
	uint16_t port;
	if (t->addr.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&t->addr;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		port = ntohs(a->sin_port);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&t->addr;
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		port = ntohs(a->sin6_port);
	}
	snprintf(s, sizeof(s), "%s %s:%u", sip_res_tp_name(t->tp), ip, port);
	return s;
}

Test(resolve, ip_literals_need_no_lookup)
{
	struct answer *a = resolve("192.0.2.9", 0, -1, false);
	cr_assert_eq(a->err, 0);
	cr_assert_eq(a->n, 1);
	cr_assert_str_eq(target(&a->t[0]), "UDP 192.0.2.9:5060");
	a = resolve("[2001:db8::9]", 5070, SIP_RES_TCP, false);
	cr_assert_str_eq(target(&a->t[0]), "TCP 2001:db8::9:5070");
	cr_assert_eq(dns_fake_queries(dns), 0);
}

Test(resolve, naptr_then_srv_then_addresses)
{
	struct answer *a = resolve("example.com", 0, -1, false);
	cr_assert_eq(a->err, 0);
	cr_assert_eq(a->n, 2, "%u targets", a->n);
	/* SIPS+D2T has the lowest order but TLS is not offered: TCP next. */
	cr_assert_str_eq(target(&a->t[0]), "TCP 192.0.2.1:5060");
	cr_assert_str_eq(target(&a->t[1]), "TCP 192.0.2.2:5062");
}

Test(resolve, sips_takes_only_tls_and_ipv6_follows_ipv4)
{
	stop();
	start(CLK_VIRTUAL, SIP_RES_TP_BIT(SIP_RES_UDP) | SIP_RES_TP_BIT(SIP_RES_TCP) |
				   SIP_RES_TP_BIT(SIP_RES_TLS), true, 0);
	struct answer *a = resolve("example.com", 0, -1, true);
	cr_assert_eq(a->err, 0);
	cr_assert_eq(a->n, 2);
	cr_assert_str_eq(target(&a->t[0]), "TLS 192.0.2.1:5061");
	cr_assert_str_eq(target(&a->t[1]), "TLS 2001:db8::1:5061");
	a = resolve("plain.example.org", 0, -1, true);
	cr_assert_str_eq(target(&a->t[0]), "TLS 203.0.113.5:5061", "no SRV: TLS for sips");
}

Test(resolve, srv_without_naptr)
{
	struct answer *a = resolve("srv.example.net", 0, -1, false);
	cr_assert_eq(a->err, 0);
	cr_assert_eq(a->n, 1);
	cr_assert_str_eq(target(&a->t[0]), "UDP 198.51.100.7:5070");
}

Test(resolve, address_records_alone_mean_udp_5060)
{
	struct answer *a = resolve("plain.example.org", 0, -1, false);
	cr_assert_eq(a->err, 0);
	cr_assert_eq(a->n, 1, "ipv6 is off");
	cr_assert_str_eq(target(&a->t[0]), "UDP 203.0.113.5:5060");
}

Test(resolve, explicit_port_skips_naptr_and_srv)
{
	struct answer *a = resolve("sip1.example.com", 5099, -1, false);
	cr_assert_eq(a->err, 0);
	cr_assert_str_eq(target(&a->t[0]), "UDP 192.0.2.1:5099");
	cr_assert_eq(dns_fake_queries(dns), 1, "one A query");
}

Test(resolve, explicit_transport_uses_its_srv)
{
	struct answer *a = resolve("example.com", 0, SIP_RES_TCP, false);
	cr_assert_eq(a->err, 0);
	cr_assert_str_eq(target(&a->t[0]), "TCP 192.0.2.1:5060");
	a = resolve("plain.example.org", 0, SIP_RES_TCP, false);
	cr_assert_eq(a->err, 0);
	cr_assert_str_eq(target(&a->t[0]), "TCP 203.0.113.5:5060");
}

Test(resolve, srv_dot_target_means_not_here)
{
	struct answer *a = resolve("nosip.example", 0, SIP_RES_UDP, false);
	cr_assert_eq(a->err, ENOENT);
	cr_assert_eq(a->n, 0);
}

Test(resolve, unknown_name_and_server_failure)
{
	struct answer *a = resolve("nowhere.invalid", 0, -1, false);
	cr_assert_eq(a->err, ENOENT);
	a = resolve("broken.example", 0, -1, false);
	cr_assert_eq(a->err, EPROTO, "%s", strerror(a->err));
}

Test(resolve, cancelled_request_is_never_answered)
{
	struct answer a = { 0 };
	struct sip_res_req *req;
	struct sip_res_query q = { .host = "example.com", .transport = -1 };
	cr_assert_eq(sip_resolve(res, &q, on_answer, &a, &req), 0);
	sip_resolve_cancel(req);
	for (int i = 0; i < 50; i++)
		loop_run_once(loop, 10 * NS_PER_MS);
	cr_assert_eq(a.calls, 0);
	cr_assert_eq(sip_resolver_pending(res), 0);
}

Test(resolve, freeing_the_resolver_ends_requests_with_ecanceled)
{
	struct answer a = { 0 }, b = { 0 };
	struct sip_res_query q = { .host = "example.com", .transport = -1 };
	struct sip_res_query lit = { .host = "192.0.2.1", .transport = -1 };
	cr_assert_eq(sip_resolve(res, &q, on_answer, &a, NULL), 0);
	cr_assert_eq(sip_resolve(res, &lit, on_answer, &b, NULL), 0);
	res = mem_deref(res);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(a.err, ECANCELED);
	cr_assert_eq(b.calls, 1);
	cr_assert_eq(b.err, ECANCELED);
}

Test(resolve, bad_queries_are_refused)
{
	struct answer a = { 0 };
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	struct sip_res_query q = { .host = longname, .transport = -1 };
	cr_assert_eq(sip_resolve(res, &q, on_answer, &a, NULL), EINVAL);
	q.host = "";
	cr_assert_eq(sip_resolve(res, &q, on_answer, &a, NULL), EINVAL);
}

/* c-ares times queries on the real clock: a real loop, a 50 ms timeout. */
Test(resolve_real, silent_server_times_out)
{
	sg_test_begin();
	start(CLK_REAL, SIP_RES_TP_BIT(SIP_RES_UDP), false, 50);
	struct answer *a = resolve("silent.example", 0, -1, false);
	cr_assert_eq(a->err, ETIMEDOUT);
	stop();
	sg_test_end();
}

/* RFC 2782 ordering: priorities strictly; weights proportionally. */
Test(resolve_order, priority_then_weight)
{
	struct ares_srv_reply r[4] = {
		{ &r[1], "c", 20, 0, 1 },
		{ &r[2], "a", 10, 1, 1 },
		{ &r[3], "b", 10, 3, 1 },
		{ NULL, "d", 5, 0, 1 },
	};
	unsigned first_b = 0, seed = 42;
	for (int i = 0; i < 4000; i++) {
		struct ares_srv_reply *out[4];
		cr_assert_eq(res_srv_order(r, out, 4, &seed), 4);
		cr_assert_str_eq(out[0]->host, "d");
		cr_assert_str_eq(out[3]->host, "c");
		first_b += strcmp(out[1]->host, "b") == 0;
	}
	/* RFC 2782 draws from [0, sum] inclusive: with running sums a=1, b=4
	 * the draws 2, 3, 4 pick b, so b comes first 3/5 of the time. */
	cr_assert(first_b > 2250 && first_b < 2550, "b first %u of 4000", first_b);
}
