/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of core/conf: the reader (valid files and every syntax error), the
 * value parsers, conf_bind (every key error) and conf_dispatch (every
 * section error).  Every message is checked with its file:line and key.
 * Test files live in tests/unit/core/testdata/conf, found through
 * $top_srcdir (set by `make check`).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"

/* Each test frees everything it made. */
#define LEAK_START size_t live0_ = mem_live()
#define LEAK_CHECK cr_assert_eq(mem_live(), live0_, "mem objects leaked: %zu", mem_live() - live0_)

static void expect(const struct conf_diag *d, const char *needle)
{
	cr_assert(conf_diag_has(d, needle), "no message containing\n  %s\nin:\n%s", needle,
		  d->text ? d->text : "(none)");
}

static const char *data(char *buf, size_t size, const char *file)
{
	const char *top = getenv("top_srcdir");
	snprintf(buf, size, "%s/tests/unit/core/testdata/conf/%s", top && *top ? top : ".", file);
	return buf;
}

static struct conf_doc *parse_ok(const char *text)
{
	struct conf_diag d;
	struct conf_doc *doc = NULL;

	conf_diag_init(&d);
	int err = conf_doc_parse(&doc, "t.conf", text, NULL, &d);
	cr_assert_eq(err, 0, "parse failed: %s", d.text ? d.text : "");
	cr_assert_eq(d.errors, 0);
	cr_assert_not_null(doc);
	conf_diag_reset(&d);
	return doc;
}

/* Parse text that must fail with `n` errors, one of them `msg`. */
static void parse_fails(const char *text, unsigned n, const char *msg)
{
	struct conf_diag d;
	struct conf_doc *doc = (void *)1;

	conf_diag_init(&d);
	cr_assert_eq(conf_doc_parse(&doc, "t.conf", text, NULL, &d), EINVAL);
	cr_assert_null(doc);
	expect(&d, msg);
	cr_assert_eq(d.errors, n, "%u errors, expected %u:\n%s", d.errors, n, d.text);
	conf_diag_reset(&d);
}

/* Load a test file that must fail with `msg` (the file's path prefixed). */
static void load_fails(const char *file, const char *msg)
{
	char path[512], want[1024];
	struct conf_diag d;
	struct conf_doc *doc;

	conf_diag_init(&d);
	cr_assert_eq(conf_doc_load(&doc, data(path, sizeof(path), file), &d), EINVAL);
	cr_assert_null(doc);
	snprintf(want, sizeof(want), "%s", data(path, sizeof(path), msg));
	expect(&d, want);
	conf_diag_reset(&d);
}

static const char *value(const struct conf_doc *doc, const char *kind, const char *name,
			 const char *key)
{
	const struct conf_section *sec = conf_doc_find(doc, kind, name);
	cr_assert_not_null(sec, "no section [%s]", kind);
	for (unsigned i = 0; i < sec->n_entries; i++) {
		if (strcmp(sec->entries[i].key, key) == 0)
			return sec->entries[i].value;
	}
	cr_assert_fail("no key %s in [%s]", key, kind);
	return NULL;
}

/* Errors are logged too: keep them in the capture buffer, not on stderr. */
static void quiet(void)
{
	log_capture_start();
}

static void loud(void)
{
	log_capture_stop();
}

TestSuite(conf_doc, .init = quiet, .fini = loud);
TestSuite(conf_syntax, .init = quiet, .fini = loud);
TestSuite(conf_diag, .init = quiet, .fini = loud);
TestSuite(conf_values, .init = quiet, .fini = loud);
TestSuite(conf_bind, .init = quiet, .fini = loud);
TestSuite(conf_dispatch, .init = quiet, .fini = loud);

/* --- Valid documents ----------------------------------------------------- */

Test(conf_doc, sections_comments_and_values)
{
	LEAK_START;
	struct conf_doc *doc = parse_ok("; top comment\n"
					"  # indented comment\n"
					"\n"
					"[general]\n"
					"log_level = info   ; trailing comment\n"
					"\tempty =\n"
					"[trunk carrier-a]\n"
					"host=a.example.com\n"
					"[trunk carrier-b]\n"
					"   host   =   b.example.com   \n");
	cr_assert_eq(doc->n_sections, 3);
	cr_assert_str_eq(doc->path, "t.conf");
	const struct conf_section *g = conf_doc_find(doc, "general", NULL);
	cr_assert_null(g->name);
	cr_assert_eq(g->line, 4);
	cr_assert_eq(g->n_entries, 2);
	cr_assert_str_eq(g->entries[0].key, "log_level");
	cr_assert_str_eq(g->entries[0].value, "info");
	cr_assert_str_eq(g->entries[0].file, "t.conf");
	cr_assert_eq(g->entries[0].line, 5);
	cr_assert_str_eq(g->entries[1].value, "");
	cr_assert_str_eq(value(doc, "trunk", "carrier-b", "host"), "b.example.com");
	cr_assert_str_eq(conf_doc_find(doc, "trunk", NULL)->name, "carrier-a");
	cr_assert_null(conf_doc_find(doc, "trunk", "carrier-c"));
	cr_assert_null(conf_doc_find(doc, "sip", NULL));
	mem_deref(doc);
	LEAK_CHECK;
}

Test(conf_doc, escapes_and_quotes)
{
	LEAK_START;
	struct conf_doc *doc = parse_ok("[s]\n"
					"a = x\\;y ; comment\n"
					"b = c:\\\\dir\\\\ ; backslashes\n"
					"c = a\\b\n"
					"d = \"  sp ; ace  \"   ; quoted\n"
					"e = \"q\\\"x\\\\\"\n"
					"f = \"\"\n"
					"g = #not a comment\n"
					"h = ü€😀\n");
	cr_assert_str_eq(value(doc, "s", NULL, "a"), "x;y");
	cr_assert_str_eq(value(doc, "s", NULL, "b"), "c:\\dir\\");
	cr_assert_str_eq(value(doc, "s", NULL, "c"), "a\\b");
	cr_assert_str_eq(value(doc, "s", NULL, "d"), "  sp ; ace  ");
	cr_assert_str_eq(value(doc, "s", NULL, "e"), "q\"x\\");
	cr_assert_str_eq(value(doc, "s", NULL, "f"), "");
	cr_assert_str_eq(value(doc, "s", NULL, "g"), "#not a comment");
	cr_assert_str_eq(value(doc, "s", NULL, "h"), "ü€😀");
	mem_deref(doc);
	LEAK_CHECK;
}

Test(conf_doc, header_forms)
{
	LEAK_START;
	struct conf_doc *doc = parse_ok("[ trunk   carrier-a ]   ; comment after a header\n"
					"[trunk A.b:c@d+e-f_9]\n"
					"[sip_tls-2]\n");
	cr_assert_eq(doc->n_sections, 3);
	cr_assert_str_eq(doc->sections[0].kind, "trunk");
	cr_assert_str_eq(doc->sections[0].name, "carrier-a");
	cr_assert_str_eq(doc->sections[1].name, "A.b:c@d+e-f_9");
	cr_assert_str_eq(doc->sections[2].kind, "sip_tls-2");
	cr_assert_eq(doc->sections[2].n_entries, 0);
	mem_deref(doc);
	LEAK_CHECK;
}

Test(conf_doc, crlf_bom_and_no_final_newline)
{
	LEAK_START;
	struct conf_doc *doc = parse_ok("\xef\xbb\xbf[s]\r\na = 1\r\nb = \"x\"\r\nc = 2");
	cr_assert_str_eq(value(doc, "s", NULL, "a"), "1");
	cr_assert_str_eq(value(doc, "s", NULL, "b"), "x");
	cr_assert_str_eq(value(doc, "s", NULL, "c"), "2");
	mem_deref(doc);

	char path[512];
	struct conf_diag d;
	conf_diag_init(&d);
	cr_assert_eq(conf_doc_load(&doc, data(path, sizeof(path), "crlf.conf"), &d), 0, "%s",
		     d.text);
	cr_assert_str_eq(value(doc, "general", NULL, "log_level"), "debug");
	cr_assert_str_eq(value(doc, "trunk", "x", "host"), "h.example.com");
	cr_assert_eq(conf_doc_find(doc, "trunk", "x")->entries[0].line, 6);
	mem_deref(doc);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

Test(conf_doc, line_of_exactly_4096_bytes)
{
	LEAK_START;
	char *text = malloc(8192);
	int n = sprintf(text, "[s]\nk = ");
	memset(text + n, 'v', 4096 - 4);
	strcpy(text + n + 4096 - 4, "\n");
	struct conf_doc *doc = parse_ok(text);
	cr_assert_eq(strlen(value(doc, "s", NULL, "k")), 4096 - 4);
	mem_deref(doc);
	free(text);
	LEAK_CHECK;
}

Test(conf_doc, includes_relative_to_the_including_file)
{
	LEAK_START;
	char path[512], want[512];
	struct conf_diag d;
	struct conf_doc *doc;

	conf_diag_init(&d);
	cr_assert_eq(conf_doc_load(&doc, data(path, sizeof(path), "main.conf"), &d), 0, "%s",
		     d.text);
	cr_assert_str_eq(doc->path, path);
	cr_assert_eq(doc->n_sections, 3);
	cr_assert_str_eq(value(doc, "general", NULL, "log_level"), "info");
	/* inc/sip.conf includes "port.conf": inc/port.conf, not the decoy beside main.conf */
	const struct conf_section *sip = conf_doc_find(doc, "sip", NULL);
	cr_assert_str_eq(sip->entries[0].value, "5062");
	cr_assert_str_eq(sip->entries[0].file, data(want, sizeof(want), "inc/port.conf"));
	cr_assert_eq(sip->entries[0].line, 1);
	cr_assert_str_eq(sip->file, data(want, sizeof(want), "inc/sip.conf"));
	cr_assert_eq(sip->line, 2);
	/* the top file carries on after the include */
	cr_assert_str_eq(value(doc, "trunk", "a", "host"), "a.example.com");
	cr_assert_eq(conf_doc_find(doc, "trunk", "a")->line, 5);
	mem_deref(doc);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

Test(conf_doc, include_from_text_uses_basedir)
{
	LEAK_START;
	char dir[512];
	struct conf_diag d;
	struct conf_doc *doc;

	conf_diag_init(&d);
	data(dir, sizeof(dir), "inc");
	cr_assert_eq(conf_doc_parse(&doc, "mem", "[sip]\n#include \"port.conf\"\n", dir, &d), 0,
		     "%s", d.text);
	cr_assert_str_eq(value(doc, "sip", NULL, "port"), "5062");
	mem_deref(doc);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

Test(conf_doc, eight_nested_includes_are_allowed)
{
	LEAK_START;
	char path[512];
	struct conf_diag d;
	struct conf_doc *doc;

	conf_diag_init(&d);
	/* d1 includes d2 ... d8 includes d9: eight levels below the top file */
	cr_assert_eq(conf_doc_load(&doc, data(path, sizeof(path), "d1.conf"), &d), 0, "%s",
		     d.text);
	cr_assert_str_eq(value(doc, "general", NULL, "log_level"), "notice");
	mem_deref(doc);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

/* --- Syntax errors ------------------------------------------------------- */

Test(conf_syntax, garbage_line)
{
	LEAK_START;
	parse_fails("[s]\nhello world\n", 1,
		    "t.conf:2: not a [section], key = value, comment or #include: 'hello world'");
	LEAK_CHECK;
}

Test(conf_syntax, garbage_is_truncated_in_the_message)
{
	LEAK_START;
	char text[600] = "[s]\n";
	memset(text + 4, 'z', 500);
	parse_fails(text, 1, "t.conf:2: not a [section], key = value, comment or #include: 'zzzz");
	struct conf_diag d;
	struct conf_doc *doc;
	conf_diag_init(&d);
	conf_doc_parse(&doc, "t.conf", text, NULL, &d);
	cr_assert(conf_diag_has(&d, "zzz...'"));
	cr_assert_lt(d.len, 200);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

Test(conf_syntax, key_before_section)
{
	LEAK_START;
	parse_fails("; nothing yet\nport = 5060\n[sip]\n", 1,
		    "t.conf:2: key 'port' before any [section]");
	LEAK_CHECK;
}

Test(conf_syntax, bad_keys)
{
	LEAK_START;
	parse_fails("[s]\nPort = 1\n", 1, "t.conf:2: bad key 'Port' (allowed: a-z 0-9 _)");
	parse_fails("[s]\nmy key = 1\n", 1, "t.conf:2: bad key 'my key' (allowed: a-z 0-9 _)");
	parse_fails("[s]\n = 1\n", 1, "t.conf:2: bad key '' (allowed: a-z 0-9 _)");
	LEAK_CHECK;
}

Test(conf_syntax, bad_headers)
{
	LEAK_START;
	parse_fails("[general\n", 1, "t.conf:1: section header without ']': '[general'");
	parse_fails("[general] x\n", 1, "t.conf:1: text after ']' in section header: '[general] x'");
	parse_fails("[General]\n", 1,
		    "t.conf:1: bad section kind in '[General]' (allowed: a-z 0-9 _ -)");
	parse_fails("[]\n", 1, "t.conf:1: bad section kind in '[]' (allowed: a-z 0-9 _ -)");
	parse_fails("[trunk a b]\n", 1, "t.conf:1: bad section name in '[trunk a b]' (allowed: "
					"A-Z a-z 0-9 _ . : @ + -)");
	parse_fails("[trunk a/b]\n", 1, "t.conf:1: bad section name in '[trunk a/b]'");
	LEAK_CHECK;
}

Test(conf_syntax, keys_after_a_bad_header_are_not_reported_again)
{
	LEAK_START;
	parse_fails("[ok]\n[Bad]\na = 1\nb = 2\n", 1, "t.conf:2: bad section kind in '[Bad]'");
	LEAK_CHECK;
}

Test(conf_syntax, bad_quotes)
{
	LEAK_START;
	parse_fails("[s]\na = \"open\n", 1, "t.conf:2: [s] key 'a': unterminated quoted value");
	parse_fails("[t x]\na = \"q\" tail\n", 1,
		    "t.conf:2: [t x] key 'a': text after the closing quote");
	LEAK_CHECK;
}

Test(conf_syntax, bad_include_line)
{
	LEAK_START;
	parse_fails("[s]\n#include other.conf\n", 1,
		    "t.conf:2: bad #include (write #include \"path\"): '#include other.conf'");
	parse_fails("[s]\n#include \"\"\n", 1, "t.conf:2: bad #include");
	parse_fails("[s]\n#include \"a.conf\" x\n", 1, "t.conf:2: bad #include");
	parse_fails("#include\n", 1, "t.conf:1: bad #include");
	struct conf_doc *doc = parse_ok("#includes are not includes, only comments\n");
	mem_deref(doc);
	LEAK_CHECK;
}

Test(conf_syntax, overlong_line)
{
	LEAK_START;
	char *text = malloc(8192);
	int n = sprintf(text, "[s]\nk = ");
	memset(text + n, 'v', 4096 - 3);
	strcpy(text + n + 4096 - 3, "\n");
	parse_fails(text, 1, "t.conf:2: line longer than 4096 bytes");
	free(text);
	LEAK_CHECK;
}

Test(conf_syntax, nul_byte)
{
	LEAK_START;
	load_fails("nul.conf", "nul.conf:2: NUL byte at column 15");
	LEAK_CHECK;
}

Test(conf_syntax, invalid_utf8)
{
	LEAK_START;
	parse_fails("[s]\na = \xff\n", 1, "t.conf:2: invalid UTF-8 at column 5");
	parse_fails("[s]\na = \xc0\xaf\n", 1, "t.conf:2: invalid UTF-8 at column 5"); /* overlong */
	parse_fails("[s]\na = x\xed\xa0\x80\n", 1, "t.conf:2: invalid UTF-8 at column 6"); /* surrogate */
	parse_fails("[s]\na = \xf4\x90\x80\x80\n", 1, "t.conf:2: invalid UTF-8"); /* > U+10FFFF */
	parse_fails("[s]\na = \xe2\x82\n", 1, "t.conf:2: invalid UTF-8");        /* cut short */
	parse_fails("[s]\na = \x80\n", 1, "t.conf:2: invalid UTF-8");
	LEAK_CHECK;
}

Test(conf_syntax, control_characters)
{
	LEAK_START;
	parse_fails("[s]\na = \x1b[31m\n", 1, "t.conf:2: control character U+001B at column 5");
	parse_fails("[s]\na = x\ry\n", 1, "t.conf:2: control character U+000D at column 6");
	parse_fails("[s]\na = \xc2\x9b\n", 1, "t.conf:2: control character U+009B at column 5");
	LEAK_CHECK;
}

Test(conf_syntax, errors_are_collected_then_capped)
{
	LEAK_START;
	parse_fails("x\n[s]\ny\nz\n", 3, "t.conf:4: not a [section]");
	char *text = malloc(1000);
	text[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(text, "?\n");
	/* 50 errors, then one saying the reader gave up */
	parse_fails(text, 51, "t.conf:50: too many errors, giving up");
	free(text);
	LEAK_CHECK;
}

Test(conf_syntax, include_missing)
{
	LEAK_START;
	char path[512], want[1024];
	data(path, sizeof(path), "inc/nope.conf");
	snprintf(want, sizeof(want),
		 "missing.conf:3: #include \"inc/nope.conf\": cannot read %s: No such file or "
		 "directory", path);
	load_fails("missing.conf", want);
	LEAK_CHECK;
}

Test(conf_syntax, include_a_directory)
{
	LEAK_START;
	char dir[512];
	struct conf_diag d;
	struct conf_doc *doc;
	conf_diag_init(&d);
	data(dir, sizeof(dir), "");
	cr_assert_eq(conf_doc_parse(&doc, "t.conf", "[s]\n#include \"inc\"\n", dir, &d), EINVAL);
	expect(&d, "t.conf:2: #include \"inc\": cannot read");
	expect(&d, "inc: Is a directory");
	conf_diag_reset(&d);
	LEAK_CHECK;
}

Test(conf_syntax, include_cycle)
{
	LEAK_START;
	load_fails("cycle_a.conf", "cycle_b.conf:2: #include \"cycle_a.conf\": include cycle");
	LEAK_CHECK;
}

Test(conf_syntax, include_depth)
{
	LEAK_START;
	load_fails("d0.conf", "d8.conf:2: #include \"d9.conf\": nested deeper than 8 files");
	LEAK_CHECK;
}

Test(conf_syntax, top_file_missing)
{
	LEAK_START;
	char path[512], want[600];
	struct conf_diag d;
	struct conf_doc *doc;
	conf_diag_init(&d);
	cr_assert_eq(conf_doc_load(&doc, data(path, sizeof(path), "none.conf"), &d), ENOENT);
	cr_assert_null(doc);
	snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
	expect(&d, want);
	cr_assert_eq(d.errors, 1);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

/* --- Diagnostics --------------------------------------------------------- */

Test(conf_diag, messages_and_counts_without_logging)
{
	LEAK_START;
	struct conf_diag d;
	conf_diag_init(&d);
	log_capture_start();
	conf_diag_err(&d, "a.conf", 3, "bad %s", "thing");
	conf_diag_warn(&d, "a.conf", 0, "whole file");
	conf_diag_err(&d, NULL, 0, "no place");
	cr_assert_eq(d.errors, 2);
	cr_assert_eq(d.warnings, 1);
	cr_assert_str_eq(d.text, "a.conf:3: bad thing\na.conf: whole file\nno place\n");
	cr_assert_eq(d.len, strlen(d.text));
	cr_assert_str_eq(log_capture_text(), "", "diag collects; it never logs");
	/* a needle never matches across two messages */
	cr_assert_not(conf_diag_has(&d, "thing\na.conf"));
	for (int i = 0; i < 200; i++) /* grows past its first blocks */
		conf_diag_err(&d, "b.conf", (unsigned)i + 1, "message number %d", i);
	cr_assert(conf_diag_has(&d, "b.conf:200: message number 199"));
	conf_diag_reset(&d);
	cr_assert_null(d.text);
	cr_assert_eq(d.errors, 0);
	LEAK_CHECK;
}

/* --- Value parsers ------------------------------------------------------- */

Test(conf_values, bool)
{
	const char *yes[] = { "yes", "true", "on", "1", "Yes", "TRUE" };
	const char *no[] = { "no", "false", "off", "0", "Off" };
	bool b;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		cr_assert(conf_parse_bool(yes[i], &b) == 0 && b, "%s", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
		cr_assert(conf_parse_bool(no[i], &b) == 0 && !b, "%s", no[i]);
	cr_assert_eq(conf_parse_bool("maybe", &b), EINVAL);
	cr_assert_eq(conf_parse_bool("", &b), EINVAL);
	cr_assert_eq(conf_parse_bool("yes ", &b), EINVAL);
}

Test(conf_values, int)
{
	int64_t v;
	cr_assert(conf_parse_int("0", &v) == 0 && v == 0);
	cr_assert(conf_parse_int("-42", &v) == 0 && v == -42);
	cr_assert(conf_parse_int("+7", &v) == 0 && v == 7);
	cr_assert(conf_parse_int("9223372036854775807", &v) == 0 && v == INT64_MAX);
	cr_assert(conf_parse_int("-9223372036854775808", &v) == 0 && v == INT64_MIN);
	cr_assert_eq(conf_parse_int("9223372036854775808", &v), ERANGE);
	cr_assert_eq(conf_parse_int("-9223372036854775809", &v), ERANGE);
	cr_assert_eq(conf_parse_int("99999999999999999999999", &v), ERANGE);
	const char *bad[] = { "", "-", "+", "1x", "x1", " 1", "0x10", "1.5", "--1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(conf_parse_int(bad[i], &v), EINVAL, "'%s'", bad[i]);
}

Test(conf_values, duration)
{
	uint64_t ns;
	cr_assert(conf_parse_duration("500", &ns) == 0 && ns == 500000000ull);
	cr_assert(conf_parse_duration("500ms", &ns) == 0 && ns == 500000000ull);
	cr_assert(conf_parse_duration("2s", &ns) == 0 && ns == 2000000000ull);
	cr_assert(conf_parse_duration("3m", &ns) == 0 && ns == 180000000000ull);
	cr_assert(conf_parse_duration("1h", &ns) == 0 && ns == 3600000000000ull);
	cr_assert(conf_parse_duration("0s", &ns) == 0 && ns == 0);
	cr_assert(conf_parse_duration("5124095h", &ns) == 0); /* 2^64 ns is 5124095.6 h */
	cr_assert_eq(conf_parse_duration("5124096h", &ns), ERANGE);
	cr_assert_eq(conf_parse_duration("99999999999999999999", &ns), ERANGE);
	const char *bad[] = { "", "s", "-1s", "1 s", "1x", "1S", "1.5s", "1sec", "1mss" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(conf_parse_duration(bad[i], &ns), EINVAL, "'%s'", bad[i]);
}

/* --- Binding ------------------------------------------------------------- */

struct cfg {
	char host[16];
	int64_t delta, big;
	unsigned port, count;
	bool tls;
	int mode;
	uint64_t t1, timeout;
	int even;
};

static const char *const modes[] = { "off", "on_demand", "always", NULL };

static int parse_even(const char *value, void *field, char *why, size_t whylen)
{
	int64_t v;
	if (conf_parse_int(value, &v) || v % 2 || v > 1000 || v < -1000) {
		snprintf(why, whylen, "not an even number");
		return EINVAL;
	}
	*(int *)field = (int)v;
	return 0;
}

#define F(m) offsetof(struct cfg, m)
static const struct conf_key keys[] = {
	{ .name = "host", .type = CONF_STR, .offset = F(host), .size = 16, .required = true },
	{ .name = "delta", .type = CONF_INT, .offset = F(delta), .min = -10, .max = 10,
	  .dflt = "0" },
	{ .name = "big", .type = CONF_INT, .offset = F(big) },
	{ .name = "port", .type = CONF_UINT, .offset = F(port), .min = 1, .max = 65535,
	  .dflt = "5060" },
	{ .name = "count", .type = CONF_UINT, .offset = F(count), .dflt = "7" },
	{ .name = "tls", .type = CONF_BOOL, .offset = F(tls), .dflt = "yes" },
	{ .name = "mode", .type = CONF_ENUM, .offset = F(mode), .names = modes, .dflt = "always" },
	{ .name = "t1", .type = CONF_DURATION, .offset = F(t1), .min = 100000000,
	  .max = 10000000000, .dflt = "500ms" },
	{ .name = "timeout", .type = CONF_DURATION, .offset = F(timeout) },
	{ .name = "even", .type = CONF_CUSTOM, .offset = F(even), .parse = parse_even },
	CONF_KEYS_END,
};

/* Bind the first section of `text`; returns conf_bind's result. */
static int bind_text(const char *text, struct cfg *c, struct conf_diag *d)
{
	struct conf_doc *doc = parse_ok(text);
	memset(c, 0, sizeof(*c));
	conf_diag_init(d);
	int err = conf_bind(&doc->sections[0], keys, c, d);
	mem_deref(doc);
	return err;
}

static void bind_fails(const char *text, const char *msg)
{
	struct conf_diag d;
	struct cfg c;
	cr_assert_eq(bind_text(text, &c, &d), EINVAL, "bind passed: %s", text);
	expect(&d, msg);
	cr_assert_eq(d.errors, 1, "%s", d.text);
	conf_diag_reset(&d);
}

Test(conf_bind, defaults)
{
	LEAK_START;
	struct cfg c;
	memset(&c, 0, sizeof(c));
	c.big = 99;
	cr_assert_eq(conf_defaults(keys, &c), 0);
	cr_assert_eq(c.port, 5060);
	cr_assert_eq(c.count, 7);
	cr_assert(c.tls);
	cr_assert_eq(c.mode, 2);
	cr_assert_eq(c.t1, 500000000ull);
	cr_assert_eq(c.big, 99); /* no default: left alone */

	static const struct conf_key bad[] = {
		{ .name = "tls", .type = CONF_BOOL, .offset = F(tls), .dflt = "perhaps" },
		CONF_KEYS_END,
	};
	cr_assert_eq(conf_defaults(bad, &c), EINVAL);
	LEAK_CHECK;
}

Test(conf_bind, every_type)
{
	LEAK_START;
	struct conf_diag d;
	struct cfg c;
	int err = bind_text("[trunk a]\nhost = 123456789012345\ndelta = -10\nbig = -5000000000\n"
			    "port = 65535\ncount = 4294967295\ntls = off\nmode = on_demand\n"
			    "t1 = 10s\ntimeout = 2h\neven = -4\n",
			    &c, &d);
	cr_assert_eq(err, 0, "%s", d.text);
	cr_assert_str_eq(c.host, "123456789012345");
	cr_assert_eq(c.delta, -10);
	cr_assert_eq(c.big, -5000000000);
	cr_assert_eq(c.port, 65535);
	cr_assert_eq(c.count, 4294967295u);
	cr_assert_not(c.tls);
	cr_assert_eq(c.mode, 1);
	cr_assert_eq(c.t1, 10000000000ull);
	cr_assert_eq(c.timeout, 7200000000000ull);
	cr_assert_eq(c.even, -4);
	conf_diag_reset(&d);

	cr_assert_eq(bind_text("[trunk a]\nhost = h\n", &c, &d), 0); /* defaults fill the rest */
	cr_assert_eq(c.port, 5060);
	cr_assert_eq(c.t1, 500000000ull);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

Test(conf_bind, unknown_key)
{
	LEAK_START;
	bind_fails("[general]\nhost = h\nlgo_level = info\n",
		   "t.conf:3: [general] key 'lgo_level': unknown key");
	LEAK_CHECK;
}

Test(conf_bind, duplicate_key)
{
	LEAK_START;
	bind_fails("[general]\nhost = h\n\nport = 1\nport = 2\n",
		   "t.conf:5: [general] key 'port': duplicate (first at t.conf:4)");
	LEAK_CHECK;
}

Test(conf_bind, bad_int)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\ndelta = x1\n", "t.conf:3: [sip] key 'delta': 'x1' is not an integer");
	bind_fails("[sip]\nhost = h\nport = 5o60\n", "t.conf:3: [sip] key 'port': '5o60' is not an integer");
	LEAK_CHECK;
}

Test(conf_bind, out_of_range)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\nport = 70000\n",
		   "t.conf:3: [sip] key 'port': 70000 out of range 1..65535");
	bind_fails("[sip]\nhost = h\nport = 0\n", "t.conf:3: [sip] key 'port': 0 out of range 1..65535");
	bind_fails("[sip]\nhost = h\ndelta = -11\n",
		   "t.conf:3: [sip] key 'delta': -11 out of range -10..10");
	bind_fails("[sip]\nhost = h\ncount = -1\n",
		   "t.conf:3: [sip] key 'count': -1 out of range 0..4294967295");
	bind_fails("[sip]\nhost = h\ncount = 4294967296\n",
		   "t.conf:3: [sip] key 'count': 4294967296 out of range 0..4294967295");
	bind_fails("[sip]\nhost = h\nbig = 9223372036854775808\n",
		   "t.conf:3: [sip] key 'big': 9223372036854775808 out of range "
		   "-9223372036854775808..9223372036854775807");
	LEAK_CHECK;
}

Test(conf_bind, bad_bool)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\ntls = maybe\n",
		   "t.conf:3: [sip] key 'tls': 'maybe' is not a boolean (yes/no, true/false, on/off, "
		   "1/0)");
	LEAK_CHECK;
}

Test(conf_bind, bad_enum_lists_valid_names)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\nmode = sometimes\n",
		   "t.conf:3: [sip] key 'mode': 'sometimes' is not one of: off, on_demand, always");
	LEAK_CHECK;
}

Test(conf_bind, bad_duration)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\nt1 = 5x\n",
		   "t.conf:3: [sip] key 't1': '5x' is not a duration (a number with ms, s, m or h; "
		   "bare numbers are ms)");
	bind_fails("[sip]\nhost = h\ntimeout = 99999999999h\n",
		   "t.conf:3: [sip] key 'timeout': '99999999999h' is too long a duration");
	bind_fails("[sip]\nhost = h\nt1 = 50\n", "t.conf:3: [sip] key 't1': 50 out of range 100ms..10s");
	bind_fails("[sip]\nhost = h\nt1 = 1m\n", "t.conf:3: [sip] key 't1': 1m out of range 100ms..10s");
	LEAK_CHECK;
}

Test(conf_bind, string_too_long)
{
	LEAK_START;
	bind_fails("[trunk a]\nhost = 1234567890123456\n",
		   "t.conf:2: [trunk a] key 'host': too long (16 bytes, at most 15)");
	LEAK_CHECK;
}

Test(conf_bind, custom_reason)
{
	LEAK_START;
	bind_fails("[sip]\nhost = h\neven = 3\n", "t.conf:3: [sip] key 'even': '3': not an even number");
	LEAK_CHECK;
}

Test(conf_bind, missing_required)
{
	LEAK_START;
	bind_fails("; a comment\n[trunk a]\nport = 5\n", "t.conf:2: [trunk a] missing required key 'host'");
	LEAK_CHECK;
}

Test(conf_bind, all_errors_of_a_section_at_once)
{
	LEAK_START;
	struct conf_diag d;
	struct cfg c;
	cr_assert_eq(bind_text("[s]\nport = 0\ntls = 2\nnope = 1\n", &c, &d), EINVAL);
	cr_assert_eq(d.errors, 4, "%s", d.text);
	conf_diag_reset(&d);
	LEAK_CHECK;
}

/* --- Dispatch ------------------------------------------------------------ */

struct seen {
	int general, sip, trunks;
};

static int on_general(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	(void)sec;
	(void)diag;
	((struct seen *)arg)->general++;
	return 0;
}

static int on_sip(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	(void)diag;
	((struct seen *)arg)->sip++;
	return conf_doc_find(NULL, "x", NULL) || !sec->n_entries ? 0 : EACCES;
}

static int on_trunk(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct cfg c;
	((struct seen *)arg)->trunks++;
	return conf_bind(sec, keys, &c, diag);
}

static const struct conf_kind kinds[] = {
	{ .kind = "general", .required = true, .handle = on_general },
	{ .kind = "sip", .handle = on_sip },
	{ .kind = "trunk", .named = true, .handle = on_trunk },
	CONF_KINDS_END,
};

static void dispatch_fails(const char *text, const char *msg)
{
	struct conf_doc *doc = parse_ok(text);
	struct conf_diag d;
	struct seen s = { 0 };
	conf_diag_init(&d);
	cr_assert_eq(conf_dispatch(doc, kinds, &s, &d), EINVAL);
	expect(&d, msg);
	cr_assert_eq(d.errors, 1, "%s", d.text);
	conf_diag_reset(&d);
	mem_deref(doc);
}

Test(conf_dispatch, valid)
{
	LEAK_START;
	struct conf_doc *doc = parse_ok("[general]\n[sip]\n[trunk a]\nhost = x\n[trunk b]\nhost = y\n");
	struct conf_diag d;
	struct seen s = { 0 };
	conf_diag_init(&d);
	cr_assert_eq(conf_dispatch(doc, kinds, &s, &d), 0, "%s", d.text);
	cr_assert_eq(s.general, 1);
	cr_assert_eq(s.sip, 1);
	cr_assert_eq(s.trunks, 2);
	conf_diag_reset(&d);
	mem_deref(doc);
	LEAK_CHECK;
}

Test(conf_dispatch, errors)
{
	LEAK_START;
	dispatch_fails("[general]\n[foo]\n",
		       "t.conf:2: [foo] unknown section kind (known: general, sip, trunk)");
	dispatch_fails("[general x]\n[general]\n", "t.conf:1: [general x] takes no name (write [general])");
	dispatch_fails("[general]\n[trunk]\n", "t.conf:2: [trunk] missing name (write [trunk NAME])");
	dispatch_fails("[general]\n\n[general]\n", "t.conf:3: [general] duplicate section (first at t.conf:1)");
	dispatch_fails("[general]\n[trunk a]\nhost = h\n[trunk a]\nhost = i\n",
		       "t.conf:4: [trunk a] duplicate section (first at t.conf:2)");
	dispatch_fails("[sip]\n", "t.conf: missing required section [general]");
	dispatch_fails("[general]\n[trunk a]\n", "t.conf:2: [trunk a] missing required key 'host'");
	/* a handler that fails without a message still yields one */
	dispatch_fails("[general]\n[sip]\nport = 1\n", "t.conf:2: [sip] Permission denied");
	LEAK_CHECK;
}
