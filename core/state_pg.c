/*
 * The state store on PostgreSQL (libpq).
 *
 * Tables (created and migrated here, versions in `schema_migrations`):
 *   careerops_state(ns, key, value bytea, updated_at, version)
 *       key-value state per stage namespace; `version` counts writes.
 *   careerops_idempotency(ns, key, claimed_at, done_at, claims, claimed_by)
 *       idempotency claims: done_at NULL = claimed, not yet done.
 *
 * Every query is parameterized (PQexecParams); values travel as binary
 * bytea. Migrations run in one transaction under an advisory lock, so
 * several stage workers opening stores at once migrate exactly once.
 *
 * When the server goes away, an operation reconnects with exponential
 * backoff (100 ms doubling to 5 s) until it succeeds or should_stop()
 * says the stage is stopping, logging "waiting for PostgreSQL" at most
 * every 5 s. Only then does it return CO_ERR_STATE. A retried idem_begin
 * whose first attempt committed but lost its answer reports PENDING, which
 * callers already handle (a claim that was never committed).
 */
#include "state.h"
#include "co_pgmig.h"
#include "lazylib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* pg_advisory_xact_lock key for migrations: "CoState" in ASCII. */
#define CO__PG_MIGRATE_LOCK "18981227665126501"
/* The line said while the state store is unreachable (attempt, why). */
#define CO__PG_WAITING                                                         \
    "waiting for PostgreSQL, the manifest's `state` (attempt %d; check that "  \
    "the server runs and its connection string, e.g. the secret it names): "   \
    "%s"

/* Minimum interval between two "waiting for PostgreSQL" lines. */
#define CO__PG_WARN_EVERY_MS 5000

/* Append-only: never edit a migration once released; add a new one. */
static const co_pgmig_step_t co__pg_migrations[] = {
    {1, "key-value state and idempotency claims",
     "CREATE TABLE careerops_state ("
     " ns text NOT NULL,"
     " key text NOT NULL,"
     " value bytea NOT NULL,"
     " updated_at timestamptz NOT NULL DEFAULT now(),"
     " PRIMARY KEY (ns, key));"
     "CREATE TABLE careerops_idempotency ("
     " ns text NOT NULL,"
     " key text NOT NULL,"
     " claimed_at timestamptz NOT NULL DEFAULT now(),"
     " done_at timestamptz,"
     " PRIMARY KEY (ns, key));"},
    {2, "claim counts and claimants; state write versions",
     "ALTER TABLE careerops_idempotency"
     " ADD COLUMN claims integer NOT NULL DEFAULT 1,"
     " ADD COLUMN claimed_by text;"
     "ALTER TABLE careerops_state"
     " ADD COLUMN version bigint NOT NULL DEFAULT 1;"
     "CREATE INDEX careerops_idempotency_pending_idx"
     " ON careerops_idempotency (ns, claimed_at) WHERE done_at IS NULL;"},
};

#define CO__PG_LATEST                                                          \
    ((int)(sizeof co__pg_migrations / sizeof co__pg_migrations[0]))

static const char co__pg_sql_get[] =
    "SELECT value FROM careerops_state WHERE ns = $1 AND key = $2";
static const char co__pg_sql_put[] =
    "INSERT INTO careerops_state (ns, key, value) VALUES ($1, $2, $3)"
    " ON CONFLICT (ns, key) DO UPDATE SET value = EXCLUDED.value,"
    " updated_at = now(), version = careerops_state.version + 1";
/* A new row is NEW (claims = 1); a pending row is claimed again (PENDING,
 * claims > 1); a done row is left alone and returns no row (DONE). */
static const char co__pg_sql_idem_begin[] =
    "INSERT INTO careerops_idempotency AS i (ns, key, claimed_by)"
    " VALUES ($1, $2, $3)"
    " ON CONFLICT (ns, key) DO UPDATE SET claims = i.claims + 1,"
    " claimed_at = now(), claimed_by = EXCLUDED.claimed_by"
    " WHERE i.done_at IS NULL RETURNING claims";
static const char co__pg_sql_idem_commit[] =
    "INSERT INTO careerops_idempotency AS i (ns, key, claimed_by, done_at)"
    " VALUES ($1, $2, $3, now())"
    " ON CONFLICT (ns, key) DO UPDATE SET done_at = now()"
    " WHERE i.done_at IS NULL";

typedef struct {
    co_state_t base;
    PGconn *conn;
    char *conninfo;
    char claimant[128]; /* "host:pid", recorded with claims */
    int waiting;        /* a "waiting" line was logged, not yet recovered */
    int64_t last_warn_ms;
} co__pg_state_t;

static int64_t co__pg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connect with a connect timeout and application name as defaults the
 * caller's conninfo may override (later keywords win in libpq). */
/* libpq, loaded on first use (lazylib.h); its first member is the table
 * lib/pgmigrate takes. Set by co__pq_load(). */
static const co_pq_api_t *co__pq;

static int co__pq_load(char *errstr, size_t errstr_size)
{
    char e[512];
    const co_pq_api_t *pq = co_pq(e, sizeof e);
    if (pq == NULL) {
        snprintf(errstr, errstr_size, "state: %s", e);
        return CO_ERR_STATE;
    }
    __atomic_store_n(&co__pq, pq, __ATOMIC_RELEASE); /* same value always */
    return 0;
}

static PGconn *co__pg_connect(const char *conninfo)
{
    const char *const keys[] = {"connect_timeout", "fallback_application_name",
                                "dbname", NULL};
    const char *const vals[] = {"5", "careerops", conninfo, NULL};
    return co__pq->connectdbParams(keys, vals, 1);
}

/* One-line connection error (libpq's message ends with a newline). */
static void co__pg_errcopy(char *dst, size_t n, const char *what,
                           const char *msg)
{
    co_pgmig_errline(dst, n, what, msg);
}

/* "cannot connect to PostgreSQL: WHY", WHY without the conninfo's text
 * when libpq cannot parse it, nor its password (trial 43). */
static void co__pg_connect_error(char *dst, size_t n, const char *conninfo,
                                 const char *msg)
{
    char why[512];
    co_pgmig_conninfo_error(why, sizeof why, conninfo, msg);
    co_pgmig_errline(dst, n, "cannot connect to PostgreSQL", why);
}

/* True if the failure means the server or the connection is gone (retry
 * after reconnecting) rather than a problem with the statement. */
static int co__pg_conn_lost(PGconn *c, const PGresult *r)
{
    return co_pgmig_conn_lost(&co__pq->q, c, r);
}

static int co__pg_exec_ok(PGresult *r)
{
    return co_pgmig_ok(&co__pq->q, r);
}

static void co__pg_applied(void *arg, const co_pgmig_step_t *m)
{
    (void)arg;
    co__state_log("info", "state schema migrated to version %d (%s)",
                  m->version, m->description);
}

/* Run the migrations up to `target` on an open connection (lib/pgmigrate).
 * Returns the version reached, or -1 with errstr (*lost set if the
 * connection failed). */
static int co__pg_migrate_conn(PGconn *c, int target, char *errstr, size_t n,
                               int *lost)
{
    static const co_pgmig_t m = {
        .steps = co__pg_migrations,
        .n_steps = CO__PG_LATEST,
        .table = "schema_migrations",
        .lock_sql = "SELECT pg_advisory_xact_lock(" CO__PG_MIGRATE_LOCK ")",
        .what = "state database schema",
        .upgrade = "upgrade careerops",
        .applied = co__pg_applied,
    };
    return co_pgmig_run(&co__pq->q, c, &m, target, errstr, n, lost);
}

int co_state_pg_schema_latest(void)
{
    return CO__PG_LATEST;
}

int co_state_pg_migrate(const char *conninfo, int target_version, char *errstr,
                        size_t errstr_size)
{
    if (target_version == 0)
        target_version = CO__PG_LATEST;
    if (conninfo == NULL || target_version < 0 ||
        target_version > CO__PG_LATEST) {
        snprintf(errstr, errstr_size,
                 "state schema version %d does not exist (1..%d)",
                 target_version, CO__PG_LATEST);
        return CO_ERR_INVAL;
    }
    if (co__pq_load(errstr, errstr_size) != 0)
        return CO_ERR_STATE;
    PGconn *c = co__pg_connect(conninfo);
    if (co__pq->q.status(c) != CONNECTION_OK) {
        co__pg_connect_error(errstr, errstr_size, conninfo,
                             co__pq->q.errorMessage(c));
        co__pq->finish(c);
        return CO_ERR_STATE;
    }
    int lost;
    int v = co__pg_migrate_conn(c, target_version, errstr, errstr_size, &lost);
    co__pq->finish(c);
    return v < 0 ? CO_ERR_STATE : v;
}

/* (Re)connect and migrate. Returns 0, or -1 with errstr and *fatal set when
 * retrying cannot help (the schema is newer than ours). */
static int co__pg_reconnect(co__pg_state_t *s, char *errstr, size_t n,
                            int *fatal)
{
    *fatal = 0;
    co__pq->finish(s->conn);
    s->conn = co__pg_connect(s->conninfo);
    if (co__pq->q.status(s->conn) != CONNECTION_OK) {
        co__pg_connect_error(errstr, n, s->conninfo,
                             co__pq->q.errorMessage(s->conn));
        co__pq->finish(s->conn);
        s->conn = NULL;
        return -1;
    }
    int lost;
    if (co__pg_migrate_conn(s->conn, CO__PG_LATEST, errstr, n, &lost) < 0) {
        *fatal = !lost;
        co__pq->finish(s->conn);
        s->conn = NULL;
        return -1;
    }
    return 0;
}

/*
 * Run one parameterized statement, reconnecting and waiting while the
 * server is unreachable. On success *out holds the result (PQclear it).
 * Returns 0, CO_ERR_INVAL (the server rejected the data: class 22), or
 * CO_ERR_STATE (stopping, or an error retrying cannot fix).
 */
static int co__pg_run(co__pg_state_t *s, const char *sql, int nparams,
                      const char *const *values, const int *lengths,
                      const int *formats, int result_format, PGresult **out)
{
    char err[512] = "";
    int64_t waited = 0;
    int quick = 1; /* one immediate reconnect after a dropped connection */
    *out = NULL;
    for (int attempt = 0;; attempt++) {
        int fatal = 0;
        if (s->conn == NULL || co__pq->q.status(s->conn) != CONNECTION_OK) {
            if (co__pg_reconnect(s, err, sizeof err, &fatal) != 0 && fatal) {
                co__state_log("error", "%s", err);
                return CO_ERR_STATE;
            }
        }
        if (s->conn != NULL) {
            PGresult *r =
                co__pq->q.execParams(s->conn, sql, nparams, NULL, values,
                                     lengths, formats, result_format);
            if (co__pg_exec_ok(r)) {
                if (s->waiting)
                    co__state_log("info", "PostgreSQL is reachable again");
                s->waiting = 0;
                *out = r;
                return 0;
            }
            const char *st = co__pq->q.resultErrorField(r, PG_DIAG_SQLSTATE);
            if (!co__pg_conn_lost(s->conn, r)) {
                co__pg_errcopy(err, sizeof err, "state query failed",
                               co__pq->q.resultErrorMessage(r));
                co__state_log("error", "%s", err);
                int rc = st != NULL && strncmp(st, "22", 2) == 0 ? CO_ERR_INVAL
                                                                 : CO_ERR_STATE;
                co__pq->q.clear(r);
                return rc;
            }
            co__pg_errcopy(err, sizeof err, "lost the connection",
                           r != NULL ? co__pq->q.resultErrorMessage(r)
                                     : co__pq->q.errorMessage(s->conn));
            co__pq->q.clear(r);
            co__pq->finish(s->conn);
            s->conn = NULL;
            if (quick) {
                quick = 0;
                attempt--;
                continue;
            }
        }
        int64_t now = co__pg_now_ms();
        if (!s->waiting || now - s->last_warn_ms >= CO__PG_WARN_EVERY_MS) {
            co__state_log("warn", CO__PG_WAITING, attempt + 1, err);
            s->waiting = 1;
            s->last_warn_ms = now;
        }
        if (co__state_backoff(&s->base, attempt, &waited)) {
            co__state_log("warn", "gave up waiting for PostgreSQL: %s",
                          s->base.should_stop != NULL ? "stopping"
                                                      : "time limit");
            return CO_ERR_STATE;
        }
    }
}

static int co__pg_get(co_state_t *base, const char *ns, const char *key,
                      char **out, size_t *out_len)
{
    co__pg_state_t *s = (co__pg_state_t *)base;
    const char *const vals[] = {ns, key};
    PGresult *r;
    int rc = co__pg_run(s, co__pg_sql_get, 2, vals, NULL, NULL, 1, &r);
    if (rc != 0)
        return rc;
    if (co__pq->q.ntuples(r) == 0) {
        co__pq->q.clear(r);
        return CO_ERR_NOTFOUND;
    }
    size_t len = (size_t)co__pq->getlength(r, 0, 0);
    char *p = malloc(len + 1);
    if (p == NULL) {
        co__pq->q.clear(r);
        return CO_ERR_NOMEM;
    }
    memcpy(p, co__pq->q.getvalue(r, 0, 0), len);
    p[len] = '\0';
    co__pq->q.clear(r);
    *out = p;
    if (out_len != NULL)
        *out_len = len;
    return 0;
}

static int co__pg_put(co_state_t *base, const char *ns, const char *key,
                      const void *value, size_t len)
{
    co__pg_state_t *s = (co__pg_state_t *)base;
    if (len > INT32_MAX)
        return CO_ERR_INVAL;
    const char *const vals[] = {ns, key, value != NULL ? value : ""};
    const int lens[] = {0, 0, (int)len};
    const int fmts[] = {0, 0, 1};
    PGresult *r;
    int rc = co__pg_run(s, co__pg_sql_put, 3, vals, lens, fmts, 0, &r);
    co__pq->q.clear(r);
    return rc;
}

static int co__pg_idem_begin(co_state_t *base, const char *ns, const char *key)
{
    co__pg_state_t *s = (co__pg_state_t *)base;
    const char *const vals[] = {ns, key, s->claimant};
    PGresult *r;
    int rc = co__pg_run(s, co__pg_sql_idem_begin, 3, vals, NULL, NULL, 0, &r);
    if (rc != 0)
        return rc;
    if (co__pq->q.ntuples(r) == 0)
        rc = CO_IDEM_DONE;
    else
        rc = atoi(co__pq->q.getvalue(r, 0, 0)) == 1 ? CO_IDEM_NEW
                                                    : CO_IDEM_PENDING;
    co__pq->q.clear(r);
    return rc;
}

static int co__pg_idem_commit(co_state_t *base, const char *ns, const char *key)
{
    co__pg_state_t *s = (co__pg_state_t *)base;
    const char *const vals[] = {ns, key, s->claimant};
    PGresult *r;
    int rc = co__pg_run(s, co__pg_sql_idem_commit, 3, vals, NULL, NULL, 0, &r);
    co__pq->q.clear(r);
    return rc;
}

static void co__pg_close(co_state_t *base)
{
    co__pg_state_t *s = (co__pg_state_t *)base;
    co__pq->finish(s->conn);
    free(s->conninfo);
    free(s);
}

static const co_state_ops_t co__pg_ops = {co__pg_get, co__pg_put,
                                          co__pg_idem_begin, co__pg_idem_commit,
                                          co__pg_close};

/* Open; *retryable tells whether a failure may pass (server unreachable)
 * or not (bad conninfo, newer schema). */
static co_state_t *co__pg_open(const char *conninfo, char *errstr,
                               size_t errstr_size, int *retryable);

co_state_t *co_state_pg_open(const char *conninfo, char *errstr,
                             size_t errstr_size)
{
    int retryable;
    return co__pg_open(conninfo, errstr, errstr_size, &retryable);
}

co_state_t *co_state_open_wait(const char *uri, int (*should_stop)(void *arg),
                               void *arg, char *errstr, size_t errstr_size)
{
    if (uri != NULL && strncmp(uri, "file:", 5) == 0)
        return co__state_file_open(uri + 5, should_stop, arg, errstr,
                                   errstr_size);
    if (uri == NULL || uri[0] == '\0' || strncmp(uri, "memory:", 7) == 0) {
        co_state_t *s = co_state_open(uri, errstr, errstr_size);
        co_state_set_stop(s, should_stop, arg);
        return s;
    }
    co_state_t probe = {NULL, should_stop, arg};
    int64_t waited = 0, last_warn = -CO__PG_WARN_EVERY_MS;
    for (int attempt = 0;; attempt++) {
        int retryable = 0;
        co_state_t *s = co__pg_open(uri, errstr, errstr_size, &retryable);
        if (s != NULL) {
            if (attempt > 0)
                co__state_log("info", "PostgreSQL is reachable again");
            co_state_set_stop(s, should_stop, arg);
            return s;
        }
        if (!retryable)
            return NULL;
        int64_t now = co__pg_now_ms();
        if (now - last_warn >= CO__PG_WARN_EVERY_MS) {
            co__state_log("warn", CO__PG_WAITING, attempt + 1, errstr);
            last_warn = now;
        }
        if (co__state_backoff(&probe, attempt, &waited)) {
            const char *why = should_stop != NULL
                                  ? "asked to stop (a signal, or the "
                                    "--until-idle limit)"
                                  : "time limit";
            co__state_log("warn", "stopped waiting for PostgreSQL: %s", why);
            if (errstr != NULL && errstr_size > 0) {
                char last[512];
                snprintf(last, sizeof last, "%s", errstr);
                snprintf(errstr, errstr_size,
                         "stopped waiting for PostgreSQL (%s): %s", why, last);
            }
            return NULL;
        }
    }
}

static co_state_t *co__pg_open(const char *conninfo, char *errstr,
                               size_t errstr_size, int *retryable)
{
    char dummy[1];
    if (errstr == NULL || errstr_size == 0) {
        errstr = dummy;
        errstr_size = sizeof dummy;
    }
    *retryable = 0;
    if (co_pgmig_conninfo_ambiguous(conninfo)) { /* not retried, not */
        snprintf(errstr, errstr_size,
                 "the state store's connection "
                 "string: %s",
                 CO_PGMIG_AMBIGUOUS_HINT); /* connected */
        return NULL;
    }
    if (co__pq_load(errstr, errstr_size) != 0)
        return NULL;
    co__pg_state_t *s = calloc(1, sizeof *s);
    if (s == NULL || (s->conninfo = strdup(conninfo)) == NULL) {
        free(s);
        snprintf(errstr, errstr_size, "state: out of memory");
        return NULL;
    }
    s->base.ops = &co__pg_ops;
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(s->claimant, sizeof s->claimant, "%s:%ld", host, (long)getpid());
    int fatal;
    *retryable = 0;
    if (co__pg_reconnect(s, errstr, errstr_size, &fatal) != 0) {
        /* Unreachable, or lost during the migration: worth retrying. A
         * conninfo libpq cannot parse, or a newer schema, is not. */
        char *perr = NULL;
        PQconninfoOption *o = co__pq->conninfoParse(conninfo, &perr);
        *retryable = !fatal && o != NULL;
        co__pq->conninfoFree(o);
        co__pq->freemem(perr);
        co__pg_close(&s->base);
        return NULL;
    }
    return &s->base;
}
