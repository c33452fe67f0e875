/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strowger-map: check, test and explain mapping files (mapping/README.md).
 *
 *   strowger-map check FILE...      validate; exit 0 if every file is valid
 *   strowger-map test FILE...       run the test vectors; exit 1 on a mismatch
 *   strowger-map explain FILE --called N [--calling N] [--redirecting N]
 *        [--called-ton T] [--calling-ton T] [--presentation P]
 *        [--from trunk:NAME|group:NAME|span:N|addr:IP] [--dir to-pstn|to-sip]
 *   strowger-map explain CAUSEFILE (--q850 N | --sip N) [--trunk NAME]
 *   strowger-map digits FILE MAP NUMBER
 *
 * A file with [q850-to-sip] / [sip-to-q850] sections is a cause table;
 * anything else is a dial plan.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call/cause.h"
#include "call/route.h"
#include "core/mem.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: strowger-map check FILE...\n"
		"       strowger-map test FILE...\n"
		"       strowger-map explain FILE --called N [--calling N] [--redirecting N]\n"
		"            [--called-ton T] [--calling-ton T] [--presentation P]\n"
		"            [--from trunk:NAME|group:NAME|span:N|addr:IP] "
		"[--dir to-pstn|to-sip]\n"
		"       strowger-map explain CAUSEFILE (--q850 N | --sip N) [--trunk NAME]\n"
		"       strowger-map digits FILE MAP NUMBER\n");
	return 2;
}

static bool is_cause_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;
	bool yes = false;

	if (!f)
		return false;
	if (getdelim(&text, &cap, '\0', f) >= 0)
		yes = cause_text_is_table(text);
	free(text);
	fclose(f);
	return yes;
}

struct loaded {
	struct route_set *set;
	struct cause_map *causes;
};

static int load(const char *path, struct loaded *l)
{
	struct route_diag d;
	int err;

	route_diag_init(&d);
	memset(l, 0, sizeof(*l));
	if (is_cause_file(path))
		err = cause_map_load(&l->causes, path, &d);
	else
		err = route_set_load(&l->set, path, &d);
	if (d.text)
		fputs(d.text, stderr);
	route_diag_reset(&d);
	return err;
}

static void unload(struct loaded *l)
{
	mem_deref(l->set);
	mem_deref(l->causes);
}

static int cmd_check(int argc, char **argv)
{
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		struct loaded l;
		if (load(argv[i], &l)) {
			printf("%s: INVALID\n", argv[i]);
			rc = 1;
			continue;
		}
		if (l.set)
			printf("%s: OK (%u rules, %u tests)\n", argv[i],
			       route_set_rule_count(l.set), route_set_vector_count(l.set));
		else
			printf("%s: OK (cause table, variant %s)\n", argv[i],
			       cause_map_variant(l.causes));
		unload(&l);
	}
	return rc;
}

static int cmd_test(int argc, char **argv)
{
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		struct loaded l;
		char *rep = NULL;
		unsigned total = 0, failed;
		if (load(argv[i], &l)) {
			printf("%s: INVALID\n", argv[i]);
			rc = 1;
			continue;
		}
		failed = l.set ? route_vectors_run(l.set, &rep, &total)
			       : cause_vectors_run(l.causes, &rep, &total);
		if (rep)
			fputs(rep, stdout);
		printf("%s: %u/%u tests passed\n", argv[i], total - failed, total);
		if (failed)
			rc = 1;
		mem_deref(rep);
		unload(&l);
	}
	return rc;
}

enum { O_Q850 = 1, O_SIP, O_TRUNK, O_CTX };

static int explain_causes(const struct cause_map *m, long q850, long sip, const char *trunk)
{
	char reason[160];
	if (q850 > 0) {
		unsigned st = cause_to_sip(m, trunk, (unsigned)q850);
		if (st)
			printf("Q.850 cause %ld (%s) -> SIP %u\n", q850,
			       cause_text(m, (unsigned)q850), st);
		else
			printf("Q.850 cause %ld (%s) -> no response (the table maps it to "
			       "none)\n",
			       q850, cause_text(m, (unsigned)q850));
		if (!cause_reason_format(reason, sizeof(reason), (unsigned)q850,
					 cause_text(m, (unsigned)q850)))
			printf("Reason: %s\n", reason);
		return 0;
	}
	unsigned c = cause_from_sip(m, trunk, (unsigned)sip);
	printf("SIP %ld -> Q.850 cause %u (%s)\n", sip, c, c ? cause_text(m, c) : "no mapping");
	return 0;
}

static int cmd_explain(int argc, char **argv)
{
	/* The context options are route_ctx_option()'s names. */
	static const struct option opts[] = {
	    {"called", 1, NULL, O_CTX},	       {"calling", 1, NULL, O_CTX},
	    {"redirecting", 1, NULL, O_CTX},   {"called-ton", 1, NULL, O_CTX},
	    {"calling-ton", 1, NULL, O_CTX},   {"presentation", 1, NULL, O_CTX},
	    {"from", 1, NULL, O_CTX},	       {"dir", 1, NULL, O_CTX},
	    {"q850", 1, NULL, O_Q850},	       {"sip", 1, NULL, O_SIP},
	    {"trunk", 1, NULL, O_TRUNK},       {NULL, 0, NULL, 0}};
	struct route_ctx ctx;
	long q850 = 0, sip = 0;
	const char *trunk = NULL;
	int o, li = 0;

	route_ctx_init(&ctx);
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, &li)) != -1) {
		if (o == O_Q850 || o == O_SIP)
			*(o == O_Q850 ? &q850 : &sip) = strtol(optarg, NULL, 10);
		else if (o == O_TRUNK)
			trunk = optarg;
		else if (o == '?' || route_ctx_option(&ctx, opts[li].name, optarg)) {
			fprintf(stderr, "strowger-map: bad option value '%s'\n",
				o == '?' ? "" : optarg);
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	struct loaded l;
	if (load(argv[optind], &l))
		return 1;
	int rc = 0;
	if (l.causes) {
		rc = (q850 > 0) == (sip > 0) ? usage() : explain_causes(l.causes, q850, sip, trunk);
	} else if (!ctx.called.present) {
		rc = usage();
	} else {
		struct route_result res;
		char *trace = NULL;
		route_explain(l.set, &ctx, &res, &trace);
		fputs(trace ? trace : "", stdout);
		mem_deref(trace);
	}
	unload(&l);
	return rc;
}

static int cmd_digits(int argc, char **argv)
{
	static const char *const names[] = {"incomplete", "complete", "invalid"};
	struct loaded l;
	enum route_digits res;

	if (argc != 3)
		return usage();
	if (load(argv[0], &l) || !l.set) {
		unload(&l);
		return 1;
	}
	int err = route_digits_check(l.set, argv[1], argv[2], &res);
	if (err)
		fprintf(stderr, "strowger-map: no digit map '%s'\n", argv[1]);
	else
		printf("%s: %s\n", argv[2], names[res]);
	unload(&l);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "test"))
		return cmd_test(argc - 2, argv + 2);
	if (!strcmp(argv[1], "explain"))
		return cmd_explain(argc - 1, argv + 1);
	if (!strcmp(argv[1], "digits"))
		return cmd_digits(argc - 2, argv + 2);
	return usage();
}
