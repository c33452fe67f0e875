/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system call seam under drivers/dahdi.
 *
 * drivers/dahdi reaches DAHDI only through this table, so the same driver
 * code runs on the kernel (tdm_sys_os) and on sim/ (sim_sys).  The entries
 * behave like their libc namesakes: they return -1 and set errno on failure
 * (EAGAIN, ELAST when a DAHDI event is waiting, EINVAL, ...), so a table is
 * either the real calls or a faithful stand-in.
 *
 * Readiness ("poll registration"): watch(fd, events, h, arg) asks for
 * h(fd, ready, arg) to be called, level-triggered, while any of `events`
 * (EPOLLIN, EPOLLPRI, EPOLLOUT from <sys/epoll.h>) holds; events 0 stops.
 * DAHDI reports a waiting event as POLLPRI, data as POLLIN and a free write
 * buffer as POLLOUT.  The OS table registers the fd with the loop's epoll;
 * the sim calls h itself after each tick, with no epoll and no descriptor
 * per channel.
 */
#ifndef STROWGER_DRIVERS_DAHDI_SYS_H
#define STROWGER_DRIVERS_DAHDI_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/loop.h"

struct tdm_sys {
	void *ctx;
	int (*open)(void *ctx, const char *path, int flags);
	int (*close)(void *ctx, int fd);
	int (*ioctl)(void *ctx, int fd, unsigned long req, void *arg);
	ssize_t (*read)(void *ctx, int fd, void *buf, size_t len);
	ssize_t (*write)(void *ctx, int fd, const void *buf, size_t len);
	int (*watch)(void *ctx, struct loop *loop, int fd, uint32_t events, loop_fd_h *h,
		     void *arg);
};

/* The real system calls; watch() uses loop_fd_add/mod/del. */
const struct tdm_sys *tdm_sys_os(void);

#endif
