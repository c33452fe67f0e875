/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway's SIP trunks at run time: where calls to a [trunk NAME] go,
 * the trunk's limits (call/limit.h) and its counts, and `strowger-ctl
 * trunks`.  The configuration (gwconf_trunk.c) says what a trunk is; this
 * keeps what it is doing, across reloads.
 */
#ifndef STROWGER_GW_TRUNK_H
#define STROWGER_GW_TRUNK_H

#include <stdbool.h>

#include "call/leg_sip.h"
#include "gwconf.h"

struct ctl_out;
struct gw_trunks;
struct loop;

/* The trunks of `cfg`; a mem object. */
int gw_trunks_alloc(struct gw_trunks **tp, struct loop *loop, const struct sg_config *cfg);
/* After a reload: trunks by the same name keep their calls and counts and
 * take the new settings; new ones start at zero; removed ones are dropped
 * (calls still on them keep their limit until they end). */
int gw_trunks_update(struct gw_trunks *t, const struct sg_config *cfg);

/* leg_sip_trunk_h: the network target of trunk `name` (arg: the trunks).
 * ENOENT: no such trunk or no host; EHOSTUNREACH: not reachable yet (a
 * host name: see gw_trunk.c); ENOTSUP: a transport we do not have. */
int gw_trunk_target(void *arg, const char *name, struct leg_sip_target *out);
/* leg_sip_admit_h for incoming calls over `name`; a name that is no
 * [trunk] has no limits. */
int gw_trunk_admit_in(void *arg, const char *name, struct call_leg *leg, unsigned *retry_after);
/* An outgoing leg to trunk `name`: 0, or EBUSY when the trunk is at one of
 * its limits (the call then tries its next destination, as for Q.850 34). */
int gw_trunk_admit_out(struct gw_trunks *t, const char *name, struct call_leg *leg);
/* A call left trunk `name` for its next destination. */
void gw_trunk_failover(struct gw_trunks *t, const char *name);

/* strowger-ctl trunks: a table; counters: `trunk.NAME.KEY VALUE` lines. */
/* strowger-ctl trunks: destination, limits, calls, refusals, failovers and
 * the registration columns of `reg` (gw_reg_describe; NULL: no SIP). */
struct gw_reg;
int gw_trunks_show(const struct gw_trunks *t, const struct gw_reg *reg, struct ctl_out *out);
int gw_trunks_counters(const struct gw_trunks *t, struct ctl_out *out);

#endif
