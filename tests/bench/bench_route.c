/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route decisions per second.
 *
 * Builds 10,000-rule mapping files (prefixes only; and mixed: prefixes,
 * anchored regexes with captures, a few unanchored catch-all regexes at
 * the end), loads them, and decides numbers that hit rules all over the
 * file, timing CPU (CLOCK_PROCESS_CPUTIME_ID) for about a second each.
 * Then the same for the shipped examples in mapping/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "call/route.h"
#include "core/mem.h"

#define NRULES 10000
#define NNUMS  4096

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rand_digits(char *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = (char)('0' + rand() % 10);
	out[n] = '\0';
}

/* Rule i's literal head: unique, 4-7 digits. */
static void head(int i, char *out)
{
	snprintf(out, 12, "%d%0*d", 1 + i % 9, 3 + i % 4, i);
}

static char *make_file(int regex_percent, int n_catchall)
{
	char *text = NULL, h[16];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fputs("[trunk a]\n[trunk b]\n[group pri]\n", f);
	for (int i = 0; i < NRULES; i++) {
		head(i, h);
		fprintf(f, "[rule r%d]\ndir to-pstn\n", i);
		if (rand() % 100 < regex_percent)
			fprintf(f, "called regex ^%s([0-9]{2,8})$\nrewrite called +44$1\n", h);
		else
			fprintf(f, "called prefix %s\nstrip called 1\n", h);
		fprintf(f, "route %s\n", i % 3 ? "trunk a" : "group pri policy round-robin");
	}
	for (int i = 0; i < n_catchall; i++)
		fprintf(f, "[rule catch%d]\ncalled regex %d[0-9]*$\nroute trunk b\n", i, i);
	fclose(f);
	return text;
}

static double run(const struct route_set *set, struct route_ctx *ctx, int n, unsigned *matched)
{
	struct route_result r;
	double t0 = cpu_now(), t;
	unsigned long count = 0;

	*matched = 0;
	do {
		for (int i = 0; i < 8192; i++) {
			route_decide(set, &ctx[(count + (unsigned long)i) % (unsigned long)n], &r);
			if (r.verdict == ROUTE_ROUTE)
				(*matched)++;
		}
		count += 8192;
		t = cpu_now() - t0;
	} while (t < 1.0);
	return (double)count / t;
}

static double bench_generated(const char *label, int regex_percent, int n_catchall)
{
	struct route_ctx *ctx = calloc(NNUMS, sizeof(*ctx));
	struct route_set *set;
	struct route_diag d;
	char h[16], tail[16], num[40];
	unsigned matched;

	char *text = make_file(regex_percent, n_catchall);
	route_diag_init(&d);
	double t0 = cpu_now();
	if (route_set_parse(&set, "bench.map", text, NULL, &d)) {
		fprintf(stderr, "%s", d.text);
		exit(1);
	}
	double load_ms = (cpu_now() - t0) * 1e3;
	route_diag_reset(&d);
	free(text);
	for (int i = 0; i < NNUMS; i++) {
		route_ctx_init(&ctx[i]);
		if (i % 10 == 9) { /* one in ten matches no rule's head */
			rand_digits(num, 11);
		} else {
			head(rand() % NRULES, h);
			rand_digits(tail, 4);
			snprintf(num, sizeof(num), "%s%s", h, tail);
		}
		route_number_set(&ctx[i].called, num);
	}
	double rate = run(set, ctx, NNUMS, &matched);
	printf("%-34s %7u %9.1f %12.0f\n", label, route_set_rule_count(set), load_ms, rate);
	mem_deref(set);
	free(ctx);
	return rate;
}

static void bench_shipped(const char *dir, const char *file, const char *const *nums)
{
	char path[1024];
	struct route_set *set;
	struct route_diag d;
	struct route_ctx ctx[8];
	unsigned matched;
	int n = 0;

	snprintf(path, sizeof(path), "%s/mapping/%s", dir, file);
	route_diag_init(&d);
	if (route_set_load(&set, path, &d)) {
		fprintf(stderr, "%s", d.text ? d.text : "");
		exit(1);
	}
	route_diag_reset(&d);
	for (; nums[n] && n < 8; n++) {
		route_ctx_init(&ctx[n]);
		ctx[n].dir = nums[n][0] == '<' ? ROUTE_DIR_TO_SIP : ROUTE_DIR_TO_PSTN;
		route_number_set(&ctx[n].called, nums[n] + (nums[n][0] == '<'));
		route_number_set(&ctx[n].calling, "123");
		ctx[n].group = ctx[n].dir == ROUTE_DIR_TO_SIP ? "bt-pri" : NULL;
		ctx[n].trunk = ctx[n].dir == ROUTE_DIR_TO_PSTN ? "itsp" : NULL;
	}
	double rate = run(set, ctx, n, &matched);
	printf("%-34s %7u %9s %12.0f\n", file, route_set_rule_count(set), "-", rate);
	mem_deref(set);
}

int main(void)
{
	const char *dir = getenv("top_srcdir");
	static const char *const uk[] = {"+442079460123", "09098790000", "999", "<2079460123",
					 "0033142685300", "01632960001", NULL};
	static const char *const us[] = {"+12125550100", "911", "12125550100", "011442079460123",
					 NULL};
	static const char *const pbx[] = {"+442079460150", "+442079460200", "+441632960001", NULL};

#ifdef ABS_TOP_SRCDIR
	if (!dir)
		dir = ABS_TOP_SRCDIR;
#endif
	if (!dir)
		dir = ".";
	srand(1);
	printf("%-34s %7s %9s %12s\n", "rule set", "rules", "load ms", "decisions/s");
	double prefix = bench_generated("10k prefixes", 0, 0);
	double mixed = bench_generated("10k mixed (20% regex, 5 catch-all)", 20, 5);
	bench_shipped(dir, "uk-e164.map", uk);
	bench_shipped(dir, "us-e164.map", us);
	bench_shipped(dir, "pbx-pri.map", pbx);
	printf("RESULT route_decisions_per_second_10k_prefix_rules %.0f decisions/s\n", prefix);
	printf("RESULT route_decisions_per_second_10k_rules %.0f decisions/s\n", mixed);
	return 0;
}
