/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gateway; see gateway.h. */
#include "gateway.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "call/cdr.h"
#include "call/route.h"
#include "config.h" /* autoconf: PACKAGE_VERSION */
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "ctl/ctl.h"

struct gateway {
	struct loop *loop;
	struct sg_config *cfg;
	struct ctl *ctl;
	struct cdr_db *cdr;
	bool shutting_down;
};

static void gateway_destroy(void *data)
{
	struct gateway *gw = data;
	mem_deref(gw->ctl);
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

static int ctl_start(struct gateway *gw)
{
	const char *path = sg_config_ctl_path(gw->cfg);
	int rc = parent_dir_make(path);
	if (!rc)
		rc = ctl_alloc(&gw->ctl, gw->loop, path);
	if (!rc)
		rc = ctl_cmd_add(gw->ctl, "version", "", "version, node and configuration file",
				 cmd_version, gw);
	if (!rc)
		rc = ctl_cmd_add(gw->ctl, "reload", "", "re-read the configuration", cmd_reload,
				 gw);
	if (!rc)
		rc = ctl_cmd_add(gw->ctl, "shutdown", "", "stop taking calls, finish the rest",
				 cmd_shutdown, gw);
	if (!rc)
		rc = ctl_cmd_add(gw->ctl, "cdr", "--csv", "export the CDRs as CSV", cmd_cdr, gw);
	if (!rc)
		rc = ctl_cmd_add(gw->ctl, "explain", "--called N [...]",
				 "how the running dial plan routes a call", cmd_explain, gw);
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
	int rc = cdr_start(gw);
	if (!rc)
		rc = ctl_start(gw);
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
	mem_deref(gw->cfg);
	gw->cfg = cfg;
	sg_config_apply_logging(cfg);
	LOGN(LC_CORE, NULL, "configuration reloaded from %s", cfg->path);
	return 0;
}

void gateway_shutdown(struct gateway *gw)
{
	gw->shutting_down = true;
	/* No calls exist yet to wait for: stop at once.  The call layer will
	 * stop the loop when its last call ends. */
	loop_stop(gw->loop);
}
