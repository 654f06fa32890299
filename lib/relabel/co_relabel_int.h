/**
 * @file lib/relabel/co_relabel_int.h
 * @brief Internals shared by co_relabel.c (the command) and
 *        co_relabel_read.c (export and the corrections reader).
 */
#ifndef CO_RELABEL_INT_H
#define CO_RELABEL_INT_H

#include <libpq-fe.h>
#include <stddef.h>

/** Shortest key prefix relabel looks up (a shorter one is refused before
 *  the database is asked); the string for SQL and messages. */
#define CO__RELABEL_MIN_PREFIX   8
#define CO__RELABEL_MIN_PREFIX_S "8"

/** What to do when PostgreSQL does not answer, after libpq's message (as
 *  `careerops serve` says it); the caller adds which setting to change. */
#define CO__RELABEL_PG_START                                                   \
    "start it (the throwaway one of the demo and the tests: bash "             \
    "scripts/pg.sh start; eval \"$(bash scripts/pg.sh env)\")"

/**
 * @brief co_pgmig_conninfo_error() escaped for a terminal (co_visible()):
 *        libpq quotes pieces of the conninfo and the server names the
 *        database and user (trial 59: an ESC in a host name reached the
 *        terminal). For `relabel`, `applications` and `train
 *        --corrections`.
 * @param why,n Out: the text, NUL-terminated, at most n bytes.
 * @param dsn,msg As co_pgmig_conninfo_error() takes them. Borrowed.
 */
void co__relabel_conn_why(char *why, size_t n, const char *dsn,
                          const char *msg);

/**
 * @brief 1 if s is a day "YYYY-MM-DD" of the calendar (month 01-12, a day
 *        of that month, year 1900 or later), else 0: relabel's deadline
 *        without a time, a day of `applications --since`.
 */
int co__relabel_day(const char *s);
/**
 * @brief 1 if s is a date argument of relabel or applications: a day
 *        (co__relabel_day()) or an RFC 3339 date-time with a zone (Z or
 *        +HH:MM; hour 00-23: "T24:00:00Z" and a time without a zone are
 *        refused), as co_parse_rfc3339_sec() reads it; else 0. One parser
 *        for `relabel --date` and `applications --since/--now`.
 */
int co__relabel_when_ok(const char *s);
/** The seven labels in careerops.event.v1 order. */
extern const char *const co__relabel_labels[7];

/** @brief Label index of a name (case-insensitive); -1 if unknown. */
int co__relabel_label(const char *name);

/**
 * @brief `SQL` with every "{s}" replaced by the quoted schema name.
 * @returns malloc'd text, or NULL when out of memory.
 */
char *co__relabel_sql(PGconn *c, const char *schema, const char *sql);

/** @brief 1 when <schema>.corrections exists, 0 when not, -1 on error. */
int co__relabel_has_table(PGconn *c, const char *schema);

/**
 * @brief Run the query of the corrected events: key, event_type, company,
 *        scheduled_date (from the event's doc), the stored email document
 *        (NULL when not stored), and the time of the last correction
 *        (RFC 3339 UTC), one row per corrected event, ordered by key.
 * @returns The result (PQclear()), or NULL with the reason in err (no
 *          corrections table: "run careerops relabel first").
 */
PGresult *co__relabel_corrected(PGconn *c, const char *schema, char *err,
                                size_t err_size);

/**
 * @brief Write the --export pair: CSV and CSV.emails/KEY.json.
 * @returns 0, 1 (database or file error, printed) or 2.
 */
int co__relabel_export(PGconn *c, const char *schema, const char *csv);

/**
 * @brief Find the stored key the user means: `arg` is the whole key or a
 *        prefix of at least CO__RELABEL_MIN_PREFIX characters, in any case
 *        (keys are lower-case hex). Used by `careerops relabel KEY` (events,
 *        column key) and `careerops applications --decide ID`
 *        (applications, column id).
 * @param table,column  trusted names (not quoted) of <schema>.TABLE.
 * @param out  the whole key on 0, malloc'd (the caller frees it).
 * @returns 0 found (an exact match wins over longer keys); 1 a database
 *          error, libpq's message in err; 2 none (err empty: the caller
 *          says what it looked for); 3 several, err "prefix 'P' matches N
 *          COLUMNs in S.TABLE: K1, K2; give more characters" (at most 5
 *          listed). Not thread-safe with respect to `c`.
 */
int co__key_prefix_find(PGconn *c, const char *schema, const char *table,
                        const char *column, const char *arg, char **out,
                        char *err, size_t err_size);

/**
 * @brief Refuse a connection string before connecting: an ambiguous URI
 *        (an unencoded '@' or '/' in its password, which libpq would split
 *        into a host name and print: trials 44, 45), or one libpq cannot
 *        parse (its words quote the string). Used by relabel,
 *        applications, backup, restore and train --corrections.
 * @param err Receives why (no text of `dsn`), e.g. CO_PGMIG_AMBIGUOUS_HINT.
 * @returns 0 when it may be used, -1 when refused (the input's fault:
 *          exit 2).
 */
int co__relabel_dsn_refused(const char *dsn, char *err, size_t err_size);

#endif
