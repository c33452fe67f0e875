/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the mapping file reader: any bytes, as a dial plan
 * and as a cause table.  Includes point into a directory that does not
 * exist, so they fail cleanly.  A set that loads is also asked to decide a
 * few numbers, explain one and run its vectors, and a Reason header parse
 * is tried on the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "call/cause.h"
#include "call/route.h"
#include "core/log.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct route_set *set)
{
	static const char *const nums[] = {"0", "+442079460123", "999", "12345678901234567890",
					   "*21#"};
	struct route_ctx ctx;
	struct route_result r;
	char *s = NULL;
	unsigned total;

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		route_ctx_init(&ctx);
		route_number_set(&ctx.called, nums[i]);
		route_number_set(&ctx.calling, nums[(i + 1) % 5]);
		ctx.dir = i % 2 ? ROUTE_DIR_TO_SIP : ROUTE_DIR_TO_PSTN;
		route_decide(set, &ctx, &r);
	}
	route_explain(set, &ctx, &r, &s);
	s = mem_deref(s);
	route_vectors_run(set, &s, &total);
	mem_deref(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct route_set *set = NULL;
	struct cause_map *cm = NULL;
	struct route_diag d;
	size_t live = mem_live();
	unsigned c;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	log_capture_start();
	route_diag_init(&d);
	int err = route_set_parse(&set, "fuzz.map", text, "/nonexistent/strowger-fuzz", &d);
	/* The contract: a set exactly when there was no error. */
	if ((err == 0) != (set != NULL) || (err == 0 && d.errors) || (err && !d.errors))
		abort();
	if (set)
		exercise(set);
	mem_deref(set);
	route_diag_reset(&d);
	err = cause_map_parse(&cm, "fuzz.map", text, &d);
	if ((err == 0) != (cm != NULL))
		abort();
	mem_deref(cm);
	route_diag_reset(&d);
	cause_reason_parse((const char *)data, size, &c);
	log_capture_stop();
	free(text);
	if (mem_live() != live)
		abort();
	return 0;
}
