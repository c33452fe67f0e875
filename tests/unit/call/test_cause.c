/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cause tables: the shipped RFC 3398 file against the RFC's tables row by
 * row, the Q.1912.5 variant, per-trunk overrides, class fallback, the
 * Reason header (RFC 3326, RFC 6432), and the table parser's errors.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/cause.h"
#include "core/mem.h"
#include "../sg_test.h"

static struct cause_map *map;

static void setup(void)
{
	sg_test_begin();
}
static void teardown(void)
{
	map = mem_deref(map);
	sg_test_end();
}
TestSuite(cause, .init = setup, .fini = teardown);

static void load_shipped(const char *name)
{
	char path[512];
	struct route_diag d;
	const char *s = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/mapping/%s", s ? s : ".", name);
	route_diag_init(&d);
	cr_assert(cause_map_load(&map, path, &d) == 0, "%s", d.text);
	route_diag_reset(&d);
}

/* RFC 3398 §7.2.4.1: ISUP cause value → SIP response (0: no response). */
static const unsigned rfc3398_to_sip[][2] = {
    {1, 404},  {2, 404},  {3, 404},  {16, 0},	{17, 486}, {18, 408},  {19, 480},  {20, 480},
    {21, 403}, {22, 410}, {23, 410}, {26, 404}, {27, 502}, {28, 484},  {29, 501},  {31, 480},
    {34, 503}, {38, 503}, {41, 503}, {42, 503}, {47, 503}, {55, 403},  {57, 403},  {58, 503},
    {65, 488}, {70, 488}, {79, 501}, {87, 403}, {88, 503}, {102, 504}, {111, 500}, {127, 500},
};

/* RFC 3398 §8.2.6.1: SIP response received → cause value in the REL. */
static const unsigned rfc3398_to_q850[][2] = {
    {400, 41},	{401, 21}, {402, 21},  {403, 21},  {404, 1},  {405, 63},  {406, 79},  {407, 21},
    {408, 102}, {410, 22}, {413, 127}, {414, 127}, {415, 79}, {416, 127}, {420, 127}, {421, 127},
    {423, 127}, {480, 18}, {481, 41},  {482, 25},  {483, 25}, {484, 28},  {485, 1},   {486, 17},
    {487, 0},	{488, 0},  {500, 41},  {501, 79},  {502, 38}, {503, 41},  {504, 102}, {505, 127},
    {513, 127}, {600, 17}, {603, 21},  {604, 1},   {606, 0},
};

Test(cause, rfc3398_q850_to_sip_row_by_row)
{
	load_shipped("causes-rfc3398.map");
	cr_expect_str_eq(cause_map_variant(map), "rfc3398");
	for (size_t i = 0; i < sizeof(rfc3398_to_sip) / sizeof(rfc3398_to_sip[0]); i++)
		cr_expect(cause_to_sip(map, NULL, rfc3398_to_sip[i][0]) == rfc3398_to_sip[i][1],
			  "cause %u: want %u, got %u", rfc3398_to_sip[i][0], rfc3398_to_sip[i][1],
			  cause_to_sip(map, NULL, rfc3398_to_sip[i][0]));
	cr_expect(cause_to_sip(map, NULL, 99) == 500); /* unlisted: the default */
	cr_expect(cause_to_sip(map, NULL, 0) == 500);
	cr_expect(cause_to_sip(map, NULL, 1000) == 500);
	cr_expect_str_eq(cause_text(map, 17), "User busy");
}

Test(cause, rfc3398_sip_to_q850_row_by_row)
{
	load_shipped("causes-rfc3398.map");
	for (size_t i = 0; i < sizeof(rfc3398_to_q850) / sizeof(rfc3398_to_q850[0]); i++)
		cr_expect(cause_from_sip(map, NULL, rfc3398_to_q850[i][0]) == rfc3398_to_q850[i][1],
			  "status %u: want %u, got %u", rfc3398_to_q850[i][0],
			  rfc3398_to_q850[i][1], cause_from_sip(map, NULL, rfc3398_to_q850[i][0]));
	/* RFC 3261 §21: unknown codes are treated as x00 of their class. */
	cr_expect(cause_from_sip(map, NULL, 499) == 41);
	cr_expect(cause_from_sip(map, NULL, 555) == 41);
	cr_expect(cause_from_sip(map, NULL, 699) == 17); /* as 600 */
	cr_expect(cause_from_sip(map, NULL, 302) == 127);
	cr_expect(cause_from_sip(map, NULL, 200) == 127);
}

Test(cause, per_trunk_overrides)
{
	load_shipped("causes-rfc3398.map");
	cr_expect(cause_to_sip(map, "example-carrier", 34) == 480);
	cr_expect(cause_to_sip(map, "example-carrier", 17) == 486);
	cr_expect(cause_to_sip(map, "other", 34) == 503);
	cr_expect(cause_from_sip(map, "example-carrier", 503) == 34);
	cr_expect(cause_from_sip(map, NULL, 503) == 41);
}

Test(cause, q1912_5_variant_loads_and_differs)
{
	load_shipped("causes-q1912.5.map");
	cr_expect_str_eq(cause_map_variant(map), "q1912.5");
	cr_expect(cause_to_sip(map, NULL, 18) == 480);
	cr_expect(cause_from_sip(map, NULL, 400) == 127);
	cr_expect(cause_from_sip(map, NULL, 486) == 17);
}

Test(cause, shipped_vectors_pass)
{
	const char *files[] = {"causes-rfc3398.map", "causes-q1912.5.map"};
	for (int i = 0; i < 2; i++) {
		char *rep = NULL;
		unsigned total;
		load_shipped(files[i]);
		cr_expect(cause_vectors_run(map, &rep, &total) == 0, "%s", rep);
		cr_expect(total > 0);
		mem_deref(rep);
		map = mem_deref(map);
	}
}

Test(cause, reason_from_response_wins)
{
	static const char r1[] = "Q.850;cause=34;text=\"No circuit\"";
	static const char r2[] = "SIP;cause=200;text=\"Call completed elsewhere\"";
	load_shipped("causes-rfc3398.map");
	cr_expect(cause_from_sip_reason(map, NULL, 503, r1, strlen(r1)) == 34);
	cr_expect(cause_from_sip_reason(map, NULL, 503, r2, strlen(r2)) == 41);
	cr_expect(cause_from_sip_reason(map, NULL, 503, NULL, 0) == 41);
}

Test(cause, reason_format)
{
	char buf[64];
	cr_expect(cause_reason_format(buf, sizeof(buf), 17, "User busy") == 0);
	cr_expect_str_eq(buf, "Q.850;cause=17;text=\"User busy\"");
	cr_expect(cause_reason_format(buf, sizeof(buf), 16, NULL) == 0);
	cr_expect_str_eq(buf, "Q.850;cause=16");
	cr_expect(cause_reason_format(buf, sizeof(buf), 1, "a\"b\\c\n") == 0);
	cr_expect_str_eq(buf, "Q.850;cause=1;text=\"a\\\"b\\\\c\"");
	cr_expect(cause_reason_format(buf, sizeof(buf), 0, NULL) == EINVAL);
	cr_expect(cause_reason_format(buf, sizeof(buf), 128, NULL) == EINVAL);
	cr_expect(cause_reason_format(buf, 10, 17, NULL) == ENOSPC);
	cr_expect(cause_reason_format(buf, 20, 17, "User busy") == ENOSPC);
}

static int parse(const char *s, unsigned *c)
{
	return cause_reason_parse(s, strlen(s), c);
}

Test(cause, reason_parse)
{
	unsigned c = 0;
	cr_expect(parse("Q.850;cause=17;text=\"User busy\"", &c) == 0 && c == 17);
	cr_expect(parse("q.850 ; cause = 41", &c) == 0 && c == 41);
	cr_expect(parse("SIP;cause=200;text=\"a, b\", Q.850;cause=16", &c) == 0 && c == 16);
	cr_expect(parse("Q.850;text=\"cause=5\";cause=3", &c) == 0 && c == 3);
	cr_expect(parse("Q.850;causes=9;cause=8", &c) == 0 && c == 8);
	cr_expect(parse("SIP;cause=200", &c) == ENOENT);
	cr_expect(parse("", &c) == ENOENT);
	cr_expect(parse("Q.850", &c) == EINVAL);
	cr_expect(parse("Q.850;cause=", &c) == EINVAL);
	cr_expect(parse("Q.850;cause=0", &c) == EINVAL);
	cr_expect(parse("Q.850;cause=128", &c) == EINVAL);
	cr_expect(parse("Q.850;cause=0017", &c) == EINVAL);
	cr_expect(parse("Q.850;cause", &c) == EINVAL);
	/* The length bounds the read: the cause past it is not seen. */
	cr_expect(cause_reason_parse("Q.850;cause=17", 12, &c) == EINVAL);
	cr_expect(cause_reason_parse("Q.850;cause=17", 13, &c) == 0 && c == 1);
}

struct bad {
	const char *text;
	const char *msg;
};

static const struct bad bad_tables[] = {
    {"[q850-to-sip]\n17 486\ndefault 500\n[sip-to-q850]\ndefault 127\n",
     "c.map: error: no 'variant NAME' line"},
    {"variant x\n[q850-to-sip]\n17 486\n[sip-to-q850]\ndefault 127\n",
     "both tables need a 'default' row"},
    {"variant x\n[q850-to-sip]\n17 486\n17 480\n", "c.map:4: error: cause 17 is listed twice"},
    {"variant x\n[q850-to-sip]\n200 486\n", "c.map:3: error: '200' is not a Q.850 cause 1-127"},
    {"variant x\n[q850-to-sip]\n17 200\n",
     "c.map:3: error: '200' is not a SIP final status 300-699"},
    {"variant x\n[sip-to-q850]\n486 17 x\n", "c.map:3: error: a row is 'STATUS CAUSE'"},
    {"variant x\n[sip-to-q850]\n486 0\n", "c.map:3: error: '0' is not a Q.850 cause 1-127"},
    {"variant x\n[sip-to-q850]\n200 17\n", "c.map:3: error: '200' is not a SIP final status"},
    {"variant x\n[sip-to-q850]\ndefault none\n", "c.map:3: error: a default must be a value"},
    {"variant x\n[q850-to-sip]\n17\n", "c.map:3: error: a row is 'CAUSE STATUS [name]'"},
    {"variant x\n[bogus]\n", "c.map:2: error: unknown section"},
    {"variant x\n[q850-to-sip\n", "c.map:2: error: section header lacks ']'"},
    {"variant x\n17 486\n", "c.map:2: error: '17' outside a section"},
    {"variant x\n[trunk a]\n[trunk a]\n", "c.map:3: error: [trunk a] appears twice"},
    {"variant x\n[trunk a]\n17 486\n", "c.map:3: error: a [trunk] override is"},
    {"variant x\n[trunk a]\ndefault 486\n", "c.map:3: error: a [trunk] override is"},
    {"variant x\n[trunk a]\nq850-to-sip default 486\n", "'default' belongs in [q850-to-sip]"},
    {"variant x\n[test t]\nq850 17 486\n", "c.map:3: error: a test is"},
    {"variant x\n[test t]\nq850-to-sip 17 x\n", "c.map:3: error: test values must be numbers"},
    {"variant\n", "c.map:1: error: 'variant' takes one short name"},
};

Test(cause, table_errors_name_file_line)
{
	for (size_t i = 0; i < sizeof(bad_tables) / sizeof(bad_tables[0]); i++) {
		struct route_diag d;
		struct cause_map *m = (void *)1;
		route_diag_init(&d);
		cr_expect(cause_map_parse(&m, "c.map", bad_tables[i].text, &d) == EINVAL,
			  "case %zu accepted", i);
		cr_expect(m == NULL);
		cr_expect(route_diag_has(&d, bad_tables[i].msg), "case %zu: wanted '%s', got:\n%s",
			  i, bad_tables[i].msg, d.text ? d.text : "(nothing)");
		route_diag_reset(&d);
	}
}

Test(cause, failing_vector_gives_a_diff)
{
	static const char text[] = "variant x\n[q850-to-sip]\n17 486\ndefault 500\n"
				   "[sip-to-q850]\ndefault 127\n[test t]\nq850-to-sip 17 480\n";
	struct route_diag d;
	char *rep = NULL;
	unsigned total;
	route_diag_init(&d);
	cr_assert(cause_map_parse(&map, "c.map", text, &d) == 0, "%s", d.text);
	cr_expect(cause_vectors_run(map, &rep, &total) == 1);
	cr_expect(total == 1);
	cr_expect(rep && strstr(rep, "FAIL c.map:8: q850-to-sip 17\n  - expected: 480\n"
				     "  + got:      486\n"),
		  "%s", rep);
	mem_deref(rep);
}

Test(cause, detects_table_files)
{
	cr_expect(cause_text_is_table("variant x\n[q850-to-sip]\n"));
	cr_expect(!cause_text_is_table("[rule a]\nreject 1\n"));
}

Test(cause, crlf_lines)
{
	static const char text[] = "variant x\r\n[q850-to-sip]\r\n17 486 User busy\r\n"
				   "default 500\r\n[sip-to-q850]\r\ndefault 127\r\n";
	struct route_diag d;
	route_diag_init(&d);
	cr_assert(cause_map_parse(&map, "c.map", text, &d) == 0, "%s", d.text);
	cr_expect(cause_to_sip(map, NULL, 17) == 486);
	cr_expect_str_eq(cause_text(map, 17), "User busy");
}
