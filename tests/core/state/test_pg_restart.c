/* PostgreSQL restarted under load: the state store waits and carries on,
 * postgres-sink answers RETRY while the server is down and, once it is
 * back, every record is in its table exactly once.
 *
 * Uses its own throwaway cluster (scripts/pg.sh with CAREEROPS_PG_DIR in a
 * temporary folder), so stopping it disturbs no other test. Runs where
 * PostgreSQL tests run (CAREEROPS_TEST_PG set). */
#include "co_fake_host.h"
#include "co_test.h"
#include "pg_testdb.h"
#include "pgsink.h"
#include "state.h"

#include <careerops/plugin.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api);

static char t_parent[256];
static char t_conninfo[1200];

/* Run scripts/pg.sh CMD on our cluster; returns its exit status and, for
 * `start`, the conninfo it prints. */
static int t_pg(const char *cmd)
{
    char line[1200];
    snprintf(line, sizeof line, "bash \"%s/scripts/pg.sh\" %s",
             getenv("CAREEROPS_SOURCE_ROOT"), cmd);
    FILE *p = popen(line, "r");
    if (p == NULL)
        return -1;
    char out[1200] = "";
    while (fgets(line, sizeof line, p) != NULL)
        snprintf(out, sizeof out, "%s", line);
    int rc = pclose(p);
    if (strcmp(cmd, "start") == 0 && rc == 0) {
        out[strcspn(out, "\n")] = '\0';
        snprintf(t_conninfo, sizeof t_conninfo, "%s", out);
    }
    return rc;
}

/* A TCP port on 127.0.0.1 that nobody listens on now (bind to port 0). */
static int t_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    int port = 56432;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* Unchecked fixture (parent process): one cluster for the whole suite. */
static void t_cluster_up(void)
{
    snprintf(t_parent, sizeof t_parent, "%s/co-pgrestart-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(t_parent) == NULL || chmod(t_parent, 0755) != 0) {
        perror("mkdtemp");
        exit(1);
    }
    char dir[300];
    snprintf(dir, sizeof dir, "%s/pg", t_parent);
    setenv("CAREEROPS_PG_DIR", dir, 1);
    /* a free port, not a fixed one: another cluster on this machine (or a
     * test running beside this one) may hold any given port */
    char port[16];
    snprintf(port, sizeof port, "%d", t_free_port());
    setenv("CAREEROPS_PG_PORT", port, 1);
    if (t_pg("start") != 0 || t_conninfo[0] == '\0') {
        fprintf(stderr, "scripts/pg.sh start failed\n");
        exit(1);
    }
}

static void t_cluster_down(void)
{
    t_pg("stop");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf \"%s\"", t_parent);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", t_parent);
}

/* Start the server again after `down_ms` (the caller stopped it). */
static void *t_start_later(void *arg)
{
    usleep((useconds_t)(*(int *)arg) * 1000);
    ck_assert_int_eq(t_pg("start"), 0);
    return NULL;
}

static int t_never(void *arg)
{
    (void)arg;
    return 0;
}

/* The state store's calls block while the server is down and succeed after
 * it is back; claims made before the restart are still there. */
START_TEST(state_store_across_restart)
{
    char err[512];
    co_state_t *s = co_state_open(t_conninfo, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    co_state_set_stop(s, t_never, NULL);
    ck_assert_int_eq(co_state_put(s, "ns", "pos", "41", 2), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "ns", "done"), CO_IDEM_NEW);
    ck_assert_int_eq(co_state_idem_commit(s, "ns", "done"), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "ns", "half"), CO_IDEM_NEW);

    /* Server down: the next call waits until it is back. */
    ck_assert_int_eq(t_pg("stop"), 0);
    int down_ms = 3000;
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, t_start_later, &down_ms), 0);
    for (int i = 0; i < 40; i++) {
        char v[16];
        int n = snprintf(v, sizeof v, "%d", 42 + i);
        ck_assert_int_eq(co_state_put(s, "ns", "pos", v, (size_t)n), 0);
    }
    pthread_join(th, NULL);
    char *v = NULL;
    ck_assert_int_eq(co_state_get(s, "ns", "pos", &v, NULL), 0);
    ck_assert_str_eq(v, "81");
    free(v);
    ck_assert_int_eq(co_state_idem_begin(s, "ns", "done"), CO_IDEM_DONE);
    ck_assert_int_eq(co_state_idem_begin(s, "ns", "half"), CO_IDEM_PENDING);
    co_state_close(s);
}
END_TEST

static co_record_t t_event(int i, char *key, size_t ksz, char **value)
{
    snprintf(key, ksz, "%064d", i);
    /* one company: each flush re-derives its application from all its
     * events (up to 3,000; about 0.5 s a flush since postgres-sink's
     * migration 15, docs/benchmarks.md "postgres-sink") */
    json_t *ev = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "schema",
                           "careerops.event.v1", "event_type", "INTERVIEW",
                           "company", "Fictional Widgets Ltd", "email", "key",
                           key, "subject", "Interview");
    *value = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    co_record_t r = CO_RECORD_INIT;
    r.key = key;
    r.key_len = strlen(key);
    r.value = *value;
    r.value_len = strlen(*value);
    r.topic = "classified_events";
    r.partition = 0;
    r.offset = i;
    return r;
}

/* 3,000 records of one company in batches of 100; the server is stopped
 * for 3 s with half a batch buffered; flush() is retried the way the host
 * does until it says OK. Then 500 of them again (a replay). The company's
 * application holds every event. */
START_TEST(sink_across_restart)
{
    co_fake_host_t *h = co_fake_host_new();
    const co_plugin_t *p = co_plugin_entry(&h->api);
    static const char *const tables[] = {"events", NULL};
    struct pgsink_config cfg = {t_conninfo, "restart_test", 1000, tables, 2, 0};
    void *inst = NULL;
    ck_assert_int_eq(p->init(&h->api, co_fake_host_stage(h), &cfg, &inst),
                     CO_OK);
    ck_assert_int_eq(p->start(inst), CO_OK);

    int down_ms = 3000, retries = 0, waiting_logged = 0;
    pthread_t th;
    for (int i = 0; i < 3500; i++) {
        char key[80], *value;
        co_record_t rec =
            t_event(i < 3000 ? i : i - 3000, key, sizeof key, &value);
        ck_assert_int_eq(p->process(inst, &rec), CO_OK);
        free(value);
        if (i == 1049) {
            /* Mid-batch: 50 records buffered, the server goes away. */
            ck_assert_int_eq(t_pg("stop"), 0);
            ck_assert_int_eq(pthread_create(&th, NULL, t_start_later, &down_ms),
                             0);
        }
        if ((i + 1) % 100 == 0) {
            co_status_t st;
            while ((st = p->flush(inst)) == CO_RETRY) {
                retries++;
                h->now_ms += 6000;
                waiting_logged |=
                    strstr(h->last_log, "waiting for PostgreSQL") != NULL;
                usleep(250 * 1000); /* the host's backoff */
            }
            ck_assert_int_eq(st, CO_OK);
        }
    }
    pthread_join(th, NULL);
    p->stop(inst);
    p->destroy(inst);
    ck_assert_int_gt(retries, 0);
    ck_assert(waiting_logged);
    ck_assert_uint_eq(h->dead_cnt, 0);
    co_fake_host_free(h);

    PGconn *c = co_testdb_connect(t_conninfo);
    char *n = co_testdb_scalar(c, "SELECT count(*) || ' ' || count(DISTINCT "
                                  "key) || ' ' || min(source_offset) || ' ' "
                                  "|| max(source_offset) FROM "
                                  "restart_test.events");
    ck_assert_str_eq(n, "3000 3000 0 2999");
    free(n);
    n = co_testdb_scalar(c, "SELECT count(*) || ' ' || sum(cardinality("
                            "event_keys)) FROM restart_test.applications");
    ck_assert_str_eq(n, "1 3000");
    free(n);
    PQfinish(c);
}
END_TEST

static Suite *restart_suite(void)
{
    co_test_pg(); /* PostgreSQL tests are enabled here */
    Suite *s = suite_create("pg-restart");
    TCase *tc = tcase_create("restart");
    /* about 30 s alone; each flush re-derives the one company's
     * application from its (up to 3,000) events: before postgres-sink's
     * migration 15 a CI run with other work beside it took over 360 s */
    tcase_set_timeout(tc, 360);
    tcase_add_unchecked_fixture(tc, t_cluster_up, t_cluster_down);
    tcase_add_test(tc, state_store_across_restart);
    tcase_add_test(tc, sink_across_restart);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(restart_suite)
