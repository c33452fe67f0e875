/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's part of relaying RTP, alone: the bound the media benchmark
 * (bench_gw_media.sh) is read against, measured in the same run on the
 * same core.
 *
 *   bench_udp_floor N
 *
 * Per call and per 20 ms the gateway receives one packet on the call's
 * socket and sends one from it; on loopback the send also runs the
 * receiving side's protocol work (the softirq delivering to the peer's
 * socket) on the sender's core.  So the least a core can spend per
 * packet pair is one sendto() of a 172-byte datagram (12 bytes of RTP
 * header, 160 of G.711) to a socket of its own plus one recv() of it, with
 * N sockets each way so that the kernel's tables and caches hold as many
 * as the gateway's do.  Nothing else runs: no polling, no timers, no
 * media work.  With 50 packets a second each way per call, the calls one
 * core could carry if it did nothing but this are
 *
 *     bound = 1 s / (50 × pair time)
 *
 * The pair time is the best of several rounds (this machine is shared:
 * the best round is the one least disturbed).
 *
 * Prints a small table and ends with
 *   RESULT udp_floor_pair_us <x> us
 *   RESULT udp_floor_calls_one_core <n> calls
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKT_LEN 172
#define ROUNDS	7
#define PASSES	40 /* per round: every socket sends and receives this often */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bind_loopback(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	*a = (struct sockaddr_in){.sin_family = AF_INET};
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)a, sizeof(*a)) ||
	    getsockname(fd, (struct sockaddr *)a, &len)) {
		perror("bench_udp_floor: socket");
		exit(1);
	}
	return fd;
}

/* One round: every sender sends its receiver a packet, every receiver
 * reads it, PASSES times.  Returns seconds per pair, or 0 on loss. */
static double round_pair_s(unsigned n, const int *tx, const int *rx,
			   const struct sockaddr_in *dst)
{
	unsigned char pkt[PKT_LEN] = {0x80, 8};
	double t0 = now_s();

	for (unsigned p = 0; p < PASSES; p++) {
		for (unsigned i = 0; i < n; i++)
			if (sendto(tx[i], pkt, sizeof(pkt), 0, (const struct sockaddr *)&dst[i],
				   sizeof(dst[i])) != PKT_LEN)
				return 0;
		for (unsigned i = 0; i < n; i++)
			if (recv(rx[i], pkt, sizeof(pkt), 0) != PKT_LEN)
				return 0;
	}
	return (now_s() - t0) / ((double)n * PASSES);
}

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
	if (n < 1 || n > 30000) {
		fprintf(stderr, "usage: bench_udp_floor N (sockets each way, 1..30000)\n");
		return 2;
	}
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	int *tx = calloc((size_t)n, sizeof(int)), *rx = calloc((size_t)n, sizeof(int));
	struct sockaddr_in *dst = calloc((size_t)n, sizeof(*dst));
	if (!tx || !rx || !dst)
		return 1;
	for (long i = 0; i < n; i++) {
		struct sockaddr_in a;
		tx[i] = bind_loopback(&a);
		rx[i] = bind_loopback(&dst[i]);
	}
	printf("%-6s %-7s %s\n", "round", "sockets", "pair_us");
	double best = 0;
	for (unsigned r = 0; r < ROUNDS; r++) {
		double s = round_pair_s((unsigned)n, tx, rx, dst);
		if (s == 0) {
			fprintf(stderr, "bench_udp_floor: a datagram was lost on loopback\n");
			return 1;
		}
		printf("%-6u %-7ld %.3f\n", r, n, s * 1e6);
		if (best == 0 || s < best)
			best = s;
	}
	printf("RESULT udp_floor_pair_us %.3f us\n", best * 1e6);
	printf("RESULT udp_floor_calls_one_core %.0f calls\n", 1.0 / (50.0 * best));
	return 0;
}
