/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What test_conf.c and test_conf_bind.c share: leak checks, message checks,
 * parsing that must succeed, and quiet logs. */
#ifndef STROWGER_TESTS_CONF_FX_H
#define STROWGER_TESTS_CONF_FX_H

#include <criterion/criterion.h>
#include <string.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"

/* Each test frees everything it made. */
#define LEAK_START size_t live0_ = mem_live()
#define LEAK_CHECK cr_assert_eq(mem_live(), live0_, "mem objects leaked: %zu", mem_live() - live0_)

static inline void expect(const struct conf_diag *d, const char *needle)
{
	cr_assert(conf_diag_has(d, needle), "no message containing\n  %s\nin:\n%s", needle,
		  d->text ? d->text : "(none)");
}

static inline struct conf_doc *parse_ok(const char *text)
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

static inline const char *value(const struct conf_doc *doc, const char *kind, const char *name,
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

static inline void quiet(void)
{
	log_capture_start();
}

static inline void loud(void)
{
	log_capture_stop();
}

#endif
