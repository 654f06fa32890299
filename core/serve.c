/* careerops serve: the dashboard on the stored data, no pipeline (see
 * dashboard.h); a word at start when its database does not answer. */
#include "control.h"
#include "co_pgmig.h"
#include "dashboard.h"
#include "lazylib.h"
#include "log.h"
#include "util.h"

#include <getopt.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STR__(x) #x
#define STR_(x)  STR__(x)

/* "database D on HOST:PORT as USER" from a conninfo, without its password
 * (or "the database" when libpq cannot parse it). */
static void co__db_name(const co_pq_api_t *pq, const char *conninfo, char *out,
                        size_t n)
{
    const char *db = NULL, *host = NULL, *port = NULL, *user = NULL;
    char *perr = NULL;
    PQconninfoOption *o = pq->conninfoParse(conninfo, &perr);
    for (PQconninfoOption *p = o; p && p->keyword; p++) {
        if (p->val == NULL || p->val[0] == '\0')
            continue;
        if (strcmp(p->keyword, "dbname") == 0)
            db = p->val;
        else if (strcmp(p->keyword, "host") == 0 ||
                 (host == NULL && strcmp(p->keyword, "hostaddr") == 0))
            host = p->val;
        else if (strcmp(p->keyword, "port") == 0)
            port = p->val;
        else if (strcmp(p->keyword, "user") == 0)
            user = p->val;
    }
    if (o == NULL || co_pgmig_conninfo_ambiguous(conninfo))
        snprintf(out, n, "the database");
    else
        snprintf(out, n, "database %s on %s%s%s%s%s", db ? db : "(default)",
                 host ? host : "the default socket", port ? ":" : "",
                 port ? port : "", user ? " as " : "", user ? user : "");
    pq->conninfoFree(o);
    pq->freemem(perr);
}

/* Warn when the dashboard's database does not answer now: every page
 * would answer 503 until it does. -1 (printed) for a URI with an unencoded
 * '@' or '/' in its password: libpq would take a piece of the password for
 * a host name and say it in this WARN and at every request (trial 45). */
static int co__check_db(const co_dashboard_t *d)
{
    const char *ci = co_dashboard_conninfo(d);
    if (co_pgmig_conninfo_ambiguous(ci)) {
        fprintf(stderr,
                "error: careerops serve: the dashboard's connection string "
                "(the postgres-sink stage's conninfo, or CAREEROPS_STATE): "
                "%s\n",
                CO_PGMIG_AMBIGUOUS_HINT);
        return -1;
    }
    char e[256];
    const co_pq_api_t *pq = ci ? co_pq(e, sizeof e) : NULL;
    if (ci == NULL) {
        co_log_warn("serve: no database: the manifest has no postgres-sink "
                    "stage and CAREEROPS_STATE is not set; the pages answer "
                    "503 (add a postgres-sink stage, or set CAREEROPS_STATE)");
        return 0;
    }
    if (pq == NULL) {
        co_log_warn("serve: %s: the pages answer 503 (apt-get install libpq5)",
                    e);
        return 0;
    }
    const char *const kw[] = {"dbname", "connect_timeout", NULL};
    const char *const vals[] = {ci, "3", NULL};
    PGconn *c = pq->connectdbParams(kw, vals, 1);
    if (pq->q.status(c) != CONNECTION_OK) {
        char name[512], why[512];
        co__db_name(pq, ci, name, sizeof name);
        co_pgmig_conninfo_error(why, sizeof why, ci, pq->q.errorMessage(c));
        co_log_warn("serve: %s does not answer (%s): the pages answer 503 "
                    "until it does; start it (the throwaway one of the demo "
                    "and the tests: bash scripts/pg.sh start) or point the "
                    "manifest's postgres-sink conninfo at a running server",
                    name, why);
    } else {
        /* the tables, which postgres-sink creates when it first runs
         * (note 33: serve started, then every page said "query failed") */
        const char *sch = co_dashboard_schema(d);
        const char *p[] = {sch};
        /* the ones the applications page reads (trial 77: a schema with
         * one of them was said nothing of, then 500) */
        PGresult *r = pq->q.execParams(
            c,
            "SELECT string_agg(t, ', ' ORDER BY t) FROM unnest(ARRAY["
            "'applications', 'application_transitions']) "
            "t WHERE NOT EXISTS (SELECT 1 FROM information_schema.tables i "
            "WHERE i.table_schema = $1 AND i.table_name = t)",
            1, NULL, p, NULL, NULL, 0);
        const char *miss =
            pq->q.resultStatus(r) == PGRES_TUPLES_OK && pq->q.ntuples(r) == 1
                ? pq->q.getvalue(r, 0, 0)
                : "";
        if (miss[0] != '\0') {
            char name[512];
            co__db_name(pq, ci, name, sizeof name);
            co_log_warn("serve: %s: schema \"%s\" lacks postgres-sink's "
                        "tables %s: the pages answer 500 until they exist; "
                        "run the pipeline once (its postgres-sink creates "
                        "them), or set the manifest's postgres-sink schema to "
                        "the one it writes (the demo's: "
                        "CAREEROPS_DEMO_SCHEMA)",
                        name, sch, miss);
        }
        pq->q.clear(r);
    }
    pq->finish(c);
    return 0;
}

/* Seconds the stop waits for the requests in progress. */
#define CO__STOP_WAIT_S 5

/* After the first SIGINT or SIGTERM: a second one, or CO__STOP_WAIT_S
 * seconds of a stop still waiting on requests, ends the process at once
 * (trial 45: threads stuck in open() of a FIFO; SIGTERM never ended it). */
static void *co__stop_watch(void *arg)
{
    const sigset_t *set = arg;
    struct timespec ts = {CO__STOP_WAIT_S, 0};
    int sig = sigtimedwait(set, NULL, &ts);
    co_log_warn("serve: %s: stopped without waiting for the requests in "
                "progress; exit status 1",
                sig > 0 ? "a second signal"
                        : "requests still running " STR_(
                              CO__STOP_WAIT_S) " s "
                                               "after the signal");
    _exit(1); /* not a clean stop: a request was cut (trial 45: exit 0) */
    return NULL;
}

int co_cmd_serve(int argc, char **argv)
{
    static const struct option lo[] = {{"listen", required_argument, 0, 'l'},
                                       {"set", required_argument, 0, 'S'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    static const char *const rep[] = {"set", NULL};
    const char *path = NULL, *listen = NULL;
    int c, help = 0,
           bad = co_cli_once(argc, argv, lo, rep, "careerops serve") != 0;
    const char **sets = co_xcalloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    optind = 1;
    while (!bad && !help &&
           (c = co_cli_getopt(argc, argv, "l:S:h", lo, NULL)) != -1) {
        if (c == 'l')
            listen = optarg;
        else if (c == 'S')
            sets[nsets++] = optarg;
        else
            help = c == 'h', bad = c != 'h';
    }
    if (bad) {
        fprintf(stderr, "see `careerops serve --help`\n");
        free(sets);
        return 2;
    }
    if (!help && optind + 1 < argc) {
        co_cli_unexpected("serve", argv[optind + 1]);
        free(sets);
        return 2;
    }
    if (!help && optind < argc)
        path = argv[optind];
    if (path == NULL) {
        free(sets);
        fprintf(
            help ? stdout : stderr,
            "usage: careerops serve MANIFEST [--listen "
            "ADDR:PORT] [--set PATH=VALUE]...\n  serves the dashboard (docs/"
            "dashboard.md) over the manifest's postgres-sink "
            "tables until Ctrl-C; no pipeline runs\n");
        return help ? 0 : 2;
    }
    co_diag_t dg = {0};
    co_manifest_t *m = co_manifest_load(path, sets, &dg);
    free(sets);
    if (m == NULL || dg.n > 0) {
        co_diag_print(&dg, path);
        co_diag_free(&dg);
        co_manifest_free(m);
        return 2;
    }
    if (listen) {
        free(m->http_listen);
        m->http_listen = co_strdup(listen);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP); /* a closed terminal: stop as SIGTERM does */
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before MHD's thread */
    co_control_routes_t r = {0};
    char e[512];
    co_control_t *ctl = co_control_start(m, &r, e, sizeof e);
    if (ctl == NULL) {
        fprintf(stderr, "error: %s\n", e);
        co_manifest_free(m);
        return 2;
    }
    if (co__check_db(co_control_dashboard(ctl)) != 0) {
        co_control_stop(ctl);
        co_manifest_free(m);
        return 2;
    }
    char url[512];
    co_control_page_url(ctl, url, sizeof url);
    printf("dashboard: %s (Ctrl-C stops it)\n", url);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    static sigset_t watched; /* outlives this function */
    watched = set;
    pthread_t watch;
    if (pthread_create(&watch, NULL, co__stop_watch, &watched) == 0)
        pthread_detach(watch);
    co_control_stop(ctl);
    co_manifest_free(m);
    return 0;
}
