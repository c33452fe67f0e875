/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket server; see ctl.h for the wire format.
 *
 * Everything runs on the signalling loop: accept, read a line, run the
 * command, queue the reply and write it as the socket allows.  A slow or
 * hostile client can hold at most CTL_LINE_MAX bytes of input and its own
 * reply; it never blocks the loop.
 */
#include "ctl/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/list.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"

struct ctl_out {
	char *buf; /* malloc'd */
	size_t len, size;
	bool err;
	bool nomem;
};

struct ctl_cmd {
	struct le le;
	char name[32];
	char usage[64];
	char help[128];
	ctl_cmd_h *h;
	void *arg;
};

struct ctl_client {
	struct le le;
	struct ctl *ctl;
	int fd;
	char in[CTL_LINE_MAX + 1];
	size_t in_len;
	struct ctl_out out;
	size_t out_sent;
	bool closing; /* close once the reply is out */
};

struct ctl {
	struct loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct le cmds;
	struct le clients;
	unsigned n_clients;
};

int ctl_vprintf(struct ctl_out *out, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return EINVAL;
	if (out->len + (size_t)n + 1 > out->size) {
		size_t size = out->size ? out->size : 1024;
		while (size < out->len + (size_t)n + 1)
			size *= 2;
		char *p = realloc(out->buf, size);
		if (!p) {
			out->nomem = true;
			return ENOMEM;
		}
		out->buf = p;
		out->size = size;
	}
	vsnprintf(out->buf + out->len, out->size - out->len, fmt, ap);
	out->len += (size_t)n;
	return 0;
}

int ctl_printf(struct ctl_out *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ctl_vprintf(out, fmt, ap);
	va_end(ap);
	return rc;
}

int ctl_error(struct ctl_out *out, const char *fmt, ...)
{
	out->err = true;
	out->len = 0;
	va_list ap;
	va_start(ap, fmt);
	ctl_vprintf(out, fmt, ap);
	va_end(ap);
	ctl_printf(out, "\n");
	return EINVAL;
}

static void client_free(struct ctl_client *c)
{
	loop_fd_del(c->ctl->loop, c->fd);
	close(c->fd);
	list_unlink(&c->le);
	c->ctl->n_clients--;
	free(c->out.buf);
	free(c);
}

static struct ctl_cmd *cmd_find(struct ctl *ctl, const char *name)
{
	struct le *e;
	list_for_each(&ctl->cmds, e) {
		struct ctl_cmd *cmd = container_of(e, struct ctl_cmd, le);
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	}
	return NULL;
}

static int cmd_help(struct ctl_out *out, int argc, char **argv, void *arg)
{
	struct ctl *ctl = arg;
	(void)argc;
	(void)argv;
	struct le *e;
	list_for_each(&ctl->cmds, e) {
		struct ctl_cmd *cmd = container_of(e, struct ctl_cmd, le);
		char head[100];
		snprintf(head, sizeof(head), "%s %s", cmd->name, cmd->usage);
		ctl_printf(out, "%-28s %s\n", head, cmd->help);
	}
	return 0;
}

static int split_words(char *line, char **argv)
{
	int argc = 0;
	for (char *save = NULL, *w = strtok_r(line, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (argc == CTL_ARGS_MAX)
			return -1;
		argv[argc++] = w;
	}
	return argc;
}

/* Run one request line; the reply body goes to `out`. */
static void run_line(struct ctl *ctl, char *line, struct ctl_out *out)
{
	char *argv[CTL_ARGS_MAX];
	int argc = split_words(line, argv);
	if (argc < 0) {
		ctl_error(out, "too many arguments (at most %d)", CTL_ARGS_MAX - 1);
		return;
	}
	if (argc == 0) {
		ctl_error(out, "empty request; try 'help'");
		return;
	}
	struct ctl_cmd *cmd = cmd_find(ctl, argv[0]);
	if (!cmd) {
		ctl_error(out, "unknown command '%.40s'; try 'help'", argv[0]);
		return;
	}
	LOGI(LC_CTL, NULL, "command: %s", argv[0]);
	int rc = cmd->h(out, argc, argv, cmd->arg);
	if (rc && !out->err)
		ctl_error(out, "%s: %s", argv[0], strerror(rc));
	if (out->nomem)
		ctl_error(out, "out of memory");
}

int ctl_run(struct ctl *ctl, const char *line, char **body, int *ok)
{
	struct ctl_out out = { 0 };
	char *copy = strdup(line);
	if (!copy)
		return ENOMEM;
	run_line(ctl, copy, &out);
	free(copy);
	if (ctl_printf(&out, "%s", "")) { /* an empty reply still gets a buffer */
		free(out.buf);
		return ENOMEM;
	}
	*ok = !out.err;
	*body = out.buf;
	return 0;
}

static bool client_pending(const struct ctl_client *c)
{
	return c->out_sent < c->out.len;
}

/* Send what the socket takes; EPOLLOUT resumes the rest.  Returns false if
 * the client was freed (peer gone, or a closing reply fully sent). */
static bool client_flush(struct ctl_client *c)
{
	while (client_pending(c)) {
		ssize_t n = send(c->fd, c->out.buf + c->out_sent, c->out.len - c->out_sent,
				 MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			loop_fd_mod(c->ctl->loop, c->fd, EPOLLOUT);
			return true;
		}
		if (n <= 0) {
			client_free(c);
			return false;
		}
		c->out_sent += (size_t)n;
	}
	c->out.len = c->out_sent = 0;
	if (c->closing) {
		client_free(c);
		return false;
	}
	loop_fd_mod(c->ctl->loop, c->fd, EPOLLIN);
	return true;
}

/* Frame `body` as "OK <n>\n" or "ERR <n>\n" plus the body into the (empty)
 * output buffer, and start sending it. */
static bool client_reply(struct ctl_client *c, struct ctl_out *body)
{
	c->out.len = c->out_sent = 0;
	c->out.nomem = false;
	ctl_printf(&c->out, "%s %zu\n", body->err ? "ERR" : "OK", body->len);
	if (body->len)
		ctl_printf(&c->out, "%.*s", (int)body->len, body->buf);
	free(body->buf);
	if (c->out.nomem) {
		c->out.len = 0;
		c->closing = true;
	}
	return client_flush(c);
}

static void client_reject(struct ctl_client *c, const char *why)
{
	LOGW(LC_CTL, NULL, "closing a client: %s", why);
	struct ctl_out body = { 0 };
	ctl_error(&body, "%s", why);
	c->closing = true;
	client_reply(c, &body);
}

/* Run complete request lines one at a time: the next only once the reply
 * to the previous is fully sent, so replies never interleave. */
static void client_lines(struct ctl_client *c)
{
	char *nl;
	while (!client_pending(c) && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t n = (size_t)(nl - c->in);
		if (memchr(c->in, '\0', n)) {
			client_reject(c, "NUL byte in request");
			return;
		}
		*nl = '\0';
		if (n && c->in[n - 1] == '\r')
			c->in[n - 1] = '\0';
		struct ctl_out body = { 0 };
		run_line(c->ctl, c->in, &body);
		memmove(c->in, nl + 1, c->in_len - n - 1);
		c->in_len -= n + 1;
		if (!client_reply(c, &body))
			return;
	}
	if (!client_pending(c) && c->in_len >= CTL_LINE_MAX)
		client_reject(c, "request line too long");
}

static void client_handler(int fd, uint32_t events, void *arg)
{
	struct ctl_client *c = arg;
	if (events & EPOLLOUT) {
		if (client_flush(c) && !client_pending(c))
			client_lines(c);
		return;
	}
	if (client_pending(c) || c->in_len >= CTL_LINE_MAX)
		return;
	ssize_t n = recv(fd, c->in + c->in_len, CTL_LINE_MAX - c->in_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_free(c);
		return;
	}
	c->in_len += (size_t)n;
	client_lines(c);
}

static void accept_handler(int fd, uint32_t events, void *arg)
{
	struct ctl *ctl = arg;
	(void)events;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	struct ctl_client *c = ctl->n_clients < CTL_CLIENTS_MAX ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		LOGW(LC_CTL, NULL, "refusing a client: %u connected", ctl->n_clients);
		close(cfd);
		return;
	}
	c->ctl = ctl;
	c->fd = cfd;
	if (loop_fd_add(ctl->loop, cfd, EPOLLIN, client_handler, c)) {
		close(cfd);
		free(c);
		return;
	}
	list_append(&ctl->clients, &c->le);
	ctl->n_clients++;
}

static void ctl_destroy(void *data)
{
	struct ctl *ctl = data;
	struct le *e, *n;
	list_for_each_safe(&ctl->clients, e, n)
		client_free(container_of(e, struct ctl_client, le));
	list_for_each_safe(&ctl->cmds, e, n)
		free(container_of(e, struct ctl_cmd, le));
	if (ctl->fd >= 0) {
		loop_fd_del(ctl->loop, ctl->fd);
		close(ctl->fd);
		unlink(ctl->path);
	}
	mem_deref(ctl->loop);
}

/* A socket file left by a gateway that died is replaced; one that still
 * answers belongs to a running gateway, and taking it would orphan it. */
static int path_claim(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0)
		return EADDRINUSE;
	if (errno == ECONNREFUSED)
		unlink(sa->sun_path);
	return 0;
}

static int ctl_listen(struct ctl *ctl, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int rc = path_claim(&sa);
	if (rc)
		return rc;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		return errno;
	/* Bind with a umask so the file is 0600 from its first instant. */
	mode_t old = umask(0177);
	rc = bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
	umask(old);
	if (!rc && listen(ctl->fd, 8))
		rc = errno;
	if (rc) {
		close(ctl->fd);
		ctl->fd = -1;
		return rc;
	}
	strcpy(ctl->path, path);
	return loop_fd_add(ctl->loop, ctl->fd, EPOLLIN, accept_handler, ctl);
}

int ctl_alloc(struct ctl **ctlp, struct loop *loop, const char *path)
{
	struct ctl *ctl = mem_zalloc(sizeof(*ctl), ctl_destroy);
	if (!ctl)
		return ENOMEM;
	ctl->loop = mem_ref(loop);
	ctl->fd = -1;
	list_init(&ctl->cmds);
	list_init(&ctl->clients);
	int rc = ctl_listen(ctl, path);
	if (!rc)
		rc = ctl_cmd_add(ctl, "help", "", "list the commands", cmd_help, ctl);
	if (rc) {
		LOGE(LC_CTL, NULL, "control socket %s: %s", path, strerror(rc));
		mem_deref(ctl);
		return rc;
	}
	*ctlp = ctl;
	return 0;
}

int ctl_cmd_add(struct ctl *ctl, const char *name, const char *usage, const char *help,
		ctl_cmd_h *h, void *arg)
{
	if (strlen(name) >= sizeof(((struct ctl_cmd *)0)->name) || cmd_find(ctl, name))
		return EINVAL;
	struct ctl_cmd *cmd = calloc(1, sizeof(*cmd));
	if (!cmd)
		return ENOMEM;
	snprintf(cmd->name, sizeof(cmd->name), "%s", name);
	snprintf(cmd->usage, sizeof(cmd->usage), "%s", usage ? usage : "");
	snprintf(cmd->help, sizeof(cmd->help), "%s", help ? help : "");
	cmd->h = h;
	cmd->arg = arg;
	list_append(&ctl->cmds, &cmd->le);
	return 0;
}

unsigned ctl_client_count(const struct ctl *ctl)
{
	return ctl->n_clients;
}
