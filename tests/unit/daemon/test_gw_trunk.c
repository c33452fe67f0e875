/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the gateway's trunks at run time (src/gw_trunk.c): targets
 * from [trunk] sections, limits in both directions, reloads that keep the
 * counts, on a virtual clock.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "call/limit.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "gw_trunk.h"
#include "sg_test.h"

static char dir[] = "/tmp/sg-gwtrunk-XXXXXX";
static char path[256];
static struct clk *clk;
static struct loop *loop;
static struct sg_config *cfg;
static struct gw_trunks *trunks;

static void load(const char *text)
{
	struct conf_diag diag;
	conf_diag_init(&diag);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cfg = mem_deref(cfg);
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	conf_diag_reset(&diag);
}

static const char conf1[] = "[trunk v4]\nhost = 192.0.2.1\nport = 5070\nmax_calls = 2\n"
			    "[trunk v6]\nhost = 2001:db8::1\ntransport = tcp\n"
			    "[trunk name]\nhost = sip.example.net\nusername = gw1\npassword = pw\n"
			    "[trunk secure]\nhost = 192.0.2.2\ntransport = tls\n"
			    "[trunk pbx]\nallow = 198.51.100.0/24\nmax_cps = 1\n";

static void setup(void)
{
	sg_test_begin();
	log_capture_start();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.conf", dir);
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	load(conf1);
	cr_assert_eq(gw_trunks_alloc(&trunks, loop, cfg), 0);
}

static void teardown(void)
{
	trunks = mem_deref(trunks);
	cfg = mem_deref(cfg);
	sg_loop_check(loop);
	loop = mem_deref(loop);
	clk = mem_deref(clk);
	unlink(path);
	rmdir(dir);
	log_capture_stop();
	sg_test_end();
}

TestSuite(gw_trunk, .init = setup, .fini = teardown);

/* IP literals: the network target, and the Request-URI's host as written
 * (RFC 3263 §4.2: no port means the transport's default, 5060). */
Test(gw_trunk, targets_of_ip_literals)
{
	struct leg_sip_target t;
	cr_assert_eq(gw_trunk_target(trunks, "v4", &t), 0);
	cr_assert_str_eq(t.ip, "192.0.2.1");
	cr_assert_eq(t.port, 5070);
	cr_assert_eq(t.proto, SIP_PROTO_UDP);
	cr_assert_str_eq(t.domain, "192.0.2.1:5070");
	cr_assert_eq(gw_trunk_target(trunks, "v6", &t), 0);
	cr_assert_str_eq(t.ip, "2001:db8::1");
	cr_assert_eq(t.port, 5060);
	cr_assert_eq(t.proto, SIP_PROTO_TCP);
	cr_assert_str_eq(t.domain, "[2001:db8::1]");
}

/* A host name is for the stack to locate (RFC 3263: no port, SRV decides);
 * TLS goes to 5061 (RFC 3261 §19.1.2); the trunk's credentials answer its
 * challenges; an inbound-only trunk is no destination. */
Test(gw_trunk, names_tls_and_credentials)
{
	struct leg_sip_target t;
	cr_assert_eq(gw_trunk_target(trunks, "name", &t), 0);
	cr_assert_str_eq(t.ip, "sip.example.net");
	cr_assert_eq(t.port, 0);
	cr_assert(t.tp_given, "the trunk's transport is configured");
	cr_assert_str_eq(t.domain, "sip.example.net");
	cr_assert_str_eq(t.username, "gw1");
	cr_assert_str_eq(t.password, "pw");
	cr_assert_eq(gw_trunk_target(trunks, "secure", &t), 0);
	cr_assert_eq(t.proto, SIP_PROTO_TLS);
	cr_assert_eq(t.port, 5061);
	cr_assert_str_eq(t.username, "");
	cr_assert_eq(gw_trunk_target(trunks, "pbx", &t), ENOENT, "inbound only");
	cr_assert_eq(gw_trunk_target(trunks, "nobody", &t), ENOENT);
}

/* max_calls counts both directions; a name that is no [trunk] is free. */
Test(gw_trunk, limits_both_ways)
{
	struct call_leg a = {0}, b = {0}, c = {0}, d = {0};
	unsigned retry = 0;
	cr_assert_eq(gw_trunk_admit_in(trunks, "v4", &a, &retry), 0);
	cr_assert_eq(gw_trunk_admit_out(trunks, "v4", &b), 0);
	cr_assert_eq(gw_trunk_admit_out(trunks, "v4", &c), EBUSY);
	cr_assert_eq(gw_trunk_admit_in(trunks, "v4", &c, &retry), EBUSY);
	cr_assert_geq(retry, 1);
	cr_assert(log_capture_has("incoming call refused: at max_calls (2)"));
	cr_assert_eq(gw_trunk_admit_in(trunks, "phones", &d, &retry), 0);
	cr_assert_null(d.limit);
	/* max_cps = 1 on pbx: one now, the next a second later. */
	cr_assert_eq(gw_trunk_admit_in(trunks, "pbx", &c, &retry), 0);
	call_leg_limit_drop(&c);
	cr_assert_eq(gw_trunk_admit_in(trunks, "pbx", &c, &retry), EAGAIN);
	clk_advance(clk, NS_PER_S);
	cr_assert_eq(gw_trunk_admit_in(trunks, "pbx", &c, &retry), 0);
	call_leg_limit_drop(&a);
	call_leg_limit_drop(&b);
	call_leg_limit_drop(&c);
}

/* A reload keeps the calls and counts of trunks that stay, takes their
 * new limits, and lets calls on a removed trunk end normally. */
Test(gw_trunk, reload_keeps_counts)
{
	struct call_leg a = {0}, b = {0};
	cr_assert_eq(gw_trunk_admit_out(trunks, "v4", &a), 0);
	cr_assert_eq(gw_trunk_admit_in(trunks, "v6", &b, NULL), 0);
	gw_trunk_failover(trunks, "v4");
	load("[trunk v4]\nhost = 192.0.2.1\nmax_calls = 1\n");
	cr_assert_eq(gw_trunks_update(trunks, cfg), 0);
	struct call_leg c = {0};
	cr_assert_eq(gw_trunk_admit_out(trunks, "v4", &c), EBUSY,
		     "the call before the reload counts");
	cr_assert_eq(a.limit->calls[1], 1);
	cr_assert_eq(a.limit->refused[1], 1);
	struct leg_sip_target t;
	cr_assert_eq(gw_trunk_target(trunks, "v6", &t), ENOENT, "removed");
	call_leg_limit_drop(&a);
	call_leg_limit_drop(&b); /* its trunk is gone; the limit goes with it */
	cr_assert_eq(gw_trunk_admit_out(trunks, "v4", &c), 0);
	call_leg_limit_drop(&c);
}
