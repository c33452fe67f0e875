/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the sim's system.conf parser: any bytes must give
 * 0 or EINVAL with messages, never a crash or a leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "sim/sysconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sysconf sc;
	struct conf_diag diag;

	conf_diag_init(&diag);
	(void)sysconf_parse(&sc, "fuzz.conf", (const char *)data, size, &diag);
	conf_diag_reset(&diag);
	return 0;
}
