/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client side of the control socket (strowger-ctl, tests); see ctl.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl.h"

/* The largest reply a client accepts: a CDR export of a busy day fits. */
#define CTL_REPLY_MAX (256u << 20)

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_all(int fd, char *p, size_t n)
{
	while (n) {
		ssize_t r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? errno : EPROTO;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Read the header line "OK <n>" / "ERR <n>" byte by byte (it is short). */
static int read_header(int fd, int *ok, size_t *len)
{
	char hdr[32];
	size_t i = 0;
	for (;;) {
		if (i == sizeof(hdr) - 1)
			return EPROTO;
		int rc = recv_all(fd, &hdr[i], 1);
		if (rc)
			return rc;
		if (hdr[i] == '\n')
			break;
		i++;
	}
	hdr[i] = '\0';
	unsigned long long n;
	char word[4];
	if (sscanf(hdr, "%3s %llu", word, &n) != 2 || n > CTL_REPLY_MAX)
		return EPROTO;
	if (strcmp(word, "OK") && strcmp(word, "ERR"))
		return EPROTO;
	*ok = strcmp(word, "OK") == 0;
	*len = (size_t)n;
	return 0;
}

static int connect_to(const char *path, int *fdp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int rc = errno;
		close(fd);
		return rc;
	}
	*fdp = fd;
	return 0;
}

int ctl_request(const char *path, const char *line, char **body, int *ok)
{
	*body = NULL;
	int fd = -1;
	int rc = connect_to(path, &fd);
	if (rc)
		return rc;
	size_t len = 0;
	rc = send_all(fd, line, strlen(line));
	if (!rc)
		rc = send_all(fd, "\n", 1);
	if (!rc)
		rc = read_header(fd, ok, &len);
	char *buf = NULL;
	if (!rc) {
		buf = malloc(len + 1);
		rc = buf ? recv_all(fd, buf, len) : ENOMEM;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*body = buf;
	return 0;
}
