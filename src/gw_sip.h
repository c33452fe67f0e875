/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway's SIP side: the SIP stack from [sip], its listeners, and the
 * environment SIP legs run in (incoming INVITEs become calls; session events
 * go to their legs).
 */
#ifndef STROWGER_GW_SIP_H
#define STROWGER_GW_SIP_H

#include <stdbool.h>

#include "call/leg_sip.h"
#include "gwconf.h"

struct gw_sip;

/* A mem object.  `calls` is the environment of incoming calls; `alaw` the
 * law of the B-channels the streams meet. */
int gw_sip_alloc(struct gw_sip **sp, struct loop *loop, const struct sg_config *cfg,
		 const struct call_env *calls, bool alaw);
const struct leg_sip_env *gw_sip_env(const struct gw_sip *s);
/* The stack, for its statistics (strowger-ctl counters). */
const struct sip_stack *gw_sip_stack(const struct gw_sip *s);
/* After a reload: the cause table SIP legs quote in Reason headers. */
void gw_sip_update(struct gw_sip *s, const struct sg_config *cfg);
/* Registrations, for strowger-ctl trunks (gw_reg.h). */
struct gw_reg;
const struct gw_reg *gw_sip_reg(const struct gw_sip *s);
/* New INVITEs refused (503) while false: graceful shutdown; registrations
 * are removed. */
void gw_sip_accepting(struct gw_sip *s, bool on);

#endif
