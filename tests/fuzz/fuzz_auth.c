/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: SIP digest challenge and credential parsers, and formatting
 * what they accept (which must then parse back to the same values). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *h = (const char *)data; /* no NUL: the parsers bound by size */
	struct sip_auth_chal ch, ch2;
	struct sip_auth_cred cr, cr2;
	char buf[2048];
	if (sip_auth_chal_parse(h, size, &ch) == 0 &&
	    sip_auth_chal_format(buf, sizeof(buf), &ch) == 0) {
		if (sip_auth_chal_parse(buf, strlen(buf), &ch2) != 0 ||
		    strcmp(ch.nonce, ch2.nonce) || strcmp(ch.realm, ch2.realm))
			abort();
	}
	if (sip_auth_cred_parse(h, size, &cr) == 0 &&
	    sip_auth_cred_format(buf, sizeof(buf), &cr) == 0) {
		if (sip_auth_cred_parse(buf, strlen(buf), &cr2) != 0 ||
		    strcmp(cr.response, cr2.response) || strcmp(cr.uri, cr2.uri))
			abort();
	}
	return 0;
}
