/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: an SDP offer through libosip2's parser, our reading of
 * it and the RFC 3264 answer.  The answer must never hold a payload type
 * the offer did not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <osipparser2/osip_parser.h>

#include "sip/msg.h"
#include "sip/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	static const struct sip_sdp_caps caps = {
	    .addr = "192.0.2.10",
	    .port = 30000,
	    .ptime = 20,
	    .dtmf_pt = 101,
	    .dir = SIP_SDP_SENDRECV,
	    .session_id = 1,
	    .version = 1,
	};
	struct sip_sdp offer, res;
	char out[4096], *buf;

	if (!init++)
		sip_osip_init();
	if (size > 16384)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	if (!sip_sdp_parse(&offer, buf) && !sip_sdp_answer(&offer, &caps, out, sizeof(out), &res)) {
		for (unsigned i = 0; i < res.n; i++)
			for (unsigned j = 0; j < res.m[i].n_fmt; j++) {
				unsigned f, ok = 0;

				for (f = 0; f < offer.m[i].n_fmt; f++)
					ok |= offer.m[i].fmt[f].pt == res.m[i].fmt[j].pt;
				if (!ok)
					abort(); /* answered what was not offered */
			}
	}
	free(buf);
	return 0;
}
