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
#include "gateway.h"
#include "gwconf.h"
#include "media/media.h"

struct daemon {
	struct loop *loop;
	struct sg_config *cfg;
	struct gateway *gw;
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

static int config_read(const char *path, struct sg_config **cfgp)
{
	struct conf_diag diag;
	conf_diag_init(&diag);
	int rc = sg_config_load(cfgp, path, &diag);
	sg_config_report(&diag, rc, path, false);
	conf_diag_reset(&diag);
	return rc;
}

static void on_signal(int sig, void *arg)
{
	struct daemon *d = arg;
	if (sig == SIGHUP) {
		gateway_reload(d->gw);
		return;
	}
	LOGN(LC_CORE, NULL, "%s: shutting down", strsignal(sig));
	gateway_shutdown(d->gw);
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
	if (!rc)
		rc = gateway_alloc(&d->gw, d->loop, d->cfg);
	/* Polled while RTP flows (media/worker.c): thousands of calls'
	 * packets cost a wake-up per millisecond, not one each.  Timers (the
	 * sim's tick, which paces the B-channels and so every packet we
	 * send) still wake it on time; what waits up to 1 ms is an incoming
	 * packet, which the jitter buffer absorbs, and SIP. */
	if (!rc)
		rc = media_worker_run(d->loop, NS_PER_MS);
	d->gw = mem_deref(d->gw);
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
	if (config_read(path, &d.cfg))
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
