/**
 * @file tests/lib/pgmigrate/test_pgmig.c
 * @brief lib/pgmigrate against a throwaway PostgreSQL database: steps are
 *        applied once and in order, up to a target; a newer database is
 *        refused with the fix; a failing step rolls everything back; the
 *        sql() hook and the prelude (schema templates) work.
 * Needs CAREEROPS_TEST_PG (bash scripts/pg.sh start; eval "$(... env)").
 */
#include "co_pgmig.h"
#include "pg_testdb.h"

static const co_pgmig_pq_t pq = CO_PGMIG_PQ_LINKED;
static char dbname[64], *conninfo;
static PGconn *conn;
static int applied;

static void count_applied(void *arg, const co_pgmig_step_t *s)
{
    (void)arg;
    (void)s;
    applied++;
}

static const co_pgmig_step_t steps[] = {
    {1, "a table", "CREATE TABLE t1 (id integer PRIMARY KEY)"},
    {2, "a column", "ALTER TABLE t1 ADD COLUMN name text"},
};

static co_pgmig_t plan(int n)
{
    co_pgmig_t m = {.steps = steps,
                    .n_steps = n,
                    .table = "test_migrations",
                    .lock_sql = "SELECT pg_advisory_xact_lock(42)",
                    .what = "test schema",
                    .upgrade = "upgrade the test",
                    .applied = count_applied};
    return m;
}

static void setup(void)
{
    conninfo = co_testdb_create("pgmig", dbname);
    conn = co_testdb_connect(conninfo);
    applied = 0;
}

static void teardown(void)
{
    PQfinish(conn);
    co_testdb_drop(dbname);
    free(conninfo);
}

START_TEST(t_once_in_order)
{
    co_pgmig_t m = plan(2);
    char err[512] = "";
    int lost = -1;
    ck_assert_int_eq(co_pgmig_run(&pq, conn, &m, 1, err, sizeof err, &lost),
                     1);
    ck_assert_int_eq(applied, 1);
    ck_assert_int_eq(co_pgmig_run(&pq, conn, &m, 0, err, sizeof err, &lost),
                     2);
    ck_assert_int_eq(applied, 2);
    ck_assert_int_eq(co_pgmig_run(&pq, conn, &m, 0, err, sizeof err, &lost),
                     2);
    ck_assert_int_eq(applied, 2); /* nothing applied twice */
    char *n = co_testdb_scalar(conn, "SELECT count(*) FROM test_migrations");
    ck_assert_str_eq(n, "2");
    free(n);
    PQclear(co_testdb_exec(conn, "INSERT INTO t1 (id, name) VALUES (1, 'x')"));
    ck_assert_int_eq(co_pgmig_run(&pq, conn, &m, 3, err, sizeof err, &lost),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "version 3 does not exist (1..2)"));
}
END_TEST

START_TEST(t_newer_database)
{
    co_pgmig_t m = plan(2);
    char err[512] = "";
    int lost;
    ck_assert_int_eq(co_pgmig_run(&pq, conn, &m, 0, err, sizeof err, &lost),
                     2);
    co_pgmig_t old = plan(1);
    ck_assert_int_eq(co_pgmig_run(&pq, conn, &old, 0, err, sizeof err, &lost),
                     -1);
    ck_assert_int_eq(lost, 0);
    ck_assert_ptr_nonnull(strstr(err, "test schema is at version 2"));
    ck_assert_ptr_nonnull(strstr(err, "upgrade the test"));
}
END_TEST

START_TEST(t_failing_step_rolls_back)
{
    static const co_pgmig_step_t bad[] = {
        {1, "a table", "CREATE TABLE t2 (id integer)"},
        {2, "a typo", "ALTER TABLE nope ADD COLUMN x int"},
    };
    co_pgmig_t m = plan(2);
    m.steps = bad;
    char err[512] = "";
    int lost = -1;
    ck_assert_int_eq(co_pgmig_run(&pq, conn, &m, 0, err, sizeof err, &lost),
                     -1);
    ck_assert_int_eq(lost, 0);
    ck_assert_ptr_nonnull(strstr(err, "test schema migration failed"));
    ck_assert_ptr_nonnull(strstr(err, "nope"));
    ck_assert_ptr_null(strchr(err, '\n'));
    char *t = co_testdb_scalar(conn, "SELECT to_regclass('t2')::text");
    ck_assert_ptr_null(t); /* step 1 was rolled back with step 2 */
}
END_TEST

static char *in_schema(void *arg, PGconn *c, const char *tmpl)
{
    (void)c;
    const char *s = arg;
    size_t n = strlen(tmpl) + 8 * strlen(s) + 1;
    char *out = malloc(n), *o = out;
    for (const char *p = tmpl; *p;)
        if (strncmp(p, "{s}", 3) == 0) {
            o += sprintf(o, "%s", s);
            p += 3;
        } else
            *o++ = *p++;
    *o = '\0';
    return out;
}

START_TEST(t_schema_template)
{
    static const co_pgmig_step_t ss[] = {
        {1, "a table in the schema", "CREATE TABLE {s}.t3 (id integer)"}};
    co_pgmig_t m = plan(1);
    m.steps = ss;
    m.table = "{s}.test_migrations";
    m.prelude = "CREATE SCHEMA IF NOT EXISTS {s}";
    m.lock_sql = "SELECT pg_advisory_xact_lock(hashtext('t:' || $1))";
    m.lock_param = "sch";
    m.sql = in_schema;
    m.arg = "sch";
    char err[512] = "";
    int lost;
    ck_assert_int_eq(co_pgmig_run(&pq, conn, &m, 0, err, sizeof err, &lost),
                     1);
    char *t = co_testdb_scalar(conn, "SELECT to_regclass('sch.t3')::text");
    ck_assert_str_eq(t, "sch.t3");
    free(t);
    t = co_testdb_scalar(conn, "SELECT max(version) FROM sch.test_migrations");
    ck_assert_str_eq(t, "1");
    free(t);
}
END_TEST

START_TEST(t_errline_and_lost)
{
    char out[64];
    co_pgmig_errline(out, sizeof out, "what", "line one\nline\ttwo\n");
    ck_assert_str_eq(out, "what: line one line two");
    ck_assert_int_eq(co_pgmig_conn_lost(&pq, NULL, NULL), 1);
    PGresult *r = pq.exec(conn, "SELECT 1/0");
    ck_assert_int_eq(co_pgmig_ok(&pq, r), 0);
    ck_assert_int_eq(co_pgmig_conn_lost(&pq, conn, r), 0); /* 22012 */
    pq.clear(r);
}
END_TEST

static Suite *pgmig_suite(void)
{
    co_test_pg(); /* skip (77) without a server */
    Suite *s = suite_create("pgmigrate");
    TCase *tc = tcase_create("pg");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, t_once_in_order);
    tcase_add_test(tc, t_newer_database);
    tcase_add_test(tc, t_failing_step_rolls_back);
    tcase_add_test(tc, t_schema_template);
    tcase_add_test(tc, t_errline_and_lost);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(pgmig_suite)
