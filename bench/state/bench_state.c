/* Benchmark of the state store (memory:, file:, PostgreSQL) and of
 * postgres-sink's batch upsert. Prints figures; asserts nothing about time.
 *   meson test -C build --benchmark --suite state
 * PostgreSQL parts run when CAREEROPS_TEST_PG is set. */
#include "pgsink.h"
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench_store(const char *label, const char *uri, int n)
{
    char err[512];
    co_state_t *s = co_state_open(uri, err, sizeof err);
    if (s == NULL) {
        printf("%-10s open failed: %s\n", label, err);
        return;
    }
    char ns[64], key[64], val[128];
    snprintf(ns, sizeof ns, "bench-%ld", (long)getpid());
    memset(val, 'v', sizeof val);
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%d", i % 100);
        co_state_put(s, ns, key, val, sizeof val);
    }
    double t1 = now_s();
    for (int i = 0; i < n; i++) {
        char *out;
        snprintf(key, sizeof key, "k%d", i % 100);
        if (co_state_get(s, ns, key, &out, NULL) == 0)
            free(out);
    }
    double t2 = now_s();
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "idem-%d", i);
        co_state_idem_begin(s, ns, key);
        co_state_idem_commit(s, ns, key);
    }
    double t3 = now_s();
    printf("%-10s put %8.0f/s   get %8.0f/s   claim+commit %8.0f/s  (n=%d)\n",
           label, n / (t1 - t0), n / (t2 - t1), n / (t3 - t2), n);
    co_state_close(s);
}

static void bench_sink(const char *conninfo, int n, int batch)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        printf("sink: %s", PQerrorMessage(c));
        PQfinish(c);
        return;
    }
    char schema[64], err[1024];
    snprintf(schema, sizeof schema, "bench_%ld", (long)getpid());
    int lost;
    if (pgsink_migrate(c, schema, 0, err, sizeof err, &lost) < 0) {
        printf("sink: %s\n", err);
        PQfinish(c);
        return;
    }
    pgsink_batch_t *b = pgsink_batch_new();
    for (int pass = 0; pass < 2; pass++) {
        double p0 = now_s();
        for (int i = 0; i < n; i++) {
            char key[80], value[512];
            snprintf(key, sizeof key, "%064d", i);
            snprintf(value, sizeof value,
                     "{\"schema\":\"careerops.event.v1\",\"event_type\":"
                     "\"INTERVIEW\",\"company\":\"Fictional Co %d\","
                     "\"scheduled_date\":\"2025-03-04T15:00:00Z\","
                     "\"email\":{\"key\":\"%s\",\"subject\":\"Hello\"}}",
                     i % 50, key);
            co_record_t rec = CO_RECORD_INIT;
            rec.key = key;
            rec.key_len = strlen(key);
            rec.value = value;
            rec.value_len = strlen(value);
            json_t *row;
            int t = pgsink_row_build(&rec, &row, err, sizeof err);
            pgsink_batch_add(b, t, row, &rec);
            if (pgsink_batch_count(b) == (size_t)batch || i == n - 1) {
                pgsink_write(c, schema, b, err, sizeof err);
                pgsink_batch_clear(b);
            }
        }
        printf("sink %-7s %8.0f rows/s  (n=%d, batch=%d)\n",
               pass == 0 ? "insert" : "replay", n / (now_s() - p0), n, batch);
    }
    pgsink_batch_free(b);
    char sql[128];
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
    PQclear(PQexec(c, sql));
    PQfinish(c);
}

int main(void)
{
    char path[256];
    snprintf(path, sizeof path, "file:%s/co-bench-state-%ld.json",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
    bench_store("memory", "memory:bench", 100000);
    bench_store("file", path, 200); /* two fsyncs per write */
    unlink(path + 5);
    char lock[300];
    snprintf(lock, sizeof lock, "%s.lock", path + 5);
    unlink(lock);
    const char *pg = getenv("CAREEROPS_TEST_PG");
    if (pg != NULL && pg[0] != '\0') {
        bench_store("postgresql", pg, 5000);
        bench_sink(pg, 20000, 500);
    } else {
        printf("postgresql: skipped (CAREEROPS_TEST_PG is not set)\n");
    }
    return 0;
}
