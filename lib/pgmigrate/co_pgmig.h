/**
 * @file lib/pgmigrate/co_pgmig.h
 * @brief PostgreSQL schema migrations: an append-only list of numbered
 *        steps applied in one transaction under an advisory lock, recorded
 *        in a table of applied versions; and the two helpers every libpq
 *        user here needs (did the connection fail? the server's message on
 *        one line). Used by the host's state store (core/state_pg.c) and
 *        by postgres-sink.
 *
 * Static library `co_pgmigrate` (prefix co_pgmig_). It calls libpq only
 * through a co_pgmig_pq_t table, so the host can load libpq on first use
 * while a plugin passes the functions it links (CO_PGMIG_PQ_LINKED).
 *
 * Thread-safety: functions are reentrant; a connection is used by one
 * thread at a time (libpq's rule).
 */
#ifndef CO_LIB_PGMIG_H
#define CO_LIB_PGMIG_H

#include <libpq-fe.h>
#include <stddef.h>

/** The libpq functions the library calls (same signatures as libpq's). */
typedef struct co_pgmig_pq_s {
    PGresult *(*exec)(PGconn *conn, const char *query);
    PGresult *(*execParams)(PGconn *conn, const char *command, int nParams,
                            const Oid *paramTypes,
                            const char *const *paramValues,
                            const int *paramLengths, const int *paramFormats,
                            int resultFormat);
    ExecStatusType (*resultStatus)(const PGresult *res);
    int (*ntuples)(const PGresult *res);
    char *(*getvalue)(const PGresult *res, int tup_num, int field_num);
    void (*clear)(PGresult *res);
    char *(*resultErrorMessage)(const PGresult *res);
    char *(*resultErrorField)(const PGresult *res, int fieldcode);
    char *(*errorMessage)(const PGconn *conn);
    ConnStatusType (*status)(const PGconn *conn);
} co_pgmig_pq_t;

/** Initializer of a co_pgmig_pq_t for code that links libpq. */
#define CO_PGMIG_PQ_LINKED                                                     \
    {                                                                          \
        PQexec, PQexecParams, PQresultStatus, PQntuples, PQgetvalue, PQclear,  \
            PQresultErrorMessage, PQresultErrorField, PQerrorMessage, PQstatus \
    }

/** One migration step. Append-only: never edit a released step. */
typedef struct co_pgmig_step_s {
    int version;             /**< 1, 2, ... in order */
    const char *description; /**< recorded with the version */
    const char *sql;         /**< statements, no parameters */
} co_pgmig_step_t;

/** What to migrate and how to name it (all strings borrowed). */
typedef struct co_pgmig_s {
    const co_pgmig_step_t *steps; /**< steps[i].version == i + 1 */
    int n_steps;                  /**< the latest version */
    /** Table of applied versions, e.g. "schema_migrations" (already
     *  quoted/qualified as needed; may hold a template, see `sql`). */
    const char *table;
    /** Statement taking the transaction's advisory lock, with at most one
     *  text parameter `lock_param` ($1), e.g.
     *  "SELECT pg_advisory_xact_lock(hashtext('x:' || $1))". */
    const char *lock_sql;
    const char *lock_param; /**< $1 of lock_sql, or NULL for none */
    /** Statements run first in the transaction (e.g. "CREATE SCHEMA IF NOT
     *  EXISTS ..."), or NULL. */
    const char *prelude;
    const char *what;    /**< for messages: "state schema" */
    const char *upgrade; /**< the fix for a newer database: "upgrade
                              careerops" */
    /** Rewrite a statement before it runs (e.g. put the quoted schema in
     *  for "{s}"); returns a malloc'd string, or NULL (no memory). NULL
     *  hook: statements run as given. */
    char *(*sql)(void *arg, PGconn *conn, const char *tmpl);
    /** Called after each applied step (logging), or NULL. */
    void (*applied)(void *arg, const co_pgmig_step_t *step);
    void *arg; /**< passed to sql() and applied() */
} co_pgmig_t;

/**
 * @brief Apply the steps after the database's current version, up to
 *        `target` (0 = the latest), in one transaction.
 * @param lost Set to 1 when the failure is the connection's (reconnect and
 *        retry), 0 otherwise.
 * @returns The version the database is at (at least `target`), or -1 with
 *          the reason in err: a step failed (the server's message), or the
 *          database is at a newer version than `n_steps` (the `upgrade`
 *          fix), or `target` is out of range.
 */
int co_pgmig_run(const co_pgmig_pq_t *pq, PGconn *conn, const co_pgmig_t *m,
                 int target, char *err, size_t err_size, int *lost);

/**
 * @brief True if a failed statement (`res`, may be NULL) means the server
 *        or the connection is gone or busy (connection exceptions, admin
 *        shutdown, too many connections, serialization failures,
 *        deadlocks): reconnect or retry rather than give up.
 */
int co_pgmig_conn_lost(const co_pgmig_pq_t *pq, const PGconn *conn,
                       const PGresult *res);

/** @brief True if `res` is PGRES_COMMAND_OK or PGRES_TUPLES_OK. */
int co_pgmig_ok(const co_pgmig_pq_t *pq, const PGresult *res);

/**
 * @brief "WHAT: MSG" on one line into dst (libpq's messages end with a
 *        newline and may span lines).
 */
void co_pgmig_errline(char *dst, size_t n, const char *what, const char *msg);

/**
 * @brief A libpq message about a connection string (PQconninfoParse's
 *        error, or PQerrorMessage after a failed connection) made safe to
 *        print: a conninfo libpq cannot parse is described without any of
 *        its text ("the conninfo could not be parsed: check the
 *        percent-encoding in the URI ..."), since libpq quotes the
 *        offending piece, a password's included; any other message keeps
 *        its first line with every quoted piece of the conninfo and the
 *        password's value left out.
 * @param dst Receives the text, NUL-terminated, at most `n` bytes.
 * @param conninfo The connection string (may be NULL; may hold a password).
 * @param msg libpq's message (NULL: "unknown error").
 * @remark Pure; any thread.  @since trial 43
 */
void co_pgmig_conninfo_error(char *dst, size_t n, const char *conninfo,
                             const char *msg);

/**
 * @brief What to do about a failed connection whose server answered (its
 *        database or user does not exist, it refused the credentials, it
 *        has no SSL for sslmode=require), or whose connection string has
 *        a bad value (trial 57: `applications --dsn .../nodb` was told to
 *        start the server, which ran; trial 59: the same for these).
 * @param msg libpq's PQerrorMessage() after the failed connection (may be
 *        NULL).
 * @returns A static phrase ("the server runs but has no such database:
 *          ..."), or NULL when the server did not answer (the caller says
 *          how to start one). Pure; any thread.
 */
const char *co_pgmig_connect_fix(const char *msg);

/**
 * @brief Whether a connection URI is ambiguous: more than one '@', or a
 *        '/' before its '@', in the part before '?'. libpq splits such a
 *        URI at the first '@' and '/', so a password holding an unencoded
 *        '@' or '/' turns into a host name (which is then looked up in
 *        DNS) and a database name, and appears in errors (trial 44). Also
 *        a host's port that is not digits ("postgresql://h:PW/db", a
 *        password after the host), which libpq prints (trial 51).
 * @param conninfo The connection string (may be NULL: 0).
 * @returns 1 when ambiguous, 0 otherwise (key=value strings included).
 * @remark Pure; any thread.
 */
int co_pgmig_conninfo_ambiguous(const char *conninfo);

/**
 * @brief Whether a connection string sets sslmode, gssencmode,
 *        channel_binding or target_session_attrs to a value libpq does not
 *        know, a port that is not 1-65535 (port=, or after a URI's host),
 *        or connect_timeout, keepalives* or tcp_user_timeout to something
 *        that is not a whole number: libpq checks them only when it
 *        connects, so a host waiting for its server would wait for ever
 *        (trial 53: sslmode=bogus; trial 55: port 99999).
 * @param conninfo A URI (values in its query) or key=value string (may be
 *        NULL: 0).
 * @param why Receives, when bad, the setting's name and its allowed values
 *        (never the value given), NUL-terminated, at most n bytes.
 * @returns 1 when a value is bad, 0 otherwise (parse faults are left to
 *          PQconninfoParse()).
 * @remark Pure; any thread.
 */
int co_pgmig_conninfo_bad_value(const char *conninfo, char *why, size_t n);

/**
 * @brief Whether the parsed settings list more ports than hosts (or host
 *        names and hostaddr values that do not pair up), which libpq
 *        refuses only when it connects ("could not match 3 port numbers
 *        to 2 hosts"), so that a host waiting for its server would retry
 *        for ever (trial 56). libpq's rule (PostgreSQL 15, "Parameter Key
 *        Words"): port names one port for all hosts or one per host, and
 *        hostaddr, when given with host, one address per host name.
 * @param opts PQconninfoParse()'s result. Borrowed; may be NULL (0).
 * @param why Receives, when bad, the counts and the fix (no value shown),
 *        NUL-terminated, at most n bytes.
 * @returns 1 when the counts do not match, 0 otherwise.
 * @remark Pure; any thread.
 */
int co_pgmig_conninfo_counts_bad(const PQconninfoOption *opts, char *why,
                                 size_t n);

/** The words for an ambiguous URI (co_pgmig_conninfo_ambiguous()). */
#define CO_PGMIG_AMBIGUOUS_HINT                                                \
    "the URI has an '@' or '/' inside its user or password, or a port that "   \
    "is no number (a password after the host?): write "                        \
    "postgresql://USER:PASSWORD@HOST:PORT/DB and percent-encode '@', '/', "    \
    "':' and '%' inside the user or password (@ is %40, / is %2F, : is %3A, "  \
    "% is %25)"

#endif
