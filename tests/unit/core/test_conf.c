/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of core/conf's reader: valid files and every syntax error, and the
 * diagnostics (value parsers, binding and dispatch: test_conf_bind.c).  Every message is checked with its file:line and key.
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
#include "conf_fx.h"

static const char *data(char *buf, size_t size, const char *file)
{
	const char *top = getenv("top_srcdir");
	snprintf(buf, size, "%s/tests/unit/core/testdata/conf/%s", top && *top ? top : ".", file);
	return buf;
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

/* Errors are logged too: keep them in the capture buffer, not on stderr. */

TestSuite(conf_doc, .init = quiet, .fini = loud);
TestSuite(conf_syntax, .init = quiet, .fini = loud);
TestSuite(conf_diag, .init = quiet, .fini = loud);

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
