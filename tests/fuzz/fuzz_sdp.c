/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: an SDP offer through libosip2's parser, our reading of
 * it and the RFC 3264 answer.  The answer must never hold a payload type
 * the offer did not, nor accept a stream whose a=crypto or T.38 attributes
 * made it unusable (sdp_ext.c); every string read is terminated in place.
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

/* What sdp_ext.c read is within its bounds. */
static void check_ext(const struct sip_sdp *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct sip_sdp_media *m = &s->m[i];
		if (m->n_crypto > SDP_MAX_CRYPTO || strnlen(m->bad, sizeof(m->bad)) == sizeof(m->bad))
			abort();
		for (unsigned k = 0; k < m->n_crypto; k++) {
			const struct sip_sdp_crypto *c = &m->crypto[k];
			if (c->tag > 999999999 || c->mki_len > 128 ||
			    strnlen(c->key, sizeof(c->key)) == sizeof(c->key) ||
			    strnlen(c->suite, sizeof(c->suite)) == sizeof(c->suite) ||
			    strnlen(c->params, sizeof(c->params)) == sizeof(c->params))
				abort();
		}
		if (m->t38.version > 3 || (m->t38.max_bitrate && m->t38.max_bitrate % 2400))
			abort();
	}
}

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
	if (!sip_sdp_parse(&offer, buf))
		check_ext(&offer);
	if (!sip_sdp_parse(&offer, buf) && !sip_sdp_answer(&offer, &caps, out, sizeof(out), &res)) {
		for (unsigned i = 0; i < res.n; i++)
			if (res.m[i].port && offer.m[i].bad[0])
				abort(); /* accepted a malformed stream */
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
