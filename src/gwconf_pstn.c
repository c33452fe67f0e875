/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PSTN sections of strowger.conf:
 *
 *   [sim]              system_conf = FILE (DAHDI syntax), tick = 1ms,
 *                      stride = 1 (see sim_prm.stride)
 *   [span N]           the ISDN keys of pstn/isdn (switchtype required,
 *                      role, interface, chansel, ...), group = NAME,
 *                      max_calls, max_cps (0: no limit; call/limit.h),
 *                      digitmap = NAME (overlap receiving: the dial plan's
 *                      [digits NAME] that says when a number is complete),
 *                      overlap_sip = en-bloc | rfc3578
 *   [simpbx NAME]      span = N (sim span), cross = N (gateway span),
 *                      script = FILE, zone = de
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/route.h"
#include "gwconf.h"

static const struct conf_key sim_keys[] = {
	{ .name = "system_conf", .type = CONF_STR, .offset = offsetof(struct sg_sim, system_conf),
	  .size = sizeof(((struct sg_sim *)0)->system_conf), .required = true,
	  .help = "the simulated spans and lines, in DAHDI system.conf syntax" },
	{ .name = "tick", .type = CONF_DURATION, .offset = offsetof(struct sg_sim, tick),
	  .dflt = "1ms", .min = (int64_t)(125 * NS_PER_US), .max = (int64_t)(20 * NS_PER_MS),
	  .help = "how often the sim moves audio and frames (a multiple of 125 us)" },
	{ .name = "stride", .type = CONF_UINT, .offset = offsetof(struct sg_sim, stride),
	  .dflt = "1", .min = 1, .max = 160,
	  .help = "ticks between a B-channel's audio transfers, channels staggered (benchmarks)" },
	CONF_KEYS_END,
};

int sg_sim_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct sg_config *cfg = arg;
	cfg->sim.enabled = true;
	int rc = conf_bind(sec, sim_keys, &cfg->sim, diag);
	if (!rc && sg_config_path_resolve(cfg, cfg->sim.system_conf, sizeof(cfg->sim.system_conf)))
		conf_diag_err(diag, sec->file, sec->line, "[sim] system_conf: path too long");
	return rc;
}

/* The section's name is the DAHDI span number. */
static int span_number(const struct conf_section *sec, unsigned *n, struct conf_diag *diag)
{
	char *end;
	unsigned long v = strtoul(sec->name, &end, 10);
	if (*end || v < 1 || v > 1024) {
		conf_diag_err(diag, sec->file, sec->line,
			      "[%s %s]: the name must be a DAHDI span number (1-1024)", sec->kind,
			      sec->name);
		return EINVAL;
	}
	*n = (unsigned)v;
	return 0;
}

/* [span N] takes pstn/isdn's keys (rebased into struct sg_span) plus ours. */
#define SPAN_OWN_KEYS 5 /* group, max_calls, max_cps, digitmap, overlap_sip */
static const char *const overlap_sip_names[] = { "en-bloc", "rfc3578", NULL };
static struct conf_key span_keys[24 + SPAN_OWN_KEYS];

static void span_keys_build(void)
{
	unsigned n = 0;
	for (const struct conf_key *k = isdn_conf_keys; k->name && n < 23; k++, n++) {
		span_keys[n] = *k;
		span_keys[n].offset += offsetof(struct sg_span, isdn);
	}
	span_keys[n++] = (struct conf_key){
		.name = "group", .type = CONF_STR, .offset = offsetof(struct sg_span, group),
		.size = sizeof(((struct sg_span *)0)->group), .required = true,
		.help = "the span group dial plans route to (route group NAME)",
	};
	span_keys[n++] = (struct conf_key){
		.name = "max_calls", .type = CONF_UINT, .offset = offsetof(struct sg_span, max_calls),
		.min = 0, .max = 1000000, .dflt = "0",
		.help = "concurrent calls on the span, both ways (0: no limit)",
	};
	span_keys[n++] = (struct conf_key){
		.name = "max_cps", .type = CONF_UINT, .offset = offsetof(struct sg_span, max_cps),
		.min = 0, .max = 1000000, .dflt = "0",
		.help = "new calls per second on the span, both ways (0: no limit)",
	};
	span_keys[n++] = (struct conf_key){
		.name = "digitmap", .type = CONF_STR, .offset = offsetof(struct sg_span, digitmap),
		.size = sizeof(((struct sg_span *)0)->digitmap),
		.help = "overlap receiving: the dial plan's [digits NAME] saying when a "
			"number is complete (without it: Sending Complete or T302)",
	};
	span_keys[n++] = (struct conf_key){
		.name = "overlap_sip", .type = CONF_ENUM,
		.offset = offsetof(struct sg_span, overlap_sip), .names = overlap_sip_names,
		.dflt = "en-bloc",
		.help = "overlap receiving into SIP: en-bloc (one INVITE when the number is "
			"complete) or rfc3578 (an INVITE at once, a new one per digit after 484)",
	};
	span_keys[n] = (struct conf_key)CONF_KEYS_END;
}

int sg_span_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct sg_config *cfg = arg;
	if (cfg->n_spans == SG_MAX_SPANS) {
		conf_diag_err(diag, sec->file, sec->line, "at most %d [span] sections",
			      SG_MAX_SPANS);
		return EINVAL;
	}
	struct sg_span *sp = &cfg->spans[cfg->n_spans];
	memset(sp, 0, sizeof(*sp));
	isdn_conf_init(&sp->isdn);
	span_keys_build();
	int rc = span_number(sec, &sp->number, diag);
	if (!rc)
		rc = conf_bind(sec, span_keys, sp, diag);
	char why[120];
	if (!rc && isdn_conf_check(&sp->isdn, why, sizeof(why))) {
		conf_diag_err(diag, sec->file, sec->line, "[span %s]: %s", sec->name, why);
		rc = EINVAL;
	}
	snprintf(sp->isdn.name, sizeof(sp->isdn.name), "s%u", sp->number);
	if (!rc)
		cfg->n_spans++;
	return rc;
}

static const struct conf_key pbx_keys[] = {
	{ .name = "span", .type = CONF_UINT, .offset = offsetof(struct sg_simpbx, span),
	  .min = 1, .max = 1024, .required = true, .help = "the sim span the PBX sits on" },
	{ .name = "cross", .type = CONF_UINT, .offset = offsetof(struct sg_simpbx, cross),
	  .min = 1, .max = 1024, .required = true, .help = "the gateway [span] it faces" },
	{ .name = "script", .type = CONF_STR, .offset = offsetof(struct sg_simpbx, script),
	  .size = sizeof(((struct sg_simpbx *)0)->script), .required = true,
	  .help = "its behaviour (pstn/isdn_switch.h), relative to this file" },
	{ .name = "zone", .type = CONF_STR, .offset = offsetof(struct sg_simpbx, zone),
	  .size = sizeof(((struct sg_simpbx *)0)->zone), .dflt = "de",
	  .help = "libtonezone country of its tones" },
	CONF_KEYS_END,
};

int sg_simpbx_handle(const struct conf_section *sec, struct conf_diag *diag, void *arg)
{
	struct sg_config *cfg = arg;
	if (cfg->n_pbx == SG_MAX_SIMPBX) {
		conf_diag_err(diag, sec->file, sec->line, "at most %d [simpbx] sections",
			      SG_MAX_SIMPBX);
		return EINVAL;
	}
	struct sg_simpbx *p = &cfg->pbx[cfg->n_pbx];
	memset(p, 0, sizeof(*p));
	if (strlen(sec->name) >= sizeof(p->name)) {
		conf_diag_err(diag, sec->file, sec->line, "[simpbx %s]: name longer than %zu",
			      sec->name, sizeof(p->name) - 1);
		return EINVAL;
	}
	memcpy(p->name, sec->name, strlen(sec->name) + 1);
	int rc = conf_bind(sec, pbx_keys, p, diag);
	if (!rc && sg_config_path_resolve(cfg, p->script, sizeof(p->script))) {
		conf_diag_err(diag, sec->file, sec->line, "[simpbx %s] script: path too long",
			      sec->name);
		rc = EINVAL;
	}
	if (!rc)
		cfg->n_pbx++;
	return rc;
}

static const struct sg_span *span_find(const struct sg_config *cfg, unsigned number)
{
	for (unsigned i = 0; i < cfg->n_spans; i++)
		if (cfg->spans[i].number == number)
			return &cfg->spans[i];
	return NULL;
}

int sg_pstn_check(struct sg_config *cfg, struct conf_diag *diag)
{
	unsigned errs = diag->errors;
	for (unsigned i = 0; i < cfg->n_pbx; i++) {
		const struct sg_simpbx *p = &cfg->pbx[i];
		if (!cfg->sim.enabled)
			conf_diag_err(diag, cfg->path, 0, "[simpbx %s] needs a [sim] section",
				      p->name);
		if (!span_find(cfg, p->cross))
			conf_diag_err(diag, cfg->path, 0,
				      "[simpbx %s] cross = %u: there is no [span %u]", p->name,
				      p->cross, p->cross);
		if (span_find(cfg, p->span))
			conf_diag_err(diag, cfg->path, 0,
				      "[simpbx %s] span = %u is a gateway span; the PBX needs its own",
				      p->name, p->span);
	}
	return diag->errors > errs ? EINVAL : 0;
}

int sg_pstn_check_maps(const struct sg_config *cfg, struct conf_diag *diag)
{
	unsigned errs = diag->errors;
	for (unsigned i = 0; i < cfg->n_spans; i++) {
		const struct sg_span *sp = &cfg->spans[i];
		enum route_digits res;
		if (sp->overlap_sip == SG_OVERLAP_RFC3578 && !sp->isdn.overlap)
			conf_diag_err(diag, cfg->path, 0,
				      "[span %u] overlap_sip = rfc3578 needs overlap = yes",
				      sp->number);
		if (!sp->digitmap[0])
			continue;
		if (!sp->isdn.overlap)
			conf_diag_err(diag, cfg->path, 0,
				      "[span %u] digitmap = %s needs overlap = yes", sp->number,
				      sp->digitmap);
		else if (!cfg->routes ||
			 route_digits_check(cfg->routes, sp->digitmap, "", &res) == ENOENT)
			conf_diag_err(diag, cfg->path, 0,
				      "[span %u] digitmap = %s: the dial plan has no [digits %s]",
				      sp->number, sp->digitmap, sp->digitmap);
	}
	return diag->errors > errs ? EINVAL : 0;
}
