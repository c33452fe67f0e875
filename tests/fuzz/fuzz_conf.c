/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the configuration reader: any bytes, as a file's
 * text.  Includes point into a directory that does not exist, so they fail
 * cleanly instead of reading the machine's files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct conf_diag diag;
	struct conf_doc *doc = NULL;
	size_t live = mem_live();

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* Errors are logged: keep them off stderr (restarting drops old lines). */
	log_capture_start();
	conf_diag_init(&diag);
	int err = conf_doc_parse(&doc, "fuzz.conf", text, "/nonexistent/strowger-fuzz", &diag);
	/* The contract: a doc exactly when there was no error. */
	if ((err == 0) != (doc != NULL) || (err == 0 && diag.errors) || (err && !diag.errors))
		abort();
	for (unsigned i = 0; doc && i < doc->n_sections; i++) {
		const struct conf_section *sec = &doc->sections[i];
		if (conf_doc_find(doc, sec->kind, sec->name) == NULL)
			abort();
	}
	mem_deref(doc);
	conf_diag_reset(&diag);
	free(text);
	if (mem_live() != live)
		abort(); /* leaked a mem object */
	return 0;
}
