/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_sip: complete call cycles (INVITE/180/200/ACK/BYE/200) from SIPp
 * against an auto-answering UAS built on strowger's SIP layers, on loopback,
 * the UAS pinned to CPU 0 and sipp to CPU 1.
 *
 * RFC 7502 style: a rate counts only if every call succeeds (sipp exits 0,
 * every call ends with a 200 to its BYE) and nobody retransmitted (sipp's
 * counters and ours), sustained for the whole run.  Rates are tried from
 * the highest down; the first that passes gives the result, measured at the
 * UAS from the first INVITE to the last call's end:
 *
 *   RESULT sip_call_cycles_per_second <n> calls/s
 *
 *   bench_sip [-r max_rate] [-d seconds]      (defaults 7000, 10)
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sip/sip.h"

static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			  "t=0 0\r\nm=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";

/* This process's CPU time (user + system), in seconds: the UAS's cost per
 * call, which unlike calls/s does not depend on what else the machine runs. */
static double cpu_secs(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* First INVITE in, last call over: the span the UAS carried the load. */
static struct timespec first_invite, last_end;
static unsigned long n_invites, n_ended;

static void on_invite(struct sip_sess *s, const struct sip_msg *m, void *arg)
{
	(void)m, (void)arg;
	if (!n_invites++)
		clock_gettime(CLOCK_MONOTONIC, &first_invite);
	sip_sess_answer(s, 180, NULL, NULL, NULL);
	sip_sess_answer(s, 200, NULL, "application/sdp", sdp);
}

static void on_sess(struct sip_sess *s, enum sip_sess_ev ev, uint16_t st, const struct sip_msg *m,
		    void *arg)
{
	(void)s, (void)m, (void)arg;
	if (ev == SIP_EV_TERMINATED && st == 200) {
		n_ended++;
		clock_gettime(CLOCK_MONOTONIC, &last_end);
	}
}

static double secs_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

struct run {
	pid_t pid;
	int status;
	struct loop *loop;
};

static void child_done(int fd, uint32_t ev, void *arg)
{
	struct run *r = arg;
	(void)ev;

	waitpid(r->pid, &r->status, 0);
	loop_fd_del(r->loop, fd);
	close(fd);
	loop_stop(r->loop);
}

/* A UDP port the kernel just gave out, for sipp's control socket: a
 * formula on the pid collided with other programs' ports on a shared
 * machine (sipp then exits 254 before its first call). */
static unsigned free_udp_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	unsigned port = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port ? port : 20000 + (unsigned)getpid() % 20000;
}

static pid_t spawn_sipp(uint16_t port, unsigned rate, unsigned calls, const char *stf)
{
	char dst[32], r[16], m[16], cp[16];
	unsigned ctl_port = free_udp_port();
	pid_t pid;

	fflush(stdout);
	pid = fork();

	if (pid)
		return pid;
	pin(1);
	snprintf(dst, sizeof(dst), "127.0.0.1:%u", port);
	snprintf(r, sizeof(r), "%u", rate);
	snprintf(m, sizeof(m), "%u", calls);
	snprintf(cp, sizeof(cp), "%u", ctl_port);
	if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
		_exit(127);
	execlp("sipp", "sipp", dst, "-sn", "uac", "-i", "127.0.0.1", "-p", "0", "-r", r, "-m", m,
	       "-buff_size", "8388608", "-ci", "127.0.0.1", "-cp", cp, "-nostdin", "-timeout",
	       "120s", "-timeout_error", "-trace_stat", "-stf", stf, "-fd", "3600", (char *)NULL);
	_exit(127);
}

/* Sum sipp's retransmission counters from the last line of its stats file. */
static long sipp_retrans(const char *stf)
{
	char head[8192], line[8192], last[8192] = "";
	FILE *f = fopen(stf, "r");
	long total = 0;

	if (!f || !fgets(head, sizeof(head), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		strcpy(last, line);
	fclose(f);
	char *hs, *ls, *h = strtok_r(head, ";", &hs), *v = strtok_r(last, ";", &ls);

	for (; h && v; h = strtok_r(NULL, ";", &hs), v = strtok_r(NULL, ";", &ls))
		if (strstr(h, "Retrans") && strstr(h, "(C)"))
			total += atol(v);
	return total;
}

/* One sustained run at `rate`: 0 and the achieved rate, or -1. */
static int run_at(unsigned rate, unsigned secs, double *achieved)
{
	struct sip_handlers h = {.invite_h = on_invite, .sess_h = on_sess};
	struct sip_stack *stack = NULL;
	struct loop *loop = NULL;
	struct clk *clk = NULL;
	struct sip_conf conf;
	struct sip_stats st;
	struct run r = {0};
	uint16_t port;
	unsigned calls = rate * secs;
	char stf[64];
	int err, pfd, ok = -1;

	snprintf(stf, sizeof(stf), "/tmp/bench_sip_%d.csv", getpid());
	sip_conf_defaults(&conf);
	err = clk_alloc(&clk, CLK_REAL);
	err = err ? err : loop_alloc(&loop, clk);
	err = err ? err : sip_stack_alloc(&stack, loop, &conf, &h, NULL);
	err = err ? err : sip_stack_listen(stack, SIP_PROTO_UDP, "127.0.0.1", 0, &port);
	if (err) {
		fprintf(stderr, "bench_sip: %s\n", strerror(err));
		goto out;
	}
	n_invites = n_ended = 0;
	r.pid = spawn_sipp(port, rate, calls, stf);
	r.loop = loop;
	pfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
	if (r.pid < 0 || pfd < 0 || loop_fd_add(loop, pfd, EPOLLIN, child_done, &r)) {
		fprintf(stderr, "bench_sip: cannot start sipp\n");
		goto out;
	}
	double cpu0 = cpu_secs();
	loop_run(loop);
	double cpu = cpu_secs() - cpu0;
	double el = n_ended ? secs_between(&first_invite, &last_end) : 0;
	long sr = sipp_retrans(stf);

	sip_stack_stats(stack, &st);
	*achieved = el > 0 ? n_ended / el : 0;
	ok = WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 && sr == 0 &&
		     st.retransmissions == 0 && n_ended == calls
		 ? 0
		 : -1;
	printf("# rate %u: %lu of %u calls completed in %.2f s = %.0f calls/s, sipp exit %d, "
	       "retransmissions sipp %ld ours %llu, %.1f us CPU per call -> %s\n",
	       rate, n_ended, calls, el, *achieved,
	       WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1, sr,
	       (unsigned long long)st.retransmissions, n_ended ? cpu * 1e6 / (double)n_ended : 0,
	       ok ? "fail" : "pass");
	fflush(stdout);
out:
	unlink(stf);
	mem_deref(stack);
	mem_deref(loop);
	mem_deref(clk);
	return ok;
}

int main(int argc, char **argv)
{
	static const unsigned rates[] = {12000, 10000, 9000, 8000, 7000, 6500, 6000, 5500,
					 5000,	4500,  4000, 3000, 2000, 1000, 500};
	unsigned max = 7000, secs = 10;
	double got = 0;
	int c;

	while ((c = getopt(argc, argv, "r:d:")) != -1) {
		if (c == 'r')
			max = (unsigned)atoi(optarg);
		else if (c == 'd')
			secs = (unsigned)atoi(optarg);
		else
			return 2;
	}
	if (system("command -v sipp >/dev/null 2>&1")) {
		printf("# sipp not installed (apt-get install sip-tester)\n");
		return 0;
	}
	log_set_level_all(LL_ERROR);
	signal(SIGPIPE, SIG_IGN);
	pin(0);
	for (unsigned i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		if (rates[i] > max)
			continue;
		if (!run_at(rates[i], secs, &got)) {
			printf("RESULT sip_call_cycles_per_second %.0f calls/s\n", got);
			return 0;
		}
	}
	printf("RESULT sip_call_cycles_per_second 0 calls/s\n");
	return 1;
}
