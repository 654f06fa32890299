/* postgres-sink: the time of one flush while one company's events pile up.
 * Each flush stores 100 records through the plugin (co_plugin_entry()
 * with the fake host, as tests/core/state/test_pg_restart.c drives it) and
 * its triggers derive the applications they touch. Prints figures, asserts
 * nothing about time:
 *   meson test -C build --benchmark pgsink-derive
 *   build/bench/state/bench_pgsink_derive [plain|mail] [N ...]
 *   (default: both shapes, N = 1000 and 3000)
 * Needs CAREEROPS_TEST_PG (scripts/pg.sh env); CAREEROPS_BENCH_SCHEMA=NAME
 * keeps the tables in schema NAME (one N, one shape). Two shapes of mail:
 *   plain  INTERVIEW events without dates or threads (pg-restart's sink case)
 *   mail   an email and its event each: dated, in threads of 10, an
 *          acknowledgement first, then interviews at 40 distinct times
 *          (every 7th message moves one), assessments, a rejection at 90%
 */
#include "co_fake_host.h"
#include "pgsink.h"

#include <careerops/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api);

static double b_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The event of message i of the "mail" shape, and its email in *email. */
static char *b_mail(int i, int n, const char *key, char **email)
{
    const char *type = i == 0            ? "APPLICATION_ACK"
                       : i == n * 9 / 10 ? "REJECTION"
                       : i % 11 == 5     ? "ASSESSMENT"
                       : i % 13 == 6     ? "RECRUITER_OUTREACH"
                                         : "INTERVIEW";
    int day = i / 8, hour = 8 + i % 8;
    char date[32], sched[32], thread[32];
    snprintf(date, sizeof date, "2025-%02d-%02dT%02d:00:00Z", 1 + day / 28 % 12,
             1 + day % 28, hour);
    snprintf(sched, sizeof sched, "2026-%02d-%02dT%02d:30:00Z",
             1 + (i % 40) / 4, 1 + i % 28, 9 + i % 4);
    snprintf(thread, sizeof thread, "<thread-%d@widgets.example>", i / 10);
    const char *text = i % 7 == 3 ? "We have rescheduled your interview."
                                  : "Looking forward to speaking with you.";
    json_t *m = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "schema",
        "careerops.email.v1", "key", key, "message_id", key, "thread_id",
        thread, "subject", "Your application", "from", "address",
        "jobs@widgets.example", "name", "Widgets", "date", date, "text", text);
    *email = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    json_t *ev =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}}", "schema",
                  "careerops.event.v1", "event_type", type, "company",
                  "Fictional Widgets Ltd", "role", "Data Engineer", "email",
                  "key", key, "subject", "Your application", "from",
                  "jobs@widgets.example", "date", date, "thread_id", thread);
    if (strcmp(type, "INTERVIEW") == 0)
        json_object_set_new(ev, "scheduled_date", json_string(sched));
    char *v = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return v;
}

static char *b_plain(const char *key)
{
    json_t *ev = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "schema",
                           "careerops.event.v1", "event_type", "INTERVIEW",
                           "company", "Fictional Widgets Ltd", "email", "key",
                           key, "subject", "Interview");
    char *v = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return v;
}

static int b_process(const co_plugin_t *p, void *inst, const char *key,
                     const char *value, const char *topic, int64_t off)
{
    co_record_t r = CO_RECORD_INIT;
    r.key = key;
    r.key_len = strlen(key);
    r.value = value;
    r.value_len = strlen(value);
    r.topic = topic;
    r.offset = off;
    return p->process(inst, &r) == CO_OK ? 0 : -1;
}

/* One run: n messages of one company in flushes of 100. */
static void b_run(const char *conninfo, const char *shape, int n)
{
    char schema[64];
    const char *keep = getenv("CAREEROPS_BENCH_SCHEMA");
    if (keep != NULL && keep[0] != '\0')
        snprintf(schema, sizeof schema, "%s", keep);
    else
        snprintf(schema, sizeof schema, "bench_derive_%ld", (long)getpid());
    co_fake_host_t *h = co_fake_host_new();
    const co_plugin_t *p = co_plugin_entry(&h->api);
    static const char *const tables[] = {"emails", "events", NULL};
    struct pgsink_config cfg = {conninfo, schema, 100000, tables, 5, 0};
    void *inst = NULL;
    if (p->init(&h->api, co_fake_host_stage(h), &cfg, &inst) != CO_OK ||
        p->start(inst) != CO_OK) {
        printf("%s: %s\n", shape, h->error_msg);
        co_fake_host_free(h);
        return;
    }
    int mail = strcmp(shape, "mail") == 0, flushes = 0, failed = 0;
    double total = 0, max = 0, first10 = 0, last10 = 0;
    for (int i = 0; i < n && !failed; i++) {
        char key[80], *email = NULL, *value;
        snprintf(key, sizeof key, "%064d", i);
        value = mail ? b_mail(i, n, key, &email) : b_plain(key);
        if (email != NULL)
            failed |= b_process(p, inst, key, email, "raw_inbox_stream", i);
        failed |= b_process(p, inst, key, value, "classified_events", i);
        free(email);
        free(value);
        if ((i + 1) % 100 != 0 && i != n - 1)
            continue;
        double t0 = b_now();
        failed |= p->flush(inst) != CO_OK;
        double dt = b_now() - t0;
        total += dt;
        max = dt > max ? dt : max;
        first10 += flushes < 10 ? dt : 0;
        last10 += flushes >= (n + 99) / 100 - 10 ? dt : 0;
        flushes++;
    }
    p->stop(inst);
    p->destroy(inst);
    if (failed)
        printf("%-5s n=%-5d failed: %s\n", shape, n, h->error_msg);
    else
        printf("%-5s n=%-5d %3d flushes  total %7.2f s  per flush: mean %7.1f "
               "ms, first 10 %7.1f ms, last 10 %7.1f ms, max %7.1f ms\n",
               shape, n, flushes, total, 1000 * total / flushes, 100 * first10,
               100 * last10, 1000 * max);
    fflush(stdout);
    co_fake_host_free(h);
    if (keep != NULL && keep[0] != '\0')
        return; /* left for a look with psql */
    PGconn *c = PQconnectdb(conninfo);
    char sql[160];
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    PQclear(PQexec(c, sql));
    PQfinish(c);
}

int main(int argc, char **argv)
{
    const char *pg = getenv("CAREEROPS_TEST_PG");
    if (pg == NULL || pg[0] == '\0') {
        printf("pgsink-derive: skipped (CAREEROPS_TEST_PG is not set)\n");
        return 0;
    }
    const char *shapes[2] = {"plain", "mail"};
    int ns[8] = {1000, 3000}, nn = 0, nshapes = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "plain") == 0 || strcmp(argv[i], "mail") == 0) {
            if (nshapes < 2)
                shapes[nshapes++] = argv[i];
        } else if (nn < 8) {
            ns[nn++] = atoi(argv[i]);
        }
    }
    nn = nn > 0 ? nn : 2;
    nshapes = nshapes > 0 ? nshapes : 2;
    for (int s = 0; s < nshapes; s++)
        for (int i = 0; i < nn; i++)
            b_run(pg, shapes[s], ns[i]);
    return 0;
}
