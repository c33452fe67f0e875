/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Matching and rewriting: captures, anchors, TON/NPI, sources, direction,
 * presentation, first match, fallbacks, templates, digit maps, and the
 * prefix index agreeing with a plain scan.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/route.h"
#include "core/mem.h"
#include "../sg_test.h"

static struct route_set *set;

static void setup(void)
{
	sg_test_begin();
}

static void teardown(void)
{
	set = mem_deref(set);
	sg_test_end();
}

TestSuite(route_match, .init = setup, .fini = teardown);

#define DECL                                                                                       \
	"[trunk t1]\n[trunk t2]\n[group g1]\n[group g2]\n"                                         \
	"[plan uk]\ncountry 44\nnational-prefix 0\ninternational-prefix 00\n"

static void load(const char *text)
{
	struct route_diag d;
	route_diag_init(&d);
	int err = route_set_parse(&set, "m.map", text, NULL, &d);
	cr_assert(err == 0, "load failed:\n%s", d.text);
	route_diag_reset(&d);
}

static struct route_result decide(const char *called, void (*tweak)(struct route_ctx *))
{
	struct route_ctx ctx;
	struct route_result r;
	route_ctx_init(&ctx);
	if (called)
		cr_assert(route_number_set(&ctx.called, called) == 0);
	if (tweak)
		tweak(&ctx);
	route_decide(set, &ctx, &r);
	return r;
}

Test(route_match, first_match_wins)
{
	load(DECL "[rule a]\ncalled prefix 44\nroute trunk t1\n"
		  "[rule b]\ncalled prefix 4420\nroute trunk t2\n"
		  "[rule c]\nroute group g1\n");
	struct route_result r = decide("442079", NULL);
	cr_expect(r.verdict == ROUTE_ROUTE);
	cr_expect_str_eq(r.rule, "a");
	cr_expect_str_eq(r.dest[0].name, "t1");
	r = decide("33", NULL);
	cr_expect_str_eq(r.rule, "c");
}

Test(route_match, earlier_unindexed_rule_beats_later_prefix)
{
	load(DECL "[rule re]\ncalled regex 5$\nroute trunk t1\n"
		  "[rule p]\ncalled prefix 12\nroute trunk t2\n");
	cr_expect_str_eq(decide("125", NULL).rule, "re");
	cr_expect_str_eq(decide("126", NULL).rule, "p");
}

Test(route_match, regex_anchors_are_the_authors)
{
	load(DECL "[rule anchored]\ncalled regex ^12$\nroute trunk t1\n"
		  "[rule loose]\ncalled regex 34\nroute trunk t2\n");
	cr_expect(decide("12", NULL).verdict == ROUTE_ROUTE);
	cr_expect_str_eq(decide("0341", NULL).rule, "loose");
	cr_expect(decide("123", NULL).verdict == ROUTE_NOMATCH);
}

Test(route_match, captures_feed_templates)
{
	load(DECL "[rule a]\ncalled regex ^0(\\d{3})(\\d+)$\ncalling regex ^(\\d+)$\n"
		  "rewrite called +44${1}$2\nrewrite calling ${called.1}0$1\n"
		  "route uri sip:${called}@h?c=${calling}\n");
	struct route_ctx ctx;
	struct route_result r;
	route_ctx_init(&ctx);
	route_number_set(&ctx.called, "02079460");
	route_number_set(&ctx.calling, "77");
	route_decide(set, &ctx, &r);
	cr_assert(r.verdict == ROUTE_ROUTE);
	cr_expect_str_eq(r.called.digits, "+442079460");
	cr_expect_str_eq(r.calling.digits, "207077");
	cr_expect_str_eq(r.dest[0].uri, "sip:+442079460@h?c=207077");
}

Test(route_match, prefix_capture_is_the_rest)
{
	load(DECL "[rule a]\ncalled prefix 9\nrewrite called 0$1\nroute trunk t1\n");
	struct route_result r = decide("9123", NULL);
	cr_expect_str_eq(r.called.digits, "0123");
	r = decide("9", NULL);
	cr_expect_str_eq(r.called.digits, "0");
}

static void ton_nat(struct route_ctx *c)
{
	c->called.ton = ROUTE_TON_NATIONAL;
	c->called.npi = ROUTE_NPI_ISDN;
}

static void ton_intl_private(struct route_ctx *c)
{
	c->called.ton = ROUTE_TON_INTERNATIONAL;
	c->called.npi = ROUTE_NPI_PRIVATE;
}

Test(route_match, ton_and_npi)
{
	load(DECL "[rule nat]\ncalled ton national\ncalled npi isdn\nroute trunk t1\n"
		  "[rule intl]\ncalled ton international\nroute trunk t2\n"
		  "[rule none]\nreject 1\n");
	cr_expect_str_eq(decide("2079", ton_nat).rule, "nat");
	cr_expect_str_eq(decide("2079", ton_intl_private).rule, "intl");
	cr_expect_str_eq(decide("2079", NULL).rule, "none");
	/* A TON condition needs the number to be there. */
	cr_expect_str_eq(decide(NULL, NULL).rule, "none");
}

static void from_t2(struct route_ctx *c)
{
	c->trunk = "t2";
}
static void from_g1(struct route_ctx *c)
{
	c->group = "g1";
	c->span = 3;
}
static void from_span7(struct route_ctx *c)
{
	c->span = 7;
}
static void from_v4(struct route_ctx *c)
{
	route_ctx_set_addr(c, "10.1.2.3");
}
static void from_v4_out(struct route_ctx *c)
{
	route_ctx_set_addr(c, "10.2.0.1");
}
static void from_v6(struct route_ctx *c)
{
	route_ctx_set_addr(c, "2001:db8::77");
}

Test(route_match, sources)
{
	load(DECL "[rule trunk]\nfrom trunk t2\nroute trunk t1\n"
		  "[rule group]\nfrom group g1\nroute trunk t1\n"
		  "[rule span]\nfrom span 7\nroute trunk t1\n"
		  "[rule net]\nfrom net 10.1.0.0/16\nfrom net 2001:db8::/120\nroute trunk t1\n"
		  "[rule rest]\nreject 21\n");
	cr_expect_str_eq(decide("1", from_t2).rule, "trunk");
	cr_expect_str_eq(decide("1", from_g1).rule, "group");
	cr_expect_str_eq(decide("1", from_span7).rule, "span");
	cr_expect_str_eq(decide("1", from_v4).rule, "net");
	cr_expect_str_eq(decide("1", from_v6).rule, "net");
	cr_expect_str_eq(decide("1", from_v4_out).rule, "rest");
	cr_expect_str_eq(decide("1", NULL).rule, "rest");
	cr_expect(decide("1", NULL).cause == 21);
}

static void to_sip(struct route_ctx *c)
{
	c->dir = ROUTE_DIR_TO_SIP;
}
static void restricted(struct route_ctx *c)
{
	c->pres = ROUTE_PRES_RESTRICTED;
}

Test(route_match, direction_and_presentation)
{
	load(DECL "[rule in]\ndir to-sip\nroute trunk t1\n"
		  "[rule hidden]\npresentation restricted\nset-presentation unavailable\n"
		  "route trunk t2\n"
		  "[rule out]\ndir to-pstn\nroute group g1\n");
	cr_expect_str_eq(decide("1", to_sip).rule, "in");
	cr_expect_str_eq(decide("1", NULL).rule, "out");
	struct route_result r = decide("1", restricted);
	cr_expect_str_eq(r.rule, "hidden");
	cr_expect(r.pres == ROUTE_PRES_UNAVAILABLE);
}

Test(route_match, fallbacks_in_order)
{
	load(DECL "[rule a]\nroute group g1 policy least-used\nfallback group g2\n"
		  "fallback trunk t1\nfallback uri tel:${called}\n");
	struct route_result r = decide("123", NULL);
	cr_assert(r.n_dest == 4);
	cr_expect(r.dest[0].kind == ROUTE_DEST_GROUP);
	cr_expect(r.dest[0].policy == ROUTE_POLICY_LEAST_USED);
	cr_expect_str_eq(r.dest[1].name, "g2");
	cr_expect(r.dest[1].policy == ROUTE_POLICY_ASCENDING);
	cr_expect(r.dest[2].kind == ROUTE_DEST_TRUNK);
	cr_expect(r.dest[3].kind == ROUTE_DEST_URI);
	cr_expect_str_eq(r.dest[3].uri, "tel:123");
}

Test(route_match, rewriting_actions)
{
	load(DECL "[rule a]\ncalled prefix 00\nstrip called 2\nprepend called +\n"
		  "set-ton called international\nset-npi called isdn\n"
		  "set-ton calling subscriber\nroute trunk t1\n"
		  "[rule b]\ncalled prefix 0\nnormalise called uk\nroute trunk t1\n"
		  "[rule c]\ncalled prefix +44\nlocalise called uk national\nroute trunk t1\n"
		  "[rule d]\ncalled prefix +\nlocalise called uk unknown\nroute trunk t1\n"
		  "[rule e]\ncalled prefix 7\nstrip called 9\nroute trunk t1\n");
	struct route_result r = decide("0033142", NULL);
	cr_expect_str_eq(r.called.digits, "+33142");
	cr_expect(r.called.ton == ROUTE_TON_INTERNATIONAL && r.called.npi == ROUTE_NPI_ISDN);
	cr_expect(!r.calling.present);
	r = decide("02079460123", NULL);
	cr_expect_str_eq(r.called.digits, "+442079460123");
	cr_expect(r.called.ton == ROUTE_TON_INTERNATIONAL);
	r = decide("+442079460123", NULL);
	cr_expect_str_eq(r.called.digits, "2079460123");
	cr_expect(r.called.ton == ROUTE_TON_NATIONAL);
	r = decide("+33142", NULL);
	cr_expect_str_eq(r.called.digits, "0033142");
	r = decide("712", NULL);
	cr_expect_str_eq(r.called.digits, "");
}

Test(route_match, overlong_rewrite_rejects_with_cause_28)
{
	load(DECL "[rule a]\ncalled regex ^(.*)$\nrewrite called $1$1\nroute trunk t1\n");
	struct route_result r = decide("12345678901234567890", NULL);
	cr_expect(r.verdict == ROUTE_REJECT);
	cr_expect(r.cause == 28);
	r = decide("1234", NULL);
	cr_expect_str_eq(r.called.digits, "12341234");
	/* A capture holding '+' may not land in the middle of a number. */
	r = decide("+44", NULL);
	cr_expect(r.verdict == ROUTE_REJECT && r.cause == 28);
}

Test(route_match, nomatch_keeps_numbers)
{
	load(DECL "[rule a]\ncalled prefix 1\nroute trunk t1\n");
	struct route_result r = decide("2", NULL);
	cr_expect(r.verdict == ROUTE_NOMATCH);
	cr_expect_str_eq(r.called.digits, "2");
	r = decide(NULL, NULL);
	cr_expect(r.verdict == ROUTE_NOMATCH);
}

Test(route_match, explain_says_why)
{
	load(DECL "[rule a]\ncalled prefix 1\nroute trunk t1\n"
		  "[rule b]\ndir to-sip\nroute trunk t1\n"
		  "[rule c]\ncalled regex ^2(.)\nfrom trunk t2\nroute trunk t1\n"
		  "[rule d]\ncalled regex ^2(.)\nroute group g1\n");
	struct route_ctx ctx;
	struct route_result r;
	char *trace = NULL;
	route_ctx_init(&ctx);
	route_number_set(&ctx.called, "25");
	route_explain(set, &ctx, &r, &trace);
	cr_assert(trace);
	cr_expect(strstr(trace, "no: called 25 does not start with 1"), "%s", trace);
	cr_expect(strstr(trace, "no: direction is to-pstn, rule wants to-sip"), "%s", trace);
	cr_expect(strstr(trace, "no: call comes from nowhere, not a source of the rule"), "%s",
		  trace);
	cr_expect(strstr(trace, "m.map:19  MATCH"), "%s", trace);
	cr_expect(strstr(trace, "result: route (rule d)"), "%s", trace);
	cr_expect(strstr(trace, "destination  group g1, policy ascending"), "%s", trace);
	mem_deref(trace);
}

Test(route_match, digit_maps)
{
	enum route_digits res;
	load("[digits d]\ncomplete ^1[0-9]{2}$\ncomplete ^0[1-9][0-9]{9}$\n");
	cr_expect(route_digits_check(set, "d", "1", &res) == 0 && res == ROUTE_DIGITS_INCOMPLETE);
	cr_expect(route_digits_check(set, "d", "123", &res) == 0 && res == ROUTE_DIGITS_COMPLETE);
	cr_expect(route_digits_check(set, "d", "1234", &res) == 0 && res == ROUTE_DIGITS_INVALID);
	cr_expect(route_digits_check(set, "d", "020794", &res) == 0 &&
		  res == ROUTE_DIGITS_INCOMPLETE);
	cr_expect(route_digits_check(set, "d", "9", &res) == 0 && res == ROUTE_DIGITS_INVALID);
	cr_expect(route_digits_check(set, "x", "9", &res) == ENOENT);
}

Test(route_match, number_input_is_checked)
{
	struct route_number n;
	memset(&n, 0, sizeof(n));
	cr_expect(route_number_set(&n, "+4420") == 0);
	cr_expect(route_number_set(&n, "*21#") == 0);
	cr_expect(route_number_set(&n, "12+3") == EINVAL);
	cr_expect(route_number_set(&n, "") == EINVAL);
	cr_expect(route_number_set(&n, "12 3") == EINVAL);
	cr_expect(route_number_set(&n, "123456789012345678901234567890123") == EINVAL);
	cr_expect(route_number_set(&n, "12345678901234567890123456789012") == 0);
}

/* The index and a plain scan must pick the same rule for any number. */
Test(route_match, index_agrees_with_scan)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	srand(42);
	fputs(DECL, f);
	for (int i = 0; i < 400; i++) {
		int plen = 1 + rand() % 4;
		char p[8];
		for (int k = 0; k < plen; k++)
			p[k] = (char)('0' + rand() % 4);
		p[plen] = '\0';
		fprintf(f, "[rule r%d]\n", i);
		switch (rand() % 5) {
		case 0:
			fprintf(f, "called regex ^%s[0-3]?$\n", p);
			break;
		case 1:
			fprintf(f, "called regex %s$\n", p);
			break;
		case 2:
			fprintf(f, "called prefix %s\ndir to-sip\n", p);
			break;
		default:
			fprintf(f, "called prefix %s\n", p);
			break;
		}
		fprintf(f, "route trunk t%d\n", 1 + rand() % 2);
	}
	fclose(f);
	load(text);
	free(text);
	for (int i = 0; i < 3000; i++) {
		char num[8];
		int l = 1 + rand() % 6;
		for (int k = 0; k < l; k++)
			num[k] = (char)('0' + rand() % 4);
		num[l] = '\0';
		struct route_ctx ctx;
		struct route_result a, b;
		char *trace = NULL;
		route_ctx_init(&ctx);
		route_number_set(&ctx.called, num);
		ctx.dir = rand() % 2 ? ROUTE_DIR_TO_PSTN : ROUTE_DIR_TO_SIP;
		route_decide(set, &ctx, &a);
		route_explain(set, &ctx, &b, &trace);
		mem_deref(trace);
		cr_assert(a.verdict == b.verdict, "%s: %d vs %d", num, a.verdict, b.verdict);
		cr_assert_str_eq(a.rule, b.rule, "%s", num);
	}
}

Test(route_match, pathological_regex_is_bounded)
{
	load(DECL "[rule a]\ncalled regex ^(1+)+2$\nroute trunk t1\n"
		  "[rule b]\nroute trunk t2\n");
	/* Exponential backtracking without the match limit. */
	struct route_result r = decide("111111111111111111111111111111", NULL);
	cr_expect_str_eq(r.rule, "b");
}

static void unterminated(struct route_ctx *c)
{
	memset(c->called.digits, '1', sizeof(c->called.digits));
	memset(c->calling.digits, 'x', sizeof(c->calling.digits));
	c->calling.present = true;
}

Test(route_match, unterminated_digits_from_a_careless_caller)
{
	load(DECL "[rule a]\ncalled prefix 1\ncalling regex ^x\nrewrite called $0\n"
		  "route trunk t1\n");
	struct route_result r = decide("1", unterminated);
	cr_expect(r.verdict == ROUTE_ROUTE);
	cr_expect(strlen(r.called.digits) == ROUTE_NUM_MAX);
}
