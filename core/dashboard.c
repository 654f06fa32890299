/* The dashboard: web files and a JSON API over postgres-sink's tables
 * (see dashboard.h and docs/dashboard.md). */
#include "dashboard.h"
#include "co_pgmig.h"
#include "dashboard_dlq.h"
#include "dashboard_spawn.h"
#include "lazylib.h"
#include "control.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CO_WEBDIR
#define CO_WEBDIR ""
#endif
#ifndef CO_WEBDIR_SRC
#define CO_WEBDIR_SRC ""
#endif

extern char **environ;

struct co_dashboard_s {
    char *conninfo;  /* libpq connection string, or NULL */
    char *schema;    /* postgres-sink's schema */
    char *dlq_file;  /* dead letters as JSON lines, or NULL */
    char *manifest;  /* the manifest's file, or NULL */
    char *pipeline;  /* the pipeline's name (after --set) */
    char *bootstrap; /* the broker's address, or NULL for the embedded one */
    char *webdir;    /* folder of index.html */
    int db_reads;    /* requests waiting on the database (atomic) */
    int dlq_reads;   /* dead-letter listings in flight (atomic) */
};

/* Database requests at once (CO_HTTP_THREADS / 2 = 4): the endpoint has a
 * thread per connection now, but a pile of reads waiting on a locked table
 * would still hold as many database connections (trial 44: 20 reads
 * queued on all 8 threads of the pool it was, /health waited 30 s) */
#define CO__DB_READS_MAX (CO_HTTP_THREADS / 2)

static char *co__web_dir(void)
{
    const char *cands[] = {getenv("CAREEROPS_WEBDIR"), CO_WEBDIR,
                           CO_WEBDIR_SRC};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (cands[i] == NULL || cands[i][0] == '\0')
            continue;
        co_buf_t p = {0};
        co_buf_printf(&p, "%s/index.html", cands[i]);
        int ok = access(p.data, R_OK) == 0;
        co_buf_free(&p);
        if (ok)
            return co_strdup(cands[i]);
    }
    return NULL;
}

co_dashboard_t *co_dashboard_new(const co_manifest_t *m)
{
    co_dashboard_t *d = co_xcalloc(1, sizeof *d);
    d->webdir = co__web_dir();
    d->manifest = m->path ? co_strdup(m->path) : NULL;
    d->pipeline = m->pipeline ? co_strdup(m->pipeline) : NULL;
    const char *bs =
        json_string_value(json_object_get(m->kafka, "bootstrap.servers"));
    d->bootstrap = bs && !m->embedded ? co_strdup(bs) : NULL;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (strcmp(s->plugin, "postgres-sink") == 0 && d->conninfo == NULL) {
            const char *ci =
                json_string_value(json_object_get(s->config, "conninfo"));
            const char *sc =
                json_string_value(json_object_get(s->config, "schema"));
            d->conninfo = ci ? co_strdup(ci) : NULL;
            d->schema = sc ? co_strdup(sc) : NULL;
        }
        /* a console-sink reading a dead-letter topic keeps the letters */
        for (size_t k = 0; k < s->n_inputs && d->dlq_file == NULL; k++)
            for (size_t j = 0; j < m->n_stages; j++) {
                const char *dt = m->stages[j].dlq_topic;
                const char *path =
                    json_string_value(json_object_get(s->config, "path"));
                if (dt && strcmp(dt, s->inputs[k]) == 0 && path &&
                    strcmp(s->plugin, "console-sink") == 0) {
                    co_buf_t f = {0};
                    if (path[0] != '/' && m->dir)
                        co_buf_printf(&f, "%s/", m->dir);
                    co_buf_printf(&f, "%s", path);
                    d->dlq_file = f.data;
                    break;
                }
            }
    }
    if (d->conninfo == NULL && getenv("CAREEROPS_STATE"))
        d->conninfo = co_strdup(getenv("CAREEROPS_STATE"));
    if (d->schema == NULL)
        d->schema = co_strdup("public");
    if (d->webdir == NULL)
        co_log_warn("dashboard: no web files (index.html) found: set "
                    "CAREEROPS_WEBDIR to the installed share/careerops/web");
    return d;
}

void co_dashboard_free(co_dashboard_t *d)
{
    if (d == NULL)
        return;
    free(d->conninfo);
    free(d->schema);
    free(d->dlq_file);
    free(d->manifest);
    free(d->pipeline);
    free(d->bootstrap);
    free(d->webdir);
    free(d);
}

/* ---- helpers ------------------------------------------------------------ */

static char *co__json_msg(int ok, const char *key, const char *msg)
{
    json_t *j = json_pack("{s:b, s:s}", "ok", ok, key, msg);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static char *co__err(unsigned *status, unsigned code, const char *msg)
{
    *status = code;
    return co__json_msg(0, "error", msg);
}

/* Seconds the dashboard waits for its database: to connect, and for each
 * statement. Below the 5 s of a compose healthcheck. */
#define CO__DB_TIMEOUT_S CO_DASHBOARD_DB_TIMEOUT_S

/* 1 if `r` failed for statement_timeout (SQLSTATE 57014). */
static int co__timed_out(const co_pq_api_t *pq, const PGresult *r)
{
    const char *st = r ? pq->q.resultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return st != NULL && strcmp(st, "57014") == 0;
}

static char *co__query_db(co_dashboard_t *d, const co_pq_api_t *pq,
                          const char *sql, int n, const char *const *params,
                          unsigned *status);

/* One more request waiting on the database (a read, or a relabel child):
 * 0, or -1 when CO__DB_READS_MAX already do. 0 is paired with a
 * __atomic_sub_fetch of d->db_reads. */
static int co__db_enter(co_dashboard_t *d)
{
    if (__atomic_add_fetch(&d->db_reads, 1, __ATOMIC_SEQ_CST) <=
        CO__DB_READS_MAX)
        return 0;
    __atomic_sub_fetch(&d->db_reads, 1, __ATOMIC_SEQ_CST);
    return -1;
}

static char *co__busy(unsigned *status)
{
    return co__err(status, 503,
                   "busy: other requests are waiting for the database (a "
                   "lock held on the tables, or a busy server): try again");
}

/* Runs `sql` (with {s} replaced by the quoted schema) with params; the
 * one-cell answer is the body. At most CO__DB_READS_MAX at once; the
 * others answer 503 at once. */
static char *co__query(co_dashboard_t *d, const char *sql, int n,
                       const char *const *params, unsigned *status)
{
    if (d->conninfo == NULL)
        return co__err(status, 503,
                       "no database: the manifest has no postgres-sink "
                       "stage and CAREEROPS_STATE is not set");
    /* libpq is loaded on first use (core/lazylib.c): the host binary does
     * not link it (idle RSS). */
    char lerr[256];
    const co_pq_api_t *pq = co_pq(lerr, sizeof lerr);
    if (pq == NULL)
        return co__err(status, 503, lerr);
    if (co__db_enter(d) != 0)
        return co__busy(status);
    char *out = co__query_db(d, pq, sql, n, params, status);
    __atomic_sub_fetch(&d->db_reads, 1, __ATOMIC_SEQ_CST);
    return out;
}

/* co__query()'s work, once it may use the database. */
static char *co__query_db(co_dashboard_t *d, const co_pq_api_t *pq,
                          const char *sql, int n, const char *const *params,
                          unsigned *status)
{
    /* a few seconds at most, for the connection and for each statement
     * (trial 43: a table locked in psql held every page, /health
     * included, for 13 s); the conninfo's own connect_timeout wins */
    const char *const kw[] = {"connect_timeout", "dbname", NULL};
    const char *const vals[] = {CO__DB_TIMEOUT_S, d->conninfo, NULL};
    PGconn *c = pq->connectdbParams(kw, vals, 1);
    if (pq->q.status(c) != CONNECTION_OK) {
        char why[512];
        co_pgmig_conninfo_error(why, sizeof why, d->conninfo,
                                pq->q.errorMessage(c));
        co_log_warn("dashboard: database: %s", why);
        pq->finish(c);
        return co__err(status, 503,
                       "the database is not reachable (within " CO__DB_TIMEOUT_S
                       " s)");
    }
    pq->q.clear(
        pq->q.exec(c, "SET statement_timeout = '" CO__DB_TIMEOUT_S "s'"));
    char *qs = pq->escapeIdentifier(c, d->schema, strlen(d->schema));
    co_buf_t q = {0};
    for (const char *p = sql; *p; p++) {
        if (p[0] == '{' && p[1] == 's' && p[2] == '}') {
            co_buf_printf(&q, "%s", qs);
            p += 2;
        } else
            co_buf_printf(&q, "%c", *p);
    }
    pq->freemem(qs);
    PGresult *r = pq->q.execParams(c, q.data, n, NULL, params, NULL, NULL, 0);
    co_buf_free(&q);
    char *out;
    if (pq->q.resultStatus(r) == PGRES_TUPLES_OK && pq->q.ntuples(r) == 1) {
        *status = 200;
        out = co_strdup(pq->q.getvalue(r, 0, 0));
    } else if (co__timed_out(pq, r)) {
        co_log_warn("dashboard: query: no answer within " CO__DB_TIMEOUT_S
                    " s (statement_timeout): a lock held on the tables, or a "
                    "busy server");
        out = co__err(status, 503,
                      "the database did not answer within " CO__DB_TIMEOUT_S
                      " s (a lock held on the tables, or a busy server): "
                      "try again");
    } else {
        co_log_warn("dashboard: query: %s", pq->q.resultErrorMessage(r));
        /* the schema by name (trial 72: a schema that does not exist was
         * "the schema?") */
        co_buf_t e = {0};
        co_buf_printf(&e,
                      "query failed: are postgres-sink's tables (emails, "
                      "events, applications) in schema \"%s\"? It is the "
                      "manifest's postgres-sink schema (the demo sets it "
                      "from CAREEROPS_DEMO_SCHEMA); the log of careerops "
                      "serve has the database's words",
                      d->schema);
        out = co__err(status, 500, e.data);
        co_buf_free(&e);
    }
    pq->q.clear(r);
    pq->finish(c);
    return out;
}

static const char CO__SQL_APPS[] =
    "SELECT coalesce(json_agg(t ORDER BY t.last_event_at DESC NULLS LAST), "
    "'[]') FROM (SELECT a.id, a.company, a.role, a.status, a.first_seen, "
    "a.last_event_at, a.last_event_type, a.next_interview, a.event_keys, "
    "(SELECT count(*) FROM {s}.application_transitions x "
    "WHERE x.application_id = a.id) AS transitions "
    "FROM {s}.applications a) t";

/* The application whose id is $1, or begins with $1 (8+ characters, as
 * `careerops applications --decide` takes it; trial 37 got 404); NULL when
 * none or several do. */
#define CO__APP_ID                                                             \
    "(SELECT CASE WHEN count(*) = 1 THEN min(id) END FROM {s}.applications "   \
    "WHERE starts_with(id, $1))"
static const char CO__SQL_APP[] =
    "SELECT json_build_object("
    "'application', (SELECT row_to_json(a) FROM (SELECT id, company, role, "
    "status, first_seen, last_event_at, next_interview, interviews, "
    "thread_ids FROM {s}.applications WHERE id = " CO__APP_ID ") a),"
    "'transitions', (SELECT coalesce(json_agg(x ORDER BY x.seq), '[]') FROM "
    "(SELECT seq, from_status, to_status, event_key, event_type, "
    "email_message_id, email_date FROM {s}.application_transitions "
    "WHERE application_id = " CO__APP_ID ") x),"
    "'events', (SELECT coalesce(json_agg(e ORDER BY e.received_at), '[]') "
    "FROM (SELECT key, event_type, company, role, scheduled_at, confidence, "
    "subject, sender, received_at FROM {s}.events WHERE key IN "
    "(SELECT unnest(event_keys) FROM {s}.applications WHERE id = " CO__APP_ID
    ")) e),"
    "'emails', (SELECT coalesce(json_agg(m ORDER BY m.received_at), '[]') "
    "FROM (SELECT key, message_id, subject, sender, sender_name, "
    "received_at, (archive_url IS NOT NULL OR doc ? 'archive') AS "
    "has_original FROM {s}.emails WHERE key IN (SELECT unnest(event_keys) "
    "FROM {s}.applications WHERE id = " CO__APP_ID ")) m),"
    "'briefings', (SELECT coalesce(json_agg(b), '[]') FROM (SELECT key, "
    "event_key, summary, generated_at FROM {s}.briefings WHERE event_key IN "
    "(SELECT unnest(event_keys) FROM {s}.applications WHERE id = " CO__APP_ID
    ")) b))";

/* Each interview once, as the applications hold them (docs/
 * applications.md, "Interviews"): a dated INTERVIEW event of an application
 * is listed when it names one of its slots not moved or cancelled (not a
 * repeat in "also", not a calendar CANCEL, not a slot "superseded_by"); an
 * undated one as it is; a dated one no application holds unless a live
 * slot of an application is at its time (a reply naming no company, "that
 * works great": a repeat, as the demo's summary counts it; trial 81). */
static const char CO__SQL_INTERVIEWS[] =
    "SELECT coalesce(json_agg(t ORDER BY t.scheduled_at NULLS LAST), '[]') "
    "FROM (SELECT e.key, e.company, e.role, e.scheduled_at, e.subject, "
    "e.scheduled_at >= now() AS upcoming, (SELECT a.id FROM "
    "{s}.applications a WHERE e.key = ANY(a.event_keys) LIMIT 1) AS "
    "application_id FROM {s}.events e WHERE e.event_type = 'INTERVIEW' "
    "AND (e.scheduled_at IS NULL OR (NOT EXISTS (SELECT 1 FROM "
    "{s}.applications a WHERE e.key = ANY(a.event_keys)) AND NOT EXISTS "
    "(SELECT 1 FROM {s}.applications a, jsonb_array_elements(a.interviews) "
    "i WHERE i->>'superseded_by' IS NULL AND (i->>'at')::timestamptz = "
    "e.scheduled_at)) OR EXISTS (SELECT 1 FROM {s}.applications a, "
    "jsonb_array_elements(a.interviews) i WHERE e.key = ANY(a.event_keys) "
    "AND i->>'event_key' = e.key AND i->>'superseded_by' IS NULL))) t";

static const char CO__SQL_FUNNEL[] =
    "SELECT json_build_object('links', (SELECT coalesce(json_agg(t), '[]') "
    "FROM (SELECT coalesce(from_status, 'START') AS source, to_status AS "
    "target, count(DISTINCT application_id) AS value FROM "
    "{s}.application_transitions GROUP BY 1, 2) t), 'status', (SELECT "
    "coalesce(json_object_agg(status, n), '{}') FROM (SELECT status, "
    "count(*) AS n FROM {s}.applications GROUP BY 1) s))";

/* The sidecar of the dead-letter file where replays are noted
 * (co_dlq_mark_replayed()), new string, or NULL. */
static char *co__replayed_file(const co_dashboard_t *d)
{
    if (d->dlq_file == NULL)
        return NULL;
    co_buf_t f = {0};
    co_buf_printf(&f, "%s.replayed", d->dlq_file);
    return f.data;
}

/* Dead letters the page lists: the newest of the file. */
#define CO__LETTERS_MAX 200

/* Dead-letter listings at once: each holds up to two letters' worth of
 * memory (trial 45: 3 listings of 15 MiB letters took 5.5 GB) */
#define CO__DLQ_READS_MAX 2

/* The newest CO__LETTERS_MAX dead letters of the file, oldest first (new
 * reference), the file's counts in *n; NULL with err filled when the
 * file cannot be read. */
static json_t *co__letters(const co_dashboard_t *d, co_dlq_counts_t *n,
                           char *err, size_t errsz)
{
    memset(n, 0, sizeof *n);
    if (d->dlq_file == NULL)
        return json_array();
    return co_dlq_tail(d->dlq_file, CO__LETTERS_MAX, n, err, errsz);
}

/* The dead-letter file as a JSON array (the newest 200 letters), each
 * with "replayed_at" once replayed from the page. */
static char *co__deadletters(co_dashboard_t *d, unsigned *status)
{
    if (__atomic_add_fetch(&d->dlq_reads, 1, __ATOMIC_SEQ_CST) >
        CO__DLQ_READS_MAX) {
        __atomic_sub_fetch(&d->dlq_reads, 1, __ATOMIC_SEQ_CST);
        return co__err(status, 503,
                       "busy: other requests are reading the dead letters: "
                       "try again");
    }
    co_dlq_counts_t n;
    char err[512];
    json_t *arr = co__letters(d, &n, err, sizeof err);
    __atomic_sub_fetch(&d->dlq_reads, 1, __ATOMIC_SEQ_CST);
    if (arr == NULL) {
        co_log_warn("dashboard: dead letters: %s", err);
        return co__err(status, 500, err);
    }
    char *side = co__replayed_file(d);
    size_t replayed = co_dlq_mark_replayed(side, arr);
    free(side);
    json_t *o = json_pack(
        "{s:o, s:s?, s:I, s:I, s:I, s:I, s:I, s:I}", "letters", arr, "file",
        d->dlq_file, "total", (json_int_t)n.total, "unreadable",
        (json_int_t)n.unreadable, "left_out", (json_int_t)n.left_out,
        "truncated", (json_int_t)n.truncated, "too_large",
        (json_int_t)n.too_large, "replayed", (json_int_t)replayed);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    *status = 200;
    return s;
}

/* ---- web files ------------------------------------------------------------
 */

static char *co__file(co_dashboard_t *d, const char *url, unsigned *status,
                      const char **type)
{
    const char *name = strcmp(url, "/") == 0 ? "index.html" : url + 1;
    size_t n = strlen(name);
    if (d->webdir == NULL || n == 0 || n > 64 || name[0] == '.')
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
            name[i] != '-' && name[i] != '_')
            return NULL;
    const char *dot = strrchr(name, '.');
    if (dot == NULL)
        return NULL;
    if (strcmp(dot, ".html") == 0)
        *type = "text/html; charset=utf-8";
    else if (strcmp(dot, ".js") == 0)
        *type = "text/javascript; charset=utf-8";
    else if (strcmp(dot, ".css") == 0)
        *type = "text/css; charset=utf-8";
    else if (strcmp(dot, ".svg") == 0)
        *type = "image/svg+xml";
    else
        return NULL;
    co_buf_t p = {0};
    co_buf_printf(&p, "%s/%s", d->webdir, name);
    char *text = NULL;
    size_t len = 0;
    int rc = co_read_file(p.data, &text, &len);
    co_buf_free(&p);
    if (rc != 0)
        return NULL;
    *status = 200;
    return text;
}

char *co_dashboard_get(co_dashboard_t *d, struct MHD_Connection *c,
                       const char *url, unsigned *status, const char **type)
{
    *type = "application/json";
    if (strcmp(url, "/api/applications") == 0)
        return co__query(d, CO__SQL_APPS, 0, NULL, status);
    if (strcmp(url, "/api/application") == 0) {
        const char *id =
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
        if (id == NULL)
            return co__err(status, 400, "give ?id=APPLICATION_ID");
        /* ids are postgres-sink's hex keys (text), e.g. 7f0af1ea39d966c4;
         * upper-case digits are the same id */
        char low[65];
        size_t n = strlen(id);
        if (n < 8 || n > 64 || strspn(id, "0123456789abcdefABCDEF") != n)
            return co__err(status, 400,
                           "?id must be an application's id or its first 8 "
                           "or more characters: hex digits as "
                           "/api/applications lists them, e.g. "
                           "?id=7f0af1ea39d966c4");
        for (size_t i = 0; i <= n; i++)
            low[i] = (char)tolower((unsigned char)id[i]);
        id = low;
        char *out = co__query(d, CO__SQL_APP, 1, &id, status);
        if (*status == 200 &&
            strncmp(out, "{\"application\" : null", 21) == 0) {
            free(out);
            return co__err(status, 404,
                           "no application with that id (or the prefix is "
                           "the beginning of several: give more characters)");
        }
        return out;
    }
    if (strcmp(url, "/api/interviews") == 0)
        return co__query(d, CO__SQL_INTERVIEWS, 0, NULL, status);
    if (strcmp(url, "/api/funnel") == 0)
        return co__query(d, CO__SQL_FUNNEL, 0, NULL, status);
    if (strcmp(url, "/api/deadletters") == 0)
        return co__deadletters(d, status);
    if (strcmp(url, "/api/stages") == 0) { /* no pipeline: careerops serve */
        *status = 200;
        return co_strdup("{\"pipeline\":null,\"stages\":[]}\n");
    }
    return co__file(d, url, status, type);
}

/* ---- "show original" (issue 17) ------------------------------------------
 */

/* The email's archive reference: "" no such email, "-" no reference. */
static const char CO__SQL_ORIGINAL[] =
    "SELECT coalesce((SELECT coalesce(archive_url, "
    "doc->'archive'->>'archive_url', '-') FROM {s}.emails WHERE key = $1), "
    "'')";

static enum MHD_Result co__orig_error(struct MHD_Connection *c, unsigned st,
                                      char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, st, r);
    MHD_destroy_response(r);
    return ret;
}

/* `careerops archive get REF --archive ROOT` (this program, which runs
 * careerops-tools) into the file `out`; its messages into `err`. The
 * exit status, or -1. */
static int co__archive_get(const char *ref, const char *root, int out,
                           co_buf_t *err)
{
    char *const argv[] = {"careerops", "archive",    "get", (char *)ref,
                          "--archive", (char *)root, NULL};
    int rc = co_dashboard_spawn(argv, NULL, out, CO_DASHBOARD_CHILD_S, err);
    if (rc == CO_DASHBOARD_SPAWN_LATE)
        co_buf_printf(err, "no answer within %d s (is the archive reachable?)",
                      CO_DASHBOARD_CHILD_S);
    return rc;
}

enum MHD_Result co_dashboard_original(co_dashboard_t *d,
                                      struct MHD_Connection *c, const char *url)
{
    const char *k = url + strlen("/api/emails/");
    const char *slash = strchr(k, '/');
    unsigned st = 404;
    if (slash == NULL || strcmp(slash, "/original") != 0 || slash == k ||
        slash - k > 512)
        return co__orig_error(
            c, 404, co__json_msg(0, "error", "use /api/emails/KEY/original"));
    char key[513];
    memcpy(key, k, (size_t)(slash - k));
    key[slash - k] = '\0';
    const char *p[] = {key};
    char *ref = co__query(d, CO__SQL_ORIGINAL, 1, p, &st);
    if (st != 200)
        return co__orig_error(c, st, ref);
    if (ref[0] == '\0' || strcmp(ref, "-") == 0) {
        int none = ref[0] == '\0';
        free(ref);
        return co__orig_error(
            c, 404,
            co__json_msg(0, "error",
                         none ? "no such email"
                              : "this email has no archive reference (it was "
                                "read before the claim check, or by a source "
                                "without an archive)"));
    }
    /* the archive is the reference's root: what precedes "/sha256/" */
    const char *cut = strstr(ref, "/sha256/");
    char *root = cut != NULL ? strndup(ref, (size_t)(cut - ref)) : NULL;
    /* an unlinked temporary file in $TMPDIR (/tmp when unset) */
    const char *td = getenv("TMPDIR");
    co_buf_t tmpl = {0};
    co_buf_printf(&tmpl, "%s/careerops-original-XXXXXX",
                  td != NULL && td[0] != '\0' ? td : "/tmp");
    int fd = root != NULL ? mkstemp(tmpl.data) : -1;
    if (fd < 0) {
        co_buf_free(&tmpl);
        free(root);
        free(ref);
        return co__orig_error(
            c, 500, co__json_msg(0, "error", "cannot read the reference"));
    }
    unlink(tmpl.data);
    co_buf_free(&tmpl);
    co_buf_t err = {0};
    int rc = co__archive_get(ref, root, fd, &err);
    free(root);
    struct stat sb;
    if (rc != 0 || fstat(fd, &sb) != 0) {
        close(fd);
        const char *why = err.data != NULL ? err.data : "";
        co_log_warn("dashboard: archive get %s: %s", ref, why);
        co_buf_t m = {0};
        co_buf_printf(&m,
                      "the raw message %s cannot be read from the archive: "
                      "%.400s",
                      ref, why);
        co_buf_free(&err);
        free(ref);
        char *body = co__json_msg(0, "error", m.data);
        co_buf_free(&m);
        return co__orig_error(c, 502, body);
    }
    co_buf_free(&err);
    free(ref);
    struct MHD_Response *r =
        MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    const char *view =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "view");
    if (view != NULL && strcmp(view, "text") == 0) {
        MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    } else {
        char fname[128];
        size_t j = 0;
        for (const char *q = key; *q && j < 64; q++)
            fname[j++] =
                isalnum((unsigned char)*q) || *q == '-' || *q == '.' ? *q : '_';
        fname[j] = '\0';
        co_buf_t h = {0};
        co_buf_printf(&h, "attachment; filename=\"%s.eml\"", fname);
        MHD_add_response_header(r, "Content-Type", "message/rfc822");
        MHD_add_response_header(r, "Content-Disposition", h.data);
        co_buf_free(&h);
    }
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; sandbox");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- POST ------------------------------------------------------------------
 */

/* Runs `careerops relabel` on the dashboard's database, with the
 * request's company, date and role when it gives them (trial 37: they
 * were ignored). */
static char *co__relabel(co_dashboard_t *d, struct MHD_Connection *c,
                         const char *key, const char *label, unsigned *status)
{
    /* the conninfo (a password from ${secret:...} in it) goes in the
     * child's environment, CAREEROPS_STATE, which only this user can read:
     * an argument is in /proc/PID/cmdline for every local user (trial 43) */
    char *argv[16] = {"careerops", "relabel", (char *)key, (char *)label,
                      "--schema",  d->schema, "--no-emit"};
    int n = 7;
    static const char *const opt[] = {"company", "date", "role"};
    static char *const flag[] = {"--company", "--date", "--role"};
    for (int i = 0; i < 3; i++) {
        const char *v =
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, opt[i]);
        if (v != NULL) {
            argv[n++] = flag[i];
            argv[n++] = (char *)v;
        }
    }
    argv[n] = NULL;
    return co_dashboard_answer(argv, d->conninfo, CO_DASHBOARD_RELABEL_S,
                               status);
}

/* Notes the newest letter at partition p, offset o of the file as
 * replayed, in the sidecar (see co__replayed_file). */
static void co__note_replayed(const co_dashboard_t *d, int p, long long o)
{
    co_dlq_counts_t cnt;
    char err[512];
    json_t *arr = co__letters(d, &cnt, err, sizeof err), *l = NULL;
    for (size_t i = json_array_size(arr); i-- > 0 && l == NULL;) {
        json_t *c = json_array_get(arr, i);
        if (json_integer_value(json_object_get(c, "partition")) == p &&
            json_integer_value(json_object_get(c, "offset")) == o)
            l = c;
    }
    char *path = co__replayed_file(d);
    int fd = path && l ? co_dlq_open(path, O_WRONLY | O_APPEND | O_CREAT, err,
                                     sizeof err)
                       : -1;
    if (fd >= 0) {
        char key[256], ts[40];
        co_dlq_letter_key(l, key, sizeof key);
        co_buf_t line = {0};
        co_buf_printf(&line, "%s%s\n", key, co_rfc3339_now(ts, sizeof ts));
        if (write(fd, line.data, line.len) != (ssize_t)line.len)
            co_log_warn("dashboard: cannot note the replay in %s: %s", path,
                        strerror(errno));
        co_buf_free(&line);
        close(fd);
    } else if (path && l) {
        co_log_warn("dashboard: cannot note the replay: %s", err);
    }
    free(path);
    json_decref(arr);
}

/* POST /api/deadletters/replay?offset=P:O: `careerops dlq replay` on the
 * pipeline's broker (the --set of kafka.bootstrap.servers and pipeline are
 * passed on), then the letter is noted as replayed. */
static char *co__replay(co_dashboard_t *d, struct MHD_Connection *c,
                        unsigned *status)
{
    const char *off =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "offset");
    int p = 0;
    long long o = 0;
    char tail = 0;
    if (off == NULL || sscanf(off, "%d:%lld%c", &p, &o, &tail) != 2)
        return co__err(status, 400,
                       "give ?offset=PARTITION:OFFSET of the dead letter");
    if (d->manifest == NULL)
        return co__err(status, 503, "the manifest's file is not known");
    co_buf_t bs = {0}, pl = {0};
    char *argv[12] = {"careerops", "dlq",      "replay",
                      d->manifest, "--offset", (char *)off};
    int n = 6;
    if (d->pipeline) {
        co_buf_printf(&pl, "pipeline=%s", d->pipeline);
        argv[n++] = "--set";
        argv[n++] = pl.data;
    }
    if (d->bootstrap) {
        co_buf_printf(&bs, "kafka.bootstrap.servers=%s", d->bootstrap);
        argv[n++] = "--set";
        argv[n++] = bs.data;
    }
    char *body = co_dashboard_answer(argv, NULL, CO_DASHBOARD_CHILD_S, status);
    co_buf_free(&bs);
    co_buf_free(&pl);
    json_t *j = *status == 200 ? json_loads(body, 0, NULL) : NULL;
    const char *out = json_string_value(json_object_get(j, "output"));
    /* no letter there: dlq replay exits 2 "--offset P:O: no dead letter
     * there" */
    if ((out && strstr(out, "replayed 0 ")) ||
        (*status == 400 && body && strstr(body, ": no dead letter there"))) {
        free(body);
        co_buf_t e = {0};
        co_buf_printf(&e,
                      "no dead letter at %s in the dead-letter topic "
                      "(careerops dlq list shows them)",
                      off);
        body = co__err(status, 404, e.data);
        co_buf_free(&e);
    } else if (*status == 200) {
        co__note_replayed(d, p, o);
    }
    json_decref(j);
    return body;
}

char *co_dashboard_post(co_dashboard_t *d, struct MHD_Connection *c,
                        const char *url, unsigned *status)
{
    if (strcmp(url, "/api/deadletters/replay") == 0)
        return co__replay(d, c, status);
    if (strcmp(url, "/api/relabel") != 0)
        return NULL;
    const char *key =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "key");
    const char *label =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "label");
    if (key == NULL || label == NULL)
        return co__err(status, 400, "give ?key=EVENT_KEY&label=LABEL");
    /* an option where a value belongs (careerops relabel reads its
     * arguments): name the parameter (trial 13) */
    if (key[0] == '-')
        return co__err(status, 400,
                       "key: an event key (its hex id or a prefix of 8 or "
                       "more), not an option");
    if (label[0] == '-')
        return co__err(status, 400,
                       "label: one of INTERVIEW, OFFER, ASSESSMENT, "
                       "REJECTION, APPLICATION_ACK, RECRUITER_OUTREACH, "
                       "OTHER, not an option");
    if (d->conninfo == NULL)
        return co__err(status, 503, "no database to relabel in");
    /* the child waits on the database as a read does: it counts against
     * the same limit (trial 45: 12 relabels on locked tables held every
     * thread, /health took 13.6 s) */
    if (co__db_enter(d) != 0)
        return co__busy(status);
    char *out = co__relabel(d, c, key, label, status);
    __atomic_sub_fetch(&d->db_reads, 1, __ATOMIC_SEQ_CST);
    return out;
}

const char *co_dashboard_conninfo(const co_dashboard_t *d)
{
    return d->conninfo;
}

const char *co_dashboard_schema(const co_dashboard_t *d)
{
    return d->schema;
}
