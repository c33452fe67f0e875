/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: the daemon configuration (src/gwconf). */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "gwconf.h"
#include "sg_test.h"
#include "sip/sip.h"
#include "sip/tls_fx.h"

static char dir[] = "/tmp/sg-gwconf-XXXXXX";
static char path[256];
static struct conf_diag diag;

static void setup(void)
{
	sg_test_begin();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.conf", dir);
	conf_diag_init(&diag);
	log_capture_start();
}

static void teardown(void)
{
	log_capture_stop();
	log_set_level_all(LL_NOTICE);
	log_set_target(LOG_TO_STDERR);
	conf_diag_reset(&diag);
	unlink(path);
	rmdir(dir);
	sg_test_end();
}

static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

TestSuite(gwconf, .init = setup, .fini = teardown);

Test(gwconf, shipped_default_is_valid)
{
	const char *top = getenv("top_srcdir");
	char p[512];
	snprintf(p, sizeof(p), "%s/conf/strowger.conf", top ? top : ".");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, p, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert_eq(diag.errors, 0);
	mem_deref(cfg);
}

Test(gwconf, values_and_defaults)
{
	write_conf("[general]\nnode = gw1\n[logging]\nsip = debug\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0);
	cr_assert_str_eq(cfg->general.node, "gw1");
	cr_assert_eq(cfg->general.log_level, LL_NOTICE);
	cr_assert_eq(cfg->general.log_target, SG_LOG_STDERR);
	cr_assert_eq(cfg->levels[LC_SIP], LL_DEBUG);
	cr_assert_eq(cfg->levels[LC_ISDN], -1);
	sg_config_apply_logging(cfg);
	cr_assert_eq(log_get_level(LC_SIP), LL_DEBUG);
	cr_assert_eq(log_get_level(LC_ISDN), LL_NOTICE);
	mem_deref(cfg);
}

Test(gwconf, unknown_category_is_an_error_with_location)
{
	write_conf("[general]\n\n[logging]\nsipp = debug\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert_null(cfg);
	char want[300];
	snprintf(want, sizeof(want), "%s:4: [logging] key 'sipp': unknown key", path);
	cr_assert(conf_diag_has(&diag, want), "%s", diag.text);
}

Test(gwconf, bad_level_and_unknown_section)
{
	write_conf("[general]\nlog_level = loud\n[spans]\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert_eq(diag.errors, 2, "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "key 'log_level'"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "spans"), "%s", diag.text);
}

Test(gwconf, missing_file_is_reported)
{
	struct sg_config *cfg = NULL;
	cr_assert_neq(sg_config_load(&cfg, "/nonexistent/strowger.conf", &diag), 0);
	cr_assert_null(cfg);
}

Test(gwconf, mapping_files_load_with_the_configuration)
{
	/* make check's top_srcdir is often ".": a config file resolves a
	 * relative path against its own directory, so give it an absolute one. */
	char top[PATH_MAX], text[PATH_MAX + 100];
	cr_assert_not_null(realpath(getenv("top_srcdir") ? getenv("top_srcdir") : ".", top));
	snprintf(text, sizeof(text),
		 "[general]\n[mapping]\ndialplan = %s/mapping/pbx-pri.map\n"
		 "[trunk itsp]\nhost = 192.0.2.1\n",
		 top);
	write_conf(text);
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert_not_null(cfg->routes);
	cr_assert_not_null(cfg->causes, "the default cause table");
	mem_deref(cfg);
}

Test(gwconf, a_broken_dial_plan_is_a_configuration_error)
{
	FILE *f = fopen("/tmp/sg-gwconf-bad.map", "w");
	cr_assert_not_null(f);
	fputs("[rule r]\ncalled regex ^0(1\nreject 1\n", f);
	fclose(f);
	write_conf("[mapping]\ndialplan = /tmp/sg-gwconf-bad.map\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert_null(cfg);
	cr_assert(conf_diag_has(&diag, "/tmp/sg-gwconf-bad.map:2:"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "missing closing parenthesis"), "%s", diag.text);
	unlink("/tmp/sg-gwconf-bad.map");
}

Test(gwconf, relative_mapping_paths_follow_the_configuration_file)
{
	char mp[300];
	snprintf(mp, sizeof(mp), "%s/plan.map", dir);
	FILE *f = fopen(mp, "w");
	cr_assert_not_null(f);
	fputs("[group g]\n[rule all]\nroute group g\n", f);
	fclose(f);
	write_conf("[mapping]\ndialplan = plan.map\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert_str_eq(cfg->mapping.dialplan, mp);
	mem_deref(cfg);
	unlink(mp);
}

Test(gwconf, spans_and_simulated_pbx)
{
	write_conf("[sim]\nsystem_conf = sys.conf\n"
		   "[span 1]\nswitchtype = euroisdn_e1\nrole = network\ngroup = g\n"
		   "[simpbx p1]\nspan = 3\ncross = 1\nscript = pbx.script\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert(cfg->sim.enabled);
	cr_assert_eq(cfg->n_spans, 1);
	cr_assert_eq(cfg->spans[0].number, 1);
	cr_assert_eq(cfg->spans[0].isdn.role, ISDN_ROLE_NETWORK);
	cr_assert_str_eq(cfg->spans[0].group, "g");
	cr_assert_str_eq(cfg->spans[0].isdn.name, "s1");
	cr_assert_eq(cfg->n_pbx, 1);
	char want[300];
	snprintf(want, sizeof(want), "%s/pbx.script", dir);
	cr_assert_str_eq(cfg->pbx[0].script, want, "relative to the configuration");
	cr_assert_eq(cfg->sim.tick, 1 * NS_PER_MS);
	mem_deref(cfg);
}

Test(gwconf, span_limits)
{
	write_conf("[span 1]\nswitchtype = euroisdn_e1\ngroup = g\nmax_calls = 20\nmax_cps = 5\n"
		   "[span 2]\nswitchtype = euroisdn_e1\ngroup = g\n"
		   "[span 3]\nswitchtype = euroisdn_e1\ngroup = g\nmax_cps = -1\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":12: [span 3] key 'max_cps'"), "%s", diag.text);
	conf_diag_reset(&diag);
	conf_diag_init(&diag);
	write_conf("[span 1]\nswitchtype = euroisdn_e1\ngroup = g\nmax_calls = 20\nmax_cps = 5\n"
		   "[span 2]\nswitchtype = euroisdn_e1\ngroup = g\n");
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert_eq(cfg->spans[0].max_calls, 20);
	cr_assert_eq(cfg->spans[0].max_cps, 5);
	cr_assert_eq(cfg->spans[1].max_calls, 0, "no limit by default");
	cr_assert_eq(cfg->spans[1].max_cps, 0);
	mem_deref(cfg);
}

/* A dial plan routing to a trunk strowger.conf lacks, or to one that only
 * takes calls, fails the check at the route's own line. */
Test(gwconf, dial_plan_trunks_must_exist_with_a_host)
{
	char mp[300], text[700];
	snprintf(mp, sizeof(mp), "%s/plan.map", dir);
	FILE *f = fopen(mp, "w");
	cr_assert_not_null(f);
	fputs("[trunk carrier]\n[trunk pbx]\n[trunk missing-one]\n" /* 1-3 */
	      "[rule out]\ndir to-sip\n"                          /* 4-5 */
	      "route trunk carrier\n"                             /* 6 */
	      "fallback trunk missing-one\n"                      /* 7 */
	      "fallback trunk pbx\n"                              /* 8 */
	      "[trunk backup]\n"
	      "[rule in]\ndir to-pstn\nfrom trunk pbx\nroute trunk backup\n", f);
	fclose(f);
	snprintf(text, sizeof(text),
		 "[mapping]\ndialplan = plan.map\n"
		 "[trunk carrier]\nhost = 192.0.2.1\n"
		 "[trunk pbx]\nallow = 192.0.2.0/24\n"
		 "[trunk backup]\nhost = backup.example.net\n");
	write_conf(text);
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert_null(cfg);
	cr_assert_eq(diag.errors, 2, "%s", diag.text);
	char want[1200];
	snprintf(want, sizeof(want),
		 "%s:7: rule 'out' routes to trunk 'missing-one', which %s does not define", mp,
		 path);
	cr_assert(conf_diag_has(&diag, want), "%s", diag.text);
	snprintf(want, sizeof(want), "%s:8: rule 'out' routes to trunk 'pbx', which has no host",
		 mp);
	cr_assert(conf_diag_has(&diag, want), "%s", diag.text);
	unlink(mp);
}

Test(gwconf, pstn_sections_report_every_mistake)
{
	write_conf("[span x]\nswitchtype = euroisdn_e1\ngroup = g\n"   /* 1-3 */
		   "[span 2]\nswitchtype = euroswitch\ngroup = g\n"     /* 4-6 */
		   "[span 3]\nswitchtype = ni2\n"                       /* 7-8 */
		   "[simpbx p]\nspan = 3\ncross = 9\nscript = s\n");    /* 9-12 */
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert_null(cfg);
	cr_assert(conf_diag_has(&diag, ":1: [span x]: the name must be a DAHDI span number"),
		  "%s", diag.text);
	cr_assert(conf_diag_has(&diag, ":5: [span 2] key 'switchtype'"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, ":7: [span 3] missing required key 'group'"), "%s",
		  diag.text);
}

Test(gwconf, simpbx_needs_sim_and_a_gateway_span)
{
	write_conf("[span 1]\nswitchtype = euroisdn_e1\ngroup = g\n"
		   "[simpbx p]\nspan = 1\ncross = 2\nscript = s\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, "[simpbx p] needs a [sim] section"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "[simpbx p] cross = 2: there is no [span 2]"), "%s",
		  diag.text);
	cr_assert(conf_diag_has(&diag, "[simpbx p] span = 1 is a gateway span"), "%s", diag.text);
}

Test(gwconf, sip_section)
{
	write_conf("[sip]\nlisten = ::1\nport = 5070\ntransports = tcp\nrtp_ports = 20000-20100\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert(cfg->sip.enabled);
	cr_assert_str_eq(cfg->sip.listen, "::1");
	cr_assert_eq(cfg->sip.port, 5070);
	cr_assert(cfg->sip.tcp && !cfg->sip.udp);
	cr_assert_eq(cfg->sip.rtp_port_min, 20000);
	cr_assert_eq(cfg->sip.rtp_port_max, 20100);
	cr_assert_str_eq(cfg->sip.rtp_address, "127.0.0.1");
	cr_assert_eq(cfg->sip.t1, 500 * NS_PER_MS);
	cr_assert_eq(cfg->sip.rel100, 1, "100rel supported by default");
	cr_assert_eq(cfg->sip.session_expires, 1800);
	cr_assert_eq(cfg->sip.min_se, 90);
	mem_deref(cfg);
}

Test(gwconf, sip_extensions)
{
	write_conf("[sip]\n100rel = required\nsession_expires = 600\nmin_se = 120\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert_eq(cfg->sip.rel100, 2);
	cr_assert_eq(cfg->sip.session_expires, 600);
	cr_assert_eq(cfg->sip.min_se, 120);
	mem_deref(cfg);
	write_conf("[sip]\n100rel = maybe\nmin_se = 30\n");
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":2: [sip] key '100rel'"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, ":3: [sip] key 'min_se'"), "%s", diag.text);
}

Test(gwconf, sip_session_expires_below_min_se)
{
	write_conf("[sip]\nsession_expires = 100\nmin_se = 120\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, "session_expires = 100 is below min_se = 120"), "%s",
		  diag.text);
}

/* The stack's timers, message size, overload ceilings and DNS (RFC 3263). */
Test(gwconf, sip_stack_limits_and_dns)
{
	write_conf("[sip]\nt2 = 8s\nt4 = 6s\nmax_msg = 4096\ntcp_idle_timeout = 60s\n"
		   "max_sessions = 300\nmax_txns = 5000\nretry_after = 30\n"
		   "dns_servers = 192.0.2.53, 192.0.2.54:5353,[2001:db8::53]:53, ::1\n"
		   "dns_timeout = 800ms\ndns_tries = 2\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert_eq(cfg->sip.t2, 8 * NS_PER_S);
	cr_assert_eq(cfg->sip.t4, 6 * NS_PER_S);
	cr_assert_eq(cfg->sip.max_msg, 4096);
	cr_assert_eq(cfg->sip.tcp_idle_timeout, 60 * NS_PER_S);
	cr_assert_eq(cfg->sip.max_sessions, 300);
	cr_assert_eq(cfg->sip.max_txns, 5000);
	cr_assert_eq(cfg->sip.retry_after, 30);
	cr_assert_str_eq(cfg->sip.dns_servers, "192.0.2.53, 192.0.2.54:5353,[2001:db8::53]:53, ::1");
	cr_assert_eq(cfg->sip.dns_timeout, 800 * NS_PER_MS);
	cr_assert_eq(cfg->sip.dns_tries, 2);
	mem_deref(cfg);
	/* Defaults: the stack's own (sip_conf_defaults), no ceilings, resolv.conf. */
	write_conf("[sip]\n");
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	struct sip_conf sc;
	sip_conf_defaults(&sc);
	cr_assert_eq(cfg->sip.t2, sc.t2);
	cr_assert_eq(cfg->sip.t4, sc.t4);
	cr_assert_eq(cfg->sip.max_msg, sc.max_msg);
	cr_assert_eq(cfg->sip.tcp_idle_timeout, sc.tcp_idle_timeout);
	cr_assert_eq(cfg->sip.max_sessions, 0);
	cr_assert_eq(cfg->sip.max_txns, 0);
	cr_assert_eq(cfg->sip.retry_after, sc.retry_after);
	cr_assert_str_eq(cfg->sip.dns_servers, "");
	cr_assert_eq(cfg->sip.dns_timeout, 0);
	mem_deref(cfg);
}

Test(gwconf, sip_stack_limits_mistakes)
{
	write_conf("[sip]\nmax_msg = 100\nretry_after = -1\n"
		   "dns_servers = 192.0.2.53,ns.example.net\ndns_timeout = 2m\n"
		   "max_sessions = lots\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":2: [sip] key 'max_msg'"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, ":3: [sip] key 'retry_after'"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, ":4: [sip] key 'dns_servers'"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "'ns.example.net' is not IP[:port]"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, ":5: [sip] key 'dns_timeout'"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, ":6: [sip] key 'max_sessions'"), "%s", diag.text);
	conf_diag_reset(&diag);
	conf_diag_init(&diag);
	const char *bad[] = {"192.0.2.53:0", "192.0.2.53:70000", "[::1", "[::1]x",
			     "[192.0.2.1]:53", "192.0.2.53:", "1.2.3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[sip]\ndns_servers = %s\n", bad[i]);
		write_conf(text);
		cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL, "%s accepted", bad[i]);
		cr_assert(conf_diag_has(&diag, ":2: [sip] key 'dns_servers'"), "%s", diag.text);
		conf_diag_reset(&diag);
		conf_diag_init(&diag);
	}
	write_conf("[sip]\nt1 = 2s\nt2 = 1s\n");
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":3: [sip] t2 is shorter than t1"), "%s", diag.text);
}

Test(gwconf, sip_section_mistakes)
{
	write_conf("[sip]\nlisten = localhost\ntransports = udp,sctp\nrtp_ports = 20001-20100\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":2: [sip] key 'listen': 'localhost': not an IPv4 or IPv6"),
		  "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "'udp,sctp': 'sctp' is not a transport"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, ":4: [sip] key 'rtp_ports': '20001-20100': want EVEN-EVEN"),
		  "%s", diag.text);
}

Test(gwconf, trunk_sections)
{
	write_conf("[trunk carrier]\nhost = sip.example.net\ntransport = tcp\n"
		   "username = gw1\npassword = s3cret\nregister = yes\n"
		   "register_expires = 600s\nmax_calls = 30\nmax_cps = 5\n"
		   "[trunk pbx]\nallow = 192.0.2.0/24, 2001:db8::/32,198.51.100.7\n"
		   "inbound_username = pbx\ninbound_password = pw\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert_eq(cfg->n_trunks, 2);
	const struct sg_trunk *c = sg_trunk_find(cfg, "carrier");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->host, "sip.example.net");
	cr_assert_eq(c->port, 0);
	cr_assert_eq(c->transport, SG_TRUNK_TCP);
	cr_assert(c->reg);
	cr_assert_eq(c->register_expires, 600 * NS_PER_S);
	cr_assert_eq(c->max_calls, 30);
	cr_assert_eq(c->max_cps, 5);
	cr_assert_eq(c->n_allow, 0);
	const struct sg_trunk *p = sg_trunk_find(cfg, "pbx");
	cr_assert_eq(p->n_allow, 3);
	cr_assert_eq(p->allow[1].prefix, 32);
	cr_assert_eq(p->allow[2].prefix, 32);
	cr_assert_str_eq(p->in_username, "pbx");
	cr_assert_null(sg_trunk_find(cfg, "nobody"));
	mem_deref(cfg);
}

static struct sockaddr_storage sa_of(const char *ip)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, ip, &in->sin_addr) == 1)
		in->sin_family = AF_INET;
	else {
		cr_assert_eq(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1, "%s", ip);
		in6->sin6_family = AF_INET6;
	}
	return ss;
}

Test(gwconf, trunk_by_source_address)
{
	write_conf("[trunk a]\nallow = 10.1.0.0/16, 2001:db8:1::/48\n"
		   "[trunk b]\nallow = 10.0.0.0/8\n[trunk c]\nallow = 0.0.0.0/0\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	static const struct {
		const char *ip, *trunk;
	} cases[] = {
		{ "10.1.2.3", "a" },	      { "10.2.0.1", "b" },	   { "192.0.2.1", "c" },
		{ "::ffff:10.1.9.9", "a" },   { "::ffff:192.0.2.1", "c" }, { "2001:db8:1:5::1", "a" },
		{ "2001:db8:2::1", NULL },    { "::1", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_storage ss = sa_of(cases[i].ip);
		const struct sg_trunk *t = sg_trunk_by_source(cfg, (struct sockaddr *)&ss);
		if (!cases[i].trunk)
			cr_assert_null(t, "%s matched %s", cases[i].ip, t ? t->name : "");
		else
			cr_assert(t && !strcmp(t->name, cases[i].trunk), "%s", cases[i].ip);
	}
	mem_deref(cfg);
}

Test(gwconf, trunk_mistakes)
{
	write_conf("[trunk empty]\n"
		   "[trunk half]\nhost = 192.0.2.1\nusername = x\n"
		   "[trunk reg]\nallow = 192.0.2.0/24\nregister = yes\n"
		   "[trunk nets]\nallow = 192.0.2.1/24\n"
		   "[trunk nets2]\nallow = 2001:db8::/129, 10.0.0.0/8\n"
		   "[trunk nets3]\nallow = example.net\n"
		   "[trunk tp]\nhost = 192.0.2.9\ntransport = sctp\n");
	struct sg_config *cfg = NULL;
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":1: [trunk empty]: give host"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "[trunk half]: username and password go together"), "%s",
		  diag.text);
	cr_assert(conf_diag_has(&diag, "[trunk reg]: register = yes needs host"), "%s",
		  diag.text);
	cr_assert(conf_diag_has(&diag, "host bits set in '192.0.2.1/24'; did you mean 192.0.2.0/24?"), "%s",
		  diag.text);
	cr_assert(conf_diag_has(&diag, "'/129' is not a prefix length (0-128)"), "%s",
		  diag.text);
	cr_assert(conf_diag_has(&diag, "'example.net' is not an IPv4 or IPv6 address"), "%s",
		  diag.text);
	cr_assert(conf_diag_has(&diag, "[trunk tp] key 'transport'"), "%s", diag.text);
}

/* transports = tls: the files are checked at load (and by --check-config),
 * each mistake at the line of its key. */
Test(gwconf, sip_tls_files_checked)
{
	struct tls_fx fx;
	char text[1024];
	struct sg_config *cfg = NULL;
	cr_assert_eq(tls_fx_make(&fx), 0);
	snprintf(text, sizeof(text),
		 "[sip]\ntransports = udp,tls\ntls_port = 5071\ntls_certificate = %s\n"
		 "tls_private_key = %s\ntls_ca_file = %s\ntls_verify = no\n",
		 fx.cert, fx.key, fx.ca);
	write_conf(text);
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert(cfg->sip.udp && cfg->sip.tls && !cfg->sip.tcp);
	cr_assert_eq(cfg->sip.tls_port, 5071);
	cr_assert_not(cfg->sip.tls_verify);
	cfg = mem_deref(cfg);

	snprintf(text, sizeof(text),
		 "[sip]\ntransports = tls\ntls_certificate = %s\ntls_private_key = %s\n",
		 fx.cert, fx.other_key);
	write_conf(text);
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":4: [sip] tls_private_key: private key"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "does not match certificate"), "%s", diag.text);
	conf_diag_reset(&diag);

	snprintf(text, sizeof(text),
		 "[sip]\ntransports = tls\ntls_certificate = %s/none.pem\n", fx.dir);
	write_conf(text);
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":3: [sip] tls_certificate: certificate"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "No such file or directory"), "%s", diag.text);
	conf_diag_reset(&diag);

	snprintf(text, sizeof(text),
		 "[sip]\ntransports = tls\ntls_certificate = %s\ntls_private_key = %s\n"
		 "tls_ca_file = %s\n",
		 fx.cert, fx.key, fx.key);
	write_conf(text);
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":5: [sip] tls_ca_file: CA file"), "%s", diag.text);
	conf_diag_reset(&diag);

	snprintf(text, sizeof(text), "[sip]\ntls_certificate = %s\n", fx.cert);
	write_conf(text);
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert(conf_diag_has(&diag, ":2: [sip] tls_certificate is unused"), "%s", diag.text);
	cfg = mem_deref(cfg);
	conf_diag_reset(&diag);

	write_conf("[sip]\ntransports = udp, tls\n");
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, ":2: [sip] transports: tls needs tls_certificate"), "%s",
		  diag.text);
	tls_fx_remove(&fx);
}

/* [span N] digitmap: it names a [digits] map of the loaded dial plan, and
 * needs overlap receiving on the span; so does overlap_sip = rfc3578. */
Test(gwconf, span_digitmap_is_checked_against_the_dial_plan)
{
	char mp[300];
	snprintf(mp, sizeof(mp), "%s/plan.map", dir);
	FILE *f = fopen(mp, "w");
	cr_assert_not_null(f);
	fputs("[group g]\n[rule all]\nroute group g\n[digits ext]\ncomplete ^1[0-9]{3}$\n", f);
	fclose(f);
	struct sg_config *cfg = NULL;
	write_conf("[mapping]\ndialplan = plan.map\n"
		   "[span 1]\nswitchtype = euroisdn_e1\ngroup = g\noverlap = yes\ndigitmap = ext\n"
		   "overlap_sip = rfc3578\n");
	cr_assert_eq(sg_config_load(&cfg, path, &diag), 0, "%s", diag.text ? diag.text : "");
	cr_assert_str_eq(cfg->spans[0].digitmap, "ext");
	cr_assert_eq(cfg->spans[0].overlap_sip, SG_OVERLAP_RFC3578);
	cfg = mem_deref(cfg);
	write_conf("[mapping]\ndialplan = plan.map\n"
		   "[span 1]\nswitchtype = euroisdn_e1\ngroup = g\noverlap = yes\ndigitmap = uk\n"
		   "[span 2]\nswitchtype = euroisdn_e1\ngroup = g\ndigitmap = ext\n"
		   "[span 3]\nswitchtype = euroisdn_e1\ngroup = g\noverlap_sip = rfc3578\n");
	cr_assert_eq(sg_config_load(&cfg, path, &diag), EINVAL);
	cr_assert_null(cfg);
	cr_assert(conf_diag_has(&diag, "[span 1] digitmap = uk: the dial plan has no [digits uk]"),
		  "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "[span 2] digitmap = ext needs overlap = yes"), "%s",
		  diag.text);
	cr_assert(conf_diag_has(&diag, "[span 3] overlap_sip = rfc3578 needs overlap = yes"), "%s",
		  diag.text);
	unlink(mp);
}
