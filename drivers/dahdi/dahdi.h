/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drivers/dahdi private parts shared by its files (tdm.c, span.c, chan.c).
 */
#ifndef STROWGER_DRIVERS_DAHDI_DAHDI_H
#define STROWGER_DRIVERS_DAHDI_DAHDI_H

#include <stdbool.h>
#include <dahdi/user.h>

#include "drivers/dahdi/sys.h"
#include "drivers/tdm.h"

#define DAHDI_PATH_CHANNEL "/dev/dahdi/channel"
#define DAHDI_PATH_CTL	   "/dev/dahdi/ctl"

struct tdm {
	struct loop *loop;
	const struct tdm_sys *sys;
};

/* Open /dev/dahdi/channel and bind it to `channo` (DAHDI_SPECIFY). */
int dahdi_chan_fd_open(struct tdm *tdm, unsigned channo, int *fdp);
int dahdi_ctl_fd_open(struct tdm *tdm, int *fdp);
void dahdi_fd_close(struct tdm *tdm, int *fdp);
/* ioctl through the seam: 0 or errno. */
int dahdi_ioctl(struct tdm *tdm, int fd, unsigned long req, void *arg);
int dahdi_watch(struct tdm *tdm, int fd, uint32_t events, loop_fd_h *h, void *arg);
/* DAHDI_GET_PARAMS for the fd's channel, or `channo` on a ctl fd. */
int dahdi_params_get(struct tdm *tdm, int fd, unsigned channo, struct dahdi_params *p);
/* DAHDI_GETEVENT, decoded.  0 with ev->type NONE when the queue is empty. */
int dahdi_event_get(struct tdm *tdm, int fd, struct tdm_ev *ev);
void dahdi_event_decode(int raw, struct tdm_ev *ev);
enum tdm_sig dahdi_sig_decode(int sigtype);
/* Span alarms by DAHDI_SPANSTAT (0 if the ioctl fails). */
unsigned dahdi_span_alarms(struct tdm *tdm, int fd, unsigned spanno);

#endif
