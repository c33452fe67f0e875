/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: a UNIX stream socket (mode 0600) on which
 * strowger-ctl asks the running gateway to show state and act.
 *
 * Wire format (one request at a time per connection, any number of them):
 *
 *   request:  one line ended by '\n', at most CTL_LINE_MAX bytes with the '\n':
 *             a command and its arguments separated by spaces/tabs.
 *   response: a header line "OK <n>\n" or "ERR <n>\n", then exactly <n>
 *             bytes of UTF-8 text (lines ended by '\n').
 *
 * The byte count lets a client read a large body (a CDR export) without
 * guessing where it ends.  A request line longer than CTL_LINE_MAX, or a NUL
 * byte in it, gets "ERR" and the connection is closed.  Areas register
 * their commands (spans, calls, hangup, …) with ctl_cmd_add().
 */
#ifndef STROWGER_CTL_CTL_H
#define STROWGER_CTL_CTL_H

#include <stdarg.h>
#include <stddef.h>

#define CTL_LINE_MAX 4096
#define CTL_ARGS_MAX 32
#define CTL_CLIENTS_MAX 16

struct ctl;
struct ctl_out;
struct loop;

/* Run a command: write the reply with ctl_printf; return 0, or an errno
 * after ctl_error() (the reply becomes ERR). argv[0] is the command. */
typedef int(ctl_cmd_h)(struct ctl_out *out, int argc, char **argv, void *arg);

/* Listen on `path` (an existing socket file there is replaced only if no
 * gateway answers on it).  A mem object; freeing it closes every client
 * and unlinks the socket file. */
int ctl_alloc(struct ctl **ctlp, struct loop *loop, const char *path);
/* Register a command; `usage` is its arguments ("CALL-ID"), `help` a line. */
int ctl_cmd_add(struct ctl *ctl, const char *name, const char *usage, const char *help,
		ctl_cmd_h *h, void *arg);
unsigned ctl_client_count(const struct ctl *ctl);

int ctl_printf(struct ctl_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ctl_vprintf(struct ctl_out *out, const char *fmt, va_list ap);
/* Make the reply an ERR with this text; returns EINVAL for convenience. */
int ctl_error(struct ctl_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Run request `line` in-process, as a client's would run (tests, on the
 * loop's own thread, where a blocking ctl_request would wait for ever):
 * the reply body in *body (malloc'd), *ok as ctl_request gives it.
 * 0, or ENOMEM. */
int ctl_run(struct ctl *ctl, const char *line, char **body, int *ok);

/* Client side (strowger-ctl and tests): send `line` to the gateway at
 * `path`, get the reply body (a malloc'd string) and whether it was OK.
 * Returns 0 when a reply arrived (check *ok), else an errno. */
int ctl_request(const char *path, const char *line, char **body, int *ok);

#endif
