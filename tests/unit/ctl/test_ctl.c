/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests: the control socket server and client (src/ctl).  Raw clients
 * send bytes and the test turns the loop, so every exchange is
 * deterministic; one test runs the blocking ctl_request() in a thread.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "ctl/ctl.h"
#include "sg_test.h"

static struct loop *loop;
static struct ctl *ctl;
static char dir[] = "/tmp/sg-ctl-XXXXXX";
static char path[128];

static int cmd_echo(struct ctl_out *out, int argc, char **argv, void *arg)
{
	(void)arg;
	for (int i = 1; i < argc; i++)
		ctl_printf(out, "%s%s", argv[i], i + 1 < argc ? " " : "\n");
	return 0;
}

static int cmd_fail(struct ctl_out *out, int argc, char **argv, void *arg)
{
	(void)out;
	(void)argc;
	(void)argv;
	(void)arg;
	return ENOENT; /* no message: the server words it */
}

static int cmd_big(struct ctl_out *out, int argc, char **argv, void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	for (int i = 0; i < 100000; i++)
		ctl_printf(out, "line %06d\n", i);
	return 0;
}

static void setup(void)
{
	sg_test_begin();
	log_capture_start();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	struct clk *clk;
	cr_assert_eq(clk_alloc(&clk, CLK_VIRTUAL), 0);
	cr_assert_eq(loop_alloc(&loop, clk), 0);
	mem_deref(clk);
	cr_assert_eq(ctl_alloc(&ctl, loop, path), 0);
	cr_assert_eq(ctl_cmd_add(ctl, "echo", "WORDS...", "say it back", cmd_echo, NULL), 0);
	cr_assert_eq(ctl_cmd_add(ctl, "fail", "", "always fails", cmd_fail, NULL), 0);
	cr_assert_eq(ctl_cmd_add(ctl, "big", "", "a large reply", cmd_big, NULL), 0);
}

static void teardown(void)
{
	mem_deref(ctl);
	sg_loop_check(loop);
	mem_deref(loop);
	log_capture_stop();
	rmdir(dir);
	sg_test_end();
}

TestSuite(ctl, .init = setup, .fini = teardown);

static int client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void turn(void)
{
	for (int i = 0; i < 8; i++)
		loop_run_once(loop, 0);
}

/* Read whatever the server has sent (non-blocking). */
static char *drain(int fd)
{
	static char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The framed form of a reply: "OK <n>\n" or "ERR <n>\n" and the body. */
static const char *framed(const char *status, const char *body)
{
	static char buf[4][512];
	static int next;
	char *b = buf[next++ % 4];
	snprintf(b, 512, "%s %zu\n%s", status, strlen(body), body);
	return b;
}

static char *cat3(const char *a, const char *b, const char *c)
{
	static char buf[2048];
	snprintf(buf, sizeof(buf), "%s%s%s", a, b, c);
	return buf;
}

static void send_str(int fd, const char *s)
{
	cr_assert_eq(send(fd, s, strlen(s), 0), (ssize_t)strlen(s));
}

Test(ctl, socket_file_is_mode_0600)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
}

Test(ctl, request_and_reply_with_byte_count)
{
	int fd = client();
	send_str(fd, "echo  hello\tworld\n");
	turn();
	cr_assert_str_eq(drain(fd), "OK 12\nhello world\n"); /* the wire form, spelt out once */
	close(fd);
	turn();
	cr_assert_eq(ctl_client_count(ctl), 0);
}

Test(ctl, several_requests_in_one_write_get_replies_in_order)
{
	int fd = client();
	send_str(fd, "echo a\r\necho b\nnope\n");
	turn();
	cr_assert_str_eq(drain(fd), cat3(framed("OK", "a\n"), framed("OK", "b\n"),
					 framed("ERR", "unknown command 'nope'; try 'help'\n")));
	close(fd);
	turn();
}

Test(ctl, errors_are_err_replies)
{
	int fd = client();
	send_str(fd, "fail\n\n");
	turn();
	cr_assert_str_eq(drain(fd), cat3(framed("ERR", "fail: No such file or directory\n"),
					 framed("ERR", "empty request; try 'help'\n"), ""));
	close(fd);
	turn();
}

Test(ctl, help_lists_commands)
{
	int fd = client();
	send_str(fd, "help\n");
	turn();
	const char *r = drain(fd);
	cr_assert(strstr(r, "echo WORDS...") && strstr(r, "say it back"), "%s", r);
	cr_assert(strstr(r, "help") && strstr(r, "big"), "%s", r);
	close(fd);
	turn();
}

Test(ctl, overlong_line_is_refused_and_closed)
{
	int fd = client();
	char big[CTL_LINE_MAX + 10];
	memset(big, 'x', sizeof(big));
	cr_assert_eq(send(fd, big, sizeof(big), 0), (ssize_t)sizeof(big));
	turn();
	cr_assert_str_eq(drain(fd), framed("ERR", "request line too long\n"));
	turn();
	cr_assert_eq(ctl_client_count(ctl), 0);
	/* Closed: FIN, or RST because the rest of the line was never read. */
	ssize_t r = recv(fd, big, 1, MSG_DONTWAIT);
	cr_assert(r == 0 || (r < 0 && errno == ECONNRESET), "recv %zd errno %d", r, errno);
	close(fd);
}

Test(ctl, nul_byte_is_refused)
{
	int fd = client();
	cr_assert_eq(send(fd, "echo a\0b\n", 9, 0), 9);
	turn();
	cr_assert(strstr(drain(fd), "NUL byte in request"));
	turn();
	cr_assert_eq(ctl_client_count(ctl), 0);
	close(fd);
}

Test(ctl, too_many_arguments)
{
	int fd = client();
	char line[256] = "echo";
	for (int i = 0; i < CTL_ARGS_MAX; i++)
		strcat(line, " a");
	strcat(line, "\n");
	send_str(fd, line);
	turn();
	const char *r = drain(fd);
	cr_assert(strncmp(r, "ERR ", 4) == 0 && strstr(r, "too many arguments"), "%s", r);
	close(fd);
	turn();
}

Test(ctl, client_limit)
{
	int fds[CTL_CLIENTS_MAX + 1];
	for (int i = 0; i <= CTL_CLIENTS_MAX; i++) {
		fds[i] = client();
		turn();
	}
	cr_assert_eq(ctl_client_count(ctl), CTL_CLIENTS_MAX);
	cr_assert(log_capture_has("refusing a client"));
	for (int i = 0; i <= CTL_CLIENTS_MAX; i++)
		close(fds[i]);
	turn();
	cr_assert_eq(ctl_client_count(ctl), 0);
}

Test(ctl, second_gateway_cannot_take_a_live_socket)
{
	struct ctl *other = NULL;
	cr_assert_eq(ctl_alloc(&other, loop, path), EADDRINUSE);
	cr_assert_null(other);
}

Test(ctl, stale_socket_file_is_replaced)
{
	mem_deref(ctl);
	/* A socket file with no listener, as a crashed gateway leaves it. */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	cr_assert_eq(ctl_alloc(&ctl, loop, path), 0);
}

struct req {
	const char *line;
	char *body;
	int ok, rc;
	volatile int done;
};

static void *requester(void *arg)
{
	struct req *r = arg;
	r->rc = ctl_request(path, r->line, &r->body, &r->ok);
	r->done = 1;
	return NULL;
}

/* A reply far larger than a socket buffer: sent as the socket drains. */
Test(ctl, blocking_client_gets_a_large_reply)
{
	struct req r = { .line = "big" };
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, requester, &r), 0);
	for (int i = 0; i < 2000000 && !r.done; i++)
		loop_run_once(loop, 0);
	pthread_join(t, NULL);
	cr_assert_eq(r.rc, 0);
	cr_assert(r.ok);
	cr_assert_eq(strlen(r.body), 100000 * 12);
	cr_assert(strncmp(r.body + 99999 * 12, "line 099999\n", 12) == 0);
	free(r.body);
	turn();
}

Test(ctl, client_reports_a_missing_gateway)
{
	char *body;
	int ok;
	cr_assert_eq(ctl_request("/nonexistent/ctl.sock", "help", &body, &ok), ENOENT);
	cr_assert_null(body);
}

Test(ctl, in_process_run_gives_the_reply_and_its_verdict)
{
	char *body = NULL;
	int ok = -1;
	cr_assert_eq(ctl_run(ctl, "echo in process", &body, &ok), 0);
	cr_assert_eq(ok, 1);
	cr_assert_str_eq(body, "in process\n");
	free(body);
	cr_assert_eq(ctl_run(ctl, "fail", &body, &ok), 0);
	cr_assert_eq(ok, 0);
	cr_assert(strstr(body, "fail: No such file or directory"), "%s", body);
	free(body);
	cr_assert_eq(ctl_run(ctl, "", &body, &ok), 0);
	cr_assert_eq(ok, 0, "an empty request is an error, as on the socket");
	free(body);
	cr_assert_eq(ctl_client_count(ctl), 0, "no client was made");
}
