/* State store on PostgreSQL: the shared cases, migrations, reconnects.
 * Needs CAREEROPS_TEST_PG (bash scripts/pg.sh start; eval "$(... env)"). */
#include "co_test.h"
#include "pg_testdb.h"
#include "state.h"
#include "state_cases.h"

#include <pthread.h>
#include <unistd.h>

static char t_db[64];
static char *t_conninfo;

static char *t_uri(void)
{
    return t_conninfo;
}

static void t_setup(void)
{
    t_conninfo = co_testdb_create("state", t_db);
}

static void t_teardown(void)
{
    co_testdb_drop(t_db);
    free(t_conninfo);
}

static PGconn *t_admin(void)
{
    return co_testdb_connect(t_conninfo);
}

static int t_count(PGconn *c, const char *sql)
{
    char *v = co_testdb_scalar(c, sql);
    int n = v != NULL ? atoi(v) : -1;
    free(v);
    return n;
}

START_TEST(migrate_empty_to_latest)
{
    char err[512] = "";
    int latest = co_state_pg_schema_latest();
    ck_assert_int_ge(latest, 2);
    ck_assert_int_eq(co_state_pg_migrate(t_conninfo, 0, err, sizeof err),
                     latest);
    /* Running again changes nothing. */
    ck_assert_int_eq(co_state_pg_migrate(t_conninfo, 0, err, sizeof err),
                     latest);
    PGconn *c = t_admin();
    ck_assert_int_eq(t_count(c, "SELECT count(*) FROM schema_migrations"),
                     latest);
    ck_assert_int_eq(t_count(c, "SELECT max(version) FROM schema_migrations"),
                     latest);
    ck_assert_int_eq(
        t_count(c, "SELECT count(*) FROM information_schema.columns WHERE "
                   "table_name = 'careerops_idempotency' AND column_name "
                   "IN ('claims', 'claimed_by', 'done_at')"),
        3);
    PQfinish(c);
    ck_assert_int_eq(
        co_state_pg_migrate(t_conninfo, latest + 1, err, sizeof err),
        CO_ERR_INVAL);
}
END_TEST

/* A database at version N-1 holding data migrates to N with the data
 * intact and usable through the store. */
START_TEST(migrate_previous_with_data)
{
    char err[512] = "";
    int latest = co_state_pg_schema_latest();
    ck_assert_int_eq(
        co_state_pg_migrate(t_conninfo, latest - 1, err, sizeof err),
        latest - 1);
    PGconn *c = t_admin();
    const char *tricky = co_tricky_values[0];
    const char *const p1[] = {"gmail", "historyId", tricky};
    const int lens[] = {0, 0, (int)strlen(tricky)};
    const int fmts[] = {0, 0, 1};
    PGresult *r = PQexecParams(c,
                               "INSERT INTO careerops_state (ns, key, value)"
                               " VALUES ($1, $2, $3)",
                               3, NULL, p1, lens, fmts, 0);
    ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQclear(co_testdb_exec(
        c, "INSERT INTO careerops_idempotency (ns, key, done_at) VALUES"
           " ('slack', 'sent', now()), ('slack', 'half', NULL)"));
    /* Opening migrates. */
    co_state_t *s = co_state_open(t_conninfo, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(t_count(c, "SELECT max(version) FROM schema_migrations"),
                     latest);
    t_expect(s, "gmail", "historyId", tricky, strlen(tricky));
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "sent"), CO_IDEM_DONE);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "half"), CO_IDEM_PENDING);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "new"), CO_IDEM_NEW);
    ck_assert_int_eq(
        t_count(c, "SELECT claims FROM careerops_idempotency WHERE key='half'"),
        2);
    ck_assert_int_eq(co_state_put(s, "gmail", "historyId", "9", 1), 0);
    ck_assert_int_eq(
        t_count(c, "SELECT version FROM careerops_state WHERE key='historyId'"),
        2);
    co_state_close(s);
    PQfinish(c);
}
END_TEST

START_TEST(migrate_refuses_newer_schema)
{
    char err[512] = "";
    ck_assert_int_gt(co_state_pg_migrate(t_conninfo, 0, err, sizeof err), 0);
    PGconn *c = t_admin();
    PQclear(co_testdb_exec(c, "INSERT INTO schema_migrations (version, "
                              "description) VALUES (999, 'from the future')"));
    PQfinish(c);
    ck_assert_ptr_null(co_state_open(t_conninfo, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "version 999"));
    ck_assert_ptr_nonnull(strstr(err, "upgrade careerops"));
}
END_TEST

static void *t_opener(void *arg)
{
    char err[512];
    co_state_t *s = co_state_open(t_conninfo, err, sizeof err);
    *(int *)arg = s != NULL;
    co_state_close(s);
    return NULL;
}

/* Stage workers opening stores at once on an empty database migrate once. */
START_TEST(migrate_concurrent_opens)
{
    pthread_t th[6];
    int ok[6] = {0};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, t_opener, &ok[i]), 0);
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(ok[i], 1);
    }
    PGconn *c = t_admin();
    ck_assert_int_eq(t_count(c, "SELECT count(*) FROM schema_migrations"),
                     co_state_pg_schema_latest());
    PQfinish(c);
}
END_TEST

static void t_kill_backends(PGconn *c)
{
    PQclear(co_testdb_exec(
        c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
           "datname = current_database() AND pid <> pg_backend_pid()"));
}

/* The server drops the connection: the next call reconnects by itself. */
START_TEST(reconnect_after_disconnect)
{
    co_state_t *s = t_open();
    ck_assert_int_eq(co_state_put(s, "ns", "k", "v", 1), 0);
    PGconn *c = t_admin();
    t_kill_backends(c);
    t_expect(s, "ns", "k", "v", 1);
    t_kill_backends(c);
    ck_assert_int_eq(co_state_idem_begin(s, "ns", "claim"), CO_IDEM_NEW);
    t_kill_backends(c);
    ck_assert_int_eq(co_state_idem_commit(s, "ns", "claim"), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "ns", "claim"), CO_IDEM_DONE);
    PQfinish(c);
    co_state_close(s);
}
END_TEST

static int t_stop_calls;
static int t_stop_after(void *arg)
{
    return ++t_stop_calls > *(int *)arg;
}

/* Make the test database accept or refuse new connections. */
static void t_allow_connections(int allow)
{
    PGconn *c = co_testdb_connect(co_test_pg());
    char sql[256];
    snprintf(sql, sizeof sql, "ALTER DATABASE %s ALLOW_CONNECTIONS %s", t_db,
             allow ? "true" : "false");
    PQclear(co_testdb_exec(c, sql));
    PQfinish(c);
}

static void *t_reopen_later(void *arg)
{
    (void)arg;
    sleep(2);
    t_allow_connections(1);
    return NULL;
}

static int t_never_stop(void *arg)
{
    (void)arg;
    return 0;
}

/* While the database refuses connections, calls wait (logging "waiting for
 * PostgreSQL") until it comes back, or return CO_ERR_STATE when stopping. */
START_TEST(wait_while_unreachable)
{
    co_state_t *s = t_open();
    ck_assert_int_eq(co_state_put(s, "ns", "k", "v", 1), 0);
    char log_path[] = "/tmp/co-state-log-XXXXXX";
    int fd = mkstemp(log_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ptr_nonnull(freopen(log_path, "w", stderr));

    PGconn *in_db = t_admin();
    t_allow_connections(0);
    t_kill_backends(in_db);
    PQfinish(in_db);

    /* Stopping: gives up with CO_ERR_STATE. */
    int limit = 5;
    co_state_set_stop(s, t_stop_after, &limit);
    char *v = NULL;
    ck_assert_int_eq(co_state_get(s, "ns", "k", &v, NULL), CO_ERR_STATE);
    ck_assert_int_gt(t_stop_calls, limit);

    /* Not stopping: waits until the database is back. */
    co_state_set_stop(s, t_never_stop, NULL);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, t_reopen_later, NULL), 0);
    t_expect(s, "ns", "k", "v", 1);
    pthread_join(th, NULL);
    co_state_close(s);

    fflush(stderr);
    FILE *f = fopen(log_path, "r");
    ck_assert_ptr_nonnull(f);
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(log_path);
    /* one JSON object per line from the host logger */
    ck_assert_ptr_nonnull(strstr(buf, "\"level\":\"warn\",\"plugin\":\"state\","
                                      "\"msg\":\"waiting for PostgreSQL"));
    ck_assert_ptr_nonnull(strstr(buf, "PostgreSQL is reachable again"));
}
END_TEST

/* Opening while the database refuses connections waits for it (or gives
 * up when stopping); a conninfo libpq cannot parse fails at once. */
START_TEST(open_waits_for_server)
{
    char err[512] = "";
    ck_assert_int_gt(co_state_pg_migrate(t_conninfo, 0, err, sizeof err), 0);
    t_allow_connections(0);

    int limit = 3;
    t_stop_calls = 0;
    ck_assert_ptr_null(
        co_state_open_wait(t_conninfo, t_stop_after, &limit, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "not currently accepting connections"));

    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, t_reopen_later, NULL), 0);
    co_state_t *s =
        co_state_open_wait(t_conninfo, t_never_stop, NULL, err, sizeof err);
    pthread_join(th, NULL);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(co_state_idem_begin(s, "ns", "k"), CO_IDEM_NEW);
    co_state_close(s);

    ck_assert_ptr_null(co_state_open_wait("host=127.0.0.1 bogus", t_never_stop,
                                          NULL, err, sizeof err));
    s = co_state_open_wait("memory:w", NULL, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(s);
    co_state_close(s);
}
END_TEST

static Suite *state_pg_suite(void)
{
    co_test_pg(); /* skip (77) the whole program without a server */
    Suite *s = suite_create("state-pg");
    TCase *tc = tcase_create("pg");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, t_setup, t_teardown);
    co_state_cases_add(tc, 1);
    tcase_add_test(tc, migrate_empty_to_latest);
    tcase_add_test(tc, migrate_previous_with_data);
    tcase_add_test(tc, migrate_refuses_newer_schema);
    tcase_add_test(tc, migrate_concurrent_opens);
    tcase_add_test(tc, reconnect_after_disconnect);
    tcase_add_test(tc, wait_while_unreachable);
    tcase_add_test(tc, open_waits_for_server);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(state_pg_suite)
