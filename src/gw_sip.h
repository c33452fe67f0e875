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
/* The port it listens on for `proto` (the one chosen for port = 0), or 0. */
uint16_t gw_sip_port(const struct gw_sip *s, enum sip_proto proto);
/* Registrations, for strowger-ctl trunks (gw_reg.h). */
struct gw_reg;
const struct gw_reg *gw_sip_reg(const struct gw_sip *s);
/* New INVITEs refused (503) while false: graceful shutdown; registrations
 * are removed. */
void gw_sip_accepting(struct gw_sip *s, bool on);
/* Where SIP legs find trunks: targets for `route trunk` and admission of
 * incoming calls under the trunk's limits (gw_trunk.h). */
void gw_sip_set_trunks(struct gw_sip *s, leg_sip_trunk_h *target, leg_sip_admit_h *admit,
		       void *arg);
/* Count the calls' RTP streams into `t` (a reference is kept), for
 * `strowger-ctl counters`; before the first call. */
void gw_sip_set_media_totals(struct gw_sip *s, struct media_totals *t);

#endif
