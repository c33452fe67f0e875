/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sim's system call table: simulated fds for /dev/dahdi/channel and
 * /dev/dahdi/ctl, with DAHDI's read/write semantics (dahdi-base.c
 * dahdi_chan_read/dahdi_chan_write): ELAST while an event waits, EAGAIN
 * when nothing to read or no free buffer, at most one buffer per call.
 * Every fd behaves as if opened O_NONBLOCK: the sim runs in the caller's
 * thread and must never block it.
 */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "drivers/dahdi/dahdi.h"
#include "drivers/dahdi/law.h"
#include "sim/sim_int.h"

static struct sim_file *sim_file_get(struct sim *sim, int fd)
{
	unsigned idx = (unsigned)fd - SIM_FD_BASE;

	if (fd < SIM_FD_BASE || idx >= SIM_MAX_FILES)
		return NULL;
	return sim->files[idx];
}

static int sim_fail(int err)
{
	errno = err;
	return -1;
}

static int sim_open(void *ctx, const char *path, int flags)
{
	struct sim *sim = ctx;
	struct sim_file *f;
	unsigned i, idx;
	bool ctl;

	(void)flags;
	if (!strcmp(path, DAHDI_PATH_CHANNEL))
		ctl = false;
	else if (!strcmp(path, DAHDI_PATH_CTL))
		ctl = true;
	else
		return sim_fail(ENOENT);
	for (i = 0; i < SIM_MAX_FILES; i++) {
		idx = (sim->nfiles_hint + i) % SIM_MAX_FILES;
		if (!sim->files[idx])
			break;
	}
	if (i == SIM_MAX_FILES)
		return sim_fail(EMFILE);
	f = mem_zalloc(sizeof(*f), NULL);
	if (!f)
		return sim_fail(ENOMEM);
	f->fd = (int)(SIM_FD_BASE + idx);
	f->ctl = ctl;
	sim->files[idx] = f;
	sim->nfiles_hint = (idx + 1) % SIM_MAX_FILES;
	return f->fd;
}

static void sim_file_free(struct sim *sim, struct sim_file *f)
{
	if (f->chan) {
		f->chan->file = NULL;
		if (!f->chan->hdlc)
			f->chan->span->nopen_audio--;
		sim_chan_reset(f->chan);
	}
	sim->files[(unsigned)f->fd - SIM_FD_BASE] = NULL;
	mem_deref(f);
}

static int sim_close(void *ctx, int fd)
{
	struct sim *sim = ctx;
	struct sim_file *f = sim_file_get(sim, fd);

	if (!f)
		return sim_fail(EBADF);
	sim_file_free(sim, f);
	return 0;
}

void sim_files_close_all(struct sim *sim)
{
	unsigned i;

	for (i = 0; i < SIM_MAX_FILES; i++)
		if (sim->files[i])
			sim_file_free(sim, sim->files[i]);
}

/* Channel fd checks shared by read and write; 0 or an errno. */
static int sim_rw_check(struct sim_file *f, size_t len)
{
	if (!f)
		return EBADF;
	if (!f->chan)
		return EINVAL; /* ctl, or channel not yet specified */
	if (!len)
		return EINVAL;
	if (f->chan->ev_in != f->chan->ev_out)
		return ELAST;
	return 0;
}

static ssize_t sim_read(void *ctx, int fd, void *buf, size_t len)
{
	struct sim *sim = ctx;
	struct sim_file *f = sim_file_get(sim, fd);
	int err = sim_rw_check(f, len), n, i;
	struct sim_chan *ch;
	int16_t *lin = buf;

	if (err)
		return sim_fail(err);
	ch = f->chan;
	len &= 0xffff; /* as dahdi_chan_read */
	if (!ch->linear)
		n = sim_dbuf_rx_take(&ch->rx, buf, (unsigned)len);
	else
		n = sim_dbuf_rx_take(&ch->rx, sim->scratch,
				     (unsigned)(len / 2 < SIM_CHUNK_MAX ? len / 2 : SIM_CHUNK_MAX));
	if (n < 0)
		return sim_fail(EAGAIN);
	if (ch->linear) {
		for (i = n - 1; i >= 0; i--)
			lin[i] = law_dahdi_xlaw((enum tdm_law)ch->law, sim->scratch[i]);
		return (ssize_t)n * 2;
	}
	return n;
}

static ssize_t sim_write(void *ctx, int fd, const void *buf, size_t len)
{
	struct sim *sim = ctx;
	struct sim_file *f = sim_file_get(sim, fd);
	int err = sim_rw_check(f, len), n;
	struct sim_chan *ch;
	const int16_t *lin = buf;
	size_t i, amnt;

	if (err)
		return sim_fail(err);
	ch = f->chan;
	if (ch->tx.in < 0)
		return sim_fail(EAGAIN);
	if (!ch->linear)
		return sim_dbuf_tx_put(&ch->tx, buf, (unsigned)(len < 0xffff ? len : 0xffff),
				       ch->txpolicy);
	/* linear: at most one buffer of samples, as DAHDI cuts at 2 x blocksize */
	amnt = len / 2;
	if (amnt > ch->blocksize)
		amnt = ch->blocksize;
	if (amnt > SIM_CHUNK_MAX)
		amnt = SIM_CHUNK_MAX;
	for (i = 0; i < amnt; i++)
		sim->scratch[i] = law_dahdi_lin2x((enum tdm_law)ch->law, lin[i]);
	n = sim_dbuf_tx_put(&ch->tx, sim->scratch, (unsigned)amnt, ch->txpolicy);
	return n < 0 ? sim_fail(EAGAIN) : (ssize_t)n * 2;
}

static int sim_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct sim *sim = ctx;
	struct sim_file *f = sim_file_get(sim, fd);
	int err;

	if (!f)
		return sim_fail(EBADF);
	if (!arg)
		return sim_fail(EFAULT);
	if (f->chan)
		err = sim_ioctl_chan(f, req, arg);
	else
		err = sim_ioctl_common(sim, f, req, arg);
	return err ? sim_fail(err) : 0;
}

static int sim_watch(void *ctx, struct loop *loop, int fd, uint32_t events, loop_fd_h *h, void *arg)
{
	struct sim *sim = ctx;
	struct sim_file *f = sim_file_get(sim, fd);

	(void)loop;
	if (!f)
		return sim_fail(EBADF);
	f->watch = events;
	if (h) {
		f->h = h;
		f->arg = arg;
	}
	if (!events) {
		f->h = NULL;
		f->arg = NULL;
		if (f->chan)
			list_unlink(&f->chan->ready_le);
		return 0;
	}
	if (f->chan)
		sim_chan_kick(f->chan); /* level-triggered: report what holds now */
	return 0;
}

void sim_sys_init(struct sim *sim)
{
	sim->sys.ctx = sim;
	sim->sys.open = sim_open;
	sim->sys.close = sim_close;
	sim->sys.ioctl = sim_ioctl;
	sim->sys.read = sim_read;
	sim->sys.write = sim_write;
	sim->sys.watch = sim_watch;
}
