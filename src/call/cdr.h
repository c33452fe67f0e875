/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Call detail records in SQLite.
 *
 * One row per call, written when the call ends, in WAL mode.  Records are
 * grouped: cdr_db_write() adds a record to an open transaction and
 * cdr_db_flush() commits it.  The gateway flushes at the end of the loop
 * turn in which a call ended, so every record is committed before the loop
 * next waits for input, and one commit (the costly part: WAL write, locks)
 * serves all the calls that ended in that turn.  A committed record survives
 * a crash of the gateway (synchronous=NORMAL), or also a power loss with
 * `cdr_fsync = yes` (an fsync per commit); a crash in the middle of a turn
 * loses only the records of calls that ended in that same turn.  Readers
 * (strowger-ctl cdr, sqlite3) never block the writer.  Times are UTC ISO 8601
 * with milliseconds.
 */
#ifndef STROWGER_CALL_CDR_H
#define STROWGER_CALL_CDR_H

#include <stdbool.h>
#include <stdint.h>

#define CDR_NUM_MAX 33 /* E.164 is 15 digits; ISDN allows more; keep room */

enum cdr_dir { CDR_TO_PSTN, CDR_TO_SIP };

struct cdr {
	char node[64];                 /* the gateway's name */
	char call_id[128];             /* SIP Call-ID */
	enum cdr_dir dir;
	uint64_t start, answer, end;   /* wall-clock ns; answer 0 if never answered */
	char calling_in[CDR_NUM_MAX], called_in[CDR_NUM_MAX];    /* as received */
	char calling_out[CDR_NUM_MAX], called_out[CDR_NUM_MAX];  /* after mapping */
	char trunk[64];                /* SIP trunk name, or "" */
	int span, channel;             /* 0 when no PSTN channel was seized */
	int q850_cause;                /* 0 when none */
	int sip_status;                /* final status of the SIP leg, 0 if none */
	char rule[64];                 /* the mapping rule that routed the call */
};

struct cdr_db;

/* Open (creating if needed) the database at `path`.  A mem object. */
int cdr_db_open(struct cdr_db **dbp, const char *path, bool fsync_each);
/* Append one record to the open transaction (starting one if none is).
 * Returns 0, or EIO with the reason logged.  Durable once flushed. */
int cdr_db_write(struct cdr_db *db, const struct cdr *rec);
/* Commit what was written since the last flush (a no-op if nothing was).
 * Returns 0, or EIO with the reason logged.  Counting, exporting and
 * freeing the db flush first. */
int cdr_db_flush(struct cdr_db *db);
/* Number of records stored. */
int cdr_db_count(struct cdr_db *db, uint64_t *n);

/* Export as CSV (RFC 4180; a header line first), records ending at or after
 * `since_wall_ns` (0: all), oldest first; `line_h` gets each line with its
 * CRLF.  Stops at the first non-zero return of line_h and returns it. */
typedef int(cdr_line_h)(const char *line, void *arg);
int cdr_db_csv(struct cdr_db *db, uint64_t since_wall_ns, cdr_line_h *line_h, void *arg);

const char *cdr_dir_name(enum cdr_dir dir);

#endif
