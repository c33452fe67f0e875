/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: core/log (levels, categories, capture, sanitising). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sg_test.h"

static void setup(void)
{
	sg_test_begin();
	log_set_level_all(LL_NOTICE);
	log_capture_start();
}

static void teardown(void)
{
	log_capture_stop();
	log_set_level_all(LL_NOTICE);
	sg_test_end();
}

TestSuite(log, .init = setup, .fini = teardown);

Test(log, line_format_names_level_category_and_object)
{
	LOGN(LC_ISDN, "isdn s1c7{PROCEEDING}", "CONNECT from network");
	cr_assert_str_eq(log_capture_text(),
			 "notice isdn   isdn s1c7{PROCEEDING}: CONNECT from network\n");
}

Test(log, object_is_optional)
{
	LOGE(LC_CORE, NULL, "started %d", 3);
	cr_assert_str_eq(log_capture_text(), "error  core   started 3\n");
}

Test(log, level_per_category_filters)
{
	log_set_level(LC_SIP, LL_DEBUG);
	LOGD(LC_SIP, NULL, "sip detail");
	LOGD(LC_ISDN, NULL, "isdn detail");
	LOGI(LC_ISDN, NULL, "isdn info");
	cr_assert(log_capture_has("sip detail"));
	cr_assert_not(log_capture_has("isdn detail"));
	cr_assert_not(log_capture_has("isdn info"));
	cr_assert_eq(log_get_level(LC_SIP), LL_DEBUG);
	cr_assert_eq(log_get_level(LC_ISDN), LL_NOTICE);
}

static int formatted;
static const char *count_format(void)
{
	formatted++;
	return "x";
}

Test(log, disabled_level_skips_formatting)
{
	formatted = 0;
	LOGD(LC_CALL, NULL, "%s", count_format());
	cr_assert_eq(formatted, 0);
	LOGN(LC_CALL, NULL, "%s", count_format());
	cr_assert_eq(formatted, 1);
}

Test(log, control_characters_never_split_a_line)
{
	LOGN(LC_SIP, NULL, "From: evil\r\nInjected: yes\x1b[2J");
	const char *t = log_capture_text();
	cr_assert_eq(strchr(t, '\n'), t + strlen(t) - 1, "exactly one line: %s", t);
	cr_assert(log_capture_has("From: evil..Injected: yes.[2J"));
}

Test(log, overlong_lines_are_truncated_not_overflowed)
{
	char big[5000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	LOGN(LC_SIP, NULL, "%s", big);
	size_t n = strlen(log_capture_text());
	cr_assert(n > 900 && n <= 1024, "length %zu", n);
}

Test(log, names_parse_both_ways)
{
	for (int c = 0; c < LC__COUNT; c++)
		cr_assert_eq(log_cat_parse(log_cat_name((enum log_cat)c)), c);
	for (int l = 0; l < LL__COUNT; l++)
		cr_assert_eq(log_level_parse(log_level_name((enum log_level)l)), l);
	cr_assert_eq(log_level_parse("verbose"), -1);
	cr_assert_eq(log_cat_parse("sipp"), -1);
	cr_assert_eq(log_level_parse(NULL), -1);
}

Test(log, clear_and_has)
{
	LOGN(LC_CTL, NULL, "one");
	cr_assert(log_capture_has("one"));
	log_capture_clear();
	cr_assert_str_eq(log_capture_text(), "");
	cr_assert_not(log_capture_has("one"));
}

/* No fixture: each test runs in a fresh process, so this sees the initial
 * table; a category missing from it would start at error (0). */
Test(log_init, every_category_starts_at_notice)
{
	for (int c = 0; c < LC__COUNT; c++)
		cr_assert_eq(log_get_level((enum log_cat)c), LL_NOTICE, "%s",
			     log_cat_name((enum log_cat)c));
}
