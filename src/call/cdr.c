/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Call detail records in SQLite; see cdr.h. */
#include "call/cdr.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"

/* Bump with every schema change, and migrate in schema_create(). */
#define CDR_SCHEMA_VERSION 1

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS cdr ("
	" id INTEGER PRIMARY KEY,"
	" node TEXT NOT NULL, call_id TEXT NOT NULL, direction TEXT NOT NULL,"
	" start_time TEXT NOT NULL, answer_time TEXT, end_time TEXT NOT NULL,"
	" end_ns INTEGER NOT NULL, duration_ms INTEGER NOT NULL, billsec_ms INTEGER NOT NULL,"
	" calling_in TEXT, called_in TEXT, calling_out TEXT, called_out TEXT,"
	" trunk TEXT, span INTEGER, channel INTEGER,"
	" q850_cause INTEGER, sip_status INTEGER, rule TEXT);"
	"CREATE INDEX IF NOT EXISTS cdr_end ON cdr(end_ns);";

static const char insert_sql[] =
	"INSERT INTO cdr (node, call_id, direction, start_time, answer_time, end_time,"
	" end_ns, duration_ms, billsec_ms, calling_in, called_in, calling_out, called_out,"
	" trunk, span, channel, q850_cause, sip_status, rule)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char select_sql[] =
	"SELECT node, call_id, direction, start_time, answer_time, end_time, duration_ms,"
	" billsec_ms, calling_in, called_in, calling_out, called_out, trunk, span, channel,"
	" q850_cause, sip_status, rule FROM cdr WHERE end_ns >= ? ORDER BY id";

struct cdr_db {
	sqlite3 *db;
	sqlite3_stmt *insert, *begin, *commit;
	bool in_txn; /* records written since the last cdr_db_flush() */
	char path[256];
};

const char *cdr_dir_name(enum cdr_dir dir)
{
	return dir == CDR_TO_PSTN ? "to-pstn" : "to-sip";
}

static void db_destroy(void *data)
{
	struct cdr_db *db = data;
	cdr_db_flush(db);
	sqlite3_finalize(db->insert);
	sqlite3_finalize(db->begin);
	sqlite3_finalize(db->commit);
	sqlite3_close(db->db);
}

static int db_fail(struct cdr_db *db, const char *what)
{
	LOGE(LC_CDR, db->path, "%s: %s", what, db->db ? sqlite3_errmsg(db->db) : "no memory");
	return EIO;
}

static int schema_create(struct cdr_db *db, bool fsync_each)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;",
		 fsync_each ? "FULL" : "NORMAL");
	if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "setting WAL mode");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading the schema version");
	int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (version > CDR_SCHEMA_VERSION) {
		LOGE(LC_CDR, db->path, "schema version %d is newer than this strowger's (%d)",
		     version, CDR_SCHEMA_VERSION);
		return EPROTO;
	}
	if (sqlite3_exec(db->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "creating the schema");
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", CDR_SCHEMA_VERSION);
	if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "writing the schema version");
	return 0;
}

int cdr_db_open(struct cdr_db **dbp, const char *path, bool fsync_each)
{
	struct cdr_db *db = mem_zalloc(sizeof(*db), db_destroy);
	if (!db)
		return ENOMEM;
	snprintf(db->path, sizeof(db->path), "cdr %s", path);
	int rc = 0;
	if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		rc = db_fail(db, "opening");
	if (!rc)
		sqlite3_busy_timeout(db->db, 2000);
	if (!rc)
		rc = schema_create(db, fsync_each);
	if (!rc && sqlite3_prepare_v2(db->db, insert_sql, -1, &db->insert, NULL) != SQLITE_OK)
		rc = db_fail(db, "preparing the insert");
	if (!rc && (sqlite3_prepare_v2(db->db, "BEGIN", -1, &db->begin, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db->db, "COMMIT", -1, &db->commit, NULL) != SQLITE_OK))
		rc = db_fail(db, "preparing the transaction");
	if (rc) {
		mem_deref(db);
		return rc;
	}
	*dbp = db;
	return 0;
}

/* Write `v` as `width` decimal digits, left-padded with zeros. */
static char *put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

/* "2026-01-01T00:00:00.000Z".  Three per call: written out by hand, since
 * snprintf cost ~3,700 instructions each.  Years past 9999 cannot come from
 * a uint64_t of ns (that ends in 2554). */
static void iso_time(char *buf, size_t size, uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000ull);
	struct tm tm;
	if (size < 25 || !gmtime_r(&secs, &tm)) {
		if (size)
			buf[0] = '\0';
		return;
	}
	char *p = put_digits(buf, (unsigned)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = put_digits(p, (unsigned)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)tm.tm_sec, 2);
	*p++ = '.';
	p = put_digits(p, (unsigned)(ns / 1000000ull % 1000), 3);
	*p++ = 'Z';
	*p = '\0';
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void bind_record(sqlite3_stmt *st, const struct cdr *r)
{
	char start[32], answer[32], end[32];
	iso_time(start, sizeof(start), r->start);
	iso_time(answer, sizeof(answer), r->answer);
	iso_time(end, sizeof(end), r->end);
	uint64_t dur = r->end > r->start ? r->end - r->start : 0;
	uint64_t bill = r->answer && r->end > r->answer ? r->end - r->answer : 0;
	bind_text(st, 1, r->node);
	bind_text(st, 2, r->call_id);
	bind_text(st, 3, cdr_dir_name(r->dir));
	bind_text(st, 4, start);
	if (r->answer)
		bind_text(st, 5, answer);
	else
		sqlite3_bind_null(st, 5);
	bind_text(st, 6, end);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)r->end);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)(dur / 1000000));
	sqlite3_bind_int64(st, 9, (sqlite3_int64)(bill / 1000000));
	bind_text(st, 10, r->calling_in);
	bind_text(st, 11, r->called_in);
	bind_text(st, 12, r->calling_out);
	bind_text(st, 13, r->called_out);
	bind_text(st, 14, r->trunk);
	sqlite3_bind_int(st, 15, r->span);
	sqlite3_bind_int(st, 16, r->channel);
	sqlite3_bind_int(st, 17, r->q850_cause);
	sqlite3_bind_int(st, 18, r->sip_status);
	bind_text(st, 19, r->rule);
}

static int step_once(struct cdr_db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, what);
	sqlite3_reset(st);
	return rc;
}

int cdr_db_flush(struct cdr_db *db)
{
	if (!db->in_txn)
		return 0;
	db->in_txn = false;
	int rc = step_once(db, db->commit, "committing records");
	/* A failed COMMIT may leave the transaction open: end it, so the next
	 * batch starts clean (those records are lost, and were logged). */
	if (rc && !sqlite3_get_autocommit(db->db))
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int cdr_db_write(struct cdr_db *db, const struct cdr *rec)
{
	if (!db->in_txn) {
		if (step_once(db, db->begin, "starting a transaction"))
			return EIO;
		db->in_txn = true;
	}
	sqlite3_reset(db->insert);
	sqlite3_clear_bindings(db->insert);
	bind_record(db->insert, rec);
	int rc = sqlite3_step(db->insert) == SQLITE_DONE ? 0 : db_fail(db, "writing a record");
	sqlite3_reset(db->insert);
	return rc;
}

int cdr_db_count(struct cdr_db *db, uint64_t *n)
{
	cdr_db_flush(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db, "SELECT count(*) FROM cdr", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "counting");
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : db_fail(db, "counting");
	if (!rc)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* RFC 4180: quote a field that holds a comma, quote, CR or LF; double quotes. */
static size_t csv_field(char *out, size_t size, const char *s)
{
	bool quote = s && strpbrk(s, ",\"\r\n");
	size_t n = 0;
	if (quote && n < size)
		out[n++] = '"';
	for (; s && *s && n + 3 < size; s++) {
		if (*s == '"')
			out[n++] = '"';
		out[n++] = *s;
	}
	if (quote && n < size)
		out[n++] = '"';
	return n;
}

static int csv_row(sqlite3_stmt *st, int ncol, cdr_line_h *line_h, void *arg, bool header)
{
	char line[4096];
	size_t n = 0;
	for (int i = 0; i < ncol && n + 4 < sizeof(line); i++) {
		if (i)
			line[n++] = ',';
		const char *v = header ? sqlite3_column_name(st, i)
				       : (const char *)sqlite3_column_text(st, i);
		n += csv_field(line + n, sizeof(line) - n - 3, v); /* room for CRLF NUL */
	}
	memcpy(line + n, "\r\n", 3);
	return line_h(line, arg);
}

int cdr_db_csv(struct cdr_db *db, uint64_t since_wall_ns, cdr_line_h *line_h, void *arg)
{
	cdr_db_flush(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db, select_sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "exporting");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since_wall_ns);
	int ncol = sqlite3_column_count(st);
	int rc = csv_row(st, ncol, line_h, arg, true);
	int step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = csv_row(st, ncol, line_h, arg, false);
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(db, "exporting");
	sqlite3_finalize(st);
	return rc;
}
