/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: SIP message input as it arrives from the network —
 * stream framing, the raw stateless answer, libosip2's parser, our checks,
 * the transaction keys and a response built from what parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/msg.h"
#include "sip/transport.h"
#include "sip/txn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct sip_reject rej;
	osip_message_t *m, *r;
	char out[4096], *buf, *k;
	size_t mlen;

	if (!init++)
		sip_osip_init();
	if (size > 65536)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	sip_frame(buf, size, 8192, &mlen);
	sip_msg_reject_raw(buf, size, 400, "fuzz", "tag", out, sizeof(out));
	if (!sip_msg_parse(&m, buf, size)) {
		bool ok = sip_msg_check_transport(m, (enum sip_proto)(size % 3), &rej) &&
			  sip_msg_check(m, size, buf, &rej);

		free(sip_txn_key(m, true, NULL));
		free(sip_txn_key(m, false, NULL));
		if (m->sip_method && m->call_id && m->cseq &&
		    !sip_msg_response(&r, m,
				      ok	   ? 200
				      : rej.status ? rej.status
						   : 400,
				      NULL, "t")) {
			sip_reject_apply(&rej, r);
			if (!sip_msg_print(r, &k, &mlen))
				free(k);
			osip_message_free(r);
		}
		osip_message_free(m);
	}
	free(buf);
	return 0;
}
