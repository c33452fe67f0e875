/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/sip/sdp*.c: the attributes sdp_ext.c reads for sdp.c. */
#ifndef STROWGER_SIP_SDP_INT_H
#define STROWGER_SIP_SDP_INT_H

#include <stdbool.h>

#include "sip/sdp.h"

/* An a= line of media `m` (value NULL for a flag): true if it was
 * a=crypto or a T.38 attribute (taken, or its error noted in m->bad). */
bool sip_sdp_ext_attr(struct sip_sdp_media *m, const char *field, const char *value);
/* After all of m's lines: T.38 presence, and a secure profile without a
 * usable key made unusable (m->bad). */
void sip_sdp_ext_finish(struct sip_sdp_media *m);

#endif
