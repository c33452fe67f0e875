/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mapping file parser: every error path, with the message it gives and the
 * file:line it names; warnings; includes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/route.h"
#include "core/mem.h"
#include "../sg_test.h"

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");
	return s ? s : ".";
}

static void setup(void)
{
	sg_test_begin();
}

static void teardown(void)
{
	sg_test_end();
}

TestSuite(route_parse, .init = setup, .fini = teardown);

/* A prologue that declares what most cases refer to. */
#define DECL "[trunk t1]\n[group g1]\n[plan p1]\ncountry 44\n"

struct bad {
	const char *text;
	const char *msg; /* expected in the diagnostics, with file:line */
};

static const struct bad bad_cases[] = {
    /* file structure */
    {"[bogus x]\n", "m.map:1: error: unknown section '[bogus]'"},
    {"[rule x\n", "m.map:1: error: section header lacks ']'"},
    {"[rule]\n", "m.map:1: error: [rule] needs one name"},
    {"[rule a b]\n", "m.map:1: error: [rule] needs one name"},
    {"[rule a/b]\n", "[rule] needs one name of letters"},
    {"[rule a]\nreject 1\n[rule a]\nreject 1\n",
     "m.map:3: error: rule 'a' already defined at m.map:1"},
    {"[trunk a]\n[trunk a]\n", "m.map:2: error: trunk 'a' already defined at m.map:1"},
    {"reject 1\n", "m.map:1: error: 'reject' outside a section"},
    {"[rule a]\nreject 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n", "m.map:2: error: more than 16 words"},
    {"[trunk a]\nfoo\n", "m.map:2: error: unknown line 'foo' in [trunk]"},
    /* plans and digit maps */
    {"[plan x]\ncountry 4x\n", "m.map:2: error: country '4x' is not 1-3 digits"},
    {"[plan x]\nzone 1\n", "m.map:2: error: unknown plan line 'zone'"},
    {"[digits d]\nfoo ^1$\n", "m.map:2: error: a [digits] section holds lines 'complete REGEX'"},
    {"[digits d]\ncomplete ^1(\n",
     "m.map:2: error: bad regex '^1(': missing closing parenthesis at offset 3"},
    /* includes */
    {"include\n", "m.map:1: error: include needs one file name"},
    {"include \"nope.map\"\n", "m.map:1: error: cannot include"},
    /* conditions */
    {"[rule a]\ncalled 123\nreject 1\n", "m.map:2: error: 'called' takes two words"},
    {"[rule a]\ncalled ton weird\nreject 1\n", "m.map:2: error: unknown type of number 'weird'"},
    {"[rule a]\ncalling npi weird\nreject 1\n", "m.map:2: error: unknown numbering plan 'weird'"},
    {"[rule a]\ncalled prefix 1\ncalled regex ^1\nreject 1\n",
     "m.map:3: error: called number already has a prefix condition"},
    {"[rule a]\ncalled prefix 12a\nreject 1\n", "m.map:2: error: prefix '12a' is not 1-32"},
    {"[rule a]\ncalled regex ^(1\nreject 1\n",
     "m.map:2: error: bad regex '^(1': missing closing parenthesis at offset 3"},
    {"[rule a]\ncalled regex a**\nreject 1\n",
     "m.map:2: error: bad regex 'a**': quantifier does not follow a repeatable item at offset 2"},
    {"[rule a]\ncalled regex (1)(2)(3)(4)(5)(6)(7)(8)(9)(0)\nreject 1\n",
     "has 10 capture groups; at most 9"},
    {"[rule a]\ncalled glob 1*\nreject 1\n",
     "m.map:2: error: 'called glob': expected prefix, regex, ton or npi"},
    {"[rule a]\nfrom trunk\nreject 1\n", "m.map:2: error: 'from' takes: trunk NAME"},
    {"[rule a]\nfrom span 0\nreject 1\n", "m.map:2: error: span '0' is not 1-65535"},
    {"[rule a]\nfrom net 10.0.0.300\nreject 1\n",
     "m.map:2: error: '10.0.0.300' is not an IPv4 or IPv6 address"},
    {"[rule a]\nfrom net 10.0.0.0/33\nreject 1\n",
     "m.map:2: error: prefix length '/33' is not 0-32"},
    {"[rule a]\nfrom planet mars\nreject 1\n", "m.map:2: error: unknown source 'planet'"},
    {"[rule a]\ndir sideways\nreject 1\n", "m.map:2: error: 'dir' takes to-pstn or to-sip"},
    {"[rule a]\npresentation maybe\nreject 1\n", "m.map:2: error: 'presentation' takes allowed"},
    {"[rule a]\nset-presentation maybe\nreject 1\n",
     "m.map:2: error: 'set-presentation' takes allowed"},
    /* destinations and rejection */
    {DECL "[rule a]\nreject 1\nroute trunk t1\n",
     "m.map:7: error: rule 'a' rejects; it cannot also route"},
    {DECL "[rule a]\nroute trunk t1\nroute trunk t1\n",
     "m.map:7: error: rule 'a' has a route already"},
    {DECL "[rule a]\nfallback trunk t1\n", "m.map:6: error: 'fallback' before 'route'"},
    {DECL "[rule a]\nroute trunk t1\nfallback trunk t1\nfallback trunk t1\nfallback trunk "
	  "t1\nfallback trunk t1\n",
     "m.map:10: error: more than 3 fallbacks"},
    {DECL "[rule a]\nroute somewhere\n", "m.map:6: error: expected 'group NAME [policy P]'"},
    {DECL "[rule a]\nroute group g1 policy random\n",
     "m.map:6: error: expected 'policy ascending|descending"},
    {DECL "[rule a]\nroute uri http://x\n",
     "m.map:6: error: URI template 'http://x' must start with sip:"},
    {DECL "[rule a]\nroute uri sip:<x>\n",
     "m.map:6: error: character '<' not allowed in URI template"},
    {DECL "[rule a]\nroute uri sip:${nope}@h\n",
     "m.map:6: error: bad reference in template 'sip:${nope}@h'"},
    {"[rule a]\nreject 0\n", "m.map:2: error: 'reject' takes a Q.850 cause 1-127"},
    {"[rule a]\nreject 128\n", "m.map:2: error: 'reject' takes a Q.850 cause 1-127"},
    {DECL "[rule a]\nroute trunk t1\nreject 1\n",
     "m.map:7: error: rule 'a' routes; it cannot also reject"},
    /* actions */
    {"[rule a]\nfrobnicate called 1\n", "m.map:2: error: unknown rule line 'frobnicate'"},
    {"[rule a]\nstrip 1\n",
     "m.map:2: error: 'strip' needs a number (called, calling, redirecting) and a value"},
    {"[rule a]\nstrip called x\n", "m.map:2: error: strip count 'x' is not 0-32"},
    {"[rule a]\nprepend called 9x\n", "m.map:2: error: prepend '9x' is not digits"},
    {"[rule a]\nrewrite called 1a\n",
     "m.map:2: error: character 'a' not allowed in number template '1a'"},
    {"[rule a]\nrewrite called 1${x\n", "m.map:2: error: bad reference in template"},
    {"[rule a]\nset-ton called weird\n", "m.map:2: error: unknown type of number 'weird'"},
    {"[rule a]\nset-npi called weird\n", "m.map:2: error: unknown numbering plan 'weird'"},
    {"[rule a]\nlocalise called p1 weird\n", "m.map:2: error: unknown type of number 'weird'"},
    {"[rule a]\nlocalise called p1\n", "m.map:2: error: wrong number of words for 'localise'"},
    {"[rule a]\nstrip called 1\nstrip called 1\nstrip called 1\nstrip called 1\n"
     "strip called 1\nstrip called 1\nstrip called 1\nstrip called 1\nstrip called 1\n"
     "strip called 1\nstrip called 1\nstrip called 1\nstrip called 1\nstrip called 1\n"
     "strip called 1\nstrip called 1\nstrip called 1\nreject 1\n",
     "m.map:18: error: more than 16 actions in one rule"},
    {"[rule a]\nfrom span 1\nfrom span 2\nfrom span 3\nfrom span 4\nfrom span 5\n"
     "from span 6\nfrom span 7\nfrom span 8\nfrom span 9\nreject 1\n",
     "m.map:10: error: more than 8 'from' lines"},
    /* names resolved at the end */
    {"[rule a]\ncalled prefix 1\n", "m.map:1: error: rule 'a' has neither 'route' nor 'reject'"},
    {"[rule a]\nroute trunk nope\n", "m.map:2: error: rule 'a': unknown destination trunk 'nope'"},
    {"[rule a]\nroute group nope\n", "m.map:2: error: rule 'a': unknown destination group 'nope'"},
    {"[rule a]\nnormalise called nope\nreject 1\n",
     "m.map:2: error: rule 'a': unknown plan 'nope'"},
    {"[plan q]\n[rule a]\nnormalise called q\nreject 1\n",
     "m.map:1: error: plan 'q' has no country"},
    {"[rule a]\nfrom trunk nope\nreject 1\n",
     "m.map:2: error: rule 'a': unknown source trunk 'nope'"},
    {"[rule a]\nfrom group nope\nreject 1\n",
     "m.map:2: error: rule 'a': unknown source group 'nope'"},
    /* test vectors */
    {"[test v]\ncalled 1\n", "m.map:1: error: test 'v' expects nothing"},
    {"[test v]\nexpect rule nope\n", "m.map:1: error: test 'v': unknown rule 'nope'"},
    {"[test v]\ndigits nope 1\nexpect digits complete\n",
     "m.map:1: error: test 'v': unknown digit map 'nope'"},
    {"[test v]\ncalled 12x\n", "m.map:2: error: expected DIGITS [TON] [NPI]"},
    {"[test v]\ncalled 12 weird\n", "m.map:2: error: unknown type of number 'weird'"},
    {"[test v]\nexpect nomatch\nexpect reject 1\n",
     "m.map:3: error: test 'v' already has an outcome"},
    {"[test v]\nexpect reject 200\n", "m.map:2: error: 'expect reject' takes a Q.850 cause 1-127"},
    {"[test v]\nexpect digits maybe\n",
     "m.map:2: error: 'expect digits' takes complete, incomplete or invalid"},
    {"[test v]\nexpect fallback trunk t1\n",
     "m.map:2: error: 'expect fallback' comes after one 'expect route'"},
    {"[test v]\nexpect route nowhere\n", "m.map:2: error: expected 'group NAME [policy P]'"},
    {"[test v]\nexpect wonders\n", "m.map:2: error: unknown expectation 'wonders'"},
    {"[test v]\nexpect\n", "m.map:2: error: 'expect' needs what to expect"},
    {"[test v]\nexpect presentation maybe\n", "m.map:2: error: unknown presentation 'maybe'"},
    {"[test v]\nwhatever 1\n", "m.map:2: error: unknown or malformed test line 'whatever'"},
    {"[test v]\ndigits m 1x\n", "m.map:2: error: 'digits MAP NUMBER': bad map name or number"},
    {"[test v]\nfrom span x\n", "m.map:2: error: span 'x' is not 1-65535"},
    {"[test a]\nexpect nomatch\n[test a]\nexpect nomatch\n",
     "m.map:3: error: test 'a' already defined at m.map:1"},
};

Test(route_parse, every_error_names_file_line_and_fault)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct route_set *set = (void *)1;
		struct route_diag d;
		route_diag_init(&d);
		int err = route_set_parse(&set, "m.map", bad_cases[i].text, srcdir(), &d);
		cr_expect(err != 0, "case %zu accepted:\n%s", i, bad_cases[i].text);
		cr_expect(set == NULL, "case %zu left a set", i);
		cr_expect(d.errors > 0, "case %zu: no error counted", i);
		cr_expect(route_diag_has(&d, bad_cases[i].msg), "case %zu: wanted '%s', got:\n%s",
			  i, bad_cases[i].msg, d.text ? d.text : "(nothing)");
		route_diag_reset(&d);
	}
}

Test(route_parse, long_line_is_an_error)
{
	char *text = malloc(5000 + 32);
	struct route_set *set;
	struct route_diag d;

	strcpy(text, "[rule a]\n# ");
	memset(text + strlen(text), 'x', 5000);
	strcpy(text + 11 + 5000, "\nreject 1\n");
	route_diag_init(&d);
	cr_expect(route_set_parse(&set, "m.map", text, NULL, &d) == EINVAL);
	cr_expect(route_diag_has(&d, "m.map:2: error: line longer than 4096 characters"), "%s",
		  d.text);
	route_diag_reset(&d);
	free(text);
}

Test(route_parse, include_loop_is_caught)
{
	char path[512], text[600];
	struct route_set *set;
	struct route_diag d;

	snprintf(path, sizeof(path), "%s/tests/unit/call/testdata/loop.map", srcdir());
	route_diag_init(&d);
	cr_expect(route_set_load(&set, path, &d) != 0);
	cr_expect(route_diag_has(&d, "includes nested deeper than 8"), "%s", d.text);
	route_diag_reset(&d);
	snprintf(text, sizeof(text), "include \"%s\"\n", path);
	cr_expect(route_set_parse(&set, "m.map", text, NULL, &d) != 0);
	route_diag_reset(&d);
}

Test(route_parse, missing_file)
{
	struct route_set *set;
	struct route_diag d;

	route_diag_init(&d);
	cr_expect(route_set_load(&set, "/nonexistent/x.map", &d) == ENOENT);
	cr_expect(route_diag_has(&d, "/nonexistent/x.map: error: cannot open"), "%s", d.text);
	route_diag_reset(&d);
}

Test(route_parse, include_relative_to_including_file)
{
	char path[512];
	struct route_set *set;
	struct route_diag d;

	snprintf(path, sizeof(path), "%s/tests/unit/call/testdata/main.map", srcdir());
	route_diag_init(&d);
	cr_assert(route_set_load(&set, path, &d) == 0, "%s", d.text);
	cr_expect(route_set_rule_count(set) == 2);
	cr_expect(route_set_vector_count(set) == 1);
	char *rep = NULL;
	unsigned total;
	cr_expect(route_vectors_run(set, &rep, &total) == 0, "%s", rep);
	mem_deref(rep);
	mem_deref(set);
	route_diag_reset(&d);
}

Test(route_parse, shadowed_rule_is_a_warning)
{
	static const char text[] =
	    DECL "[rule wide]\ncalled prefix 44\nroute trunk t1\n"
		 "[rule narrow]\ncalled prefix 4420\nfrom trunk t1\nroute group g1\n"
		 "[rule other]\ncalled prefix 33\nroute group g1\n"
		 "[rule same-re]\ncalled regex ^1(2)\nreject 1\n"
		 "[rule same-re-2]\ncalled regex ^1(2)\ndir to-sip\nreject 2\n";
	struct route_set *set;
	struct route_diag d;

	route_diag_init(&d);
	cr_assert(route_set_parse(&set, "m.map", text, NULL, &d) == 0, "%s", d.text);
	cr_expect(d.errors == 0);
	cr_expect(d.warnings == 2, "%s", d.text);
	cr_expect(route_diag_has(&d, "m.map:8: warning: rule 'narrow' is unreachable: rule "
				     "'wide' (m.map:5) matches everything it matches"),
		  "%s", d.text);
	cr_expect(route_diag_has(&d, "rule 'same-re-2' is unreachable"), "%s", d.text);
	cr_expect(!route_diag_has(&d, "'other'"));
	mem_deref(set);
	route_diag_reset(&d);
}

Test(route_parse, comments_and_blank_lines)
{
	static const char text[] = "# top\n; also\n\n[trunk t1] ; inline\n"
				   "[rule a]   # inline comment\n"
				   "  called prefix #31# ; a prefix starting with #\n"
				   "\troute uri sip:${called}@h;transport=tcp\n";
	struct route_set *set;
	struct route_diag d;
	struct route_ctx ctx;
	struct route_result r;

	route_diag_init(&d);
	cr_assert(route_set_parse(&set, "m.map", text, NULL, &d) == 0, "%s", d.text);
	route_ctx_init(&ctx);
	route_number_set(&ctx.called, "#31#0123");
	route_decide(set, &ctx, &r);
	cr_expect(r.verdict == ROUTE_ROUTE);
	cr_expect_str_eq(r.dest[0].uri, "sip:#31#0123@h;transport=tcp");
	mem_deref(set);
	route_diag_reset(&d);
}

Test(route_parse, errors_are_all_collected)
{
	static const char text[] = "[rule a]\nreject 0\n[rule b]\ndir x\nreject 1\n[bad]\n";
	struct route_set *set;
	struct route_diag d;

	route_diag_init(&d);
	cr_expect(route_set_parse(&set, "m.map", text, NULL, &d) == EINVAL);
	cr_expect(d.errors == 4, "%u errors:\n%s", d.errors, d.text);
	route_diag_reset(&d);
}

/* Found by the fuzzer: a line of carriage returns only. */
Test(route_parse, crlf_and_blank_carriage_returns)
{
	static const char text[] = "[trunk t1]\r\n\r\r\r\n[rule a]\r\n \r \t\r\n"
				   "called prefix 1\r\nroute trunk t1\r\n";
	struct route_set *set;
	struct route_diag d;

	route_diag_init(&d);
	cr_assert(route_set_parse(&set, "m.map", text, NULL, &d) == 0, "%s", d.text);
	cr_expect(route_set_rule_count(set) == 1);
	mem_deref(set);
	route_diag_reset(&d);
}
