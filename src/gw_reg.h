/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gateway's registrations and inbound access control.
 *
 * gw_reg.c: one REGISTER client (sip/register.h) per [trunk] with
 * register = yes, kept across reloads while the trunk's registration
 * settings stay the same, stopped (Expires: 0) at shutdown; its state for
 * strowger-ctl trunks.
 *
 * gw_access.c: which trunk a new SIP request belongs to (sip.h access
 * control): its source in a trunk's allow networks, and/or digest with the
 * trunk's inbound_username/inbound_password.  A request that matches no
 * trunk is refused with 403.  With no [trunk] at all every source is
 * accepted and its calls carry [sip] trunk (the quick start before
 * [trunk] sections existed).
 */
#ifndef STROWGER_GW_REG_H
#define STROWGER_GW_REG_H

#include <stddef.h>

#include "gwconf.h"

struct gw_reg;
struct loop;
struct sip_stack;
struct ctl_out;
struct sip_msg;

/* A mem object; free it before the stack. */
int gw_reg_alloc(struct gw_reg **rp, struct sip_stack *stack, const struct sg_config *cfg);
/* After a reload: start, stop or restart registrations whose trunk changed. */
void gw_reg_update(struct gw_reg *r, const struct sg_config *cfg);
/* Shutdown: remove every binding (Expires: 0). */
void gw_reg_stop(struct gw_reg *r);
/* One line's registration columns for `trunk`: state, until, last status,
 * next attempt (e.g. "registered  3540s  200  -"); "-" columns for a trunk
 * that does not register.  `r` may be NULL (no SIP). */
void gw_reg_describe(const struct gw_reg *r, const char *trunk, char *buf, size_t sz);

/* gw_access.c: install the access check on `stack`; *cfgp is read on every
 * request (the configuration in force, replaced by reloads). */
int gw_access_install(struct sip_stack *stack, const struct sg_config *const *cfgp);
/* The verdict and the password lookup behind it (for tests). */
struct sip_access;
void gw_access_verdict(const struct sg_config *cfg, const struct sockaddr *src,
		       struct sip_access *v);
const char *gw_access_password(const struct sg_config *cfg, const struct sockaddr *src,
			       const char *realm, const char *username, const void **who);
/* The trunk name of an accepted request: its trunk's, or [sip] trunk. */
const char *gw_access_trunk_name(const struct sg_config *cfg, const struct sip_msg *msg);

#endif
