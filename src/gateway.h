/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway: what the daemon runs on its signalling loop.  It owns the
 * configuration in force, the control socket and the CDR store, and (as the
 * PSTN, SIP and call layers arrive) the spans, the SIP stack and the calls.
 */
#ifndef STROWGER_GATEWAY_H
#define STROWGER_GATEWAY_H

#include "gwconf.h"

struct ctl;
struct gateway;
struct loop;

/* Start everything `cfg` describes on `loop` (takes a reference to cfg).
 * A mem object: freeing it stops everything. */
int gateway_alloc(struct gateway **gwp, struct loop *loop, struct sg_config *cfg);
/* Re-read the configuration file; a file with errors changes nothing (the
 * errors are logged).  Returns 0 or the load error. */
int gateway_reload(struct gateway *gw);
/* Stop taking new calls and stop the loop once no call is left. */
void gateway_shutdown(struct gateway *gw);

/* Its parts, for tests that run a gateway on their own (virtual-time) loop
 * and play its far ends (tests/unit/gw): NULL when not configured. */
struct gw_pstn *gateway_pstn(const struct gateway *gw);
struct gw_sip *gateway_sip(const struct gateway *gw);
/* Its control socket, for ctl_run() (strowger-ctl's commands in-process). */
struct ctl *gateway_ctl(const struct gateway *gw);

#endif
