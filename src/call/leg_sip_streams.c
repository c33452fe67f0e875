/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SIP leg's media: which offered streams the media layer can carry,
 * decided on the parsed offer (sip/sdp.h: a=crypto keys, T.38 parameters)
 * before the answer is made.  Today a stream (media/media.h) is G.711 over
 * plain RTP: SRTP (RFC 3711, keyed by RFC 4568 SDES) and T.38 fax over
 * UDPTL are not in the media layer yet, so such streams are rejected with
 * port 0 (RFC 3264 §6), each with its reason in the log; an offer with
 * nothing else gets 488.  When the media layer grows them, this is the one
 * place that says yes, with the keys and fax parameters in hand.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "call/leg_sip_int.h"
#include "core/log.h"

static const char *rate_mgmt(enum sip_t38_rate r)
{
	return r == SIP_T38_LOCAL_TCF ? "localTCF" : r == SIP_T38_TRANSFERRED_TCF ? "transferredTCF"
										  : "-";
}

int leg_sip_stream_can(const struct sip_sdp_media *m, char *why, size_t sz)
{
	bool savp = !strcmp(m->proto, "RTP/SAVP") || !strcmp(m->proto, "RTP/SAVPF");
	if (m->bad[0]) {
		snprintf(why, sz, "%s", m->bad);
		return EINVAL;
	}
	if (!strcmp(m->type, "audio") && !strcmp(m->proto, "RTP/AVP"))
		return 0;
	if (!strcmp(m->type, "audio") && savp && m->n_crypto) {
		snprintf(why, sz, "SRTP (%s, tag %u, %u key line%s) is not in the media layer yet",
			 m->crypto[0].suite, m->crypto[0].tag, m->n_crypto,
			 m->n_crypto == 1 ? "" : "s");
		return ENOTSUP;
	}
	if (m->t38.present) {
		snprintf(why, sz,
			 "T.38 fax (version %u, %u bit/s, %s) is not in the media layer yet",
			 m->t38.version, m->t38.max_bitrate, rate_mgmt(m->t38.rate_mgmt));
		return ENOTSUP;
	}
	snprintf(why, sz, "%s %s is not carried", m->type, m->proto);
	return ENOTSUP;
}

void leg_sip_streams_vet(struct leg_sip *l, struct sip_sdp *offer)
{
	char why[160];
	for (unsigned i = 0; i < offer->n; i++) {
		struct sip_sdp_media *m = &offer->m[i];
		if (!m->port || !leg_sip_stream_can(m, why, sizeof(why)))
			continue;
		LOGN(LC_CALL, l->name, "stream %u (%s %s %s): %s: port 0", i + 1, m->type, m->proto,
		     m->fmt_text, why);
		m->port = 0; /* RFC 3264 §6: rejected, the answer says so */
	}
}
