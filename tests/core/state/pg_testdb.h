/**
 * @file tests/core/state/pg_testdb.h
 * @brief Throwaway databases for PostgreSQL tests: each test creates its
 *        own database on the server named by CAREEROPS_TEST_PG and drops it
 *        afterwards, so tests can run in parallel and start from empty.
 */
#ifndef CO_TEST_PG_TESTDB_H
#define CO_TEST_PG_TESTDB_H

#include "co_test.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <unistd.h>

/**
 * Rebuild `base` (a libpq conninfo or URI) as a keyword string with dbname
 * replaced by `dbname`. Values are quoted as libpq requires (backslash
 * before ' and \). Returns a malloc'd string.
 */
static inline char *co_testdb_conninfo(const char *base, const char *dbname)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(base, &err);
    ck_assert_msg(opts != NULL, "bad CAREEROPS_TEST_PG: %s", err ? err : "");
    size_t cap = strlen(base) * 2 + strlen(dbname) * 2 + 64, len = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    out[0] = '\0';
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        const char *v = strcmp(o->keyword, "dbname") == 0 ? dbname : o->val;
        if (v == NULL)
            continue;
        len += (size_t)snprintf(out + len, cap - len, "%s%s='", len ? " " : "",
                                o->keyword);
        for (const char *p = v; *p != '\0'; p++) {
            if (*p == '\'' || *p == '\\')
                out[len++] = '\\';
            out[len++] = *p;
        }
        out[len++] = '\'';
        out[len] = '\0';
    }
    PQconninfoFree(opts);
    return out;
}

/** Run SQL on `conninfo`, failing the test on error. Returns the result
 *  (PQclear it). */
static inline PGresult *co_testdb_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK ||
                      PQresultStatus(r) == PGRES_TUPLES_OK,
                  "%s: %s", sql, PQresultErrorMessage(r));
    return r;
}

/** Connect or fail the test. */
static inline PGconn *co_testdb_connect(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s",
                  PQerrorMessage(c));
    PQclear(co_testdb_exec(c, "SET client_min_messages = warning"));
    return c;
}

/**
 * Create an empty database named careerops_t_<tag>_<pid> and return its
 * conninfo (malloc'd). `name_out` (64 bytes) receives the name for
 * co_testdb_drop().
 */
static inline char *co_testdb_create(const char *tag, char *name_out)
{
    const char *base = co_test_pg();
    snprintf(name_out, 64, "careerops_t_%s_%ld", tag, (long)getpid());
    PGconn *c = co_testdb_connect(base);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
             name_out);
    PQclear(co_testdb_exec(c, sql));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name_out);
    PQclear(co_testdb_exec(c, sql));
    PQfinish(c);
    return co_testdb_conninfo(base, name_out);
}

/** Drop a database made by co_testdb_create(). */
static inline void co_testdb_drop(const char *name)
{
    PGconn *c = co_testdb_connect(co_test_pg());
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    PQclear(co_testdb_exec(c, sql));
    PQfinish(c);
}

/** First column of the first row of a query, as a malloc'd string (NULL
 *  for SQL NULL or no row). */
static inline char *co_testdb_scalar(PGconn *c, const char *sql)
{
    PGresult *r = co_testdb_exec(c, sql);
    char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)
                  ? strdup(PQgetvalue(r, 0, 0))
                  : NULL;
    PQclear(r);
    return v;
}

#endif
