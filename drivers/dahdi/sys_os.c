/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The production system call table: the kernel's DAHDI through libc.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drivers/dahdi/sys.h"

static int os_open(void *ctx, const char *path, int flags)
{
	(void)ctx;
	return open(path, flags | O_CLOEXEC);
}

static int os_close(void *ctx, int fd)
{
	(void)ctx;
	return close(fd);
}

static int os_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	(void)ctx;
	return ioctl(fd, req, arg);
}

static ssize_t os_read(void *ctx, int fd, void *buf, size_t len)
{
	(void)ctx;
	return read(fd, buf, len);
}

static ssize_t os_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	return write(fd, buf, len);
}

/* The first watch adds the fd, later ones modify it, 0 removes it. */
static int os_watch(void *ctx, struct loop *loop, int fd, uint32_t events, loop_fd_h *h, void *arg)
{
	int err;

	(void)ctx;
	if (!events) {
		loop_fd_del(loop, fd);
		return 0;
	}
	err = loop_fd_add(loop, fd, events, h, arg);
	if (err == EEXIST)
		err = loop_fd_mod(loop, fd, events);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static const struct tdm_sys sys_os = {
    .ctx = NULL,
    .open = os_open,
    .close = os_close,
    .ioctl = os_ioctl,
    .read = os_read,
    .write = os_write,
    .watch = os_watch,
};

const struct tdm_sys *tdm_sys_os(void)
{
	return &sys_os;
}
