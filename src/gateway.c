/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gateway; see gateway.h. */
#include "gateway.h"

#include <errno.h>
#include <libgen.h>
#include <malloc.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "call/call.h"
#include "call/cdr.h"
#include "call/route.h"
#include "config.h" /* autoconf: PACKAGE_VERSION */
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "ctl/ctl.h"
#include "gw_media.h"
#include "gw_pstn.h"
#include "gw_reg.h"
#include "gw_sip.h"
#include "gw_trunk.h"
#include "media/media.h"

struct gateway {
	struct loop *loop;
	struct sg_config *cfg;
	struct ctl *ctl;
	struct cdr_db *cdr;
	struct call_env env;     /* what every call runs in */
	struct gw_pstn *pstn;
	struct gw_sip *sip;
	struct gw_trunks *trunks;
	struct media_totals *media; /* every RTP stream's counters, for counters */
	bool shutting_down;
	bool cdr_pending;        /* a cdr_flush is deferred to the turn's end */
	struct {                 /* since start, for strowger-ctl counters */
		uint64_t ended, answered, failovers;
		uint64_t cause[128]; /* by Q.850 cause; [0]: the call had none */
	} count;
};

static void gateway_destroy(void *data)
{
	struct gateway *gw = data;
	mem_deref(gw->sip); /* its legs and streams before the spans they meet */
	mem_deref(gw->pstn);
	mem_deref(gw->trunks);
	mem_deref(gw->media);
	mem_deref(gw->ctl);
	loop_defer_cancel(gw->loop, gw); /* the CDR flush: cdr_db's destructor commits */
	mem_deref(gw->cdr);
	mem_deref(gw->cfg);
	mem_deref(gw->loop);
}

/* The default paths live under a var/ that may not exist yet. */
static int parent_dir_make(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *d = dirname(dir);
	if (mkdir(d, 0750) == 0 || errno == EEXIST)
		return 0;
	char up[4096];
	snprintf(up, sizeof(up), "%s", d);
	if (parent_dir_make(up) == 0 && (mkdir(d, 0750) == 0 || errno == EEXIST))
		return 0;
	return errno;
}

static int cmd_version(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	(void)argc;
	(void)argv;
	return ctl_printf(out, "strowger %s node %s config %s\n", PACKAGE_VERSION,
			  gw->cfg->general.node, gw->cfg->path);
}

static int cmd_reload(struct ctl_out *out, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	int rc = gateway_reload(arg);
	if (rc == EINVAL)
		return ctl_error(out, "reload failed: the file has errors (see the log); "
				      "the running configuration is kept");
	if (rc)
		return ctl_error(out, "reload failed: %s; the running configuration is kept",
				 strerror(rc));
	return ctl_printf(out, "configuration reloaded\n");
}

static int cmd_shutdown(struct ctl_out *out, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	gateway_shutdown(arg);
	return ctl_printf(out, "shutting down: no new calls; stopping when the last ends\n");
}

static int cdr_line(const char *line, void *arg)
{
	return ctl_printf(arg, "%s", line);
}

static int cmd_cdr(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	if (argc != 2 || strcmp(argv[1], "--csv") != 0)
		return ctl_error(out, "usage: cdr --csv");
	return cdr_db_csv(gw->cdr, 0, cdr_line, out);
}

/* --- the calls' environment ------------------------------------------- */

static int env_leg_create(struct call *call, const struct route_dest *dest,
			  struct call_leg **legp, void *arg)
{
	struct gateway *gw = arg;
	(void)call;
	if (dest->kind == ROUTE_DEST_GROUP) {
		struct leg_isdn_group *g = gw->pstn ? gw_pstn_group(gw->pstn, dest->name) : NULL;
		if (!g) {
			LOGE(LC_CALL, call_name(call), "group %s has no span ([span] group =)",
			     dest->name);
			return ENOENT;
		}
		return leg_isdn_create(g, dest->policy, legp);
	}
	if (!gw->sip) {
		LOGE(LC_CALL, call_name(call), "route to %s, but there is no [sip]", dest->name);
		return ENOTSUP;
	}
	int rc = leg_sip_create(gw_sip_env(gw->sip), dest, legp);
	if (!rc && dest->kind == ROUTE_DEST_TRUNK &&
	    (rc = gw_trunk_admit_out(gw->trunks, dest->name, *legp))) {
		(*legp)->ops->destroy(*legp); /* never sent: the next destination */
		*legp = NULL;
	}
	return rc;
}

static void env_media(struct call *call, enum call_media what, void *arg)
{
	struct gateway *gw = arg;
	gw_media_apply(gw->pstn, gw->cfg->general.tone_zone, call, what);
}

static void maybe_stop(void *arg)
{
	struct gateway *gw = arg;
	if (gw->shutting_down && call_count() == 0)
		loop_stop(gw->loop);
}

/* One commit per loop turn for all the records written in it (cdr.h). */
static void cdr_flush(void *arg)
{
	struct gateway *gw = arg;
	gw->cdr_pending = false;
	if (cdr_db_flush(gw->cdr))
		LOGE(LC_CDR, NULL, "CDRs not committed");
}

static void cdr_record(struct gateway *gw, struct call *call, const struct cdr *rec)
{
	if (cdr_db_write(gw->cdr, rec))
		LOGE(LC_CDR, call_name(call), "CDR not written");
	else if (!gw->cdr_pending && !loop_defer(gw->loop, cdr_flush, gw))
		gw->cdr_pending = true;
	else if (!gw->cdr_pending && cdr_db_flush(gw->cdr)) /* no memory to defer */
		LOGE(LC_CDR, call_name(call), "CDR not committed");
}

static void env_ended(struct call *call, const struct cdr *rec, void *arg)
{
	struct gateway *gw = arg;
	gw->count.ended++;
	gw->count.answered += rec->answer != 0;
	if (rec->q850_cause >= 0 && rec->q850_cause < 128)
		gw->count.cause[rec->q850_cause]++;
	cdr_record(gw, call, rec);
	if (gw->shutting_down)
		loop_defer(gw->loop, maybe_stop, gw); /* once the call is freed */
}

static void env_failover(struct call *call, const struct route_dest *from, unsigned cause,
			 void *arg)
{
	struct gateway *gw = arg;
	(void)call;
	(void)cause;
	gw->count.failovers++;
	if (from->kind == ROUTE_DEST_TRUNK)
		gw_trunk_failover(gw->trunks, from->name);
}

/* The part of a call before a transfer (call_xfer.c): its own record. */
static void env_record(struct call *call, const struct cdr *rec, void *arg)
{
	cdr_record(arg, call, rec);
}

static const struct call_env_ops env_ops = { .leg_create = env_leg_create,
					      .media = env_media,
					      .ended = env_ended,
					      .failover = env_failover,
					      .record = env_record };

static void env_update(struct gateway *gw)
{
	gw->env = (struct call_env){
		.loop = gw->loop, .ops = &env_ops, .arg = gw, .routes = gw->cfg->routes,
		.causes = gw->cfg->causes, .t_noanswer = gw->cfg->general.no_answer,
		.node = gw->cfg->general.node,
	};
}

static int cmd_spans(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	(void)argc;
	(void)argv;
	return gw->pstn ? gw_pstn_show(gw->pstn, out) : ctl_printf(out, "no spans\n");
}

struct show {
	struct ctl_out *out;
	uint64_t now;
};

/* "12s", or "-" for a time not reached (not answered). */
static const char *secs(char *buf, size_t sz, uint64_t now, uint64_t since)
{
	if (!since)
		return "-";
	snprintf(buf, sz, "%llus",
		 (unsigned long long)(now > since ? (now - since) / NS_PER_S : 0));
	return buf;
}

/* One line per call: its numbers as received, how long since it began
 * (age) and since it was answered (talk), and both legs (call_leg_text). */
static void show_call(const struct call *call, void *arg)
{
	struct show *sh = arg;
	const struct call_setup *s = call_setup_in(call);
	char age[24], talk[24], in[200], out[200];
	call_leg_text(call_leg_in(call), in, sizeof(in));
	call_leg_text(call_leg_out(call), out, sizeof(out));
	ctl_printf(sh->out, "%-8u %-10s %-16s %-16s %7s %7s %s %s\n", call_id(call),
		   call_state(call), s->calling.digits[0] ? s->calling.digits : "-",
		   s->called.digits[0] ? s->called.digits : "-",
		   secs(age, sizeof(age), sh->now, call_start_time(call)),
		   secs(talk, sizeof(talk), sh->now, call_answer_time(call)), in, out);
}

static int cmd_calls(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	(void)argc;
	(void)argv;
	struct show sh = { out, clk_wall(loop_clock(gw->loop)) };
	ctl_printf(out, "%-8s %-10s %-16s %-16s %7s %7s %s %s\n", "id", "state", "calling",
		   "called", "age", "talk", "in", "out");
	call_foreach(show_call, &sh);
	return 0;
}

/* channels [SPAN]: the B-channels, their state and the calls on them. */
static int cmd_channels(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	char *end = NULL;
	unsigned long span = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
	if (argc > 2 || (argc == 2 && (*end || span == 0 || span > 100000)))
		return ctl_error(out, "usage: channels [SPAN]");
	if (!gw->pstn)
		return ctl_printf(out, "no spans\n");
	int rc = gw_pstn_channels(gw->pstn, (unsigned)span, out);
	if (rc == ENOENT)
		return ctl_error(out, "no span %lu (see 'spans')", span);
	return rc;
}

static int cmd_hangup(struct ctl_out *out, int argc, char **argv, void *arg)
{
	(void)arg;
	char *end = NULL;
	unsigned long id = argc >= 2 ? strtoul(argv[1], &end, 10) : 0;
	bool ok = argc >= 2 && argc <= 3 && !*end;
	unsigned long cause = 16;
	if (ok && argc == 3) {
		cause = strtoul(argv[2], &end, 10);
		ok = !*end && cause >= 1 && cause <= 127;
	}
	if (!ok)
		return ctl_error(out, "usage: hangup ID [CAUSE] (a Q.850 cause, 1-127)");
	struct call *call = call_find((unsigned)id);
	if (!call)
		return ctl_error(out, "no call %lu", id);
	call_hangup(call, (unsigned)cause);
	return ctl_printf(out, "call %lu cleared with cause %lu\n", id, cause);
}

/* simcall PBX NUMBER [FROM]: a simulated PBX calls into the gateway. */
static int cmd_simcall(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	char why[200] = "";
	if (argc < 3 || argc > 4)
		return ctl_error(out, "usage: simcall PBX NUMBER [FROM]");
	for (int i = 2; i < argc; i++)
		if (strspn(argv[i], "0123456789*#") != strlen(argv[i]) || !argv[i][0])
			return ctl_error(out, "'%s' is not a number", argv[i]);
	int rc = gw->pstn ? gw_pstn_pbx_call(gw->pstn, argv[1], argv[2], argc == 4 ? argv[3] : NULL,
					     why, sizeof(why))
			  : ENOENT;
	if (rc)
		return ctl_error(out, "%s", why[0] ? why : strerror(rc));
	return ctl_printf(out, "%s calls %s\n", argv[1], argv[2]);
}

/* simfault SPAN FAULT [N]: a fault on a simulated span (sim/sim.h). */
static int cmd_simfault(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	char why[200] = "";
	char *end = NULL;
	unsigned long span = argc >= 3 ? strtoul(argv[1], &end, 10) : 0;
	if (argc < 3 || argc > 4 || *end || span == 0 || span > 1000)
		return ctl_error(out, "usage: simfault SPAN %s", gw_pstn_fault_names());
	if (!gw->pstn)
		return ctl_error(out, "simfault needs [sim]: this gateway has no spans");
	int rc = gw_pstn_fault(gw->pstn, (unsigned)span, argv[2], argc == 4 ? argv[3] : NULL,
			       why, sizeof(why));
	if (rc)
		return ctl_error(out, "%s", why[0] ? why : strerror(rc));
	return ctl_printf(out, "span %lu: %s%s%s\n", span, argv[2], argc == 4 ? " " : "",
			  argc == 4 ? argv[3] : "");
}

/* The RTP streams' counters summed since start, ended calls' included:
 * jitter-buffer trouble (late, lost, underrun, target_grow) across all
 * calls without looking at each.  Printed with or without [sip], so the
 * names are always there. */
static void media_counters(struct ctl_out *out, const struct media_totals *t)
{
	struct media_sums m;
	media_totals_get(t, &m);
	const struct {
		const char *name;
		uint64_t v;
	} lines[] = {
	    {"media.streams", m.streams},
	    {"media.streams.now", m.streams_now},
	    {"media.rtp.rx_packets", m.rx_packets},
	    {"media.rtp.tx_packets", m.tx_packets},
	    {"media.rtp.rx_bad", m.rx_bad},
	    {"media.jbuf.late", m.jb_late},
	    {"media.jbuf.lost", m.jb_lost},
	    {"media.jbuf.underrun", m.jb_underrun},
	    {"media.jbuf.overflow", m.jb_overflow},
	    {"media.jbuf.resync", m.jb_resync},
	    {"media.jbuf.filled", m.jb_filled},
	    {"media.jbuf.dup", m.jb_dup},
	    {"media.jbuf.target_grow", m.jb_target_grow},
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ctl_printf(out, "%s %llu\n", lines[i].name, (unsigned long long)lines[i].v);
}

/* counters: `name value` lines, stable names for scripts and monitoring. */
static int cmd_counters(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	(void)argc;
	(void)argv;
	unsigned now = call_count();
	ctl_printf(out, "calls.in_progress %u\n", now);
	ctl_printf(out, "calls.total %llu\n", (unsigned long long)(gw->count.ended + now));
	ctl_printf(out, "calls.ended %llu\n", (unsigned long long)gw->count.ended);
	ctl_printf(out, "calls.answered %llu\n", (unsigned long long)gw->count.answered);
	ctl_printf(out, "calls.failovers %llu\n", (unsigned long long)gw->count.failovers);
	for (unsigned c = 0; c < 128; c++)
		if (gw->count.cause[c])
			ctl_printf(out, "calls.cause.%u %llu\n", c,
				   (unsigned long long)gw->count.cause[c]);
	if (gw->sip) {
		const struct sip_stack *st = gw_sip_stack(gw->sip);
		struct sip_stats ss;
		sip_stack_stats(st, &ss);
		ctl_printf(out, "sip.rx_msgs %llu\nsip.tx_msgs %llu\nsip.rx_bad %llu\n",
			   (unsigned long long)ss.rx_msgs, (unsigned long long)ss.tx_msgs,
			   (unsigned long long)ss.rx_bad);
		ctl_printf(out, "sip.retransmissions %llu\n",
			   (unsigned long long)ss.retransmissions);
		ctl_printf(out, "sip.sessions %llu\nsip.sessions.now %u\n",
			   (unsigned long long)ss.sessions, sip_stack_sess_count(st));
		ctl_printf(out, "sip.transactions %llu\nsip.transactions.now %u\n",
			   (unsigned long long)ss.txns, sip_stack_txn_count(st));
		uint64_t rej, chal;
		sip_stack_access_stats(st, &rej, &chal);
		ctl_printf(out, "sip.access.rejected %llu\nsip.access.challenged %llu\n",
			   (unsigned long long)rej, (unsigned long long)chal);
	}
	gw_trunks_counters(gw->trunks, out);
	media_counters(out, gw->media);
	/* The allocator's bytes in use (main arena, which the one signalling
	 * thread allocates from, plus mmap'd blocks): for the heap-per-call
	 * benchmark and for spotting leaks in a running gateway. */
	struct mallinfo2 mi = mallinfo2();
	ctl_printf(out, "heap.bytes_in_use %zu\n", mi.uordblks + mi.hblkhd);
	return gw->pstn ? gw_pstn_counters(gw->pstn, out) : 0;
}

static int cmd_trunks(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	(void)argc;
	(void)argv;
	return gw_trunks_show(gw->trunks, gw->sip ? gw_sip_reg(gw->sip) : NULL, out);
}

/* explain --called N [--calling N] [--from trunk:X] [--dir to-sip] ...:
 * the running dial plan's decision, rule by rule. */
static int cmd_explain(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct gateway *gw = arg;
	if (!gw->cfg->routes)
		return ctl_error(out, "no dial plan is loaded ([mapping] dialplan)");
	struct route_ctx ctx;
	route_ctx_init(&ctx);
	for (int i = 1; i < argc; i += 2) {
		int rc = strncmp(argv[i], "--", 2) || i + 1 == argc
				 ? EINVAL
				 : route_ctx_option(&ctx, argv[i] + 2, argv[i + 1]);
		if (rc)
			return ctl_error(out, "%s: %s", argv[i],
					 rc == ENOENT ? "unknown option" : "bad or missing value");
	}
	if (!ctx.called.present)
		return ctl_error(out, "usage: explain --called N [--calling N] [--from X] "
				      "[--dir to-pstn|to-sip] ...");
	struct route_result res;
	char *trace = NULL;
	route_explain(gw->cfg->routes, &ctx, &res, &trace);
	int rc = trace ? ctl_printf(out, "%s", trace) : ENOMEM;
	mem_deref(trace);
	return rc;
}

/* strowger-ctl's commands: name, usage, one line of help, handler. */
static const struct {
	const char *name, *usage, *help;
	ctl_cmd_h *h;
} ctl_cmds[] = {
	{ "version", "", "version, node and configuration file", cmd_version },
	{ "reload", "", "re-read the configuration", cmd_reload },
	{ "shutdown", "", "stop taking calls, finish the rest", cmd_shutdown },
	{ "cdr", "--csv", "export the CDRs as CSV", cmd_cdr },
	{ "explain", "--called N [...]", "how the running dial plan routes a call", cmd_explain },
	{ "spans", "", "spans: group, D-channel, alarms, calls", cmd_spans },
	{ "channels", "[SPAN]", "B-channels: state, Q.931 call state, the call on each",
	  cmd_channels },
	{ "calls", "", "calls in progress: numbers, age, talk time, both legs", cmd_calls },
	{ "trunks", "", "SIP trunks: destination, limits, registration, calls, refusals, failovers",
	  cmd_trunks },
	{ "hangup", "ID [CAUSE]", "clear a call (cause 16)", cmd_hangup },
	{ "simcall", "PBX NUMBER [FROM]",
	  "a simulated PBX calls NUMBER (echoes, hangs up after 10 s)", cmd_simcall },
	{ "simfault", "SPAN FAULT [N]",
	  "inject a fault on a simulated span (red, dchan-down, lose N, ...)", cmd_simfault },
	{ "counters", "", "calls by outcome, SIP statistics, D-channel transitions",
	  cmd_counters },
};

static int ctl_start(struct gateway *gw)
{
	const char *path = sg_config_ctl_path(gw->cfg);
	int rc = parent_dir_make(path);
	if (!rc)
		rc = ctl_alloc(&gw->ctl, gw->loop, path);
	for (size_t i = 0; !rc && i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		rc = ctl_cmd_add(gw->ctl, ctl_cmds[i].name, ctl_cmds[i].usage, ctl_cmds[i].help,
				 ctl_cmds[i].h, gw);
	if (rc)
		LOGE(LC_CTL, NULL, "control socket %s: %s", path, strerror(rc));
	return rc;
}

static int cdr_start(struct gateway *gw)
{
	const char *path = sg_config_cdr_path(gw->cfg);
	int rc = parent_dir_make(path);
	if (!rc)
		rc = cdr_db_open(&gw->cdr, path, gw->cfg->general.cdr_fsync);
	if (rc)
		LOGE(LC_CDR, NULL, "CDR database %s: %s", path, strerror(rc));
	return rc;
}

int gateway_alloc(struct gateway **gwp, struct loop *loop, struct sg_config *cfg)
{
	struct gateway *gw = mem_zalloc(sizeof(*gw), gateway_destroy);
	if (!gw)
		return ENOMEM;
	gw->loop = mem_ref(loop);
	gw->cfg = mem_ref(cfg);
	env_update(gw);
	int rc = gw_trunks_alloc(&gw->trunks, loop, cfg);
	if (!rc)
		rc = media_totals_alloc(&gw->media);
	if (!rc)
		rc = cdr_start(gw);
	if (!rc)
		rc = ctl_start(gw);
	if (!rc && (cfg->n_spans || cfg->sim.enabled))
		rc = gw_pstn_alloc(&gw->pstn, loop, cfg, &gw->env);
	if (!rc && cfg->sip.enabled)
		rc = gw_sip_alloc(&gw->sip, loop, cfg, &gw->env,
				  gw->pstn ? gw_pstn_alaw(gw->pstn) : true);
	if (!rc && gw->sip) {
		gw_sip_set_trunks(gw->sip, gw_trunk_target, gw_trunk_admit_in, gw->trunks);
		gw_sip_set_media_totals(gw->sip, gw->media);
	}
	if (rc) {
		mem_deref(gw);
		return rc;
	}
	LOGN(LC_CORE, cfg->general.node, "strowger %s running with %s; control socket %s",
	     PACKAGE_VERSION, cfg->path, sg_config_ctl_path(cfg));
	*gwp = gw;
	return 0;
}

int gateway_reload(struct gateway *gw)
{
	struct conf_diag diag;
	conf_diag_init(&diag);
	struct sg_config *cfg = NULL;
	int rc = sg_config_load(&cfg, gw->cfg->path, &diag);
	sg_config_report(&diag, rc, gw->cfg->path, true);
	conf_diag_reset(&diag);
	if (rc) {
		LOGE(LC_CORE, NULL, "reload of %s failed; keeping the running configuration",
		     gw->cfg->path);
		return rc;
	}
	/* Paths of the control socket and CDR store take effect on restart. */
	/* Spans, the sim and the paths take effect on restart; the dial plan,
	 * causes and timers now.  Calls in progress keep their route set. */
	rc = gw_trunks_update(gw->trunks, cfg);
	if (rc) {
		LOGE(LC_CORE, NULL, "reload: %s; keeping the running configuration", strerror(rc));
		mem_deref(cfg);
		return rc;
	}
	mem_deref(gw->cfg);
	gw->cfg = cfg;
	env_update(gw);
	if (gw->sip)
		gw_sip_update(gw->sip, cfg);
	sg_config_apply_logging(cfg);
	LOGN(LC_CORE, NULL, "configuration reloaded from %s", cfg->path);
	return 0;
}

void gateway_shutdown(struct gateway *gw)
{
	gw->shutting_down = true;
	if (gw->pstn)
		gw_pstn_accepting(gw->pstn, false);
	if (gw->sip)
		gw_sip_accepting(gw->sip, false);
	LOGN(LC_CORE, NULL, "shutting down: %u call%s to finish", call_count(),
	     call_count() == 1 ? "" : "s");
	maybe_stop(gw); /* at once if idle, else when the last call ends */
}

struct gw_pstn *gateway_pstn(const struct gateway *gw)
{
	return gw->pstn;
}

struct gw_sip *gateway_sip(const struct gateway *gw)
{
	return gw->sip;
}

struct ctl *gateway_ctl(const struct gateway *gw)
{
	return gw->ctl;
}
