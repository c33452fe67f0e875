/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A DNS server for tests (RFC 1035 wire format); see dns_fake.h. */
#include "dns_fake.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"

struct dns_fake {
	struct loop *loop;
	int fd;
	const struct dns_rr *rrs;
	unsigned n, queries;
};

struct buf {
	uint8_t b[1500];
	size_t n;
};

static void put8(struct buf *o, unsigned v) { if (o->n < sizeof(o->b)) o->b[o->n++] = (uint8_t)v; }
static void put16(struct buf *o, unsigned v) { put8(o, v >> 8); put8(o, v & 0xff); }

static void put_name(struct buf *o, const char *name)
{
	while (*name) {
		size_t l = strcspn(name, ".");
		put8(o, (unsigned)l);
		for (size_t i = 0; i < l; i++)
			put8(o, (uint8_t)name[i]);
		name += l + (name[l] == '.');
	}
	put8(o, 0);
}

static void put_str(struct buf *o, const char *s)
{
	put8(o, (unsigned)strlen(s));
	while (*s)
		put8(o, (uint8_t)*s++);
}

static void put_rdata(struct buf *o, int type, const char *data)
{
	size_t len_at = o->n;
	put16(o, 0);
	char a[64], b[64], c[256];
	unsigned x, y, z;
	if (type == 1) {
		uint8_t v[4];
		inet_pton(AF_INET, data, v);
		for (int i = 0; i < 4; i++)
			put8(o, v[i]);
	} else if (type == 28) {
		uint8_t v[16];
		inet_pton(AF_INET6, data, v);
		for (int i = 0; i < 16; i++)
			put8(o, v[i]);
	} else if (type == 33 && sscanf(data, "%u %u %u %255s", &x, &y, &z, c) == 4) {
		put16(o, x);
		put16(o, y);
		put16(o, z);
		put_name(o, strcmp(c, ".") ? c : "");
	} else if (type == 35 && sscanf(data, "%u %u %63s %63s %255s", &x, &y, a, b, c) == 5) {
		put16(o, x);
		put16(o, y);
		put_str(o, a);
		put_str(o, b);
		put_str(o, "");
		put_name(o, c);
	}
	size_t len = o->n - len_at - 2;
	o->b[len_at] = (uint8_t)(len >> 8);
	o->b[len_at + 1] = (uint8_t)len;
}

/* The question's name as text; returns the offset after QTYPE/QCLASS. */
static size_t question(const uint8_t *q, size_t n, char *name, size_t size, int *type)
{
	size_t i = 12, w = 0;
	while (i < n && q[i]) {
		unsigned l = q[i++];
		if (i + l > n || w + l + 1 >= size)
			return 0;
		if (w)
			name[w++] = '.';
		memcpy(name + w, q + i, l);
		w += l;
		i += l;
	}
	name[w] = '\0';
	if (i + 5 > n)
		return 0;
	*type = q[i + 1] << 8 | q[i + 2];
	return i + 5;
}

static int special(const struct dns_fake *d, const char *name)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->rrs[i].type == 0 && strcasecmp(d->rrs[i].name, name) == 0)
			return strcmp(d->rrs[i].data, "drop") == 0 ? -1 : 2; /* rcode */
	return 0;
}

static void answer(struct dns_fake *d, const uint8_t *q, size_t qn, struct buf *o)
{
	char name[256];
	int type;
	size_t end = question(q, qn, name, sizeof(name), &type);
	if (!end)
		return;
	unsigned ancount = 0, known = 0;
	memcpy(o->b, q, end);
	o->n = end;
	for (unsigned i = 0; i < d->n; i++) {
		if (strcasecmp(d->rrs[i].name, name) != 0)
			continue;
		known++;
		if (d->rrs[i].type != type)
			continue;
		put16(o, 0xc00c); /* the question's name */
		put16(o, (unsigned)type);
		put16(o, 1);
		put16(o, 0);
		put16(o, 60);
		put_rdata(o, type, d->rrs[i].data);
		ancount++;
	}
	int rc = special(d, name);
	o->b[2] = 0x84 | (q[2] & 0x01); /* QR, AA, RD copied */
	o->b[3] = (uint8_t)(rc > 0 ? rc : known ? 0 : 3);
	o->b[6] = (uint8_t)(ancount >> 8);
	o->b[7] = (uint8_t)ancount;
	o->b[8] = o->b[9] = o->b[10] = o->b[11] = 0;
	if (rc < 0)
		o->n = 0;
}

static void readable(int fd, uint32_t events, void *arg)
{
	struct dns_fake *d = arg;
	(void)events;
	uint8_t q[512];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	if (n < 12)
		return;
	d->queries++;
	struct buf o = { .n = 0 };
	answer(d, q, (size_t)n, &o);
	if (o.n)
		sendto(fd, o.b, o.n, 0, (struct sockaddr *)&from, fl);
}

int dns_fake_start(struct dns_fake **dp, struct loop *loop, const struct dns_rr *rrs, unsigned n,
		   uint16_t *port)
{
	struct dns_fake *d = calloc(1, sizeof(*d));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	if (!d)
		return ENOMEM;
	d->loop = loop;
	d->rrs = rrs;
	d->n = n;
	d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(d->fd, (struct sockaddr *)&sa, &sl) ||
	    loop_fd_add(loop, d->fd, EPOLLIN, readable, d)) {
		if (d->fd >= 0)
			close(d->fd);
		free(d);
		return EIO;
	}
	*port = ntohs(sa.sin_port);
	*dp = d;
	return 0;
}

void dns_fake_stop(struct dns_fake *d)
{
	loop_fd_del(d->loop, d->fd);
	close(d->fd);
	free(d);
}

unsigned dns_fake_queries(const struct dns_fake *d)
{
	return d->queries;
}
