/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: ISDN configuration.  Names of switch types, roles, interfaces
 * and channel policies; an unknown switch type is an error naming the
 * accepted ones, never a default; binding a section with conf_bind.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"
#include "pstn/isdn_int.h"
#include "sg_test.h"

static void setup(void)
{
	sg_test_begin();
	log_set_level(LC_ISDN, LL_ERROR);
	log_set_level(LC_FSM, LL_ERROR);
}

static void teardown(void)
{
	sg_test_end();
}

TestSuite(isdn_conf, .init = setup, .fini = teardown);

Test(isdn_conf, switch_types_by_name)
{
	static const struct {
		const char *name;
		enum isdn_switch sw;
	} ok[] = {
	    {"euroisdn_e1", ISDN_SW_EUROISDN_E1},
	    {"EuroISDN-T1", ISDN_SW_EUROISDN_T1},
	    {"ni2", ISDN_SW_NI2},
	    {"national", ISDN_SW_NI2},
	    {"dms100", ISDN_SW_DMS100},
	    {"4ess", ISDN_SW_4ESS},
	    {"5ESS", ISDN_SW_5ESS},
	    {"qsig", ISDN_SW_QSIG},
	};
	char why[200];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		enum isdn_switch sw = ISDN_SW__COUNT;
		cr_assert_eq(isdn_switch_parse(ok[i].name, &sw, why, sizeof(why)), 0, "%s",
			     ok[i].name);
		cr_assert_eq(sw, ok[i].sw);
		cr_assert_neq(isdn_switch_to_pri(sw), PRI_SWITCH_UNKNOWN);
	}
	cr_assert_str_eq(isdn_switch_name(ISDN_SW_5ESS), "5ess");
}

Test(isdn_conf, unknown_switch_type_is_an_error_listing_the_choices)
{
	char why[200];
	enum isdn_switch sw = ISDN_SW_QSIG;
	cr_assert_eq(isdn_switch_parse("ni1", &sw, why, sizeof(why)), EINVAL);
	cr_assert_eq(sw, ISDN_SW_QSIG, "the field is untouched");
	cr_assert(strstr(why, "unknown switch type 'ni1'"), "%s", why);
	cr_assert(strstr(why, "euroisdn_e1") && strstr(why, "qsig"), "%s", why);
	cr_assert_eq(isdn_switch_parse("", &sw, why, sizeof(why)), EINVAL);
	cr_assert_eq(isdn_switch_parse("a-very-long-switch-type-name-indeed-more-than-32", &sw, why,
				       sizeof(why)),
		     EINVAL);
}

Test(isdn_conf, roles_interfaces_policies)
{
	char why[200];
	enum isdn_role r;
	enum isdn_iface f;
	enum isdn_chansel c;
	cr_assert_eq(isdn_role_parse("network", &r, why, sizeof(why)), 0);
	cr_assert_eq(r, ISDN_ROLE_NETWORK);
	cr_assert_eq(isdn_role_parse("te", &r, why, sizeof(why)), 0);
	cr_assert_eq(r, ISDN_ROLE_CPE);
	cr_assert_eq(isdn_role_parse("master", &r, why, sizeof(why)), EINVAL);
	cr_assert_eq(isdn_iface_parse("bri-ptmp", &f, why, sizeof(why)), 0);
	cr_assert_eq(f, ISDN_BRI_PTMP);
	cr_assert_eq(isdn_iface_parse("e1", &f, why, sizeof(why)), EINVAL);
	cr_assert_eq(isdn_chansel_parse("round_robin", &c, why, sizeof(why)), 0);
	cr_assert_eq(c, ISDN_CHANSEL_RR);
	cr_assert_eq(isdn_chansel_parse("random", &c, why, sizeof(why)), EINVAL);
}

Test(isdn_conf, cross_checks)
{
	struct isdn_conf conf;
	char why[128];
	isdn_conf_init(&conf);
	cr_assert_eq(isdn_conf_check(&conf, why, sizeof(why)), 0);
	conf.iface = ISDN_BRI_PTMP;
	conf.sw = ISDN_SW_QSIG;
	cr_assert_eq(isdn_conf_check(&conf, why, sizeof(why)), EINVAL);
	conf.sw = ISDN_SW_4ESS;
	cr_assert_eq(isdn_conf_check(&conf, why, sizeof(why)), EINVAL);
	cr_assert(strstr(why, "4ess"), "%s", why);
	conf.sw = (enum isdn_switch)99;
	cr_assert_eq(isdn_conf_check(&conf, why, sizeof(why)), EINVAL);
}

static int bind_text(const char *text, struct isdn_conf *conf, struct conf_diag *diag)
{
	struct conf_doc *doc = NULL;
	conf_diag_init(diag);
	int rc = conf_doc_parse(&doc, "test.conf", text, NULL, diag);
	if (rc)
		return rc;
	const struct conf_section *sec = conf_doc_find(doc, "isdn", NULL);
	cr_assert(sec);
	isdn_conf_init(conf);
	rc = conf_bind(sec, isdn_conf_keys, conf, diag);
	mem_deref(doc);
	return rc;
}

Test(isdn_conf, bind_a_section)
{
	struct isdn_conf conf;
	struct conf_diag diag;
	cr_assert_eq(bind_text("[isdn s1]\nswitchtype = 5ess\nrole = network\n"
			       "interface = pri_t1\nchansel = descending\noverlap = yes\n"
			       "t302 = 10s\n",
			       &conf, &diag),
		     0, "%s", diag.text ? diag.text : "");
	cr_assert_eq(conf.sw, ISDN_SW_5ESS);
	cr_assert_eq(conf.role, ISDN_ROLE_NETWORK);
	cr_assert_eq(conf.iface, ISDN_PRI_T1);
	cr_assert_eq(conf.chansel, ISDN_CHANSEL_DESC);
	cr_assert(conf.overlap);
	cr_assert_eq(conf.t302, 10 * NS_PER_S);
	conf_diag_reset(&diag);
}

Test(isdn_conf, bind_reports_file_line_and_key)
{
	struct isdn_conf conf;
	struct conf_diag diag;
	cr_assert_eq(bind_text("[isdn s1]\nrole = cpe\nswitchtype = euro\n", &conf, &diag), EINVAL);
	cr_assert(conf_diag_has(&diag, "test.conf:3"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "switchtype"), "%s", diag.text);
	cr_assert(conf_diag_has(&diag, "unknown switch type 'euro'"), "%s", diag.text);
	conf_diag_reset(&diag);
	cr_assert_eq(bind_text("[isdn s1]\nrole = cpe\n", &conf, &diag), EINVAL,
		     "switchtype is required: no silent default");
	cr_assert(conf_diag_has(&diag, "switchtype"), "%s", diag.text);
	conf_diag_reset(&diag);
}

Test(isdn_conf, controller_refuses_a_bad_conf)
{
	struct clk *clk;
	struct loop *loop;
	struct isdn_ctrl *ctrl = NULL;
	struct isdn_conf conf;
	static const struct isdn_dchan_ops ops = {.write = NULL};
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	isdn_conf_init(&conf);
	cr_assert_eq(isdn_ctrl_alloc(&ctrl, loop, &conf, &ops, NULL, NULL, NULL), EINVAL);
	conf.sw = (enum isdn_switch)42;
	cr_assert_eq(isdn_ctrl_alloc(&ctrl, loop, &conf, &ops, NULL, NULL, NULL), EINVAL);
	cr_assert_null(ctrl);
	sg_loop_check(loop);
	mem_deref(loop);
	mem_deref(clk);
}
