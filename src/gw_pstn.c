/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gateway's PSTN side; see gw_pstn.h. */
#include "gw_pstn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/limit.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"
#include "ctl/ctl.h"
#include "drivers/dahdi/sys.h"
#include "drivers/tdm.h"
#include "pstn/isdn_switch.h"
#include "sim/sim.h"

#define MAX_GROUPS 64

struct gw_span {
	struct leg_isdn_span ls;      /* what the ISDN leg sees */
	struct isdn_tdm *it;
	enum isdn_iface iface;
	unsigned chan_base;           /* global DAHDI channel of timeslot 1 */
	uint64_t dchan_ups, dchan_downs; /* Q.921 link transitions (counters) */
};

struct gw_pbx {
	char name[16];
	struct isdn_tdm *it;          /* the sim span it sits on */
	struct isdn_simsw *sw;
	char *script;                 /* its text: a placed call keeps its rules */
};

struct gw_pstn {
	struct sim *sim;
	struct tdm *tdm;
	struct gw_span span[SG_MAX_SPANS];
	unsigned n_spans;
	struct leg_isdn_group group[MAX_GROUPS];
	unsigned n_groups;
	struct gw_pbx pbx[SG_MAX_SIMPBX];
	unsigned n_pbx;
};

static void pstn_destroy(void *data)
{
	struct gw_pstn *p = data;
	/* Controllers before their spans; PBXs bound (not owned) to theirs. */
	for (unsigned i = 0; i < p->n_pbx; i++) {
		p->pbx[i].sw = mem_deref(p->pbx[i].sw);
		p->pbx[i].it = mem_deref(p->pbx[i].it);
		free(p->pbx[i].script);
	}
	for (unsigned i = 0; i < p->n_spans; i++) {
		leg_isdn_span_drop(&p->span[i].ls, 0);
		p->span[i].it = mem_deref(p->span[i].it);
		p->span[i].ls.limit = mem_deref(p->span[i].ls.limit);
	}
	mem_deref(p->tdm);
	mem_deref(p->sim);
}

/* Timeslot 1's channel: the D-channel sits at timeslot 16 (E1), 24 (T1)
 * or 3 (BRI: B1 B2 D) of a span laid out as DAHDI numbers it. */
static unsigned chan_base(struct gw_span *s)
{
	unsigned d = tdm_span_dchan(isdn_tdm_span(s->it));
	unsigned pos = s->iface == ISDN_PRI_E1 ? 16 : s->iface == ISDN_PRI_T1 ? 24 : 3;
	return d >= pos ? d - pos + 1 : 0;
}

static struct leg_isdn_group *group_get(struct gw_pstn *p, const char *name)
{
	struct leg_isdn_group *g = gw_pstn_group(p, name);
	if (g || p->n_groups == MAX_GROUPS)
		return g;
	g = &p->group[p->n_groups++];
	snprintf(g->name, sizeof(g->name), "%s", name);
	return g;
}

/* The ISDN leg's link handler, counted on the way: `arg` is the span's
 * leg_isdn_span, the first member of its gw_span. */
static void span_link(struct isdn_ctrl *ctrl, bool up, void *arg)
{
	struct gw_span *s = arg;
	if (up)
		s->dchan_ups++;
	else
		s->dchan_downs++;
	leg_isdn_handlers.link(ctrl, up, arg);
}

static int span_start(struct gw_pstn *p, const struct sg_span *c, const struct call_env *env)
{
	struct gw_span *s = &p->span[p->n_spans];
	*s = (struct gw_span){ .iface = c->isdn.iface };
	s->ls = (struct leg_isdn_span){ .env = env, .number = c->number, .accepting = true };
	snprintf(s->ls.group, sizeof(s->ls.group), "%s", c->group);
	s->ls.overlap = c->isdn.overlap;
	s->ls.rfc3578 = c->overlap_sip == SG_OVERLAP_RFC3578;
	list_init(&s->ls.collecting);
	snprintf(s->ls.digitmap, sizeof(s->ls.digitmap), "%s", c->digitmap);
	struct isdn_handlers h = leg_isdn_handlers; /* the controller keeps a copy */
	h.link = span_link;
	int rc = call_limit_alloc(&s->ls.limit);
	if (rc)
		return rc;
	call_limit_set(s->ls.limit, c->max_calls, c->max_cps);
	rc = isdn_tdm_open(&s->it, p->tdm, c->number, &c->isdn, &h, &s->ls);
	if (rc) {
		LOGE(LC_ISDN, NULL, "span %u: %s", c->number, strerror(rc));
		s->ls.limit = mem_deref(s->ls.limit);
		return rc;
	}
	s->ls.ctrl = isdn_tdm_ctrl(s->it);
	s->chan_base = chan_base(s);
	struct leg_isdn_group *g = group_get(p, c->group);
	if (g && g->n < LEG_ISDN_GROUP_SPANS)
		g->span[g->n++] = &s->ls;
	p->n_spans++;
	LOGN(LC_ISDN, isdn_ctrl_name(s->ls.ctrl), "span %u (%s, %s, %s) in group %s",
	     c->number, isdn_switch_name(c->isdn.sw), isdn_role_name(c->isdn.role),
	     isdn_iface_name(c->isdn.iface), c->group);
	return 0;
}

/* The whole script, kept so that a call placed later (gw_pstn_pbx_call)
 * can be added without losing the PBX's rules.  64 KiB at most. */
static int script_read(const char *path, char **text)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return errno;
	char *buf = calloc(1, 65537);
	size_t n = buf ? fread(buf, 1, 65536, f) : 0;
	int rc = !buf ? ENOMEM : ferror(f) ? EIO : !feof(f) ? EFBIG : 0;
	fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*text = buf;
	return 0;
}

/* A simulated PBX: cross its sim span with the gateway's, run the opposite
 * role with the same switch type, and load its script. */
static int pbx_start(struct gw_pstn *p, const struct sg_config *cfg, const struct sg_simpbx *c)
{
	const struct sg_span *gs = NULL;
	for (unsigned i = 0; i < cfg->n_spans; i++)
		if (cfg->spans[i].number == c->cross)
			gs = &cfg->spans[i];
	struct gw_pbx *x = &p->pbx[p->n_pbx];
	struct isdn_conf conf = gs->isdn;
	conf.role = gs->isdn.role == ISDN_ROLE_CPE ? ISDN_ROLE_NETWORK : ISDN_ROLE_CPE;
	memcpy(conf.name, c->name, sizeof(conf.name)); /* both 16 bytes */
	char err[200] = "";
	int rc = sim_span_cross(sim_span_find(p->sim, c->span), sim_span_find(p->sim, c->cross));
	if (!rc)
		rc = isdn_tdm_open_raw(&x->it, p->tdm, c->span);
	if (!rc)
		rc = isdn_simsw_alloc(&x->sw, tdm_loop(p->tdm), &conf, &isdn_tdm_ops, x->it);
	if (!rc)
		isdn_tdm_bind(x->it, isdn_simsw_ctrl(x->sw));
	unsigned base = chan_base(&(struct gw_span){ .it = x->it, .iface = conf.iface });
	if (!rc)
		rc = isdn_simsw_media(x->sw, p->tdm, base, c->zone);
	if (!rc)
		rc = script_read(c->script, &x->script);
	if (!rc)
		rc = isdn_simsw_load(x->sw, c->script, x->script, err, sizeof(err));
	memcpy(x->name, c->name, sizeof(x->name));
	p->n_pbx += x->it != NULL;
	if (rc)
		LOGE(LC_SIM, c->name, "simulated PBX on span %u: %s", c->span,
		     err[0] ? err : strerror(rc));
	else
		LOGN(LC_SIM, c->name, "simulated PBX on sim span %u facing span %u, script %s",
		     c->span, c->cross, c->script);
	return rc;
}

static int backend_start(struct gw_pstn *p, struct loop *loop, const struct sg_config *cfg)
{
	if (!cfg->sim.enabled)
		return tdm_alloc(&p->tdm, loop, tdm_sys_os());
	struct conf_diag diag;
	conf_diag_init(&diag);
	struct sim_prm prm = { .path = cfg->sim.system_conf, .tick = cfg->sim.tick,
				.stride = cfg->sim.stride };
	int rc = sim_alloc(&p->sim, loop, &prm, &diag);
	for (const char *t = diag.text; t && *t;) {
		size_t n = strcspn(t, "\n");
		LOGE(LC_SIM, NULL, "%.*s", (int)n, t);
		t += n + (t[n] == '\n');
	}
	conf_diag_reset(&diag);
	if (!rc)
		rc = tdm_alloc(&p->tdm, loop, sim_sys(p->sim));
	return rc;
}

int gw_pstn_alloc(struct gw_pstn **pp, struct loop *loop, const struct sg_config *cfg,
		  const struct call_env *env)
{
	struct gw_pstn *p = mem_zalloc(sizeof(*p), pstn_destroy);
	if (!p)
		return ENOMEM;
	int rc = backend_start(p, loop, cfg);
	for (unsigned i = 0; !rc && i < cfg->n_spans; i++)
		rc = span_start(p, &cfg->spans[i], env);
	for (unsigned i = 0; !rc && i < cfg->n_pbx; i++)
		rc = pbx_start(p, cfg, &cfg->pbx[i]);
	if (rc) {
		mem_deref(p);
		return rc;
	}
	*pp = p;
	return 0;
}

struct leg_isdn_group *gw_pstn_group(struct gw_pstn *p, const char *name)
{
	for (unsigned i = 0; i < p->n_groups; i++)
		if (!strcmp(p->group[i].name, name))
			return &p->group[i];
	return NULL;
}

struct tdm *gw_pstn_tdm(const struct gw_pstn *p)
{
	return p->tdm;
}

bool gw_pstn_alaw(const struct gw_pstn *p)
{
	for (unsigned i = 0; i < p->n_spans; i++)
		if (p->span[i].iface != ISDN_PRI_T1)
			return true;
	return p->n_spans == 0;
}

void gw_pstn_accepting(struct gw_pstn *p, bool on)
{
	for (unsigned i = 0; i < p->n_spans; i++) {
		p->span[i].ls.accepting = on;
		/* Q.850 42: callers still dialling would never get a call. */
		if (!on)
			leg_isdn_span_drop(&p->span[i].ls, 42);
	}
}

int gw_pstn_pbx_call(struct gw_pstn *p, const char *name, const char *number,
		     const char *from, char *why, size_t whylen)
{
	struct gw_pbx *x = NULL;
	for (unsigned i = 0; i < p->n_pbx; i++)
		if (!strcmp(p->pbx[i].name, name))
			x = &p->pbx[i];
	if (!x) {
		snprintf(why, whylen, "no simulated PBX '%s'", name);
		return ENOENT;
	}
	/* Its own rules, then the call: one script, parsed as a whole.  The
	 * PBX echoes what it hears once answered, so a phone's audio comes
	 * back to it (tests/interop/sip_baresip.sh checks it). */
	size_t len = strlen(x->script) + 200;
	char *text = malloc(len);
	if (!text)
		return ENOMEM;
	snprintf(text, len, "%s\ncall %s%s%s then echo wait 10s hangup 16\n", x->script, number,
		 from ? " from " : "", from ? from : "");
	int rc = isdn_simsw_load(x->sw, "strowger-ctl simcall", text, why, whylen);
	free(text);
	if (rc == EBUSY)
		snprintf(why, whylen, "'%s' is still in a call it placed", name);
	return rc;
}

unsigned gw_pstn_channo(const struct gw_pstn *p, unsigned span, int chan)
{
	for (unsigned i = 0; i < p->n_spans; i++)
		if (p->span[i].ls.number == span && chan > 0 && p->span[i].chan_base)
			return p->span[i].chan_base + (unsigned)chan - 1;
	return 0;
}

int gw_pstn_show(const struct gw_pstn *p, struct ctl_out *out)
{
	ctl_printf(out, "%-5s %-12s %-10s %-8s %-5s %s\n", "span", "group", "D-channel", "alarms",
		   "calls", "name");
	for (unsigned i = 0; i < p->n_spans; i++) {
		const struct gw_span *s = &p->span[i];
		struct tdm_span_status st = { 0 };
		char alarms[40];
		tdm_span_status(isdn_tdm_span(s->it), &st);
		ctl_printf(out, "%-5u %-12s %-10s %-8s %-5u %s\n", s->ls.number, s->ls.group,
			   isdn_ctrl_is_up(s->ls.ctrl) ? "up" : "down",
			   tdm_alarm_str(st.alarms, alarms, sizeof(alarms)),
			   isdn_ctrl_ncalls(s->ls.ctrl), isdn_ctrl_name(s->ls.ctrl));
	}
	return 0;
}

/* --- strowger-ctl channels ------------------------------------------------ */

/* Which call uses each B-channel: found from the calls' ISDN legs (the
 * controller's calls know their leg, not the call). */
struct chan_map {
	const struct gw_pstn *p;
	unsigned (*id)[ISDN_MAX_CHAN + 1]; /* per span index, per channel; 0: none */
};

static void chan_map_leg(struct chan_map *m, const struct call_leg *leg, unsigned id)
{
	unsigned span;
	int chan;
	if (!leg_isdn_where(leg, &span, &chan) || chan <= 0 || chan > ISDN_MAX_CHAN)
		return;
	for (unsigned i = 0; i < m->p->n_spans; i++)
		if (m->p->span[i].ls.number == span)
			m->id[i][chan] = id;
}

static void chan_map_call(const struct call *call, void *arg)
{
	chan_map_leg(arg, call_leg_in(call), call_id(call));
	chan_map_leg(arg, call_leg_out(call), call_id(call));
}

/* What a channel can do now: the span's state first (an alarm or a
 * D-channel that is down takes every channel with it), then its own. */
static const char *chan_state(const struct gw_span *s, bool alarm, int c)
{
	if (alarm)
		return "alarm";
	if (!isdn_ctrl_is_up(s->ls.ctrl))
		return "down";
	if (isdn_ctrl_chan_oos(s->ls.ctrl, c))
		return "maint";
	return isdn_ctrl_chan_call(s->ls.ctrl, c) ? "busy" : "idle";
}

static void chan_show_span(const struct gw_pstn *p, unsigned i, const struct chan_map *m,
			   struct ctl_out *out)
{
	const struct gw_span *s = &p->span[i];
	struct tdm_span_status st = { 0 };
	tdm_span_status(isdn_tdm_span(s->it), &st);
	for (int c = 1; c <= ISDN_MAX_CHAN; c++) {
		if (!isdn_ctrl_chan_exists(s->ls.ctrl, c))
			continue;
		const struct isdn_call *ic = isdn_ctrl_chan_call(s->ls.ctrl, c);
		char id[16] = "-";
		if (m->id[i][c])
			snprintf(id, sizeof(id), "%u", m->id[i][c]);
		ctl_printf(out, "%-5u %-5d %-6u %-6s %-18s %-4s %s\n", s->ls.number, c,
			   gw_pstn_channo(p, s->ls.number, c), chan_state(s, st.alarms != 0, c),
			   ic ? isdn_call_state(ic) : "-",
			   ic ? (isdn_call_outgoing(ic) ? "out" : "in") : "-", id);
	}
}

int gw_pstn_channels(const struct gw_pstn *p, unsigned span, struct ctl_out *out)
{
	unsigned only = p->n_spans;
	for (unsigned i = 0; span && i < p->n_spans; i++)
		if (p->span[i].ls.number == span)
			only = i;
	if (span && only == p->n_spans)
		return ENOENT;
	struct chan_map m = { p, calloc(p->n_spans ? p->n_spans : 1, sizeof(*m.id)) };
	if (!m.id)
		return ENOMEM;
	call_foreach(chan_map_call, &m);
	ctl_printf(out, "%-5s %-5s %-6s %-6s %-18s %-4s %s\n", "span", "chan", "dahdi", "state",
		   "q931", "dir", "call");
	for (unsigned i = 0; i < p->n_spans; i++)
		if (!span || i == only)
			chan_show_span(p, i, &m, out);
	free(m.id);
	return 0;
}

int gw_pstn_counters(const struct gw_pstn *p, struct ctl_out *out)
{
	for (unsigned i = 0; i < p->n_spans; i++) {
		const struct gw_span *s = &p->span[i];
		ctl_printf(out, "span.%u.dchan_up %llu\n", s->ls.number,
			   (unsigned long long)s->dchan_ups);
		ctl_printf(out, "span.%u.dchan_down %llu\n", s->ls.number,
			   (unsigned long long)s->dchan_downs);
		const struct call_limit *l = s->ls.limit;
		ctl_printf(out, "span.%u.calls_in %u\nspan.%u.calls_out %u\n", s->ls.number,
			   l->calls[0], s->ls.number, l->calls[1]);
		ctl_printf(out, "span.%u.refused_in %llu\nspan.%u.refused_out %llu\n",
			   s->ls.number, (unsigned long long)l->refused[0], s->ls.number,
			   (unsigned long long)l->refused[1]);
	}
	return 0;
}

/* --- faults on the simulated spans (strowger-ctl simfault) --------------- */

static int fault_alarm(struct sim_span *s, unsigned alarms)
{
	return sim_span_alarm(s, alarms);
}

static int fault_dchan(struct sim_span *s, unsigned up)
{
	return sim_span_dchan(s, up != 0);
}

static int fault_slip(struct sim_span *s, unsigned unused)
{
	(void)unused;
	sim_span_slip(s);
	return 0;
}

static int fault_lose(struct sim_span *s, unsigned n)
{
	sim_span_lose_frames(s, n);
	return 0;
}

static int fault_bad_fcs(struct sim_span *s, unsigned n)
{
	sim_span_bad_fcs(s, n);
	return 0;
}

/* `arg` is the fault's own value, or (counted) the operator's N. */
static const struct fault {
	const char *name;
	int (*inject)(struct sim_span *s, unsigned arg);
	unsigned arg;
	bool counted;
} faults[] = {
	{ "red", fault_alarm, TDM_ALARM_RED, false },
	{ "yellow", fault_alarm, TDM_ALARM_YELLOW, false },
	{ "blue", fault_alarm, TDM_ALARM_BLUE, false },
	{ "clear", fault_alarm, 0, false },
	{ "dchan-down", fault_dchan, 0, false },
	{ "dchan-up", fault_dchan, 1, false },
	{ "slip", fault_slip, 0, false },
	{ "lose", fault_lose, 0, true },
	{ "bad-fcs", fault_bad_fcs, 0, true },
};

const char *gw_pstn_fault_names(void)
{
	return "red|yellow|blue|clear|dchan-down|dchan-up|slip|lose N|bad-fcs N";
}

int gw_pstn_fault(struct gw_pstn *p, unsigned span, const char *what, const char *n,
		  char *why, size_t whylen)
{
	if (!p->sim) {
		snprintf(why, whylen, "simfault needs [sim]: these spans are real");
		return ENOTSUP;
	}
	struct sim_span *s = sim_span_find(p->sim, span);
	if (!s) {
		snprintf(why, whylen, "no sim span %u (the sim has spans 1-%u)", span,
			 sim_span_count(p->sim));
		return ENOENT;
	}
	const struct fault *f = NULL;
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (!strcmp(faults[i].name, what))
			f = &faults[i];
	if (!f) {
		snprintf(why, whylen, "unknown fault '%s'; faults: %s", what,
			 gw_pstn_fault_names());
		return EINVAL;
	}
	unsigned arg = f->arg;
	if (f->counted || n) {
		char *end = NULL;
		unsigned long v = n ? strtoul(n, &end, 10) : 0;
		if (!f->counted || !n || !n[0] || *end || v == 0 || v > 1000000) {
			snprintf(why, whylen, f->counted ? "%s needs a count N (1-1000000)"
							 : "%s takes no count",
				 what);
			return EINVAL;
		}
		arg = (unsigned)v;
	}
	int rc = f->inject(s, arg);
	if (rc)
		snprintf(why, whylen, "%s on sim span %u: %s", what, span, strerror(rc));
	else
		LOGN(LC_SIM, NULL, "fault injected on sim span %u: %s%s%s", span, what,
		     n ? " " : "", n ? n : "");
	return rc;
}

struct isdn_simsw *gw_pstn_pbx(const struct gw_pstn *p, const char *name)
{
	for (unsigned i = 0; i < p->n_pbx; i++)
		if (!strcmp(p->pbx[i].name, name))
			return p->pbx[i].sw;
	return NULL;
}
