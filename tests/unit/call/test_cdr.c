/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: CDR store (src/call/cdr). */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call/cdr.h"
#include "core/log.h"
#include "core/mem.h"
#include "sg_test.h"

static char dir[] = "/tmp/sg-cdr-XXXXXX";
static char path[128];

static void setup(void)
{
	sg_test_begin();
	log_capture_start();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cdr.sqlite", dir);
}

static void teardown(void)
{
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) /* in .fini: Criterion would ignore an assertion */
		sg_fail_hard("cannot remove the test directory");
	log_capture_stop();
	sg_test_end();
}

TestSuite(cdr, .init = setup, .fini = teardown);

/* 2026-01-01T00:00:00Z in ns */
#define T0 (1767225600ull * 1000000000ull)

static struct cdr sample(void)
{
	struct cdr r = {
		.dir = CDR_TO_PSTN,
		.start = T0 + 1500000000ull,
		.answer = T0 + 3000000000ull,
		.end = T0 + 63250000000ull,
		.span = 1,
		.channel = 7,
		.q850_cause = 16,
		.sip_status = 200,
	};
	strcpy(r.node, "gw1");
	strcpy(r.call_id, "a84b4c76e66710@pc33.example.com");
	strcpy(r.calling_in, "+441632960001");
	strcpy(r.called_in, "2001234");
	strcpy(r.calling_out, "01632960001");
	strcpy(r.called_out, "2001234");
	strcpy(r.trunk, "carrier-a");
	strcpy(r.rule, "pbx-range");
	return r;
}

struct text {
	char buf[4096];
	size_t len;
};

static int collect(const char *line, void *arg)
{
	struct text *t = arg;
	size_t n = strlen(line);
	cr_assert(t->len + n < sizeof(t->buf));
	memcpy(t->buf + t->len, line, n + 1);
	t->len += n;
	return 0;
}

Test(cdr, write_then_export_csv)
{
	struct cdr_db *db;
	cr_assert_eq(cdr_db_open(&db, path, false), 0);
	struct cdr r = sample();
	cr_assert_eq(cdr_db_write(db, &r), 0);
	struct text t = { .len = 0 };
	cr_assert_eq(cdr_db_csv(db, 0, collect, &t), 0);
	cr_assert_str_eq(t.buf,
			 "node,call_id,direction,start_time,answer_time,end_time,duration_ms,"
			 "billsec_ms,calling_in,called_in,calling_out,called_out,trunk,span,"
			 "channel,q850_cause,sip_status,rule\r\n"
			 "gw1,a84b4c76e66710@pc33.example.com,to-pstn,2026-01-01T00:00:01.500Z,"
			 "2026-01-01T00:00:03.000Z,2026-01-01T00:01:03.250Z,61750,60250,"
			 "+441632960001,2001234,01632960001,2001234,carrier-a,1,7,16,200,"
			 "pbx-range\r\n");
	mem_deref(db);
}

Test(cdr, unanswered_call_has_no_answer_time_and_no_billsec)
{
	struct cdr_db *db;
	cr_assert_eq(cdr_db_open(&db, path, false), 0);
	struct cdr r = sample();
	r.answer = 0;
	r.q850_cause = 17;
	r.sip_status = 486;
	cr_assert_eq(cdr_db_write(db, &r), 0);
	struct text t = { .len = 0 };
	cr_assert_eq(cdr_db_csv(db, 0, collect, &t), 0);
	cr_assert(strstr(t.buf, "2026-01-01T00:00:01.500Z,,2026-01-01T00:01:03.250Z,61750,0,"),
		  "%s", t.buf);
	mem_deref(db);
}

Test(cdr, csv_quotes_fields_per_rfc4180)
{
	struct cdr_db *db;
	cr_assert_eq(cdr_db_open(&db, path, true), 0);
	struct cdr r = sample();
	strcpy(r.call_id, "a,b\"c");
	strcpy(r.rule, "line\nbreak");
	cr_assert_eq(cdr_db_write(db, &r), 0);
	struct text t = { .len = 0 };
	cr_assert_eq(cdr_db_csv(db, 0, collect, &t), 0);
	cr_assert(strstr(t.buf, ",\"a,b\"\"c\",to-pstn,"), "%s", t.buf);
	cr_assert(strstr(t.buf, ",\"line\nbreak\"\r\n"), "%s", t.buf);
	mem_deref(db);
}

Test(cdr, records_survive_reopening_and_since_filters)
{
	struct cdr_db *db;
	cr_assert_eq(cdr_db_open(&db, path, false), 0);
	for (int i = 0; i < 10; i++) {
		struct cdr r = sample();
		r.end = T0 + (uint64_t)i * 1000000000ull;
		cr_assert_eq(cdr_db_write(db, &r), 0);
	}
	mem_deref(db);
	cr_assert_eq(cdr_db_open(&db, path, false), 0);
	uint64_t n = 0;
	cr_assert_eq(cdr_db_count(db, &n), 0);
	cr_assert_eq(n, 10);
	struct text t = { .len = 0 };
	cr_assert_eq(cdr_db_csv(db, T0 + 7000000000ull, collect, &t), 0);
	int lines = 0;
	for (const char *p = t.buf; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	cr_assert_eq(lines, 1 + 3, "header and records ending at 7, 8, 9 s");
	mem_deref(db);
}

Test(cdr, database_is_in_wal_mode)
{
	struct cdr_db *db;
	cr_assert_eq(cdr_db_open(&db, path, false), 0);
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(raw);
	mem_deref(db);
}

/* What another reader (sqlite3, a billing job) sees: committed rows only. */
static int rows_seen_outside(void)
{
	sqlite3 *raw;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(raw, "SELECT count(*) FROM cdr", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	return n;
}

Test(cdr, records_are_committed_by_flush_in_one_batch)
{
	struct cdr_db *db;
	struct cdr r = sample();
	cr_assert_eq(cdr_db_open(&db, path, false), 0);
	cr_assert_eq(cdr_db_flush(db), 0, "nothing written: a no-op");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(cdr_db_write(db, &r), 0);
	cr_assert_eq(rows_seen_outside(), 0, "not committed before the flush");
	cr_assert_eq(cdr_db_flush(db), 0);
	cr_assert_eq(rows_seen_outside(), 3);
	cr_assert_eq(cdr_db_write(db, &r), 0);
	mem_deref(db); /* closing commits what is left */
	cr_assert_eq(rows_seen_outside(), 4);
}

Test(cdr, newer_schema_is_refused)
{
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	struct cdr_db *db = NULL;
	cr_assert_eq(cdr_db_open(&db, path, false), EPROTO);
	cr_assert_null(db);
	cr_assert(log_capture_has("schema version 99 is newer"));
}

Test(cdr, unwritable_path_is_an_error)
{
	struct cdr_db *db = NULL;
	cr_assert_eq(cdr_db_open(&db, "/nonexistent/dir/cdr.sqlite", false), EIO);
	cr_assert_null(db);
	cr_assert(log_capture_has("opening"));
}

Test(cdr, not_a_database_is_an_error)
{
	FILE *f = fopen(path, "w");
	fputs("this is not an SQLite database, just text that is long enough to look at\n", f);
	fclose(f);
	struct cdr_db *db = NULL;
	cr_assert_eq(cdr_db_open(&db, path, false), EIO);
	cr_assert_null(db);
}
