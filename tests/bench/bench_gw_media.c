/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RTP side of the media benchmark through the daemon
 * (bench_gw_media.sh): a generator and receiver for N calls' G.711 audio.
 *
 *   bench_gw_media LOGFILE N WARM_S SECS_S GW_PID
 *
 * It binds 127.0.0.1 on an ephemeral even port P (and P + 1, where the
 * gateway's RTCP goes) and prints P on its first line; the signalling
 * (SIPp) offers c=127.0.0.1 m=audio P for every call and writes each
 * answer's RTP port as a line "<call> <port>" into LOGFILE.  Once N ports
 * are there it prints "up" and sends every call 50 PCMA packets a second
 * of 160 bytes (20 ms, RFC 3551), the calls' send times spread evenly over
 * the 20 ms, batched with sendmmsg, and reads what comes back with
 * recvmmsg, in 100 µs ticks (CLOCK_REALTIME, the clock of the kernel's
 * receive time stamps).
 *
 * The path measured: SIP side → the gateway's stream and jitter buffer →
 * its B-channel → the simulated E1 → the simulated PBX's echo (test number
 * 7xxxxxx) → back over the E1 → the gateway → RTP → us.  The payload is ten
 * 16-byte records (call, sequence, send time; see rec_put), so however the
 * 160-byte blocks of the TDM side fall across our packets (the PBX's and
 * the gateway's block boundaries are their own), whole records of every
 * packet come back; a packet counts as returned at the first record of it
 * that does.
 *
 * Its trip has a fixed part per call that is policy and line, not work:
 * the jitter buffer's playout delay (40 ms), whole 20 ms blocks in flight
 * on both spans and through the PBX's echo, and the phase of the call's
 * TDM clock against our sending.  So the "added" latency of a packet is
 * its trip minus the shortest trip of its call in the step: what the
 * gateway's work and scheduling add on top of that fixed part.  Two
 * choices make it the gateway's and not ours: a packet's time stamp is
 * when it was due, not when we got round to sending it (a late send still
 * makes the same TDM block as long as the jitter buffer holds it, and if
 * it does not, the packet is late or lost and that shows); and its
 * arrival is the kernel's receive time stamp (SO_TIMESTAMPNS), not when
 * we read it.  On the way in, the jitter buffer absorbs the gateway's
 * delays until they exceed it (then a packet is lost or 20 ms late); on
 * the way out (B-channel block → RTP) every delay shows.  The PBX's echo
 * runs on the gateway's core too, so this is an upper bound for the
 * gateway alone.  "lost": packets due in the window [WARM, WARM + SECS)
 * that never came back.
 *
 * Output, last line: "N sent lost trip_p50_ms added_p50_ms added_p99_ms
 * added_max_ms gw_cpu_pct gen_cpu_pct late_sends late_max_ms": gw_cpu_pct
 * is the daemon's CPU (from /proc/GW_PID/stat) over the window,
 * late_sends the packets due in the window that we sent more than 200 µs
 * after they were due, late_max_ms the latest of them: a late send counts
 * against the gateway (its time stamp is the due time), so a step whose
 * late_max comes near the jitter buffer's depth says more about us.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS	 100000ull
#define FRAME_NS 20000000ull
#define PAYLOAD	 160
#define PKT_LEN	 (12 + PAYLOAD)
#define REC	 16
#define BATCH	 64
#define HIST_US	 10
#define HIST_N	 20000 /* 200 ms in 10 µs buckets */
#define MAGIC	 0xa5

struct call {
	struct sockaddr_in dst;
	uint32_t seq;	   /* next to send */
	int64_t hi;	   /* highest sequence number seen back */
	uint64_t next_due; /* when the next packet is due */
	uint64_t min_trip;
	uint32_t ssrc;
};

struct sample {
	uint32_t call;
	uint32_t trip_us;
};

static struct call *calls;
static unsigned ncalls;
static struct sample *samples;
static size_t nsamples, maxsamples;
static uint64_t w0, w1; /* the measuring window */
static uint64_t sent_win, late_sends, late_max_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts); /* the kernel's receive stamps' clock */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* An even port P with P + 1 free too. */
static int bind_pair(int *fd1, uint16_t *port)
{
	for (int tries = 0; tries < 100; tries++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in a = {.sin_family = AF_INET};
		socklen_t len = sizeof(a);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
		    getsockname(fd, (struct sockaddr *)&a, &len))
			return -1;
		uint16_t p = ntohs(a.sin_port);
		*fd1 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		a.sin_port = htons((uint16_t)(p + 1));
		if (!(p & 1) && *fd1 >= 0 && !bind(*fd1, (struct sockaddr *)&a, sizeof(a))) {
			*port = p;
			return fd;
		}
		close(fd);
		if (*fd1 >= 0)
			close(*fd1);
	}
	return -1;
}

/* Wait (bounded, 120 s) for N "<call> <port>" lines. */
static int read_ports(const char *path)
{
	unsigned have = 0;
	for (int waited = 0; waited < 12000 && have < ncalls; waited++) {
		FILE *f = fopen(path, "r");
		char line[256];
		have = 0;
		while (f && fgets(line, sizeof(line), f) && have < ncalls) {
			unsigned c, port;
			if (sscanf(line, "%u %u", &c, &port) != 2 || !port || port > 65535)
				continue;
			struct call *k = &calls[have++];
			k->dst.sin_family = AF_INET;
			k->dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			k->dst.sin_port = htons((uint16_t)port);
		}
		if (f)
			fclose(f);
		if (have < ncalls)
			usleep(10000);
	}
	return have == ncalls ? 0 : -1;
}

/* A record: the magic byte, then call (16 bits), sequence (32), send time
 * in µs (40, modulo 2^40) and a check (8) over them, 7 bits to a byte with
 * the high bit set, and a pad byte.  Why 7 bits: the simulated PBX echoes
 * through linear samples, and DAHDI's A-law conversion turns 0x55 into
 * 0xd5 on the way (drivers/dahdi/law.c), so no record byte may be 0x55.
 * The check keeps bytes that only look like a record (two records'
 * halves) from being taken for one. */
struct rec {
	unsigned idx;
	uint32_t seq;
	uint64_t t_us;
};

static uint8_t rec_check(const struct rec *r)
{
	uint64_t h = 0xcbf29ce484222325ull;
	h = (h ^ r->idx) * 0x100000001b3ull;
	h = (h ^ r->seq) * 0x100000001b3ull;
	h = (h ^ r->t_us) * 0x100000001b3ull;
	return (uint8_t)(h ^ h >> 8 ^ h >> 16 ^ h >> 24 ^ h >> 32);
}

static void rec_put(uint8_t *p, const struct rec *r)
{
	/* 96 bits, high word first: idx 16 | seq 32 | t 40 | check 8 */
	uint64_t hi = (uint64_t)r->idx << 32 | r->seq;		      /* 48 bits */
	uint64_t lo = (r->t_us & 0xffffffffffull) << 8 | rec_check(r); /* 48 bits */
	p[0] = MAGIC;
	for (unsigned i = 0; i < 14; i++) {
		unsigned bit = 98 - 7 * (i + 1); /* of the 98-bit field, 2 spare on top */
		uint64_t v = bit >= 48 ? hi >> (bit - 48) : (hi << (48 - bit)) | (lo >> bit);
		p[1 + i] = (uint8_t)(0x80 | (v & 0x7f));
	}
	p[15] = 0x80;
}

static bool rec_get(const uint8_t *p, struct rec *r)
{
	uint64_t hi = 0, lo = 0;
	if (p[0] != MAGIC || p[15] != 0x80)
		return false;
	for (unsigned i = 0; i < 14; i++) {
		if (!(p[1 + i] & 0x80))
			return false;
		/* shift the 96-bit (hi:lo, 48 bits each) left by 7, add 7 bits */
		hi = (hi << 7 | lo >> 41) & 0xffffffffffffull;
		lo = (lo << 7 | (p[1 + i] & 0x7f)) & 0xffffffffffffull;
	}
	r->idx = (unsigned)(hi >> 32) & 0xffff;
	r->seq = (uint32_t)hi;
	r->t_us = lo >> 8;
	return r->idx < ncalls && (uint8_t)lo == rec_check(r);
}

static void packet(struct call *k, unsigned idx, uint8_t *pkt, uint64_t t)
{
	pkt[0] = 0x80;
	pkt[1] = 8; /* PCMA */
	pkt[2] = (uint8_t)(k->seq >> 8);
	pkt[3] = (uint8_t)k->seq;
	put32(pkt + 4, k->seq * PAYLOAD);
	put32(pkt + 8, k->ssrc);
	struct rec r = {idx, k->seq, (t / 1000) & 0xffffffffffull};
	for (unsigned i = 0; i < PAYLOAD / REC; i++)
		rec_put(pkt + 12 + i * REC, &r);
}

static void send_batch(int fd, struct mmsghdr *msg, unsigned n)
{
	for (unsigned off = 0; off < n;) {
		int r = sendmmsg(fd, msg + off, n - off, 0);
		if (r <= 0)
			break;
		off += (unsigned)r;
	}
}

/* Every packet due by `now`, in batches.  The calls' due times are
 * staggered in call order and all advance by one frame, so the next due
 * is always at the cursor: no scan over every call each tick.  At most
 * one packet per call a tick, as a late sender's catch-up would be. */
static void send_due(int fd, uint64_t now)
{
	static struct mmsghdr msg[BATCH];
	static struct iovec iov[BATCH];
	static uint8_t pkt[BATCH][PKT_LEN];
	static unsigned cursor;
	unsigned n = 0;

	for (unsigned done = 0; done < ncalls; done++) { /* a packet per call at most */
		unsigned i = cursor;
		struct call *k = &calls[i];
		if (k->next_due > now)
			break;
		cursor = (cursor + 1) % ncalls;
		bool in_win = k->next_due >= w0 && k->next_due < w1;
		if (in_win && now - k->next_due > 2 * TICK_NS)
			late_sends++;
		if (in_win && now - k->next_due > late_max_ns)
			late_max_ns = now - k->next_due;
		packet(k, i, pkt[n], k->next_due);
		iov[n] = (struct iovec){pkt[n], PKT_LEN};
		msg[n].msg_hdr = (struct msghdr){.msg_name = &k->dst,
						 .msg_namelen = sizeof(k->dst),
						 .msg_iov = &iov[n],
						 .msg_iovlen = 1};
		if (in_win)
			sent_win++;
		k->seq++;
		k->next_due += FRAME_NS;
		if (++n == BATCH) {
			send_batch(fd, msg, n);
			n = 0;
		}
	}
	send_batch(fd, msg, n);
}

static bool record_ok(const uint8_t *p)
{
	struct rec r;
	return rec_get(p, &r);
}

/* The records' phase in a payload: the first offset where a whole record
 * is followed by another whole record, or failing that the first whole
 * record.  Two in a row cannot be bytes that only look like a record (a
 * time stamp's), and the search stops early: it runs for every packet. */
static size_t record_phase(const uint8_t *pl, size_t n)
{
	size_t first = n;
	for (size_t a = 0; a < REC && a + REC <= n; a++) {
		if (!record_ok(pl + a))
			continue;
		if (a + 2 * REC > n || record_ok(pl + a + REC))
			return a;
		if (first == n)
			first = a;
	}
	return first;
}

/* The records of one returned packet: the first record of each of our
 * packets to come back stamps its trip. */
static void returned(const uint8_t *buf, size_t len, uint64_t now)
{
	if (len < 12 || buf[0] >> 6 != 2 || (buf[1] & 0x7f) >= 72)
		return; /* not RTP (RTCP goes to the other port anyway) */
	size_t hl = 12 + 4u * (buf[0] & 0x0f);
	if (len < hl + REC)
		return;
	const uint8_t *pl = buf + hl;
	size_t n = len - hl, o = record_phase(pl, n);
	for (; o + REC <= n; o += REC) {
		struct rec r;
		if (!rec_get(pl + o, &r))
			continue;
		unsigned idx = r.idx;
		uint32_t seq = r.seq;
		struct call *k = &calls[idx];
		/* The full send time: now's, less the trip (mod 2^40 µs). */
		uint64_t trip_us = ((now / 1000) - r.t_us) & 0xffffffffffull;
		uint64_t t = (now / 1000 - trip_us) * 1000; /* due times are whole µs */
		if ((int64_t)seq <= k->hi || seq >= k->seq || trip_us > 10000000)
			continue;
		k->hi = seq;
		if (t < w0 || t >= w1)
			continue;
		uint64_t trip = now - t;
		if (trip < k->min_trip)
			k->min_trip = trip;
		if (nsamples < maxsamples)
			samples[nsamples++] = (struct sample){idx, (uint32_t)(trip / 1000)};
	}
}

/* When the packet reached our socket (SO_TIMESTAMPNS), so that our own
 * scheduling on a busy machine does not count as the gateway's delay. */
static uint64_t rx_stamp(struct msghdr *mh, uint64_t fallback)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		}
	}
	return fallback;
}

static void recv_all(int fd)
{
	static struct mmsghdr msg[BATCH];
	static struct iovec iov[BATCH];
	static uint8_t buf[BATCH][512];
	static uint8_t ctl[BATCH][CMSG_SPACE(sizeof(struct timespec))];

	for (;;) {
		for (unsigned i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){buf[i], sizeof(buf[i])};
			msg[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i],
							 .msg_iovlen = 1,
							 .msg_control = ctl[i],
							 .msg_controllen = sizeof(ctl[i])};
		}
		int r = recvmmsg(fd, msg, BATCH, MSG_DONTWAIT, NULL);
		if (r <= 0)
			return;
		uint64_t now = now_ns();
		for (int i = 0; i < r; i++)
			returned(buf[i], msg[i].msg_len, rx_stamp(&msg[i].msg_hdr, now));
	}
}

static void drain(int fd)
{
	uint8_t buf[512];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static double proc_cpu_s(int pid)
{
	char path[64], text[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	const char *p = strrchr(text, ')');
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static double pct_of(uint32_t *v, size_t n, double q)
{
	if (!n)
		return 0;
	size_t i = (size_t)(q * (double)(n - 1));
	return v[i] / 1000.0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void report(int gw_pid, double gw_cpu, double gen_cpu, double secs)
{
	uint32_t *trip = malloc(sizeof(*trip) * (nsamples + 1));
	uint32_t *added = malloc(sizeof(*added) * (nsamples + 1));
	if (!trip || !added)
		exit(1);
	for (size_t i = 0; i < nsamples; i++) {
		trip[i] = samples[i].trip_us;
		added[i] = samples[i].trip_us - (uint32_t)(calls[samples[i].call].min_trip / 1000);
	}
	qsort(trip, nsamples, sizeof(*trip), cmp_u32);
	qsort(added, nsamples, sizeof(*added), cmp_u32);
	long long lost = (long long)sent_win - (long long)nsamples;
	printf("%u %llu %lld %.2f %.3f %.3f %.3f %.1f %.1f %llu %.3f\n", ncalls,
	       (unsigned long long)sent_win, lost, pct_of(trip, nsamples, 0.5),
	       pct_of(added, nsamples, 0.5), pct_of(added, nsamples, 0.99),
	       nsamples ? added[nsamples - 1] / 1000.0 : 0, gw_pid ? 100 * gw_cpu / secs : 0,
	       100 * gen_cpu / secs, (unsigned long long)late_sends, late_max_ns / 1e6);
	free(trip);
	free(added);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: bench_gw_media LOGFILE N WARM_S SECS_S GW_PID\n");
		return 2;
	}
	ncalls = (unsigned)atoi(argv[2]);
	double warm = atof(argv[3]), secs = atof(argv[4]);
	int gw_pid = atoi(argv[5]);
	if (!ncalls || ncalls > 65535 || warm < 0 || secs <= 0)
		return 2;
	int fd1, fd;
	uint16_t port;
	int big = 32 << 20;
	if ((fd = bind_pair(&fd1, &port)) < 0) {
		perror("bench_gw_media: bind");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	printf("%u\n", port);
	fflush(stdout);
	calls = calloc(ncalls, sizeof(*calls));
	maxsamples = (size_t)(ncalls * (secs + 1) * 50) + 1;
	samples = malloc(sizeof(*samples) * maxsamples);
	if (!calls || !samples || read_ports(argv[1])) {
		fprintf(stderr, "bench_gw_media: the calls did not all come up\n");
		return 1;
	}
	printf("up\n");
	fflush(stdout);
	uint64_t t0 = now_ns() / 1000 * 1000; /* whole µs, as records carry them */
	for (unsigned i = 0; i < ncalls; i++) {
		calls[i].next_due = t0 + FRAME_NS * i / ncalls / 1000 * 1000;
		calls[i].hi = -1;
		calls[i].min_trip = UINT64_MAX;
		calls[i].ssrc = 0x5eed0000u + i;
	}
	w0 = t0 + (uint64_t)(warm * 1e3) * 1000000;
	w1 = w0 + (uint64_t)(secs * 1e6) * 1000;
	uint64_t end = w1 + 400000000ull; /* the window's last packets come back */
	double gw_cpu = 0, gen_cpu = 0;
	int phase = 0; /* 0 before the window, 1 in it, 2 after */
	struct timespec ts;
	for (uint64_t t = t0; t < end; t += TICK_NS) {
		ts.tv_sec = (time_t)(t / 1000000000ull);
		ts.tv_nsec = (long)(t % 1000000000ull);
		clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
		uint64_t now = now_ns();
		if (phase == 0 && now >= w0) {
			phase = 1;
			gw_cpu = -(gw_pid ? proc_cpu_s(gw_pid) : 0);
			gen_cpu = -self_cpu_s();
		} else if (phase == 1 && now >= w1) {
			phase = 2;
			gw_cpu += gw_pid ? proc_cpu_s(gw_pid) : 0;
			gen_cpu += self_cpu_s();
		}
		/* Sending goes on a little past the window, so the jitter
		 * buffers do not run dry while its last packets come back. */
		if (now < w1 + 100000000ull)
			send_due(fd, now);
		recv_all(fd);
		drain(fd1);
	}
	report(gw_pid, gw_cpu, gen_cpu, secs);
	return 0;
}
