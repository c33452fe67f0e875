/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strowger-ctl: talk to a running gateway over its control socket.
 *   strowger-ctl [-s SOCKET] COMMAND [ARGS...]
 * Prints the reply; exits 0 on OK, 1 on ERR, 2 when the gateway cannot be
 * reached.  `strowger-ctl help` lists the gateway's commands.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "gwconf.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: strowger-ctl [-s SOCKET] COMMAND [ARGS...]\n"
		     "  -s, --socket PATH  the gateway's control socket (default: %s)\n"
		     "  try: strowger-ctl help\n",
		sg_config_default_ctl_path());
}

/* Join the words of the command back into one request line. */
static int build_line(char *line, size_t size, int argc, char **argv)
{
	size_t n = 0;
	for (int i = 0; i < argc; i++) {
		int w = snprintf(line + n, size - n, "%s%s", i ? " " : "", argv[i]);
		if (w < 0 || (size_t)w >= size - n || strpbrk(argv[i], "\n\r"))
			return -1;
		n += (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (!path)
		path = sg_config_default_ctl_path();
	char line[CTL_LINE_MAX];
	if (build_line(line, sizeof(line), argc - optind, argv + optind)) {
		fprintf(stderr, "strowger-ctl: command too long or not one line\n");
		return 2;
	}
	char *body = NULL;
	int ok = 0;
	int rc = ctl_request(path, line, &body, &ok);
	if (rc) {
		fprintf(stderr, "strowger-ctl: %s: %s\n", path, strerror(rc));
		return 2;
	}
	fputs(body, ok ? stdout : stderr);
	free(body);
	return ok ? 0 : 1;
}
