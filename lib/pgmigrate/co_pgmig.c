/* PostgreSQL schema migrations (see co_pgmig.h). */
#include "co_pgmig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void co_pgmig_errline(char *dst, size_t n, const char *what, const char *msg)
{
    snprintf(dst, n, "%s: %s", what, msg != NULL ? msg : "");
    size_t len = strlen(dst);
    while (len > 0 && (dst[len - 1] == '\n' || dst[len - 1] == ' '))
        dst[--len] = '\0';
    for (char *p = dst; *p != '\0'; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
}

int co_pgmig_conn_lost(const co_pgmig_pq_t *pq, const PGconn *c,
                       const PGresult *r)
{
    if (c == NULL || pq->status(c) != CONNECTION_OK || r == NULL)
        return 1;
    const char *st = pq->resultErrorField(r, PG_DIAG_SQLSTATE);
    if (st == NULL) /* client-side: "server closed the connection" */
        return 1;
    return strncmp(st, "08", 2) == 0 ||  /* connection exception */
           strncmp(st, "57P", 3) == 0 || /* admin/crash shutdown */
           strcmp(st, "53300") == 0 ||   /* too many connections */
           strcmp(st, "40001") == 0 ||   /* serialization failure */
           strcmp(st, "40P01") == 0;     /* deadlock detected */
}

int co_pgmig_ok(const co_pgmig_pq_t *pq, const PGresult *r)
{
    ExecStatusType t = pq->resultStatus(r);
    return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

/* Run `tmpl` through the sql() hook; params as PQexecParams (n may be 0).
 * NULL when the hook ran out of memory. */
static PGresult *co__pgmig_exec(const co_pgmig_pq_t *pq, PGconn *c,
                                const co_pgmig_t *m, const char *tmpl, int n,
                                const char *const *params)
{
    char *sql = m->sql != NULL ? m->sql(m->arg, c, tmpl) : NULL;
    const char *q = m->sql != NULL ? sql : tmpl;
    PGresult *r = NULL;
    if (q != NULL)
        r = n > 0 ? pq->execParams(c, q, n, NULL, params, NULL, NULL, 0)
                  : pq->exec(c, q);
    free(sql);
    return r;
}

/* "prefix TABLE suffix" as a malloc'd template. */
static char *co__pgmig_cat(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* Current version inside the transaction (creates the table), or -1. */
static int co__pgmig_current(const co_pgmig_pq_t *pq, PGconn *c,
                             const co_pgmig_t *m, PGresult **res)
{
    char *create = co__pgmig_cat(
        "CREATE TABLE IF NOT EXISTS ", m->table,
        " (version integer PRIMARY KEY, description text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    char *select =
        co__pgmig_cat("SELECT coalesce(max(version), 0) FROM ", m->table, "");
    int cur = -1;
    *res = create ? co__pgmig_exec(pq, c, m, create, 0, NULL) : NULL;
    if (co_pgmig_ok(pq, *res)) {
        pq->clear(*res);
        *res = select ? co__pgmig_exec(pq, c, m, select, 0, NULL) : NULL;
        if (co_pgmig_ok(pq, *res) && pq->ntuples(*res) == 1) {
            cur = atoi(pq->getvalue(*res, 0, 0));
            pq->clear(*res);
            *res = NULL;
        }
    }
    free(create);
    free(select);
    return cur;
}

/* Apply steps cur+1..target. 0, or -1 with *res the failed result. */
static int co__pgmig_apply(const co_pgmig_pq_t *pq, PGconn *c,
                           const co_pgmig_t *m, int cur, int target,
                           PGresult **res)
{
    char *insert = co__pgmig_cat("INSERT INTO ", m->table,
                                 " (version, description)"
                                 " VALUES ($1::integer, $2)");
    int rc = insert != NULL ? 0 : -1;
    for (int i = cur; rc == 0 && i < target; i++) {
        const co_pgmig_step_t *s = &m->steps[i];
        *res = co__pgmig_exec(pq, c, m, s->sql, 0, NULL);
        if (!co_pgmig_ok(pq, *res)) {
            rc = -1;
            break;
        }
        pq->clear(*res);
        char ver[16];
        snprintf(ver, sizeof ver, "%d", s->version);
        const char *const params[] = {ver, s->description};
        *res = co__pgmig_exec(pq, c, m, insert, 2, params);
        if (!co_pgmig_ok(pq, *res)) {
            rc = -1;
            break;
        }
        pq->clear(*res);
        *res = NULL;
        if (m->applied != NULL)
            m->applied(m->arg, s);
    }
    free(insert);
    return rc;
}

int co_pgmig_run(const co_pgmig_pq_t *pq, PGconn *c, const co_pgmig_t *m,
                 int target, char *err, size_t err_size, int *lost)
{
    *lost = 0;
    if (target == 0)
        target = m->n_steps;
    if (target < 0 || target > m->n_steps) {
        snprintf(err, err_size, "%s version %d does not exist (1..%d)", m->what,
                 target, m->n_steps);
        return -1;
    }
    const char *const lock_params[] = {m->lock_param};
    PGresult *r = pq->exec(c, "BEGIN");
    if (!co_pgmig_ok(pq, r))
        goto fail;
    pq->clear(r);
    r = co__pgmig_exec(pq, c, m, m->lock_sql, m->lock_param ? 1 : 0,
                       lock_params);
    if (!co_pgmig_ok(pq, r))
        goto fail;
    pq->clear(r);
    r = pq->exec(c, "SET LOCAL client_min_messages = warning");
    if (!co_pgmig_ok(pq, r))
        goto fail;
    pq->clear(r);
    r = NULL;
    if (m->prelude != NULL) {
        r = co__pgmig_exec(pq, c, m, m->prelude, 0, NULL);
        if (!co_pgmig_ok(pq, r))
            goto fail;
        pq->clear(r);
    }
    int cur = co__pgmig_current(pq, c, m, &r);
    if (cur < 0)
        goto fail;
    if (cur > m->n_steps) {
        snprintf(err, err_size,
                 "%s is at version %d but this program knows only up to %d: "
                 "%s",
                 m->what, cur, m->n_steps, m->upgrade);
        pq->clear(pq->exec(c, "ROLLBACK"));
        return -1;
    }
    if (co__pgmig_apply(pq, c, m, cur, target, &r) != 0)
        goto fail;
    r = pq->exec(c, "COMMIT");
    if (!co_pgmig_ok(pq, r))
        goto fail;
    pq->clear(r);
    return cur > target ? cur : target;
fail:
    *lost = co_pgmig_conn_lost(pq, c, r);
    char what[256];
    snprintf(what, sizeof what, "%s migration failed", m->what);
    co_pgmig_errline(err, err_size, what,
                     r != NULL ? pq->resultErrorMessage(r)
                               : pq->errorMessage(c));
    pq->clear(r);
    if (!*lost)
        pq->clear(pq->exec(c, "ROLLBACK"));
    return -1;
}
