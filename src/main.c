/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strowger: the gateway daemon.  Thin on purpose: arguments → configuration
 * → event loop.  Everything it runs lives in the library under src/.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h" /* autoconf: PACKAGE_VERSION */
#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "gwconf.h"

struct daemon {
	struct loop *loop;
	struct sg_config *cfg;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: strowger [-c FILE] [-f] [--check-config [FILE]]\n"
		"  -c, --config FILE   configuration (default: %s)\n"
		"  -f, --foreground    stay in the foreground, log to stderr\n"
		"      --check-config  validate the configuration and exit (0 valid, 1 not)\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          this text\n",
		sg_config_default_path());
}

/* Print each message (they already name file:line and key) to stderr, the
 * way a compiler does, before the gateway runs; once it runs, to the log. */
static void diag_report(const struct conf_diag *diag, bool running)
{
	const char *p = diag->text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		if (running)
			LOGE(LC_CONF, NULL, "%.*s", n, p);
		else
			fprintf(stderr, "%.*s\n", n, p);
		p += n + (nl != NULL);
	}
}

static int config_read(const char *path, struct sg_config **cfgp, bool running)
{
	struct conf_diag diag;
	conf_diag_init(&diag);
	int rc = sg_config_load(cfgp, path, &diag);
	diag_report(&diag, running);
	if (rc && !diag.errors) {
		if (running)
			LOGE(LC_CONF, NULL, "%s: %s", path, strerror(rc));
		else
			fprintf(stderr, "%s: %s\n", path, strerror(rc));
	}
	conf_diag_reset(&diag);
	return rc;
}

/* SIGHUP: re-read the configuration; a bad file changes nothing. */
static void reload(struct daemon *d)
{
	struct sg_config *cfg = NULL;
	if (config_read(d->cfg->path, &cfg, true)) {
		LOGE(LC_CORE, NULL, "reload of %s failed; keeping the running configuration",
		     d->cfg->path);
		return;
	}
	mem_deref(d->cfg);
	d->cfg = cfg;
	sg_config_apply_logging(cfg);
	LOGN(LC_CORE, NULL, "configuration reloaded from %s", cfg->path);
}

static void on_signal(int sig, void *arg)
{
	struct daemon *d = arg;
	if (sig == SIGHUP) {
		reload(d);
		return;
	}
	LOGN(LC_CORE, NULL, "%s: shutting down", strsignal(sig));
	loop_stop(d->loop);
}

static int daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return errno;
	if (chdir("/") < 0)
		return errno;
	int fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return errno;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

static int run(struct daemon *d, bool foreground)
{
	struct clk *clk = NULL;
	int rc = clk_alloc(&clk, CLK_REAL);
	if (!rc)
		rc = loop_alloc(&d->loop, clk);
	mem_deref(clk);
	if (rc)
		return rc;
	if (!foreground && d->cfg->general.log_target == SG_LOG_STDERR)
		log_set_target(LOG_TO_SYSLOG); /* stderr is /dev/null once detached */
	log_set_clock(loop_clock(d->loop));
	rc = loop_signals(d->loop, on_signal, d);
	if (!rc) {
		LOGN(LC_CORE, d->cfg->general.node, "strowger %s running with %s",
		     PACKAGE_VERSION, d->cfg->path);
		rc = loop_run(d->loop);
	}
	log_set_clock(NULL);
	d->loop = mem_deref(d->loop);
	return rc;
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 256 };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool foreground = false, check = false;
	int c;
	while ((c = getopt_long(argc, argv, "c:fVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'f': foreground = true; break;
		case OPT_CHECK: check = true; break;
		case 'V': printf("strowger %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* `strowger --check-config FILE` names the file without -c. */
	if (optind < argc && check && !path)
		path = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "strowger: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!path)
		path = sg_config_default_path();

	struct daemon d = { 0 };
	if (config_read(path, &d.cfg, false))
		return 1;
	if (check) {
		printf("%s: configuration is valid\n", path);
		mem_deref(d.cfg);
		return 0;
	}
	sg_config_apply_logging(d.cfg);
	int rc = foreground ? 0 : daemonize();
	if (!rc)
		rc = run(&d, foreground);
	if (rc)
		LOGE(LC_CORE, NULL, "stopped: %s", strerror(rc));
	mem_deref(d.cfg);
	return rc ? 1 : 0;
}
