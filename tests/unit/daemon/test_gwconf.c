/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: the daemon configuration (src/gwconf). */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "gwconf.h"
#include "sg_test.h"

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
	snprintf(text, sizeof(text), "[general]\n[mapping]\ndialplan = %s/mapping/pbx-pri.map\n",
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
	mem_deref(cfg);
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
