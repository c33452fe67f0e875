/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A mailbox: calls posted from any thread, run on one loop's thread (see
 * media.h, "Threads").  The call layer posts "create / re-target / free
 * this stream" to a media worker's mailbox; a worker posts stream events
 * back to a mailbox on the signalling loop.  The mutex is held only to
 * link or unlink entries, never while a call runs, so it cannot order
 * anything across layers.
 *
 * An eventfd wakes the owning loop; it is read before the queue is taken,
 * so a post that races with a drain always leaves the eventfd readable.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/mem.h"
#include "media/media.h"

struct mbox_item {
	struct mbox_item *next;
	media_mbox_h *h;
	void *arg;
};

struct media_mbox {
	struct loop *loop;
	int efd;
	pthread_mutex_t mu;
	struct mbox_item *head, **tail;
};

static void mbox_free_list(struct mbox_item *it)
{
	while (it) {
		struct mbox_item *next = it->next;
		free(it);
		it = next;
	}
}

/* Calls still queued are dropped: their args belong to the poster. */
static void mbox_destroy(void *data)
{
	struct media_mbox *mb = data;

	if (mb->efd >= 0) {
		loop_fd_del(mb->loop, mb->efd);
		close(mb->efd);
	}
	mbox_free_list(mb->head);
	pthread_mutex_destroy(&mb->mu);
	mem_deref(mb->loop);
}

static void mbox_readable(int fd, uint32_t events, void *arg)
{
	struct media_mbox *mb = arg;
	uint64_t n;

	(void)events;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&mb->mu);
	struct mbox_item *it = mb->head;
	mb->head = NULL;
	mb->tail = &mb->head;
	pthread_mutex_unlock(&mb->mu);
	/* A call may free the mailbox: hold it until the batch is done. */
	mem_ref(mb);
	while (it) {
		struct mbox_item *next = it->next;
		it->h(it->arg);
		free(it);
		it = next;
	}
	mem_deref(mb);
}

int media_mbox_alloc(struct media_mbox **mbp, struct loop *loop)
{
	if (!mbp || !loop)
		return EINVAL;
	struct media_mbox *mb = mem_zalloc(sizeof(*mb), mbox_destroy);
	if (!mb)
		return ENOMEM;
	mb->loop = mem_ref(loop);
	mb->tail = &mb->head;
	pthread_mutex_init(&mb->mu, NULL);
	mb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int err = mb->efd < 0 ? errno : loop_fd_add(loop, mb->efd, EPOLLIN, mbox_readable, mb);
	if (err) {
		mem_deref(mb);
		return err;
	}
	*mbp = mb;
	return 0;
}

int media_mbox_post(struct media_mbox *mb, media_mbox_h *h, void *arg)
{
	if (!mb || !h)
		return EINVAL;
	struct mbox_item *it = malloc(sizeof(*it));
	if (!it)
		return ENOMEM;
	*it = (struct mbox_item){.h = h, .arg = arg};
	pthread_mutex_lock(&mb->mu);
	*mb->tail = it;
	mb->tail = &it->next;
	pthread_mutex_unlock(&mb->mu);
	uint64_t one = 1;
	/* Fails only if the counter would overflow: it is readable then. */
	(void)!write(mb->efd, &one, sizeof(one));
	return 0;
}
