/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Named sockets for remote far ends: a span listens at a path (and takes
 * one far end at a time) or connects to one.  The link itself is
 * sim_remote.c; this only produces the connected SOCK_SEQPACKET socket.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "sim/sim_int.h"

struct sim_listener {
	struct sim_span *span;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static int sock_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!path || !*path || strlen(path) >= sizeof(sa->sun_path))
		return ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

static void listener_accept(int fd, uint32_t events, void *arg)
{
	struct sim_listener *l = arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int err;

	(void)events;
	if (c < 0)
		return;
	err = sim_span_remote(l->span, c); /* closes c on failure */
	if (err)
		LOGW(LC_SIM, l->span->name, "far end at %s refused: %s", l->path, strerror(err));
	else
		LOGI(LC_SIM, l->span->name, "far end connected at %s", l->path);
}

static void listener_destroy(void *data)
{
	struct sim_listener *l = data;

	if (l->fd < 0)
		return;
	loop_fd_del(l->span->sim->loop, l->fd);
	close(l->fd);
	unlink(l->path);
}

void sim_listener_free(struct sim_span *span)
{
	span->listener = mem_deref(span->listener);
}

/* Remove what is at `path` only if it is a socket (a stale listener). */
static void sock_unlink_stale(const char *path)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
}

int sim_span_listen(struct sim_span *span, const char *path)
{
	struct sim_listener *l;
	struct sockaddr_un sa;
	int err = sock_addr(&sa, path);

	if (err)
		return err;
	if (span->listener || span->peer)
		return EBUSY;
	l = mem_zalloc(sizeof(*l), listener_destroy);
	if (!l)
		return ENOMEM;
	l->span = span;
	memcpy(l->path, sa.sun_path, sizeof(l->path));
	sock_unlink_stale(path);
	l->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(l->fd, 1) < 0)
		err = errno;
	if (!err)
		err = loop_fd_add(span->sim->loop, l->fd, EPOLLIN, listener_accept, l);
	if (err) {
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
		mem_deref(l);
		return err;
	}
	span->listener = l;
	LOGI(LC_SIM, span->name, "listening for a far end at %s", path);
	return 0;
}

int sim_span_connect(struct sim_span *span, const char *path)
{
	struct sockaddr_un sa;
	int err = sock_addr(&sa, path), fd;

	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	/* a UNIX-domain connect completes at once or fails */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	return sim_span_remote(span, fd);
}
