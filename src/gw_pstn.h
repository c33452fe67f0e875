/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway's PSTN side: the TDM driver on real DAHDI or on the
 * simulation, one ISDN controller per [span], the span groups dial plans
 * route to, and simulated PBXs facing spans when configured.
 */
#ifndef STROWGER_GW_PSTN_H
#define STROWGER_GW_PSTN_H

#include "call/leg_isdn.h"
#include "gwconf.h"

struct gw_pstn;
struct ctl_out;
struct loop;
struct tdm;

/* Bring up what `cfg` describes; incoming calls run in `env`.  Errors are
 * logged; a mem object. */
int gw_pstn_alloc(struct gw_pstn **pp, struct loop *loop, const struct sg_config *cfg,
		  const struct call_env *env);
struct leg_isdn_group *gw_pstn_group(struct gw_pstn *p, const char *name);
struct tdm *gw_pstn_tdm(const struct gw_pstn *p);
/* The law of the spans' B-channels (A-law unless every span is T1). */
bool gw_pstn_alaw(const struct gw_pstn *p);
/* New calls refused (42) while false: graceful shutdown.  Callers still
 * dialling (overlap receiving) are cleared with 42 at once. */
void gw_pstn_accepting(struct gw_pstn *p, bool on);
/* "spans" for strowger-ctl: each span, its group, D-channel and calls. */
int gw_pstn_show(const struct gw_pstn *p, struct ctl_out *out);
/* "channels" for strowger-ctl: every B-channel of span `span` (0: of every
 * span): its DAHDI channel, its state (idle, busy, maint: out of service,
 * alarm or down: its span's), the Q.931 state and direction of the call on
 * it, and the id of the gateway call using it (as "calls" shows it; "-"
 * for a caller still dialling, whose call is not made yet).  ENOENT: no
 * such span. */
int gw_pstn_channels(const struct gw_pstn *p, unsigned span, struct ctl_out *out);
/* Make simulated PBX `name` call `number` from `from` (NULL: none); once
 * answered it echoes what it hears, and hangs up (16) ten seconds later.  ENOENT: no such PBX; EBUSY:
 * it has calls of an earlier `call` in progress.  Errors go to `why`. */
int gw_pstn_pbx_call(struct gw_pstn *p, const char *name, const char *number,
		     const char *from, char *why, size_t whylen);
/* "counters" for strowger-ctl: each span's D-channel up and down
 * transitions, as `span.N.dchan_up COUNT` lines. */
int gw_pstn_counters(const struct gw_pstn *p, struct ctl_out *out);
/* Inject fault `what` (gw_pstn_fault_names(); `n` the count of those that
 * take one, else NULL) on sim span `span` (the sim's numbering, which is the
 * gateway's for its own spans).  ENOTSUP without [sim], ENOENT for no such
 * span, EINVAL for a bad fault or count; the reason goes to `why`. */
int gw_pstn_fault(struct gw_pstn *p, unsigned span, const char *what, const char *n,
		  char *why, size_t whylen);
const char *gw_pstn_fault_names(void);
/* Simulated PBX `name`, or NULL (tests read its event log). */
struct isdn_simsw;
struct isdn_simsw *gw_pstn_pbx(const struct gw_pstn *p, const char *name);
/* The global DAHDI channel of B-channel `chan` on span `span`, or 0. */
unsigned gw_pstn_channo(const struct gw_pstn *p, unsigned span, int chan);

#endif
